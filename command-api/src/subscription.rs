//! Subscription commands: a client's request (which pays the first period
//! into escrow), a provider's accept or reject, a new deadline or none, a
//! cancel by the owner or an admin (which refunds an unaccepted request at
//! once).

use crate::account::load_account;
use crate::catalog::load_catalog;
use crate::handler::{
    MAX_ATTEMPTS, credit_wallets, load, metadata, not_found, parse_id_or_404, require, run, stores,
};
use crate::idempotency::IdempotencyKey;
use crate::wallet::wallet_error;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::subscription::{
    Subscription, SubscriptionCommand, SubscriptionError, derived_transfer_id,
};
use domain::wallet::WalletCommand;
use domain::{Plan, Role, ServiceType, SubscriptionId};
use platform::{Caller, Json, Problem};
use serde::{Deserialize, Serialize};
use store::{Attempts, CommandError, Store, UnitOfWork};
use utoipa::ToSchema;

/// `POST /api/v1/commands/subscriptions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRequest {
    /// A service type code offered in the catalog.
    #[schema(value_type = String, example = "legal")]
    pub service_type: ServiceType,
    /// `one_off` or `monthly`.
    #[schema(value_type = String, example = "monthly")]
    pub plan: Plan,
    /// What the client needs, 1 to 4000 characters.
    pub description: String,
}

/// The created subscription.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubscriptionCreated {
    /// Its id.
    #[schema(value_type = uuid::Uuid)]
    pub id: SubscriptionId,
}

/// The wallet → escrow transfer that pays a subscription's first period.
pub fn first_escrow_transfer(id: SubscriptionId) -> domain::TransferId {
    derived_transfer_id(id.as_uuid(), "first-escrow")
}

fn subscription_error(e: CommandError<SubscriptionError>) -> ApiError {
    match e {
        CommandError::Rule(SubscriptionError::AlreadyAccepted) => {
            let mut p = Problem::conflict("another provider accepted this request first");
            p.rule = Some("already_accepted".to_owned());
            ApiError::from(p)
        }
        CommandError::Rule(
            SubscriptionError::NotClient
            | SubscriptionError::NotProvider
            | SubscriptionError::NotAllowed,
        ) => ApiError::from(Problem::forbidden("not allowed on this subscription")),
        CommandError::Rule(SubscriptionError::NotFound) => not_found(),
        CommandError::Rule(e) => {
            let field = match &e {
                SubscriptionError::TextLength { field, .. } => Some((*field).to_owned()),
                _ => None,
            };
            ApiError::rule(&e, field)
        }
        other => other.into(),
    }
}

