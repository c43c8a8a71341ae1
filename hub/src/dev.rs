//! `hub dev`: every role in one process against the local PostgreSQL and
//! RabbitMQ, the API and the SPA on one port, mounted as the Ingress mounts
//! them (DESIGN §8), with demo data.

use crate::roles::shutdown_token;
use crate::settings::{amqp_url, database_url, http_settings, topology};
use crate::{seed, story};
use anyhow::{Context, bail};
use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;
use std::time::Duration;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Registrations per address and hour in `hub dev` unless
/// `HUB_REGISTRATION__PER_IP` says otherwise (production's default is 10).
const DEV_REGISTRATIONS_PER_IP: i64 = 100_000;

/// Starts everything and serves until Ctrl-C.
pub async fn run() -> anyhow::Result<()> {
    let db_url = database_url();
    let amqp = amqp_url();
    check_services(&db_url, &amqp).await?;
    crate::roles::migrate_at(&db_url).await?;
    // Every role below logs in as what it may do, as in the cluster: each
    // in its own group (store::roles), the read API too; only the migration
    // owns.
    let read_url = least_privilege(&db_url).await?;
    let login = |group: store::roles::Group| store::roles::url_as(&db_url, group.dev_login);
    let topology = topology()?;
    declare_queues(&amqp, &topology).await?;

    let shutdown = shutdown_token();
    let mut roles = tokio::task::JoinSet::new();
    {
        let mut config =
            projections::ProjectionsConfig::new(&login(store::roles::PROJECTIONS), &amqp);
        config.topology = topology.clone();
        let token = shutdown.clone();
        roles.spawn(async move {
            projections::run(config, token)
                .await
                .map_err(anyhow::Error::from)
        });
    }
    {
        let mut config = relay::RelayConfig::new(&login(store::roles::RELAY), &amqp);
        config.topology = topology.clone();
        let token = shutdown.clone();
        roles.spawn(async move {
            relay::Relay::run_with(config, token)
                .await
                .map_err(anyhow::Error::from)
        });
    }

    {
        // The sandbox bank and the shared, movable clock (`hub dev-clock advance 31d`).
        let mut settings = processes::ProcessesSettings::load(&platform::Env::from_process())?;
        settings.dev_clock = true;
        settings.bank.get_or_insert(processes::BankKind::Sandbox);
        let pool = store::connect(&login(store::roles::PROCESSES), 8).await?;
        let (topology, token) = (topology.clone(), shutdown.clone());
        let amqp = amqp.clone();
        roles.spawn(async move {
            crate::roles::run_processes(pool, &amqp, settings, topology, token).await
        });
    }

    // hub dev keeps its own mail: an SMTP sink in this process.
    let mail = notifier::sink::Sink::start("127.0.0.1:0").await?;
    {
        let settings = notifier::NotifierSettings::load(&platform::Env::from_process())?;
        let pool = store::connect(&login(store::roles::NOTIFIER), 4).await?;
        let (topology, token, url) = (topology.clone(), shutdown.clone(), mail.url());
        let amqp = amqp.clone();
        roles.spawn(async move {
            crate::roles::run_notifier(pool, &amqp, &url, &settings, topology, token).await
        });
    }

    let settings = http_settings(true)?;
    let pool = store::connect(
        &login(store::roles::COMMAND),
        settings.database.max_connections,
    )
    .await?;
    let read_pool = store::connect(&read_url, settings.database.max_connections).await?;
    // Bound first: the sandbox gateway calls the webhook back on this port.
    let listener = tokio::net::TcpListener::bind(settings.http.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (set HUB_HTTP__ADDR)",
                settings.http.addr
            )
        })?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    // Every role's metrics, once, on a port of their own: `HUB_METRICS__ADDR`
    // if set, else any free port (dev stacks and test suites run side by
    // side on one machine); the banner names it.
    let env = platform::Env::from_process();
    let metrics_addr = if env.get("HUB_METRICS__ADDR").is_some() {
        platform::MetricsSettings::load(&env)?.addr
    } else {
        std::net::SocketAddr::from(([127, 0, 0, 1], 0))
    };
    let metrics = crate::roles::serve_metrics(metrics_addr, shutdown.clone()).await?;

    // The sandbox acquirer with a secret made per run: both ends of the
    // callback live in this process, so nobody else needs to know it.
    let payments = command_api::payments::PaymentSettings {
        sandbox_delay: std::time::Duration::from_millis(
            env.parse_or("HUB_PAYMENTS__SANDBOX_DELAY_MS", 200u64)?,
        ),
        ..command_api::payments::PaymentSettings::sandbox_with_random_secret(format!(
            "{base}/api/v1/payments/webhook"
        ))
    };
    let mut commands =
        command_api::AppState::new(pool.clone(), &settings.auth, settings.http.clone())
            .with_payments(&payments);
    commands.money = command_api::MoneySettings::load(&env)?;
    commands.attachments = command_api::attachment::AttachmentSettings::load(&env)?;
    // Generous unless set: the bench registers hundreds of accounts from
    // this one address.
    commands.registration_limits = command_api::RegistrationLimits::load_or(
        &env,
        command_api::RegistrationLimits {
            per_ip: DEV_REGISTRATIONS_PER_IP,
            ..command_api::RegistrationLimits::default()
        },
    )?;
    roles.spawn({
        let windows = command_api::housekeeping::Windows::of(&commands);
        let (pool, token) = (pool.clone(), shutdown.clone());
        async move {
            command_api::housekeeping::run(pool, windows, token).await;
            Ok(())
        }
    });
    // The same movable clock the process managers read.
    commands.clock = store::clock::DevClock::start(pool.clone()).await?;
    let queries = read_api::AppState::new(read_pool, &settings.auth, settings.http.clone())
        .with_streams(read_api::events::limits::StreamSettings::load(&env)?);
    let events = queries.events.clone();
    roles.spawn({
        let (pool, token) = (queries.pool.clone(), shutdown.clone());
        async move {
            read_api::events::tickets::housekeeping(pool, token.cancelled_owned()).await;
            Ok(())
        }
    });
    // One router, as the Ingress splits the paths: `/api/v1/auth/`,
    // `/api/v1/commands/` and `/api/v1/payments/` are command-api's, the rest
    // of `/api/v1/` read-api's.
    let api = command_api::api_routes(commands)
        .merge(read_api::api_routes(queries))
        .merge(crate::dev_clock::router(pool.clone()))
        .merge(crate::dev_mail::router(mail.clone()))
        .merge(platform::health::router(pool.clone()));
    let app: Router = platform::http::with_common_layers(api, &settings.http).fallback(spa);
    let stop = shutdown.clone();
    let server = tokio::spawn(platform::http::serve(listener, app, async move {
        stop.cancelled().await;
        events.close();
    }));

    let logins = seed::demo(&base, &pool)
        .await
        .context("seeding demo data")?;
    if let Err(error) = story::tell(
        &base,
        &pool,
        (seed::CLIENT.email, seed::CLIENT.password),
        (seed::LEGAL.email, seed::LEGAL.password),
    )
    .await
    {
        tracing::warn!(%error, "the demo story stopped half-way; the demo pages may look empty");
    }
    print_banner(&base, metrics, &logins);

    server.await??;
    shutdown.cancel();
    while let Some(done) = roles.join_next().await {
        done??;
    }
    if std::env::var("HUB_DEV__EPHEMERAL").is_ok_and(|v| v == "1") {
        remove_queues(&amqp, &topology).await?;
    }
    Ok(())
}

