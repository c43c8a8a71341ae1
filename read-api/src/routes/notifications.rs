//! In-app notifications: what the notifier told the caller.

use crate::error::ApiResult;
use crate::model::{NOTIFICATION_COLUMNS, Notification, UnreadCount};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::Caller;

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "account",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Notification>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Notification>>> {
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    let sql = format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications \
         WHERE account_id = $1 \
           AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid)) \
         ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    let rows: Vec<Notification> = sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, Notification::cursor, |n| n)))
}

/// How many of the caller's notifications are unread (the bell's number).
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "account",
    responses((status = 200, body = UnreadCount),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id))]
pub async fn unread(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<UnreadCount>> {
    let unread: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
    )
    .bind(caller.account_id.as_uuid())
    .fetch_one(&state.pool)
    .await?;
    Ok(Json(UnreadCount { unread }))
}
