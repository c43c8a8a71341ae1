-- The notifier marks an admin's direct message once it became a
-- notification and a mail, in the same transaction.
ALTER TABLE admin_messages ADD COLUMN notified_at timestamptz;
CREATE INDEX admin_messages_pending ON admin_messages (created_at) WHERE notified_at IS NULL;
