-- When the mailer began sending the message itself (the server had said
-- 354 to DATA), committed before the first byte left. A mail marked so and
-- not sent is never sent again by itself: the server may hold it, and a
-- second copy is worse than a mail an operator resends by hand. The mailer
-- parks such mails once their lease is over (see docs/operations.md).
ALTER TABLE mail_outbox ADD COLUMN handed_over_at timestamptz;
