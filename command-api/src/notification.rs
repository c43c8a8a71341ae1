//! Marking in-app notifications read. They are the notifier's records, not
//! an aggregate's: a read mark is a plain update of the caller's own rows.

use crate::handler::{not_found_named, parse_id_or_404};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use platform::{Caller, Json, Problem};
use serde::Serialize;
use utoipa::ToSchema;

/// How many notifications a request marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    /// Newly marked (0 when they were read already).
    pub marked: u64,
}

/// Marks one of the caller's notifications read (again is fine).
#[utoipa::path(post, path = "/api/v1/commands/notifications/{id}/read", tag = "account",
    params(("id" = uuid::Uuid, Path, description = "the notification")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Marked),
        (status = 404, description = "no such notification of the caller's", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip(state), fields(account.id = %caller.account_id))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Marked>), ApiError> {
    let id = parse_id_or_404(&id)?;
    let found: Option<bool> = sqlx::query_scalar(
        "WITH mine AS (SELECT id, read_at FROM notifications WHERE id = $1 AND account_id = $2), \
              marked AS (UPDATE notifications SET read_at = now() \
                         WHERE id IN (SELECT id FROM mine WHERE read_at IS NULL) RETURNING id) \
         SELECT EXISTS (SELECT 1 FROM marked) FROM mine",
    )
    .bind(id)
    .bind(caller.account_id.as_uuid())
    .fetch_optional(&state.pool)
    .await
    .map_err(ApiError::internal)?;
    let Some(newly) = found else {
        return Err(not_found_named("notification"));
    };
    Ok((
        StatusCode::OK,
        Json(Marked {
            marked: u64::from(newly),
        }),
    ))
}

/// Marks every notification of the caller read.
#[utoipa::path(post, path = "/api/v1/commands/notifications/read-all", tag = "account",
    security(("bearer" = [])),
    responses((status = 200, body = Marked)))]
#[tracing::instrument(skip(state), fields(account.id = %caller.account_id))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(StatusCode, Json<Marked>), ApiError> {
    let marked = sqlx::query(
        "UPDATE notifications SET read_at = now() WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(caller.account_id.as_uuid())
    .execute(&state.pool)
    .await
    .map_err(ApiError::internal)?
    .rows_affected();
    Ok((StatusCode::OK, Json(Marked { marked })))
}
