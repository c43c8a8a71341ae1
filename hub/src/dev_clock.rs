//! `POST /api/v1/commands/dev/clock`, mounted only by `hub dev`: moves the
//! shared development clock, like `hub dev-clock advance`. Body:
//! `{"advance": "P31D"}` (ISO 8601 or `31d`, `12h`, …) or `{"advance": 2678400}` (seconds).

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use platform::{FieldError, Json, Problem};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceRequest {
    advance: Span,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Span {
    Seconds(i64),
    Text(String),
}

#[derive(Debug, Serialize)]
struct ClockNow {
    now: chrono::DateTime<chrono::Utc>,
    offset_secs: i64,
}

/// The route, for `hub dev` only: anyone on the laptop may move time.
pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/api/v1/commands/dev/clock", post(advance))
        .with_state(pool)
}

#[tracing::instrument(skip(pool))]
async fn advance(
    State(pool): State<PgPool>,
    Json(req): Json<AdvanceRequest>,
) -> Result<Json<ClockNow>, Problem> {
    let by = match &req.advance {
        Span::Seconds(s) => chrono::Duration::try_seconds(*s),
        Span::Text(t) => store::clock::parse_span(t),
    }
    .filter(|d| *d > chrono::Duration::zero())
    .ok_or_else(|| {
        Problem::validation(vec![FieldError::new(
            "advance",
            "a positive span: seconds, or e.g. P31D, PT12H, 31d",
        )])
    })?;
    let offset = store::clock::advance_dev_clock(&pool, by)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not move the dev clock");
            Problem::internal()
        })?;
    Ok(Json(ClockNow {
        now: chrono::Utc::now() + offset,
        offset_secs: offset.num_seconds(),
    }))
}
