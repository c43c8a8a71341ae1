use std::{fmt, str::FromStr};

use lapin::{
    Channel, ExchangeKind,
    options::{
        ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
        QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable, LongString, ShortString},
};

use crate::BusError;

/// The kind of queue consumers get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueType {
    /// Single-node queues: enough on a laptop.
    #[default]
    Classic,
    /// Replicated (Raft) queues for the cluster; they also enforce the
    /// delivery limit that turns a poison message into a dead letter.
    Quorum,
}

impl QueueType {
    /// The `x-queue-type` argument's value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::Quorum => "quorum",
        }
    }
}

impl fmt::Display for QueueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QueueType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "classic" => Ok(Self::Classic),
            "quorum" => Ok(Self::Quorum),
            other => Err(format!("unknown queue type {other:?} (classic|quorum)")),
        }
    }
}

/// One consumer's durable queue and the routing keys it listens to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerQueue {
    /// The name after `hub.`: `projections.<name>`, `notifier`, `processes`.
    pub name: String,
    /// Topic patterns bound to `hub.events`, e.g. `Wallet.*` or `#`.
    pub bindings: Vec<String>,
}

impl ConsumerQueue {
    /// `hub.projections.<name>`.
    #[must_use]
    pub fn projection(name: &str, bindings: &[&str]) -> Self {
        Self::named(&format!("projections.{name}"), bindings)
    }

    /// `hub.notifier`.
    #[must_use]
    pub fn notifier(bindings: &[&str]) -> Self {
        Self::named("notifier", bindings)
    }

    /// `hub.processes` (the process managers).
    #[must_use]
    pub fn processes(bindings: &[&str]) -> Self {
        Self::named("processes", bindings)
    }

    /// Any other consumer, `hub.<name>`.
    #[must_use]
    pub fn named(name: &str, bindings: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            bindings: bindings.iter().map(|b| (*b).to_owned()).collect(),
        }
    }
}

/// Hub's exchanges and queues, every name behind one prefix so tests can
/// run side by side on one broker.
///
/// Declaring is idempotent: every role declares what it uses at start-up.
/// Declaring an existing queue with other arguments (say, classic where a
/// quorum queue exists) is refused by the broker with PRECONDITION_FAILED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// Put before every name; empty in production.
    pub prefix: String,
    /// The consumer queues' `x-queue-type`.
    pub queue_type: QueueType,
    /// Deliveries of one message before it is dead-lettered. Quorum queues
    /// enforce it; classic ones cannot, so there the consumer must reject
    /// a poison message without requeue to dead-letter it.
    pub delivery_limit: u32,
}

impl Default for Topology {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            queue_type: QueueType::Classic,
            delivery_limit: 5,
        }
    }
}

