//! Why a reaction or a job did not finish.

use store::CommandError;

/// A reaction or job that did not finish; the delivery is requeued or the
/// job rescheduled, and the rerun finishes it (every step is idempotent).
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// PostgreSQL failed or is away: not the message's fault.
    #[error("store: {0}")]
    Store(String),
    /// The aggregate kept changing under us; a later try will get through.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The bank could not be reached, or has not decided yet.
    #[error("bank: {0}")]
    Bank(String),
    /// A domain rule refused a step the process needed. Retried a few times
    /// (a step may wait for another event), then parked for a human.
    #[error("refused: {0}")]
    Rule(String),
    /// The message is not an event this role can read; it never will be.
    #[error("malformed: {0}")]
    Malformed(String),
}

impl ProcessError {
    /// True when retrying later is likely to succeed without anybody acting.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Store(_) | Self::Conflict(_) | Self::Bank(_))
    }
}

impl<E: std::error::Error> From<CommandError<E>> for ProcessError {
    fn from(e: CommandError<E>) -> Self {
        match e {
            CommandError::Rule(rule) => Self::Rule(rule.to_string()),
            CommandError::Conflict { attempts } => {
                Self::Conflict(format!("gave up after {attempts} attempts"))
            }
            CommandError::Store(e) => Self::Store(e.to_string()),
        }
    }
}

impl From<store::UnitError> for ProcessError {
    fn from(e: store::UnitError) -> Self {
        match e {
            store::UnitError::Conflict { attempts } => {
                Self::Conflict(format!("gave up after {attempts} attempts"))
            }
            store::UnitError::Store(e) => Self::Store(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for ProcessError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}
