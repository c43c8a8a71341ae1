//! `hub-bench order-history`: an admin's dispute replay of one long order
//! (`GET /api/v1/admin/orders/{id}/history`) over HTTP.
//!
//! On a scratch database (`hub_bench_history_<uuid>`, dropped at the end
//! even on failure), in this process, no `hub dev` needed:
//! 1. one subscription (requested, funded, accepted) and one order in it
//!    with `--events` events, nearly all chat messages, written by the
//!    domain aggregates through the store as command-api writes them;
//! 2. read-api on an ephemeral port;
//! 3. `--samples` sequential requests for the whole history, each timed
//!    until the last byte of the body arrived; then the same in-process
//!    without HTTP (query + replay + JSON), to show where the time goes.

use crate::scratch::Scratch;
use crate::stats::Samples;
use anyhow::{Context, bail};
use domain::order::{Order, OrderCommand, SubscriptionFacts};
use domain::subscription::{Subscription, SubscriptionCommand};
use domain::{
    AccountId, Actor, MessageId, Money, OrderId, Plan, Role, ServiceType, SubscriptionId,
    TransferId,
};
use platform::{AuthSettings, HttpSettings, TokenKeys};
use secrecy::SecretString;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use store::{EventMetadata, HubCqrs, Store, execute_with_retry};
use uuid::Uuid;

/// The replay's latency over HTTP.
pub struct ReplayFigures {
    pub p50: Duration,
    pub p99: Duration,
    /// Steps in the replay (events of the order and its subscription).
    pub steps: usize,
}

/// Runs the bench on a scratch database on `database_url`'s server.
pub async fn order_history(
    database_url: &str,
    events: u64,
    samples: u64,
) -> anyhow::Result<ReplayFigures> {
    if events < 5 {
        bail!("--events must be at least 5 (create, take, both sides done)");
    }
    if samples == 0 {
        bail!("--samples must be positive");
    }
    let scratch = Scratch::create(database_url, "history").await?;
    let outcome = run(&scratch.url, events, samples).await;
    scratch.drop_after(outcome).await
}

