//! The money screens' read side: a wallet's history with its running
//! balance, its payouts with their status, a provider's earnings, and the
//! billing fields of a subscription.

use chrono::{DateTime, Utc};
use domain::subscription::SubscriptionEvent;
use domain::wallet::{CreditKind, WalletEvent};
use domain::{AccountId, Money, Plan, SubscriptionId, TransferId};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use uuid::Uuid;

use crate::helpers::{TestDb, append, at, rows};
use crate::read_models::{bank, feed, legal};

async fn feed_wallet(db: &TestDb, owner: AccountId, events: &[WalletEvent]) {
    for (i, ev) in events.iter().enumerate() {
        let e = append(&db.pool, "Wallet", &owner.to_string(), i as i64 + 1, ev).await;
        feed(&db.pool, "wallets", &e).await;
    }
}

fn rub(d: Decimal) -> Money {
    Money::rub(d)
}

#[tokio::test]
async fn history_has_every_movement_with_its_running_balance() {
    let db = TestDb::new().await;
    let owner = AccountId::new();
    let (t1, t2, t3, t4, t5, t6) = (
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
    );
    let sub = SubscriptionId::new();
    feed_wallet(
        &db,
        owner,
        &[
            WalletEvent::TopUpRequested {
                owner,
                transfer_id: t1,
                amount: rub(dec!(1000)),
            },
            WalletEvent::TopUpSettled {
                transfer_id: t1,
                amount: rub(dec!(1000)),
            },
            WalletEvent::TopUpRequested {
                owner,
                transfer_id: t2,
                amount: rub(dec!(70)),
            },
            WalletEvent::TopUpFailed {
                transfer_id: t2,
                reason: "declined by the payer".into(),
            },
            WalletEvent::WithdrawalRequested {
                transfer_id: t3,
                amount: rub(dec!(200)),
                bank: bank(),
            },
            WalletEvent::WithdrawalSent { transfer_id: t3 },
            WalletEvent::WithdrawalSettled {
                transfer_id: t3,
                amount: rub(dec!(200)),
            },
            WalletEvent::WithdrawalRequested {
                transfer_id: t4,
                amount: rub(dec!(50)),
                bank: bank(),
            },
            WalletEvent::WithdrawalFailed {
                transfer_id: t4,
                amount: rub(dec!(50)),
                reason: "account closed".into(),
            },
            WalletEvent::FundsMovedToEscrow {
                transfer_id: t5,
                subscription_id: sub,
                amount: rub(dec!(300.10)),
            },
            WalletEvent::FundsCreditedFromEscrow {
                owner,
                transfer_id: t6,
                subscription_id: sub,
                amount: rub(dec!(0.20)),
                kind: CreditKind::Refund,
            },
        ],
    )
    .await;

    type Row = (
        i64,
        String,
        Decimal,
        Decimal,
        Uuid,
        Option<Uuid>,
        Option<String>,
    );
    let history: Vec<Row> = sqlx::query_as(
        "SELECT sequence, kind, amount, balance_after, transfer_id, subscription_id, reason \
         FROM read.wallet_movements WHERE account_id = $1 ORDER BY sequence",
    )
    .bind(owner.as_uuid())
    .fetch_all(&db.pool)
    .await
    .expect("history");
    let expected: Vec<Row> = vec![
        (2, "top_up".into(), dec!(1000), dec!(1000), t1.0, None, None),
        (
            4,
            "top_up_failed".into(),
            dec!(0),
            dec!(1000),
            t2.0,
            None,
            Some("declined by the payer".into()),
        ),
        (
            5,
            "withdrawal".into(),
            dec!(-200),
            dec!(800),
            t3.0,
            None,
            None,
        ),
        (
            6,
            "withdrawal_sent".into(),
            dec!(0),
            dec!(800),
            t3.0,
            None,
            None,
        ),
        (
            7,
            "withdrawal_settled".into(),
            dec!(0),
            dec!(800),
            t3.0,
            None,
            None,
        ),
        (
            8,
            "withdrawal".into(),
            dec!(-50),
            dec!(750),
            t4.0,
            None,
            None,
        ),
        (
            9,
            "withdrawal_failed".into(),
            dec!(50),
            dec!(800),
            t4.0,
            None,
            Some("account closed".into()),
        ),
        (
            10,
            "to_escrow".into(),
            dec!(-300.10),
            dec!(499.90),
            t5.0,
            Some(sub.as_uuid()),
            None,
        ),
        (
            11,
            "refund".into(),
            dec!(0.20),
            dec!(500.10),
            t6.0,
            Some(sub.as_uuid()),
            None,
        ),
    ];
    assert_eq!(history, expected);
    // The running balance always equals the sum of the signed amounts so far.
    let mut sum = Decimal::ZERO;
    for row in &history {
        sum += row.2;
        assert_eq!(sum, row.3, "{row:?}");
    }
    let wallet: (Decimal, Decimal, Decimal) = sqlx::query_as(
        "SELECT balance, pending_payouts, earnings FROM read.wallets WHERE account_id = $1",
    )
    .bind(owner.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("wallet");
    assert_eq!(wallet, (dec!(500.10), dec!(0), dec!(0)));
}

#[tokio::test]
async fn payouts_follow_each_withdrawal_and_mask_the_account() {
    let db = TestDb::new().await;
    let owner = AccountId::new();
    let (sent, settled, failed, requested) = (
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
    );
    let withdraw = |t, a| WalletEvent::WithdrawalRequested {
        transfer_id: t,
        amount: rub(a),
        bank: bank(),
    };
    feed_wallet(
        &db,
        owner,
        &[
            WalletEvent::TopUpRequested {
                owner,
                transfer_id: TransferId::new(),
                amount: rub(dec!(100)),
            },
            WalletEvent::FundsCreditedFromEscrow {
                owner,
                transfer_id: TransferId::new(),
                subscription_id: SubscriptionId::new(),
                amount: rub(dec!(100)),
                kind: CreditKind::Earnings,
            },
            withdraw(sent, dec!(10)),
            withdraw(settled, dec!(20)),
            withdraw(failed, dec!(30)),
            withdraw(requested, dec!(5)),
            WalletEvent::WithdrawalSent { transfer_id: sent },
            WalletEvent::WithdrawalSent {
                transfer_id: settled,
            },
            WalletEvent::WithdrawalSettled {
                transfer_id: settled,
                amount: rub(dec!(20)),
            },
            WalletEvent::WithdrawalFailed {
                transfer_id: failed,
                amount: rub(dec!(30)),
                reason: "no such account".into(),
            },
        ],
    )
    .await;
    let payouts: Vec<(Uuid, String, Decimal, Option<String>, String, String)> = sqlx::query_as(
        "SELECT transfer_id, status, amount, reason, account_masked, bik FROM read.wallet_payouts \
         WHERE account_id = $1 ORDER BY amount",
    )
    .bind(owner.as_uuid())
    .fetch_all(&db.pool)
    .await
    .expect("payouts");
    let masked = projections::read_models::mask_account(bank().account.as_str());
    assert!(
        masked.ends_with("0001") && !masked.contains("810"),
        "{masked}"
    );
    let row = |t: TransferId, s: &str, a, r: Option<&str>| {
        (
            t.0,
            s.to_owned(),
            a,
            r.map(str::to_owned),
            masked.clone(),
            "044525225".to_owned(),
        )
    };
    assert_eq!(
        payouts,
        vec![
            row(requested, "requested", dec!(5), None),
            row(sent, "sent", dec!(10), None),
            row(settled, "settled", dec!(20), None),
            row(failed, "failed", dec!(30), Some("no such account")),
        ]
    );
    // In payout: requested and sent, not settled or failed. Earnings: the provider's credit.
    let wallet: (Decimal, Decimal, Decimal) = sqlx::query_as(
        "SELECT balance, pending_payouts, earnings FROM read.wallets WHERE account_id = $1",
    )
    .bind(owner.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("wallet");
    // 100 earned, 65 withdrawn of which 30 came back; the top-up was never settled.
    assert_eq!(wallet, (dec!(65), dec!(15), dec!(100)));
}

#[tokio::test]
async fn rebuilt_history_and_payouts_equal_the_live_ones() {
    let db = TestDb::new().await;
    let owner = AccountId::new();
    let t = TransferId::new();
    feed_wallet(
        &db,
        owner,
        &[
            WalletEvent::TopUpRequested {
                owner,
                transfer_id: t,
                amount: rub(dec!(40)),
            },
            WalletEvent::TopUpSettled {
                transfer_id: t,
                amount: rub(dec!(40)),
            },
            WalletEvent::WithdrawalRequested {
                transfer_id: TransferId::new(),
                amount: rub(dec!(15)),
                bank: bank(),
            },
        ],
    )
    .await;
    let before = (
        rows(&db.pool, "wallet_movements").await,
        rows(&db.pool, "wallet_payouts").await,
        rows(&db.pool, "wallets").await,
    );
    projections::rebuild(&db.pool, Some("wallets"), projections::Progress::Silent)
        .await
        .expect("rebuild");
    let after = (
        rows(&db.pool, "wallet_movements").await,
        rows(&db.pool, "wallet_payouts").await,
        rows(&db.pool, "wallets").await,
    );
    assert_eq!(before, after);
    assert_eq!(before.0.len(), 2);
}

#[tokio::test]
async fn subscriptions_keep_the_period_and_when_a_cancellation_takes_effect() {
    let db = TestDb::new().await;
    let id = SubscriptionId::new();
    let client = AccountId::new();
    let provider = AccountId::new();
    let period_end: DateTime<Utc> = at(60 * 24 * 30);
    let events = [
        SubscriptionEvent::SubscriptionRequested {
            subscription_id: id,
            client,
            service_type: legal(),
            plan: Plan::Monthly,
            description: "Bookkeeping".into(),
            price: rub(dec!(9000)),
            acceptance_deadline: at(60),
            requested_at: at(0),
        },
        SubscriptionEvent::EscrowFunded {
            transfer_id: TransferId::new(),
            amount: rub(dec!(9000)),
        },
        SubscriptionEvent::SubscriptionAccepted {
            provider,
            period_start: at(5),
            period_end: Some(period_end),
        },
        SubscriptionEvent::PastDue { at: at(10) },
        SubscriptionEvent::CancellationScheduled {
            by: client,
            at: at(11),
            effective_at: period_end,
        },
    ];
    for (i, ev) in events.iter().enumerate() {
        let e = append(&db.pool, "Subscription", &id.to_string(), i as i64 + 1, ev).await;
        feed(&db.pool, "subscriptions", &e).await;
    }
    type Row = (
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        bool,
        Option<DateTime<Utc>>,
        Decimal,
    );
    let row: Row = sqlx::query_as(
        "SELECT status, period_start, period_end, cancel_at_period_end, cancel_effective_at, escrow \
         FROM read.subscriptions WHERE id = $1",
    )
    .bind(id.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("row");
    assert_eq!(
        row,
        (
            "past_due".into(),
            Some(at(5)),
            Some(period_end),
            true,
            Some(period_end),
            dec!(9000)
        )
    );
}
