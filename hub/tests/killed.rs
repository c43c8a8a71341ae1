//! A whole `hub dev` killed with SIGKILL, again and again, under a load of
//! money flows (top-ups approved through the sandbox, withdrawals, one-off
//! subscriptions accepted, worked and done by both sides), then restarted on
//! the same database. Callers retry with the same `Idempotency-Key` as a real
//! client would. Afterwards every request had exactly one effect, nothing is
//! left half-done, and every rouble is somewhere: the money that came in
//! from the bank minus what went out equals the wallets, payouts, escrows
//! and the platform's fees, as the aggregates themselves see them; and the
//! notifier told each settled top-up once and sent every mail.

use cqrs_es::EventStore;
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const CLIENT: (&str, &str) = ("client@hub.demo", "client-demo-2026");
const PROVIDER: (&str, &str) = ("legal@hub.demo", "provider-demo-2026");
const AUDITOR: (&str, &str) = ("auditor@hub.demo", "auditor-demo-2026");
const BANK: (&str, &str) = ("044525225", "40702810938000000001");
const KILLS: usize = 4;

mod support;
use support::{Caller, Hub};

/// What the load asked for, to compare with what the store holds.
#[derive(Default)]
struct Asked {
    top_ups: Vec<String>,
    withdrawals: Vec<String>,
    subscriptions: Vec<String>,
}

async fn top_ups(client: Arc<Caller>, asked: Arc<Mutex<Asked>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::SeqCst) {
        let key = uuid::Uuid::new_v4().to_string();
        let (_, created) = client
            .post(
                "/api/v1/commands/wallet/top-ups",
                Some(&key),
                json!({"amount": "700.00"}),
                &[201],
            )
            .await;
        let payment = created["payment_id"]
            .as_str()
            .expect("payment_id")
            .to_owned();
        // 409: approved before the kill and already settled.
        client
            .post(
                &format!("/api/v1/payments/sandbox/{payment}/approve"),
                None,
                json!({}),
                &[202, 409],
            )
            .await;
        asked.lock().await.top_ups.push(
            created["transfer_id"]
                .as_str()
                .expect("transfer_id")
                .to_owned(),
        );
    }
}

