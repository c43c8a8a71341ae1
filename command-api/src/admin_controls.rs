//! The admin's controls that guarantee delivery (`/admin/subscriptions/…`,
//! `/admin/orders/…`): reassign a request, a subscription or an order to
//! another provider, cancel a subscription with a full refund, move a
//! request's acceptance deadline, complete an order the client no longer
//! answers for. Each is an event naming the admin and the reason, in the
//! stream of what it changed; the request's metadata carries the admin as
//! actor like every command's does.
//!
//! - **Reassign** moves the subscription *and* every open order of it in one
//!   transaction: one provider per subscription, since its escrow is
//!   released to the subscription's provider (see
//!   `domain::subscription`'s admin module). Reassigning an order is
//!   reassigning its subscription. The orders are found in the event store
//!   itself (`OrderCreated` by subscription, indexed), not in the read model,
//!   which may lag. An order created in the same instant from the old state
//!   keeps the old provider; reassigning again to the same provider moves
//!   such stragglers and nothing else.
//! - **Cancel with a refund** is the client's cancel path: the subscription's
//!   events, the refund credited to the client's wallet and the open orders'
//!   `OrderCancelled` commit together (DESIGN §5), under the same
//!   `Idempotency-Key` rules.
//! - **Force-complete** writes `OrderForceCompleted` + `OrderCompleted`; the
//!   release to the provider is the normal completion's (the `processes`
//!   reaction to `OrderCompleted`).
//!
//! Rule refusals are 422 with the rule's code and the field at fault, like
//! every other command; 409 is a conflict that outlasted the retries.

use crate::account::load_account;
use crate::handler::{
    MAX_ATTEMPTS, credit_wallets, metadata, not_found, parse_id, parse_id_or_404, refused, require,
    run, stores,
};
use crate::idempotency::IdempotencyKey;
use crate::order::visible_order;
use crate::wallet::wallet_error;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::order::{OrderCommand, OrderError, OrderStatus};
use domain::subscription::{SubscriptionCommand, SubscriptionError};
use domain::{AccountId, OrderId, Role, ServiceType, SubscriptionId};
use platform::{Caller, Json, Problem};
use serde::Deserialize;
use sqlx::PgPool;
use store::{Attempts, CommandError, Store, UnitOfWork};
use utoipa::ToSchema;

/// `POST /admin/subscriptions/{id}/reassign` and `/admin/orders/{id}/reassign`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    /// The provider who takes over: handles the service type, not blocked.
    #[schema(value_type = uuid::Uuid)]
    pub provider_id: String,
    /// Why, 1 to 1000 characters.
    pub reason: String,
}

/// `POST /admin/subscriptions/{id}/cancel` and `/admin/orders/{id}/complete`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why, 1 to 1000 characters.
    pub reason: String,
}

/// `POST /admin/subscriptions/{id}/deadline`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminDeadlineRequest {
    /// The new acceptance deadline, in the future.
    #[schema(value_type = String, format = DateTime, example = "2026-12-07T12:00:00Z")]
    pub until: DateTime<Utc>,
    /// Why, 1 to 1000 characters.
    pub reason: String,
}

/// The request field a subscription's refusal is about.
fn subscription_field(e: &SubscriptionError) -> Option<&'static str> {
    match e {
        SubscriptionError::TextLength { field, .. } => Some(field),
        SubscriptionError::ServiceTypeNotHandled => Some("provider_id"),
        SubscriptionError::DeadlineInPast => Some("until"),
        _ => None,
    }
}

fn subscription_refused(e: CommandError<SubscriptionError>) -> ApiError {
    match e {
        CommandError::Rule(SubscriptionError::NotFound) => not_found(),
        CommandError::Rule(SubscriptionError::NotAllowed) => {
            ApiError::from(Problem::forbidden("only an admin may do this"))
        }
        other => refused(subscription_field)(other),
    }
}

fn order_refused(e: CommandError<OrderError>) -> ApiError {
    match e {
        CommandError::Rule(OrderError::NotAdmin) => {
            ApiError::from(Problem::forbidden("only an admin may do this"))
        }
        other => {
            refused(|e: &OrderError| (*e == OrderError::InvalidReason).then_some("reason"))(other)
        }
    }
}

fn provider_refused(rule: &'static str, detail: &str) -> ApiError {
    ApiError::Rule {
        rule,
        detail: detail.to_owned(),
        field: Some("provider_id".to_owned()),
    }
}

