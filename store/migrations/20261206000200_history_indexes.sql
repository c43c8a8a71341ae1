-- Dispute replay (GET /api/v1/admin/orders/{id}/history) follows an order's
-- links into other streams: its complaints (ComplaintFiled.order_id) and the
-- wallet side of its subscription's escrow transfers (subscription_id).
-- Without these, both are full scans of the event store. Partial, so they
-- cover only the few event types that carry the link.
CREATE INDEX events_complaint_by_order
    ON events (((payload -> event_type) ->> 'order_id'))
    WHERE aggregate_type = 'Complaint' AND event_type = 'ComplaintFiled';

CREATE INDEX events_escrow_transfer_by_subscription
    ON events (((payload -> event_type) ->> 'subscription_id'))
    WHERE aggregate_type = 'Wallet'
      AND event_type IN ('FundsMovedToEscrow', 'FundsCreditedFromEscrow');
