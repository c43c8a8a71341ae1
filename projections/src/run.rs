//! The role's entry point: a consumer task per projection.

use std::sync::Arc;

use sqlx::postgres::PgPoolOptions;
use tokio_util::sync::CancellationToken;

use crate::config::ProjectionsConfig;
use crate::consumer::consume;
use crate::projector::Projection;
use crate::{ProjectionError, read_models};

/// The name that selects the ledger follower in [`ProjectionsConfig::only`].
pub const LEDGER: &str = "ledger";

/// Runs every configured projection's consumer until `shutdown` fires, then
/// waits for in-flight messages to settle.
pub async fn run(
    config: ProjectionsConfig,
    shutdown: CancellationToken,
) -> Result<(), ProjectionError> {
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .connect(&config.database_url)
        .await?;
    run_with_pool(pool, config, shutdown).await
}

/// [`run`] on an existing pool (tests, `hub dev`).
pub async fn run_with_pool(
    pool: sqlx::PgPool,
    config: ProjectionsConfig,
    shutdown: CancellationToken,
) -> Result<(), ProjectionError> {
    let projections: Vec<Arc<dyn Projection>> = match &config.only {
        None => read_models::all().into_iter().map(Arc::from).collect(),
        Some(names) => names
            .iter()
            .filter(|n| *n != LEDGER)
            .map(|n| read_models::by_name(n).map(Arc::from))
            .collect::<Result<_, _>>()?,
    };
    let mut tasks = tokio::task::JoinSet::new();
    // The ledger follows the store, not the bus (its hash chain needs the
    // commit order a rebuild reproduces), but it is a read model all the same.
    if config
        .only
        .as_ref()
        .is_none_or(|n| n.iter().any(|n| n == LEDGER))
    {
        tasks.spawn(ledger::run::run(pool.clone(), shutdown.clone()));
    }
    for projection in projections {
        tasks.spawn(consume(
            pool.clone(),
            projection,
            config.clone(),
            shutdown.clone(),
        ));
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "a projection consumer panicked");
            shutdown.cancel();
        }
    }
    Ok(())
}
