//! Each read model fed real events built from domain types.

use domain::account::{AccountEvent, Company};
use domain::catalog::CatalogEvent;
use domain::complaint::ComplaintEvent;
use domain::order::OrderEvent;
use domain::subscription::SubscriptionEvent;
use domain::wallet::{CreditKind, WalletEvent};
use domain::{
    AccountId, BankAccountNumber, BankDetails, Bik, ComplaintId, Email, Inn, MessageId, Money,
    OrderId, Plan, Role, ServiceType, SubscriptionId, TransferId,
};
use projections::{Change, StoredEvent, project, read_models};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use uuid::Uuid;

use crate::helpers::{TestDb, append, append_raw, at};

pub async fn feed(pool: &PgPool, projection: &str, event: &StoredEvent) {
    let p = read_models::by_name(projection).expect("projection");
    project(pool, p.as_ref(), event).await.expect("projected");
}

pub fn legal() -> ServiceType {
    ServiceType::parse("legal").expect("code")
}

pub fn bank() -> BankDetails {
    let bik = Bik::parse("044525225").expect("valid BIK");
    (0..10)
        .find_map(|d| {
            let account = BankAccountNumber::parse(&format!("40702810{d}38000000001")).ok()?;
            BankDetails::new(bik.clone(), account).ok()
        })
        .expect("one control digit fits")
}

