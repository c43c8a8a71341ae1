//! The `hub.processes` consumer on a real RabbitMQ: events published to the
//! (test-prefixed) exchange reach the reactions, redeliveries change nothing,
//! and unrelated routing keys never arrive.

use crate::support::{World, rub};
use bus::lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use bus::{EventEnvelope, Topology};
use domain::Plan;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

async fn publish(channel: &bus::lapin::Channel, topology: &Topology, events: &[EventEnvelope]) {
    for event in events {
        channel
            .basic_publish(
                topology.events_exchange().as_str().into(),
                event.amqp_routing_key().expect("key"),
                BasicPublishOptions::default(),
                &event.to_body().expect("body"),
                event.properties().expect("properties"),
            )
            .await
            .expect("publish")
            .await
            .expect("confirm");
    }
}

#[tokio::test]
async fn events_on_the_bus_pay_the_provider_once_even_when_published_twice() {
    let mut w = World::new().await;
    let topology = Topology::with_prefix(&format!(
        "test.processes.{}.",
        uuid::Uuid::new_v4().simple()
    ));
    let conn = bus::connect(&amqp_url(), "processes-tests")
        .await
        .expect("RabbitMQ");
    let channel = conn.create_channel().await.expect("channel");
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .expect("confirms");
    topology
        .declare_consumer(&channel, &processes::queue())
        .await
        .expect("declare");

    let shutdown = CancellationToken::new();
    let consumer = tokio::spawn(processes::consumer::consume(
        w.processes.clone(),
        processes::ConsumerConfig::new(&amqp_url(), topology.clone()),
        shutdown.clone(),
    ));

    let client = w.client_with("1000.00").await;
    let (sub, provider) = w.accepted(client, Plan::OneOff, "1000.00").await;
    w.order_done(sub, client, provider, Plan::OneOff, true)
        .await;
    let events = w.new_events().await;
    publish(&channel, &topology, &events).await;
    publish(&channel, &topology, &events).await;

    let mut paid = false;
    for _ in 0..100 {
        if w.wallet(provider).await.balance() == rub("900.00") {
            paid = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(paid, "the provider was not paid from the bus");
    // Let the duplicates and the releases' own events drain, then recheck.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let more = w.new_events().await;
    publish(&channel, &topology, &more).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(w.wallet(provider).await.balance(), rub("900.00"));
    assert_eq!(w.count("FundsCreditedFromEscrow").await, 1);
    assert_eq!(w.count("SubscriptionCompleted").await, 1);
    w.assert_conserved(&[client, provider], &[sub]).await;

    shutdown.cancel();
    consumer.await.expect("consumer stops");
    topology
        .delete(&channel, &[processes::queue()])
        .await
        .expect("cleanup");
    let _ = conn.close(0, "done".into()).await;
}
