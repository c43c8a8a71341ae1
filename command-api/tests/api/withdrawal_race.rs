//! Many withdrawals racing on one wallet never overdraw it (issue 7, Tests):
//! the wallet's turns serialise them within the process (its optimistic
//! check would catch anything else), and every refusal is an honest 422:
//! no 409 while money remains, never a 500.

use crate::money_support::*;
use serde_json::{Value, json};

const WITHDRAW: &str = "/api/v1/commands/wallet/withdrawals";
const CALLERS: usize = 200;

/// The wallet's available balance and pending payouts, from the event store.
async fn wallet(w: &World, account_id: &str) -> (rust_decimal::Decimal, rust_decimal::Decimal) {
    use cqrs_es::EventStore;
    let store = store::HubEventStore::<domain::wallet::Wallet>::new(w.app.pool.clone());
    let wallet = store.load_aggregate(account_id).await.expect("wallet");
    (
        wallet.aggregate.balance().amount(),
        wallet.aggregate.pending_payouts().amount(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_withdrawals_never_overdraw() {
    let w = World::new().await;
    let topped_up: rust_decimal::Decimal = "250.00".parse().expect("decimal");
    // Through the payment sandbox: returns once the signed callback settled it.
    assert_eq!(w.top_up(&w.client_a, "250.00").await.status(), 201);
    assert_eq!(wallet(&w, &w.client_a_id).await, (topped_up, 0.into()));

    // 10.00..=16.00 each: about 2600 asked for, 250 available.
    let amounts: Vec<rust_decimal::Decimal> = (0..CALLERS)
        .map(|i| rust_decimal::Decimal::new(1000 + (i as i64 % 7) * 100, 2))
        .collect();
    assert!(amounts.iter().sum::<rust_decimal::Decimal>() > topped_up);

    let mut tasks = Vec::new();
    for (i, amount) in amounts.iter().enumerate() {
        let req = w
            .app
            .client
            .post(w.app.url(WITHDRAW))
            .bearer_auth(&w.client_a)
            .header("idempotency-key", format!("race-{i}"))
            .json(&json!({
                "amount": amount.to_string(),
                "bank": {"bik": LEGAL_BIK, "account": LEGAL_ACCOUNT},
            }));
        let amount = *amount;
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (amount, status, body)
        }));
    }

    let (mut granted, mut created, mut refused, mut conflicts) =
        (rust_decimal::Decimal::ZERO, 0i64, 0, 0);
    for task in tasks {
        let (amount, status, body) = task.await.expect("task");
        match status {
            201 => {
                assert!(body["transfer_id"].is_string(), "{body}");
                granted += amount;
                created += 1;
            }
            422 => {
                assert_eq!(body["rule"], "insufficient_funds", "{body}");
                refused += 1;
            }
            409 => conflicts += 1,
            other => panic!("a withdrawal answered {other}: {body}"),
        }
    }

    eprintln!("{created} created ({granted}), {refused} refused, {conflicts} conflicts");
    assert!(created > 0, "no withdrawal went through");
    assert!(
        refused + conflicts > 0,
        "more was asked than held, yet nothing was refused"
    );
    assert!(
        granted <= topped_up,
        "granted {granted} of {topped_up} ({created} created, {refused} refused, {conflicts} conflicts)"
    );
    assert_eq!(
        conflicts, 0,
        "one process serves one wallet's requests in turn"
    );
    let (balance, pending) = wallet(&w, &w.client_a_id).await;
    // A balance only falls, and a refusal means it was below the amount
    // (at most 16.00) then: so nothing was refused while 16.00 remained.
    assert!(
        balance < "16.00".parse().expect("decimal"),
        "{balance} left, yet {refused} withdrawals were refused"
    );
    assert!(balance >= rust_decimal::Decimal::ZERO);
    assert_eq!(pending, granted, "pending payouts are what was granted");
    assert_eq!(balance + pending, topped_up, "a rouble went missing");
    assert_eq!(
        w.events_of("Wallet", "WithdrawalRequested").await,
        created,
        "one WithdrawalRequested per 201"
    );
}
