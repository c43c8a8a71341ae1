//! Creating an account: credentials row and Account aggregate together.
//!
//! The credentials insert stays uncommitted while the aggregate command
//! runs, so a concurrent registration with the same email waits on the
//! unique index and then sees it taken; an aggregate refusal rolls the
//! credentials back. The one gap: the event commits and then the
//! credentials commit fails, leaving an account nobody can log into — rare,
//! harmless to money, and visible in the store.

use crate::account::Accounts;
use domain::account::{AccountCommand, AccountError};
use domain::{AccountId, Actor, Email, Role};
use sqlx::PgPool;
use store::CommandError;
use uuid::Uuid;

/// Why an account was not created.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Another account has this email.
    #[error("the email is already registered")]
    EmailTaken,
    /// The Account aggregate refused the command.
    #[error(transparent)]
    Rule(#[from] AccountError),
    /// Other commands kept changing the aggregate.
    #[error("the account kept changing; gave up after {attempts} attempts")]
    Conflict {
        /// How many times the command was tried.
        attempts: u32,
    },
    /// Storage failed.
    #[error("storage: {0}")]
    Store(String),
}

impl From<sqlx::Error> for RegisterError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}

/// The login of an account about to exist.
#[derive(Debug)]
pub struct NewCredentials {
    /// The account (and aggregate) id.
    pub account_id: AccountId,
    /// The account's role.
    pub role: Role,
    /// The login email.
    pub email: Email,
    /// The argon2id PHC string.
    pub password_hash: String,
}

/// Stores `credentials` and runs `command` (a `Register*` command for the
/// same id) in one flow.
pub async fn register(
    pool: &PgPool,
    accounts: &Accounts,
    credentials: NewCredentials,
    command: AccountCommand,
    correlation_id: Uuid,
) -> Result<(), RegisterError> {
    let NewCredentials {
        account_id,
        role,
        email,
        password_hash,
    } = credentials;
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO credentials (account_id, email, password_hash, role) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(account_id.as_uuid())
    .bind(email.as_str())
    .bind(password_hash)
    .bind(role.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(RegisterError::EmailTaken);
    }
    // Self-registration: the new account is its own actor.
    let actor = Actor::new(account_id, role);
    match accounts
        .execute(account_id, command, actor, correlation_id)
        .await
    {
        Ok(()) => {}
        Err(CommandError::Rule(e)) => return Err(RegisterError::Rule(e)),
        Err(CommandError::Conflict { attempts }) => {
            return Err(RegisterError::Conflict { attempts });
        }
        Err(CommandError::Store(e)) => return Err(RegisterError::Store(e.to_string())),
    }
    tx.commit().await?;
    Ok(())
}