/// Asks for a service: looks the price up and, in one transaction, pays it
/// from the caller's wallet into the new subscription's escrow and records
/// the request. Short funds refuse it and nothing is recorded. The
/// subscription's id derives from the caller's `Idempotency-Key`, so a
/// retry never creates a second one.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions", tag = "subscriptions",
    security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    request_body = SubscriptionRequest,
    responses(
        (status = 201, body = SubscriptionCreated),
        (status = 400, description = "no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a client", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the wallet kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "unknown service type, invalid description, insufficient funds, or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(account.id = %caller.account_id))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Json(req): Json<SubscriptionRequest>,
) -> Result<(StatusCode, Json<SubscriptionCreated>), ApiError> {
    require(&caller, &[Role::Client])?;
    let catalog = load_catalog(&state.pool).await?;
    let Some(price) = catalog.price(&req.service_type, req.plan) else {
        return Err(ApiError::Rule {
            rule: "unknown_service_type",
            detail: format!("service type `{}` is not offered", req.service_type),
            field: Some("service_type".to_owned()),
        });
    };
    let now = state.clock.now();
    let within =
        chrono::Duration::from_std(state.money.accept_within).map_err(ApiError::internal)?;
    let id = SubscriptionId::from(key.derive("subscription"));
    let transfer_id = first_escrow_transfer(id);
    let command = SubscriptionCommand::Request {
        actor: caller.actor(),
        subscription_id: id,
        service_type: req.service_type,
        plan: req.plan,
        description: req.description,
        price,
        acceptance_deadline: now + within,
        at: now,
    };
    let answer = SubscriptionCreated { id };
    let (wallets, subscriptions) = (
        stores::wallets(&state.pool),
        stores::subscriptions(&state.pool),
    );
    let (client, sid) = (caller.account_id.to_string(), id.to_string());
    let metadata = metadata(&caller);
    let _turn = state.turns.take(&client).await;
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
        // A concurrent duplicate of this request committed first: same id,
        // same answer.
        if unit
            .state(&subscriptions, &sid)
            .await
            .map_err(subscription_error)?
            .client()
            .is_some()
        {
            break;
        }
        unit.execute(&subscriptions, &sid, command.clone())
            .await
            .map_err(subscription_error)?;
        unit.execute(
            &wallets,
            &client,
            WalletCommand::MoveToEscrow {
                transfer_id,
                subscription_id: id,
                amount: price,
            },
        )
        .await
        .map_err(wallet_error)?;
        unit.execute(
            &subscriptions,
            &sid,
            SubscriptionCommand::FundEscrow {
                transfer_id,
                amount: price,
            },
        )
        .await
        .map_err(subscription_error)?;
        key.answer(&mut unit, StatusCode::CREATED, Some(&answer))?;
        if attempts.commit(unit).await? {
            break;
        }
    }
    tracing::info!(subscription.id = %id, "subscription requested");
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Loads a subscription the provider may see: one of its service types.
/// Anything else is 404, so providers cannot probe other types' requests.
async fn for_provider(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
) -> Result<(SubscriptionId, Vec<ServiceType>), ApiError> {
    require(caller, &[Role::Provider])?;
    let id = SubscriptionId::from(parse_id_or_404(raw_id)?);
    let subscription =
        load::<Subscription>(&stores::subscriptions(&state.pool), &id.to_string()).await?;
    let account = load_account(&state.pool, caller.account_id).await?;
    let types = account.service_types().to_vec();
    match subscription.service_type() {
        Some(t) if types.contains(t) => Ok((id, types)),
        _ => Err(not_found()),
    }
}

async fn provider_command(
    state: AppState,
    caller: Caller,
    raw_id: String,
    build: impl FnOnce(Vec<ServiceType>) -> SubscriptionCommand,
) -> Result<StatusCode, ApiError> {
    let (id, types) = for_provider(&state, &caller, &raw_id).await?;
    let subscriptions = Store::new(state.pool.clone()).subscriptions();
    run(
        &subscriptions,
        &id.to_string(),
        build(types),
        &metadata(&caller),
    )
    .await
    .map_err(subscription_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A provider takes the request; the first one wins, the rest get 409.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions/{id}/accept", tag = "subscriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "the subscription")),
    responses(
        (status = 204, description = "accepted"),
        (status = 403, description = "not a provider", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such request among the provider's service types", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "another provider accepted first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not open any more", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let (actor, at) = (caller.actor(), state.clock.now());
    provider_command(state, caller, id, |types| SubscriptionCommand::Accept {
        actor,
        provider_service_types: types,
        at,
    })
    .await
}

/// A provider declines the request; it is hidden from that provider only.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions/{id}/reject", tag = "subscriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "the subscription")),
    responses(
        (status = 204, description = "rejected"),
        (status = 403, description = "not a provider", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such request among the provider's service types", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "already rejected or not open", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let (actor, at) = (caller.actor(), state.clock.now());
    provider_command(state, caller, id, |types| SubscriptionCommand::Reject {
        actor,
        provider_service_types: types,
        at,
    })
    .await
}

/// `POST /api/v1/commands/subscriptions/{id}/deadline`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRequest {
    /// The new acceptance deadline, in the future; `null` to keep waiting
    /// without one (nobody is told again).
    #[schema(value_type = Option<String>, format = DateTime, example = "2026-12-07T12:00:00Z")]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// The owning client or an admin answers a missed deadline (or moves one
/// not yet reached): a new deadline, or none to keep waiting. The request
/// is open to providers again; its escrow stays where it is.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions/{id}/deadline", tag = "subscriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "the request")),
    request_body = DeadlineRequest,
    responses(
        (status = 204, description = "the request waits until the new deadline, or without one"),
        (status = 403, description = "not a client or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such request of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the deadline is not in the future, or the request is no longer open", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(subscription.id = %id))]
pub async fn extend_deadline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<DeadlineRequest>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Client, Role::Admin])?;
    let id = SubscriptionId::from(parse_id_or_404(&id)?);
    let subscription =
        load::<Subscription>(&stores::subscriptions(&state.pool), &id.to_string()).await?;
    if !owned_or_admin(&caller, &subscription) {
        return Err(not_found());
    }
    let subscriptions = Store::new(state.pool.clone()).subscriptions();
    let command = SubscriptionCommand::ExtendDeadline {
        actor: caller.actor(),
        until: req.until,
        at: state.clock.now(),
    };
    run(&subscriptions, &id.to_string(), command, &metadata(&caller))
        .await
        .map_err(|e| match e {
            CommandError::Rule(SubscriptionError::DeadlineInPast) => {
                ApiError::rule(&SubscriptionError::DeadlineInPast, Some("until".to_owned()))
            }
            other => subscription_error(other),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// The subscription's client or an admin; anyone else is told it does not exist.
fn owned_or_admin(caller: &Caller, subscription: &Subscription) -> bool {
    match subscription.client() {
        Some(client) => caller.role == Role::Admin || client == caller.account_id,
        None => false,
    }
}

/// The owning client or an admin cancels. An unaccepted request's escrow
/// goes back to the client's wallet in the same transaction; a running
/// monthly subscription ends with its period.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions/{id}/cancel", tag = "subscriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "the subscription"),
        ("Idempotency-Key" = String, Header, description = "required; same key and body answer the first answer again", min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")),
    responses(
        (status = 204, description = "cancelled, or scheduled to end with the period"),
        (status = 400, description = "no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a client or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such subscription of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the subscription kept changing", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not cancellable, or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(subscription.id = %id))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Client, Role::Admin])?;
    let id = SubscriptionId::from(parse_id_or_404(&id)?);
    let subscriptions = stores::subscriptions(&state.pool);
    let sid = id.to_string();
    let metadata = metadata(&caller);
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        let mut unit = UnitOfWork::new(state.pool.clone(), &metadata);
        let current = unit
            .state(&subscriptions, &sid)
            .await
            .map_err(subscription_error)?;
        if !owned_or_admin(&caller, current) {
            return Err(not_found());
        }
        let events = unit
            .execute(
                &subscriptions,
                &sid,
                SubscriptionCommand::Cancel {
                    actor: caller.actor(),
                    at: state.clock.now(),
                },
            )
            .await
            .map_err(subscription_error)?;
        credit_wallets(&mut unit, &state.pool, id, &events)
            .await
            .map_err(wallet_error)?;
        key.answer::<()>(&mut unit, StatusCode::NO_CONTENT, None)?;
        if attempts.commit(unit).await? {
            return Ok(StatusCode::NO_CONTENT);
        }
    }
}
