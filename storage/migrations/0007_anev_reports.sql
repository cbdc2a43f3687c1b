-- Dumas schema, version 7: the monthly analysis-and-evaluation report (Anev,
-- docs/anev-report.md). The frozen reports of closed months, and the indexes that
-- let one month's report read only that month's rows (and the complaints
-- still open), never the whole history.
--
-- Re-runnable like every migration (CREATE TABLE IF NOT EXISTS, ADD KEY IF
-- NOT EXISTS). The indexes are added in place: intake and case handling go
-- on while they are built.

-- A closed month's report, frozen once: one row per month, written in the
-- same transaction as the month's reports below. digest is SHA-256 of the
-- month's manifest (the digest of every scope's report, docs/anev-report.md); the
-- transparency log records it.
CREATE TABLE IF NOT EXISTS anev_months (
  month DATE NOT NULL,
  digest BINARY(32) NOT NULL,
  frozen_at DATETIME(6) NOT NULL,
  PRIMARY KEY (month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The frozen report of one scope of a month: `resort`, `public`, or
-- `units/{unit_id}`. body is the report in its stored form (docs/anev-report.md),
-- digest the SHA-256 of its canonical serialization. Never updated or
-- deleted: later corrections appear in the next month's report.
CREATE TABLE IF NOT EXISTS anev_reports (
  month DATE NOT NULL,
  scope VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  digest BINARY(32) NOT NULL,
  body MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (month, scope),
  CONSTRAINT fk_anev_reports_month FOREIGN KEY (month) REFERENCES anev_months (month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Complaints (storage/sql.h, "Anev", says which statement uses which):
--   idx_complaints_anev_received  the complaints received in a month, with
--       everything the report groups them by: read from the index alone. It
--       also bounds the complaints changed since a month ended that were
--       received before it (update_time right after create_time).
--   idx_complaints_anev_updated   the complaints changed since a month ended
--       (for a recent month, far fewer than those received before it).
--   idx_complaints_anev_officer   the complaints naming an officer, by name:
--       how often each officer of a month was named in twelve months.
ALTER TABLE complaints
  ADD KEY IF NOT EXISTS idx_complaints_anev_received
    (create_time, update_time, state, handling_unit_id, category_id, channel, subject_unit_id),
  ADD KEY IF NOT EXISTS idx_complaints_anev_updated (update_time, create_time),
  ADD KEY IF NOT EXISTS idx_complaints_anev_officer (officer_name, subject_unit_id, create_time);

-- Events of one type in a time range (the month's answers, conclusions,
-- rejections, ratings, disputes and first dispositions).
ALTER TABLE complaint_events
  ADD KEY IF NOT EXISTS idx_events_anev_type_time (type, event_time, complaint_id);
