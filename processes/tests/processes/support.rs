//! A world per test: its own database, a dev clock, the process managers,
//! and helpers that put clients, providers, subscriptions and orders in place
//! through the aggregates themselves.

use bus::EventEnvelope;
use chrono::{DateTime, Duration, Utc};
use domain::order::{OrderCommand, SubscriptionFacts};
use domain::subscription::{Subscription, SubscriptionCommand, derived_transfer_id};
use domain::wallet::{Wallet, WalletCommand};
use domain::{
    AccountId, Actor, Money, OrderId, Plan, Role, ServiceType, SubscriptionId, TransferId,
};
use processes::{Processes, ProcessesSettings, SandboxBank};
use rust_decimal::Decimal;
use std::sync::Arc;
use store::{Clock, DevClock, EventMetadata, Store, TestDb};

/// An `events` row as the relay reads it.
type EventRow = (
    String,
    String,
    i64,
    String,
    String,
    serde_json::Value,
    serde_json::Value,
    i64,
    DateTime<Utc>,
);

pub struct World {
    pub db: TestDb,
    pub store: Store,
    pub clock: Arc<DevClock>,
    pub processes: Arc<Processes>,
    cursor: i64,
}

pub fn rub(s: &str) -> Money {
    Money::parse_rub(s).expect("an amount")
}

fn service() -> ServiceType {
    ServiceType::parse("legal").expect("a service type")
}

fn meta() -> EventMetadata {
    EventMetadata::system()
}

impl World {
    pub async fn new() -> Self {
        Self::with(ProcessesSettings::default()).await
    }

    pub async fn with(settings: ProcessesSettings) -> Self {
        let db = TestDb::create().await.expect("test database");
        let clock = DevClock::start(db.pool().clone()).await.expect("dev clock");
        let processes = Arc::new(Processes::new(
            db.pool().clone(),
            clock.clone(),
            Arc::new(SandboxBank),
            settings,
        ));
        Self {
            store: Store::new(db.pool().clone()),
            db,
            clock,
            processes,
            cursor: 0,
        }
    }

    /// Another `processes` replica on the same database and clock.
    pub fn replica(&self) -> Arc<Processes> {
        Arc::new(Processes::new(
            self.db.pool().clone(),
            self.clock.clone(),
            Arc::new(SandboxBank),
            ProcessesSettings::default(),
        ))
    }