async fn withdrawals(client: Arc<Caller>, asked: Arc<Mutex<Asked>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::SeqCst) {
        let key = uuid::Uuid::new_v4().to_string();
        let (status, created) = client
            .post(
                "/api/v1/commands/wallet/withdrawals",
                Some(&key),
                json!({"amount": "10.00", "bank": {"bik": BANK.0, "account": BANK.1}}),
                &[201, 422],
            )
            .await;
        if status == 201 {
            asked.lock().await.withdrawals.push(
                created["transfer_id"]
                    .as_str()
                    .expect("transfer_id")
                    .to_owned(),
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// The order a subscription's first create made, looked up when the answer
/// was lost to a kill.
async fn order_of(pool: &PgPool, subscription: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT aggregate_id FROM events WHERE aggregate_type = 'Order' \
         AND event_type = 'OrderCreated' \
         AND payload->'OrderCreated'->>'subscription_id' = $1 ORDER BY global_position LIMIT 1",
    )
    .bind(subscription)
    .fetch_optional(pool)
    .await
    .ok()
    .flatten()
}

async fn one_offs(
    client: Arc<Caller>,
    provider: Arc<Caller>,
    pool: PgPool,
    asked: Arc<Mutex<Asked>>,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::SeqCst) {
        let key = uuid::Uuid::new_v4().to_string();
        let (status, sub) = client
            .post(
                "/api/v1/commands/subscriptions",
                Some(&key),
                json!({"service_type": "accounting", "plan": "one_off", "description": "killed"}),
                &[201, 422],
            )
            .await;
        if status == 422 {
            // Not enough money yet: the top-ups catch up.
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let sub = sub["id"].as_str().expect("subscription id").to_owned();
        asked.lock().await.subscriptions.push(sub.clone());
        provider
            .post(
                &format!("/api/v1/commands/subscriptions/{sub}/accept"),
                None,
                json!({}),
                &[200, 204, 409, 422],
            )
            .await;
        let order = match order_of(&pool, &sub).await {
            Some(order) => order,
            None => {
                let (status, order) = client
                    .post(
                        &format!("/api/v1/commands/subscriptions/{sub}/orders"),
                        None,
                        json!({"title": "killed", "details": "killed"}),
                        &[201, 422],
                    )
                    .await;
                if status == 422 {
                    panic!("no order in {sub}: {order}");
                }
                order["id"].as_str().expect("order id").to_owned()
            }
        };
        for (who, step) in [
            (&provider, "take"),
            (&provider, "complete"),
            (&client, "complete"),
        ] {
            // 422: done before the kill ate the answer; what is really left
            // undone shows below as a one-off that never completes.
            who.post(
                &format!("/api/v1/commands/orders/{order}/{step}"),
                None,
                json!({}),
                &[200, 204, 409, 422],
            )
            .await;
        }
    }
}

fn dec(raw: &str) -> Decimal {
    raw.parse().expect("a decimal amount")
}

/// Σ of one money field over events of one type.
async fn total(pool: &PgPool, event_type: &str, filter: &str) -> Decimal {
    let sql = format!(
        "SELECT COALESCE(SUM((payload->'{event_type}'->'amount'->>'amount')::numeric), 0)::text \
         FROM events WHERE event_type = '{event_type}' {filter}"
    );
    let raw: String = sqlx::query_scalar(&sql).fetch_one(pool).await.expect("sum");
    dec(&raw)
}

async fn ids(pool: &PgPool, aggregate_type: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = $1")
        .bind(aggregate_type)
        .fetch_all(pool)
        .await
        .expect("ids")
}

/// Where every rouble is now, by the aggregates: (wallets, payouts, escrows).
/// And how many of `ours` (the load's one-offs) are still active.
async fn holdings(pool: &PgPool, ours: &[String]) -> (Decimal, Decimal, Decimal, usize) {
    let wallets = store::Store::new(pool.clone()).wallet_events();
    let subscriptions =
        store::HubEventStore::<domain::subscription::Subscription>::new(pool.clone());
    let (mut available, mut payouts, mut escrow, mut pending) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, 0);
    for id in ids(pool, "Wallet").await {
        let wallet = wallets.load_aggregate(&id).await.expect("wallet").aggregate;
        available += wallet.balance().amount();
        payouts += wallet.pending_payouts().amount();
    }
    for id in ids(pool, "Subscription").await {
        let sub = subscriptions
            .load_aggregate(&id)
            .await
            .expect("subscription")
            .aggregate;
        escrow += sub.escrow().amount();
        if ours.contains(&id)
            && sub.status() == Some(domain::subscription::SubscriptionStatus::Active)
        {
            pending += 1;
        }
    }
    (available, payouts, escrow, pending)
}

async fn count(pool: &PgPool, event_type: &str, transfer_ids: &[String]) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM events WHERE event_type = '{event_type}' \
         AND payload->'{event_type}'->>'transfer_id' = ANY($1)"
    ))
    .bind(transfer_ids)
    .fetch_one(pool)
    .await
    .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn money_survives_kill_9_of_the_whole_system() {
    let mut hub = Hub::new("killed");
    hub.start();
    let pool = PgPool::connect(&hub.db_url)
        .await
        .expect("the test's database");
    let client = Arc::new(Caller::new(hub.base(), CLIENT));
    let provider = Arc::new(Caller::new(hub.base(), PROVIDER));
    let asked = Arc::new(Mutex::new(Asked::default()));
    let stop = Arc::new(AtomicBool::new(false));

    let mut load = tokio::task::JoinSet::new();
    for _ in 0..3 {
        load.spawn(top_ups(client.clone(), asked.clone(), stop.clone()));
    }
    load.spawn(withdrawals(provider.clone(), asked.clone(), stop.clone()));
    for _ in 0..2 {
        load.spawn(one_offs(
            client.clone(),
            provider.clone(),
            pool.clone(),
            asked.clone(),
            stop.clone(),
        ));
    }

    for round in 0..KILLS {
        // A different moment of the flows each round.
        tokio::time::sleep(Duration::from_millis(1500 + 700 * round as u64)).await;
        hub.kill();
        tokio::time::sleep(Duration::from_millis(300)).await;
        hub.start();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::SeqCst);
    while let Some(done) = load.join_next().await {
        done.expect("a load task panicked");
    }

    let asked = asked.lock().await;
    eprintln!(
        "{KILLS} kills: {} top-ups, {} withdrawals, {} one-offs asked",
        asked.top_ups.len(),
        asked.withdrawals.len(),
        asked.subscriptions.len()
    );
    assert!(
        asked.top_ups.len() >= 5,
        "too little load: {} top-ups",
        asked.top_ups.len()
    );
    assert!(!asked.subscriptions.is_empty(), "no one-off got through");

    // Nothing stuck: approved top-ups settle, payouts end, one-offs done by
    // both complete (their escrow released).
    let deadline = Instant::now() + Duration::from_secs(60);
    let (inside, payouts_left, escrow_open, open_one_offs) = loop {
        let settled = count(&pool, "TopUpSettled", &asked.top_ups).await;
        let holdings = holdings(&pool, &asked.subscriptions).await;
        let done = settled == asked.top_ups.len() as i64 && holdings.1.is_zero() && holdings.3 == 0;
        if done || Instant::now() > deadline {
            let failed = count(&pool, "TopUpFailed", &asked.top_ups).await;
            let waiting: Vec<(i32, Option<String>)> =
                sqlx::query_as("SELECT attempts, last_error FROM sandbox_callbacks LIMIT 5")
                    .fetch_all(&pool)
                    .await
                    .expect("callbacks");
            assert_eq!(
                settled,
                asked.top_ups.len() as i64,
                "every approved top-up settles, once ({failed} failed; callbacks waiting: {waiting:?})"
            );
            break holdings;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(payouts_left, Decimal::ZERO, "a payout is stuck");
    assert_eq!(
        open_one_offs, 0,
        "a one-off done by both sides was never completed"
    );

    // Exactly one effect per request.
    assert_eq!(
        count(&pool, "TopUpRequested", &asked.top_ups).await,
        asked.top_ups.len() as i64
    );
    assert_eq!(
        count(&pool, "WithdrawalRequested", &asked.withdrawals).await,
        asked.withdrawals.len() as i64
    );
    let requested: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'SubscriptionRequested' AND aggregate_id = ANY($1)",
    )
    .bind(&asked.subscriptions)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(requested, asked.subscriptions.len() as i64);

    // Every rouble somewhere: in from the bank − out to the bank = wallets +
    // payouts + escrows + the platform's fees.
    let came_in = total(&pool, "TopUpSettled", "").await;
    let went_out = total(&pool, "WithdrawalSettled", "").await;
    let fees = total(
        &pool,
        "EscrowReleased",
        "AND payload->'EscrowReleased'->>'recipient' IS NULL",
    )
    .await;
    assert!(fees > Decimal::ZERO, "one-offs were released with a fee");
    assert_eq!(
        came_in - went_out,
        inside + payouts_left + escrow_open + fees,
        "in {came_in} − out {went_out} ≠ wallets {inside} + payouts {payouts_left} + escrows {escrow_open} + fees {fees}"
    );

    // The notifier lived through the same kills: one notification per
    // settled top-up however often the event was redelivered, and every
    // mail in the outbox went out, except those a kill caught after the
    // message began to leave: parked as uncertain, never resent (at most a
    // batch, 16, per kill; `hub dev`'s mail sink dies with it here).
    let settled_events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'TopUpSettled'")
            .fetch_one(&pool)
            .await
            .expect("count");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let told: i64 =
            sqlx::query_scalar("SELECT count(*) FROM notifications WHERE kind = 'top_up_settled'")
                .fetch_one(&pool)
                .await
                .expect("count");
        let (unsent, uncertain): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE parked_at IS NULL OR last_error NOT LIKE 'uncertain:%'), \
                    count(*) FILTER (WHERE parked_at IS NOT NULL AND last_error LIKE 'uncertain:%') \
             FROM mail_outbox WHERE sent_at IS NULL",
        )
        .fetch_one(&pool)
        .await
        .expect("count");
        if (told == settled_events && unsent == 0) || Instant::now() > deadline {
            assert_eq!(told, settled_events, "one notification per settled top-up");
            assert_eq!(unsent, 0, "every mail went out or is parked as uncertain");
            assert!(
                uncertain <= 16 * KILLS as i64,
                "{uncertain} uncertain mails"
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    ledger_holds_every_rouble(&hub, &pool, (inside, payouts_left, escrow_open, fees)).await;
    drop(pool);
}

/// The auditor's ledger, built through the same kills, agrees with the
/// aggregates account by account, balances, equals a fresh rebuild, exports
/// a file that verifies offline, and issued one closing document per
/// provider paid.
async fn ledger_holds_every_rouble(
    hub: &Hub,
    pool: &PgPool,
    (wallets, payouts, escrows, fees): (Decimal, Decimal, Decimal, Decimal),
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let behind: bool = sqlx::query_scalar(
            "SELECT (s.tx_id, s.global_position) < (e.tx_id, e.global_position) \
             FROM read.ledger_state s, \
                  (SELECT tx_id, global_position FROM events ORDER BY tx_id DESC, global_position DESC LIMIT 1) e",
        )
        .fetch_one(pool)
        .await
        .expect("ledger position");
        if !behind {
            break;
        }
        assert!(Instant::now() < deadline, "the ledger did not catch up");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (total, negative): (Decimal, i64) =
        sqlx::query_as("SELECT total, negative_accounts FROM read.ledger_state")
            .fetch_one(pool)
            .await
            .expect("state");
    assert!(total.is_zero(), "the sum over all accounts is {total}");
    assert_eq!(negative, 0, "an account went below zero");
    let sum = |prefix: &'static str| async move {
        sqlx::query_scalar::<_, Decimal>(
            "SELECT COALESCE(sum(balance), 0) FROM read.ledger_accounts WHERE account LIKE $1",
        )
        .bind(format!("{prefix}%"))
        .fetch_one(pool)
        .await
        .expect("sum")
    };
    assert_eq!(
        sum("wallet:").await,
        wallets,
        "ledger wallets = aggregates' wallets"
    );
    assert_eq!(
        sum("payout:").await,
        payouts,
        "ledger payouts = aggregates' payouts"
    );
    assert_eq!(
        sum("escrow:").await,
        escrows,
        "ledger escrows = aggregates' escrows"
    );
    assert_eq!(sum("platform:").await, fees, "ledger fees = released fees");

    let paid: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'EscrowReleased' \
           AND payload->'EscrowReleased'->>'to' = 'provider'",
    )
    .fetch_one(pool)
    .await
    .expect("count");
    let documents: i64 = sqlx::query_scalar("SELECT count(*) FROM read.closing_documents")
        .fetch_one(pool)
        .await
        .expect("count");
    assert!(paid > 0, "no provider was paid");
    assert_eq!(documents, paid, "one closing document per provider paid");

    let scratch = ledger::Tables::in_schema("ledger_rebuild_test");
    let comparison = ledger::rebuild::compare(pool, &scratch, 500)
        .await
        .expect("rebuild");
    assert!(
        comparison.is_sound(),
        "the ledger differs from a fresh rebuild: {comparison:?}"
    );

    let auditor = Caller::new(hub.base(), AUDITOR);
    let token = auditor.token().await.expect("the auditor logs in");
    let http = reqwest::Client::new();
    let export = http
        .get(format!("{}/api/v1/ledger/export?format=csv", hub.base()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("export");
    assert_eq!(export.status(), 200);
    let body = export.bytes().await.expect("body");
    let report = ledger::verify::verify(&body[..]).expect("the export verifies offline");
    assert_eq!(report.total, Some(Decimal::ZERO));
    let client = Caller::new(hub.base(), CLIENT);
    let token = client.token().await.expect("the client logs in");
    let list: serde_json::Value = http
        .get(format!("{}/api/v1/documents", hub.base()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("documents")
        .json()
        .await
        .expect("json");
    let id = list["items"][0]["document_id"]
        .as_str()
        .expect("a document");
    let pdf = http
        .get(format!("{}/api/v1/documents/{id}/pdf", hub.base()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF"));
    eprintln!(
        "ledger: {} entries, {paid} providers paid, {documents} documents, export verified",
        report.rows
    );
}
