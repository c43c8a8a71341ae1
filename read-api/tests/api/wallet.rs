//! The wallet's totals, history and payouts, built by the real `wallets`
//! projection from domain events, read back over HTTP; and a subscription's
//! billing fields.

use chrono::{Duration, Utc};
use domain::wallet::{CreditKind, WalletEvent};
use domain::{
    AccountId, BankAccountNumber, BankDetails, Bik, Money, Role, SubscriptionId, TransferId,
};
use projections::{StoredEvent, project, read_models};
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Account, NewSubscription, TestApp, account};

fn bank() -> BankDetails {
    let bik = Bik::parse("044525225").expect("valid BIK");
    (0..10)
        .find_map(|d| {
            let account = BankAccountNumber::parse(&format!("40702810{d}38000000001")).ok()?;
            BankDetails::new(bik.clone(), account).ok()
        })
        .expect("one control digit fits")
}

/// Projects `events` as the wallet of `owner`, sequences from 1.
async fn wallet_events(pool: &PgPool, owner: &Account, events: &[WalletEvent]) {
    let projection = read_models::by_name("wallets").expect("wallets");
    for (i, ev) in events.iter().enumerate() {
        let payload = serde_json::to_value(ev).expect("serialises");
        let event_type = payload
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .expect("externally tagged");
        let occurred = Utc::now() + Duration::seconds(i as i64);
        let stored = StoredEvent {
            aggregate_type: "Wallet".into(),
            aggregate_id: owner.id.to_string(),
            sequence: i as i64 + 1,
            event_type,
            event_version: "1.0".into(),
            payload,
            metadata: json!({ "occurred_at": occurred.to_rfc3339() }),
            global_position: i as i64 + 1,
            recorded_at: occurred,
        };
        project(pool, projection.as_ref(), &stored)
            .await
            .expect("projected");
        // The history comes from the ledger, which follows the store.
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
                                 event_version, payload, metadata) \
             VALUES ('Wallet', $1, $2, $3, '1.0', $4, '{}')",
        )
        .bind(&stored.aggregate_id)
        .bind(stored.sequence)
        .bind(&stored.event_type)
        .bind(&stored.payload)
        .execute(pool)
        .await
        .expect("stored");
    }
    ledger::sync(
        pool,
        &ledger::Tables::live(),
        1000,
        std::time::Duration::from_secs(10),
    )
    .await
    .expect("ledger");
}

fn rub(d: rust_decimal::Decimal) -> Money {
    Money::rub(d)
}

fn amount(v: &Value) -> &str {
    v["amount"].as_str().expect("amount")
}

/// Every item of a list, following `next_cursor` with pages of `limit`.
async fn all_pages(app: &TestApp, who: &Account, path: &str, limit: u32) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let (status, body) = app.get(Some(who), &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        items.extend(body["items"].as_array().expect("items").iter().cloned());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return items,
        }
    }
}

/// A client's story: top-up 1 000, a payout of 200 sent, one of 50 failed,
/// 300 to a subscription's escrow.
async fn client_story(app: &TestApp, client: &Account) -> (TransferId, TransferId, Uuid) {
    let owner = AccountId::from(client.id);
    let (top_up, sent, failed) = (TransferId::new(), TransferId::new(), TransferId::new());
    let sub = NewSubscription::requested(client, "legal")
        .insert(&app.pool)
        .await;
    wallet_events(
        &app.pool,
        client,
        &[
            WalletEvent::TopUpRequested {
                owner,
                transfer_id: top_up,
                amount: rub(dec!(1000)),
            },
            WalletEvent::TopUpSettled {
                transfer_id: top_up,
                amount: rub(dec!(1000)),
            },
            WalletEvent::WithdrawalRequested {
                transfer_id: sent,
                amount: rub(dec!(200)),
                bank: bank(),
            },
            WalletEvent::WithdrawalSent { transfer_id: sent },
            WalletEvent::WithdrawalRequested {
                transfer_id: failed,
                amount: rub(dec!(50)),
                bank: bank(),
            },
            WalletEvent::WithdrawalFailed {
                transfer_id: failed,
                amount: rub(dec!(50)),
                reason: "account closed".into(),
            },
            WalletEvent::FundsMovedToEscrow {
                transfer_id: TransferId::new(),
                subscription_id: SubscriptionId::from(sub),
                amount: rub(dec!(300)),
            },
        ],
    )
    .await;
    (sent, failed, sub)
}

