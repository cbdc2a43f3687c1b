-- The privileges of the service role: what dumasd serve needs, table by
-- table, and nothing more. `dumasd migrate` applies this file after the
-- migrations, as the migration account, to the role <database>_service_role
-- (storage/database_accounts.h), which the service accounts hold as their
-- default role. Every statement is re-runnable; SERVICE_ROLE stands for the
-- role's quoted name and the tables are those of the migrated database.
--
-- Derived from every statement in storage/sql.h. The service role has no
-- DDL (CREATE, ALTER, DROP, INDEX, REFERENCES), no global privilege and no
-- access to other schemas. The log of what happened is append-only:
-- complaint_events and the transparency log's records, entries,
-- checkpoints, cosignatures and state get SELECT and INSERT only (and the
-- sequencer's queue mark, one column of events and records, UPDATE), so that
-- not even the server's own account can alter or remove an event.
--
-- A migration that adds a table adds its grant here in the same change
-- (least_privilege_test fails for a table without one); a privilege no longer
-- needed is withdrawn with a REVOKE line below its GRANT, which the migrator
-- applies whether or not the role still holds it.
--
-- Rules for this file: one statement per ';' at a line end, as in
-- migrations; GRANT and REVOKE statements only.

-- The schema version: serve checks it and never migrates.
GRANT SELECT ON schema_version TO SERVICE_ROLE;

-- Reference data: categories and units are added by ADMIN (CreateUnit,
-- CreateCategory); holidays are replaced year by year (SetHolidays deletes
-- the year's rows and inserts the new ones); calendar_years is upserted;
-- calendar_settings' one row is updated in place; routing rules are upserted.
GRANT SELECT, INSERT ON categories TO SERVICE_ROLE;
GRANT SELECT, INSERT ON units TO SERVICE_ROLE;
GRANT SELECT, INSERT, DELETE ON holidays TO SERVICE_ROLE;
GRANT SELECT, INSERT, UPDATE ON calendar_years TO SERVICE_ROLE;
GRANT SELECT, UPDATE ON calendar_settings TO SERVICE_ROLE;
GRANT SELECT, INSERT, UPDATE ON routing_rules TO SERVICE_ROLE;

-- Principals are created and revoked (revoked_at set), never deleted.
GRANT SELECT, INSERT, UPDATE ON principals TO SERVICE_ROLE;

-- Complaints are registered and changed by case handling (state, handling
-- columns, due dates), never deleted.
GRANT SELECT, INSERT, UPDATE ON complaints TO SERVICE_ROLE;

-- The event log: append-only. The one column the service may update is
-- log_pending, the transparency log's queue mark, which the sequencer clears
-- when it numbers the event; no other column of an event can change.
GRANT SELECT, INSERT ON complaint_events TO SERVICE_ROLE;
GRANT UPDATE (log_pending) ON complaint_events TO SERVICE_ROLE;

-- Idempotency records expire and are purged, and are moved to a new data
-- key by `dumasd reencrypt` (UPDATE). Change requests stay, except the
-- complainant's own, which `dumasd purge-identities` deletes with the
-- identity after its retention period.
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO SERVICE_ROLE;
GRANT SELECT, INSERT, DELETE ON change_requests TO SERVICE_ROLE;

-- The outbox: leased, acknowledged and set aside by UPDATE, never deleted.
GRANT SELECT, INSERT, UPDATE ON notifications TO SERVICE_ROLE;

-- The tracking throttle: counted by upsert, purged when the window ends.
GRANT SELECT, INSERT, UPDATE, DELETE ON track_failures TO SERVICE_ROLE;

-- The transparency log. The sequencer's queue is the log_pending column of
-- complaint_events and log_records: set by the event's or record's insert,
-- cleared (UPDATE of that column only) when numbered; the log's tables see
-- no DELETE. Until schema version 12 the queue was a table of its own,
-- log_pending, whose rows were deleted; the table is gone and so is its grant.
-- log_records holds the resort's own records beside the events. log_rejected
-- records events refused.
-- identity_deliveries' event id is set after its first insert.
REVOKE SELECT, INSERT, DELETE ON log_pending FROM SERVICE_ROLE;
GRANT SELECT, INSERT ON log_records TO SERVICE_ROLE;
GRANT UPDATE (log_pending) ON log_records TO SERVICE_ROLE;
GRANT SELECT, INSERT ON log_entries TO SERVICE_ROLE;
GRANT SELECT, INSERT ON log_rejected TO SERVICE_ROLE;
GRANT SELECT, INSERT ON log_checkpoints TO SERVICE_ROLE;
GRANT SELECT, INSERT ON log_cosignatures TO SERVICE_ROLE;
GRANT SELECT ON log_state TO SERVICE_ROLE;
GRANT SELECT, INSERT, UPDATE ON identity_deliveries TO SERVICE_ROLE;

-- The monthly Anev reports: a closed month is frozen once (its manifest in
-- anev_months, each scope's report in anev_reports) and never changed.
GRANT SELECT, INSERT ON anev_months TO SERVICE_ROLE;
GRANT SELECT, INSERT ON anev_reports TO SERVICE_ROLE;
-- The counts of officers named in the eleven months before a month
-- (migration 0011): written once, never changed.
GRANT SELECT, INSERT ON anev_subject_window_months TO SERVICE_ROLE;
GRANT SELECT, INSERT ON anev_subject_windows TO SERVICE_ROLE;
