//! What the money handlers share: running a command with the caller's
//! metadata, loading an aggregate's state, parsing path ids.

use crate::ApiError;
use cqrs_es::{Aggregate, EventStore};
use domain::Actor;
use platform::Problem;
use store::{CommandError, EventMetadata, HubCqrs, HubEventStore, execute_with_retry};
use uuid::Uuid;

/// How many times a command is tried on optimistic-concurrency conflicts before 409.
pub const MAX_ATTEMPTS: u32 = 5;

/// The request id when it is a UUID (ours always are; a caller's may not be).
pub fn correlation_id() -> Uuid {
    platform::request_id::current()
        .and_then(|c| Uuid::parse_str(&c.id).ok())
        .unwrap_or_else(Uuid::new_v4)
}

/// The metadata of every command one request issues: the caller as actor,
/// the request id as correlation.
pub fn metadata_for(actor: Actor) -> EventMetadata {
    EventMetadata::by(actor).correlated_with(correlation_id())
}

/// Runs `command` on `id` with bounded retries on conflicts.
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

/// The current state of aggregate `id` (the default state when it has no events).
pub async fn load<A: Aggregate>(store: &HubEventStore<A>, id: &str) -> Result<A, ApiError> {
    store
        .load_aggregate(id)
        .await
        .map(|context| context.aggregate)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// A path id: anything that is not a UUID names nothing, so 404.
pub fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::from(Problem::not_found()))
}

/// 404 without saying whether the thing exists.
pub fn not_found() -> ApiError {
    ApiError::from(Problem::not_found())
}

/// 403 for a role that may never issue this command.
pub fn require(caller: &platform::Caller, roles: &[domain::Role]) -> Result<(), ApiError> {
    caller.require(roles).map_err(ApiError::from)
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
