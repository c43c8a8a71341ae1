-- The auditor's ledger (DESIGN §5): double-entry postings in commit order,
-- each hash-chained to the one before; built by the ledger follower from
-- the events table, never from the bus (docs/ledger.md).
CREATE TABLE read.ledger_entries
(
    seq         bigint PRIMARY KEY,
    recorded_at timestamptz   NOT NULL,
    transfer_id uuid          NOT NULL,
    account     text          NOT NULL,
    account_seq bigint        NOT NULL,
    amount      numeric(20,2) NOT NULL,
    currency    text          NOT NULL,
    balance     numeric(20,2) NOT NULL,
    event_type  text          NOT NULL,
    event_id    text          NOT NULL,
    memo        text          NOT NULL,
    prev_hash   text          NOT NULL,
    hash        text          NOT NULL,
    UNIQUE (account, account_seq)
);
CREATE INDEX ledger_entries_time ON read.ledger_entries (recorded_at, seq);

CREATE TABLE read.ledger_accounts
(
    account  text PRIMARY KEY,
    balance  numeric(20,2) NOT NULL,
    postings bigint        NOT NULL
);

-- One row: the follower's checkpoint in the store, the chain's head and the totals.
CREATE TABLE read.ledger_state
(
    tx_id             xid8          NOT NULL DEFAULT '0',
    global_position   bigint        NOT NULL DEFAULT 0,
    seq               bigint        NOT NULL DEFAULT 0,
    recorded_at       timestamptz,
    head_hash         text          NOT NULL DEFAULT repeat('0', 64),
    documents         bigint        NOT NULL DEFAULT 0,
    total             numeric(20,2) NOT NULL DEFAULT 0,
    negative_accounts bigint        NOT NULL DEFAULT 0,
    updated_at        timestamptz   NOT NULL DEFAULT now()
);
INSERT INTO read.ledger_state DEFAULT VALUES;

-- Closing documents (акты), one per release that pays a provider.
CREATE TABLE read.closing_documents
(
    document_id     uuid PRIMARY KEY,
    number          text          NOT NULL UNIQUE,
    issued_at       timestamptz   NOT NULL,
    subscription_id uuid          NOT NULL,
    client_id       uuid          NOT NULL,
    provider_id     uuid          NOT NULL,
    service_type    text          NOT NULL,
    plan            text          NOT NULL,
    period_start    timestamptz   NOT NULL,
    period_end      timestamptz   NOT NULL,
    amount          numeric(20,2) NOT NULL,
    fee             numeric(20,2) NOT NULL,
    currency        text          NOT NULL
);
CREATE INDEX closing_documents_client ON read.closing_documents (client_id, issued_at DESC);
CREATE INDEX closing_documents_provider ON read.closing_documents (provider_id, issued_at DESC);
CREATE INDEX closing_documents_time ON read.closing_documents (issued_at DESC, document_id);
