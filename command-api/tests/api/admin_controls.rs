//! The admin's controls end to end over HTTP: reassign a request, a
//! subscription or an order; cancel with a full refund; move a request's
//! deadline; force-complete an order. Releases run through the real
//! `processes` reactions, fed from the store as the relay would; after each
//! money step every rouble is somewhere.

use crate::helpers::assert_problem;
use crate::money_support::*;
use crate::work_support::assert_rule;
use domain::subscription::Subscription;
use processes::{Processes, ProcessesSettings, SandboxBank};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use std::str::FromStr;
use std::sync::Arc;

const REASON: &str = "The provider stopped answering the client";

/// The money world plus a second legal provider and everyone's account id.
struct Controls {
    w: World,
    client_id: String,
    legal_id: String,
    legal2: String,
    legal2_id: String,
    delivery_id: String,
    admin_id: String,
    processes: Arc<Processes>,
    cursor: std::sync::Mutex<i64>,
}

fn sub_path(id: &str, action: &str) -> String {
    format!("/api/v1/commands/subscriptions/{id}/{action}")
}
fn admin_sub(id: &str, action: &str) -> String {
    format!("/api/v1/commands/admin/subscriptions/{id}/{action}")
}
fn admin_order(id: &str, action: &str) -> String {
    format!("/api/v1/commands/admin/orders/{id}/{action}")
}
fn order_path(id: &str, action: &str) -> String {
    format!("/api/v1/commands/orders/{id}/{action}")
}

