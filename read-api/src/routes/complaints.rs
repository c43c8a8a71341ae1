//! The admins' complaint queue.

use crate::error::ApiResult;
use crate::model::{COMPLAINT_COLUMNS, Complaint, ComplaintRow};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams, bad_param};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use domain::Role;
use platform::Caller;

const STATUSES: &[&str] = &["filed", "in_review", "resolved", "withdrawn"];

/// Complaints, newest first, optionally of one `status`. Admins only.
#[utoipa::path(get, path = "/api/v1/admin/complaints", tag = "admin",
    params(("status" = Option<String>, Query, description = "`filed`, `in_review`, `resolved` or `withdrawn`"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20")),
    responses((status = 200, body = Page<Complaint>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Complaint>>> {
    caller.require(&[Role::Admin])?;
    let (page, q) = PageParams::parse(query.as_deref(), &["status"])?;
    let status = q.get("status").map(String::as_str);
    if let Some(s) = status
        && !STATUSES.contains(&s)
    {
        return Err(bad_param("status", format!("must be one of: {}", STATUSES.join(", "))).into());
    }
    let sql = format!(
        "SELECT {COMPLAINT_COLUMNS} FROM read.complaints c \
         WHERE ($1::text IS NULL OR c.status = $1) \
           AND ($2::timestamptz IS NULL OR (c.filed_at, c.id) < ($2, $3::uuid)) \
         ORDER BY c.filed_at DESC, c.id DESC LIMIT $4"
    );
    let rows: Vec<ComplaintRow> = sqlx::query_as(&sql)
        .bind(status)
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, ComplaintRow::cursor, Complaint::from)))
}
