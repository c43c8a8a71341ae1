-- Read models (DESIGN §4): built by the projections from the event stream,
-- queried by read-api. They live in their own schema so a rebuild can fill a
-- copy (`read_rebuild`, made with CREATE TABLE ... LIKE these) and swap it in.
-- Money is numeric(20,2) beside its currency; never a float.
CREATE SCHEMA read;

-- Clients, providers and staff, with the company behind a client or provider.
CREATE TABLE read.accounts
(
    account_id    uuid PRIMARY KEY,
    role          text        NOT NULL CHECK (role IN ('client', 'provider', 'admin', 'auditor')),
    email         text        NOT NULL,
    company_name  text,
    company_inn   text,
    contact_name  text        NOT NULL,
    service_types text[]      NOT NULL DEFAULT '{}',
    blocked       boolean     NOT NULL DEFAULT false,
    block_reason  text,
    registered_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX accounts_email ON read.accounts (lower(email));
-- "every provider of this service type" (request fan-out over SSE).
CREATE INDEX accounts_service_types ON read.accounts USING gin (service_types) WHERE role = 'provider';

-- The catalog of service types and their prices.
CREATE TABLE read.catalog
(
    code             text PRIMARY KEY,
    name_en          text          NOT NULL,
    name_ru          text          NOT NULL,
    one_off_price    numeric(20,2) NOT NULL,
    one_off_currency text          NOT NULL,
    monthly_price    numeric(20,2) NOT NULL,
    monthly_currency text          NOT NULL,
    active           boolean       NOT NULL DEFAULT true
);

-- Subscriptions, including open requests (status 'requested').
CREATE TABLE read.subscriptions
(
    id                   uuid PRIMARY KEY,
    client_id            uuid          NOT NULL,
    provider_id          uuid,
    service_type         text          NOT NULL,
    plan                 text          NOT NULL CHECK (plan IN ('one_off', 'monthly')),
    description          text          NOT NULL,
    status               text          NOT NULL CHECK (status IN ('requested', 'active', 'past_due', 'suspended',
                                                                   'cancelled', 'expired', 'completed')),
    price                numeric(20,2) NOT NULL,
    escrow               numeric(20,2) NOT NULL DEFAULT 0,
    currency             text          NOT NULL,
    -- Providers who rejected the request: it is hidden from them only.
    rejected_by          uuid[]        NOT NULL DEFAULT '{}',
    period_start         timestamptz,
    period_end           timestamptz,
    cancel_at_period_end boolean       NOT NULL DEFAULT false,
    frozen_by            uuid,
    created_at           timestamptz   NOT NULL,
    acceptance_deadline  timestamptz   NOT NULL,
    updated_at           timestamptz   NOT NULL
);
-- Cursor pagination is (created_at, id) descending in each audience.
CREATE INDEX subscriptions_by_client ON read.subscriptions (client_id, created_at DESC, id DESC);
CREATE INDEX subscriptions_by_provider ON read.subscriptions (provider_id, created_at DESC, id DESC)
    WHERE provider_id IS NOT NULL;
CREATE INDEX subscriptions_by_type_status ON read.subscriptions (service_type, status, created_at DESC, id DESC);
CREATE INDEX subscriptions_by_created ON read.subscriptions (created_at DESC, id DESC);

-- Orders inside subscriptions.
CREATE TABLE read.orders
(
    id              uuid PRIMARY KEY,
    subscription_id uuid        NOT NULL,
    client_id       uuid        NOT NULL,
    provider_id     uuid        NOT NULL,
    plan            text        NOT NULL CHECK (plan IN ('one_off', 'monthly')),
    title           text        NOT NULL,
    details         text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('created', 'in_progress', 'completed')),
    client_done     boolean     NOT NULL DEFAULT false,
    provider_done   boolean     NOT NULL DEFAULT false,
    frozen_by       uuid,
    message_count   integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    taken_at        timestamptz,
    completed_at    timestamptz,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX orders_by_subscription ON read.orders (subscription_id, created_at DESC, id DESC);
CREATE INDEX orders_by_client ON read.orders (client_id, created_at DESC, id DESC);
CREATE INDEX orders_by_provider ON read.orders (provider_id, created_at DESC, id DESC);

-- An order's chat; `sequence` is the message's event sequence in its order.
CREATE TABLE read.order_messages
(
    message_id  uuid PRIMARY KEY,
    order_id    uuid        NOT NULL,
    sequence    bigint      NOT NULL,
    author_id   uuid        NOT NULL,
    author_role text        NOT NULL,
    text        text        NOT NULL,
    posted_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX order_messages_by_order ON read.order_messages (order_id, sequence);

-- Complaints about orders and their resolution.
CREATE TABLE read.complaints
(
    id              uuid PRIMARY KEY,
    order_id        uuid          NOT NULL,
    subscription_id uuid          NOT NULL,
    client_id       uuid          NOT NULL,
    provider_id     uuid          NOT NULL,
    filed_by        uuid          NOT NULL,
    filed_by_role   text          NOT NULL,
    reason          text          NOT NULL,
    status          text          NOT NULL CHECK (status IN ('filed', 'in_review', 'resolved', 'withdrawn')),
    reviewer_id     uuid,
    -- [{admin_id, text, at}] in the order they were written.
    notes           jsonb         NOT NULL DEFAULT '[]',
    to_client       numeric(20,2),
    to_provider     numeric(20,2),
    currency        text,
    resolution_note text,
    filed_at        timestamptz   NOT NULL,
    closed_at       timestamptz,
    updated_at      timestamptz   NOT NULL
);
CREATE INDEX complaints_by_status ON read.complaints (status, filed_at DESC, id DESC);
CREATE INDEX complaints_by_order ON read.complaints (order_id);

-- A wallet per account (its aggregate id is the owner's account id).
CREATE TABLE read.wallets
(
    account_id      uuid PRIMARY KEY,
    balance         numeric(20,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    pending_payouts numeric(20,2) NOT NULL DEFAULT 0 CHECK (pending_payouts >= 0),
    currency        text          NOT NULL,
    updated_at      timestamptz   NOT NULL
);

-- The last event sequence each projection applied per aggregate, written in
-- the same transaction as the read-model change: a redelivered event
-- (sequence <= last) is skipped, a gap is filled from the store first.
CREATE TABLE read.projection_positions
(
    projection     text   NOT NULL,
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    last_sequence  bigint NOT NULL CHECK (last_sequence >= 0),
    PRIMARY KEY (projection, aggregate_type, aggregate_id)
);

-- Messages a projection failed to apply: attempts so far and, once the limit
-- is reached, when the message was parked in the dead-letter queue.
-- Not rebuilt: it describes deliveries, not the event stream.
CREATE TABLE read.projection_failures
(
    projection      text        NOT NULL,
    message_id      text        NOT NULL,
    attempts        integer     NOT NULL,
    last_error      text        NOT NULL,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at  timestamptz NOT NULL DEFAULT now(),
    parked_at       timestamptz,
    PRIMARY KEY (projection, message_id)
);
CREATE INDEX projection_failures_parked ON read.projection_failures (projection) WHERE parked_at IS NOT NULL;
