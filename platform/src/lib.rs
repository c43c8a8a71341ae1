//! What every HTTP role of Hub shares: typed configuration, telemetry,
//! RFC 9457 problem responses, the JSON body extractor, request ids, access
//! tokens, blocked accounts and the [`Caller`] extractor, health and readiness probes,
//! Prometheus metrics, security headers, request timeouts and graceful shutdown.
//!
//! A role builds its own `Router` of API routes and hands it to
//! [`http::with_common_layers`], then serves it with [`http::serve`].

pub mod auth;
pub mod blocklist;
pub mod client_ip;
pub mod config;
pub mod health;
pub mod http;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod request_id;
pub mod security_headers;
pub mod shutdown;
pub mod telemetry;

pub use auth::{Caller, Claims, TokenError, TokenKeys};
pub use blocklist::Blocklist;
pub use client_ip::ClientIp;
pub use config::{
    AuthSettings, ConfigError, DatabaseSettings, Env, HttpSettings, MetricsSettings, Settings,
};
pub use json::Json;
pub use problem::{FieldError, Problem};
pub use request_id::RequestId;
