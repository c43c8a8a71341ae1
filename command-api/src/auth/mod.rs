//! Identity: registration (limited per client address), login,
//! refresh-token rotation, logout.
//!
//! Credentials and refresh tokens live in their own tables (migration
//! `20261125000200_auth.sql`), never in events: a password hash must be
//! erasable, and the event store is forever.

pub mod cookie;
pub mod dto;
pub mod handlers;
pub mod password;
pub mod rate_limit;
pub mod refresh;
pub mod register;
pub mod registration_limit;
pub mod staff;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

/// The routes under `/api/v1/auth`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register/client", post(handlers::register_client))
        .route("/register/provider", post(handlers::register_provider))
        .route("/login", post(handlers::login))
        .route("/refresh", post(handlers::refresh))
        .route("/logout", post(handlers::logout))
        .route("/whoami", get(handlers::whoami))
}
