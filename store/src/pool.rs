//! The PostgreSQL pool and the event store's migrations.
//!
//! TCP_NODELAY: a peer built on these crates stalled ~40 ms per query once
//! responses passed a few KB (Nagle on one side, delayed ACK on the other).
//! sqlx 0.8.6 already calls `set_nodelay(true)` on every TCP socket it opens
//! for PostgreSQL (`sqlx-core/src/net/socket/mod.rs`, `connect_tcp`, tokio
//! runtime), so there is nothing to add here; the `pool` integration test
//! guards the behaviour should sqlx ever move.

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// How long a caller waits for a free connection before getting an error:
/// long enough to ride out a burst, short enough that an HTTP request fails
/// fast instead of hanging when the pool is exhausted or PostgreSQL is gone.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Idle connections above the minimum are closed after this long.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// Connections are recycled after this long, so server-side memory growth
/// and fail-overs behind a service name are picked up.
pub const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Opens a pool of at most `max_connections` to `url`
/// (`postgres://user@host:port/db`).
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.application_name("hub");
    PgPoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .idle_timeout(IDLE_TIMEOUT)
        .max_lifetime(MAX_LIFETIME)
        .connect_with(options)
        .await
}

/// Applies the event store's migrations (idempotent; takes PostgreSQL's
/// advisory lock, so replicas starting together do not race).
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("./migrations").run(pool).await
}

/// Creates the database named in `url` when it does not exist yet, so a
/// newcomer's first `hub dev` or `hub migrate` needs no manual `createdb`.
pub async fn ensure_database(url: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let options = PgConnectOptions::from_str(url)?;
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let mut admin = sqlx::PgConnection::connect_with(&options.clone().database("postgres")).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        // A concurrent creator may win the race; its database is as good as ours.
        if let Err(e) = sqlx::query(&format!("CREATE DATABASE {quoted}"))
            .execute(&mut admin)
            .await
        {
            let duplicate = e
                .as_database_error()
                .and_then(|d| d.code())
                .is_some_and(|c| c == "42P04");
            if !duplicate {
                return Err(e);
            }
        }
    }
    admin.close().await
}
