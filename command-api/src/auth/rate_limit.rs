//! Login rate limits: failed attempts per email and per client IP in a
//! sliding window, kept in PostgreSQL so every replica sees the same count.

use crate::{ApiError, LoginLimits};
use sqlx::PgPool;
use sqlx::postgres::types::PgInterval;
use std::net::IpAddr;
use std::time::Duration;

fn interval(d: Duration) -> PgInterval {
    PgInterval {
        months: 0,
        days: 0,
        microseconds: i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
    }
}

/// Seconds until the oldest attempt in the window leaves it, when the
/// attempts (the caller holds the lock, so none newer than its own) exceed `max`.
async fn wait_for(
    conn: &mut sqlx::PgConnection,
    column: &str,
    value: &str,
    max: i64,
    window: Duration,
) -> Result<Option<Duration>, sqlx::Error> {
    // `column` is one of two literals below, never input.
    let sql = format!(
        "SELECT count(*), EXTRACT(EPOCH FROM (min(attempted_at) + $2 - now()))::float8 \
         FROM login_attempts WHERE {column} = $1::{cast} AND attempted_at > now() - $2",
        cast = if column == "ip" { "inet" } else { "text" },
    );
    let (count, secs): (i64, Option<f64>) = sqlx::query_as(&sql)
        .bind(value)
        .bind(interval(window))
        .fetch_one(conn)
        .await?;
    if count <= max {
        return Ok(None);
    }
    Ok(Some(Duration::from_secs_f64(secs.unwrap_or(1.0).max(1.0))))
}

/// An attempt counted before its password is checked, so a burst in
/// parallel cannot slip past the limit: attempts on one email (and one
/// address) are recorded and counted one at a time, each seeing every
/// attempt before it.
#[derive(Debug, Clone, Copy)]
pub struct Attempt(i64);

/// Records the attempt, then refuses it (429) when it is over the email's or
/// the IP's limit of failures in the window; a refused attempt is not kept.
pub async fn begin(
    pool: &PgPool,
    limits: &LoginLimits,
    email: &str,
    ip: IpAddr,
) -> Result<Attempt, ApiError> {
    let ip = ip.to_string();
    let mut tx = pool.begin().await?;
    // Always email before address, so two attempts never wait on each other.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('login:' || $1)), pg_advisory_xact_lock(hashtext('login-ip:' || $2))")
        .bind(email)
        .bind(&ip)
        .execute(&mut *tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO login_attempts (email, ip) VALUES ($1, $2::inet) RETURNING id",
    )
    .bind(email)
    .bind(&ip)
    .fetch_one(&mut *tx)
    .await?;
    let by_email = wait_for(&mut tx, "email", email, limits.per_account, limits.window).await?;
    let by_ip = wait_for(&mut tx, "ip", &ip, limits.per_ip, limits.window).await?;
    tx.commit().await?;
    match by_email.max(by_ip) {
        Some(retry_after) => {
            forget(pool, Attempt(id)).await?;
            Err(ApiError::RateLimited { retry_after })
        }
        None => Ok(Attempt(id)),
    }
}

/// The attempt succeeded: it is not a failure, and the email's earlier
/// failures are forgiven (the IP's stay).
pub async fn succeeded(pool: &PgPool, email: &str, attempt: Attempt) -> Result<(), sqlx::Error> {
    forget(pool, attempt).await?;
    sqlx::query("DELETE FROM login_attempts WHERE email = $1")
        .bind(email)
        .execute(pool)
        .await?;
    Ok(())
}

/// The attempt was not a failure either way (the server was too busy to
/// check it, or the account is blocked): it no longer counts.
pub async fn forget(pool: &PgPool, Attempt(id): Attempt) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