#[tokio::test]
async fn accounts_hold_clients_providers_and_old_event_versions() {
    let db = TestDb::new().await;
    let client = AccountId::new();
    let provider = AccountId::new();
    let old = AccountId::new();
    let e = append(
        &db.pool,
        "Account",
        &client.to_string(),
        1,
        &AccountEvent::ClientRegistered {
            account_id: client,
            email: Email::parse("buyer@example.ru").expect("email"),
            company: Company {
                name: "ООО Ромашка".into(),
                inn: Inn::parse("7707083893").expect("inn"),
            },
            contact_name: "Анна".into(),
            at: at(0),
        },
    )
    .await;
    feed(&db.pool, "accounts", &e).await;
    let e = append(
        &db.pool,
        "Account",
        &provider.to_string(),
        1,
        &AccountEvent::ProviderRegistered {
            account_id: provider,
            email: Email::parse("law@example.ru").expect("email"),
            company: Company {
                name: "Law LLC".into(),
                inn: Inn::parse("7736207543").expect("inn"),
            },
            contact_name: "Ivan".into(),
            service_types: vec![legal()],
            at: at(1),
        },
    )
    .await;
    feed(&db.pool, "accounts", &e).await;
    let e = append(
        &db.pool,
        "Account",
        &provider.to_string(),
        2,
        &AccountEvent::ProfileChanged {
            changed_by: provider,
            contact_name: None,
            company_name: Some("Law & Co".into()),
            service_types: Some(vec![
                legal(),
                ServiceType::parse("accounting").expect("code"),
            ]),
            at: at(2),
        },
    )
    .await;
    feed(&db.pool, "accounts", &e).await;
    let e = append(
        &db.pool,
        "Account",
        &provider.to_string(),
        3,
        &AccountEvent::AccountBlocked {
            blocked_by: AccountId::new(),
            reason: "spam".into(),
            at: at(3),
        },
    )
    .await;
    feed(&db.pool, "accounts", &e).await;
    // A ClientRegistered as version 1.0 stored it: flat company fields.
    let e = append_raw(
        &db.pool,
        "Account",
        &old.to_string(),
        1,
        "ClientRegistered",
        "1.0",
        json!({
            "ClientRegistered": {
                "account_id": old, "email": "old@example.ru", "company_name": "Old Ltd",
                "company_inn": "7707083893", "contact_name": "Pyotr", "at": "2025-03-01T09:30:00Z"
            }
        }),
    )
    .await;
    feed(&db.pool, "accounts", &e).await;

    let row: (
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Vec<String>,
        bool,
    ) = sqlx::query_as(
        "SELECT role, email, company_name, company_inn, contact_name, service_types, blocked \
         FROM read.accounts WHERE account_id = $1",
    )
    .bind(client.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("client row");
    assert_eq!(
        row,
        (
            "client".into(),
            "buyer@example.ru".into(),
            Some("ООО Ромашка".into()),
            Some("7707083893".into()),
            "Анна".into(),
            vec![],
            false
        )
    );

    let row: (String, Option<String>, Vec<String>, bool, Option<String>) = sqlx::query_as(
        "SELECT role, company_name, service_types, blocked, block_reason FROM read.accounts WHERE account_id = $1",
    ).bind(provider.as_uuid()).fetch_one(&db.pool).await.expect("provider row");
    assert_eq!(
        row,
        (
            "provider".into(),
            Some("Law & Co".into()),
            vec!["legal".to_owned(), "accounting".to_owned()],
            true,
            Some("spam".into())
        )
    );

    let name: Option<String> =
        sqlx::query_scalar("SELECT company_name FROM read.accounts WHERE account_id = $1")
            .bind(old.as_uuid())
            .fetch_one(&db.pool)
            .await
            .expect("upcast row");
    assert_eq!(name.as_deref(), Some("Old Ltd"));
}

#[tokio::test]
async fn catalog_tracks_prices_and_retirement() {
    let db = TestDb::new().await;
    let events = [
        CatalogEvent::ServiceTypeAdded {
            code: legal(),
            name_en: "Legal".into(),
            name_ru: "Юристы".into(),
            one_off_price: Money::rub(dec!(1500)),
            monthly_price: Money::rub(dec!(9000.50)),
        },
        CatalogEvent::PricesChanged {
            code: legal(),
            one_off_price: Money::rub(dec!(1600)),
            monthly_price: Money::rub(dec!(9900)),
        },
        CatalogEvent::ServiceTypeRetired { code: legal() },
    ];
    for (i, ev) in events.iter().enumerate() {
        let e = append(&db.pool, "Catalog", "catalog", i as i64 + 1, ev).await;
        feed(&db.pool, "catalog", &e).await;
    }
    let row: (String, String, Decimal, String, Decimal, bool) = sqlx::query_as(
        "SELECT name_en, name_ru, one_off_price, one_off_currency, monthly_price, active FROM read.catalog WHERE code = 'legal'",
    ).fetch_one(&db.pool).await.expect("row");
    assert_eq!(
        row,
        (
            "Legal".into(),
            "Юристы".into(),
            dec!(1600.00),
            "RUB".into(),
            dec!(9900.00),
            false
        )
    );
}

/// A requested, funded, once-rejected and then accepted subscription.
pub async fn subscription_story(
    pool: &PgPool,
    id: SubscriptionId,
    client: AccountId,
    loser: AccountId,
    winner: AccountId,
) -> Vec<StoredEvent> {
    let events = [
        SubscriptionEvent::SubscriptionRequested {
            subscription_id: id,
            client,
            service_type: legal(),
            plan: Plan::Monthly,
            description: "Contracts review".into(),
            price: Money::rub(dec!(9000)),
            acceptance_deadline: at(60),
            requested_at: at(0),
        },
        SubscriptionEvent::EscrowFunded {
            transfer_id: TransferId::new(),
            amount: Money::rub(dec!(9000)),
        },
        SubscriptionEvent::RequestRejected {
            provider: loser,
            at: at(5),
        },
        SubscriptionEvent::SubscriptionAccepted {
            provider: winner,
            period_start: at(10),
            period_end: Some(at(10 + 30 * 24 * 60)),
        },
        SubscriptionEvent::EscrowReleased {
            transfer_id: TransferId::new(),
            to: domain::subscription::EscrowParty::Provider,
            recipient: Some(winner),
            amount: Money::rub(dec!(1000)),
        },
    ];
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        out.push(append(pool, "Subscription", &id.to_string(), i as i64 + 1, ev).await);
    }
    out
}

