//! The consumer on real RabbitMQ: envelopes in, rows out; poison parked.

use std::time::Duration;

use bus::lapin::options::{BasicGetOptions, BasicPublishOptions, QueueDeclareOptions};
use bus::lapin::types::FieldTable;
use bus::{EventEnvelope, Topology};
use domain::AccountId;
use projections::{ProjectionsConfig, StoredEvent, queue_of, read_models, run_with_pool};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::helpers::{TestDb, amqp_url, append_raw};
use crate::read_models::wallet_story;

fn envelope(e: &StoredEvent) -> EventEnvelope {
    EventEnvelope {
        aggregate_type: e.aggregate_type.clone(),
        aggregate_id: e.aggregate_id.clone(),
        sequence: e.sequence,
        event_type: e.event_type.clone(),
        event_version: e.event_version.clone(),
        payload: e.payload.clone(),
        metadata: e.metadata.clone(),
        global_position: e.global_position,
        recorded_at: e.recorded_at,
    }
}

struct Broker {
    topology: Topology,
    channel: bus::lapin::Channel,
    _connection: bus::lapin::Connection,
}

impl Broker {
    async fn new() -> Self {
        let prefix = format!("t{}.", uuid::Uuid::new_v4().simple());
        let topology = Topology::with_prefix(&prefix);
        let connection = bus::connect(&amqp_url(), "projections tests")
            .await
            .expect("amqp");
        let channel = connection.create_channel().await.expect("channel");
        channel
            .confirm_select(Default::default())
            .await
            .expect("confirms");
        // Declared up front so nothing published before the consumer starts is lost.
        for p in read_models::all() {
            topology
                .declare_consumer(&channel, &queue_of(p.as_ref()))
                .await
                .expect("declare");
        }
        Self {
            topology,
            channel,
            _connection: connection,
        }
    }

    async fn publish(&self, body: Vec<u8>, routing_key: &str, message_id: &str) {
        let props = bus::lapin::BasicProperties::default()
            .with_message_id(message_id.into())
            .with_delivery_mode(2);
        self.channel
            .basic_publish(
                self.topology.events_exchange().into(),
                routing_key.into(),
                BasicPublishOptions::default(),
                &body,
                props,
            )
            .await
            .expect("publish")
            .await
            .expect("confirm");
    }

    async fn publish_event(&self, e: &EventEnvelope) {
        self.publish(
            e.to_body().expect("body"),
            &e.routing_key(),
            &e.message_id(),
        )
        .await;
    }

    async fn dead_letters(&self, projection: &str) -> u32 {
        let p = read_models::by_name(projection).expect("projection");
        let q = self.topology.dead_queue_name(&queue_of(p.as_ref()));
        let declared = self
            .channel
            .queue_declare(
                q.as_str().into(),
                QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .expect("dead queue");
        declared.message_count()
    }

    async fn take_dead_letter(&self, projection: &str) -> Option<Vec<u8>> {
        let p = read_models::by_name(projection).expect("projection");
        let q = self.topology.dead_queue_name(&queue_of(p.as_ref()));
        self.channel
            .basic_get(q.as_str().into(), BasicGetOptions { no_ack: true })
            .await
            .expect("get")
            .map(|m| m.delivery.data.clone())
    }

    async fn delete(&self) {
        let queues: Vec<_> = read_models::all()
            .iter()
            .map(|p| queue_of(p.as_ref()))
            .collect();
        let _ = self.topology.delete(&self.channel, &queues).await;
    }
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn config(db: &TestDb, broker: &Broker) -> ProjectionsConfig {
    let mut config = ProjectionsConfig::new(&db.url, &amqp_url());
    config.topology = broker.topology.clone();
    config.only = Some(vec!["wallets".into()]);
    config.max_attempts = 3;
    config
}

#[tokio::test]
async fn envelopes_from_the_bus_become_rows_once_and_poison_is_parked() {
    let db = TestDb::new().await;
    let broker = Broker::new().await;
    let config = config(&db, &broker);
    let metrics = config.metrics.clone();
    let shutdown = CancellationToken::new();
    let consumer = tokio::spawn(run_with_pool(db.pool.clone(), config, shutdown.clone()));

    let owner = AccountId::new();
    let events = wallet_story(&db.pool, owner).await;
    // Everything twice, and a poison message and a malformed body in the middle.
    let poison_owner = AccountId::new();
    let poison = append_raw(&db.pool, "Wallet", &poison_owner.to_string(), 1, "TopUpSettled", "1.0",
        json!({"TopUpSettled": {"transfer_id": "not a uuid", "amount": {"amount": "-1", "currency": "RUB"}}})).await;
    for e in &events[..4] {
        broker.publish_event(&envelope(e)).await;
    }
    broker.publish_event(&envelope(&poison)).await;
    broker
        .publish(b"{not json".to_vec(), "Wallet.Garbage", "garbage:1")
        .await;
    for e in events[4..].iter().chain(events.iter()) {
        broker.publish_event(&envelope(e)).await;
    }

    let pool = db.pool.clone();
    wait_for("the wallet to catch up", || {
        let pool = pool.clone();
        async move {
            let seq: Option<i64> = sqlx::query_scalar(
                "SELECT last_sequence FROM read.projection_positions WHERE projection = 'wallets' AND aggregate_id = $1",
            ).bind(owner.to_string()).fetch_optional(&pool).await.expect("q");
            seq == Some(8)
        }
    }).await;
    wait_for("both bad messages to be parked", || async {
        broker.dead_letters("wallets").await == 2
    })
    .await;
    // Let the consumer drain the duplicates.
    wait_for("every duplicate to be skipped", || async {
        metrics.snapshot().duplicates == 8
    })
    .await;

    let row: (Decimal, Decimal) =
        sqlx::query_as("SELECT balance, pending_payouts FROM read.wallets WHERE account_id = $1")
            .bind(owner.as_uuid())
            .fetch_one(&db.pool)
            .await
            .expect("wallet");
    assert_eq!(row, (dec!(500.10), dec!(200.00)));

    let m = metrics.snapshot();
    assert_eq!((m.applied, m.duplicates, m.parked), (8, 8, 2));
    assert_eq!(
        m.retried, 2,
        "the poison event was tried max_attempts times"
    );
    let mut parked: Vec<(String, i32)> = sqlx::query_as(
        "SELECT message_id, attempts FROM read.projection_failures WHERE parked_at IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await
    .expect("failures");
    parked.sort();
    let mut expected = vec![(poison.message_id(), 3), ("garbage:1".to_owned(), 1)];
    expected.sort();
    assert_eq!(parked, expected);
    // Nothing lost: the parked messages are intact, the event among them.
    let mut bodies = Vec::new();
    while let Some(body) = broker.take_dead_letter("wallets").await {
        bodies.push(body);
    }
    assert_eq!(bodies.len(), 2);
    assert!(bodies.contains(&b"{not json".to_vec()));
    let parked_event = bodies
        .iter()
        .find_map(|b| EventEnvelope::from_body(b).ok())
        .expect("the event envelope");
    assert_eq!(parked_event, envelope(&poison));
    let none: Option<i64> = sqlx::query_scalar(
        "SELECT last_sequence FROM read.projection_positions WHERE aggregate_id = $1",
    )
    .bind(poison_owner.to_string())
    .fetch_optional(&db.pool)
    .await
    .expect("q");
    assert_eq!(
        none, None,
        "the poison event left no trace in the read model"
    );

    shutdown.cancel();
    consumer.await.expect("joined").expect("clean stop");
    broker.delete().await;
}
