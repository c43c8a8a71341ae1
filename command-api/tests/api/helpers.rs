//! `TestApp::spawn()`: a fresh database, the app on port 0, a client.

use command_api::AppState;
use platform::{AuthSettings, HttpSettings, TokenKeys};
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;
use store::TestDb;

pub const SECRET: &str = "test-secret-test-secret-test-secret!";
/// Signs and verifies the sandbox's callbacks in tests.
pub const WEBHOOK_SECRET: &str = "webhook-secret-webhook-secret-webhook!";
pub const PASSWORD: &str = "correct horse battery";
/// Valid check digits (Sberbank's INN).
pub const INN: &str = "7707083893";

pub fn auth_settings(secret: &str) -> AuthSettings {
    AuthSettings {
        jwt_secret: SecretString::from(secret.to_owned()),
        access_ttl: Duration::from_secs(900),
        refresh_ttl: Duration::from_secs(3600),
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub pool: PgPool,
    pub state: AppState,
    // Dropped last: the database goes when the app's handle does.
    _db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}, command_api::router).await
    }

    /// `configure` adjusts the state; `build` makes the router from it.
    pub async fn spawn_with(
        configure: impl FnOnce(&mut AppState),
        build: impl FnOnce(AppState) -> axum::Router,
    ) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            platform::telemetry::init();
        }
        let db = TestDb::create().await.expect("test database");
        let pool = db.pool().clone();
        let mut state = AppState::new(
            pool.clone(),
            &auth_settings(SECRET),
            HttpSettings {
                addr: "127.0.0.1:0".parse().expect("addr"),
                ..HttpSettings::default()
            },
        );
        // Bound first: the sandbox calls the webhook back on this very port.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        state = state.with_payments(&command_api::payments::PaymentSettings {
            sandbox_delay: Duration::from_millis(10),
            ..command_api::payments::PaymentSettings::sandbox(
                format!("http://127.0.0.1:{port}/api/v1/payments/webhook"),
                SecretString::from(WEBHOOK_SECRET.to_owned()),
            )
        });
        // Tests register many accounts from 127.0.0.1; the limit's own
        // tests set theirs in `configure`.
        state.registration_limits.per_ip = 1_000_000;
        configure(&mut state);
        let app = build(state.clone());
        tokio::spawn(platform::http::serve(
            listener,
            app,
            std::future::pending::<()>(),
        ));
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            pool,
            state,
            _db: db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn tokens(&self) -> &TokenKeys {
        &self.state.tokens
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn register_client(&self, email: &str) -> reqwest::Response {
        self.post("/api/v1/auth/register/client", &client_body(email))
            .await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Registers a client and logs in: `(access, refresh)`.
    pub async fn signed_in_client(&self, email: &str) -> (String, String) {
        assert_eq!(self.register_client(email).await.status(), 201);
        let body: Value = self
            .login(email, PASSWORD)
            .await
            .json()
            .await
            .expect("json");
        (
            body["access_token"].as_str().expect("access").to_owned(),
            body["refresh_token"].as_str().expect("refresh").to_owned(),
        )
    }
}

pub fn client_body(email: &str) -> Value {
    json!({
        "email": email,
        "password": PASSWORD,
        "company": {"name": "Roga i Kopyta LLC", "inn": INN},
        "contact_name": "Ivan Petrov"
    })
}

/// Asserts a problem+json answer of `status` naming `field`; returns it.
pub async fn assert_problem(res: reqwest::Response, status: u16, field: Option<&str>) -> Value {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], status);
    assert!(body["request_id"].is_string(), "{body}");
    if let Some(field) = field {
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(fields.contains(&field), "expected field {field} in {body}");
    }
    body
}
