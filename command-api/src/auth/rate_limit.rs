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

/// Seconds until the oldest failure in the window leaves it, when the count
/// has reached `max`.
async fn wait_for(
    pool: &PgPool,
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
        .fetch_one(pool)
        .await?;
    if count < max {
        return Ok(None);
    }
    Ok(Some(Duration::from_secs_f64(secs.unwrap_or(1.0).max(1.0))))
}

/// 429 when either the email or the IP has used up its failures.
pub async fn check(
    pool: &PgPool,
    limits: &LoginLimits,
    email: &str,
    ip: IpAddr,
) -> Result<(), ApiError> {
    let by_email = wait_for(pool, "email", email, limits.per_account, limits.window).await?;
    let by_ip = wait_for(pool, "ip", &ip.to_string(), limits.per_ip, limits.window).await?;
    match by_email.max(by_ip) {
        Some(retry_after) => Err(ApiError::RateLimited { retry_after }),
        None => Ok(()),
    }
}

/// Counts a failed attempt.
pub async fn record_failure(pool: &PgPool, email: &str, ip: IpAddr) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_attempts (email, ip) VALUES ($1, $2::inet)")
        .bind(email)
        .bind(ip.to_string())
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets an email's failures after a successful login (the IP's stay).
pub async fn clear(pool: &PgPool, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE email = $1")
        .bind(email)
        .execute(pool)
        .await?;
    Ok(())
}