/// client, provider, type, plan, description, status, price, escrow, currency, rejected_by
type SubscriptionRow = (
    Uuid,
    Option<Uuid>,
    String,
    String,
    String,
    String,
    Decimal,
    Decimal,
    String,
    Vec<Uuid>,
);

#[tokio::test]
async fn subscriptions_follow_the_contract_and_notify_each_change() {
    let db = TestDb::new().await;
    let mut listener = PgListener::connect(&db.url).await.expect("listener");
    listener
        .listen(projections::notify::CHANNEL)
        .await
        .expect("listen");
    let (id, client, loser, winner) = (
        SubscriptionId::new(),
        AccountId::new(),
        AccountId::new(),
        AccountId::new(),
    );
    let events = subscription_story(&db.pool, id, client, loser, winner).await;

    // The first event alone: an open request, visible to providers of its type.
    feed(&db.pool, "subscriptions", &events[0]).await;
    let n = listener.recv().await.expect("notification");
    let change: serde_json::Value = serde_json::from_str(n.payload()).expect("json");
    assert_eq!(
        change,
        json!({
            "kind": "subscription", "id": id, "client_id": client, "service_type": "legal", "status": "requested"
        })
    );
    for e in &events[1..] {
        feed(&db.pool, "subscriptions", e).await;
    }
    let row: SubscriptionRow = sqlx::query_as(
        "SELECT client_id, provider_id, service_type, plan, description, status, price, escrow, currency, rejected_by \
         FROM read.subscriptions WHERE id = $1",
    ).bind(id.as_uuid()).fetch_one(&db.pool).await.expect("row");
    assert_eq!(
        row,
        (
            client.as_uuid(),
            Some(winner.as_uuid()),
            "legal".into(),
            "monthly".into(),
            "Contracts review".into(),
            "active".into(),
            dec!(9000.00),
            dec!(8000.00),
            "RUB".into(),
            vec![loser.as_uuid()]
        )
    );
    let times: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT created_at, acceptance_deadline FROM read.subscriptions WHERE id = $1",
    )
    .bind(id.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("times");
    assert_eq!(times, (at(0), at(60)));

    // One notification per event, the last naming the winner.
    let mut last = None;
    for _ in 1..events.len() {
        last = Some(listener.recv().await.expect("notification"));
    }
    let change: serde_json::Value =
        serde_json::from_str(last.expect("some").payload()).expect("json");
    assert_eq!(change["provider_id"], json!(winner));
    assert_eq!(change["status"], "active");
    let _: Change; // the payload is `Change` serialised
}

pub async fn order_story(
    pool: &PgPool,
    order: OrderId,
    client: AccountId,
    provider: AccountId,
) -> Vec<StoredEvent> {
    let complaint = ComplaintId::new();
    let events = [
        OrderEvent::OrderCreated {
            order_id: order,
            subscription_id: SubscriptionId::new(),
            client,
            provider,
            plan: Plan::OneOff,
            title: "NDA".into(),
            details: "Draft an NDA".into(),
            at: at(0),
        },
        OrderEvent::OrderTaken {
            provider,
            at: at(1),
        },
        OrderEvent::MessagePosted {
            message_id: MessageId::new(),
            author: client,
            author_role: Role::Client,
            text: "Hello".into(),
            at: at(2),
        },
        OrderEvent::MessagePosted {
            message_id: MessageId::new(),
            author: provider,
            author_role: Role::Provider,
            text: "Hi!".into(),
            at: at(3),
        },
        OrderEvent::OrderFrozen {
            complaint_id: complaint,
            at: at(4),
        },
        OrderEvent::OrderUnfrozen {
            complaint_id: complaint,
            at: at(5),
        },
        OrderEvent::OrderMarkedDone {
            by: Role::Provider,
            at: at(6),
        },
        OrderEvent::OrderMarkedDone {
            by: Role::Client,
            at: at(7),
        },
        OrderEvent::OrderCompleted {
            subscription_id: SubscriptionId::new(),
            plan: Plan::OneOff,
            at: at(8),
        },
    ];
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        out.push(append(pool, "Order", &order.to_string(), i as i64 + 1, ev).await);
    }
    out
}

