//! One function per `hub <role>`: connect, build the role's library, serve
//! until SIGTERM.

use crate::settings::{
    database_url, http_settings, required_amqp_url, required_database_url, topology,
};
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

/// The role's metrics listener on `addr` (`HUB_METRICS__ADDR`), for
/// Prometheus only: it is not the API's port, so the Ingress never routes to
/// it. Binds now (a taken port fails the start, naming the variable), serves
/// until `shutdown`; returns the bound address.
pub async fn serve_metrics(
    addr: std::net::SocketAddr,
    shutdown: CancellationToken,
) -> anyhow::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (HUB_METRICS__ADDR)"))?;
    let bound = listener.local_addr()?;
    tracing::info!(addr = %bound, "metrics listening");
    tokio::spawn(async move {
        let stopped = async move { shutdown.cancelled().await };
        if let Err(error) = platform::metrics::serve(listener, stopped).await {
            tracing::error!(%error, "metrics listener stopped");
        }
    });
    Ok(bound)
}

/// [`serve_metrics`] on `HUB_METRICS__ADDR` (default `127.0.0.1:9090`).
async fn metrics(shutdown: CancellationToken) -> anyhow::Result<()> {
    let settings = platform::MetricsSettings::load(&platform::Env::from_process())?;
    serve_metrics(settings.addr, shutdown).await.map(drop)
}

/// A worker role's own small HTTP listener on `HUB_HTTP__ADDR`: `/healthz`
/// and `/readyz` (PostgreSQL answers), for the cluster's probes. It stops
/// with `shutdown`.
async fn serve_health(shutdown: CancellationToken) -> anyhow::Result<()> {
    let addr = platform::HttpSettings::load(&platform::Env::from_process())?.addr;
    let pool = store::connect(&required_database_url()?, 1).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (HUB_HTTP__ADDR)"))?;
    tracing::info!(addr = %listener.local_addr()?, "health listening");
    let app = platform::health::router(pool);
    tokio::spawn(async move {
        let stopped = async move { shutdown.cancelled().await };
        if let Err(error) = platform::http::serve(listener, app, stopped).await {
            tracing::error!(%error, "health listener stopped");
        }
    });
    Ok(())
}

/// The shutdown token of a worker role, with its health and metrics
/// listeners started.
async fn worker() -> anyhow::Result<CancellationToken> {
    let shutdown = shutdown_token();
    serve_health(shutdown.clone()).await?;
    metrics(shutdown.clone()).await?;
    Ok(shutdown)
}

/// Creates the database if missing, applies every migration and grants the
/// least-privilege roles (DESIGN §9) what they may do.
pub async fn migrate() -> anyhow::Result<()> {
    migrate_at(&required_database_url()?).await
}

/// [`migrate`] on the database at `url` (`hub dev` names its own).
pub async fn migrate_at(url: &str) -> anyhow::Result<()> {
    let url = url.to_owned();
    store::ensure_database(&url)
        .await
        .with_context(|| format!("cannot reach PostgreSQL at {url}"))?;
    let pool = store::connect(&url, 2).await?;
    store::migrate(&pool).await?;
    store::roles::grant(&pool)
        .await
        .context("granting the database groups (store::roles) their privileges")?;
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
    state.money = command_api::MoneySettings::load(&env)?;
    state.attachments = command_api::attachment::AttachmentSettings::load(&env)?;
    state.registration_limits = command_api::RegistrationLimits::load(&env)?;
    let shutdown = shutdown_token();
    metrics(shutdown.clone()).await?;
    tokio::spawn(command_api::housekeeping::run(
        state.pool.clone(),
        command_api::housekeeping::Windows::of(&state),
        shutdown.clone(),
    ));
    let listener = tokio::net::TcpListener::bind(settings.http.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "command-api listening");
    platform::http::serve(listener, command_api::router(state), async move {
        shutdown.cancelled().await;
    })
    .await?;
    Ok(())
}

/// The HTTP query side.
pub async fn read_api() -> anyhow::Result<()> {
    let settings = http_settings(false)?;
    let shutdown = shutdown_token();
    metrics(shutdown.clone()).await?;
    read_api::run(settings, async move { shutdown.cancelled().await }).await?;
    Ok(())
}

/// The relay from the event store to RabbitMQ.
pub async fn relay() -> anyhow::Result<()> {
    let mut config = relay::RelayConfig::new(&required_database_url()?, &required_amqp_url()?);
    config.topology = topology()?;
    relay::Relay::run_with(config, worker().await?).await?;
    Ok(())
}

