//! Every subscription and request, for the admin console.

use super::{flag, one_of, require_admin};
use crate::error::ApiResult;
use crate::model::{SUBSCRIPTION_COLUMNS, Subscription, SubscriptionRow};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::Caller;

/// A subscription's statuses (`read.subscriptions`' check constraint).
pub const STATUSES: &[&str] = &[
    "requested",
    "overdue",
    "active",
    "past_due",
    "suspended",
    "cancelled",
    "expired",
    "completed",
];

/// Overdue: nobody accepted the request by its deadline. Either the
/// deadline fired (status `overdue`: the client was told and may wait,
/// extend or cancel) or it has passed and the scheduler has not fired it
/// yet (still `requested`, deadline in the past). The second case uses
/// PostgreSQL's time: read-api has no Clock, and where a moved development
/// clock runs ahead, the scheduler turns such requests `overdue` at once.
const OVERDUE: &str = "(s.status = 'overdue' \
     OR (s.status = 'requested' AND COALESCE(s.acceptance_deadline < now(), false)))";

/// Subscriptions and requests, newest first, optionally of one `status`,
/// and only the overdue requests or only the rest. Admins only.
#[utoipa::path(get, path = "/api/v1/admin/subscriptions", tag = "admin",
    params(("status" = Option<String>, Query, description = "`requested`, `overdue`, `active`, `past_due`, `suspended`, `cancelled`, `expired` or `completed`"),
           ("overdue" = Option<bool>, Query, description = "`true`: only requests nobody accepted by their deadline (status `overdue`, or still `requested` past it); `false`: only the rest"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Subscription>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not an admin", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Subscription>>> {
    require_admin(&caller)?;
    let (page, q) = PageParams::parse(query.as_deref(), &["status", "overdue"])?;
    let status = one_of(&q, "status", STATUSES)?;
    let overdue = flag(&q, "overdue")?;
    let sql = format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM read.subscriptions s \
         WHERE ($1::text IS NULL OR s.status = $1) \
           AND ($2::boolean IS NULL OR {OVERDUE} = $2) \
           AND ($3::timestamptz IS NULL OR (s.created_at, s.id) < ($3, $4::uuid)) \
         ORDER BY s.created_at DESC, s.id DESC LIMIT $5"
    );
    let rows: Vec<SubscriptionRow> = sqlx::query_as(&sql)
        .bind(status)
        .bind(overdue)
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(
        rows,
        SubscriptionRow::cursor,
        Subscription::from,
    )))
}
