//! Subscriptions, open requests and a subscription's orders.

use crate::access::{self, ORDER_VISIBLE, PARTIES_AND_ADMINS, SUBSCRIPTION_VISIBLE};
use crate::error::ApiResult;
use crate::model::{ORDER_COLUMNS, Order, SUBSCRIPTION_COLUMNS, Subscription, SubscriptionRow};
use crate::openapi::ProblemDoc;
use crate::page::{Page, PageParams};
use crate::routes::Id;
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use domain::Role;
use platform::{Caller, Problem};
use uuid::Uuid;

/// Keyset condition and order shared by the lists (`$k` = the cursor's time, `$k+1` its id).
fn after(table: &str, at: usize) -> String {
    format!(
        "(${at}::timestamptz IS NULL OR ({table}.created_at, {table}.id) < (${at}, ${}::uuid))",
        at + 1
    )
}

/// The caller's subscriptions: a client's own, the ones a provider won, all for an admin.
#[utoipa::path(get, path = "/api/v1/subscriptions", tag = "subscriptions",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Subscription>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Subscription>>> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    let owner = match caller.role {
        Role::Client => "s.client_id = $1",
        Role::Provider => "s.provider_id = $1",
        _ => "$1::uuid IS NOT NULL",
    };
    let sql = format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM read.subscriptions s WHERE {owner} AND {} \
         ORDER BY s.created_at DESC, s.id DESC LIMIT $4",
        after("s", 2)
    );
    let rows: Vec<SubscriptionRow> = sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
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

/// Open requests a provider may accept: requested, of its service types, not rejected by it.
#[utoipa::path(get, path = "/api/v1/requests/available", tag = "subscriptions",
    params(("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Subscription>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "not a provider", body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id))]
pub async fn available(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Subscription>>> {
    access::require(&caller, &[Role::Provider])?;
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    let sql = format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM read.subscriptions s \
         WHERE s.status IN ('requested', 'overdue') AND NOT ($1 = ANY (s.rejected_by)) \
           AND s.service_type = ANY (COALESCE((SELECT a.service_types FROM read.accounts a \
                                               WHERE a.account_id = $1 AND a.role = 'provider'), '{{}}')) \
           AND {} ORDER BY s.created_at DESC, s.id DESC LIMIT $4",
        after("s", 2)
    );
    let rows: Vec<SubscriptionRow> = sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
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

/// Loads a subscription the caller may see.
pub async fn load_visible(
    pool: &sqlx::PgPool,
    caller: &Caller,
    id: Uuid,
) -> Result<Option<SubscriptionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM read.subscriptions s WHERE s.id = $4 AND {SUBSCRIPTION_VISIBLE}"
    );
    sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(access::is_admin(caller))
        .bind(access::is_provider(caller))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// One subscription, or an open request the provider may accept. 404 when
/// the caller may not see it, exactly as when it does not exist.
#[utoipa::path(get, path = "/api/v1/subscriptions/{id}", tag = "subscriptions",
    params(("id" = Uuid, Path, description = "The subscription")),
    responses((status = 200, body = Subscription),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state), fields(caller = %caller.account_id, subscription.id = %id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> ApiResult<Json<Subscription>> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    let row = load_visible(&state.pool, &caller, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(row.into()))
}

/// The orders of a subscription, for its client, its provider and admins.
#[utoipa::path(get, path = "/api/v1/subscriptions/{id}/orders", tag = "orders",
    params(("id" = Uuid, Path, description = "The subscription"),
           ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100)),
    responses((status = 200, body = Page<Order>),
              (status = 400, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 401, body = ProblemDoc, content_type = "application/problem+json"),
              (status = 403, description = "auditors", body = ProblemDoc, content_type = "application/problem+json"),
              (status = 404, body = ProblemDoc, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip(state, query), fields(caller = %caller.account_id, subscription.id = %id))]
pub async fn orders(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Order>>> {
    access::require(&caller, PARTIES_AND_ADMINS)?;
    let (page, _) = PageParams::parse(query.as_deref(), &[])?;
    // A party of the subscription (not merely a provider who may accept it).
    let party: Option<bool> = sqlx::query_scalar(
        "SELECT true FROM read.subscriptions o WHERE o.id = $3 AND ($2 OR o.client_id = $1 OR o.provider_id = $1)",
    )
    .bind(caller.account_id.as_uuid())
    .bind(access::is_admin(&caller))
    .bind(id)
    .fetch_optional(&state.pool)
    .await?;
    if party.is_none() {
        return Err(Problem::not_found().into());
    }
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM read.orders o WHERE o.subscription_id = $5 AND {ORDER_VISIBLE} AND {} \
         ORDER BY o.created_at DESC, o.id DESC LIMIT $6",
        after("o", 3)
    );
    let rows: Vec<Order> = sqlx::query_as(&sql)
        .bind(caller.account_id.as_uuid())
        .bind(access::is_admin(&caller))
        .bind(page.after_at())
        .bind(page.after_id())
        .bind(id)
        .bind(page.fetch())
        .fetch_all(&state.pool)
        .await?;
    Ok(Json(page.page(rows, Order::cursor, |o| o)))
}
