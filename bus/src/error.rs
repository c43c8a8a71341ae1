use thiserror::Error;

/// Why a bus operation failed.
#[derive(Debug, Error)]
pub enum BusError {
    /// The broker refused or dropped something, or the connection is gone.
    #[error("amqp: {0}")]
    Amqp(#[from] lapin::Error),
    /// A name, routing key or message id is longer than AMQP's 255 bytes.
    #[error("{what} is {len} bytes long; AMQP allows 255")]
    TooLong {
        /// What was too long (e.g. "routing key").
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// A message body is not a valid event envelope.
    #[error("malformed event envelope: {0}")]
    Malformed(#[from] serde_json::Error),
    /// Shutdown was requested while waiting to connect.
    #[error("cancelled")]
    Cancelled,
}