#[tokio::test]
async fn a_clients_wallet_totals_available_escrow_and_payout() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    client_story(&app, &client).await;
    let (status, w) = app.get(Some(&client), "/api/v1/wallet").await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(amount(&w["available"]), "500.00", "{w}");
    // The fixture's subscription holds 1 500 in escrow.
    assert_eq!(amount(&w["in_escrow"]), "1500.00", "{w}");
    assert_eq!(amount(&w["in_payout"]), "200.00", "{w}");
    assert_eq!(w["available"]["currency"], "RUB");
    assert!(w["earnings"].is_null(), "a client has no earnings: {w}");
}

#[tokio::test]
async fn a_providers_wallet_shows_its_earnings() {
    let app = TestApp::spawn().await;
    let provider = account(&app.pool, Role::Provider, &["legal"]).await;
    wallet_events(
        &app.pool,
        &provider,
        &[WalletEvent::FundsCreditedFromEscrow {
            owner: AccountId::from(provider.id),
            transfer_id: TransferId::new(),
            subscription_id: SubscriptionId::new(),
            amount: rub(dec!(900)),
            kind: CreditKind::Earnings,
        }],
    )
    .await;
    let (status, w) = app.get(Some(&provider), "/api/v1/wallet").await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(amount(&w["available"]), "900.00", "{w}");
    assert_eq!(amount(&w["earnings"]), "900.00", "{w}");
    assert_eq!(amount(&w["in_escrow"]), "0.00", "{w}");
    let history = all_pages(&app, &provider, "/api/v1/wallet/history", 20).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["kind"], "earnings");
}

#[tokio::test]
async fn history_lists_every_movement_newest_first_with_the_balance_after_it() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let (sent, failed, sub) = client_story(&app, &client).await;
    // Pages of two: the cursor walks the whole history without gaps or repeats.
    let history = all_pages(&app, &client, "/api/v1/wallet/history", 2).await;
    let got: Vec<(&str, &str, &str)> = history
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().expect("kind"),
                amount(&m["amount"]),
                amount(&m["balance_after"]),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("to_escrow", "-300.00", "500.00"),
            ("withdrawal_failed", "50.00", "800.00"),
            ("withdrawal", "-50.00", "750.00"),
            ("withdrawal", "-200.00", "800.00"),
            ("top_up", "1000.00", "1000.00"),
        ]
    );
    let sequences: Vec<i64> = history
        .iter()
        .map(|m| m["sequence"].as_i64().expect("sequence"))
        .collect();
    assert_eq!(sequences, vec![5, 4, 3, 2, 1]);
    assert_eq!(history[0]["subscription_id"], sub.to_string());
    assert_eq!(history[1]["transfer_id"], failed.0.to_string());
    assert_eq!(history[1]["reason"], "account closed");
    assert_eq!(history[3]["transfer_id"], sent.0.to_string());
    assert!(history[4]["occurred_at"].is_string());
    // The money on its way to the bank is an account of its own.
    let (status, payouts) = app
        .get(Some(&client), "/api/v1/wallet/history?account=payout")
        .await;
    assert_eq!(status, 200, "{payouts}");
    let got: Vec<(&str, &str)> = payouts["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().expect("kind"),
                amount(&m["balance_after"]),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("withdrawal_failed", "200.00"),
            ("withdrawal", "250.00"),
            ("withdrawal", "200.00")
        ]
    );
    let (status, body) = app
        .get(Some(&client), "/api/v1/wallet/history?account=escrow")
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn payouts_show_each_withdrawals_status_and_a_masked_account() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let (sent, failed, _) = client_story(&app, &client).await;
    let payouts = all_pages(&app, &client, "/api/v1/wallet/payouts", 1).await;
    let got: Vec<(String, &str, &str)> = payouts
        .iter()
        .map(|p| {
            (
                p["transfer_id"].as_str().expect("id").to_owned(),
                p["status"].as_str().expect("status"),
                amount(&p["amount"]),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (failed.0.to_string(), "failed", "50.00"),
            (sent.0.to_string(), "sent", "200.00"),
        ]
    );
    assert_eq!(payouts[0]["reason"], "account closed");
    assert!(payouts[1]["reason"].is_null());
    let full = bank().account.as_str().to_owned();
    let shown = payouts[0]["account"].as_str().expect("account");
    assert_ne!(shown, full);
    assert!(shown.ends_with(&full[16..]), "{shown}");
    assert_eq!(payouts[0]["bik"], "044525225");
}

