-- Dumas schema, version 10: the Anev report at a million complaints
-- (docs/anev-report.md, "Cost, measured"). The state of a complaint at a
-- month's end, and the start of the result deadline running then, are read
-- from the complaint's own events (storage/sql.h, DUMAS_SQL_ANEV_STATE_AT and
-- DUMAS_SQL_ANEV_ROUND_START) for every complaint changed since the month
-- ended: for the month before the current one, a month's worth of complaints
-- on each live report. This index holds every column those lookups read, so
-- each complaint's handful of events is read from the index alone instead of
-- one primary-key lookup into the wide event rows per event.
--
--
-- The open backlog at a month's end starts from the complaints open now and
-- unchanged since (storage/sql.h, kAnevOpenUnchanged): idx_complaints_anev_open
-- finds them by state and update_time and holds every column the report
-- groups them by, so neither the current month (every open complaint) nor
-- the month before (those unchanged since its end) reads a complaint row.
--
-- The month's events of one type (conclusions, rejections, ratings, first
-- dispositions, answers) and their complaints' handling units are read from
-- two indexes alone: idx_events_anev_label, which extends
-- idx_events_anev_type_time (dropped: it is its prefix) with from_state and
-- anev_label, the first line of the internal note of the events counted by
-- it (outcome, reason, rating; a virtual column, stored only in the index),
-- and idx_complaints_anev_unit, the columns of a complaint the report groups
-- by, found by id. Read from the rows, each event and complaint cost a random
-- page: most of a report's time at a million complaints.
--
-- Re-runnable like every migration (ADD ... IF NOT EXISTS, DROP ... IF EXISTS). Built in place:
-- intake and case handling go on while they are built. Writers maintain one
-- more index entry per event and per change of a complaint, in their own
-- transaction; no lock is added.
ALTER TABLE complaint_events
  ADD KEY IF NOT EXISTS idx_events_anev_complaint
    (complaint_id, id, event_time, type, from_state, to_state);

ALTER TABLE complaint_events
  ADD COLUMN IF NOT EXISTS anev_label VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
    AS (IF(type IN ('CONCLUDED', 'REJECTED', 'RATED'),
           LEFT(SUBSTRING_INDEX(COALESCE(internal_note, '') COLLATE utf8mb4_bin,
                                CHAR(10 USING utf8mb4) COLLATE utf8mb4_bin, 1), 64),
           '')) VIRTUAL;

ALTER TABLE complaint_events
  ADD KEY IF NOT EXISTS idx_events_anev_label
    (type, event_time, complaint_id, from_state, anev_label),
  DROP KEY IF EXISTS idx_events_anev_type_time;

ALTER TABLE complaints
  ADD KEY IF NOT EXISTS idx_complaints_anev_unit
    (id, handling_unit_id, create_time, sp3d_due_date, result_start_date, result_due_date);

-- The complaints changed since a month's end (kAnevOpenChanged, for the month
-- before the current one: 80,833 of them at a million demo complaints) are
-- read from idx_complaints_anev_changed alone; it replaces its prefix
-- idx_complaints_anev_updated (update_time, create_time), whose range read
-- each complaint's row.
ALTER TABLE complaints
  ADD KEY IF NOT EXISTS idx_complaints_anev_changed
    (update_time, create_time, state, handling_unit_id, sp3d_due_date, result_start_date,
     result_due_date),
  DROP KEY IF EXISTS idx_complaints_anev_updated;

ALTER TABLE complaints
  ADD KEY IF NOT EXISTS idx_complaints_anev_open
    (state, update_time, create_time, handling_unit_id, sp3d_due_date, result_due_date);
