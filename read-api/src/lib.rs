//! Hub's query side over HTTP: `GET /api/v1/...` over the read models in
//! schema `read` (DESIGN §8), cursor-paginated, with visibility checked in
//! every query (DESIGN §7), and live changes over server-sent events at
//! `/api/v1/events/stream`, fed by one `LISTEN hub_changes` per process and
//! opened by browsers with one-time tickets (`POST /api/v1/events/tickets`).
//!
//! [`router`] builds the whole role; [`api_routes`] only the API, for `hub dev`
//! to mount; [`run`] serves it until shutdown.

// `platform::Problem` (about 200 bytes) is every handler's error, built once
// per failed request; boxing it would buy nothing. `allow`, not `expect`:
// platform may shrink it, and then this must not turn into an error.
#![allow(
    clippy::result_large_err,
    reason = "platform::Problem is the error of every handler"
)]

pub mod access;
pub mod error;
pub mod events;
pub mod history;
pub mod model;
pub mod money;
pub mod openapi;
pub mod page;
pub mod routes;
pub mod state;

pub use error::ApiError;
pub use events::EventHub;
pub use state::AppState;

use axum::Router;
use platform::Settings;
use secrecy::ExposeSecret;
use std::future::Future;

/// The API routes of this role, with their state applied, without the
/// common layers (request id, timeout, metrics…).
pub fn api_routes(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", routes::routes())
        .merge(openapi::routes())
        .with_state(state)
}

/// The whole read-api role: API routes, OpenAPI and its UI, `/healthz`,
/// `/readyz`, wrapped in [`platform::http::with_common_layers`]. Not
/// `/metrics`: that has its own listener ([`platform::metrics::serve`]).
pub fn router(state: AppState) -> Router {
    let http = state.http.clone();
    let routes = api_routes(state.clone()).merge(platform::health::router(state.pool.clone()));
    platform::http::with_common_layers(routes, &http)
}

/// Why the role could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The database URL is malformed or PostgreSQL is unreachable.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A setting is missing or malformed.
    #[error("config: {0}")]
    Config(#[from] platform::config::ConfigError),
    /// The listener could not bind or the server failed.
    #[error("http: {0}")]
    Io(#[from] std::io::Error),
}

/// Connects, listens for changes, purges expired stream tickets
/// ([`events::tickets::housekeeping`]) and serves on `settings.http.addr`
/// until `shutdown` completes; then closes the SSE streams (they would hold
/// the graceful shutdown open forever) and drains in-flight requests.
pub async fn run(
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    // The same pool every role uses: acquire timeout, recycling, application name.
    let pool = store::connect(
        settings.database.url.expose_secret(),
        settings.database.max_connections,
    )
    .await?;
    let env = platform::config::Env::from_process();
    let operator = state::operator_from(&env)?;
    let state = AppState::new(pool, &settings.auth, settings.http.clone())
        .with_operator(operator)
        .with_streams(events::limits::StreamSettings::load(&env)?);
    let events = state.events.clone();
    let (stop_housekeeping, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(events::tickets::housekeeping(
        state.pool.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let listener = tokio::net::TcpListener::bind(settings.http.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "read-api listening");
    platform::http::serve(listener, router(state), async move {
        shutdown.await;
        events.close();
    })
    .await?;
    let _ = stop_housekeeping.send(());
    Ok(())
}
