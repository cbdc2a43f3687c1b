-- Dumas schema, version 9: rotation of the key that encrypts personal data,
-- and the complainant's rights over it (UU 27/2022): correction of the
-- contact details, and destruction of the identity when its retention period
-- ends.
--
-- Re-runnable like every migration.

-- Which complaints each data key encrypts (key_id): counting them and walking
-- one key's rows for re-encryption read this index only.
--
-- A purged identity: its encrypted columns, reply address and blind index
-- are NULL, key_id is '' (no key encrypts anything of it) and
-- identity_purged_at says when. identity_event_id: the event whose details
-- hold the commitment to the identity as it is now (a contact correction
-- commits to the corrected identity with a new salt); NULL for the
-- registration's.
ALTER TABLE complaints
  MODIFY COLUMN reply_address_ct VARBINARY(2100) NULL,
  MODIFY COLUMN full_name_ct VARBINARY(900) NULL,
  MODIFY COLUMN nik_ct VARBINARY(100) NULL,
  MODIFY COLUMN phone_ct VARBINARY(100) NULL,
  MODIFY COLUMN email_ct VARBINARY(1100) NULL,
  MODIFY COLUMN address_ct VARBINARY(2100) NULL,
  MODIFY COLUMN nik_blind_index BINARY(32) NULL,
  ADD COLUMN IF NOT EXISTS identity_purged_at DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS identity_event_id BIGINT NULL,
  ADD KEY IF NOT EXISTS idx_complaints_key (key_id);

-- The identities delivered through the change feed are recorded per
-- version of the identity (identity_event_id: the event that carried it),
-- so that a corrected identity delivered again is recorded as read again.
-- The deliveries so far carried the registration's.
ALTER TABLE identity_deliveries
  ADD COLUMN IF NOT EXISTS identity_event_id BIGINT NOT NULL DEFAULT 0;
UPDATE identity_deliveries d
  JOIN complaint_events e ON e.complaint_id = d.complaint_id AND e.type = 'RECEIVED'
  SET d.identity_event_id = e.id
  WHERE d.identity_event_id = 0;
ALTER TABLE identity_deliveries
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (complaint_id, principal_id, identity_event_id);

-- The principal that the destruction of identities (dumasd purge-identities)
-- records its events under. Revoked from the start: no token opens it; it
-- only names the actor. Found by its token hash, which is unique.
INSERT INTO principals (name, role, unit_id, channel_mask, token_sha256, created_at, revoked_at)
SELECT 'dumas-retention', 'ADMIN', NULL, 0, UNHEX(SHA2('dumas-retention: no token', 256)),
       UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
FROM DUAL
WHERE NOT EXISTS (SELECT 1 FROM principals
                  WHERE token_sha256 = UNHEX(SHA2('dumas-retention: no token', 256)));
