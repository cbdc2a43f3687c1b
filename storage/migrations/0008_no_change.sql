-- Dumas schema, version 8: no change (a placeholder of this branch; the
-- merge replaces it with the real migration 8).
DO 0;
