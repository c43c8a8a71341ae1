//! A fresh, migrated PostgreSQL database per test (feature `testing`).
//!
//! The server comes from `DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); the test database gets a
//! random name on that server and is dropped (`WITH (FORCE)`) by
//! [`TestDb::drop_db`] or, failing that, when the `TestDb` is dropped — also
//! when the test panics. No Docker fallback: these machines have no engine.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::str::FromStr;

/// The server used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test.
pub struct TestDb {
    pool: PgPool,
    name: String,
    admin: PgConnectOptions,
    url: String,
    dropped: bool,
    owner: Option<PgPool>,
}

/// Why the test database could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TestDbError {
    /// PostgreSQL refused or was unreachable.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    /// The migrations failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl TestDb {
    /// Creates and migrates a database named `hub_test_<random>`.
    pub async fn create() -> Result<Self, TestDbError> {
        let server = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
        let admin = PgConnectOptions::from_str(&server)?;
        let name = format!("hub_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect_with(&admin).await?;
        sqlx::query(&format!(r#"CREATE DATABASE "{name}""#))
            .execute(&mut conn)
            .await?;
        conn.close().await?;

        let mut url = url_without_db(&server);
        url.push('/');
        url.push_str(&name);
        let mut db = Self {
            pool: PgPoolOptions::new()
                .max_connections(20)
                .connect_lazy_with(admin.clone().database(&name)),
            name,
            admin,
            url,
            dropped: false,
            owner: None,
        };
        if let Err(error) = crate::migrate(&db.pool).await {
            db.drop_db().await?;
            return Err(error.into());
        }
        // Tests act as the roles do in the cluster: a writer, not the owner
        // (DESIGN §9). `owner_pool` is for the few that alter the schema.
        crate::roles::ensure_dev_roles(&db.pool).await?;
        crate::roles::grant(&db.pool).await?;
        db.owner = Some(std::mem::replace(
            &mut db.pool,
            PgPoolOptions::new().max_connections(20).connect_lazy_with(
                db.admin
                    .clone()
                    .database(&db.name)
                    .username(crate::roles::DEV_WRITER_LOGIN),
            ),
        ));
        Ok(db)
    }

    /// A pool on the test database (up to 20 connections), logged in as a
    /// writer (`hub_app`): it appends events but cannot rewrite them.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A pool logged in as the database's owner, which ran the migrations.
    pub fn owner_pool(&self) -> &PgPool {
        self.owner.as_ref().unwrap_or(&self.pool)
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL for the test database, for code that connects by itself.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Closes the pool and drops the database.
    pub async fn drop_db(&mut self) -> Result<(), sqlx::Error> {
        if self.dropped {
            return Ok(());
        }
        self.pool.close().await;
        if let Some(owner) = &self.owner {
            owner.close().await;
        }
        drop_database(&self.admin, &self.name).await?;
        self.dropped = true;
        Ok(())
    }
}

impl Drop for TestDb {
    /// Best effort: the async runtime may be the test's own (a current-thread
    /// one that cannot be blocked on), so the drop runs on a thread of its own.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let admin = self.admin.clone();
        let name = std::mem::take(&mut self.name);
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(drop_database(&admin, &name))
                .map_err(|e| format!("DROP DATABASE {name}: {e}"))
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("TestDb: {error}"),
            Err(_) => eprintln!("TestDb: the cleanup thread panicked"),
        }
    }
}

async fn drop_database(admin: &PgConnectOptions, name: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect_with(admin).await?;
    sqlx::query(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
        .execute(&mut conn)
        .await?;
    conn.close().await
}

/// `postgres://u@h:p/db?x=y` → `postgres://u@h:p` (query parameters are dropped).
fn url_without_db(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or(url);
    match without_query.find("://") {
        Some(scheme_end) => {
            let rest = &without_query[scheme_end + 3..];
            match rest.find('/') {
                Some(slash) => without_query[..scheme_end + 3 + slash].to_owned(),
                None => without_query.to_owned(),
            }
        }
        None => without_query.to_owned(),
    }
}
