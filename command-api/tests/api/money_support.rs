//! A world for the money commands: a seeded catalog, two clients, two
//! providers (legal, delivery), an admin and an auditor, all signed in.

use crate::helpers::*;
use domain::Role;
use serde_json::{Value, json};

pub const LEGAL_BIK: &str = "044525225";
pub const LEGAL_ACCOUNT: &str = "40702810238720001420";

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
        command_api::money::seed_catalog(&app.pool)
            .await
            .expect("seed");
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

    pub async fn top_up(&self, token: &str, amount: &str) -> reqwest::Response {
        let key = uuid::Uuid::new_v4().to_string();
        self.send(
            "/api/v1/commands/wallet/top-ups",
            Some(token),
            Some(&key),
            &json!({"amount": amount}),
        )
        .await
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