impl Controls {
    async fn new() -> Self {
        let w = World::new().await;
        let legal2 = provider(&w.app, "legal2@example.ru", &["legal"]).await;
        let id = |email: &'static str| {
            let app = &w.app;
            async move { login_token(app, email).await.1 }
        };
        let (client_id, legal_id, legal2_id, delivery_id, admin_id) = (
            w.client_a_id.clone(),
            id("legal@example.ru").await,
            id("legal2@example.ru").await,
            id("delivery@example.ru").await,
            id("admin@hub.example").await,
        );
        let processes = Arc::new(Processes::new(
            w.app.pool.clone(),
            Arc::new(store::SystemClock),
            Arc::new(SandboxBank),
            ProcessesSettings::default(),
        ));
        assert_eq!(w.top_up(&w.client_a, "20000.00").await.status(), 201);
        Self {
            w,
            client_id,
            legal_id,
            legal2,
            legal2_id,
            delivery_id,
            admin_id,
            processes,
            cursor: std::sync::Mutex::new(0),
        }
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        let key = uuid::Uuid::new_v4().to_string();
        self.w.send(path, Some(token), Some(&key), &body).await
    }

    /// A one-off or monthly legal request of client A; accepted by the first
    /// legal provider when `accept`.
    async fn subscription(&self, plan: &str, accept: bool) -> String {
        let id = self.w.subscribe(&self.w.client_a, "legal", plan).await;
        if accept {
            let res = self
                .post(&self.w.provider_legal, &sub_path(&id, "accept"), json!({}))
                .await;
            assert_eq!(res.status(), 204);
        }
        id
    }

    async fn order(&self, subscription: &str) -> String {
        let res = self
            .post(
                &self.w.client_a,
                &sub_path(subscription, "orders"),
                json!({"title": "Register the company", "details": ""}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        body["id"].as_str().expect("id").to_owned()
    }

    /// Feeds every event stored since the last call to the process
    /// managers, until none is left, as the relay and the queue would.
    async fn pump(&self) {
        loop {
            let from = *self.cursor.lock().expect("cursor");
            let rows: Vec<EventRow> = sqlx::query_as(
                "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, \
                        payload, metadata, global_position, recorded_at \
                 FROM events WHERE global_position > $1 ORDER BY global_position",
            )
            .bind(from)
            .fetch_all(&self.w.app.pool)
            .await
            .expect("events");
            let Some(last) = rows.last().map(|r| r.7) else {
                return;
            };
            for r in rows {
                let envelope = bus::EventEnvelope {
                    aggregate_type: r.0,
                    aggregate_id: r.1,
                    sequence: r.2,
                    event_type: r.3,
                    event_version: r.4,
                    payload: r.5,
                    metadata: r.6,
                    global_position: r.7,
                    recorded_at: r.8,
                };
                self.processes.react(&envelope).await.expect("reaction");
            }
            *self.cursor.lock().expect("cursor") = last;
        }
    }

    async fn escrow(&self, id: &str) -> Decimal {
        use cqrs_es::EventStore;
        store::HubEventStore::<Subscription>::new(self.w.app.pool.clone())
            .load_aggregate(id)
            .await
            .expect("subscription")
            .aggregate
            .escrow()
            .amount()
    }

    async fn sum(&self, sql: &str) -> Decimal {
        sqlx::query_scalar(sql)
            .fetch_one(&self.w.app.pool)
            .await
            .expect("sum")
    }

    /// Every rouble is somewhere: what the bank paid in sits in the wallets,
    /// the escrows and the platform's fees (no payouts in these tests).
    async fn assert_conserved(&self, subscriptions: &[&str]) {
        let entered = self
            .sum(
                "SELECT COALESCE(sum((payload->'TopUpSettled'->'amount'->>'amount')::numeric), 0) \
                 FROM events WHERE event_type = 'TopUpSettled'",
            )
            .await;
        let fees = self
            .sum(
                "SELECT COALESCE(sum((payload->'EscrowReleased'->'amount'->>'amount')::numeric), 0) \
                 FROM events WHERE event_type = 'EscrowReleased' \
                 AND payload->'EscrowReleased'->>'to' = 'platform'",
            )
            .await;
        let mut held = fees;
        for wallet in [
            &self.client_id,
            &self.legal_id,
            &self.legal2_id,
            &self.delivery_id,
        ] {
            held += self.balance(wallet).await;
        }
        for s in subscriptions {
            held += self.escrow(s).await;
        }
        assert_eq!(held, entered, "money appeared or vanished");
    }

    async fn balance(&self, id: &str) -> Decimal {
        Decimal::from_str(&self.w.balance(id).await).expect("balance")
    }

    /// `(event_type, payload, actor_id)` of aggregate `id`, in order.
    async fn history(&self, id: &str) -> Vec<(String, Value, Option<String>)> {
        sqlx::query_as(
            "SELECT event_type, payload::jsonb, metadata::jsonb ->> 'actor_id' FROM events \
             WHERE aggregate_id = $1 ORDER BY sequence",
        )
        .bind(id)
        .fetch_all(&self.w.app.pool)
        .await
        .expect("history")
    }

    async fn types(&self, id: &str) -> Vec<String> {
        self.history(id).await.into_iter().map(|h| h.0).collect()
    }
}

type EventRow = (
    String,
    String,
    i64,
    String,
    String,
    Value,
    Value,
    i64,
    chrono::DateTime<chrono::Utc>,
);

/// The new provider works the order to the end; the old one is a stranger.
async fn new_provider_works(c: &Controls, order: &str) {
    let w = &c.w;
    for (path, body) in [
        (order_path(order, "take"), json!({})),
        (order_path(order, "messages"), json!({"text": "mine"})),
        (order_path(order, "complete"), json!({})),
    ] {
        let res = c.post(&w.provider_legal, &path, body.clone()).await;
        assert_eq!(res.status(), 404, "old provider at {path}");
        let res = c.post(&c.legal2, &path, body).await;
        assert!(res.status().is_success(), "new provider at {path}");
    }
    let res = c
        .post(&w.client_a, &order_path(order, "complete"), json!({}))
        .await;
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn an_admin_assigns_a_request_and_the_chosen_provider_is_paid_at_completion() {
    let c = Controls::new().await;
    let sub = c.subscription("one_off", false).await;
    let res = c
        .post(
            &c.w.admin,
            &admin_sub(&sub, "reassign"),
            json!({"provider_id": c.legal2_id, "reason": REASON}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let history = c.history(&sub).await;
    let (kind, payload, actor) = &history[history.len() - 2];
    assert_eq!(kind, "SubscriptionReassigned");
    assert_eq!(payload[kind]["from"], Value::Null);
    assert_eq!(payload[kind]["to"], c.legal2_id.as_str());
    assert_eq!(payload[kind]["reason"], REASON);
    assert_eq!(actor.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(history[history.len() - 1].0, "SubscriptionAccepted");
    // Nobody else may accept it now.
    let res = c
        .post(&c.w.provider_legal, &sub_path(&sub, "accept"), json!({}))
        .await;
    assert_eq!(res.status(), 409);

    let order = c.order(&sub).await;
    new_provider_works(&c, &order).await;
    c.pump().await;
    assert_eq!(c.balance(&c.legal2_id).await, dec!(13500.00));
    assert_eq!(c.balance(&c.legal_id).await, Decimal::ZERO);
    assert_eq!(c.escrow(&sub).await, Decimal::ZERO);
    c.assert_conserved(&[&sub]).await;
}

#[tokio::test]
async fn an_admin_moves_an_order_with_its_subscription_and_the_new_provider_is_paid() {
    let c = Controls::new().await;
    let sub = c.subscription("one_off", true).await;
    let order = c.order(&sub).await;
    let res = c
        .post(&c.w.provider_legal, &order_path(&order, "take"), json!({}))
        .await;
    assert_eq!(res.status(), 204);
    let body = json!({"provider_id": c.legal2_id, "reason": REASON});
    let res = c
        .post(&c.w.admin, &admin_order(&order, "reassign"), body.clone())
        .await;
    assert_eq!(res.status(), 204);
    let order_history = c.history(&order).await;
    let (kind, payload, actor) = order_history.last().expect("events");
    assert_eq!(kind, "OrderReassigned");
    assert_eq!(payload[kind]["from"], c.legal_id.as_str());
    assert_eq!(payload[kind]["to"], c.legal2_id.as_str());
    assert_eq!(payload[kind]["reason"], REASON);
    assert_eq!(actor.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(
        c.types(&sub).await.last().map(String::as_str),
        Some("SubscriptionReassigned")
    );
    // Again, and through the subscription: already the provider's, nothing moves.
    let before = c.w.events().await;
    for path in [admin_order(&order, "reassign"), admin_sub(&sub, "reassign")] {
        assert_eq!(c.post(&c.w.admin, &path, body.clone()).await.status(), 204);
    }
    assert_eq!(c.w.events().await, before);

    new_provider_works(&c, &order).await;
    c.pump().await;
    assert_eq!(c.balance(&c.legal2_id).await, dec!(13500.00));
    assert_eq!(c.balance(&c.legal_id).await, Decimal::ZERO);
    c.assert_conserved(&[&sub]).await;
}

#[tokio::test]
async fn reassign_refusals_name_the_field_at_fault() {
    let c = Controls::new().await;
    let sub = c.subscription("one_off", true).await;
    let path = admin_sub(&sub, "reassign");
    let send = |provider_id: &str, reason: &str| {
        c.post(
            &c.w.admin,
            &path,
            json!({"provider_id": provider_id, "reason": reason}),
        )
    };
    assert_problem(send("not-a-uuid", REASON).await, 422, Some("provider_id")).await;
    let res = send(&c.delivery_id, REASON).await;
    let body = assert_problem(res, 422, Some("provider_id")).await;
    assert_eq!(body["rule"], "service_type_not_handled");
    let body = assert_problem(send(&c.client_id, REASON).await, 422, Some("provider_id")).await;
    assert_eq!(body["rule"], "not_a_provider");
    assert_problem(send(&c.legal2_id, "  ").await, 422, Some("reason")).await;
    assert_problem(
        send(&c.legal2_id, &"x".repeat(1001)).await,
        422,
        Some("reason"),
    )
    .await;
    // A blocked provider cannot take over.
    let block = format!("/api/v1/commands/admin/accounts/{}/block", c.legal2_id);
    let res = c.post(&c.w.admin, &block, json!({"reason": "fraud"})).await;
    assert_eq!(res.status(), 204);
    let body = assert_problem(send(&c.legal2_id, REASON).await, 422, Some("provider_id")).await;
    assert_eq!(body["rule"], "provider_blocked");
    // Unknown targets.
    let unknown = uuid::Uuid::new_v4().to_string();
    let res = c
        .post(
            &c.w.admin,
            &admin_sub(&unknown, "reassign"),
            json!({"provider_id": c.legal_id, "reason": REASON}),
        )
        .await;
    assert_problem(res, 404, None).await;
    let res = c
        .post(
            &c.w.admin,
            &admin_order(&unknown, "reassign"),
            json!({"provider_id": c.legal_id, "reason": REASON}),
        )
        .await;
    assert_problem(res, 404, None).await;
    assert_eq!(
        c.types(&sub).await.last().map(String::as_str),
        Some("SubscriptionAccepted")
    );
}

#[tokio::test]
async fn an_admin_cancels_a_running_subscription_and_refunds_exactly_its_escrow() {
    let c = Controls::new().await;
    // Monthly legal costs 45 000.
    assert_eq!(c.w.top_up(&c.w.client_a, "30000.00").await.status(), 201);
    let sub = c.subscription("monthly", true).await;
    let order = c.order(&sub).await;
    let held = c.escrow(&sub).await;
    assert!(held > Decimal::ZERO);
    let before = c.balance(&c.client_id).await;

    let path = admin_sub(&sub, "cancel");
    let body = json!({"reason": REASON});
    let res = c.w.send_without_key(&path, &c.w.admin, &body).await;
    assert_problem(res, 400, Some("Idempotency-Key")).await;
    let key = uuid::Uuid::new_v4().to_string();
    let res = c.w.send(&path, Some(&c.w.admin), Some(&key), &body).await;
    assert_eq!(res.status(), 204);

    let history = c.history(&sub).await;
    let tail: Vec<&str> = history[history.len() - 2..]
        .iter()
        .map(|h| h.0.as_str())
        .collect();
    assert_eq!(tail, ["SubscriptionCancelledByAdmin", "EscrowReleased"]);
    let (kind, payload, actor) = &history[history.len() - 2];
    assert_eq!(payload[kind]["reason"], REASON);
    assert_eq!(actor.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(
        c.types(&order).await.last().map(String::as_str),
        Some("OrderCancelled")
    );
    let after = c.balance(&c.client_id).await;
    assert_eq!(
        after - before,
        held,
        "the client gets exactly the escrow back"
    );
    assert_eq!(c.escrow(&sub).await, Decimal::ZERO);
    c.assert_conserved(&[&sub]).await;

    // The same key answers again; another key finds it cancelled: nothing moves.
    let events = c.w.events().await;
    let res = c.w.send(&path, Some(&c.w.admin), Some(&key), &body).await;
    assert_eq!(res.status(), 204);
    assert_eq!(c.post(&c.w.admin, &path, body.clone()).await.status(), 204);
    assert_eq!(c.w.events().await, events);
    c.pump().await;
    assert_eq!(c.balance(&c.client_id).await, after);
    c.assert_conserved(&[&sub]).await;

    // The cancelled order takes no more work.
    let res = c
        .post(&c.w.provider_legal, &order_path(&order, "take"), json!({}))
        .await;
    assert_rule(res, "order_cancelled").await;
    let res = c.post(&c.w.admin, &path, json!({"reason": ""})).await;
    assert_problem(res, 422, Some("reason")).await;
}

#[tokio::test]
async fn an_admin_extends_a_request_deadline_with_a_reason() {
    let c = Controls::new().await;
    let sub = c.subscription("one_off", false).await;
    let path = admin_sub(&sub, "deadline");
    let until = (chrono::Utc::now() + chrono::Duration::days(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let res = c
        .post(&c.w.admin, &path, json!({"until": until, "reason": REASON}))
        .await;
    assert_eq!(res.status(), 204);
    let history = c.history(&sub).await;
    let (kind, payload, actor) = history.last().expect("events");
    assert_eq!(kind, "AcceptanceDeadlineExtendedByAdmin");
    assert_eq!(payload[kind]["reason"], REASON);
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(payload[kind]["until"].as_str().expect("until"))
            .expect("a time"),
        chrono::DateTime::parse_from_rfc3339(&until).expect("a time")
    );
    assert_eq!(actor.as_deref(), Some(c.admin_id.as_str()));

    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let res = c
        .post(&c.w.admin, &path, json!({"until": past, "reason": REASON}))
        .await;
    assert_problem(res, 422, Some("until")).await;
    let res = c
        .post(&c.w.admin, &path, json!({"until": until, "reason": " "}))
        .await;
    assert_problem(res, 422, Some("reason")).await;
    // Accepted: no deadline left to move.
    let res = c
        .post(&c.w.provider_legal, &sub_path(&sub, "accept"), json!({}))
        .await;
    assert_eq!(res.status(), 204);
    let res = c
        .post(&c.w.admin, &path, json!({"until": until, "reason": REASON}))
        .await;
    assert_rule(res, "not_open").await;
}

#[tokio::test]
async fn an_admin_force_completes_an_order_and_the_provider_is_paid() {
    let c = Controls::new().await;
    let sub = c.subscription("one_off", true).await;
    let order = c.order(&sub).await;
    for path in [order_path(&order, "take"), order_path(&order, "complete")] {
        let res = c.post(&c.w.provider_legal, &path, json!({})).await;
        assert_eq!(res.status(), 204);
    }
    let path = admin_order(&order, "complete");
    let res =
        c.w.send_without_key(&path, &c.w.admin, &json!({"reason": REASON}))
            .await;
    assert_problem(res, 400, Some("Idempotency-Key")).await;
    let res = c.post(&c.w.admin, &path, json!({"reason": REASON})).await;
    assert_eq!(res.status(), 204);
    let history = c.history(&order).await;
    let (kind, payload, actor) = &history[history.len() - 2];
    assert_eq!(kind, "OrderForceCompleted");
    assert_eq!(payload[kind]["reason"], REASON);
    assert_eq!(actor.as_deref(), Some(c.admin_id.as_str()));
    assert_eq!(history[history.len() - 1].0, "OrderCompleted");

    c.pump().await;
    assert_eq!(c.balance(&c.legal_id).await, dec!(13500.00));
    assert_eq!(c.escrow(&sub).await, Decimal::ZERO);
    assert_eq!(
        c.types(&sub).await.last().map(String::as_str),
        Some("SubscriptionCompleted")
    );
    c.assert_conserved(&[&sub]).await;
    // Completed: a second force-complete is refused and nothing moves again.
    let res = c.post(&c.w.admin, &path, json!({"reason": REASON})).await;
    assert_rule(res, "order_completed").await;
    c.pump().await;
    assert_eq!(c.balance(&c.legal_id).await, dec!(13500.00));
    c.assert_conserved(&[&sub]).await;
}

#[tokio::test]
async fn a_complaint_blocks_the_controls_until_it_is_resolved() {
    let c = Controls::new().await;
    let sub = c.subscription("one_off", true).await;
    let order = c.order(&sub).await;
    let res = c
        .post(
            &c.w.client_a,
            &order_path(&order, "complaints"),
            json!({"reason": "Nobody answers"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let events = c.w.events().await;
    let res = c
        .post(
            &c.w.admin,
            &admin_order(&order, "complete"),
            json!({"reason": REASON}),
        )
        .await;
    assert_rule(res, "order_frozen").await;
    let res = c
        .post(
            &c.w.admin,
            &admin_order(&order, "reassign"),
            json!({"provider_id": c.legal2_id, "reason": REASON}),
        )
        .await;
    assert_rule(res, "escrow_frozen").await;
    let res = c
        .post(
            &c.w.admin,
            &admin_sub(&sub, "cancel"),
            json!({"reason": REASON}),
        )
        .await;
    assert_rule(res, "escrow_frozen").await;
    assert_eq!(c.w.events().await, events);
    c.assert_conserved(&[&sub]).await;
}

#[tokio::test]
async fn only_admins_use_the_controls() {
    let c = Controls::new().await;
    let sub = c.subscription("one_off", true).await;
    let order = c.order(&sub).await;
    let until = (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339();
    let calls = [
        (
            admin_sub(&sub, "reassign"),
            json!({"provider_id": c.legal2_id, "reason": REASON}),
        ),
        (admin_sub(&sub, "cancel"), json!({"reason": REASON})),
        (
            admin_sub(&sub, "deadline"),
            json!({"until": until, "reason": REASON}),
        ),
        (
            admin_order(&order, "reassign"),
            json!({"provider_id": c.legal2_id, "reason": REASON}),
        ),
        (admin_order(&order, "complete"), json!({"reason": REASON})),
    ];
    let events = c.w.events().await;
    for (path, body) in &calls {
        for token in [
            &c.w.client_a,
            &c.w.client_b,
            &c.w.provider_legal,
            &c.legal2,
            &c.w.auditor,
        ] {
            let res = c.post(token, path, body.clone()).await;
            assert_problem(res, 403, None).await;
        }
        let key = uuid::Uuid::new_v4().to_string();
        let res = c.w.send(path, None, Some(&key), body).await;
        assert_eq!(res.status(), 401, "{path}");
    }
    assert_eq!(c.w.events().await, events);
}
