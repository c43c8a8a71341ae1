//! What every RabbitMQ user in Hub shares (DESIGN §3, §4): the event envelope
//! published on the wire, the topology (exchanges, consumer queues, dead
//! letters) and connecting with exponential backoff, since lapin does not
//! reconnect by itself.

mod backoff;
mod connect;
mod consumer;
mod envelope;
mod error;
mod topology;
mod wire;

pub use backoff::Backoff;
pub use connect::{connect, connect_with_backoff};
pub use consumer::{ConsumerConfig, Failure, Handler, consume};
pub use envelope::{EventEnvelope, JSON_CONTENT_TYPE};
pub use error::BusError;
pub use topology::{ConsumerQueue, QueueType, Topology};

/// lapin, re-exported so users share the very version `bus` was built with.
pub use lapin;
