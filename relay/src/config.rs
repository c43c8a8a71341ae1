use std::time::Duration;

use bus::{Backoff, Topology};

use crate::FaultHook;

/// How a relay runs.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The checkpoint's key and the advisory lock's: replicas of one relay
    /// share it.
    pub name: String,
    /// PostgreSQL, e.g. `postgres://postgres@127.0.0.1:5432/hub`.
    pub database_url: String,
    /// RabbitMQ, e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`.
    pub amqp_uri: String,
    /// Where `hub.events` is (its prefix).
    pub topology: Topology,
    /// Most events published and confirmed together.
    pub batch_size: u32,
    /// Sleep between polls when there is nothing to publish.
    pub idle_poll: Duration,
    /// How often a standby replica retries the lock.
    pub standby_poll: Duration,
    /// Wake up on `NOTIFY hub_events_appended` instead of waiting a whole
    /// `idle_poll`.
    pub listen: bool,
    /// Longest wait for a database query or a batch's confirms before the
    /// session is dropped and started again.
    pub io_timeout: Duration,
    /// Delays between attempts when PostgreSQL or RabbitMQ is away.
    pub backoff: Backoff,
    /// Test-only crash injection.
    pub fault: Option<FaultHook>,
}

impl RelayConfig {
    /// Defaults for everything but where the two servers are.
    #[must_use]
    pub fn new(database_url: &str, amqp_uri: &str) -> Self {
        Self {
            name: "main".to_owned(),
            database_url: database_url.to_owned(),
            amqp_uri: amqp_uri.to_owned(),
            topology: Topology::default(),
            batch_size: 500,
            idle_poll: Duration::from_millis(250),
            standby_poll: Duration::from_secs(1),
            listen: true,
            io_timeout: Duration::from_secs(30),
            backoff: Backoff::default(),
            fault: None,
        }
    }
}
