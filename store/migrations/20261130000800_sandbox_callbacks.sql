-- The payment sandbox's outgoing callbacks: an approve or decline is stored
-- here before it is answered, and delivered (then deleted) by whichever
-- command-api replica claims it, so a restart between the payer's verdict
-- and the webhook loses nothing. Only the sandbox uses it.
CREATE TABLE sandbox_callbacks
(
    webhook_id uuid PRIMARY KEY,
    payment_id uuid        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('succeeded', 'failed')),
    reason     text,
    due_at     timestamptz NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sandbox_callbacks_due ON sandbox_callbacks (due_at);
