-- Dumas schema, version 14: one wide complaint index less to rewrite with
-- every change of a complaint.
--
-- Every transition changes a complaint's state and update_time, so every
-- index holding either is rewritten (an entry delete-marked, another
-- inserted). idx_complaints_anev_changed (update_time, ...) and
-- idx_complaints_anev_open (state, update_time, ...) held nearly the same
-- columns in two orders. idx_complaints_anev_open now also holds
-- result_start_date, and serves the complaints changed since a month's end
-- as well: one range per state (state = s AND update_time >= A) over every
-- state (storage/sql.h, kAnevOpenChanged), read from the index alone as
-- before. idx_complaints_anev_changed is dropped.
--
-- Re-runnable like every migration (ADD ... IF NOT EXISTS, DROP ... IF
-- EXISTS). Built in place: intake and case handling go on meanwhile. The
-- new index is added under a new name before the old ones are dropped, so
-- that every report statement has its index at every step.
ALTER TABLE complaints
  ADD KEY IF NOT EXISTS idx_complaints_anev_state
    (state, update_time, create_time, handling_unit_id, sp3d_due_date, result_start_date,
     result_due_date);

ALTER TABLE complaints
  DROP KEY IF EXISTS idx_complaints_anev_open,
  DROP KEY IF EXISTS idx_complaints_anev_changed;
