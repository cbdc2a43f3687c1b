-- Dumas schema, version 6: the national integration. Consent to share the
-- identity with Kompolnas, complaints imported from Kompolnas by their
-- external id, and the transparency log (docs/transparency-log.md): each
-- event's details and authentication code, the queue of events the sequencer
-- has not numbered yet, records of the resort itself (such as a frozen
-- report's digest), the log's entries, its signed checkpoints and their
-- cosignatures.
--
-- Re-runnable like every migration.

-- share_identity: the complainant consents to share the identity with
-- Kompolnas. identity_salt_ct: the salt of the identity commitment
-- (encrypted like the identity). external_id / external_receive_time:
-- Kompolnas' reference and receipt time of a complaint it forwarded; unique,
-- so that an import is done once.
ALTER TABLE complaints
  ADD COLUMN IF NOT EXISTS share_identity BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN IF NOT EXISTS identity_salt_ct VARBINARY(100) NULL,
  ADD COLUMN IF NOT EXISTS external_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN IF NOT EXISTS external_receive_time DATETIME(6) NULL,
  ADD UNIQUE KEY IF NOT EXISTS uq_complaints_external (external_id);

-- details: what the event set on the complaint, canonically encoded (NULL for
-- events written before this version, and for events that set nothing).
-- mac: keyed BLAKE2b of the event's log entry by the server that wrote it, so
-- that an event written or altered by anything else is never logged.
ALTER TABLE complaint_events
  ADD COLUMN IF NOT EXISTS details MEDIUMBLOB NULL,
  ADD COLUMN IF NOT EXISTS mac BINARY(32) NULL;

-- Records of the resort itself, not of one complaint (docs/transparency-log.md,
-- "Log records"): one per kind and name. Append-only; mac as for events.
CREATE TABLE IF NOT EXISTS log_records (
  id BIGINT NOT NULL AUTO_INCREMENT,
  kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  record_time DATETIME(6) NOT NULL,
  digest BINARY(32) NOT NULL,
  mac BINARY(32) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_log_records_kind_name (kind, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Events and records committed but not numbered yet (exactly one of the two
-- ids): written in their transaction, removed by the sequencer in the
-- transaction that numbers them.
CREATE TABLE IF NOT EXISTS log_pending (
  id BIGINT NOT NULL AUTO_INCREMENT,
  event_id BIGINT NULL,
  record_id BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_log_pending_event (event_id),
  UNIQUE KEY uq_log_pending_record (record_id),
  CONSTRAINT fk_log_pending_event FOREIGN KEY (event_id) REFERENCES complaint_events (id),
  CONSTRAINT fk_log_pending_record FOREIGN KEY (record_id) REFERENCES log_records (id),
  CONSTRAINT ck_log_pending_one CHECK ((event_id IS NULL) <> (record_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The log: revision r is leaf r - 1 of the Merkle tree, an event or a record.
-- Append-only.
CREATE TABLE IF NOT EXISTS log_entries (
  revision BIGINT NOT NULL,
  event_id BIGINT NULL,
  record_id BIGINT NULL,
  leaf_hash BINARY(32) NOT NULL,
  sequenced_at DATETIME(6) NOT NULL,
  PRIMARY KEY (revision),
  UNIQUE KEY uq_log_entries_event (event_id),
  UNIQUE KEY uq_log_entries_record (record_id),
  CONSTRAINT fk_log_entries_event FOREIGN KEY (event_id) REFERENCES complaint_events (id),
  CONSTRAINT fk_log_entries_record FOREIGN KEY (record_id) REFERENCES log_records (id),
  CONSTRAINT ck_log_entries_one CHECK ((event_id IS NULL) <> (record_id IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Events and records the sequencer refused to number (their authentication
-- code did not verify), for the operators.
CREATE TABLE IF NOT EXISTS log_rejected (
  id BIGINT NOT NULL AUTO_INCREMENT,
  event_id BIGINT NULL,
  record_id BIGINT NULL,
  reason VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  rejected_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_log_rejected_event (event_id),
  UNIQUE KEY uq_log_rejected_record (record_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Signed checkpoints: the note is the body and the log's signature line.
CREATE TABLE IF NOT EXISTS log_checkpoints (
  tree_size BIGINT NOT NULL,
  root_hash BINARY(32) NOT NULL,
  note TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (tree_size)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Witnesses' cosignatures of checkpoints (C2SP tlog-cosignature).
CREATE TABLE IF NOT EXISTS log_cosignatures (
  tree_size BIGINT NOT NULL,
  witness_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  key_id INT UNSIGNED NOT NULL,
  cosigned_at BIGINT NOT NULL,
  signature_line VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  principal_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (tree_size, witness_name, key_id),
  KEY idx_log_cosignatures_witness (witness_name, key_id, tree_size),
  CONSTRAINT fk_log_cosignatures_checkpoint FOREIGN KEY (tree_size)
    REFERENCES log_checkpoints (tree_size)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which principal has received which consented identity through the change
-- feed: the first delivery writes the IDENTITY_READ event (event_id, set in
-- the same transaction); reading the feed again hands out nothing new and
-- writes no further event.
CREATE TABLE IF NOT EXISTS identity_deliveries (
  complaint_id BIGINT NOT NULL,
  principal_id BIGINT NOT NULL,
  event_id BIGINT NULL,
  PRIMARY KEY (complaint_id, principal_id),
  CONSTRAINT fk_identity_deliveries_complaint FOREIGN KEY (complaint_id)
    REFERENCES complaints (id),
  CONSTRAINT fk_identity_deliveries_event FOREIGN KEY (event_id)
    REFERENCES complaint_events (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The events written before the log existed carry no authentication code:
-- they are logged as they are, and no later event without one is.
CREATE TABLE IF NOT EXISTS log_state (
  id TINYINT NOT NULL,
  legacy_max_event_id BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO log_state (id, legacy_max_event_id)
  SELECT 1, COALESCE(MAX(id), 0) FROM complaint_events
ON DUPLICATE KEY UPDATE id = id;
INSERT IGNORE INTO log_pending (event_id)
  SELECT e.id FROM complaint_events e
  WHERE e.id <= (SELECT legacy_max_event_id FROM log_state WHERE id = 1)
  AND NOT EXISTS (SELECT 1 FROM log_entries l WHERE l.event_id = e.id);
