//! Orders inside a subscription: create, take, chat, complete.

use crate::handler::{
    CreatedResponse, load, metadata, not_found_named, parse_id, require, run_or_refuse, stores,
};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::order::{Order, OrderCommand, OrderError, SubscriptionFacts};
use domain::subscription::Subscription;
use domain::{MessageId, OrderId, Role, SubscriptionId};
use platform::{Caller, Json, Problem};
use serde::Deserialize;
use sqlx::PgPool;
use store::Store;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /subscriptions/{id}/orders`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderRequest {
    /// 1 to 200 characters.
    pub title: String,
    /// Up to 10 000 characters.
    pub details: String,
}

/// `POST /orders/{id}/messages`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMessageRequest {
    /// 1 to 4000 characters.
    pub text: String,
    /// A UUID the caller picks once per message and sends again on a retry,
    /// so a retried post is recorded once. Optional.
    pub message_id: Option<String>,
}

/// The id of a message the caller keyed with `key`: derived from the order,
/// the caller and the key, so a retry lands on the same message, while the
/// same key from someone else or in another order is another message (a
/// caller-chosen id used as is could collide with a message of another
/// order, and message ids are unique across orders).
pub(crate) fn keyed_message_id(order_id: OrderId, caller: &Caller, key: Uuid) -> MessageId {
    let mut name = Vec::with_capacity(48);
    name.extend_from_slice(order_id.as_uuid().as_bytes());
    name.extend_from_slice(caller.account_id.as_uuid().as_bytes());
    name.extend_from_slice(key.as_bytes());
    MessageId::from(Uuid::new_v5(&Uuid::NAMESPACE_OID, &name))
}

/// The message id of a post: keyed by the caller's `message_id` when given.
pub(crate) fn message_id_of(
    order_id: OrderId,
    caller: &Caller,
    key: Option<&str>,
) -> Result<MessageId, ApiError> {
    match key {
        Some(raw) => Ok(keyed_message_id(
            order_id,
            caller,
            parse_id(raw, "message_id")?,
        )),
        None => Ok(MessageId::new()),
    }
}

/// The request field an order's refusal is about.
pub(crate) fn order_field(e: &OrderError) -> Option<&'static str> {
    match e {
        OrderError::InvalidTitle => Some("title"),
        OrderError::InvalidDetails => Some("details"),
        OrderError::InvalidMessageText => Some("text"),
        _ => None,
    }
}

/// The order `id` when it exists and the caller may know it does: its
/// client, its provider, or an admin. Anyone else gets the 404 of an
/// absent order.
pub(crate) async fn visible_order(
    pool: &PgPool,
    caller: &Caller,
    id: OrderId,
) -> Result<Order, ApiError> {
    let order: Order = load(&stores::orders(pool), &id.to_string()).await?;
    let party = match caller.role {
        Role::Client => order.client() == caller.account_id,
        Role::Provider => order.provider() == caller.account_id,
        Role::Admin => true,
        Role::Auditor => false,
    };
    if order.status().is_none() || !party {
        return Err(not_found_named("order"));
    }
    Ok(order)
}

/// The subscription's client opens an order in it.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions/{id}/orders", tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "the subscription")),
    request_body = CreateOrderRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CreatedResponse),
        (status = 403, description = "not a client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such subscription of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, subscription.id = %id))]
pub async fn create_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<CreateOrderRequest>,
) -> Result<impl IntoResponse, ApiError> {
    require(&caller, &[Role::Client])?;
    let subscription_id: SubscriptionId = parse_id(&id, "id")?;
    let subscription: Subscription = load(
        &stores::subscriptions(&state.pool),
        &subscription_id.to_string(),
    )
    .await?;
    let (Some(client), Some(plan)) = (subscription.client(), subscription.plan()) else {
        return Err(not_found_named("subscription"));
    };
    if client != caller.account_id {
        return Err(not_found_named("subscription"));
    }
    let facts = SubscriptionFacts {
        subscription_id,
        client,
        provider: subscription.provider(),
        active: subscription.is_active(),
        plan,
    };
    let order_id = OrderId::new();
    let at = state.clock.now();
    run_or_refuse(
        &Store::new(state.pool.clone()).orders(),
        &order_id.to_string(),
        || OrderCommand::Create {
            actor: caller.actor(),
            order_id,
            subscription: facts,
            title: req.title.clone(),
            details: req.details.clone(),
            at,
        },
        &metadata(&caller),
        order_field,
    )
    .await?;
    tracing::info!(order.id = %order_id, subscription.id = %subscription_id, "order created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedResponse {
            id: order_id.as_uuid(),
        }),
    ))
}

/// The subscription's provider takes the order into work.
#[utoipa::path(post, path = "/api/v1/commands/orders/{id}/take", tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "the order")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "taken"),
        (status = 403, description = "not a provider", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, order.id = %id))]
pub async fn take_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    party_command(&state, &caller, &id, &[Role::Provider], |actor, at| {
        OrderCommand::Take { actor, at }
    })
    .await
}

/// A command one of the order's parties gives about it: `roles` may give
/// it, the caller must see the order, the time comes from the clock.
async fn party_command(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    roles: &[Role],
    build: impl Fn(domain::Actor, chrono::DateTime<chrono::Utc>) -> OrderCommand,
) -> Result<StatusCode, ApiError> {
    require(caller, roles)?;
    let order_id: OrderId = parse_id(raw_id, "id")?;
    visible_order(&state.pool, caller, order_id).await?;
    let at = state.clock.now();
    run_or_refuse(
        &Store::new(state.pool.clone()).orders(),
        &order_id.to_string(),
        || build(caller.actor(), at),
        &metadata(caller),
        order_field,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Posts `message_id` into the order's chat as its client, its provider or
/// an admin.
pub(crate) async fn post(
    pool: &PgPool,
    caller: &Caller,
    order_id: OrderId,
    message_id: MessageId,
    text: String,
) -> Result<MessageId, ApiError> {
    visible_order(pool, caller, order_id).await?;
    // A chat message carries the wall-clock time it was written.
    let at = chrono::Utc::now();
    run_or_refuse(
        &Store::new(pool.clone()).orders(),
        &order_id.to_string(),
        || OrderCommand::PostMessage {
            actor: caller.actor(),
            message_id,
            text: text.clone(),
            at,
        },
        &metadata(caller),
        order_field,
    )
    .await?;
    Ok(message_id)
}

/// A message in the order's chat.
#[utoipa::path(post, path = "/api/v1/commands/orders/{id}/messages", tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "the order")),
    request_body = PostMessageRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CreatedResponse),
        (status = 403, description = "an auditor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid field or rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, order.id = %id))]
pub async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<PostMessageRequest>,
) -> Result<impl IntoResponse, ApiError> {
    require(&caller, &[Role::Client, Role::Provider, Role::Admin])?;
    let order_id: OrderId = parse_id(&id, "id")?;
    let message_id = message_id_of(order_id, &caller, req.message_id.as_deref())?;
    let message_id = post(&state.pool, &caller, order_id, message_id, req.text).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedResponse {
            id: message_id.as_uuid(),
        }),
    ))
}

/// One side says the work is done; both saying so completes the order.
#[utoipa::path(post, path = "/api/v1/commands/orders/{id}/complete", tag = "orders",
    params(("id" = uuid::Uuid, Path, description = "the order")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "marked done"),
        (status = 403, description = "neither client nor provider", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "rule", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(caller = %caller.account_id, order.id = %id))]
pub async fn complete_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    party_command(
        &state,
        &caller,
        &id,
        &[Role::Client, Role::Provider],
        |actor, at| OrderCommand::MarkDone { actor, at },
    )
    .await
}
