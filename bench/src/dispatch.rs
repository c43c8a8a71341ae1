//! `requests`: a client's request for a service → seen by a provider of that
//! type on its live stream, at a steady request rate.
//!
//! Each latency runs from the moment the command's 201 arrives (the request's
//! events are committed by then) to the moment the provider's
//! `/api/v1/events/stream` delivers a `subscription` event with that id:
//! the projection, its `hub_changes` notification and the read API's fan-out,
//! as a provider's browser sees them.
//!
//! The stream may deliver an event before the sender has read its 201 (both
//! race out of the same commit): whichever side comes first leaves its mark
//! in [`Slots`], so no event is missed; such a request counts as seen at once
//! (zero) and is reported as "early".

use crate::client::Client;
use crate::stats::Samples;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, oneshot};

/// How long a request may take to reach the provider before it counts as lost.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The provider every request is for (the demo's, seeded by `hub dev`).
const PROVIDER: (&str, &str) = ("legal@hub.demo", "provider-demo-2026");

/// The service type requested: one the demo provider offers.
const SERVICE_TYPE: &str = "legal";

/// Where one request stands: its sender waits for it, or the stream saw it first.
enum Slot {
    Waiting(oneshot::Sender<Instant>),
    Seen(Instant),
}

/// Requests by subscription id.
type Slots = Arc<Mutex<HashMap<String, Slot>>>;

/// What became of one request.
enum Outcome {
    /// Seen on the stream this long after the 201 (`early`: before it).
    Seen {
        answered: Duration,
        latency: Duration,
        early: bool,
    },
    /// The command failed.
    Error(String),
    /// The 201 came, the event did not within [`TIMEOUT`].
    Timeout,
}

/// Reads server-sent events off a streaming response.
struct Sse {
    res: reqwest::Response,
    buf: Vec<u8>,
    /// When the bytes that completed the buffered frames arrived.
    at: Instant,
}

impl Sse {
    fn new(res: reqwest::Response) -> Self {
        Self {
            res,
            buf: Vec::new(),
            at: Instant::now(),
        }
    }

    /// The next event (name, data) with the moment its last bytes arrived,
    /// skipping comments (keep-alives); `None` when the stream ends.
    async fn next(&mut self) -> anyhow::Result<Option<(String, String, Instant)>> {
        loop {
            // Bytes, not text: a chunk may end inside a multi-byte character.
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let frame: Vec<u8> = self.buf.drain(..end + 2).collect();
                let (mut name, mut data) = (None, String::new());
                for line in String::from_utf8_lossy(&frame).lines() {
                    if let Some(n) = line.strip_prefix("event:") {
                        name = Some(n.trim().to_owned());
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.strip_prefix(' ').unwrap_or(d));
                    }
                }
                match name {
                    Some(name) => return Ok(Some((name, data, self.at))),
                    None => continue,
                }
            }
            let Some(chunk) = self.res.chunk().await? else {
                return Ok(None);
            };
            self.at = Instant::now();
            self.buf.extend_from_slice(&chunk);
        }
    }
}

