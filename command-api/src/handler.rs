//! The one module of handler helpers every command handler uses: the
//! caller's event metadata, the path-id parsers, the 403/404 answers,
//! loading an aggregate's state, running a command with retries (and
//! mapping its refusal to 422), the event stores the handlers read, and
//! the wallet credits a subscription's events call for.
//!
//! A target the caller has no part in answers the same 404 as an absent
//! one, so ids of other companies' orders and subscriptions do not leak; a
//! role that can never do the action answers 403.

use crate::ApiError;
use cqrs_es::{Aggregate, EventStore};
use domain::RuleViolation;
use platform::{Caller, FieldError, Problem};
use serde::Serialize;
use std::str::FromStr;
use store::{CommandError, EventMetadata, HubCqrs, HubEventStore, execute_with_retry};
use utoipa::ToSchema;
use uuid::Uuid;

/// How many times a command is tried on optimistic-concurrency conflicts before 409.
pub const MAX_ATTEMPTS: u32 = 5;

/// `201` body: the id of what was created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedResponse {
    /// The new order's, message's or complaint's id.
    pub id: Uuid,
}

/// The request id when it is a UUID (ours always are; a caller's may not be).
pub fn correlation_id() -> Uuid {
    platform::request_id::current()
        .map(|c| c.correlation_id)
        .unwrap_or_else(Uuid::new_v4)
}

/// The metadata of every command one request issues: the caller as actor,
/// the request id as correlation.
pub fn metadata(caller: &Caller) -> EventMetadata {
    EventMetadata::by(caller.actor()).correlated_with(correlation_id())
}

/// A path id of the wallet, subscription, account and payment routes:
/// anything that is not a UUID names nothing, so 404 (no detail).
pub fn parse_id_or_404(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| not_found())
}

/// A path or body id of the order, complaint and admin-message routes:
/// anything that is not a UUID is 422 naming `field`.
pub fn parse_id<T: FromStr>(raw: &str, field: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::Validation(vec![FieldError::new(field, "must be a UUID")]))
}

/// 403 unless the caller has one of `roles` (a role that may never issue
/// this command).
pub fn require(caller: &Caller, roles: &[domain::Role]) -> Result<(), ApiError> {
    caller.require(roles).map_err(ApiError::from)
}

/// 404 without saying whether the thing exists, and without a detail.
pub fn not_found() -> ApiError {
    ApiError::from(Problem::not_found())
}

/// 404 with the detail "`what` not found", used both for absent targets and
/// for targets the caller has no part in, so the two cannot be told apart.
pub fn not_found_named(what: &str) -> ApiError {
    Problem::not_found()
        .with_detail(format!("{what} not found"))
        .into()
}

/// The current state of aggregate `id` (the default state when it has no
/// events), read the way the framework reads it before a command.
pub async fn load<A: Aggregate>(store: &HubEventStore<A>, id: &str) -> Result<A, ApiError> {
    store
        .load_aggregate(id)
        .await
        .map(|context| context.aggregate)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// Runs `command` on `id` with bounded retries on conflicts; the caller maps
/// the error.
pub async fn run<A>(
    cqrs: &HubCqrs<A>,
    id: &str,
    command: A::Command,
    metadata: &EventMetadata,
) -> Result<(), CommandError<A::Error>>
where
    A: Aggregate,
    A::Command: Clone,
{
    execute_with_retry(cqrs, id, || command.clone(), metadata, MAX_ATTEMPTS).await
}

/// Runs one command with retries on conflicts; a refusal becomes 422 with
/// the rule's code and the request field `field_of` names for it.
pub async fn run_or_refuse<A>(
    cqrs: &HubCqrs<A>,
    id: &str,
    command: impl FnMut() -> A::Command,
    metadata: &EventMetadata,
    field_of: impl Fn(&A::Error) -> Option<&'static str>,
) -> Result<(), ApiError>
where
    A: Aggregate,
    A::Error: RuleViolation,
{
    execute_with_retry(cqrs, id, command, metadata, MAX_ATTEMPTS)
        .await
        .map_err(refused(field_of))
}

/// Maps a command's refusal inside a unit of work like [`run_or_refuse`]
/// does: 422 with the rule's code and the field `field_of` names.
pub fn refused<E: RuleViolation>(
    field_of: impl Fn(&E) -> Option<&'static str>,
) -> impl Fn(CommandError<E>) -> ApiError {
    move |e| match e {
        CommandError::Rule(rule) => ApiError::rule(&rule, field_of(&rule).map(str::to_owned)),
        other => other.into(),
    }
}

/// The event stores the commands load aggregates from, snapshotted as
/// [`store::Store`] builds them.
pub mod stores {
    use domain::complaint::Complaint;
    use domain::order::Order;
    use domain::subscription::Subscription;
    use domain::wallet::Wallet;
    use sqlx::PgPool;
    use store::HubEventStore;
    use store::cqrs::LONG_LIVED_SNAPSHOT_EVERY;

    /// Wallets: long-lived, snapshotted.
    pub fn wallets(pool: &PgPool) -> HubEventStore<Wallet> {
        store::wallet_history::wallet_events(pool)
    }
    /// Subscriptions: long-lived, snapshotted.
    pub fn subscriptions(pool: &PgPool) -> HubEventStore<Subscription> {
        HubEventStore::new(pool.clone()).with_snapshots(LONG_LIVED_SNAPSHOT_EVERY)
    }
    /// Orders: long chats, snapshotted.
    pub fn orders(pool: &PgPool) -> HubEventStore<Order> {
        HubEventStore::new(pool.clone()).with_snapshots(LONG_LIVED_SNAPSHOT_EVERY)
    }
    /// Complaints: short, replayed in full.
    pub fn complaints(pool: &PgPool) -> HubEventStore<Complaint> {
        HubEventStore::new(pool.clone())
    }
}

/// Runs every wallet credit that `events` of subscription `id` call for in
/// `unit`, so money leaving the escrow reaches its wallet in the same commit.
pub async fn credit_wallets(
    unit: &mut store::UnitOfWork,
    pool: &sqlx::PgPool,
    id: domain::SubscriptionId,
    events: &[domain::subscription::SubscriptionEvent],
) -> Result<(), CommandError<domain::wallet::WalletError>> {
    let wallets = stores::wallets(pool);
    for event in events {
        for (owner, command) in domain::subscription::wallet_credits(id, event) {
            unit.execute(&wallets, &owner.to_string(), command).await?;
        }
    }
    Ok(())
}
