//! `TestApp::spawn()`: a fresh database, the app on port 0, a client.

use command_api::AppState;
use platform::{AuthSettings, HttpSettings, TokenKeys};
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::time::Duration;

pub const SECRET: &str = "test-secret-test-secret-test-secret!";
pub const PASSWORD: &str = "correct horse battery";
/// Valid check digits (Sberbank's INN).
pub const INN: &str = "7707083893";

fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn with_db(url: &str, db: &str) -> String {
    match url.rfind('/') {
        Some(i) => format!("{}/{db}", &url[..i]),
        None => format!("{url}/{db}"),
    }
}

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
    db_name: String,
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
        let db_name = format!("hub_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url()).await.expect("postgres");
        admin
            .execute(format!(r#"CREATE DATABASE "{db_name}""#).as_str())
            .await
            .expect("create database");
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(20)
            .connect(&with_db(&admin_url(), &db_name))
            .await
            .expect("connect");
        sqlx::migrate!("../store/migrations")
            .run(&pool)
            .await
            .expect("migrate");
        let mut state = AppState::new(
            pool.clone(),
            &auth_settings(SECRET),
            HttpSettings {
                addr: "127.0.0.1:0".parse().expect("addr"),
                ..HttpSettings::default()
            },
        );
        configure(&mut state);
        let app = build(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
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
            db_name,
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

impl Drop for TestApp {
    fn drop(&mut self) {
        let db = self.db_name.clone();
        // Drop is sync; a fresh runtime on its own thread drops the database.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url()).await {
                    let _ = admin
                        .execute(format!(r#"DROP DATABASE IF EXISTS "{db}" WITH (FORCE)"#).as_str())
                        .await;
                }
            });
        })
        .join();
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
