-- A request nobody accepted in time is no longer expired and refunded: it
-- falls overdue, keeps its escrow, and the client waits, extends or cancels.
-- Waiting without a deadline leaves none.
ALTER TABLE read.subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE read.subscriptions ADD CONSTRAINT subscriptions_status_check
    CHECK (status IN ('requested', 'overdue', 'active', 'past_due', 'suspended',
                      'cancelled', 'expired', 'completed'));
ALTER TABLE read.subscriptions ALTER COLUMN acceptance_deadline DROP NOT NULL;

-- The language of an account's mail and notifications (LanguageChosen).
ALTER TABLE read.accounts ADD COLUMN language text NOT NULL DEFAULT 'ru'
    CHECK (language IN ('ru', 'en'));
