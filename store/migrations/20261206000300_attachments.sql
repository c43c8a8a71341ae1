-- Files posted into orders' chats (issue [7]): PDFs and images up to
-- HUB_ATTACHMENTS__MAX_BYTES (10 MiB by default). The bytes live beside the
-- events that name them, so they share the database's durability, its
-- volume and its backups (pg_dump) with no second store to manage. A row is
-- written before the AttachmentPosted event that names it and never changes
-- afterwards; a row no event names (its append failed) is harmless.
CREATE TABLE attachments
(
    id           uuid PRIMARY KEY,
    order_id     uuid        NOT NULL,
    uploaded_by  uuid        NOT NULL,
    -- Told from the bytes by command-api, never taken from the client.
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size > 0),
    sha256       bytea       NOT NULL,
    content      bytea       NOT NULL CHECK (octet_length(content) = size),
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- PDFs and images are compressed already: store them out of line as they
-- are rather than spend CPU on pglz for nothing.
ALTER TABLE attachments ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE INDEX attachments_by_order ON attachments (order_id);

-- A chat message may carry a file; `text` is then its caption (maybe empty).
ALTER TABLE read.order_messages
    ADD COLUMN attachment_id   uuid,
    ADD COLUMN attachment_name text,
    ADD COLUMN attachment_type text,
    ADD COLUMN attachment_size bigint;
CREATE INDEX order_messages_by_attachment ON read.order_messages (attachment_id)
    WHERE attachment_id IS NOT NULL;
