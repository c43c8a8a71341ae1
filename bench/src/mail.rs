//! `mail`: mails a second through the notifier into a real SMTP server, with
//! its deduplication at work, in this process (no `hub dev` needed).
//!
//! A scratch database (`hub_bench_mail_<uuid>`, dropped at the end even on
//! error) holds N recipients' credentials; N `TopUpSettled` events, one per
//! recipient, go through [`notifier::Inbox`] one at a time as the notifier's
//! consumer hands them over, and then all N again (a redelivery: must store
//! nothing); meanwhile a [`notifier::Mailer`] with production settings sends
//! the outbox to the crate's SMTP [`Sink`]. The clock stops when the sink
//! holds N mails; after the outbox is empty and the mailer had time for one
//! more round, any mail beyond N is a duplicate, and that fails the run.

use anyhow::{Context, bail};
use bus::{EventEnvelope, Handler};
use notifier::sink::{Received, Sink};
use notifier::{Inbox, Mailer, MailerSettings};
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The notifier's pool in `hub dev`.
const CONNECTIONS: u32 = 4;

/// How long without a single mail before the run gives up.
const STALL: Duration = Duration::from_secs(30);

/// Runs the bench on a scratch database on `database_url`'s server and drops
/// it afterwards, whatever happened.
pub async fn mail(database_url: &str, mails: u64) -> anyhow::Result<()> {
    if mails == 0 {
        bail!("--mails must be positive");
    }
    let admin = PgPool::connect(database_url)
        .await
        .with_context(|| format!("connecting to {database_url}"))?;
    let name = format!("hub_bench_mail_{}", Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await?;
    let outcome = run(&on_database(database_url, &name), mails).await;
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin)
        .await;
    admin.close().await;
    outcome?;
    dropped.with_context(|| format!("dropping {name}"))?;
    Ok(())
}

/// `url` with its database replaced by `name` (query parameters kept).
pub(crate) fn on_database(url: &str, name: &str) -> String {
    let (path, query) = url.split_once('?').map_or((url, ""), |(p, q)| (p, q));
    let server = path.rsplit_once('/').map_or(path, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

/// `n` client credentials, as registration leaves them; their account ids.
async fn recipients(pool: &PgPool, n: u64) -> anyhow::Result<Vec<Uuid>> {
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    let emails: Vec<String> = (0..n).map(|i| format!("mail-{i}@bench.test")).collect();
    sqlx::query(
        "INSERT INTO credentials (account_id, email, password_hash, role) \
         SELECT id, email, 'x', 'client' FROM unnest($1::uuid[], $2::text[]) AS r (id, email)",
    )
    .bind(&ids)
    .bind(&emails)
    .execute(pool)
    .await?;
    Ok(ids)
}

/// A top-up of `owner`'s wallet settled, as the relay publishes it.
fn top_up_settled(owner: Uuid, position: i64) -> EventEnvelope {
    let body = json!({"transfer_id": Uuid::now_v7(),
        "amount": {"amount": "1500.00", "currency": "RUB"}});
    EventEnvelope {
        global_position: position,
        ..EventEnvelope::unstored("Wallet", &owner.to_string(), 2, "TopUpSettled", body)
    }
}

/// Counts the sink's arrivals; the moment the `n`-th came.
async fn nth_arrival(mut arrivals: Receiver<Received>, n: u64) -> anyhow::Result<Instant> {
    let mut count = 0u64;
    while count < n {
        match tokio::time::timeout(STALL, arrivals.recv()).await {
            Ok(Ok(_)) => count += 1,
            // Fell behind the channel: those mails arrived all the same.
            Ok(Err(RecvError::Lagged(missed))) => count += missed,
            Ok(Err(RecvError::Closed)) => bail!("the sink closed after {count} mails"),
            Err(_) => bail!("no mail for {} s: {count} of {n} arrived", STALL.as_secs()),
        }
    }
    Ok(Instant::now())
}

async fn count(pool: &PgPool, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(pool).await?)
}

/// The bench proper, on a fresh database at `url`.
async fn run(url: &str, n: u64) -> anyhow::Result<()> {
    let pool = store::connect(url, CONNECTIONS).await?;
    store::migrate(&pool).await?;
    let owners = recipients(&pool, n).await?;
    let events: Vec<EventEnvelope> = owners
        .iter()
        .zip(1..)
        .map(|(owner, position)| top_up_settled(*owner, position))
        .collect();

    let sink = Sink::start("127.0.0.1:0").await?;
    let inbox = Inbox::new(pool.clone(), "http://hub.test");
    let settings = MailerSettings::new(&sink.url(), "Hub <noreply@hub.test>");
    let round = settings.poll;
    let mailer = Mailer::new(pool.clone(), settings)?;
    let metrics = mailer.metrics.clone();
    let stop = CancellationToken::new();
    // Stops the mailer however this function ends.
    let _stop = stop.clone().drop_guard();
    let mailing = tokio::spawn({
        let stop = stop.clone();
        async move { mailer.run(stop).await }
    });
    // Subscribed before the first mail can exist.
    let arrived = tokio::spawn(nth_arrival(sink.subscribe(), n));

    println!("{n} recipients, each told of a settled top-up, every event handled twice…");
    let started = Instant::now();
    for event in events.iter().chain(&events) {
        inbox
            .handle(event)
            .await
            .with_context(|| format!("handling {}", event.message_id()))?;
    }
    let handled = started.elapsed();
    let nth = arrived.await??;
    let end_to_end = nth - started;

    // Whatever the outbox still holds would be a duplicate: let it go out.
    let deadline = Instant::now() + STALL;
    while count(
        &pool,
        "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND parked_at IS NULL",
    )
    .await?
        > 0
    {
        if Instant::now() > deadline {
            bail!("mail left unsent in the outbox after {} s", STALL.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(round * 2).await;
    stop.cancel();
    mailing.await?;

    let received = sink.messages();
    let distinct: HashSet<&str> = received
        .iter()
        .flat_map(|m| m.to.iter().map(String::as_str))
        .collect();
    let outbox = count(&pool, "SELECT count(*) FROM mail_outbox").await?;
    let notifications = count(&pool, "SELECT count(*) FROM notifications").await?;
    let duplicates = received.len() as i64 - n as i64;
    println!(
        "  events handled/s (inbox, {} handles):            {:.0} ({:.2} s)",
        2 * n,
        (2 * n) as f64 / handled.as_secs_f64(),
        handled.as_secs_f64()
    );
    println!(
        "  mails/s end to end (first handle → mail {n} in the sink): {:.0} ({:.2} s)",
        n as f64 / end_to_end.as_secs_f64(),
        end_to_end.as_secs_f64()
    );
    println!(
        "  duplicate mails: {duplicates} (sink holds {}, {} distinct recipients; outbox rows {outbox}, notifications {notifications}; failed sends {}, parked {})",
        received.len(),
        distinct.len(),
        metrics.failed.load(Ordering::Relaxed),
        metrics.parked.load(Ordering::Relaxed),
    );
    if duplicates != 0 || distinct.len() as u64 != n {
        bail!(
            "DEDUPE BROKEN: {} mails for {n} events delivered twice, {} distinct recipients",
            received.len(),
            distinct.len()
        );
    }
    pool.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::on_database;

    #[test]
    fn the_scratch_database_replaces_the_given_one() {
        assert_eq!(
            on_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            on_database("postgres://u@h/hub?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
