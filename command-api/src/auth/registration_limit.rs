//! The registration limit: registrations per client address in a sliding
//! window, kept in PostgreSQL so every replica sees the same count. Each
//! registration that passed validation counts (whether its email was free
//! or not: each costs a password hash), and is counted before the hash.

use super::rate_limit::{interval, over};
use crate::{ApiError, RegistrationLimits};
use sqlx::PgPool;
use std::net::IpAddr;

/// Records the registration from `ip`, then refuses it (429) when the
/// address is over its limit in the window; a refused one is not kept.
/// The transaction runs in its own task: a client hanging up must not cut
/// it and leave its connection idle in transaction.
pub async fn admit(pool: &PgPool, limits: &RegistrationLimits, ip: IpAddr) -> Result<(), ApiError> {
    let (pool, limits) = (pool.clone(), *limits);
    platform::request_id::spawn(async move { count(&pool, &limits, ip).await }).await?
}

async fn count(pool: &PgPool, limits: &RegistrationLimits, ip: IpAddr) -> Result<(), ApiError> {
    let ip = ip.to_string();
    let mut tx = pool.begin().await?;
    // One at a time per address, so a parallel burst cannot slip past.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('register-ip:' || $1))")
        .bind(&ip)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO registration_attempts (ip) VALUES ($1::inet)")
        .bind(&ip)
        .execute(&mut *tx)
        .await?;
    let (count, secs): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*), EXTRACT(EPOCH FROM (min(attempted_at) + $2 - now()))::float8 \
         FROM registration_attempts WHERE ip = $1::inet AND attempted_at > now() - $2",
    )
    .bind(&ip)
    .bind(interval(limits.window))
    .fetch_one(&mut *tx)
    .await?;
    match over(count, secs, limits.per_ip) {
        Some(retry_after) => {
            // A refused registration does not count.
            tx.rollback().await?;
            Err(ApiError::RateLimited { retry_after })
        }
        None => {
            tx.commit().await?;
            Ok(())
        }
    }
}
