-- Dumas schema, version 7: no change (a placeholder of this branch; the
-- merge replaces it with the real migration 7).
DO 0;
