//! The admins' complaint queue: every complaint, whole (with the admins'
//! notes and reviewer, which the parties never see).

use super::{one_of, require_admin, uuid};
use crate::error::ApiResult;
use crate::model::{COMPLAINT_COLUMNS, Complaint, ComplaintRow};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use crate::routes::Id;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::{Caller, Problem};

/// A complaint's statuses.
pub const STATUSES: &[&str] = &["filed", "in_review", "resolved", "withdrawn"];

/// Complaints, newest first, optionally of one `status` and one order. Admins only.
#[utoipa::path(get, path = "/api/v1/admin/complaints", tag = "admin",
    params(("status" = Option<String>, Query, description = "`filed`, `in_review`, `resolved` or `withdrawn`"),
           ("order_id" = Option<String>, Query, description = "Only the complaints about this order: its UUID, hyphenated; empty counts as absent",
            pattern = r"^$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
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
    require_admin(&caller)?;
    let (page, q) = PageParams::parse(query.as_deref(), &["status", "order_id"])?;
    let status = one_of(&q, "status", STATUSES)?;
    let order = uuid(&q, "order_id")?;
    let sql = format!(
        "SELECT {COMPLAINT_COLUMNS} FROM read.complaints c \
         WHERE ($1::text IS NULL OR c.status = $1) \
           AND ($5::uuid IS NULL OR c.order_id = $5) \
           AND ($2::timestamptz IS NULL OR (c.filed_at, c.id) < ($2, $3::uuid)) \
         ORDER BY c.filed_at DESC, c.id DESC LIMIT $4"
    );
    let rows: Vec<ComplaintRow> = sqlx::query_as(&sql)
        .bind(status)
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .bind(order)
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, ComplaintRow::cursor, Complaint::from)))
}

/// One complaint, whole. Admins only; 404 when there is no such complaint.
#[utoipa::path(get, path = "/api/v1/admin/complaints/{id}", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "The complaint")),
    responses((status = 200, body = Complaint),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an admin", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id, complaint.id = %id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Complaint>> {
    require_admin(&caller)?;
    let sql = format!("SELECT {COMPLAINT_COLUMNS} FROM read.complaints WHERE id = $1");
    let row: ComplaintRow = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(row.into()))
}
