-- The web app's money screens (issue 7, point 10): every movement of a
-- wallet with its running balance, withdrawals with their status, a
-- provider's earnings total, and when a scheduled cancellation takes effect.
-- All in schema `read`, owned by the `wallets` and `subscriptions` projections.

ALTER TABLE read.wallets
    ADD COLUMN earnings numeric(20,2) NOT NULL DEFAULT 0 CHECK (earnings >= 0);

-- One row per wallet event, in the wallet's commit order (`sequence`).
-- `amount` is the signed change of the available balance (0 for events that
-- only report progress, e.g. a payout sent); `balance_after` is the balance
-- once it applied.
CREATE TABLE read.wallet_movements
(
    account_id      uuid          NOT NULL,
    sequence        bigint        NOT NULL,
    kind            text          NOT NULL CHECK (kind IN ('top_up', 'top_up_failed', 'withdrawal',
                                                           'withdrawal_sent', 'withdrawal_settled',
                                                           'withdrawal_failed', 'to_escrow', 'refund',
                                                           'earnings')),
    amount          numeric(20,2) NOT NULL,
    balance_after   numeric(20,2) NOT NULL CHECK (balance_after >= 0),
    currency        text          NOT NULL,
    transfer_id     uuid          NOT NULL,
    subscription_id uuid,
    reason          text,
    occurred_at     timestamptz   NOT NULL,
    PRIMARY KEY (account_id, sequence)
);

-- Withdrawals, one row per transfer. Only a masked account number is kept:
-- the read side never needs the full one.
CREATE TABLE read.wallet_payouts
(
    transfer_id    uuid PRIMARY KEY,
    account_id     uuid          NOT NULL,
    amount         numeric(20,2) NOT NULL CHECK (amount > 0),
    currency       text          NOT NULL,
    status         text          NOT NULL CHECK (status IN ('requested', 'sent', 'settled', 'failed')),
    reason         text,
    bik            text          NOT NULL,
    account_masked text          NOT NULL,
    requested_at   timestamptz   NOT NULL,
    updated_at     timestamptz   NOT NULL
);
CREATE INDEX wallet_payouts_by_account ON read.wallet_payouts (account_id, requested_at DESC, transfer_id DESC);

ALTER TABLE read.subscriptions
    ADD COLUMN cancel_effective_at timestamptz;
