//! Every order, for the admin console.

use super::{flag, one_of, require_admin};
use crate::error::ApiResult;
use crate::model::{ORDER_COLUMNS, Order};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::Caller;

/// An order's statuses.
pub const STATUSES: &[&str] = &["created", "in_progress", "completed", "cancelled"];

/// Orders, newest first, optionally of one `status`, and only the frozen
/// ones (an open complaint holds them) or only the others. Admins only.
#[utoipa::path(get, path = "/api/v1/admin/orders", tag = "admin",
    params(("status" = Option<String>, Query, description = "`created`, `in_progress`, `completed` or `cancelled`"),
           ("frozen" = Option<bool>, Query, description = "`true`: only orders an open complaint freezes; `false`: only the others"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Order>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Order>>> {
    require_admin(&caller)?;
    let (page, q) = PageParams::parse(query.as_deref(), &["status", "frozen"])?;
    let status = one_of(&q, "status", STATUSES)?;
    let frozen = flag(&q, "frozen")?;
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM read.orders o \
         WHERE ($1::text IS NULL OR o.status = $1) \
           AND ($2::boolean IS NULL OR (o.frozen_by IS NOT NULL) = $2) \
           AND ($3::timestamptz IS NULL OR (o.created_at, o.id) < ($3, $4::uuid)) \
         ORDER BY o.created_at DESC, o.id DESC LIMIT $5"
    );
    let rows: Vec<Order> = sqlx::query_as(&sql)
        .bind(status)
        .bind(frozen)
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, Order::cursor, |o| o)))
}
