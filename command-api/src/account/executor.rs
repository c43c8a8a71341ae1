//! [`Accounts`]: the Account aggregate behind the event store, which
//! registration, staff bootstrap and the handlers run commands through.

use domain::account::{Account, AccountCommand, AccountError};
use domain::{AccountId, Actor};
use sqlx::PgPool;
use std::sync::Arc;
use store::{CommandError, EventMetadata, HubCqrs, Store, execute_with_retry};
use uuid::Uuid;

use crate::handler::MAX_ATTEMPTS;

/// Executes Account commands; cheap to clone.
#[derive(Clone)]
pub struct Accounts(Arc<HubCqrs<Account>>);

impl Accounts {
    /// The handler over `pool` (snapshots and upcasters as `store` wires them).
    pub fn new(pool: PgPool) -> Self {
        Self(Arc::new(Store::new(pool).accounts()))
    }

    /// Runs `command` on account `id` as `actor`, within `correlation_id`.
    pub async fn execute(
        &self,
        id: AccountId,
        command: AccountCommand,
        actor: Actor,
        correlation_id: Uuid,
    ) -> Result<(), CommandError<AccountError>> {
        let metadata = EventMetadata::by(actor).correlated_with(correlation_id);
        execute_with_retry(
            &self.0,
            &id.to_string(),
            || command.clone(),
            &metadata,
            MAX_ATTEMPTS,
        )
        .await
    }
}
