//! `TestApp`: read-api on port 0 over a fresh PostgreSQL database, plus SQL
//! helpers that write read-model rows the way the projections would.

use chrono::{DateTime, Duration, Utc};
use domain::{AccountId, Role};
use platform::{AuthSettings, HttpSettings, TokenKeys};
use read_api::AppState;
use secrecy::SecretString;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use std::net::SocketAddr;
use std::sync::Once;
use uuid::Uuid;

const SECRET: &str = "read-api-tests-secret-0123456789abcdef";

fn base_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn url_for(db: &str) -> String {
    let base = base_url();
    let cut = base.rfind('/').map_or(base.len(), |i| i);
    format!("{}/{db}", &base[..cut])
}

fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            tracing_subscriber::fmt()
                .with_env_filter("debug,sqlx=warn")
                .init();
        }
    });
}

/// The role under test, served on an ephemeral port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    pub state: AppState,
    pub keys: TokenKeys,
    pub http: reqwest::Client,
    db: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|state| state).await
    }

    /// [`Self::spawn`] with the state changed by `configure` (e.g. stream limits).
    pub async fn spawn_with(configure: impl FnOnce(AppState) -> AppState) -> Self {
        init_tracing();
        let db = format!("read_api_test_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&base_url())
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!(r#"CREATE DATABASE "{db}""#))
            .execute(&mut admin)
            .await
            .expect("create database");
        admin.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(5)
            .connect(&url_for(&db))
            .await
            .expect("connect to the test database");
        sqlx::migrate!("../store/migrations")
            .run(&pool)
            .await
            .expect("migrate");
        let auth = AuthSettings {
            jwt_secret: SecretString::from(SECRET.to_owned()),
            access_ttl: std::time::Duration::from_secs(600),
            refresh_ttl: std::time::Duration::from_secs(3600),
        };
        // The read API itself logs in as its own group (SELECT, and its stream
        // tickets), as in the cluster; the tests' fixtures are written through
        // the owner's pool.
        store::roles::ensure_dev_roles(&pool).await.expect("roles");
        store::roles::grant(&pool).await.expect("grants");
        let reader = PgPoolOptions::new()
            .max_connections(5)
            .connect(&store::roles::url_as(
                &url_for(&db),
                store::roles::READ_API.dev_login,
            ))
            .await
            .expect("connect as the read API");
        let state = configure(AppState::new(reader, &auth, HttpSettings::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = read_api::router(state.clone());
        tokio::spawn(platform::http::serve(listener, app, std::future::pending()));
        Self {
            addr,
            pool,
            keys: TokenKeys::new(&auth),
            state,
            http: reqwest::Client::new(),
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn token(&self, who: &Account) -> String {
        self.keys
            .issue(AccountId::from(who.id), who.role)
            .expect("issue a token")
    }

    /// `GET path` as `who` (anonymous when `None`): status and JSON body.
    pub async fn get(&self, who: Option<&Account>, path: &str) -> (u16, serde_json::Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(w) = who {
            req = req.bearer_auth(self.token(w));
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let body = res.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// A one-time stream ticket for `who`, as the web app gets one.
    pub async fn ticket(&self, who: &Account) -> String {
        let res = self
            .http
            .post(self.url("/api/v1/events/tickets"))
            .bearer_auth(self.token(who))
            .send()
            .await
            .expect("request a ticket");
        assert_eq!(res.status(), 201, "a ticket is issued");
        let body: serde_json::Value = res.json().await.expect("JSON");
        body["ticket"].as_str().expect("ticket").to_owned()
    }

    pub async fn notify(&self, payload: serde_json::Value) {
        sqlx::query("SELECT pg_notify('hub_changes', $1)")
            .bind(payload.to_string())
            .execute(&self.pool)
            .await
            .expect("notify");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.events.close();
        let db = self.db.clone();
        // Async work cannot run in Drop; a helper thread with its own runtime drops the database.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut c) = PgConnection::connect(&base_url()).await {
                    let _ = sqlx::query(&format!(r#"DROP DATABASE IF EXISTS "{db}" WITH (FORCE)"#))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}

/// An account of the fixture.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub role: Role,
}

pub async fn account(pool: &PgPool, role: Role, service_types: &[&str]) -> Account {
    let id = Uuid::new_v4();
    let company = matches!(role, Role::Client | Role::Provider);
    sqlx::query(
        "INSERT INTO read.accounts (account_id, role, email, company_name, company_inn, contact_name, service_types, registered_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())",
    )
    .bind(id)
    .bind(role.as_str())
    .bind(format!("{}@example.ru", id.simple()))
    .bind(company.then_some("ООО Ромашка"))
    .bind(company.then_some("7707083893"))
    .bind("Иван Петров")
    .bind(service_types.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    .execute(pool)
    .await
    .expect("insert account");
    Account { id, role }
}

/// A subscription row; `provider` set means it was accepted (status must say so).
pub struct NewSubscription<'a> {
    pub client: &'a Account,
    pub provider: Option<&'a Account>,
    pub service_type: &'a str,
    pub status: &'a str,
    pub rejected_by: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl<'a> NewSubscription<'a> {
    pub fn requested(client: &'a Account, service_type: &'a str) -> Self {
        Self {
            client,
            provider: None,
            service_type,
            status: "requested",
            rejected_by: Vec::new(),
            created_at: Utc::now(),
        }
    }

    pub async fn insert(self, pool: &PgPool) -> Uuid {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO read.subscriptions (id, client_id, provider_id, service_type, plan, description, status, price, escrow, \
             currency, rejected_by, created_at, acceptance_deadline, updated_at) \
             VALUES ($1, $2, $3, $4, 'monthly', 'Бухгалтерия на месяц', $5, 1500, 1500, 'RUB', $6, $7, $8, $7)",
        )
        .bind(id)
        .bind(self.client.id)
        .bind(self.provider.map(|p| p.id))
        .bind(self.service_type)
        .bind(self.status)
        .bind(self.rejected_by)
        .bind(self.created_at)
        .bind(self.created_at + Duration::hours(24))
        .execute(pool)
        .await
        .expect("insert subscription");
        id
    }
}

pub async fn order(
    pool: &PgPool,
    subscription: Uuid,
    client: &Account,
    provider: &Account,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO read.orders (id, subscription_id, client_id, provider_id, plan, title, details, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'monthly', 'Отчёт за ноябрь', 'Подготовить отчёт', 'in_progress', now(), now())",
    )
    .bind(id)
    .bind(subscription)
    .bind(client.id)
    .bind(provider.id)
    .execute(pool)
    .await
    .expect("insert order");
    id
}

pub async fn message(
    pool: &PgPool,
    order: Uuid,
    author: &Account,
    sequence: i64,
    text: &str,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO read.order_messages (message_id, order_id, sequence, author_id, author_role, text, posted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $3))",
    )
    .bind(id)
    .bind(order)
    .bind(sequence)
    .bind(author.id)
    .bind(author.role.as_str())
    .bind(text)
    .execute(pool)
    .await
    .expect("insert message");
    id
}

pub async fn complaint(
    pool: &PgPool,
    order: Uuid,
    subscription: Uuid,
    client: &Account,
    provider: &Account,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO read.complaints (id, order_id, subscription_id, client_id, provider_id, filed_by, filed_by_role, reason, status, filed_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $4, 'client', 'Сроки сорваны', 'filed', now(), now())",
    )
    .bind(id)
    .bind(order)
    .bind(subscription)
    .bind(client.id)
    .bind(provider.id)
    .execute(pool)
    .await
    .expect("insert complaint");
    id
}

pub async fn wallet(pool: &PgPool, owner: &Account, balance: &str) {
    sqlx::query(
        "INSERT INTO read.wallets (account_id, balance, pending_payouts, currency, updated_at) \
         VALUES ($1, $2::numeric, 0, 'RUB', now()) \
         ON CONFLICT (account_id) DO UPDATE SET balance = EXCLUDED.balance, updated_at = now()",
    )
    .bind(owner.id)
    .bind(balance)
    .execute(pool)
    .await
    .expect("upsert wallet");
}

/// The `id`s of a list answer's items.
pub fn ids(body: &serde_json::Value) -> Vec<Uuid> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").parse().expect("uuid"))
        .collect()
}