/// The read-model consumers.
pub async fn projections() -> anyhow::Result<()> {
    let mut config =
        projections::ProjectionsConfig::new(&required_database_url()?, &required_amqp_url()?);
    config.topology = topology()?;
    projections::run(config, worker().await?).await?;
    Ok(())
}

/// Replays the store into fresh read-model tables and swaps them in.
pub async fn rebuild(name: Option<String>) -> anyhow::Result<()> {
    let pool = store::connect(&required_database_url()?, 4).await?;
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
    let pool = store::connect(&required_database_url()?, 2).await?;
    let id = command_api::bootstrap_staff(&pool, email, password, role).await?;
    println!("{role} {email} created with account id {id}");
    Ok(())
}

/// The process managers and the scheduler. Outside `hub dev` the payout
/// bank must be named (`HUB_PAYOUTS__BANK`); only the sandbox exists so far.
pub async fn processes() -> anyhow::Result<()> {
    let settings = processes::ProcessesSettings::load(&platform::Env::from_process())?;
    if settings.bank.is_none() {
        anyhow::bail!(
            "HUB_PAYOUTS__BANK must be set (`sandbox` is the only bank so far; hub dev uses it)"
        );
    }
    let pool = store::connect(&required_database_url()?, 8).await?;
    let amqp = required_amqp_url()?;
    run_processes(pool, &amqp, settings, topology()?, worker().await?).await
}

/// `hub notifier`: events to in-app notifications and mail.
pub async fn notifier() -> anyhow::Result<()> {
    let settings = notifier::NotifierSettings::load(&platform::Env::from_process())?;
    let Some(smtp_url) = settings.smtp_url.clone() else {
        anyhow::bail!(
            "HUB_SMTP__URL must be set, e.g. smtp://127.0.0.1:1025 or smtps://user:pass@smtp.example.com"
        );
    };
    let pool = store::connect(&required_database_url()?, 4).await?;
    let amqp = required_amqp_url()?;
    run_notifier(
        pool,
        &amqp,
        &smtp_url,
        &settings,
        topology()?,
        worker().await?,
    )
    .await
}

/// Runs the notifier on `pool`, mailing through `smtp_url`, until `shutdown`;
/// `hub dev` calls it with its own mail sink.
pub async fn run_notifier(
    pool: sqlx::PgPool,
    amqp: &str,
    smtp_url: &str,
    settings: &notifier::NotifierSettings,
    topology: bus::Topology,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mailer = notifier::Mailer::new(
        pool.clone(),
        notifier::MailerSettings {
            lease: settings.mail_lease,
            ..notifier::MailerSettings::new(smtp_url, &settings.from)
        },
    )?;
    let inbox = notifier::Inbox::new(pool, &settings.public_url)
        .with_chat_mail_every(settings.chat_mail_every);
    let consumer = bus::ConsumerConfig::new(amqp, topology);
    notifier::run(inbox, mailer, consumer, shutdown).await;
    Ok(())
}

/// Builds the process managers on `pool` and runs them until `shutdown`;
/// `hub dev` calls it with the development clock and the sandbox bank.
pub async fn run_processes(
    pool: sqlx::PgPool,
    amqp: &str,
    settings: processes::ProcessesSettings,
    topology: bus::Topology,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let clock: std::sync::Arc<dyn store::Clock> = if settings.dev_clock {
        store::DevClock::start(pool.clone()).await?
    } else {
        std::sync::Arc::new(store::SystemClock)
    };
    let bank: std::sync::Arc<dyn processes::PayoutBank> = match settings.bank {
        Some(processes::BankKind::Sandbox) | None => std::sync::Arc::new(processes::SandboxBank),
    };
    let managers = std::sync::Arc::new(processes::Processes::new(pool, clock, bank, settings));
    let consumer = processes::ConsumerConfig::new(amqp, topology);
    processes::run(managers, consumer, shutdown).await;
    Ok(())
}

/// `hub dev-clock advance <span>`: moves the development clock every role of
/// `hub dev` (and any role with `HUB_CLOCK__DEV=true`) reads.
pub async fn advance_dev_clock(span: &str) -> anyhow::Result<()> {
    let by = store::clock::parse_span(span).with_context(|| {
        format!("cannot read {span:?}: use e.g. 31d, 12h, 90m, 45s or P31D, PT12H")
    })?;
    let pool = store::connect(&database_url(), 1).await?;
    let offset = store::clock::advance_dev_clock(&pool, by).await?;
    let now = chrono::Utc::now() + offset;
    println!(
        "dev clock: now {} ({} days {} s ahead of real time)",
        now.to_rfc3339(),
        offset.num_days(),
        offset.num_seconds() - offset.num_days() * 86_400
    );
    Ok(())
}
