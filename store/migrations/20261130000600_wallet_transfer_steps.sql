-- Each step of a transfer (requested, settled, failed, credited…) happens at
-- most once per wallet, enforced in the same transaction as the event: the
-- wallet no longer keeps every transfer id it saw in its state, so its
-- commands cost the same however long its history (DESIGN §2). The index
-- also serves the wallet's history lookups.
CREATE UNIQUE INDEX events_wallet_transfer_step
    ON events (aggregate_id, ((payload -> event_type) ->> 'transfer_id'), event_type)
    WHERE aggregate_type = 'Wallet';