/// Hands each `subscription` event's arrival to whoever waits for its id,
/// or leaves it for the sender still reading its 201. Counts `resync`s (the
/// stream fell behind and events were dropped).
fn watch(mut sse: Sse, slots: Slots, resyncs: Arc<AtomicU64>) {
    tokio::spawn(async move {
        loop {
            let (event, data, at) = match sse.next().await {
                Ok(Some(frame)) => frame,
                Ok(None) => {
                    eprintln!("the provider's stream ended");
                    return;
                }
                Err(e) => {
                    eprintln!("the provider's stream broke: {e:#}");
                    return;
                }
            };
            match event.as_str() {
                "subscription" => {
                    let Ok(sub) = serde_json::from_str::<Value>(&data) else {
                        eprintln!("a subscription event that is not JSON: {data}");
                        continue;
                    };
                    let Some(id) = sub["id"].as_str() else {
                        continue;
                    };
                    match slots.lock().await.entry(id.to_owned()) {
                        Entry::Occupied(slot) if matches!(slot.get(), Slot::Waiting(_)) => {
                            if let Slot::Waiting(tx) = slot.remove() {
                                let _ = tx.send(at);
                            }
                        }
                        // Seen already: the first arrival is the one that counts.
                        Entry::Occupied(_) => {}
                        Entry::Vacant(slot) => {
                            slot.insert(Slot::Seen(at));
                        }
                    }
                }
                "resync" => {
                    resyncs.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
    });
}

/// A one-off request's price in kopecks, from the public catalog.
async fn one_off_price(http: &reqwest::Client, base: &str) -> anyhow::Result<u64> {
    let catalog: Value = http
        .get(format!("{base}/api/v1/catalog"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let amount = catalog["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["code"] == SERVICE_TYPE))
        .and_then(|item| item["one_off_price"]["amount"].as_str())
        .with_context(|| format!("no one-off `{SERVICE_TYPE}` in the catalog: {catalog}"))?;
    kopecks(amount)
}

/// `"1500.00"` → 150000.
fn kopecks(amount: &str) -> anyhow::Result<u64> {
    let (whole, part) = amount.split_once('.').unwrap_or((amount, "0"));
    let part = format!("{part:0<2}");
    if part.len() != 2 {
        bail!("an amount with more than two places: {amount}");
    }
    Ok(whole.parse::<u64>()? * 100 + part.parse::<u64>()?)
}

/// 150000 → `"1500.00"`.
fn rubles(kopecks: u64) -> String {
    format!("{}.{:02}", kopecks / 100, kopecks % 100)
}

/// The available balance of `client`'s wallet, in kopecks.
async fn available(client: &Client) -> anyhow::Result<u64> {
    let wallet = client.get_json("/api/v1/wallet").await?;
    kopecks(
        wallet["available"]["amount"]
            .as_str()
            .context("available")?,
    )
}

/// Tops every client up by `amount` kopecks through the payment sandbox and
/// waits until every wallet shows it, so no request is short of money while
/// measuring.
async fn fund(clients: &[Arc<Client>], amount: u64) -> anyhow::Result<()> {
    for chunk in clients.chunks(16) {
        let mut batch = tokio::task::JoinSet::new();
        for client in chunk {
            let client = client.clone();
            batch.spawn(async move {
                let created = client.top_up_created(&rubles(amount)).await?;
                if let Some(payment) = created["payment_id"].as_str() {
                    client
                        .post(&format!("/api/v1/payments/sandbox/{payment}/approve"))
                        .await?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = batch.join_next().await {
            done??;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    for client in clients {
        while available(client).await? < amount {
            if Instant::now() > deadline {
                bail!("{}'s top-up did not settle within 60 s", client.account_id);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// One request, then its wait for the stream.
async fn request(client: &Client, slots: &Slots) -> Outcome {
    let key = uuid::Uuid::new_v4().to_string();
    let sent = Instant::now();
    let created = client
        .post_json(
            "/api/v1/commands/subscriptions",
            Some(&key),
            json!({"service_type": SERVICE_TYPE, "plan": "one_off", "description": "hub-bench requests"}),
        )
        .await;
    let answered = Instant::now();
    let id = match created {
        Ok(created) => match created["id"].as_str() {
            Some(id) => id.to_owned(),
            None => return Outcome::Error(format!("201 without an id: {created}")),
        },
        Err(e) => return Outcome::Error(format!("{e:#}")),
    };
    let seen = {
        let mut slots = slots.lock().await;
        match slots.remove(&id) {
            Some(Slot::Seen(at)) => Ok(at),
            _ => {
                let (tx, rx) = oneshot::channel();
                slots.insert(id.clone(), Slot::Waiting(tx));
                Err(rx)
            }
        }
    };
    let at = match seen {
        Ok(at) => at,
        Err(rx) => match tokio::time::timeout(TIMEOUT, rx).await {
            Ok(Ok(at)) => at,
            _ => {
                slots.lock().await.remove(&id);
                return Outcome::Timeout;
            }
        },
    };
    Outcome::Seen {
        answered: answered - sent,
        latency: at.saturating_duration_since(answered),
        early: at < answered,
    }
}

/// The totals of a run.
#[derive(Default)]
struct Tally {
    answered: Samples,
    seen: Samples,
    early: u64,
    errors: u64,
    timeouts: u64,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Seen {
                answered,
                latency,
                early,
            } => {
                self.answered.push(answered);
                self.seen.push(latency);
                self.early += u64::from(early);
            }
            Outcome::Error(e) => {
                // The first few say why; the count says how often.
                if self.errors < 5 {
                    eprintln!("request: {e}");
                }
                self.errors += 1;
            }
            Outcome::Timeout => self.timeouts += 1,
        }
    }
}

/// `--rate` requests a second for `--seconds` from `--clients` fresh
/// clients in turn, each watched for on the demo provider's stream.
pub async fn requests(
    http: &reqwest::Client,
    base: &str,
    rate: u64,
    seconds: u64,
    clients: u64,
) -> anyhow::Result<()> {
    if rate == 0 || clients == 0 {
        bail!("--rate and --clients must be positive");
    }
    let price = one_off_price(http, base).await?;
    // Each client's share of the run (the first tick fires at once), and one more.
    let share = (rate * seconds + 1).div_ceil(clients) + 1;
    println!(
        "registering {clients} clients and topping each up by {} ({share} one-off `{SERVICE_TYPE}` requests)…",
        rubles(price * share)
    );
    let clients: Vec<Arc<Client>> = crate::register_many(http, base, clients)
        .await?
        .into_iter()
        .map(Arc::new)
        .collect();
    fund(&clients, price * share).await?;

    let provider = Client::login(http, base, PROVIDER.0, PROVIDER.1).await?;
    let slots: Slots = Arc::default();
    let resyncs = Arc::new(AtomicU64::new(0));
    // The stream subscribes before it answers: nothing committed after this is missed.
    let stream = provider.open("/api/v1/events/stream").await?;
    watch(Sse::new(stream), slots.clone(), resyncs.clone());

    let tally: Arc<Mutex<Tally>> = Arc::default();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = tokio::task::JoinSet::new();
    let mut sent = 0u64;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        let client = clients[(sent % clients.len() as u64) as usize].clone();
        sent += 1;
        let (slots, tally) = (slots.clone(), tally.clone());
        tasks.spawn(async move {
            let outcome = request(&client, &slots).await;
            tally.lock().await.add(outcome);
        });
    }
    let sending = start.elapsed().as_secs_f64();
    while let Some(done) = tasks.join_next().await {
        done?;
    }
    let mut t = tally.lock().await;
    let seen = t.seen.summary();
    println!(
        "request created → seen by the provider over SSE at {rate}/s target ({:.1}/s achieved, {sent} sent, {} errors, {} timeouts of {} s, {} seen before their 201): {}",
        sent as f64 / sending,
        t.errors,
        t.timeouts,
        TIMEOUT.as_secs(),
        t.early,
        seen
    );
    println!("  request answered (201): {}", t.answered.summary());
    println!(
        "  resyncs on the provider's stream (it fell behind): {}",
        resyncs.load(Ordering::Relaxed)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_in_kopecks() {
        assert_eq!(kopecks("1500.00").unwrap(), 150_000);
        assert_eq!(kopecks("1500.5").unwrap(), 150_050);
        assert_eq!(kopecks("7").unwrap(), 700);
        assert!(kopecks("1.005").is_err());
        assert_eq!(rubles(150_050), "1500.50");
        assert_eq!(rubles(5), "0.05");
    }
}
