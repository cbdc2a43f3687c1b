-- Dumas schema, version 3: case handling. The complaint's handling columns
-- and the indexes of ListComplaints, idempotent changes (request_id on
-- events), routing rules by category, the outbox of notifications to the
-- complainant, and the delivery channel of GATEWAY principals.
--
-- Re-runnable like every migration (ADD ... IF NOT EXISTS, CREATE TABLE IF NOT
-- EXISTS, ON DUPLICATE KEY UPDATE). Foreign-key checks are off for this
-- session while the new foreign keys are added: the new columns are all NULL,
-- so nothing can violate them, and MariaDB then adds them in place instead of
-- copying the complaints table.

SET SESSION foreign_key_checks = 0;

-- Case handling (all NULL, 0 or empty until the step happened):
--   handling_unit_id        the unit the complaint is assigned to (tupoksi)
--   sp3d_sent_at            (version 1) when the SP3D progress letter went out
--   result_due_date         40 working days after the SP3D (WITA civil day)
--   answer_time/answer_text the official answer to the complainant (public)
--   outcome                 dumas.v1.Outcome of the conclusion
--   clarification_pending   a clarification request awaits the complainant
--   clarification_question  its question (public)
--   satisfaction_rating     the complainant's rating, 1-5
-- Indexes of ListComplaints (newest first, keyset on (create_time, id); the
-- primary key is the implicit last column of every secondary index, and
-- MariaDB scans an ascending index backwards): idx_complaints_create_time
-- (version 1) for unfiltered pages, and one (column, create_time) index per
-- selective filter, the handling unit first because UNIT principals always
-- list by it.
ALTER TABLE complaints
  ADD COLUMN IF NOT EXISTS handling_unit_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN IF NOT EXISTS result_due_date DATE NULL,
  ADD COLUMN IF NOT EXISTS answer_time DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS answer_text TEXT NULL,
  ADD COLUMN IF NOT EXISTS outcome TINYINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS clarification_pending BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN IF NOT EXISTS clarification_question TEXT NULL,
  ADD COLUMN IF NOT EXISTS satisfaction_rating TINYINT NOT NULL DEFAULT 0,
  ADD KEY IF NOT EXISTS idx_complaints_handling_time (handling_unit_id, create_time),
  ADD KEY IF NOT EXISTS idx_complaints_subject_time (subject_unit_id, create_time),
  ADD KEY IF NOT EXISTS idx_complaints_category_time (category_id, create_time),
  ADD CONSTRAINT fk_complaints_handling_unit FOREIGN KEY IF NOT EXISTS (handling_unit_id)
    REFERENCES units (id);

-- A change made with a request_id is recorded once per (complaint, actor,
-- request_id): a retry finds its event and writes nothing. NULL request_ids
-- (changes without one, and every older event) never collide.
ALTER TABLE complaint_events
  ADD COLUMN IF NOT EXISTS request_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD UNIQUE KEY IF NOT EXISTS uq_events_request (complaint_id, actor_principal_id, request_id);

-- The channel a GATEWAY principal delivers notifications for
-- (dumas.v1.Channel); 0: every channel, and for other roles.
ALTER TABLE principals
  ADD COLUMN IF NOT EXISTS channel TINYINT NOT NULL DEFAULT 0;

-- The default handling unit of each category (tupoksi), managed by ADMIN.
CREATE TABLE IF NOT EXISTS routing_rules (
  category_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  unit_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (category_id),
  KEY idx_routing_rules_unit (unit_id),
  CONSTRAINT fk_routing_rules_category FOREIGN KEY (category_id) REFERENCES categories (id),
  CONSTRAINT fk_routing_rules_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Abuse of authority, discrimination, corruption and human-rights violations
-- are misconduct (Propam); errors of discretion and poor service are matters
-- of supervision (Si Was). Re-running leaves rules changed since alone.
INSERT INTO routing_rules (category_id, unit_id, updated_at) VALUES
  ('penyalahgunaan-wewenang', 'propam', UTC_TIMESTAMP(6)),
  ('diskriminasi', 'propam', UTC_TIMESTAMP(6)),
  ('korupsi', 'propam', UTC_TIMESTAMP(6)),
  ('pelanggaran-ham', 'propam', UTC_TIMESTAMP(6)),
  ('kekeliruan-diskresi', 'siwas', UTC_TIMESTAMP(6)),
  ('pelayanan-buruk', 'siwas', UTC_TIMESTAMP(6))
ON DUPLICATE KEY UPDATE category_id = category_id;

-- The transactional outbox of messages to complainants: queued in the
-- transaction of the change that causes them (event_id), for the channel the
-- complaint came in through, leased by the gateways (lease_until, attempts)
-- and acknowledged (acked_at). The text is encrypted (key key_id; associated
-- data: the complaint's reference number, event_id and kind, which
-- uq_notifications_event_kind makes unique) because a receipt holds the
-- tracking code; acknowledging empties it. Rows are never deleted.
-- idx_notifications_pending and idx_notifications_channel find the
-- unacknowledged rows (acked_at IS NULL) oldest first, of any or one channel.
CREATE TABLE IF NOT EXISTS notifications (
  id BIGINT NOT NULL AUTO_INCREMENT,
  complaint_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  kind TINYINT NOT NULL,
  channel TINYINT NOT NULL,
  key_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  text_ct MEDIUMBLOB NOT NULL,
  created_at DATETIME(6) NOT NULL,
  lease_until DATETIME(6) NULL,
  attempts INT NOT NULL DEFAULT 0,
  acked_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_notifications_event_kind (event_id, kind),
  KEY idx_notifications_pending (acked_at, id),
  KEY idx_notifications_channel (channel, acked_at, id),
  KEY idx_notifications_complaint (complaint_id),
  CONSTRAINT fk_notifications_complaint FOREIGN KEY (complaint_id) REFERENCES complaints (id),
  CONSTRAINT fk_notifications_event FOREIGN KEY (event_id) REFERENCES complaint_events (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

SET SESSION foreign_key_checks = 1;
