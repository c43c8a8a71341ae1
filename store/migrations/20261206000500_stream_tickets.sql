-- One-time tickets for the SSE stream (`POST /api/v1/events/tickets`): a
-- browser's EventSource cannot send the Authorization header, and an access
-- token in the URL would stay in proxies' access logs. A ticket lives about
-- 30 seconds and opens one stream: the read API spends it with
-- `DELETE … RETURNING`, so a second use fails on every replica. Only its
-- SHA-256 is kept: the table never holds anything that opens a stream.
CREATE TABLE stream_tickets (
    ticket_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL,
    role text NOT NULL,
    expires_at timestamptz NOT NULL,
    -- When the access token the ticket was issued for expires: the stream
    -- ends then, as it did when it carried the token itself.
    stream_until timestamptz NOT NULL
);

-- The read API's housekeeping deletes expired tickets nobody spent.
CREATE INDEX stream_tickets_expiry ON stream_tickets (expires_at);
