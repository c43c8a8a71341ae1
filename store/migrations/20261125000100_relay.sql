-- Where each relay (by name) has published up to, in commit order: the last
-- (tx_id, global_position) whose publisher confirm arrived (DESIGN §3).
CREATE TABLE relay_checkpoint
(
    relay_name      text PRIMARY KEY,
    tx_id           xid8        NOT NULL DEFAULT '0',
    global_position bigint      NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Wakes idle relays as soon as events commit (NOTIFY is delivered at
-- commit, and identical notifications within one transaction fold into
-- one). Only a hint: relays poll anyway.
CREATE FUNCTION notify_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hub_events_appended', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_appended AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_events_appended();
