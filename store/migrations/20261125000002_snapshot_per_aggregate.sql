-- One snapshot row per aggregate: postgres-es's key included last_sequence,
-- so a second "first" snapshot (after a snapshot stopped deserialising) added
-- a row instead of replacing one, and loads picked either. Our event store
-- upserts on (aggregate_type, aggregate_id) inside the events' transaction.
ALTER TABLE snapshots DROP CONSTRAINT snapshots_pkey;
ALTER TABLE snapshots ADD PRIMARY KEY (aggregate_type, aggregate_id);

-- TRUNCATE skips row triggers: refuse it as well, history is append-only.
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable();
