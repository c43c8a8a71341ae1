//! A world for the money commands: a seeded catalog, two clients, two
//! providers (legal, delivery), an admin and an auditor, all signed in.

use crate::helpers::*;
use domain::Role;
use serde_json::{Value, json};

pub const LEGAL_BIK: &str = "044525225";
pub const LEGAL_ACCOUNT: &str = "40702810238720001420";

/// A top-up's status (its body was read for the payment id).
pub struct TopUp {
    status: reqwest::StatusCode,
}

impl TopUp {
    pub fn status(&self) -> reqwest::StatusCode {
        self.status
    }
}

pub struct World {
    pub app: TestApp,
    pub client_a: String,
    pub client_a_id: String,
    pub client_b: String,
    pub provider_legal: String,
    pub provider_delivery: String,
    pub admin: String,
    pub auditor: String,
}

pub async fn login_token(app: &TestApp, email: &str) -> (String, String) {
    let res = app.login(email, PASSWORD).await;
    assert_eq!(res.status(), 200, "login {email}");
    let body: Value = res.json().await.expect("json");
    let token = body["access_token"].as_str().expect("token").to_owned();
    let who: Value = app
        .get_with_token("/api/v1/auth/whoami", &token)
        .await
        .json()
        .await
        .expect("json");
    let id = who["account_id"]
        .as_str()
        .unwrap_or_else(|| panic!("whoami: {who}"));
    (token, id.to_owned())
}

pub async fn provider(app: &TestApp, email: &str, types: &[&str]) -> String {
    let res = app
        .post(
            "/api/v1/auth/register/provider",
            &json!({
                "email": email,
                "password": PASSWORD,
                "company": {"name": "Provider LLC", "inn": INN},
                "service_types": types,
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    login_token(app, email).await.0
}

pub async fn staff(app: &TestApp, email: &str, role: Role) -> String {
    command_api::bootstrap_staff(&app.pool, email, PASSWORD, role)
        .await
        .expect("staff");
    login_token(app, email).await.0
}

impl World {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(configure: impl FnOnce(&mut command_api::AppState)) -> Self {
        let app = TestApp::spawn_with(configure, command_api::router).await;
        command_api::seed_catalog(&app.pool).await.expect("seed");
        assert_eq!(app.register_client("a@example.ru").await.status(), 201);
        let (client_a, client_a_id) = login_token(&app, "a@example.ru").await;
        let (client_b, _) = app.signed_in_client("b@example.ru").await;
        let provider_legal = provider(&app, "legal@example.ru", &["legal"]).await;
        let provider_delivery = provider(&app, "delivery@example.ru", &["delivery"]).await;
        let admin = staff(&app, "admin@hub.example", Role::Admin).await;
        let auditor = staff(&app, "auditor@hub.example", Role::Auditor).await;
        Self {
            app,
            client_a,
            client_a_id,
            client_b,
            provider_legal,
            provider_delivery,
            admin,
            auditor,
        }
    }

    /// POSTs `body` to `path` as `token` (anonymous when `None`), with an
    /// optional `Idempotency-Key`. Subscribing and cancelling always get one
    /// (a fresh one when `key` is `None`): tests of the key itself use the
    /// wallet routes and [`Self::send_without_key`].
    pub async fn send(
        &self,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let needs_key = path == "/api/v1/commands/subscriptions" || path.ends_with("/cancel");
        let fresh = uuid::Uuid::new_v4().to_string();
        let key = key.or(needs_key.then_some(fresh.as_str()));
        let mut req = self.app.client.post(self.app.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        req.send().await.expect("request")
    }

    /// POSTs `body` to `path` as `token` with no `Idempotency-Key`.
    pub async fn send_without_key(
        &self,
        path: &str,
        token: &str,
        body: &Value,
    ) -> reqwest::Response {
        let req = self
            .app
            .client
            .post(self.app.url(path))
            .json(body)
            .bearer_auth(token);
        req.send().await.expect("request")
    }

    /// Tops up through the sandbox: request, approve, and wait until the
    /// signed callback settled it (so the money is there on return).
    pub async fn top_up(&self, token: &str, amount: &str) -> TopUp {
        let res = self.request_top_up(token, amount).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status == 201 {
            let payment = body["payment_id"].as_str().expect("payment_id");
            assert_eq!(self.sandbox(payment, "approve").await.status(), 202);
            let transfer = body["transfer_id"].as_str().expect("transfer_id");
            assert_eq!(self.outcome_of(transfer).await, Some("TopUpSettled".into()));
        }
        TopUp { status }
    }

    /// Only requests a top-up: it stays pending until the gateway calls back.
    pub async fn request_top_up(&self, token: &str, amount: &str) -> reqwest::Response {
        let key = uuid::Uuid::new_v4().to_string();
        self.send(
            "/api/v1/commands/wallet/top-ups",
            Some(token),
            Some(&key),
            &json!({"amount": amount}),
        )
        .await
    }

    /// `POST /api/v1/payments/sandbox/{payment}/{action}` (approve, decline).
    pub async fn sandbox(&self, payment: &str, action: &str) -> reqwest::Response {
        self.send(
            &format!("/api/v1/payments/sandbox/{payment}/{action}"),
            None,
            None,
            &json!({}),
        )
        .await
    }

    /// Waits (up to 10 s) for the top-up's `TopUpSettled` or `TopUpFailed`.
    pub async fn outcome_of(&self, transfer_id: &str) -> Option<String> {
        for _ in 0..200 {
            let outcome: Option<String> = sqlx::query_scalar(
                "SELECT event_type FROM events WHERE aggregate_type = 'Wallet' \
                 AND event_type IN ('TopUpSettled', 'TopUpFailed') \
                 AND payload -> event_type ->> 'transfer_id' = $1",
            )
            .bind(transfer_id)
            .fetch_optional(&self.app.pool)
            .await
            .expect("outcome");
            if outcome.is_some() {
                return outcome;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }

    /// Requests a subscription as `token`; returns its id.
    pub async fn subscribe(&self, token: &str, service_type: &str, plan: &str) -> String {
        let res = self.request_subscription(token, service_type, plan).await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.expect("json");
        body["id"].as_str().expect("id").to_owned()
    }

    pub async fn request_subscription(
        &self,
        token: &str,
        service_type: &str,
        plan: &str,
    ) -> reqwest::Response {
        let key = uuid::Uuid::new_v4().to_string();
        self.send(
            "/api/v1/commands/subscriptions",
            Some(token),
            Some(&key),
            &json!({"service_type": service_type, "plan": plan, "description": "Need help"}),
        )
        .await
    }

    pub async fn events(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.app.pool)
            .await
            .expect("count")
    }

    pub async fn events_of(&self, aggregate_type: &str, event_type: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE aggregate_type = $1 AND event_type = $2",
        )
        .bind(aggregate_type)
        .bind(event_type)
        .fetch_one(&self.app.pool)
        .await
        .expect("count")
    }

    pub async fn balance(&self, account_id: &str) -> String {
        use cqrs_es::EventStore;
        let store = store::HubEventStore::<domain::wallet::Wallet>::new(self.app.pool.clone());
        let wallet = store.load_aggregate(account_id).await.expect("wallet");
        wallet.aggregate.balance().amount().to_string()
    }
}
