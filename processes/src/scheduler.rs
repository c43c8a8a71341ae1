//! The scheduler's table, `scheduled_jobs` (DESIGN §6).
//!
//! Why a table of our own rather than a job library (STACK-NOTES, "Libraries
//! for what comes next"): apalis, graphile_worker and pgmq are on sqlx 0.9,
//! a second `PgPool` type beside postgres-es's sqlx 0.8; underway is mid-
//! rewrite; sqlxmq brings its own SQL functions and native-tls; fang pulls
//! diesel and libpq. What we need is small — a due time read from our
//! [`Clock`] (which tests and `hub dev` move), a lease, a dedupe key — and
//! fits in three statements on our own pool.
//!
//! - schedule: `INSERT .. ON CONFLICT (dedupe_key) DO NOTHING`, so scheduling
//!   is idempotent;
//! - claim: `UPDATE .. WHERE id IN (SELECT .. FOR UPDATE SKIP LOCKED LIMIT n)`
//!   sets a lease (`locked_until`, in real time): replicas never take the
//!   same row, and a crashed one's rows come back when the lease runs out;
//! - finish: `done_at` right after the job's effect committed (the money
//!   steps inside a job are each one transaction over their streams); a
//!   failure clears the lease and pushes `due_at` back. A job runs again only
//!   if its previous run did not finish, and its commands use transfer ids
//!   derived from the job's subject, so a rerun has exactly one effect.

use crate::jobs::Job;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// A job taken under lease.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// Its id (UUID v5 of its dedupe key).
    pub id: Uuid,
    /// What to do; `Err` with the raw payload when it no longer parses.
    pub job: Result<Job, String>,
    /// How many times it was claimed, this time included.
    pub attempts: i32,
}

/// The `scheduled_jobs` table.
#[derive(Debug, Clone)]
pub struct Scheduler {
    pool: PgPool,
}

impl Scheduler {
    /// The scheduler on `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Schedules `job` at `due_at` (clock time). Returns false when the same
    /// job (same dedupe key) was already scheduled: nothing changes then.
    pub async fn schedule(&self, job: &Job, due_at: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        let payload = serde_json::to_value(job).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let inserted = sqlx::query(
            "INSERT INTO scheduled_jobs (id, kind, dedupe_key, payload, due_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(job.id())
        .bind(job.kind())
        .bind(job.dedupe_key())
        .bind(payload)
        .bind(due_at)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Takes up to `limit` jobs due at `now` (clock time) that nobody holds,
    /// earliest first, under a lease of `lease` (real time).
    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, sqlx::Error> {
        let rows: Vec<(Uuid, serde_json::Value, i32)> = sqlx::query_as(
            "UPDATE scheduled_jobs \
                SET locked_until = now() + make_interval(secs => $3), attempts = attempts + 1 \
              WHERE id IN ( \
                    SELECT id FROM scheduled_jobs \
                     WHERE done_at IS NULL AND due_at <= $1 \
                       AND (locked_until IS NULL OR locked_until < now()) \
                     ORDER BY due_at \
                     FOR UPDATE SKIP LOCKED \
                     LIMIT $2) \
              RETURNING id, payload, attempts",
        )
        .bind(now)
        .bind(i64::from(limit))
        .bind(lease.as_secs_f64())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, payload, attempts)| ClaimedJob {
                id,
                job: serde_json::from_value(payload.clone()).map_err(|_| payload.to_string()),
                attempts,
            })
            .collect())
    }

    /// The job's effect committed: it never runs again.
    pub async fn done(&self, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE scheduled_jobs SET done_at = now(), locked_until = NULL, last_error = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// The job failed: free it and try again at `retry_at` (clock time).
    pub async fn failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE scheduled_jobs SET locked_until = NULL, due_at = $2, last_error = $3 \
             WHERE id = $1 AND done_at IS NULL",
        )
        .bind(id)
        .bind(retry_at)
        .bind(error)
        .execute(&self.pool)
        .await
        .map(drop)
    }
}
