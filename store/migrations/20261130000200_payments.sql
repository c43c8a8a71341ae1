-- The payment gateway names a top-up by its payment id, a UUID v5 of the
-- transfer id (command-api/src/payments/gateway.rs, PAYMENT_NAMESPACE below).
-- Indexing that expression lets the webhook and the sandbox find the
-- TopUpRequested event from a payment id, so opening a payment writes
-- nothing: the top-up request stays one commit.
-- uuid-ossp is a trusted extension (PostgreSQL 13+): a database owner may create it.
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

CREATE INDEX events_top_up_payment ON events (
    uuid_generate_v5('00a5dc87-fc64-4db4-85c4-2e62d2cde907'::uuid,
                     payload -> 'TopUpRequested' ->> 'transfer_id')
) WHERE aggregate_type = 'Wallet' AND event_type = 'TopUpRequested';
