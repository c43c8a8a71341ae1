//! The Account aggregate behind the event store.
//!
//! Runs commands through postgres-es directly, with Hub's event metadata.
//! When the `store` crate lands, this switches to its `execute_with_retry`
//! and `EventMetadata`; callers keep the same shape.

use cqrs_es::AggregateError;
use domain::account::{Account, AccountCommand, AccountError};
use domain::{AccountId, Actor};
use postgres_es::{PostgresCqrs, postgres_cqrs};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;

/// Executes Account commands; cheap to clone.
#[derive(Clone)]
pub struct Accounts(Arc<PostgresCqrs<Account>>);

impl Accounts {
    /// The handler over `pool`; no in-process queries (the relay feeds read models).
    pub fn new(pool: PgPool) -> Self {
        Self(Arc::new(postgres_cqrs(pool, Vec::new(), ())))
    }

    /// Runs `command` on account `id`, recording who asked and why.
    pub async fn execute(
        &self,
        id: AccountId,
        command: AccountCommand,
        actor: Actor,
        correlation_id: &str,
    ) -> Result<(), AggregateError<AccountError>> {
        let metadata = HashMap::from([
            ("actor_id".to_owned(), actor.id.to_string()),
            ("actor_role".to_owned(), actor.role.to_string()),
            ("correlation_id".to_owned(), correlation_id.to_owned()),
            ("causation_id".to_owned(), correlation_id.to_owned()),
            ("occurred_at".to_owned(), chrono::Utc::now().to_rfc3339()),
        ]);
        self.0
            .execute_with_metadata(&id.to_string(), command, metadata)
            .await
    }
}