/// The service types of provider `raw`, which must name a registered,
/// unblocked provider: anything else is 422 naming `provider_id`.
async fn eligible_provider(
    pool: &PgPool,
    raw: &str,
) -> Result<(AccountId, Vec<ServiceType>), ApiError> {
    let to: AccountId = parse_id(raw, "provider_id")?;
    let account = load_account(pool, to).await?;
    if account.role() != Some(Role::Provider) {
        return Err(provider_refused("not_a_provider", "no such provider"));
    }
    if account.is_blocked() {
        return Err(provider_refused(
            "provider_blocked",
            "the provider is blocked",
        ));
    }
    Ok((to, account.service_types().to_vec()))
}

/// Every order ever created in subscription `id`, read from the store.
async fn orders_of(pool: &PgPool, id: SubscriptionId) -> Result<Vec<String>, ApiError> {
    Ok(sqlx::query_scalar(
        "SELECT aggregate_id FROM events \
         WHERE aggregate_type = 'Order' AND event_type = 'OrderCreated' \
           AND payload -> 'OrderCreated' ->> 'subscription_id' = $1 \
         ORDER BY aggregate_id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await?)
}

/// Runs `command` on each order of `orders` still open in `unit`.
async fn on_open_orders(
    unit: &mut UnitOfWork,
    orders: &[String],
    command: impl Fn() -> OrderCommand,
) -> Result<(), ApiError> {
    let store = stores::orders(unit.pool());
    for order in orders {
        let status = unit
            .state(&store, order)
            .await
            .map_err(order_refused)?
            .status();
        if matches!(status, Some(OrderStatus::Created | OrderStatus::InProgress)) {
            unit.execute(&store, order, command())
                .await
                .map_err(order_refused)?;
        }
    }
    Ok(())
}

/// Gives subscription `id` (a request, or an accepted one) to the provider
/// `req` names, and moves its open orders with it, in one transaction.
async fn reassign(
    state: &AppState,
    caller: &Caller,
    id: SubscriptionId,
    req: &ReassignRequest,
) -> Result<StatusCode, ApiError> {
    let (to, to_service_types) = eligible_provider(&state.pool, &req.provider_id).await?;
    let orders = orders_of(&state.pool, id).await?;
    let subscriptions = stores::subscriptions(&state.pool);
    let sid = id.to_string();
    let (actor, at) = (caller.actor(), state.clock.now());
    let metadata = metadata(caller);
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
        let command = SubscriptionCommand::Reassign {
            actor,
            to,
            to_service_types: to_service_types.clone(),
            reason: req.reason.clone(),
            at,
        };
        unit.execute(&subscriptions, &sid, command)
            .await
            .map_err(subscription_refused)?;
        on_open_orders(&mut unit, &orders, || OrderCommand::Reassign {
            actor,
            to,
            reason: req.reason.clone(),
            at,
        })
        .await?;
        if attempts.commit(unit).await? {
            tracing::info!(subscription.id = %id, provider.id = %to, "reassigned by an admin");
            return Ok(StatusCode::NO_CONTENT);
        }
    }
}

/// An admin gives a request to a provider (as if it accepted), or moves an
/// accepted subscription with its open orders to another provider, who is
/// paid what its escrow releases from then on.
#[utoipa::path(post, path = "/api/v1/commands/admin/subscriptions/{id}/reassign", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the subscription or request")),
    request_body = ReassignRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "reassigned (or it was the provider's already)"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such subscription", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the subscription or an order kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid provider_id or reason; the provider does not handle the service type or is blocked; the subscription is closed, suspended, unfunded or frozen by a complaint", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(subscription.id = %id))]
pub async fn reassign_subscription(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ReassignRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let id = SubscriptionId::from(parse_id_or_404(&id)?);
    reassign(&state, &caller, id, &req).await
}

/// An admin moves an order to another provider: its subscription and every
/// open order of it move together (one provider per subscription).
#[utoipa::path(post, path = "/api/v1/commands/admin/orders/{id}/reassign", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the order")),
    request_body = ReassignRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "reassigned (or it was the provider's already)"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the subscription or an order kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid id, provider_id or reason; the provider does not handle the service type or is blocked; the order or subscription is closed or frozen by a complaint", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(order.id = %id))]