async fn run(url: &str, events: u64, samples: u64) -> anyhow::Result<ReplayFigures> {
    let pool = store::connect(url, 8).await?;
    store::migrate(&pool).await?;
    let started = Instant::now();
    let order = long_order(&pool, events).await?;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_id = $1")
        .bind(order.to_string())
        .fetch_one(&pool)
        .await?;
    println!(
        "order {order}: {stored} events written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let auth = AuthSettings {
        jwt_secret: SecretString::from(Uuid::new_v4().to_string().repeat(2)),
        access_ttl: Duration::from_secs(3600),
        refresh_ttl: Duration::from_secs(3600),
    };
    let state = read_api::AppState::new(pool.clone(), &auth, HttpSettings::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!(
        "http://{}/api/v1/admin/orders/{order}/history",
        listener.local_addr()?
    );
    tokio::spawn(platform::http::serve(
        listener,
        read_api::router(state.clone()),
        std::future::pending(),
    ));
    let token = TokenKeys::new(&auth).issue(AccountId::new(), Role::Admin)?;
    let http = reqwest::Client::builder().tcp_nodelay(true).build()?;

    let mut size = 0;
    let mut steps = 0;
    for _ in 0..5 {
        let body = fetch(&http, &url, &token).await?;
        size = body.len();
        let parsed: serde_json::Value = serde_json::from_slice(&body)?;
        steps = parsed["steps"].as_array().map_or(0, Vec::len);
    }
    let mut http_samples = Samples::default();
    for _ in 0..samples {
        let t = Instant::now();
        fetch(&http, &url, &token).await?;
        http_samples.push(t.elapsed());
    }
    let mut in_process = Samples::default();
    for _ in 0..samples.min(50) {
        let t = Instant::now();
        let history = read_api::history::load(&pool, order.as_uuid())
            .await?
            .context("the order vanished")?;
        history.to_json()?;
        in_process.push(t.elapsed());
    }
    println!(
        "GET /api/v1/admin/orders/{{id}}/history, {steps} steps, {:.2} MiB ({size} bytes):",
        size as f64 / (1024.0 * 1024.0)
    );
    println!(
        "  over HTTP, sequential:          {}",
        http_samples.summary()
    );
    println!(
        "  in-process load + JSON, no HTTP: {}",
        in_process.summary()
    );
    state.events.close();
    pool.close().await;
    Ok(ReplayFigures {
        p50: http_samples.quantile(0.50),
        p99: http_samples.quantile(0.99),
        steps,
    })
}

async fn fetch(http: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Vec<u8>> {
    let res = http.get(url).bearer_auth(token).send().await?;
    let status = res.status();
    let body = res.bytes().await?;
    if !status.is_success() {
        bail!("{url}: {status}: {}", String::from_utf8_lossy(&body));
    }
    Ok(body.to_vec())
}

/// A subscription and one order in it with `events` events: created, taken,
/// `events - 5` chat messages from both sides, then done by both.
async fn long_order(pool: &PgPool, events: u64) -> anyhow::Result<OrderId> {
    let store = Store::new(pool.clone());
    let client = Actor::new(AccountId::new(), Role::Client);
    let provider = Actor::new(AccountId::new(), Role::Provider);
    let subscription_id = SubscriptionId::new();
    let legal = ServiceType::parse("legal")?;
    let price = Money::parse_rub("1500.00")?;
    let now = chrono::Utc::now();
    let subscriptions = store.subscriptions();
    for (actor, command) in [
        (
            client,
            SubscriptionCommand::Request {
                actor: client,
                subscription_id,
                service_type: legal.clone(),
                plan: Plan::Monthly,
                description: "Юридическое сопровождение".into(),
                price,
                acceptance_deadline: now + chrono::Duration::hours(24),
                at: now,
            },
        ),
        (
            client,
            SubscriptionCommand::FundEscrow {
                transfer_id: TransferId::new(),
                amount: price,
            },
        ),
        (
            provider,
            SubscriptionCommand::Accept {
                actor: provider,
                provider_service_types: vec![legal.clone()],
                at: now,
            },
        ),
    ] {
        execute_with_retry::<Subscription, _, _>(
            &subscriptions,
            &subscription_id.to_string(),
            || command.clone(),
            &EventMetadata::by(actor),
            3,
        )
        .await
        .map_err(|e| anyhow::anyhow!("subscription: {e}"))?;
    }

    let orders = store.orders();
    let order_id = OrderId::new();
    let facts = SubscriptionFacts {
        subscription_id,
        client: client.id,
        provider: Some(provider.id),
        active: true,
        plan: Plan::Monthly,
    };
    let at = chrono::Utc::now;
    order_command(
        &orders,
        order_id,
        client,
        OrderCommand::Create {
            actor: client,
            order_id,
            subscription: facts,
            title: "Сопровождение сделки".into(),
            details: "Переписка по договору".into(),
            at: at(),
        },
    )
    .await?;
    order_command(
        &orders,
        order_id,
        provider,
        OrderCommand::Take {
            actor: provider,
            at: at(),
        },
    )
    .await?;
    let messages = events - 5;
    for i in 0..messages {
        let actor = if i % 2 == 0 { client } else { provider };
        order_command(
            &orders,
            order_id,
            actor,
            OrderCommand::PostMessage {
                actor,
                message_id: MessageId::new(),
                text: format!(
                    "Сообщение {i}: уточняем пункт договора о сроках поставки и порядке приёмки."
                ),
                at: at(),
            },
        )
        .await?;
        if (i + 1) % 2000 == 0 {
            println!("  {} of {messages} messages", i + 1);
        }
    }
    for actor in [provider, client] {
        order_command(
            &orders,
            order_id,
            actor,
            OrderCommand::MarkDone { actor, at: at() },
        )
        .await?;
    }
    Ok(order_id)
}

async fn order_command(
    orders: &HubCqrs<Order>,
    id: OrderId,
    actor: Actor,
    command: OrderCommand,
) -> anyhow::Result<()> {
    execute_with_retry::<Order, _, _>(
        orders,
        &id.to_string(),
        || command.clone(),
        &EventMetadata::by(actor),
        3,
    )
    .await
    .map_err(|e| anyhow::anyhow!("order: {e}"))
}
