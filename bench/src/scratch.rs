//! A scratch database on the server under test, made for one bench and
//! dropped after it, whether the bench succeeded or not.

use crate::mail::on_database;
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

pub(crate) struct Scratch {
    admin: PgPool,
    /// The database's name (`hub_bench_<what>_<uuid>`).
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl Scratch {
    /// Creates `hub_bench_<what>_<uuid>` on `database_url`'s server.
    pub async fn create(database_url: &str, what: &str) -> anyhow::Result<Self> {
        let admin = PgPool::connect(database_url)
            .await
            .with_context(|| format!("connecting to {database_url}"))?;
        let name = format!("hub_bench_{what}_{}", Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await?;
        let url = on_database(database_url, &name);
        Ok(Self { admin, name, url })
    }

    /// Drops the database, then answers the bench's `outcome` (its error
    /// first: a failed bench matters more than a failed drop).
    pub async fn drop_after<T>(self, outcome: anyhow::Result<T>) -> anyhow::Result<T> {
        let dropped = sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&self.admin)
        .await;
        self.admin.close().await;
        let value = outcome?;
        dropped.with_context(|| format!("dropping {}", self.name))?;
        Ok(value)
    }
}
