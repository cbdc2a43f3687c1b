-- Dumas schema, version 1: reference data, principals, complaints, their
-- events and the idempotency records of submissions.
--
-- Rules for every migration file (storage/migrator.h splits files into
-- statements on a ';' at the end of a line):
--   * numbered NNNN_name.sql, append-only: never edit a file once applied;
--   * one statement per ';' at a line end, no ';' at the end of a comment line,
--     no procedures or triggers;
--   * re-runnable (IF NOT EXISTS, ON DUPLICATE KEY UPDATE), because DDL is not
--     transactional and a migration interrupted half-way is run again whole.
-- Every table is InnoDB, utf8mb4. Times are UTC DATETIME(6). Slug ids and
-- reference numbers are ASCII with binary collation.

CREATE TABLE IF NOT EXISTS categories (
  id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  indonesian_name VARCHAR(200) NOT NULL,
  english_name VARCHAR(200) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The units of Polres Palu; kind is SPKT, SEKSI, SATUAN, BAGIAN or POLSEK.
CREATE TABLE IF NOT EXISTS units (
  id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Non-working days other than weekends (national holidays).
CREATE TABLE IF NOT EXISTS holidays (
  day DATE NOT NULL,
  name VARCHAR(200) NOT NULL,
  PRIMARY KEY (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Callers: systems and staff with a bearer token, stored only as its SHA-256.
-- A name is unique among active principals (active_name is NULL once
-- revoked), so a revoked principal's name can be given to its replacement.
CREATE TABLE IF NOT EXISTS principals (
  id BIGINT NOT NULL AUTO_INCREMENT,
  name VARCHAR(128) NOT NULL,
  role VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  unit_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  token_sha256 BINARY(32) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  revoked_at DATETIME(6) NULL,
  active_name VARCHAR(128) AS (IF(revoked_at IS NULL, name, NULL)) PERSISTENT,
  PRIMARY KEY (id),
  UNIQUE KEY uq_principals_token (token_sha256),
  UNIQUE KEY uq_principals_active_name (active_name),
  KEY idx_principals_name (name),
  CONSTRAINT fk_principals_unit FOREIGN KEY (unit_id) REFERENCES units (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Complaints. Personal data is encrypted (AEAD, storage/keyring.h) under the
-- key named by key_id: the complainant's identity (*_ct) and the reply
-- address. The NIK is searchable only through its keyed blind index; the
-- tracking code is kept only as a keyed hash.
CREATE TABLE IF NOT EXISTS complaints (
  id BIGINT NOT NULL AUTO_INCREMENT,
  reference_number CHAR(14) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tracking_hash BINARY(32) NOT NULL,
  state TINYINT NOT NULL,
  description TEXT NOT NULL,
  incident_time DATETIME(6) NOT NULL,
  incident_location VARCHAR(500) NOT NULL,
  category_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  channel TINYINT NOT NULL,
  reply_address_ct VARBINARY(2100) NOT NULL,
  subject_unit_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  officer_name VARCHAR(200) NOT NULL,
  officer_description VARCHAR(1000) NOT NULL,
  confidential BOOLEAN NOT NULL,
  key_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  full_name_ct VARBINARY(900) NOT NULL,
  nik_ct VARBINARY(100) NOT NULL,
  phone_ct VARBINARY(100) NOT NULL,
  email_ct VARBINARY(1100) NOT NULL,
  address_ct VARBINARY(2100) NOT NULL,
  nik_blind_index BINARY(32) NOT NULL,
  submitted_by BIGINT NOT NULL,
  create_time DATETIME(6) NOT NULL,
  update_time DATETIME(6) NOT NULL,
  version BIGINT NOT NULL,
  sp3d_due_date DATE NOT NULL,
  sp3d_sent_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_complaints_reference (reference_number),
  KEY idx_complaints_nik (nik_blind_index),
  KEY idx_complaints_state_due (state, sp3d_due_date),
  KEY idx_complaints_create_time (create_time),
  CONSTRAINT fk_complaints_category FOREIGN KEY (category_id) REFERENCES categories (id),
  CONSTRAINT fk_complaints_subject_unit FOREIGN KEY (subject_unit_id) REFERENCES units (id),
  CONSTRAINT fk_complaints_submitted_by FOREIGN KEY (submitted_by) REFERENCES principals (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Everything that happens to a complaint, append-only: no code updates or
-- deletes a row. type is RECEIVED, IDENTITY_READ, ...; from_state/to_state are
-- NULL for events that change no state. public rows (with public_message,
-- Indonesian) are what the complainant sees when tracking.
CREATE TABLE IF NOT EXISTS complaint_events (
  id BIGINT NOT NULL AUTO_INCREMENT,
  complaint_id BIGINT NOT NULL,
  event_time DATETIME(6) NOT NULL,
  actor_principal_id BIGINT NULL,
  type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_state TINYINT NULL,
  to_state TINYINT NULL,
  public BOOLEAN NOT NULL,
  public_message TEXT NOT NULL,
  internal_note TEXT NULL,
  PRIMARY KEY (id),
  KEY idx_events_complaint (complaint_id, id),
  CONSTRAINT fk_events_complaint FOREIGN KEY (complaint_id) REFERENCES complaints (id),
  CONSTRAINT fk_events_actor FOREIGN KEY (actor_principal_id) REFERENCES principals (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Submissions by (principal, request_id), kept 24 hours so that a retry gets
-- the first answer. fingerprint is a keyed hash of the request's digest; the
-- tracking code is encrypted (key key_id) because only its hash is kept
-- elsewhere. No foreign key on principal_id: complaints.submitted_by has one.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  principal_id BIGINT NOT NULL,
  request_id VARBINARY(255) NOT NULL,
  fingerprint BINARY(32) NOT NULL,
  complaint_id BIGINT NOT NULL,
  key_id VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tracking_code_ct VARBINARY(100) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  PRIMARY KEY (principal_id, request_id),
  KEY idx_idempotency_expires (expires_at),
  CONSTRAINT fk_idempotency_complaint FOREIGN KEY (complaint_id) REFERENCES complaints (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
