//! What every handler can reach.

use crate::events::EventHub;
use crate::events::limits::{StreamLimits, StreamSettings};
use axum::extract::FromRef;
use platform::config::{ConfigError, Env};
use platform::{AuthSettings, Blocklist, HttpSettings, TokenKeys};
use sqlx::PgPool;

/// Shared state of the read-api role; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The PostgreSQL pool (schema `read`).
    pub pool: PgPool,
    /// Blocked accounts, refused on every request.
    pub blocklist: Blocklist,
    /// Verifies access tokens.
    pub tokens: TokenKeys,
    /// Listener and per-request limits.
    pub http: HttpSettings,
    /// Live changes for the SSE stream.
    pub events: EventHub,
    /// How many streams this replica holds, and its tickets' lifetime.
    pub streams: StreamLimits,
    /// The platform operator named on closing documents.
    pub operator: documents::Party,
    /// Where the files posted into orders' chats are kept.
    pub files: std::sync::Arc<dyn store::AttachmentStore>,
}

/// The operator of a development or test install (a made-up INN with a
/// valid check digit).
pub fn demo_operator() -> documents::Party {
    documents::Party {
        name: "ООО «Хаб» (демо)".to_owned(),
        inn: "7700000009".to_owned(),
    }
}

/// `HUB_OPERATOR__NAME` and `HUB_OPERATOR__INN`: who runs the platform, as
/// named on every closing document; the demo operator when unset.
pub fn operator_from(env: &Env) -> Result<documents::Party, ConfigError> {
    let demo = demo_operator();
    let name = env
        .get("HUB_OPERATOR__NAME")
        .unwrap_or(&demo.name)
        .trim()
        .to_owned();
    if name.is_empty() {
        return Err(ConfigError::Invalid {
            var: "HUB_OPERATOR__NAME",
            reason: "must not be blank".to_owned(),
        });
    }
    let inn = env.get("HUB_OPERATOR__INN").unwrap_or(&demo.inn);
    let inn = domain::Inn::parse(inn).map_err(|e| ConfigError::Invalid {
        var: "HUB_OPERATOR__INN",
        reason: e.to_string(),
    })?;
    Ok(documents::Party {
        name,
        inn: inn.as_str().to_owned(),
    })
}

impl AppState {
    /// State from a pool and the role's settings; starts the change listener
    /// (so it must be called inside a Tokio runtime).
    pub fn new(pool: PgPool, auth: &AuthSettings, http: HttpSettings) -> Self {
        Self {
            events: EventHub::start(pool.clone()),
            streams: StreamLimits::default(),
            blocklist: Blocklist::start(pool.clone()),
            files: std::sync::Arc::new(store::PgAttachments::new(pool.clone())),
            pool,
            tokens: TokenKeys::new(auth),
            http,
            operator: demo_operator(),
        }
    }

    /// Holds the stream to `settings` (`HUB_EVENTS__*`).
    pub fn with_streams(mut self, settings: StreamSettings) -> Self {
        self.streams = StreamLimits::new(settings);
        self
    }

    /// Names `operator` on closing documents.
    pub fn with_operator(mut self, operator: documents::Party) -> Self {
        self.operator = operator;
        self
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