/// Creates `hub dev`'s logins (one per role's group, and `hub_read`, a
/// reader) and grants the groups; returns the read API's URL.
async fn least_privilege(db_url: &str) -> anyhow::Result<String> {
    let owner = store::connect(db_url, 1).await?;
    store::roles::ensure_dev_roles(&owner).await.context(
        "creating the database roles of store::roles (hub dev needs a superuser or CREATEROLE)",
    )?;
    store::roles::grant(&owner).await?;
    owner.close().await;
    Ok(store::roles::url_as(
        db_url,
        store::roles::READ_API.dev_login,
    ))
}

/// Fails with a message that says how to start whatever does not answer.
async fn check_services(db_url: &str, amqp: &str) -> anyhow::Result<()> {
    if let Err(e) = tokio::time::timeout(Duration::from_secs(5), store::ensure_database(db_url))
        .await
        .unwrap_or(Err(sqlx::Error::PoolTimedOut))
    {
        bail!(
            "PostgreSQL does not answer at {db_url} ({e}).\n\
             Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n\
             or point HUB_DATABASE__URL at a running server."
        );
    }
    match tokio::time::timeout(Duration::from_secs(5), bus::connect(amqp, "hub-dev-check")).await {
        Ok(Ok(conn)) => {
            let _ = conn.close(0, "checked".into()).await;
            Ok(())
        }
        Ok(Err(e)) => bail!(
            "RabbitMQ does not answer at {amqp} ({e}).\n\
             Start it with: rabbitmq-server -detached && rabbitmqctl await_startup\n\
             or point HUB_AMQP__URL at a running broker."
        ),
        Err(_) => bail!(
            "RabbitMQ at {amqp} did not answer within 5 s. Start it with: rabbitmq-server -detached"
        ),
    }
}

