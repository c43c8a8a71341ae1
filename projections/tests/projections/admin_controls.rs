//! The read models follow the admin's controls: a provider changed, a
//! subscription and its orders cancelled, a deadline moved, an order
//! force-completed.

use domain::order::OrderEvent;
use domain::subscription::{EscrowParty, SubscriptionEvent};
use domain::{AccountId, Money, OrderId, Plan, SubscriptionId, TransferId};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

use crate::helpers::{TestDb, append, at};
use crate::read_models::{feed, legal};

const REASON: &str = "the provider stopped answering";

async fn subscription(db: &TestDb, id: SubscriptionId, events: &[SubscriptionEvent]) {
    for (i, e) in events.iter().enumerate() {
        let stored = append(&db.pool, "Subscription", &id.to_string(), i as i64 + 1, e).await;
        feed(&db.pool, "subscriptions", &stored).await;
    }
}

async fn order(db: &TestDb, id: OrderId, events: &[OrderEvent]) {
    for (i, e) in events.iter().enumerate() {
        let stored = append(&db.pool, "Order", &id.to_string(), i as i64 + 1, e).await;
        feed(&db.pool, "orders", &stored).await;
    }
}

fn requested(id: SubscriptionId, client: AccountId) -> Vec<SubscriptionEvent> {
    vec![
        SubscriptionEvent::SubscriptionRequested {
            subscription_id: id,
            client,
            service_type: legal(),
            plan: Plan::OneOff,
            description: "Register a company".into(),
            price: Money::rub(dec!(1000)),
            acceptance_deadline: at(60),
            requested_at: at(0),
        },
        SubscriptionEvent::EscrowFunded {
            transfer_id: TransferId::new(),
            amount: Money::rub(dec!(1000)),
        },
    ]
}

fn created(id: OrderId, sub: SubscriptionId, client: AccountId, provider: AccountId) -> OrderEvent {
    OrderEvent::OrderCreated {
        order_id: id,
        subscription_id: sub,
        client,
        provider,
        plan: Plan::OneOff,
        title: "NDA".into(),
        details: String::new(),
        at: at(11),
    }
}

type SubRow = (
    String,
    Option<Uuid>,
    Decimal,
    Option<chrono::DateTime<chrono::Utc>>,
);

async fn sub_row(db: &TestDb, id: SubscriptionId) -> SubRow {
    sqlx::query_as(
        "SELECT status, provider_id, escrow, acceptance_deadline FROM read.subscriptions WHERE id = $1",
    )
    .bind(id.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("subscription")
}

type OrderRow = (
    String,
    Uuid,
    bool,
    bool,
    Option<chrono::DateTime<chrono::Utc>>,
);

async fn order_row(db: &TestDb, id: OrderId) -> OrderRow {
    sqlx::query_as(
        "SELECT status, provider_id, client_done, provider_done, taken_at FROM read.orders WHERE id = $1",
    )
    .bind(id.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("order")
}

#[tokio::test]
async fn a_reassigned_request_and_order_show_the_new_provider() {
    let db = TestDb::new().await;
    let (sub, client, old, new, admin) = (
        SubscriptionId::new(),
        AccountId::new(),
        AccountId::new(),
        AccountId::new(),
        AccountId::new(),
    );
    let mut events = requested(sub, client);
    events.extend([
        SubscriptionEvent::SubscriptionReassigned {
            from: None,
            to: old,
            admin,
            reason: REASON.into(),
            at: at(10),
        },
        SubscriptionEvent::SubscriptionAccepted {
            provider: old,
            period_start: at(10),
            period_end: None,
        },
    ]);
    subscription(&db, sub, &events).await;
    assert_eq!(
        sub_row(&db, sub).await,
        (
            "active".into(),
            Some(old.as_uuid()),
            dec!(1000.00),
            Some(at(60))
        )
    );
    let id = OrderId::new();
    order(
        &db,
        id,
        &[
            created(id, sub, client, old),
            OrderEvent::OrderTaken {
                provider: old,
                at: at(12),
            },
            OrderEvent::OrderMarkedDone {
                by: domain::Role::Provider,
                at: at(13),
            },
        ],
    )
    .await;
    let moved = SubscriptionEvent::SubscriptionReassigned {
        from: Some(old),
        to: new,
        admin,
        reason: REASON.into(),
        at: at(14),
    };
    let stored = append(&db.pool, "Subscription", &sub.to_string(), 5, &moved).await;
    feed(&db.pool, "subscriptions", &stored).await;
    let moved = OrderEvent::OrderReassigned {
        from: old,
        to: new,
        admin,
        reason: REASON.into(),
        at: at(14),
    };
    let stored = append(&db.pool, "Order", &id.to_string(), 4, &moved).await;
    feed(&db.pool, "orders", &stored).await;
    assert_eq!(sub_row(&db, sub).await.1, Some(new.as_uuid()));
    assert_eq!(
        order_row(&db, id).await,
        ("created".into(), new.as_uuid(), false, false, None)
    );
}

#[tokio::test]
async fn an_admin_cancel_closes_the_subscription_and_its_orders() {
    let db = TestDb::new().await;
    let (sub, client, provider, admin) = (
        SubscriptionId::new(),
        AccountId::new(),
        AccountId::new(),
        AccountId::new(),
    );
    let mut events = requested(sub, client);
    events.extend([
        SubscriptionEvent::SubscriptionAccepted {
            provider,
            period_start: at(10),
            period_end: None,
        },
        SubscriptionEvent::SubscriptionCancelledByAdmin {
            admin,
            reason: REASON.into(),
            at: at(20),
        },
        SubscriptionEvent::EscrowReleased {
            transfer_id: TransferId::new(),
            to: EscrowParty::Client,
            recipient: Some(client),
            amount: Money::rub(dec!(1000)),
        },
    ]);
    subscription(&db, sub, &events).await;
    let row = sub_row(&db, sub).await;
    assert_eq!((row.0.as_str(), row.2), ("cancelled", dec!(0.00)));
    let id = OrderId::new();
    order(
        &db,
        id,
        &[
            created(id, sub, client, provider),
            OrderEvent::OrderCancelled {
                admin,
                reason: REASON.into(),
                at: at(20),
            },
        ],
    )
    .await;
    assert_eq!(order_row(&db, id).await.0, "cancelled");
}

#[tokio::test]
async fn an_admin_deadline_reopens_the_request_and_a_forced_completion_completes() {
    let db = TestDb::new().await;
    let (sub, client, provider, admin) = (
        SubscriptionId::new(),
        AccountId::new(),
        AccountId::new(),
        AccountId::new(),
    );
    let mut events = requested(sub, client);
    events.extend([
        SubscriptionEvent::AcceptanceDeadlinePassed { at: at(60) },
        SubscriptionEvent::AcceptanceDeadlineExtendedByAdmin {
            admin,
            until: at(600),
            reason: REASON.into(),
            at: at(61),
        },
    ]);
    subscription(&db, sub, &events).await;
    let row = sub_row(&db, sub).await;
    assert_eq!((row.0.as_str(), row.3), ("requested", Some(at(600))));

    let id = OrderId::new();
    order(
        &db,
        id,
        &[
            created(id, sub, client, provider),
            OrderEvent::OrderForceCompleted {
                admin,
                reason: REASON.into(),
                at: at(70),
            },
            OrderEvent::OrderCompleted {
                subscription_id: sub,
                plan: Plan::OneOff,
                at: at(70),
            },
        ],
    )
    .await;
    let row = order_row(&db, id).await;
    assert_eq!((row.0.as_str(), row.2, row.3), ("completed", true, true));
}
