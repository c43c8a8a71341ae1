-- The notifier's records (issue [5]). One row per (event, recipient, kind):
-- its id is derived from the three, so a redelivered event stores nothing
-- new, and the row commits before the event is acknowledged.
CREATE TABLE notifications
(
    id         uuid PRIMARY KEY,
    account_id uuid        NOT NULL,
    kind       text        NOT NULL,
    link       text        NOT NULL,
    subject    text        NOT NULL,
    text       text        NOT NULL,
    message_id text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_account ON notifications (account_id, created_at DESC);
CREATE INDEX notifications_unread ON notifications (account_id) WHERE read_at IS NULL;

-- Mail waiting for the SMTP server, written with its notification. The
-- mailer claims due rows, sends, and marks each sent at once: a crash
-- between the server's "250" and that mark resends at most that one mail.
CREATE TABLE mail_outbox
(
    notification_id uuid PRIMARY KEY REFERENCES notifications (id),
    to_email        text        NOT NULL,
    subject         text        NOT NULL,
    text_body       text        NOT NULL,
    html_body       text        NOT NULL,
    due_at          timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz,
    parked_at       timestamptz
);
CREATE INDEX mail_outbox_due ON mail_outbox (due_at) WHERE sent_at IS NULL AND parked_at IS NULL;
