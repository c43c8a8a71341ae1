-- An admin's direct message to an account. No aggregate holds these: the
-- notifier emails each row (and marks it sent, in its own migration).
CREATE TABLE admin_messages
(
    id         uuid PRIMARY KEY,
    account_id uuid        NOT NULL,
    admin_id   uuid        NOT NULL,
    text       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_messages_account ON admin_messages (account_id, created_at);
