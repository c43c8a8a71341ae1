//! Subscription commands: a client's request (which pays the first period
//! into escrow), a provider's accept or reject, a cancel by the owner or an
//! admin (which refunds an unaccepted request at once).

use super::accounts::load_account;
use super::catalog::load_catalog;
use super::support::{load, metadata_for, not_found, parse_id, require, run};
use super::wallet::wallet_error;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use domain::subscription::{
    EscrowParty, Subscription, SubscriptionCommand, SubscriptionError, SubscriptionEvent,
    derived_transfer_id,
};
use domain::wallet::{CreditKind, WalletCommand};
use domain::{AccountId, Plan, Role, ServiceType, SubscriptionId};
use platform::{Caller, Json, Problem};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use store::cqrs::LONG_LIVED_SNAPSHOT_EVERY;
use store::{CommandError, EventMetadata, HubEventStore, Store};
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

fn store_of(pool: &PgPool) -> HubEventStore<Subscription> {
    HubEventStore::new(pool.clone()).with_snapshots(LONG_LIVED_SNAPSHOT_EVERY)
}

/// Asks for a service: looks the price up, pays it from the caller's wallet
/// into the new subscription's escrow, then records the request. Short
/// funds refuse it before anything is recorded.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions", tag = "subscriptions",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "optional; same key and body answer the first answer again")),
    request_body = SubscriptionRequest,
    responses(
        (status = 201, body = SubscriptionCreated),
        (status = 403, description = "not a client", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "unknown service type, invalid description or insufficient funds", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
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
    let now = chrono::Utc::now();
    let within =
        chrono::Duration::from_std(state.money.accept_within).map_err(ApiError::internal)?;
    let id = SubscriptionId::new();
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
    // Decide on a blank subscription first: a request the aggregate would
    // refuse must not move money into an escrow nobody owns.
    let mut blank = Subscription::default();
    blank
        .handle(command.clone(), &(), &EventSink::default())
        .await
        .map_err(|e| subscription_error(CommandError::Rule(e)))?;

    let metadata = metadata_for(caller.actor());
    let pool = state.pool.clone();
    let client = caller.account_id;
    // Spawned: once money moves, the request and the funding must follow
    // even if the client hangs up.
    platform::request_id::spawn(async move {
        let store = Store::new(pool);
        let transfer_id = first_escrow_transfer(id);
        run(
            &store.wallets(),
            &client.to_string(),
            WalletCommand::MoveToEscrow {
                transfer_id,
                subscription_id: id,
                amount: price,
            },
            &metadata,
        )
        .await
        .map_err(wallet_error)?;
        let subscriptions = store.subscriptions();
        let sid = id.to_string();
        run(&subscriptions, &sid, command, &metadata)
            .await
            .map_err(subscription_error)?;
        run(
            &subscriptions,
            &sid,
            SubscriptionCommand::FundEscrow {
                transfer_id,
                amount: price,
            },
            &metadata,
        )
        .await
        .map_err(subscription_error)?;
        Ok::<_, ApiError>(())
    })
    .await??;
    tracing::info!(subscription.id = %id, "subscription requested");
    Ok((StatusCode::CREATED, Json(SubscriptionCreated { id })))
}

/// Loads a subscription the provider may see: one of its service types.
/// Anything else is 404, so providers cannot probe other types' requests.
async fn for_provider(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
) -> Result<(SubscriptionId, Vec<ServiceType>), ApiError> {
    require(caller, &[Role::Provider])?;
    let id = SubscriptionId::from(parse_id(raw_id)?);
    let subscription = load(&store_of(&state.pool), &id.to_string()).await?;
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
        &metadata_for(caller.actor()),
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
    let actor = caller.actor();
    provider_command(state, caller, id, |types| SubscriptionCommand::Accept {
        actor,
        provider_service_types: types,
        at: chrono::Utc::now(),
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
    let actor = caller.actor();
    provider_command(state, caller, id, |types| SubscriptionCommand::Reject {
        actor,
        provider_service_types: types,
        at: chrono::Utc::now(),
    })
    .await
}

/// The owning client or an admin cancels. An unaccepted request's escrow
/// goes back to the client's wallet before this answers.
#[utoipa::path(post, path = "/api/v1/commands/subscriptions/{id}/cancel", tag = "subscriptions",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "the subscription")),
    responses(
        (status = 204, description = "cancelled, or scheduled to end with the period"),
        (status = 403, description = "not a client or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such subscription of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not cancellable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, &[Role::Client, Role::Admin])?;
    let id = SubscriptionId::from(parse_id(&id)?);
    let subscription = load(&store_of(&state.pool), &id.to_string()).await?;
    let visible = match subscription.client() {
        Some(client) => caller.role == Role::Admin || client == caller.account_id,
        None => false,
    };
    if !visible {
        return Err(not_found());
    }
    let metadata = metadata_for(caller.actor());
    let pool = state.pool.clone();
    let actor = caller.actor();
    platform::request_id::spawn(async move {
        let subscriptions = Store::new(pool.clone()).subscriptions();
        run(
            &subscriptions,
            &id.to_string(),
            SubscriptionCommand::Cancel {
                actor,
                at: chrono::Utc::now(),
            },
            &metadata,
        )
        .await
        .map_err(subscription_error)?;
        credit_released(&pool, id, &metadata).await
    })
    .await??;
    Ok(StatusCode::NO_CONTENT)
}

/// Credits every release of `id`'s escrow to the receiving wallet. Keyed by
/// the release's transfer id, so crediting one twice is a no-op: running
/// this again after a crash finishes what the first run started.
async fn credit_released(
    pool: &PgPool,
    id: SubscriptionId,
    metadata: &EventMetadata,
) -> Result<(), ApiError> {
    let events = store_of(pool)
        .events_after(&id.to_string(), 0)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let wallets = Store::new(pool.clone()).wallets();
    for envelope in events {
        let SubscriptionEvent::EscrowReleased {
            transfer_id,
            to,
            recipient: Some(owner),
            amount,
        } = envelope.payload
        else {
            continue;
        };
        let kind = match to {
            EscrowParty::Client => CreditKind::Refund,
            EscrowParty::Provider => CreditKind::Earnings,
            EscrowParty::Platform => continue,
        };
        credit(&wallets, owner, transfer_id, id, amount, kind, metadata).await?;
    }
    Ok(())
}

async fn credit(
    wallets: &store::HubCqrs<domain::wallet::Wallet>,
    owner: AccountId,
    transfer_id: domain::TransferId,
    subscription_id: SubscriptionId,
    amount: domain::Money,
    kind: CreditKind,
    metadata: &EventMetadata,
) -> Result<(), ApiError> {
    run(
        wallets,
        &owner.to_string(),
        WalletCommand::CreditFromEscrow {
            owner,
            transfer_id,
            subscription_id,
            amount,
            kind,
        },
        metadata,
    )
    .await
    .map_err(wallet_error)
}
