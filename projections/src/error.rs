use thiserror::Error;

/// Why a projection could not apply an event.
#[derive(Debug, Error)]
pub enum ProjectionError {
    /// PostgreSQL refused or is unreachable.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The payload is not an event of the aggregate's type (or not its current shape).
    #[error("event {message_id} does not deserialise: {source}")]
    Payload {
        /// `<type>:<id>:<sequence>`.
        message_id: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// The aggregate id is not a UUID where the read model needs one.
    #[error("event {message_id} has an aggregate id that is not a UUID")]
    AggregateId {
        /// `<type>:<id>:<sequence>`.
        message_id: String,
    },
    /// An earlier event of the aggregate is missing from the store.
    #[error("events {after}..{before} of {aggregate_type}:{aggregate_id} are not in the store")]
    MissingEvents {
        /// The aggregate's type.
        aggregate_type: String,
        /// The aggregate.
        aggregate_id: String,
        /// The last sequence applied.
        after: i64,
        /// The sequence that arrived.
        before: i64,
    },
    /// The event refers to a read-model row that does not exist.
    #[error("{what} {id} is not in the read model")]
    MissingRow {
        /// Which table.
        what: &'static str,
        /// Its key.
        id: String,
    },
    /// A message body is not an event envelope.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// No projection of that name.
    #[error("unknown projection {0:?}")]
    UnknownProjection(String),
    /// Another rebuild holds the lock.
    #[error("another rebuild is running")]
    RebuildRunning,
    /// A rebuild's replay task ended without a result.
    #[error("a replay task stopped: {0}")]
    ReplayStopped(String),
    /// RabbitMQ failed.
    #[error("bus: {0}")]
    Bus(String),
}

impl ProjectionError {
    /// True when retrying later may succeed without any change to the
    /// message (the database or broker is away): such failures are not
    /// counted towards parking a message as poison.
    pub fn is_transient(&self) -> bool {
        match self {
            ProjectionError::Database(e) => {
                matches!(
                    e,
                    sqlx::Error::Io(_)
                        | sqlx::Error::Tls(_)
                        | sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::WorkerCrashed
                        | sqlx::Error::Protocol(_)
                ) || is_retryable_db_error(e)
            }
            ProjectionError::Bus(_) => true,
            _ => false,
        }
    }
}

/// Serialization failures and deadlocks go away on retry; so does a server
/// shutting down (57P01..57P03).
fn is_retryable_db_error(e: &sqlx::Error) -> bool {
    let Some(db) = e.as_database_error() else {
        return false;
    };
    matches!(
        db.code().as_deref(),
        Some("40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300")
    )
}