/// The relay drops events that no queue is bound for, so every consumer's
/// queue exists before the relay's first publish.
async fn declare_queues(amqp: &str, topology: &bus::Topology) -> anyhow::Result<()> {
    let conn = bus::connect(amqp, "hub-dev-topology").await?;
    let channel = conn.create_channel().await?;
    topology.declare_exchanges(&channel).await?;
    for queue in consumer_queues() {
        topology.declare_consumer(&channel, &queue).await?;
    }
    let _ = conn.close(0, "declared".into()).await;
    Ok(())
}

/// `HUB_DEV__EPHEMERAL=1` (the browser test) leaves no exchange or queue behind.
async fn remove_queues(amqp: &str, topology: &bus::Topology) -> anyhow::Result<()> {
    let conn = bus::connect(amqp, "hub-dev-teardown").await?;
    let channel = conn.create_channel().await?;
    topology.delete(&channel, &consumer_queues()).await?;
    let _ = conn.close(0, "removed".into()).await;
    Ok(())
}

fn consumer_queues() -> Vec<bus::ConsumerQueue> {
    let mut queues: Vec<_> = projections::read_models::all()
        .iter()
        .map(|p| projections::queue_of(p.as_ref()))
        .collect();
    queues.push(processes::queue());
    queues.push(notifier::queue());
    queues
}

/// The SPA's files, with `index.html` for every client-side route and the
/// cluster nginx's security headers ([`crate::spa_headers`]); unknown API
/// paths stay problem+json 404s.
async fn spa(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return platform::Problem::not_found().into_response();
    }
    let dist = web_dist();
    let index = dist.join("index.html");
    // Read per answer: build-web.sh may rewrite it while hub dev runs.
    let html = tokio::fs::read_to_string(&index).await.ok();
    let mut res = ServeDir::new(&dist)
        .fallback(ServeFile::new(index))
        .oneshot(req)
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(|never| match never {});
    crate::spa_headers::apply(res.headers_mut(), html.as_deref());
    res
}

/// `HUB_WEB__DIST`, else `web/dist` under the current directory.
fn web_dist() -> PathBuf {
    std::env::var("HUB_WEB__DIST").map_or_else(|_| PathBuf::from("web/dist"), PathBuf::from)
}

fn print_banner(base: &str, metrics: std::net::SocketAddr, logins: &[seed::Login]) {
    let web_ready = web_dist().join("index.html").exists();
    println!();
    println!("  Hub is running at {base}/");
    if !web_ready {
        println!(
            "  (the web app is not built: run `bash scripts/build-web.sh`; the API works meanwhile)"
        );
    }
    println!("  API docs: {base}/api/v1/docs  ·  read side: {base}/api/v1/read/docs");
    println!("  Metrics of every role (Prometheus): http://{metrics}/metrics");
    println!();
    println!("  Demo logins:");
    for l in logins {
        println!("    {:<9} {:<24} {}", l.role, l.email, l.password);
    }
    println!();
    println!("  Mail the notifier sent (kept here, never delivered): {base}/dev/mail");
    println!("  Ctrl-C stops everything.");
    println!();
}