    /// The client sets a new acceptance deadline, or none.
    pub async fn extend(
        &self,
        id: SubscriptionId,
        client: AccountId,
        until: Option<DateTime<Utc>>,
    ) {
        self.store
            .subscriptions()
            .execute_with_metadata(
                &id.to_string(),
                SubscriptionCommand::ExtendDeadline {
                    actor: Actor::new(client, Role::Client),
                    until,
                    at: self.now(),
                },
                meta().to_map(),
            )
            .await
            .expect("deadline moved");
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub async fn advance(&self, by: Duration) {
        self.clock.advance(by).await.expect("clock moves");
    }

    /// A client whose wallet holds `amount`, topped up and settled.
    pub async fn client_with(&self, amount: &str) -> AccountId {
        let id = AccountId::new();
        self.top_up(id, amount).await;
        id
    }

    pub async fn top_up(&self, id: AccountId, amount: &str) {
        let transfer_id = TransferId::new();
        let wallets = self.store.wallets();
        wallets
            .execute_with_metadata(
                &id.to_string(),
                WalletCommand::RequestTopUp {
                    actor: Actor::new(id, Role::Client),
                    owner: id,
                    transfer_id,
                    amount: rub(amount),
                },
                meta().to_map(),
            )
            .await
            .expect("top-up requested");
        wallets
            .execute_with_metadata(
                &id.to_string(),
                WalletCommand::SettleTopUp { transfer_id },
                meta().to_map(),
            )
            .await
            .expect("top-up settled");
    }

    /// A request paid from the client's wallet, accepted by a new provider.
    pub async fn accepted(
        &self,
        client: AccountId,
        plan: Plan,
        price: &str,
    ) -> (SubscriptionId, AccountId) {
        let id = self.requested(client, plan, price, Duration::days(1)).await;
        let provider = AccountId::new();
        self.store
            .subscriptions()
            .execute_with_metadata(
                &id.to_string(),
                SubscriptionCommand::Accept {
                    actor: Actor::new(provider, Role::Provider),
                    provider_service_types: vec![service()],
                    at: self.now(),
                },
                meta().to_map(),
            )
            .await
            .expect("accepted");
        (id, provider)
    }

    /// A request paid from the client's wallet, deadline `within` from now.
    pub async fn requested(
        &self,
        client: AccountId,
        plan: Plan,
        price: &str,
        within: Duration,
    ) -> SubscriptionId {
        let id = SubscriptionId::new();
        let transfer_id = derived_transfer_id(id.as_uuid(), "first-escrow");
        self.store
            .wallets()
            .execute_with_metadata(
                &client.to_string(),
                WalletCommand::MoveToEscrow {
                    transfer_id,
                    subscription_id: id,
                    amount: rub(price),
                },
                meta().to_map(),
            )
            .await
            .expect("paid into escrow");
        let subs = self.store.subscriptions();
        let now = self.now();
        subs.execute_with_metadata(
            &id.to_string(),
            SubscriptionCommand::Request {
                actor: Actor::new(client, Role::Client),
                subscription_id: id,
                service_type: service(),
                plan,
                description: "Bookkeeping".into(),
                price: rub(price),
                acceptance_deadline: now + within,
                at: now,
            },
            meta().to_map(),
        )
        .await
        .expect("requested");
        subs.execute_with_metadata(
            &id.to_string(),
            SubscriptionCommand::FundEscrow {
                transfer_id,
                amount: rub(price),
            },
            meta().to_map(),
        )
        .await
        .expect("funded");
        id
    }

    /// An order created and taken; `client_done` decides whether the client
    /// also says done (completing it).
    pub async fn order_done(
        &self,
        subscription: SubscriptionId,
        client: AccountId,
        provider: AccountId,
        plan: Plan,
        client_done: bool,
    ) -> OrderId {
        let id = OrderId::new();
        let orders = self.store.orders();
        let c = Actor::new(client, Role::Client);
        let p = Actor::new(provider, Role::Provider);
        let mut commands = vec![
            OrderCommand::Create {
                actor: c,
                order_id: id,
                subscription: SubscriptionFacts {
                    subscription_id: subscription,
                    client,
                    provider: Some(provider),
                    active: true,
                    plan,
                },
                title: "Quarterly report".into(),
                details: String::new(),
                at: self.now(),
            },
            OrderCommand::Take {
                actor: p,
                at: self.now(),
            },
            OrderCommand::MarkDone {
                actor: p,
                at: self.now(),
            },
        ];
        if client_done {
            commands.push(OrderCommand::MarkDone {
                actor: c,
                at: self.now(),
            });
        }
        for command in commands {
            orders
                .execute_with_metadata(&id.to_string(), command, meta().to_map())
                .await
                .expect("order command");
        }
        id
    }

    /// Events stored since the last call, in store order.
    pub async fn new_events(&mut self) -> Vec<EventEnvelope> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
                    metadata, global_position, recorded_at \
             FROM events WHERE global_position > $1 ORDER BY global_position",
        )
        .bind(self.cursor)
        .fetch_all(self.db.pool())
        .await
        .expect("events");
        let envelopes: Vec<EventEnvelope> = rows
            .into_iter()
            .map(|r| EventEnvelope {
                aggregate_type: r.0,
                aggregate_id: r.1,
                sequence: r.2,
                event_type: r.3,
                event_version: r.4,
                payload: r.5,
                metadata: r.6,
                global_position: r.7,
                recorded_at: r.8,
            })
            .collect();
        if let Some(last) = envelopes.last() {
            self.cursor = last.global_position;
        }
        envelopes
    }

    /// Feeds every new event to the process managers until none is left,
    /// as the relay and the queue would; returns what was fed.
    pub async fn pump(&mut self) -> Vec<EventEnvelope> {
        let mut fed = Vec::new();
        loop {
            let events = self.new_events().await;
            if events.is_empty() {
                return fed;
            }
            for event in &events {
                self.processes.react(event).await.expect("reaction");
            }
            fed.extend(events);
        }
    }

    /// Runs due jobs and feeds the events they cause, until quiet.
    pub async fn settle(&mut self) {
        loop {
            self.pump().await;
            let ran = self.processes.run_due().await.expect("jobs");
            let fed = self.pump().await;
            if ran == 0 && fed.is_empty() {
                return;
            }
        }
    }

    pub async fn wallet(&self, id: AccountId) -> Wallet {
        load(&self.store, &id.to_string()).await
    }

    pub async fn subscription(&self, id: SubscriptionId) -> Subscription {
        load(&self.store, &id.to_string()).await
    }

    pub async fn count(&self, event_type: &str) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = $1")
            .bind(event_type)
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }

    /// Σ of an amount over events of one type, optionally filtered by a JSON field.
    async fn sum(&self, event_type: &str, filter: Option<(&str, &str)>) -> Decimal {
        let (key, value) = filter.unwrap_or(("", ""));
        sqlx::query_scalar(
            "SELECT COALESCE(sum((payload->$1->'amount'->>'amount')::numeric), 0) FROM events \
             WHERE event_type = $1 AND ($2 = '' OR payload->$1->>$2 = $3)",
        )
        .bind(event_type)
        .bind(key)
        .bind(value)
        .fetch_one(self.db.pool())
        .await
        .expect("sum")
    }

    /// What went to `platform:fees`.
    pub async fn fees(&self) -> Decimal {
        self.sum("EscrowReleased", Some(("to", "platform"))).await
    }

    /// Every rouble is somewhere: what came in from the bank, less what went
    /// out to it, sits in wallets, escrows, payouts or the platform's fees.
    pub async fn assert_conserved(&self, wallets: &[AccountId], subscriptions: &[SubscriptionId]) {
        let topped = self.sum("TopUpSettled", None).await;
        let paid_out = self.sum("WithdrawalSettled", None).await;
        let mut held = self.fees().await;
        for w in wallets {
            let wallet = self.wallet(*w).await;
            held += wallet.balance().amount() + wallet.pending_payouts().amount();
        }
        for s in subscriptions {
            held += self.subscription(*s).await.escrow().amount();
        }
        assert_eq!(held, topped - paid_out, "money appeared or vanished");
    }
}

async fn load<A: cqrs_es::Aggregate>(store: &Store, id: &str) -> A
where
    A::Services: Default,
{
    use cqrs_es::EventStore;
    store::HubEventStore::<A>::new(store.pool().clone())
        .with_snapshots(store::cqrs::LONG_LIVED_SNAPSHOT_EVERY)
        .load_aggregate(id)
        .await
        .expect("loads")
        .aggregate
}
