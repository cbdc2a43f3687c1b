-- Dumas schema, version 15: a case event carries what the Anev report counts
-- it by, so that a month's events are read from one index alone, without a
-- lookup of each event's complaint.
--
-- The report counts conclusions, rejections, archivings, disputes, ratings,
-- first dispositions (the SP3D) and official answers by handling unit, and
-- judges the SP3D and the answers against their due days. Up to version 14
-- each such event looked up its complaint in idx_complaints_anev_unit for
-- the unit, the day received and the due days: about 140,000 lookups for a
-- month at a million complaints, half of a live report's time
-- (docs/anev-report.md, "Cost, measured").
--
-- Every case action's event now records, as it is written, in its own
-- transaction (storage/mysql_case_store.cc):
--   anev_unit      the complaint's handling unit after the event (NULL: none);
--   anev_received  the day (WITA) the complaint was received;
--   anev_due       for a first disposition (ASSIGNED from VERIFIED), the
--                  SP3D's due day; for an official answer, the result due day
--                  of the round it answers; else NULL;
--   anev_tag       what anev_label (version 10) computes, stored: the first
--                  line of the internal note, at most 64 characters, of a
--                  conclusion, rejection or rating (its outcome, reason or
--                  rating), else empty.
-- anev_tag repeats the virtual anev_label as a stored value because a
-- statement that reads the virtual column does not always read it from the
-- index: in some sessions MariaDB read every event's row to compute it
-- (three page reads per event instead of one per hundred: 0.43-0.68 s
-- against 0.07 s for the month's conclusions at a million complaints,
-- measured in the slow log with log_slow_verbosity=innodb).
-- An event is counted under the unit that handled the complaint when it
-- happened: a conclusion stays with the unit that concluded, even when the
-- complaint is assigned elsewhere later. Both due days are fulfilled by
-- their event, so no later recomputation of the calendar changes them
-- (domain/complaint_deadlines.h).
--
-- Events written before this version have no facts (anev_received NULL): the
-- report looks their complaint up as before (storage/sql.h), and counts them
-- under the complaint's unit as it is now. Events are append-only, so they
-- are not filled in here. Registration and personal-data events carry no
-- facts: the report does not count them.
--
-- idx_events_anev_facts extends idx_events_anev_label, its prefix, with the
-- four columns. Re-runnable like every migration (ADD ... IF NOT EXISTS,
-- DROP ... IF EXISTS). The columns are added instantly, then the index is
-- built in place: intake and case handling go on meanwhile. The new index is
-- added before the old one is dropped, so the report has an index at every
-- step.
ALTER TABLE complaint_events
  ADD COLUMN IF NOT EXISTS anev_unit VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN IF NOT EXISTS anev_received DATE NULL,
  ADD COLUMN IF NOT EXISTS anev_due DATE NULL,
  ADD COLUMN IF NOT EXISTS anev_tag VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;

ALTER TABLE complaint_events
  ADD KEY IF NOT EXISTS idx_events_anev_facts
    (type, event_time, complaint_id, from_state, anev_label, anev_received, anev_unit,
     anev_due, anev_tag);

ALTER TABLE complaint_events
  DROP KEY IF EXISTS idx_events_anev_label;
