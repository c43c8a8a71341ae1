//! Login rate limits: failed attempts per (email, client address) pair and
//! per client address in a sliding window, kept in PostgreSQL so every
//! replica sees the same count.
//!
//! The account's count is per address: failures from one address lock that
//! address out of the account, while its owner, elsewhere, still signs in
//! (a stranger's five wrong passwords must not lock anyone out).

use crate::{ApiError, LoginLimits};
use sqlx::PgPool;
use sqlx::postgres::types::PgInterval;
use std::net::IpAddr;
use std::time::Duration;

/// `d` as a PostgreSQL interval.
pub(crate) fn interval(d: Duration) -> PgInterval {
    PgInterval {
        months: 0,
        days: 0,
        microseconds: i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
    }
}

/// How long to wait, when `count` attempts (the caller's own included)
/// exceed `max`: until the oldest of them, at `oldest_secs` from now minus
/// the window, leaves the window; at least a second.
pub(crate) fn over(count: i64, oldest_secs: Option<f64>, max: i64) -> Option<Duration> {
    (count > max).then(|| Duration::from_secs_f64(oldest_secs.unwrap_or(1.0).max(1.0)))
}

/// The wait when the attempts of one (email, address) pair exceed `max`.
async fn pair_wait(
    conn: &mut sqlx::PgConnection,
    email: &str,
    ip: &str,
    max: i64,
    window: Duration,
) -> Result<Option<Duration>, sqlx::Error> {
    let (count, secs): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*), EXTRACT(EPOCH FROM (min(attempted_at) + $3 - now()))::float8 \
         FROM login_attempts WHERE email = $1 AND ip = $2::inet AND attempted_at > now() - $3",
    )
    .bind(email)
    .bind(ip)
    .bind(interval(window))
    .fetch_one(conn)
    .await?;
    Ok(over(count, secs, max))
}

/// The wait when the attempts from one address, on any email, exceed `max`.
async fn address_wait(
    conn: &mut sqlx::PgConnection,
    ip: &str,
    max: i64,
    window: Duration,
) -> Result<Option<Duration>, sqlx::Error> {
    let (count, secs): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*), EXTRACT(EPOCH FROM (min(attempted_at) + $2 - now()))::float8 \
         FROM login_attempts WHERE ip = $1::inet AND attempted_at > now() - $2",
    )
    .bind(ip)
    .bind(interval(window))
    .fetch_one(conn)
    .await?;
    Ok(over(count, secs, max))
}

/// An attempt counted before its password is checked, so a burst in
/// parallel cannot slip past the limit: attempts on one (email, address)
/// pair and from one address are recorded and counted one at a time, each
/// seeing every attempt before it.
#[derive(Debug, Clone, Copy)]
pub struct Attempt(i64);

/// Records the attempt, then refuses it (429) when it is over the (email,
/// address) pair's or the address's limit of failures in the window; a
/// refused attempt is not kept. It runs in its own task: a client hanging
/// up must not cut the transaction and leave its connection idle in
/// transaction, holding the locks.
pub async fn begin(
    pool: &PgPool,
    limits: &LoginLimits,
    email: &str,
    ip: IpAddr,
) -> Result<Attempt, ApiError> {
    let (pool, limits, email) = (pool.clone(), *limits, email.to_owned());
    platform::request_id::spawn(async move { record(&pool, &limits, &email, ip).await }).await?
}

async fn record(
    pool: &PgPool,
    limits: &LoginLimits,
    email: &str,
    ip: IpAddr,
) -> Result<Attempt, ApiError> {
    let ip = ip.to_string();
    let mut tx = pool.begin().await?;
    // Always the pair before the address, so two attempts never wait on each other.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtext('login:' || $1 || ' from ' || $2)), \
                pg_advisory_xact_lock(hashtext('login-ip:' || $2))",
    )
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
    let by_pair = pair_wait(&mut tx, email, &ip, limits.per_account, limits.window).await?;
    let by_ip = address_wait(&mut tx, &ip, limits.per_ip, limits.window).await?;
    tx.commit().await?;
    match by_pair.max(by_ip) {
        Some(retry_after) => {
            forget(pool, Attempt(id)).await?;
            Err(ApiError::RateLimited { retry_after })
        }
        None => Ok(Attempt(id)),
    }
}

/// The attempt succeeded: it is not a failure, and the earlier failures on
/// this email from this address are forgiven (another address's stay: the
/// owner signing in must not hand a guesser elsewhere a fresh count).
pub async fn succeeded(
    pool: &PgPool,
    email: &str,
    ip: IpAddr,
    attempt: Attempt,
) -> Result<(), sqlx::Error> {
    forget(pool, attempt).await?;
    sqlx::query("DELETE FROM login_attempts WHERE email = $1 AND ip = $2::inet")
        .bind(email)
        .bind(ip.to_string())
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
