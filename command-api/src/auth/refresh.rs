//! Refresh tokens: random, stored only as SHA-256, single use. Each use
//! issues a sibling in the same family; a used token presented again means
//! it was stolen (or replayed), so the whole family is revoked, unless it
//! comes within [`CONCURRENT_USE`] of its first use: that is two tabs of one
//! browser refreshing with the same cookie as a session is restored, and
//! the late one gets a sibling of its own.

use crate::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::{AccountId, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use std::time::Duration;
use uuid::Uuid;

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates a token in `family` for `account`; returns the token itself.
pub async fn issue(
    conn: &mut PgConnection,
    account: AccountId,
    family: Uuid,
    ttl: Duration,
) -> Result<String, sqlx::Error> {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    let expires_at =
        chrono::Utc::now() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(30));
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family, account_id, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(hash(&token))
    .bind(family)
    .bind(account.as_uuid())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(token)
}

/// How long after its use a token still gets a sibling instead of counting
/// as reuse. Every page load refreshes through the cookie, so tabs restored
/// together present the same token within moments; a thief replaying it
/// later than this revokes the family as before.
pub const CONCURRENT_USE: Duration = Duration::from_secs(10);

/// Who a spent refresh token signed in, and its successor.
#[derive(Debug)]
pub struct Rotated {
    /// The account.
    pub account: AccountId,
    /// Its role.
    pub role: Role,
    /// Its email.
    pub email: String,
    /// The successor token.
    pub next: String,
}

/// Spends `token` and issues its successor.
pub async fn rotate(pool: &PgPool, token: &str, ttl: Duration) -> Result<Rotated, ApiError> {
    let h = hash(token);
    let mut tx = pool.begin().await?;
    // Unused, or used by a concurrent tab within the grace: `used_at` keeps
    // its first value, so the grace never stretches.
    let spent: Option<(Uuid, Uuid, String, String)> = sqlx::query_as(
        "UPDATE refresh_tokens r SET used_at = coalesce(r.used_at, now()) FROM credentials c \
         WHERE r.token_hash = $1 AND NOT r.revoked AND r.expires_at > now() \
           AND (r.used_at IS NULL OR r.used_at > now() - make_interval(secs => $2)) \
           AND c.account_id = r.account_id \
           AND NOT EXISTS (SELECT 1 FROM blocked_accounts b WHERE b.account_id = r.account_id) \
         RETURNING r.family, r.account_id, c.role, c.email",
    )
    .bind(&h)
    .bind(CONCURRENT_USE.as_secs_f64())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((family, account, role, email)) = spent {
        let role: Role = role.parse().map_err(ApiError::internal)?;
        let account = AccountId::from(account);
        let next = issue(&mut tx, account, family, ttl).await?;
        tx.commit().await?;
        return Ok(Rotated {
            account,
            role,
            email,
            next,
        });
    }
    let reused: Option<Uuid> = sqlx::query_scalar(
        "SELECT family FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NOT NULL",
    )
    .bind(&h)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(family) = reused {
        sqlx::query("UPDATE refresh_tokens SET revoked = true WHERE family = $1")
            .bind(family)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::warn!(%family, "refresh token reused; family revoked");
        return Err(ApiError::Unauthorized(
            "refresh token already used; every session of this login was revoked",
        ));
    }
    Err(ApiError::Unauthorized("invalid or expired refresh token"))
}

/// Revokes the family of `token` (logout); unknown tokens are ignored.
pub async fn revoke_family(pool: &PgPool, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked = true \
         WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = $1)",
    )
    .bind(hash(token))
    .execute(pool)
    .await?;
    Ok(())
}

/// Revokes every refresh token of account `$1` (blocking): a statement of
/// the transaction that stores the block.
pub const REVOKE_ACCOUNT_SQL: &str =
    "UPDATE refresh_tokens SET revoked = true WHERE account_id = $1 AND NOT revoked";