#[tokio::test]
async fn a_caller_sees_only_its_own_wallet() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let other = account(&app.pool, Role::Client, &[]).await;
    let admin = account(&app.pool, Role::Admin, &[]).await;
    let auditor = account(&app.pool, Role::Auditor, &[]).await;
    client_story(&app, &client).await;
    for path in ["/api/v1/wallet/history", "/api/v1/wallet/payouts"] {
        let (status, body) = app.get(Some(&other), path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["items"], json!([]), "{path}: another client's items");
        assert!(body["next_cursor"].is_null());
        for staff in [&admin, &auditor] {
            let (status, body) = app.get(Some(staff), path).await;
            assert_eq!(status, 403, "{path}: {body}");
        }
        let (status, _) = app.get(None, path).await;
        assert_eq!(status, 401, "{path}");
        // A query naming someone else's wallet is no query at all.
        let (status, body) = app
            .get(Some(&other), &format!("{path}?account_id={}", client.id))
            .await;
        assert_eq!(status, 400, "{path}: {body}");
        let (status, body) = app.get(Some(&client), &format!("{path}?cursor=!!")).await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (400, Some("cursor"))
        );
    }
    let (_, w) = app.get(Some(&other), "/api/v1/wallet").await;
    assert_eq!(
        (
            amount(&w["available"]),
            amount(&w["in_escrow"]),
            amount(&w["in_payout"])
        ),
        ("0.00", "0.00", "0.00")
    );
}

#[tokio::test]
async fn a_subscription_tells_its_period_next_charge_and_scheduled_cancellation() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let provider = account(&app.pool, Role::Provider, &["legal"]).await;
    let stranger = account(&app.pool, Role::Client, &[]).await;
    let id = NewSubscription::requested(&client, "legal")
        .insert(&app.pool)
        .await;
    let path = format!("/api/v1/subscriptions/{id}");

    let (_, s) = app.get(Some(&client), &path).await;
    assert!(
        s["period_start"].is_null() && s["next_charge_at"].is_null(),
        "{s}"
    );

    let start = Utc::now();
    let end = start + Duration::days(30);
    sqlx::query(
        "UPDATE read.subscriptions SET status = 'past_due', provider_id = $2, period_start = $3, \
         period_end = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(provider.id)
    .bind(start)
    .bind(end)
    .execute(&app.pool)
    .await
    .expect("accept");
    let (status, s) = app.get(Some(&client), &path).await;
    assert_eq!(status, 200, "{s}");
    let at = |v: &Value| {
        v.as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_micros())
    };
    assert_eq!(s["status"], "past_due");
    assert_eq!(at(&s["period_start"]), Some(start.timestamp_micros()));
    assert_eq!(at(&s["next_charge_at"]), Some(end.timestamp_micros()));
    assert_eq!(amount(&s["next_charge"]), "1500.00");
    assert_eq!(amount(&s["escrow"]), "1500.00");
    assert_eq!(s["cancellation_scheduled"], false);

    sqlx::query(
        "UPDATE read.subscriptions SET status = 'active', cancel_at_period_end = true, \
         cancel_effective_at = period_end WHERE id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .expect("schedule the cancellation");
    let (_, s) = app.get(Some(&client), &path).await;
    assert_eq!(s["cancellation_scheduled"], true, "{s}");
    assert_eq!(at(&s["cancel_effective_at"]), Some(end.timestamp_micros()));
    assert!(
        s["next_charge_at"].is_null() && s["next_charge"].is_null(),
        "{s}"
    );

    let (status, _) = app.get(Some(&stranger), &path).await;
    assert_eq!(status, 404);
}
