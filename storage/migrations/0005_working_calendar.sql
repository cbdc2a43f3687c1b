-- Dumas schema, version 5: the working calendar. Holidays carry their kind,
-- the calendar records which years it holds and whether deadlines skip cuti
-- bersama, complaints record the day their result deadline counts from and
-- whether their due dates are provisional, and 2026 follows the SKB 3 Menteri
-- No. 1497/2025, 2/2025 and 5/2025.
--
-- Re-runnable like every migration (ADD ... IF NOT EXISTS, CREATE TABLE IF NOT
-- EXISTS, ON DUPLICATE KEY UPDATE, updates that only fill what is unset).
-- The stored due dates are not recomputed here: the server does it at start,
-- because the calendar it finds differs from the one the deadlines follow
-- (calendar_settings.deadlines_calendar_digest is unset until then).

-- The kind of each holiday (dumas.v1.HolidayKind): 1 libur nasional (a
-- national public holiday), 2 cuti bersama (collective leave: government
-- offices do not work). Every holiday so far was a national one.
ALTER TABLE holidays
  ADD COLUMN IF NOT EXISTS kind TINYINT NOT NULL DEFAULT 1;

-- The years the calendar holds: a year is loaded once its holidays were set
-- (AdminService.SetHolidays), even to none. A deadline reaching into a year
-- not listed here is provisional.
CREATE TABLE IF NOT EXISTS calendar_years (
  year SMALLINT NOT NULL,
  loaded_at DATETIME(6) NOT NULL,
  PRIMARY KEY (year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The settings of the working calendar: one row (id 1), managed by ADMIN
-- (AdminService.SetCalendarSettings), read by every server with the holidays
-- so that all of them count the same days.
--   skip_cuti_bersama           cuti bersama are non-working days (default)
--   deadlines_calendar_digest   the digest (WorkingDayCalendar::Digest) of the
--                               calendar the stored due dates follow; NULL
--                               until a server recomputed them
CREATE TABLE IF NOT EXISTS calendar_settings (
  id TINYINT NOT NULL,
  skip_cuti_bersama BOOLEAN NOT NULL DEFAULT TRUE,
  deadlines_calendar_digest BINARY(32) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ck_calendar_settings_one_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO calendar_settings (id, skip_cuti_bersama, updated_at)
VALUES (1, TRUE, UTC_TIMESTAMP(6))
ON DUPLICATE KEY UPDATE id = id;

-- Years that hold holidays were set before this version: they are loaded.
INSERT INTO calendar_years (year, loaded_at)
SELECT DISTINCT YEAR(day), UTC_TIMESTAMP(6) FROM holidays
ON DUPLICATE KEY UPDATE year = year;

-- 2026 exactly as the SKB: 17 libur nasional (Idul Fitri 1447 H on 21-22
-- March, not 20-21 as seeded by version 2) and 8 days of cuti bersama.
DELETE FROM holidays
WHERE day >= '2026-01-01' AND day < '2027-01-01'
  AND day NOT IN ('2026-01-01', '2026-01-16', '2026-02-16', '2026-02-17', '2026-03-18',
                  '2026-03-19', '2026-03-20', '2026-03-21', '2026-03-22', '2026-03-23',
                  '2026-03-24', '2026-04-03', '2026-04-05', '2026-05-01', '2026-05-14',
                  '2026-05-15', '2026-05-27', '2026-05-28', '2026-05-31', '2026-06-01',
                  '2026-06-16', '2026-08-17', '2026-08-25', '2026-12-24', '2026-12-25');

INSERT INTO holidays (day, name, kind) VALUES
  ('2026-01-01', 'Tahun Baru 2026 Masehi', 1),
  ('2026-01-16', 'Isra Mikraj Nabi Muhammad SAW', 1),
  ('2026-02-16', 'Cuti Bersama Tahun Baru Imlek 2577 Kongzili', 2),
  ('2026-02-17', 'Tahun Baru Imlek 2577 Kongzili', 1),
  ('2026-03-18', 'Cuti Bersama Hari Suci Nyepi Tahun Baru Saka 1948', 2),
  ('2026-03-19', 'Hari Suci Nyepi Tahun Baru Saka 1948', 1),
  ('2026-03-20', 'Cuti Bersama Hari Raya Idul Fitri 1447 Hijriah', 2),
  ('2026-03-21', 'Hari Raya Idul Fitri 1447 Hijriah', 1),
  ('2026-03-22', 'Hari Raya Idul Fitri 1447 Hijriah', 1),
  ('2026-03-23', 'Cuti Bersama Hari Raya Idul Fitri 1447 Hijriah', 2),
  ('2026-03-24', 'Cuti Bersama Hari Raya Idul Fitri 1447 Hijriah', 2),
  ('2026-04-03', 'Wafat Yesus Kristus', 1),
  ('2026-04-05', 'Kebangkitan Yesus Kristus (Paskah)', 1),
  ('2026-05-01', 'Hari Buruh Internasional', 1),
  ('2026-05-14', 'Kenaikan Yesus Kristus', 1),
  ('2026-05-15', 'Cuti Bersama Kenaikan Yesus Kristus', 2),
  ('2026-05-27', 'Hari Raya Idul Adha 1447 Hijriah', 1),
  ('2026-05-28', 'Cuti Bersama Hari Raya Idul Adha 1447 Hijriah', 2),
  ('2026-05-31', 'Hari Raya Waisak 2570 BE', 1),
  ('2026-06-01', 'Hari Lahir Pancasila', 1),
  ('2026-06-16', 'Tahun Baru Islam 1448 Hijriah', 1),
  ('2026-08-17', 'Hari Kemerdekaan Republik Indonesia', 1),
  ('2026-08-25', 'Maulid Nabi Muhammad SAW', 1),
  ('2026-12-24', 'Cuti Bersama Hari Raya Natal', 2),
  ('2026-12-25', 'Hari Raya Natal', 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind);

INSERT INTO calendar_years (year, loaded_at) VALUES (2026, UTC_TIMESTAMP(6))
ON DUPLICATE KEY UPDATE year = year;

-- Complaints:
--   result_start_date       the day (WITA) the result deadline counts from:
--                           the SP3D's day, or the day it restarted.
--                           Recomputing starts here, never from sp3d_sent_at.
--   sp3d_due_provisional    the due date reaches into a year not loaded
--   result_due_provisional  likewise
-- Appended with constant defaults: MariaDB adds them in place.
ALTER TABLE complaints
  ADD COLUMN IF NOT EXISTS result_start_date DATE NULL,
  ADD COLUMN IF NOT EXISTS sp3d_due_provisional BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN IF NOT EXISTS result_due_provisional BOOLEAN NOT NULL DEFAULT FALSE;

-- Result deadlines started before this version started on the SP3D's day
-- (sp3d_sent_at is UTC; WITA is UTC+8 all year).
UPDATE complaints
SET result_start_date = DATE(sp3d_sent_at + INTERVAL 8 HOUR)
WHERE result_start_date IS NULL AND result_due_date IS NOT NULL AND sp3d_sent_at IS NOT NULL;