#[tokio::test]
async fn orders_and_their_chat() {
    let db = TestDb::new().await;
    let mut listener = PgListener::connect(&db.url).await.expect("listener");
    listener
        .listen(projections::notify::CHANNEL)
        .await
        .expect("listen");
    let (order, client, provider) = (OrderId::new(), AccountId::new(), AccountId::new());
    let events = order_story(&db.pool, order, client, provider).await;
    for e in &events[..3] {
        feed(&db.pool, "orders", e).await;
    }
    let kinds: Vec<serde_json::Value> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(
                serde_json::from_str(listener.recv().await.expect("n").payload()).expect("json"),
            );
        }
        v
    };
    assert_eq!(kinds[0]["kind"], "order");
    assert_eq!(kinds[1]["status"], "in_progress");
    assert_eq!(kinds[2]["kind"], "message");
    assert_eq!(kinds[2]["order_id"], json!(order));
    assert_eq!(kinds[2]["client_id"], json!(client));
    assert_eq!(kinds[2]["provider_id"], json!(provider));

    for e in &events[3..] {
        feed(&db.pool, "orders", e).await;
    }
    let row: (String, bool, bool, Option<Uuid>, i32, String) = sqlx::query_as(
        "SELECT status, client_done, provider_done, frozen_by, message_count, title FROM read.orders WHERE id = $1",
    ).bind(order.as_uuid()).fetch_one(&db.pool).await.expect("order");
    assert_eq!(row, ("completed".into(), true, true, None, 2, "NDA".into()));
    let chat: Vec<(i64, Uuid, String, String)> = sqlx::query_as(
        "SELECT sequence, author_id, author_role, text FROM read.order_messages WHERE order_id = $1 ORDER BY sequence",
    ).bind(order.as_uuid()).fetch_all(&db.pool).await.expect("chat");
    assert_eq!(
        chat,
        vec![
            (3, client.as_uuid(), "client".into(), "Hello".into()),
            (4, provider.as_uuid(), "provider".into(), "Hi!".into()),
        ]
    );
}

pub async fn complaint_story(pool: &PgPool, id: ComplaintId) -> Vec<StoredEvent> {
    let admin = AccountId::new();
    let (client, provider) = (AccountId::new(), AccountId::new());
    let events = [
        ComplaintEvent::ComplaintFiled {
            complaint_id: id,
            order_id: OrderId::new(),
            subscription_id: SubscriptionId::new(),
            client,
            provider,
            filed_by: client,
            role: Role::Client,
            reason: "Late".into(),
            at: at(0),
        },
        ComplaintEvent::ComplaintTakenIntoReview { admin, at: at(1) },
        ComplaintEvent::ComplaintNoteAdded {
            admin,
            text: "Asked both sides".into(),
            at: at(2),
        },
        ComplaintEvent::ComplaintResolved {
            admin,
            to_client: Money::rub(dec!(300)),
            to_provider: Money::rub(dec!(700)),
            note: "Partly late".into(),
            at: at(3),
        },
    ];
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        out.push(append(pool, "Complaint", &id.to_string(), i as i64 + 1, ev).await);
    }
    out
}

#[tokio::test]
async fn complaints_from_filing_to_resolution() {
    let db = TestDb::new().await;
    let id = ComplaintId::new();
    for e in complaint_story(&db.pool, id).await {
        feed(&db.pool, "complaints", &e).await;
    }
    let row: (String, String, Option<Decimal>, Option<Decimal>, Option<String>, serde_json::Value) = sqlx::query_as(
        "SELECT status, reason, to_client, to_provider, resolution_note, notes FROM read.complaints WHERE id = $1",
    ).bind(id.as_uuid()).fetch_one(&db.pool).await.expect("row");
    assert_eq!(row.0, "resolved");
    assert_eq!(row.1, "Late");
    assert_eq!((row.2, row.3), (Some(dec!(300.00)), Some(dec!(700.00))));
    assert_eq!(row.4.as_deref(), Some("Partly late"));
    assert_eq!(row.5[0]["text"], "Asked both sides");
}