impl Topology {
    /// The default topology behind `prefix`.
    #[must_use]
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            ..Self::default()
        }
    }

    /// The durable topic exchange every event goes to: `hub.events`.
    #[must_use]
    pub fn events_exchange(&self) -> String {
        format!("{}hub.events", self.prefix)
    }

    /// The direct exchange poison messages go to: `hub.dead`.
    #[must_use]
    pub fn dead_exchange(&self) -> String {
        format!("{}hub.dead", self.prefix)
    }

    /// The consumer's queue: `hub.<name>`.
    #[must_use]
    pub fn queue_name(&self, consumer: &ConsumerQueue) -> String {
        format!("{}hub.{}", self.prefix, consumer.name)
    }

    /// Where the consumer's poison messages wait for a human: `hub.<name>.dead`.
    #[must_use]
    pub fn dead_queue_name(&self, consumer: &ConsumerQueue) -> String {
        format!("{}.dead", self.queue_name(consumer))
    }

    /// Declares `hub.events` (durable topic) and `hub.dead` (durable direct).
    pub async fn declare_exchanges(&self, channel: &Channel) -> Result<(), BusError> {
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        channel
            .exchange_declare(
                short("exchange", self.events_exchange())?,
                ExchangeKind::Topic,
                durable,
                FieldTable::default(),
            )
            .await?;
        channel
            .exchange_declare(
                short("exchange", self.dead_exchange())?,
                ExchangeKind::Direct,
                durable,
                FieldTable::default(),
            )
            .await?;
        Ok(())
    }

    /// Declares the exchanges, the consumer's durable queue with its
    /// bindings and dead-letter settings, and its dead-letter queue.
    /// Returns the queue's name.
    pub async fn declare_consumer(
        &self,
        channel: &Channel,
        consumer: &ConsumerQueue,
    ) -> Result<String, BusError> {
        self.declare_exchanges(channel).await?;
        let queue = self.queue_name(consumer);
        let dead_queue = self.dead_queue_name(consumer);
        let durable = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };

        channel
            .queue_declare(
                short("queue", dead_queue.clone())?,
                durable,
                self.queue_args(),
            )
            .await?;
        channel
            .queue_bind(
                short("queue", dead_queue)?,
                short("exchange", self.dead_exchange())?,
                short("routing key", queue.clone())?,
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;

        let mut args = self.queue_args();
        args.insert("x-dead-letter-exchange".into(), long(&self.dead_exchange()));
        // Dead letters keep their original routing key unless told otherwise;
        // the queue's own name sends each consumer's poison to its own queue.
        args.insert("x-dead-letter-routing-key".into(), long(&queue));
        if self.queue_type == QueueType::Quorum {
            args.insert(
                "x-delivery-limit".into(),
                AMQPValue::LongLongInt(i64::from(self.delivery_limit)),
            );
        }
        channel
            .queue_declare(short("queue", queue.clone())?, durable, args)
            .await?;
        for pattern in &consumer.bindings {
            channel
                .queue_bind(
                    short("queue", queue.clone())?,
                    short("exchange", self.events_exchange())?,
                    short("routing key", pattern.clone())?,
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        Ok(queue)
    }

    /// Deletes the consumers' queues and both exchanges: for tests that
    /// declared a prefixed topology and clean up after themselves.
    pub async fn delete(
        &self,
        channel: &Channel,
        consumers: &[ConsumerQueue],
    ) -> Result<(), BusError> {
        for consumer in consumers {
            for queue in [self.queue_name(consumer), self.dead_queue_name(consumer)] {
                channel
                    .queue_delete(short("queue", queue)?, QueueDeleteOptions::default())
                    .await?;
            }
        }
        for exchange in [self.events_exchange(), self.dead_exchange()] {
            channel
                .exchange_delete(
                    short("exchange", exchange)?,
                    ExchangeDeleteOptions::default(),
                )
                .await?;
        }
        Ok(())
    }

    fn queue_args(&self) -> FieldTable {
        let mut args = FieldTable::default();
        args.insert("x-queue-type".into(), long(self.queue_type.as_str()));
        args
    }
}

fn short(what: &'static str, s: String) -> Result<ShortString, BusError> {
    let len = s.len();
    ShortString::try_new(s).map_err(|_| BusError::TooLong { what, len })
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_prefix() {
        let t = Topology::with_prefix("t1.");
        let c = ConsumerQueue::projection("wallets", &["Wallet.*"]);
        assert_eq!(t.events_exchange(), "t1.hub.events");
        assert_eq!(t.dead_exchange(), "t1.hub.dead");
        assert_eq!(t.queue_name(&c), "t1.hub.projections.wallets");
        assert_eq!(t.dead_queue_name(&c), "t1.hub.projections.wallets.dead");
        assert_eq!(
            t.queue_name(&ConsumerQueue::notifier(&["#"])),
            "t1.hub.notifier"
        );
        assert_eq!(
            t.queue_name(&ConsumerQueue::processes(&["#"])),
            "t1.hub.processes"
        );
    }

    #[test]
    fn queue_type_parses() {
        assert_eq!("quorum".parse(), Ok(QueueType::Quorum));
        assert!("lazy".parse::<QueueType>().is_err());
    }
}
