//! What every handler can reach.

use crate::events::EventHub;
use axum::extract::FromRef;
use platform::{AuthSettings, Blocklist, HttpSettings, TokenKeys};
use sqlx::PgPool;

/// Shared state of the read-api role; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The PostgreSQL pool (schema `read`).
    pub pool: PgPool,
    /// Verifies access tokens.
    /// Blocked accounts, refused on every request.
    pub blocklist: Blocklist,
    pub tokens: TokenKeys,
    /// Listener and per-request limits.
    pub http: HttpSettings,
    /// Live changes for the SSE stream.
    pub events: EventHub,
}

impl AppState {
    /// State from a pool and the role's settings; starts the change listener
    /// (so it must be called inside a Tokio runtime).
    pub fn new(pool: PgPool, auth: &AuthSettings, http: HttpSettings) -> Self {
        Self {
            events: EventHub::start(pool.clone()),
            blocklist: Blocklist::start(pool.clone()),
            pool,
            tokens: TokenKeys::new(auth),
            http,
        }
    }
}

impl FromRef<AppState> for TokenKeys {
    fn from_ref(s: &AppState) -> Self {
        s.tokens.clone()
    }
}

impl FromRef<AppState> for Blocklist {
    fn from_ref(s: &AppState) -> Self {
        s.blocklist.clone()
    }
}
