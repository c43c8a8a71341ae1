-- Admin controls (reassign, cancel with a refund) act on every open order of
-- a subscription and find them in the store itself, which never lags: the
-- OrderCreated events by the subscription they name.
CREATE INDEX events_orders_by_subscription
    ON events ((payload -> 'OrderCreated' ->> 'subscription_id'))
    WHERE aggregate_type = 'Order' AND event_type = 'OrderCreated';

-- An admin may cancel a subscription's open orders with it.
ALTER TABLE read.orders DROP CONSTRAINT orders_status_check;
ALTER TABLE read.orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('created', 'in_progress', 'completed', 'cancelled'));