pub async fn wallet_story(pool: &PgPool, owner: AccountId) -> Vec<StoredEvent> {
    let (t1, t2, t3, t4) = (
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
        TransferId::new(),
    );
    let events = [
        WalletEvent::TopUpRequested {
            owner,
            transfer_id: t1,
            amount: Money::rub(dec!(1000)),
        },
        WalletEvent::TopUpSettled {
            transfer_id: t1,
            amount: Money::rub(dec!(1000)),
        },
        WalletEvent::WithdrawalRequested {
            transfer_id: t2,
            amount: Money::rub(dec!(200)),
            bank: bank(),
        },
        WalletEvent::WithdrawalRequested {
            transfer_id: t3,
            amount: Money::rub(dec!(50)),
            bank: bank(),
        },
        WalletEvent::WithdrawalSent { transfer_id: t2 },
        WalletEvent::WithdrawalFailed {
            transfer_id: t3,
            amount: Money::rub(dec!(50)),
            reason: "closed".into(),
        },
        WalletEvent::FundsMovedToEscrow {
            transfer_id: t4,
            subscription_id: SubscriptionId::new(),
            amount: Money::rub(dec!(300.10)),
        },
        WalletEvent::FundsCreditedFromEscrow {
            owner,
            transfer_id: TransferId::new(),
            subscription_id: SubscriptionId::new(),
            amount: Money::rub(dec!(0.20)),
            kind: CreditKind::Refund,
        },
    ];
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        out.push(append(pool, "Wallet", &owner.to_string(), i as i64 + 1, ev).await);
    }
    out
}

#[tokio::test]
async fn wallets_hold_balance_and_pending_payouts() {
    let db = TestDb::new().await;
    let owner = AccountId::new();
    for e in wallet_story(&db.pool, owner).await {
        feed(&db.pool, "wallets", &e).await;
    }
    let row: (Decimal, Decimal, String) = sqlx::query_as(
        "SELECT balance, pending_payouts, currency FROM read.wallets WHERE account_id = $1",
    )
    .bind(owner.as_uuid())
    .fetch_one(&db.pool)
    .await
    .expect("row");
    // 1000 - 200 - 50 + 50 - 300.10 + 0.20
    assert_eq!(row, (dec!(500.10), dec!(200.00), "RUB".into()));
}

#[tokio::test]
async fn a_failed_top_up_leaves_the_wallet_as_it_was() {
    let db = TestDb::new().await;
    let owner = AccountId::new();
    let mut events = wallet_story(&db.pool, owner).await;
    let t = TransferId::new();
    let next = events.len() as i64 + 1;
    events.push(
        append(
            &db.pool,
            "Wallet",
            &owner.to_string(),
            next,
            &WalletEvent::TopUpRequested {
                owner,
                transfer_id: t,
                amount: Money::rub(dec!(900)),
            },
        )
        .await,
    );
    events.push(
        append(
            &db.pool,
            "Wallet",
            &owner.to_string(),
            next + 1,
            &WalletEvent::TopUpFailed {
                transfer_id: t,
                reason: "declined".into(),
            },
        )
        .await,
    );
    for e in events {
        feed(&db.pool, "wallets", &e).await;
    }
    let row: (Decimal, Decimal) =
        sqlx::query_as("SELECT balance, pending_payouts FROM read.wallets WHERE account_id = $1")
            .bind(owner.as_uuid())
            .fetch_one(&db.pool)
            .await
            .expect("row");
    assert_eq!(row, (dec!(500.10), dec!(200.00)));
}
