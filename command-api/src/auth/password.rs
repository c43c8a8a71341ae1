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

/// An argon2id hash (PHC string) of `password`, computed off the async threads.
pub async fn hash(password: &Password) -> Result<String, HashError> {
    let secret = password.clone();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
        Argon2::default()
            .hash_password(secret.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
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

/// True when `candidate` matches `stored` (or, with no stored hash, after
/// spending the same time on the dummy).
pub async fn verify(candidate: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
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
    .unwrap_or(false)
}
