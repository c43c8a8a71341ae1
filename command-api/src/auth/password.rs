//! Passwords: length rules at the edge, argon2id hashes at rest.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::sync::LazyLock;

/// Fewest characters accepted.
pub const MIN_CHARS: usize = 10;
/// Most characters accepted (bounds the hashing cost an attacker can ask for).
pub const MAX_CHARS: usize = 128;

/// Why a string is not an acceptable password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("password must be {MIN_CHARS} to {MAX_CHARS} characters")]
pub struct PasswordError;

/// A new password of acceptable length; never printed.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Password(SecretString);

impl Password {
    /// Checks the length in characters.
    pub fn parse(s: String) -> Result<Self, PasswordError> {
        if (MIN_CHARS..=MAX_CHARS).contains(&s.chars().count()) {
            Ok(Self(SecretString::from(s)))
        } else {
            Err(PasswordError)
        }
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl TryFrom<String> for Password {
    type Error = PasswordError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

/// Hashing failed (a bug or exhausted memory, never the caller's input).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Every argon2 computation (≈19 MiB and tens of milliseconds each) waits
/// for one of a few permits, so a burst of logins cannot take gigabytes; one
/// that waits longer than [`QUEUE_WAIT`] is refused with [`Busy`].
static PERMITS: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    tokio::sync::Semaphore::new(cores.clamp(2, 8))
});

/// The longest a hash waits for a permit before the request is refused.
pub const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Too many passwords are being hashed right now: try again shortly (503).
#[derive(Debug, thiserror::Error)]
#[error("the server is hashing too many passwords; retry shortly")]
pub struct Busy;

async fn permit() -> Result<tokio::sync::SemaphorePermit<'static>, Busy> {
    acquire(&PERMITS, QUEUE_WAIT).await
}

async fn acquire(
    permits: &'static tokio::sync::Semaphore,
    wait: std::time::Duration,
) -> Result<tokio::sync::SemaphorePermit<'static>, Busy> {
    match tokio::time::timeout(wait, permits.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(Busy),
    }
}

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum HashFailure {
    /// See [`Busy`].
    #[error(transparent)]
    Busy(#[from] Busy),
    /// See [`HashError`].
    #[error(transparent)]
    Failed(#[from] HashError),
}

/// An argon2id hash (PHC string) of `password`, computed off the async
/// threads once a permit is free.
pub async fn hash(password: &Password) -> Result<String, HashFailure> {
    let _permit = permit().await?;
    let secret = password.clone();
    let hashed = tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
        Argon2::default()
            .hash_password(secret.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?;
    Ok(hashed?)
}

/// A hash of nothing anyone knows, verified against when the email is
/// unknown so that a miss costs as long as a wrong password.
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    SaltString::encode_b64(b"hub-dummy-salt!!")
        .ok()
        .and_then(|salt| {
            Argon2::default()
                .hash_password(b"no account has this password", &salt)
                .ok()
                .map(|h| h.to_string())
        })
        .unwrap_or_default()
});

/// Whether `candidate` matches `stored` (with no stored hash, false after
/// spending the same time on the dummy), once a permit is free.
pub async fn verify(candidate: String, stored: Option<String>) -> Result<bool, Busy> {
    let _permit = permit().await?;
    let matched = tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY.clone());
        let ok = PasswordHash::new(&phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(candidate.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false);
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_hash_that_cannot_get_a_permit_in_time_is_refused_not_queued_for_ever() {
        static ONE: LazyLock<tokio::sync::Semaphore> =
            LazyLock::new(|| tokio::sync::Semaphore::new(1));
        let held = acquire(&ONE, Duration::from_millis(50))
            .await
            .expect("free");
        assert!(
            acquire(&ONE, Duration::from_millis(50)).await.is_err(),
            "busy"
        );
        drop(held);
        assert!(acquire(&ONE, Duration::from_millis(50)).await.is_ok());
    }

    #[tokio::test]
    async fn busy_is_a_503_with_retry_after() {
        use axum::response::IntoResponse;
        let res = crate::ApiError::from(Busy).into_response();
        assert_eq!(res.status(), 503);
        assert_eq!(res.headers()["retry-after"], "1");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
}
