use thiserror::Error;

use crate::FaultPoint;

/// Why a relay session ended. All but [`RelayError::Crashed`] are retried
/// inside [`crate::Relay::run`]; they surface in logs and metrics.
#[derive(Debug, Error)]
pub enum RelayError {
    /// PostgreSQL failed or is unreachable.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// RabbitMQ failed or is unreachable, or an event cannot be put on the wire.
    #[error(transparent)]
    Bus(#[from] bus::BusError),
    /// The broker refused to take responsibility for a message.
    #[error("broker nacked {message_id}")]
    Nacked {
        /// The refused message.
        message_id: String,
    },
    /// A query or a batch's confirms took longer than `io_timeout`.
    #[error("timed out: {0}")]
    Timeout(&'static str),
    /// The checkpoint row vanished or could not be written.
    #[error("checkpoint of relay {0:?} could not be written")]
    Checkpoint(String),
    /// A [`crate::FaultHook`] made the relay die here (tests only).
    #[error("crash injected at {0:?}")]
    Crashed(FaultPoint),
}

impl From<lapin::Error> for RelayError {
    fn from(e: lapin::Error) -> Self {
        Self::Bus(bus::BusError::Amqp(e))
    }
}
