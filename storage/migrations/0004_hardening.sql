-- Dumas schema, version 4: gateways bound to their channels, the tracking
-- throttle in the database, request ids bound to what they asked for, and
-- notifications set aside when they cannot be delivered.
--
-- Re-runnable like every migration (ADD ... IF NOT EXISTS, CREATE TABLE IF
-- NOT EXISTS, updates guarded by their own condition).

-- The channels a GATEWAY principal serves: bit n of channel_mask is
-- dumas.v1.Channel n; a gateway serves one or more, other roles none. It
-- replaces the single channel column (0 meant every channel). A gateway of
-- one channel keeps it; a gateway of every channel gets none and is refused
-- until it is recreated with the channels it serves. idx_principals_revoked
-- lets servers notice revocations made by other servers cheaply.
ALTER TABLE principals
  ADD COLUMN IF NOT EXISTS channel_mask INT NOT NULL DEFAULT 0,
  ADD KEY IF NOT EXISTS idx_principals_revoked (revoked_at);
UPDATE principals SET channel_mask = 1 << channel
  WHERE role = 'GATEWAY' AND channel BETWEEN 1 AND 8 AND channel_mask = 0;

-- Failed tracking attempts per end client, in a fixed window that starts
-- with the first failure. client_key is a keyed hash of the client's key
-- (domain/track_throttle.h), never the address itself.
CREATE TABLE IF NOT EXISTS track_failures (
  client_key BINARY(32) NOT NULL,
  window_start DATETIME(6) NOT NULL,
  failures INT NOT NULL,
  PRIMARY KEY (client_key),
  KEY idx_track_failures_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The changes made with a request_id: once per (actor, request_id), where the
-- actor key is "p<principal id>" for staff (across every complaint) and
-- "c<complaint id>" for the complainant. fingerprint is a keyed hash of the
-- method, the complaint and the request's content, so that reusing a
-- request_id for anything else is refused. Changes recorded before this
-- version (complaint_events.request_id) are not carried over: a retry of one
-- of them meets a newer etag or state and is refused as such.
CREATE TABLE IF NOT EXISTS change_requests (
  actor_key VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fingerprint BINARY(32) NOT NULL,
  complaint_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (actor_key, request_id),
  KEY idx_change_requests_complaint (complaint_id),
  KEY idx_change_requests_event (event_id),
  CONSTRAINT fk_change_requests_complaint FOREIGN KEY (complaint_id) REFERENCES complaints (id),
  CONSTRAINT fk_change_requests_event FOREIGN KEY (event_id) REFERENCES complaint_events (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A notification whose text or reply address fails to decrypt is set aside
-- (failed_at, failure: a status code name) so that the rest of its channel
-- flows; operators list them through AdminService.
ALTER TABLE notifications
  ADD COLUMN IF NOT EXISTS failed_at DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS failure VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD KEY IF NOT EXISTS idx_notifications_failed (failed_at, id);
