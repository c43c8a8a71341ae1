//! `hub notifier` killed with SIGKILL in the middle of sending, three times,
//! against a slow SMTP server (it keeps each mail, then takes 150 ms to say
//! so): every mail arrives, none twice. The mails the server had kept but
//! not yet acknowledged at a kill are parked as uncertain instead of resent
//! (at most a batch, 16, per kill), and each of those had arrived.

use bus::{EventEnvelope, Handler};
use notifier::sink::Sink;
use serde_json::json;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

const MAILS: usize = 240;
const KILLS: [usize; 3] = [30, 90, 150];
const BATCH: usize = 16;

fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A running `hub notifier`, killed with SIGKILL when dropped (a failing
/// test leaves none behind).
struct Notifier(Child, u16);

impl Notifier {
    fn start(db_url: &str, prefix: &str, smtp: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_hub"))
            .arg("notifier")
            .env("HUB_HTTP__ADDR", format!("127.0.0.1:{port}"))
            .env("HUB_METRICS__ADDR", "127.0.0.1:0")
            .env("HUB_DATABASE__URL", db_url)
            .env(
                "HUB_AMQP__URL",
                std::env::var("AMQP_URL")
                    .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()),
            )
            .env("HUB_AMQP__PREFIX", prefix)
            .env("HUB_SMTP__URL", smtp)
            // What a killed notifier had claimed is retried after this.
            .env("HUB_NOTIFIER__MAIL_LEASE_SECS", "2")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .expect("start hub notifier");
        Self(child, port)
    }

    /// Whether its `/readyz` answers 200 (the probe the cluster runs).
    async fn ready(&self) -> bool {
        let url = format!("http://127.0.0.1:{}/readyz", self.1);
        reqwest::get(url)
            .await
            .is_ok_and(|r| r.status().is_success())
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn top_up_settled(owner: Uuid) -> EventEnvelope {
    let body = json!({"transfer_id": Uuid::now_v7(),
        "amount": {"amount": "700.00", "currency": "RUB"}});
    EventEnvelope::unstored("Wallet", &owner.to_string(), 2, "TopUpSettled", body)
}

async fn wait_for(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_survives_kill_9_of_the_notifier_and_none_arrives_twice() {
    let id = Uuid::new_v4().simple().to_string();
    let db_name = format!("hub_notifier_killed_{id}");
    let admin = sqlx::PgPool::connect(&admin_url()).await.expect("server");
    sqlx::query(&format!("CREATE DATABASE \"{db_name}\""))
        .execute(&admin)
        .await
        .expect("database");
    let db_url = format!("{}/{db_name}", admin_url().rsplit_once('/').expect("URL").0);
    let migrated = Command::new(env!("CARGO_BIN_EXE_hub"))
        .arg("migrate")
        .env("HUB_DATABASE__URL", &db_url)
        .status()
        .expect("hub migrate");
    assert!(migrated.success());
    let pool = sqlx::PgPool::connect(&db_url).await.expect("database");

    // One settled top-up per account: one mail each, waiting in the outbox.
    let inbox = notifier::Inbox::new(pool.clone(), "http://hub.test");
    for i in 0..MAILS {
        let owner = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO credentials (account_id, email, password_hash, role) VALUES ($1, $2, 'x', 'client')",
        )
        .bind(owner)
        .bind(format!("owner{i}@kill.test"))
        .execute(&pool)
        .await
        .expect("credentials");
        inbox.handle(&top_up_settled(owner)).await.expect("queued");
    }

    let sink = Sink::start_slow("127.0.0.1:0", Duration::from_millis(150))
        .await
        .expect("smtp sink");
    let prefix = format!("notifier_killed_{id}.");
    for at in KILLS {
        let notifier = Notifier::start(&db_url, &prefix, &sink.url());
        wait_for("mail flows", Duration::from_secs(60), || {
            sink.messages().len() >= at
        })
        .await;
        drop(notifier);
        // Mails kept by the server but never acknowledged: parked once their
        // lease is over, not sent again.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let notifier = Notifier::start(&db_url, &prefix, &sink.url());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !notifier.ready().await {
        assert!(
            Instant::now() < deadline,
            "the notifier's /readyz never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let everyone = || {
        sink.messages()
            .iter()
            .flat_map(|m| m.to.clone())
            .collect::<HashSet<_>>()
            .len()
            == MAILS
    };
    wait_for("every recipient's mail", Duration::from_secs(120), everyone).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND parked_at IS NULL",
        )
        .fetch_one(&pool)
        .await
        .expect("outbox");
        if waiting == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{waiting} mails neither sent nor parked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(notifier);

    let received = sink.messages();
    let ids: HashSet<String> = received
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    println!(
        "{MAILS} mails, {} kills: {} received",
        KILLS.len(),
        received.len()
    );
    assert_eq!(received.len(), MAILS, "no mail arrived twice");
    assert_eq!(ids.len(), MAILS, "one Message-ID each");
    let uncertain: Vec<Uuid> = sqlx::query_scalar(
        "SELECT notification_id FROM mail_outbox WHERE parked_at IS NOT NULL AND sent_at IS NULL \
         AND last_error LIKE 'uncertain:%'",
    )
    .fetch_all(&pool)
    .await
    .expect("outbox");
    println!("{} parked as uncertain", uncertain.len());
    assert!(
        uncertain.len() <= BATCH * KILLS.len(),
        "{} uncertain, more than one batch per kill",
        uncertain.len()
    );
    for id in &uncertain {
        assert!(
            ids.contains(&format!("<{id}@hub>")),
            "uncertain mail {id} had reached the server"
        );
    }
    let other: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL \
         AND (parked_at IS NULL OR last_error NOT LIKE 'uncertain:%')",
    )
    .fetch_one(&pool)
    .await
    .expect("outbox");
    assert_eq!(other, 0, "every other mail sent, nothing else given up on");

    pool.close().await;
    let amqp = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned());
    if let Ok(conn) = bus::connect(&amqp, "notifier-killed-teardown").await
        && let Ok(channel) = conn.create_channel().await
    {
        let _ = bus::Topology::with_prefix(&prefix)
            .delete(&channel, &[notifier::queue()])
            .await;
    }
    let _ = sqlx::query(&format!(
        "DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"
    ))
    .execute(&admin)
    .await;
}
