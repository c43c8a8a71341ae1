//! Liveness and readiness probes.

use crate::problem::Problem;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

/// `GET /healthz` (the process answers) and `GET /readyz` (the database
/// answers within two seconds, else 503).
pub fn router<S: Clone + Send + Sync + 'static>(pool: PgPool) -> Router<S> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(move || ready(pool.clone())))
}

async fn ready(pool: PgPool) -> Response {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&pool);
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(_)) => Json(json!({"status": "ready"})).into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database error");
            not_ready("the database refused the probe")
        }
        Err(_) => not_ready("the database did not answer within 2 s"),
    }
}

fn not_ready(detail: &str) -> Response {
    Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "Not ready")
        .with_detail(detail)
        .into_response()
}
