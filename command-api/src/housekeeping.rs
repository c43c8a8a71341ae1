//! Rows that only matter for a while are deleted once they stop mattering:
//! login and registration attempts older than their limit's window, `Idempotency-Key`
//! answers older than the day they are honoured for, and refresh tokens past
//! their expiry (reuse detection needs a token only while it could still be
//! presented). Every command-api replica runs it; the deletes are
//! idempotent, so replicas racing do no harm.

use crate::AppState;
use sqlx::PgPool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the purge runs.
pub const EVERY: Duration = Duration::from_secs(15 * 60);

/// How long the rate limits' attempts count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// The login limits' window.
    pub login: Duration,
    /// The registration limit's window.
    pub registration: Duration,
}

impl Windows {
    /// The windows of `state`'s limits.
    pub fn of(state: &AppState) -> Self {
        Self {
            login: state.login_limits.window,
            registration: state.registration_limits.window,
        }
    }
}

/// What one purge deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    /// Login attempts out of the window.
    pub login_attempts: u64,
    /// Registrations out of the window.
    pub registration_attempts: u64,
    /// Idempotency answers past their day.
    pub idempotency_keys: u64,
    /// Expired refresh tokens.
    pub refresh_tokens: u64,
}

/// Deletes what no longer counts.
pub async fn purge(pool: &PgPool, windows: Windows) -> Result<Purged, sqlx::Error> {
    let login_attempts = sqlx::query(
        "DELETE FROM login_attempts WHERE attempted_at < now() - make_interval(secs => $1)",
    )
    .bind(windows.login.as_secs_f64())
    .execute(pool)
    .await?
    .rows_affected();
    let registration_attempts = sqlx::query(
        "DELETE FROM registration_attempts WHERE attempted_at < now() - make_interval(secs => $1)",
    )
    .bind(windows.registration.as_secs_f64())
    .execute(pool)
    .await?
    .rows_affected();
    let idempotency_keys =
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'")
            .execute(pool)
            .await?
            .rows_affected();
    let refresh_tokens = sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < now()")
        .execute(pool)
        .await?
        .rows_affected();
    Ok(Purged {
        login_attempts,
        registration_attempts,
        idempotency_keys,
        refresh_tokens,
    })
}

/// Purges every [`EVERY`] until `shutdown`.
pub async fn run(pool: PgPool, windows: Windows, shutdown: CancellationToken) {
    loop {
        match purge(&pool, windows).await {
            Ok(purged) if purged != Purged::default() => {
                tracing::info!(?purged, "expired auth and idempotency rows deleted");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "housekeeping failed; trying again later"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}
