//! A `hub dev` of `hub-bench all`'s own: the release `hub` binary on a
//! scratch database (`hub_bench_all_<uuid>`), a free port and RabbitMQ
//! names behind a unique prefix (`HUB_DEV__EPHEMERAL=1` deletes them when it
//! stops). [`Stack::stop`] interrupts it, waits, and drops the database; its
//! log stays in the temporary directory, for a row that failed.

use crate::mail::on_database;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use uuid::Uuid;

/// How long `hub dev` may take to migrate, seed and tell its demo story.
const START: Duration = Duration::from_secs(180);

/// A running `hub dev`.
pub struct Stack {
    pub base: String,
    /// Its database, as the superuser the bench was given.
    pub database_url: String,
    admin_url: String,
    amqp_url: String,
    /// Its RabbitMQ names' prefix.
    prefix: String,
    name: String,
    /// Where its output goes.
    pub log: PathBuf,
    child: Child,
}

impl Stack {
    /// Starts `hub` (`dev`) and waits until it says it is running.
    pub async fn start(hub: &Path, admin_url: &str, amqp_url: &str) -> anyhow::Result<Self> {
        let id = Uuid::new_v4().simple().to_string();
        let name = format!("hub_bench_all_{id}");
        let database_url = on_database(admin_url, &name);
        let prefix = format!("bench_all_{id}.");
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = std::env::temp_dir().join(format!("{name}.log"));
        let mut file = tokio::fs::File::create(&log).await?;
        let mut child = Command::new(hub)
            .arg("dev")
            .env("HUB_DATABASE__URL", &database_url)
            .env("HUB_AMQP__URL", amqp_url)
            .env("HUB_HTTP__ADDR", format!("127.0.0.1:{port}"))
            .env("HUB_AMQP__PREFIX", &prefix)
            .env("HUB_DEV__EPHEMERAL", "1")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(file.try_clone().await?.into_std().await)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} dev", hub.display()))?;
        let stdout = child.stdout.take().context("hub dev's stdout")?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut tx = Some(tx);
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = file.write_all(format!("{line}\n").as_bytes()).await;
                if line.contains("Hub is running")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(());
                }
            }
        });
        let stack = Self {
            base: format!("http://127.0.0.1:{port}"),
            database_url,
            admin_url: admin_url.to_owned(),
            amqp_url: amqp_url.to_owned(),
            prefix,
            name,
            log,
            child,
        };
        println!(
            "starting hub dev on {} (log: {})…",
            stack.base,
            stack.log.display()
        );
        if tokio::time::timeout(START, rx).await.is_err() {
            let log = stack.log.clone();
            stack.stop().await?;
            bail!(
                "hub dev did not start within {} s; its log: {}",
                START.as_secs(),
                log.display()
            );
        }
        Ok(stack)
    }

    /// Waits until none of its consumers has a message waiting, twice in a
    /// row: what one row's load left queued (the processes and projections
    /// run behind a burst of 64 callers) must not be in the next row's way.
    pub async fn drained(&self, within: Duration) -> anyhow::Result<()> {
        use bus::lapin::options::QueueDeclareOptions;
        use bus::lapin::types::FieldTable;
        let topology = bus::Topology::with_prefix(&self.prefix);
        let mut queues: Vec<String> = projections::read_models::all()
            .iter()
            .map(|p| topology.queue_name(&projections::queue_of(p.as_ref())))
            .collect();
        queues.push(topology.queue_name(&notifier::queue()));
        queues.push(topology.queue_name(&bus::ConsumerQueue::processes(&[])));
        let connection = bus::connect(&self.amqp_url, "hub-bench drained").await?;
        let channel = connection.create_channel().await?;
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let deadline = tokio::time::Instant::now() + within;
        let mut quiet = 0;
        let mut waiting = 0;
        while quiet < 2 {
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "{waiting} messages still queued after {} s",
                    within.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            waiting = 0;
            for queue in &queues {
                waiting += channel
                    .queue_declare(queue.as_str().into(), passive, FieldTable::default())
                    .await?
                    .message_count();
            }
            quiet = if waiting == 0 { quiet + 1 } else { 0 };
        }
        let _ = connection.close(200, "drained".into()).await;
        Ok(())
    }

    /// Interrupts `hub dev` (it deletes its queues), waits, drops its database.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-INT", &pid.to_string()])
                .status()
                .await;
        }
        if tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        let admin = sqlx::PgPool::connect(&self.admin_url).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&admin)
        .await
        .with_context(|| format!("dropping {}", self.name))?;
        admin.close().await;
        Ok(())
    }
}
