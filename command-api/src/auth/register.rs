//! Creating an account: the credentials row and the Account aggregate's
//! events commit in one unit of work, so there is never an account nobody
//! can log into, nor a login without an account. A concurrent registration
//! with the same email loses on the unique index, runs again and then sees
//! the email taken. (Holding a credentials transaction open while the
//! aggregate committed on a second connection once deadlocked the pool
//! under a burst of registrations.)

use crate::handler::MAX_ATTEMPTS;
use domain::account::{Account, AccountCommand, AccountError};
use domain::{AccountId, Actor, Email, Language, Role};
use sqlx::PgPool;
use store::{
    Attempts, CommandError, EventMetadata, HubEventStore, Statement, UnitError, UnitOfWork,
};
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
/// same id), then the choice of a language other than the default, in one
/// flow.
pub async fn register(
    pool: &PgPool,
    credentials: NewCredentials,
    command: AccountCommand,
    language: Option<Language>,
    correlation_id: Uuid,
) -> Result<(), RegisterError> {
    let NewCredentials {
        account_id,
        role,
        email,
        password_hash,
    } = credentials;
    let store = HubEventStore::<Account>::new(pool.clone());
    let id = account_id.to_string();
    // Self-registration: the new account is its own actor.
    let actor = Actor::new(account_id, role);
    let metadata = EventMetadata::by(actor).correlated_with(correlation_id);
    let mut commands = vec![command];
    if let Some(language) = language.filter(|l| *l != Language::default()) {
        commands.push(AccountCommand::ChooseLanguage {
            actor,
            language,
            at: chrono::Utc::now(),
        });
    }
    let mut attempts = Attempts::new(MAX_ATTEMPTS);
    loop {
        if email_taken(pool, &email).await? {
            return Err(RegisterError::EmailTaken);
        }
        let mut unit = UnitOfWork::new(pool.clone(), &metadata);
        for command in &commands {
            unit.execute(&store, &id, command.clone())
                .await
                .map_err(|e| match e {
                    CommandError::Rule(rule) => RegisterError::Rule(rule),
                    CommandError::Conflict { attempts } => RegisterError::Conflict { attempts },
                    CommandError::Store(e) => RegisterError::Store(e.to_string()),
                })?;
        }
        unit.also(
            Statement::new(
                "INSERT INTO credentials (account_id, email, password_hash, role) VALUES ($1, $2, $3, $4)",
            )
            .bind(account_id.as_uuid())
            .bind(email.as_str().to_owned())
            .bind(password_hash.clone())
            .bind(role.as_str()),
        );
        match attempts.commit(unit).await {
            Ok(true) => return Ok(()),
            // Someone took the email first (or the id, never): look again.
            Ok(false) => {}
            Err(UnitError::Conflict { attempts }) => {
                return Err(RegisterError::Conflict { attempts });
            }
            Err(UnitError::Store(e)) => return Err(RegisterError::Store(e.to_string())),
        }
    }
}

async fn email_taken(pool: &PgPool, email: &Email) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM credentials WHERE email = $1)")
        .bind(email.as_str())
        .fetch_one(pool)
        .await
}
