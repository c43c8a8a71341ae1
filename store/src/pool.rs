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