pub async fn reassign_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<ReassignRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let order_id: OrderId = parse_id(&id, "id")?;
    let order = visible_order(&state.pool, &caller, order_id).await?;
    match order.status() {
        Some(OrderStatus::Completed) => {
            return Err(ApiError::rule(&OrderError::Completed, None));
        }
        Some(OrderStatus::Cancelled) => {
            return Err(ApiError::rule(&OrderError::Cancelled, None));
        }
        _ => {}
    }
    reassign(&state, &caller, order.subscription_id(), &req).await
}

/// An admin cancels a subscription at once, whatever its plan or period:
/// the whole escrow goes back to the client's wallet and its open orders
/// are cancelled, all in one transaction.
#[utoipa::path(post, path = "/api/v1/commands/admin/subscriptions/{id}/cancel", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the subscription or request"),
        ("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    request_body = ReasonRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "cancelled and refunded (or cancelled already)"),
        (status = 400, description = "no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such subscription", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the subscription, a wallet or an order kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid reason; completed; frozen by a complaint; or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(subscription.id = %id))]
pub async fn cancel_subscription(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Path(id): Path<String>,
    Json(req): Json<ReasonRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let id = SubscriptionId::from(parse_id_or_404(&id)?);
    let orders = orders_of(&state.pool, id).await?;
    let subscriptions = stores::subscriptions(&state.pool);
    let sid = id.to_string();
    let (actor, at) = (caller.actor(), state.clock.now());
    let metadata = metadata(&caller);
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
        let command = SubscriptionCommand::AdminCancel {
            actor,
            reason: req.reason.clone(),
            at,
        };
        let events = unit
            .execute(&subscriptions, &sid, command)
            .await
            .map_err(subscription_refused)?;
        credit_wallets(&mut unit, &state.pool, id, &events)
            .await
            .map_err(wallet_error)?;
        on_open_orders(&mut unit, &orders, || OrderCommand::Cancel {
            actor,
            reason: req.reason.clone(),
            at,
        })
        .await?;
        key.answer::<()>(&mut unit, StatusCode::NO_CONTENT, None)?;
        if attempts.commit(unit).await? {
            tracing::info!(subscription.id = %id, "cancelled with a refund by an admin");
            return Ok(StatusCode::NO_CONTENT);
        }
    }
}

/// An admin moves a request's acceptance deadline (the client's
/// `/subscriptions/{id}/deadline`, with a reason); the request is open to
/// providers again until then.
#[utoipa::path(post, path = "/api/v1/commands/admin/subscriptions/{id}/deadline", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the request")),
    request_body = AdminDeadlineRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "the request waits until the new deadline"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid until or reason; the deadline is not in the future; the request is no longer open", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(subscription.id = %id))]
pub async fn extend_deadline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<AdminDeadlineRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let id = SubscriptionId::from(parse_id_or_404(&id)?);
    let command = SubscriptionCommand::AdminExtendDeadline {
        actor: caller.actor(),
        until: req.until,
        reason: req.reason,
        at: state.clock.now(),
    };
    let subscriptions = Store::new(state.pool.clone()).subscriptions();
    run(&subscriptions, &id.to_string(), command, &metadata(&caller))
        .await
        .map_err(subscription_refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin completes an order as if both sides said done (the client is
/// unreachable, say); a one-off's escrow is then released to the provider
/// like any completion's. Refused while a complaint freezes the order:
/// resolve the complaint instead.
#[utoipa::path(post, path = "/api/v1/commands/admin/orders/{id}/complete", tag = "admin",
    params(("id" = uuid::Uuid, Path, description = "the order"),
        ("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    request_body = ReasonRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "completed"),
        (status = 400, description = "no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such order", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the order kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid id or reason; completed, cancelled or frozen by a complaint; or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(order.id = %id))]
pub async fn complete_order(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Path(id): Path<String>,
    Json(req): Json<ReasonRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Admin])?;
    let order_id: OrderId = parse_id(&id, "id")?;
    visible_order(&state.pool, &caller, order_id).await?;
    let orders = stores::orders(&state.pool);
    let oid = order_id.to_string();
    let (actor, at) = (caller.actor(), state.clock.now());
    let metadata = metadata(&caller);
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
        let command = OrderCommand::ForceComplete {
            actor,
            reason: req.reason.clone(),
            at,
        };
        unit.execute(&orders, &oid, command)
            .await
            .map_err(order_refused)?;
        key.answer::<()>(&mut unit, StatusCode::NO_CONTENT, None)?;
        if attempts.commit(unit).await? {
            tracing::info!(order.id = %order_id, "completed by an admin");
            return Ok(StatusCode::NO_CONTENT);
        }
    }
}
