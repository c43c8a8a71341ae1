//! Access tokens: short-lived HS256 JWTs issued by command-api and checked by
//! every HTTP role through the [`Caller`] extractor.

use crate::blocklist::Blocklist;
use crate::config::AuthSettings;
use crate::problem::Problem;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use domain::{AccountId, Actor, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: Uuid,
    /// The account's role.
    pub role: Role,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issue time, seconds since the epoch.
    pub iat: i64,
    /// The token's own id.
    pub jti: Uuid,
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Past its `exp`.
    #[error("the access token has expired")]
    Expired,
    /// Bad signature, wrong algorithm, malformed or missing claims.
    #[error("the access token is invalid")]
    Invalid,
    /// Signing failed (a bug, not the caller's fault).
    #[error("could not sign the token: {0}")]
    Sign(jsonwebtoken::errors::Error),
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

/// Signs and verifies access tokens; cheap to clone.
#[derive(Clone)]
pub struct TokenKeys(Arc<Keys>);

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl", &self.0.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys from the configured secret and access TTL.
    pub fn new(settings: &AuthSettings) -> Self {
        let secret = settings.jwt_secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        // A few seconds for clock skew between replicas, not jsonwebtoken's default minute.
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        Self(Arc::new(Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl: settings.access_ttl,
        }))
    }

    /// How long an issued token lives.
    pub fn ttl(&self) -> Duration {
        self.0.ttl
    }

    /// Signs arbitrary claims (tests use it to forge expired tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.0.encoding)
            .map_err(TokenError::Sign)
    }

    /// Issues a token for `account` valid for the configured TTL.
    pub fn issue(&self, account: AccountId, role: Role) -> Result<String, TokenError> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.0.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        self.sign(&Claims {
            sub: account.as_uuid(),
            role,
            iat: now,
            exp: now.saturating_add(ttl),
            jti: Uuid::new_v4(),
        })
    }

    /// Checks signature, algorithm and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        jsonwebtoken::decode::<Claims>(token, &self.0.decoding, &self.0.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

/// The authenticated caller: a handler that takes it answers 401 problem+json
/// to a request without a valid `Authorization: Bearer` access token, and 403
/// (`rule: account_blocked`) to a blocked account's, however valid its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The caller's account.
    pub account_id: AccountId,
    /// The caller's role.
    pub role: Role,
}

impl Caller {
    /// The caller as the domain's actor.
    pub fn actor(&self) -> Actor {
        Actor::new(self.account_id, self.role)
    }

    /// 403 unless the caller has one of `roles`.
    #[expect(
        clippy::result_large_err,
        reason = "built once per refused request; callers box it into their error"
    )]
    pub fn require(&self, roles: &[Role]) -> Result<(), Problem> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Problem::forbidden(format!(
                "this action is not available to the {} role",
                self.role
            )))
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    TokenKeys: FromRef<S>,
    Blocklist: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(*caller);
        }
        let raw = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| Problem::unauthorized("an access token is required"))?;
        let token = raw
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| Problem::unauthorized("expected `Authorization: Bearer <token>`"))?;
        let claims = TokenKeys::from_ref(state)
            .verify(token)
            .map_err(|e| Problem::unauthorized(e.to_string()))?;
        let caller = Caller {
            account_id: AccountId::from(claims.sub),
            role: claims.role,
        };
        Blocklist::from_ref(state).check(caller.account_id).await?;
        // Later extractors (e.g. the idempotency layer, then the handler) reuse it.
        parts.extensions.insert(caller);
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&AuthSettings {
            jwt_secret: SecretString::from(secret.to_owned()),
            access_ttl: Duration::from_secs(60),
            refresh_ttl: Duration::from_secs(3600),
        })
    }

    #[test]
    fn an_issued_token_verifies() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let id = AccountId::new();
        let claims = k.verify(&k.issue(id, Role::Provider).unwrap()).unwrap();
        assert_eq!((claims.sub, claims.role), (id.as_uuid(), Role::Provider));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_invalid() {
        let t = keys("another-secret-another-secret-xx")
            .issue(AccountId::new(), Role::Admin)
            .unwrap();
        let err = keys("0123456789abcdef0123456789abcdef")
            .verify(&t)
            .unwrap_err();
        assert!(matches!(err, TokenError::Invalid));
    }

    #[test]
    fn an_expired_token_is_refused() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let t = k
            .sign(&Claims {
                sub: Uuid::new_v4(),
                role: Role::Client,
                iat: now - 120,
                exp: now - 60,
                jti: Uuid::new_v4(),
            })
            .unwrap();
        assert!(matches!(k.verify(&t).unwrap_err(), TokenError::Expired));
    }
}
