//! The process managers' shared state and the helpers every reaction uses:
//! loading an aggregate, running one command with retries, metadata.

use crate::bank::PayoutBank;
use crate::error::ProcessError;
use crate::scheduler::Scheduler;
use crate::settings::ProcessesSettings;
use bus::EventEnvelope;
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use domain::order::Order;
use domain::subscription::Subscription;
use domain::wallet::Wallet;
use sqlx::PgPool;
use std::sync::Arc;
use store::{Clock, CommandError, EventMetadata, HubCqrs, Store};
use uuid::Uuid;

/// Attempts per command when other writers keep committing to the aggregate first.
pub(crate) const COMMAND_ATTEMPTS: u32 = 10;

/// Namespace of the ids of stored events (`<type>:<id>:<sequence>`), used as
/// causation ids and as bases for derived transfer ids.
const EVENT_NAMESPACE: Uuid = Uuid::from_u128(0x6875_622d_6576_656e_7473_0000_0000_0001);

/// Everything the process managers need. Cheap to share behind an `Arc`;
/// any number of replicas may run side by side.
pub struct Processes {
    pub(crate) pool: PgPool,
    pub(crate) scheduler: Scheduler,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) bank: Arc<dyn PayoutBank>,
    pub(crate) settings: ProcessesSettings,
    pub(crate) subscriptions: HubCqrs<Subscription>,
    pub(crate) wallets: HubCqrs<Wallet>,
    pub(crate) orders: HubCqrs<Order>,
}

impl std::fmt::Debug for Processes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processes")
            .field("clock", &self.clock)
            .field("bank", &self.bank)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Processes {
    /// The process managers on `pool`, reading time from `clock`.
    pub fn new(
        pool: PgPool,
        clock: Arc<dyn Clock>,
        bank: Arc<dyn PayoutBank>,
        settings: ProcessesSettings,
    ) -> Self {
        let store = Store::new(pool.clone());
        Self {
            scheduler: Scheduler::new(pool.clone()),
            subscriptions: store.subscriptions(),
            wallets: store.wallets(),
            orders: store.orders(),
            pool,
            clock,
            bank,
            settings,
        }
    }

    /// The scheduler's table.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// The clock every timed decision reads.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The settings.
    pub fn settings(&self) -> &ProcessesSettings {
        &self.settings
    }

    pub(crate) async fn load<A: Aggregate>(&self, id: &str) -> Result<A, ProcessError>
    where
        A::Services: Default,
    {
        store::current_state(&self.pool, id)
            .await
            .map_err(|e| ProcessError::Store(e.to_string()))
    }
}

/// Runs one command with bounded retries on conflicts.
pub(crate) async fn exec<A>(
    cqrs: &HubCqrs<A>,
    id: &str,
    command: A::Command,
    metadata: &EventMetadata,
) -> Result<(), CommandError<A::Error>>
where
    A: Aggregate,
    A::Command: Clone,
{
    store::execute_with_retry(cqrs, id, || command.clone(), metadata, COMMAND_ATTEMPTS).await
}

/// A stable id of a stored event, from its `message_id`.
pub fn event_uuid(envelope: &EventEnvelope) -> Uuid {
    Uuid::new_v5(&EVENT_NAMESPACE, envelope.message_id().as_bytes())
}

/// Metadata of the commands a reaction to `envelope` issues: the system
/// acts, in the event's correlation, caused by the event.
pub(crate) fn reaction_metadata(envelope: &EventEnvelope, at: DateTime<Utc>) -> EventMetadata {
    let correlation = envelope
        .metadata
        .get(store::metadata::CORRELATION_ID)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::parse_str(s).ok());
    let metadata = EventMetadata::system()
        .at(at)
        .caused_by(event_uuid(envelope));
    match correlation {
        Some(c) => metadata.correlated_with(c),
        None => metadata,
    }
}

/// Metadata of the commands a scheduled job issues.
pub(crate) fn job_metadata(job_id: Uuid, at: DateTime<Utc>) -> EventMetadata {
    EventMetadata::system()
        .at(at)
        .caused_by(job_id)
        .correlated_with(job_id)
}
