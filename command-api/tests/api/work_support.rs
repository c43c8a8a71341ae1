//! A world for the order and complaint commands: an active subscription of
//! client A with its winning provider, and one account of every other kind.

use crate::helpers::*;
use domain::subscription::{Subscription, SubscriptionCommand};
use domain::{AccountId, Actor, Money, Plan, Role, ServiceType, SubscriptionId, TransferId};
use serde_json::{Value, json};
use store::{EventMetadata, Store, execute_with_retry};

/// Who calls, in the authorization matrix's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    ClientA,
    ClientB,
    Winner,
    OtherProvider,
    Admin,
    Auditor,
}

pub const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::ClientA,
    Who::ClientB,
    Who::Winner,
    Who::OtherProvider,
    Who::Admin,
    Who::Auditor,
];

pub struct World {
    pub app: TestApp,
    pub client_a: Actor,
    pub client_b: Actor,
    pub winner: Actor,
    pub other_provider: Actor,
    pub admin: Actor,
    pub auditor: Actor,
    pub subscription_id: SubscriptionId,
}

pub fn price() -> Money {
    Money::parse_rub("1000.00").expect("price")
}

fn legal() -> ServiceType {
    ServiceType::parse("legal").expect("service type")
}

impl World {
    pub async fn new() -> Self {
        Self::with_state(|_| {}).await
    }

    /// The world over an app whose state `configure` adjusted.
    pub async fn with_state(configure: impl FnOnce(&mut command_api::AppState)) -> Self {
        let app = TestApp::spawn_with(configure, command_api::router).await;
        let actor = |role| Actor::new(AccountId::new(), role);
        let world = Self {
            client_a: actor(Role::Client),
            client_b: actor(Role::Client),
            winner: actor(Role::Provider),
            other_provider: actor(Role::Provider),
            admin: actor(Role::Admin),
            auditor: actor(Role::Auditor),
            subscription_id: SubscriptionId::new(),
            app,
        };
        world.subscribe(world.subscription_id, true).await;
        world
    }

    /// A subscription of client A; accepted (and so active) by the winner when `accept`.
    pub async fn subscribe(&self, id: SubscriptionId, accept: bool) {
        let store = Store::new(self.app.pool.clone());
        let cqrs = store.subscriptions();
        let now = chrono::Utc::now();
        let mut commands = vec![
            (
                self.client_a,
                SubscriptionCommand::Request {
                    actor: self.client_a,
                    subscription_id: id,
                    service_type: legal(),
                    plan: Plan::OneOff,
                    description: "Review our supply contract".into(),
                    price: price(),
                    acceptance_deadline: now + chrono::Duration::hours(1),
                    at: now,
                },
            ),
            (
                self.client_a,
                SubscriptionCommand::FundEscrow {
                    transfer_id: TransferId::new(),
                    amount: price(),
                },
            ),
        ];
        if accept {
            commands.push((
                self.winner,
                SubscriptionCommand::Accept {
                    actor: self.winner,
                    provider_service_types: vec![legal()],
                    at: now,
                },
            ));
        }
        for (actor, command) in commands {
            execute_with_retry::<Subscription, _, _>(
                &cqrs,
                &id.to_string(),
                || command.clone(),
                &EventMetadata::by(actor),
                3,
            )
            .await
            .expect("subscription command");
        }
    }

    pub fn actor(&self, who: Who) -> Option<Actor> {
        match who {
            Who::Anonymous => None,
            Who::ClientA => Some(self.client_a),
            Who::ClientB => Some(self.client_b),
            Who::Winner => Some(self.winner),
            Who::OtherProvider => Some(self.other_provider),
            Who::Admin => Some(self.admin),
            Who::Auditor => Some(self.auditor),
        }
    }

    pub fn token(&self, who: Who) -> Option<String> {
        self.actor(who)
            .map(|a| self.app.tokens().issue(a.id, a.role).expect("token"))
    }

    /// POSTs `body` (or nothing) as `who`, with a fresh `Idempotency-Key`
    /// (required on the money commands, ignored elsewhere).
    pub async fn post_as(&self, who: Who, path: &str, body: Option<&Value>) -> reqwest::Response {
        let mut req = self
            .app
            .client
            .post(self.app.url(path))
            .header("idempotency-key", uuid::Uuid::new_v4().to_string());
        if let Some(token) = self.token(who) {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send().await.expect("request")
    }

    /// A new order of client A in the world's subscription.
    pub async fn order(&self) -> String {
        let res = self
            .post_as(
                Who::ClientA,
                &format!(
                    "/api/v1/commands/subscriptions/{}/orders",
                    self.subscription_id
                ),
                Some(&json!({"title": "Draft the NDA", "details": "Two parties"})),
            )
            .await;
        assert_eq!(res.status(), 201);
        created_id(res).await
    }

    /// A new order, taken by the winner.
    pub async fn taken_order(&self) -> String {
        let order = self.order().await;
        let res = self
            .post_as(
                Who::Winner,
                &format!("/api/v1/commands/orders/{order}/take"),
                None,
            )
            .await;
        assert_eq!(res.status(), 204);
        order
    }

    /// A complaint by client A about `order`.
    pub async fn complaint_on(&self, order: &str) -> String {
        let res = self
            .post_as(
                Who::ClientA,
                &format!("/api/v1/commands/orders/{order}/complaints"),
                Some(&json!({"reason": "The provider stopped answering"})),
            )
            .await;
        assert_eq!(res.status(), 201);
        created_id(res).await
    }

    /// A complaint by client A about a new order.
    pub async fn complaint(&self) -> String {
        let order = self.order().await;
        self.complaint_on(&order).await
    }

    pub async fn events(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.app.pool)
            .await
            .expect("count")
    }

    /// The event types of aggregate `id`, in order.
    pub async fn event_types(&self, id: &str) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT event_type FROM events WHERE aggregate_id = $1 ORDER BY sequence",
        )
        .bind(id)
        .fetch_all(&self.app.pool)
        .await
        .expect("events")
    }

    /// Gives `who` a login, so admin messages can find the account.
    pub async fn with_credentials(&self, who: Who) {
        let actor = self.actor(who).expect("an account");
        sqlx::query(
            "INSERT INTO credentials (account_id, email, password_hash, role) VALUES ($1, $2, 'x', $3)",
        )
        .bind(actor.id.as_uuid())
        .bind(format!("{}@example.ru", actor.id))
        .bind(actor.role.as_str())
        .execute(&self.app.pool)
        .await
        .expect("credentials");
    }
}

pub async fn created_id(res: reqwest::Response) -> String {
    let body: Value = res.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

/// Asserts a 422 rule refusal with `rule`.
pub async fn assert_rule(res: reqwest::Response, rule: &str) {
    let body = assert_problem(res, 422, None).await;
    assert_eq!(body["rule"], rule, "{body}");
}
