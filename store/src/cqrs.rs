//! One cqrs-es framework per aggregate, on [`HubEventStore`].
//!
//! No queries are registered: read models are fed by the relay from the
//! committed events (DESIGN §3), never by cqrs-es's in-process dispatch.

use crate::event_store::HubEventStore;
use cqrs_es::persist::EventUpcaster;
use cqrs_es::{Aggregate, CqrsFramework};
use domain::account::Account;
use domain::catalog::Catalog;
use domain::complaint::Complaint;
use domain::order::Order;
use domain::subscription::Subscription;
use domain::wallet::Wallet;
use sqlx::PgPool;

/// The cqrs-es framework for aggregate `A` on Hub's event store.
pub type HubCqrs<A> = CqrsFramework<A, HubEventStore<A>>;

/// How often long-lived aggregates (Wallet, Subscription, Order) are snapshotted.
pub const LONG_LIVED_SNAPSHOT_EVERY: usize = 100;

/// How one aggregate's framework is built.
#[derive(Default)]
pub struct CqrsOptions {
    /// Snapshot every this many events; `0` (the default) replays every event.
    pub snapshot_every: usize,
    /// Upcasters for the aggregate's old event versions.
    pub upcasters: Vec<Box<dyn EventUpcaster>>,
}

impl CqrsOptions {
    /// Replay every event, no upcasters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Snapshot every `every` events.
    pub fn snapshot_every(mut self, every: usize) -> Self {
        self.snapshot_every = every;
        self
    }

    /// Upcast old event versions with these upcasters, in order.
    pub fn upcasters(mut self, upcasters: Vec<Box<dyn EventUpcaster>>) -> Self {
        self.upcasters = upcasters;
        self
    }
}

/// Builds the framework for aggregate `A`.
pub fn build_cqrs<A: Aggregate>(
    pool: PgPool,
    services: A::Services,
    options: CqrsOptions,
) -> HubCqrs<A>
where
    A::Services: Default,
{
    let store = HubEventStore::new(pool)
        .with_snapshots(options.snapshot_every)
        .with_upcasters(options.upcasters);
    CqrsFramework::new(store, Vec::new(), services)
}

/// The event store's entry point: holds the pool and builds each
/// aggregate's framework.
#[derive(Clone, Debug)]
pub struct Store {
    pool: PgPool,
}

impl Store {
    /// Wraps a pool (see [`crate::connect`]).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The pool, for the relay and read-side queries on the store.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The framework for any aggregate.
    pub fn cqrs<A: Aggregate>(&self, services: A::Services, options: CqrsOptions) -> HubCqrs<A>
    where
        A::Services: Default,
    {
        build_cqrs(self.pool.clone(), services, options)
    }
}

impl Store {
    /// Accounts: short streams, replayed in full; `ClientRegistered` 1.0 upcast.
    pub fn accounts(&self) -> HubCqrs<Account> {
        self.cqrs(
            (),
            CqrsOptions::new().upcasters(domain::account::upcasters()),
        )
    }

    /// Providers' catalogs: short streams, replayed in full.
    pub fn catalogs(&self) -> HubCqrs<Catalog> {
        self.cqrs((), CqrsOptions::new())
    }

    /// Wallets: one event per money movement for the account's lifetime;
    /// finished transfers are looked up in the store, not kept in the state.
    pub fn wallets(&self) -> HubCqrs<Wallet> {
        self.cqrs(
            crate::wallet_history::services(&self.pool),
            CqrsOptions::new().snapshot_every(LONG_LIVED_SNAPSHOT_EVERY),
        )
    }

    /// The wallets' event store, for units of work.
    pub fn wallet_events(&self) -> HubEventStore<Wallet> {
        crate::wallet_history::wallet_events(&self.pool)
    }

    /// Subscriptions: monthly renewals for years.
    pub fn subscriptions(&self) -> HubCqrs<Subscription> {
        self.cqrs(
            (),
            CqrsOptions::new().snapshot_every(LONG_LIVED_SNAPSHOT_EVERY),
        )
    }

    /// Orders: the chat makes long streams.
    pub fn orders(&self) -> HubCqrs<Order> {
        self.cqrs(
            (),
            CqrsOptions::new().snapshot_every(LONG_LIVED_SNAPSHOT_EVERY),
        )
    }

    /// Complaints: short streams, replayed in full.
    pub fn complaints(&self) -> HubCqrs<Complaint> {
        self.cqrs((), CqrsOptions::new())
    }
}
