-- Dumas schema, version 8: principals that authenticate by client
-- certificate (mutual TLS).
--
-- Re-runnable like every migration (ADD ... IF NOT EXISTS).
-- cert_identity: the certificate identity bound to the principal, as
-- server/peer_identity.h writes it ("dns:gateway-wa.polres-palu.polri.go.id",
-- "uri:spiffe://...", "email:...", "cn:...", "subject:CN=...,O=...",
-- "sha256:<hex of the whole certificate>"); NULL for a principal that
-- authenticates by bearer token alone. A principal with one must present a
-- certificate that carries it on every call.
-- token_required: whether such a principal must also send its bearer token
-- (two factors); FALSE for a principal that authenticates by certificate
-- alone (it has no usable token). Always TRUE without cert_identity.
-- active_cert_identity makes an identity unique among active principals, as
-- active_name does the name; idx_principals_cert finds revoked principals of
-- an identity too, whose certificates are refused.
ALTER TABLE principals
  ADD COLUMN IF NOT EXISTS cert_identity VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  ADD COLUMN IF NOT EXISTS token_required BOOLEAN NOT NULL DEFAULT TRUE,
  ADD COLUMN IF NOT EXISTS active_cert_identity VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
    AS (IF(revoked_at IS NULL, cert_identity, NULL)) PERSISTENT,
  ADD UNIQUE KEY IF NOT EXISTS uq_principals_active_cert (active_cert_identity),
  ADD KEY IF NOT EXISTS idx_principals_cert (cert_identity);
