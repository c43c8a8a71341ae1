//! Bootstrapping admins and auditors (`hub admin create`): they never
//! register themselves.

use super::password::{self, Password};
use super::register::{NewCredentials, RegisterError, register};
use domain::account::AccountCommand;
use domain::{AccountId, Email, Role};
use sqlx::PgPool;

/// Why a staff account was not created.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// Not a plausible email address.
    #[error("invalid email: {0}")]
    Email(#[from] domain::email::EmailError),
    /// Too short or too long.
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    /// Only admins and auditors are staff.
    #[error("role must be admin or auditor, not {0}")]
    Role(Role),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] password::HashFailure),
    /// The email is taken, the aggregate refused, or storage failed.
    #[error(transparent)]
    Register(#[from] RegisterError),
}

/// Creates an admin or auditor who logs in with `email` and `password`.
/// Their display name starts as the email's local part.
pub async fn bootstrap_staff(
    pool: &PgPool,
    email: &str,
    password: &str,
    role: Role,
) -> Result<AccountId, StaffError> {
    if !matches!(role, Role::Admin | Role::Auditor) {
        return Err(StaffError::Role(role));
    }
    let email = Email::parse(email)?;
    let password = Password::parse(password.to_owned())?;
    let hash = password::hash(&password).await?;
    let account_id = AccountId::new();
    let name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("staff")
        .to_owned();
    let command = AccountCommand::RegisterStaff {
        account_id,
        role,
        email: email.clone(),
        name,
        at: chrono::Utc::now(),
    };
    let correlation = uuid::Uuid::new_v4();
    register(
        pool,
        NewCredentials {
            account_id,
            role,
            email,
            password_hash: hash,
        },
        command,
        None,
        correlation,
    )
    .await?;
    Ok(account_id)
}
