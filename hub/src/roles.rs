//! One function per `hub <role>`: connect, build the role's library, serve
//! until SIGTERM.

use crate::settings::{amqp_url, database_url, http_settings, topology};
use anyhow::Context;
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

/// Cancelled on SIGTERM or Ctrl-C, so every role finishes its current batch
/// or request before exiting.
pub fn shutdown_token() -> CancellationToken {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        platform::shutdown::signal().await;
        trigger.cancel();
    });
    token
}

/// Creates the database if missing and applies every migration.
pub async fn migrate() -> anyhow::Result<()> {
    let url = database_url();
    store::ensure_database(&url)
        .await
        .with_context(|| format!("cannot reach PostgreSQL at {url}"))?;
    let pool = store::connect(&url, 2).await?;
    store::migrate(&pool).await?;
    tracing::info!(%url, "migrations applied");
    Ok(())
}

/// The HTTP write side.
pub async fn command_api() -> anyhow::Result<()> {
    let settings = http_settings(false)?;
    let pool = store::connect(
        settings.database.url.expose_secret(),
        settings.database.max_connections,
    )
    .await?;
    let env = platform::Env::from_process();
    // No secret, no start: an unsigned webhook would let anyone mint money.
    let payments = command_api::payments::PaymentSettings::load(&env)
        .context("the payment gateway's settings (HUB_PAYMENTS__*)")?;
    let mut state = command_api::AppState::new(pool, &settings.auth, settings.http.clone())
        .with_payments(&payments);
    state.money = command_api::money::MoneySettings::load(&env)?;
    let listener = tokio::net::TcpListener::bind(settings.http.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "command-api listening");
    platform::http::serve(
        listener,
        command_api::router(state),
        platform::shutdown::signal(),
    )
    .await?;
    Ok(())
}

/// The HTTP query side.
pub async fn read_api() -> anyhow::Result<()> {
    read_api::run(http_settings(false)?, platform::shutdown::signal()).await?;
    Ok(())
}

/// The relay from the event store to RabbitMQ.
pub async fn relay() -> anyhow::Result<()> {
    let mut config = relay::RelayConfig::new(&database_url(), &amqp_url());
    config.topology = topology()?;
    relay::Relay::run_with(config, shutdown_token()).await?;
    Ok(())
}

/// The read-model consumers.
pub async fn projections() -> anyhow::Result<()> {
    let mut config = projections::ProjectionsConfig::new(&database_url(), &amqp_url());
    config.topology = topology()?;
    projections::run(config, shutdown_token()).await?;
    Ok(())
}

/// Replays the store into fresh read-model tables and swaps them in.
pub async fn rebuild(name: Option<String>) -> anyhow::Result<()> {
    let pool = store::connect(&database_url(), 4).await?;
    let report =
        projections::rebuild(&pool, name.as_deref(), projections::Progress::Terminal).await?;
    println!(
        "rebuilt {} from {} events ({} caught up at the swap)",
        report.projections.join(", "),
        report.replayed,
        report.caught_up
    );
    Ok(())
}

/// Creates an admin or auditor login.
pub async fn create_staff(email: &str, password: &str, role: domain::Role) -> anyhow::Result<()> {
    let pool = store::connect(&database_url(), 2).await?;
    let id = command_api::bootstrap_staff(&pool, email, password, role).await?;
    println!("{role} {email} created with account id {id}");
    Ok(())
}
