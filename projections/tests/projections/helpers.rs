use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use cqrs_es::DomainEvent;
use projections::StoredEvent;
use serde::Serialize;
use serde_json::json;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};

pub fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// A fresh database with every migration applied, dropped when the test ends
/// (also when it panics).
pub struct TestDb {
    pub pool: PgPool,
    pub url: String,
    name: String,
}

impl TestDb {
    pub async fn new() -> Self {
        let name = format!("projections_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url())
            .await
            .expect("admin connection");
        admin
            .execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
            .await
            .expect("create database");
        let base = admin_url();
        let url = match base.rfind('/') {
            Some(i) => format!("{}/{name}", &base[..i]),
            None => panic!("DATABASE_URL has no database part"),
        };
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await
            .expect("test database");
        sqlx::migrate!("../store/migrations")
            .run(&pool)
            .await
            .expect("migrations");
        Self { pool, url, name }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime; a thread with its own runtime
        // may block on the cleanup. The pool is not closed from there (its
        // sockets belong to the blocked runtime): FORCE ends its sessions.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url()).await {
                    let _ = admin
                        .execute(
                            format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str(),
                        )
                        .await;
                }
            });
        })
        .join();
    }
}

/// A fixed instant plus `minutes`, so rebuilt rows equal live ones.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
        .single()
        .expect("valid time")
        + chrono::Duration::minutes(minutes)
}

static CLOCK: AtomicI64 = AtomicI64::new(0);

/// Appends an event to the store as postgres-es would, returning it as a
/// projection receives it.
pub async fn append<E: DomainEvent + Serialize>(
    pool: &PgPool,
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: i64,
    event: &E,
) -> StoredEvent {
    let payload = serde_json::to_value(event).expect("event serialises");
    append_raw(
        pool,
        aggregate_type,
        aggregate_id,
        sequence,
        &event.event_type(),
        &event.event_version(),
        payload,
    )
    .await
}

/// Appends any payload (old versions, poison) to the store.
pub async fn append_raw(
    pool: &PgPool,
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: i64,
    event_type: &str,
    event_version: &str,
    payload: serde_json::Value,
) -> StoredEvent {
    let occurred = at(CLOCK.fetch_add(1, Ordering::Relaxed));
    let metadata = json!({
        "actor_id": null,
        "actor_role": null,
        "correlation_id": uuid::Uuid::new_v4(),
        "causation_id": null,
        "occurred_at": occurred.to_rfc3339(),
    });
    let (global_position, recorded_at): (i64, DateTime<Utc>) = sqlx::query_as(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING global_position, recorded_at",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(sequence)
    .bind(event_type)
    .bind(event_version)
    .bind(&payload)
    .bind(&metadata)
    .fetch_one(pool)
    .await
    .expect("append");
    StoredEvent {
        aggregate_type: aggregate_type.to_owned(),
        aggregate_id: aggregate_id.to_owned(),
        sequence,
        event_type: event_type.to_owned(),
        event_version: event_version.to_owned(),
        payload,
        metadata,
        global_position,
        recorded_at,
    }
}

/// Every row of a table as JSON, in key order: for row-for-row comparisons.
pub async fn rows(pool: &PgPool, table: &str) -> Vec<serde_json::Value> {
    sqlx::query_scalar(&format!(
        "SELECT to_jsonb(t) FROM read.{table} t ORDER BY to_jsonb(t)::text"
    ))
    .fetch_all(pool)
    .await
    .expect("rows")
}

pub async fn last_sequence(pool: &PgPool, projection: &str, aggregate_id: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT last_sequence FROM read.projection_positions WHERE projection = $1 AND aggregate_id = $2",
    )
    .bind(projection)
    .bind(aggregate_id)
    .fetch_optional(pool)
    .await
    .expect("position")
}
