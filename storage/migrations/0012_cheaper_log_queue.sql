-- Dumas schema, version 12: the transparency log's queue moves into the rows
-- it queues. Until now every event and record was queued by a row of its own
-- in log_pending, inserted by a statement of its own in the writer's
-- transaction (with two unique keys and two foreign keys to check) and
-- deleted by the sequencer. Now the event's (or record's) own insert queues
-- it: log_pending is TRUE until the sequencer numbers it (or refuses it) and
-- sets it to NULL in the same transaction. The writers pay one index entry
-- instead of a statement and a row (docs/transparency-log.md, "What the log
-- costs the writers").
--
-- Re-runnable like every migration: each step may run again after a partial
-- run; log_pending is created empty again when an earlier run dropped it, so
-- that moving its entries finds none.

-- TRUE: committed but not numbered yet; NULL: numbered, refused, or written
-- without being queued. The index serves the sequencer's read of the queue
-- in id order.
ALTER TABLE complaint_events
  ADD COLUMN IF NOT EXISTS log_pending BOOLEAN NULL,
  ADD KEY IF NOT EXISTS idx_complaint_events_log_pending (log_pending);
ALTER TABLE log_records
  ADD COLUMN IF NOT EXISTS log_pending BOOLEAN NULL,
  ADD KEY IF NOT EXISTS idx_log_records_log_pending (log_pending);

-- The entries still queued in the old table (such as the events written
-- before the log, which migration 6 queued) are queued in their rows.
CREATE TABLE IF NOT EXISTS log_pending (
  id BIGINT NOT NULL AUTO_INCREMENT,
  event_id BIGINT NULL,
  record_id BIGINT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
UPDATE complaint_events e JOIN log_pending p ON p.event_id = e.id
  SET e.log_pending = TRUE;
UPDATE log_records r JOIN log_pending p ON p.record_id = r.id
  SET r.log_pending = TRUE;
DROP TABLE IF EXISTS log_pending;
