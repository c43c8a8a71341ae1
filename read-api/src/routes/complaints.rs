//! Complaints as the order's parties see them: status, reason and the
//! decision, without the admins' notes and reviewer
//! ([`Complaint::for_party`]); admins see them whole. Anyone else gets 404,
//! as for an order they may not see.

use crate::access::{self, ORDER_VISIBLE, PARTIES_AND_ADMINS};
use crate::error::ApiResult;
use crate::model::{COMPLAINT_COLUMNS, Complaint, ComplaintRow};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use crate::routes::Id;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::{Caller, Problem};

/// One complaint, for its order's client and provider (redacted) and admins (whole).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints",
    params(("id" = uuid::Uuid, Path, description = "The complaint")),
    responses((status = 200, description = "for the parties `notes` is `[]` and `reviewer_id` `null`", body = Complaint),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id, complaint.id = %id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Complaint>> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    // The complaint's own client and provider are the order's.
    let sql = format!(
        "SELECT {COMPLAINT_COLUMNS} FROM read.complaints o \
         WHERE o.id = $3 AND {ORDER_VISIBLE}"
    );
    let row: ComplaintRow = sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(access::is_admin(&caller))
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(Complaint::from(row).for_caller(&caller)))
}

/// The complaints about an order, newest first, for its parties (redacted)
/// and admins (whole).
#[utoipa::path(get, path = "/api/v1/orders/{id}/complaints", tag = "complaints",
    params(("id" = uuid::Uuid, Path, description = "The order"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, description = "for the parties `notes` is `[]` and `reviewer_id` `null`", body = Page<Complaint>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id, order.id = %id))]
pub async fn of_order(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Complaint>>> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    let visible: Option<bool> = sqlx::query_scalar(&format!(
        "SELECT true FROM read.orders o WHERE o.id = $3 AND {ORDER_VISIBLE}"
    ))
    .bind(caller.account_id.as_uuid())
    .bind(access::is_admin(&caller))
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    if visible.is_none() {
        return Err(Problem::not_found().into());
    }
    let sql = format!(
        "SELECT {COMPLAINT_COLUMNS} FROM read.complaints c WHERE c.order_id = $1 \
           AND ($2::timestamptz IS NULL OR (c.filed_at, c.id) < ($2, $3::uuid)) \
         ORDER BY c.filed_at DESC, c.id DESC LIMIT $4"
    );
    let rows: Vec<ComplaintRow> = sqlx::query_as(&sql)
        .bind(id)
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, ComplaintRow::cursor, |r| {
        Complaint::from(r).for_caller(&caller)
    })))
}
