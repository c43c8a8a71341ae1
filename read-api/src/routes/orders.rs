//! An order and its chat.

use crate::access::{self, ORDER_VISIBLE, PARTIES_AND_ADMINS};
use crate::error::ApiResult;
use crate::model::{MESSAGE_COLUMNS, Message, ORDER_COLUMNS, Order};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use crate::routes::Id;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use platform::{Caller, Problem};
use uuid::Uuid;

async fn load_visible(
    pool: &sqlx::PgPool,
    caller: &Caller,
    id: Uuid,
) -> Result<Option<Order>, sqlx::Error> {
    let sql =
        format!("SELECT {ORDER_COLUMNS} FROM read.orders o WHERE o.id = $3 AND {ORDER_VISIBLE}");
    sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(access::is_admin(caller))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// One order, for its client, its provider and admins; 404 for anyone else.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = Uuid, Path, description = "The order")),
    responses((status = 200, body = Order),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id, order.id = %id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Order>> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    let order = load_visible(&state.pool, &caller, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(order))
}

/// The order's chat, newest first (a chat shows the latest page, then scrolls back).
#[utoipa::path(get, path = "/api/v1/orders/{id}/messages", tag = "orders",
    params(("id" = Uuid, Path, description = "The order"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Message>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id, order.id = %id))]
pub async fn messages(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Message>>> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    if load_visible(&state.pool, &caller, id).await?.is_none() {
        return Err(Problem::not_found().into());
    }
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM read.order_messages m WHERE m.order_id = $1 \
           AND ($2::timestamptz IS NULL OR (m.posted_at, m.message_id) < ($2, $3::uuid)) \
         ORDER BY m.posted_at DESC, m.message_id DESC LIMIT $4"
    );
    let rows: Vec<Message> = sqlx::query_as(&sql)
        .bind(id)
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, Message::cursor, |m| m)))
}
