-- Dumas schema, version 11: how often each officer was named in the eleven
-- months before a month, counted once (docs/anev-report.md, "Cost,
-- measured"). A month's report lists the officers named in its complaints
-- who were named more than once in the twelve months ending with it
-- (repeated_subjects). Counted from the complaints, that reads every
-- complaint of the twelve months naming one of the month's officers: about
-- 330,000 index entries for each live report at a million complaints. The
-- eleven months before a month are closed and their complaints never change
-- (officer, subject unit and receipt are written once), so their counts are
-- made once, after the month before has ended and its last changes have
-- committed, and the live report adds the current month's own complaints to
-- one row per name.
--
-- Re-runnable like every migration (CREATE TABLE IF NOT EXISTS).

-- The months whose counts are made: a row here is written in the same
-- transaction as the month's rows in anev_subject_windows (none when no
-- officer was named), so a month without a row here has no counts and its
-- report counts from the complaints.
CREATE TABLE IF NOT EXISTS anev_subject_window_months (
  month DATE NOT NULL,
  made_at DATETIME(6) NOT NULL,
  PRIMARY KEY (month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- For `month`: each officer named in the complaints received in the eleven
-- months before it (WITA), by subject unit ('' for none) and name, and in how
-- many of them. Names compare under the collation of complaints.officer_name
-- (case and accents ignored), as the report compares them; officer_name is
-- the spelling of the earliest of those complaints. Written once, never
-- changed by the service. tools/anev-demo-data, which writes complaints into
-- closed months by hand, drops every month's counts in its load's
-- transaction; the next background pass makes the current month's again.
CREATE TABLE IF NOT EXISTS anev_subject_windows (
  month DATE NOT NULL,
  subject_unit_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  officer_name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
  complaints INT NOT NULL,
  PRIMARY KEY (month, subject_unit_id, officer_name),
  CONSTRAINT fk_anev_subject_windows_month FOREIGN KEY (month)
    REFERENCES anev_subject_window_months (month)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The month's own complaints naming an officer are read from the index of
-- the complaints received in a month alone: idx_complaints_anev_month
-- extends idx_complaints_anev_received (dropped: it is its prefix) with the
-- officer's name, which each of those complaints' rows was read for (47,000
-- rows a month at a million complaints). Built in place: intake and case
-- handling go on meanwhile. The name is written once, with the complaint;
-- writers keep one index entry per complaint, as before.
ALTER TABLE complaints
  ADD KEY IF NOT EXISTS idx_complaints_anev_month
    (create_time, update_time, state, handling_unit_id, category_id, channel, subject_unit_id,
     officer_name),
  DROP KEY IF EXISTS idx_complaints_anev_received;
