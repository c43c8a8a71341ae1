//! Running a command with bounded retries on optimistic-concurrency conflicts.

use crate::metadata::EventMetadata;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework, EventStore};
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// Why a command was not applied.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The aggregate refused the command: a broken business rule (HTTP 422).
    #[error(transparent)]
    Rule(E),
    /// Other commands kept changing the aggregate first; still conflicting
    /// after `attempts` attempts (HTTP 409).
    #[error("the aggregate kept changing; gave up after {attempts} attempts")]
    Conflict {
        /// How many times the command was tried.
        attempts: u32,
    },
    /// The store failed (connection, deserialisation, unexpected): a fault, HTTP 500.
    /// After a connection error the outcome may be unknown, so it is never retried.
    #[error("event store failure: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// First retry waits up to this long; each later one doubles it.
const BASE_BACKOFF: Duration = Duration::from_millis(2);
/// No single wait exceeds this.
const MAX_BACKOFF: Duration = Duration::from_millis(100);

/// Executes the command built by `command` on `aggregate_id`, reloading the
/// aggregate and trying again (up to `max_attempts` times in all, at least
/// once) when another command committed to it first.
///
/// `command` is called once per attempt, so each attempt decides afresh
/// against the current state; only `AggregateConflict` is retried, and a
/// conflicting attempt has stored nothing (see [`crate::HubEventStore`]), so
/// a retry can never double an effect.
pub async fn execute_with_retry<A, ES, F>(
    cqrs: &CqrsFramework<A, ES>,
    aggregate_id: &str,
    mut command: F,
    metadata: &EventMetadata,
    max_attempts: u32,
) -> Result<(), CommandError<A::Error>>
where
    A: Aggregate,
    ES: EventStore<A>,
    F: FnMut() -> A::Command,
{
    let max_attempts = max_attempts.max(1);
    let metadata = metadata.to_map();
    let mut attempt = 1;
    loop {
        match cqrs
            .execute_with_metadata(aggregate_id, command(), metadata.clone())
            .await
        {
            Ok(()) => return Ok(()),
            Err(AggregateError::AggregateConflict) if attempt < max_attempts => {
                tracing::debug!(
                    aggregate_type = A::TYPE,
                    aggregate_id,
                    attempt,
                    "optimistic-concurrency conflict; retrying"
                );
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(AggregateError::AggregateConflict) => {
                return Err(CommandError::Conflict { attempts: attempt });
            }
            Err(AggregateError::UserError(rule)) => return Err(CommandError::Rule(rule)),
            Err(AggregateError::DatabaseConnectionError(error))
            | Err(AggregateError::DeserializationError(error))
            | Err(AggregateError::UnexpectedError(error)) => {
                return Err(CommandError::Store(error));
            }
        }
    }
}

/// "Full jitter": a uniform wait in [0, min(max, base·2^(attempt-1))], so
/// writers that collided once spread out instead of colliding again.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let ceiling = BASE_BACKOFF
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let random = RandomState::new().hash_one(attempt);
    let micros = u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros(random % (micros + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        for attempt in 1..40 {
            let ceiling = BASE_BACKOFF
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(MAX_BACKOFF);
            assert!(backoff(attempt) <= ceiling);
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let waits: std::collections::HashSet<_> = (0..50).map(|_| backoff(8)).collect();
        assert!(waits.len() > 1, "50 waits were all equal: {waits:?}");
    }
}
