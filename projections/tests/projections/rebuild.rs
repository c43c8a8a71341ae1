//! A rebuilt read model equals the live one, row for row.

use domain::{AccountId, ComplaintId, OrderId, SubscriptionId};
use projections::{Progress, project, read_models, rebuild, rebuild_with};

use crate::helpers::{TestDb, rows};
use crate::read_models::{complaint_story, order_story, subscription_story, wallet_story};

const TABLES: [&str; 8] = [
    "accounts",
    "catalog",
    "subscriptions",
    "orders",
    "order_messages",
    "complaints",
    "wallets",
    "projection_positions",
];

async fn snapshot(db: &TestDb, tables: &[&str]) -> Vec<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    for t in tables {
        out.push(rows(&db.pool, t).await);
    }
    out
}

async fn index_names(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'read' ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .expect("indexes")
}

#[tokio::test]
async fn rebuilt_read_models_equal_the_live_ones() {
    let db = TestDb::new().await;
    let mut events = Vec::new();
    for _ in 0..3 {
        events.extend(
            subscription_story(
                &db.pool,
                SubscriptionId::new(),
                AccountId::new(),
                AccountId::new(),
                AccountId::new(),
            )
            .await,
        );
        events.extend(
            order_story(&db.pool, OrderId::new(), AccountId::new(), AccountId::new()).await,
        );
        events.extend(complaint_story(&db.pool, ComplaintId::new()).await);
        events.extend(wallet_story(&db.pool, AccountId::new()).await);
    }
    let projections = read_models::all();
    for e in &events {
        for p in &projections {
            if p.aggregate_types().contains(&e.aggregate_type.as_str()) {
                project(&db.pool, p.as_ref(), e).await.expect("live");
            }
        }
    }
    let live = snapshot(&db, &TABLES).await;
    let indexes = index_names(&db).await;
    assert!(
        live[2].len() == 3 && live[4].len() == 6,
        "the live models hold the stories"
    );

    store::roles::ensure_dev_roles(&db.pool)
        .await
        .expect("roles");
    store::roles::grant(&db.pool).await.expect("grants");
    let report = rebuild(&db.pool, None, Progress::Silent)
        .await
        .expect("rebuild");
    assert_eq!(report.replayed, events.len() as u64);
    // The swapped-in tables came from another schema: the read API's and the
    // projections' roles may still use them.
    let reader = sqlx::PgPool::connect(&store::roles::url_as(
        &db.url,
        store::roles::DEV_READER_LOGIN,
    ))
    .await
    .expect("reader");
    let writer = sqlx::PgPool::connect(&store::roles::url_as(
        &db.url,
        store::roles::DEV_WRITER_LOGIN,
    ))
    .await
    .expect("writer");
    for t in TABLES {
        sqlx::query(&format!("SELECT count(*) FROM read.{t}"))
            .execute(&reader)
            .await
            .unwrap_or_else(|e| panic!("the reader reads read.{t}: {e}"));
        sqlx::query(&format!("DELETE FROM read.{t} WHERE false"))
            .execute(&writer)
            .await
            .unwrap_or_else(|e| panic!("a writer writes read.{t}: {e}"));
    }
    reader.close().await;
    writer.close().await;
    assert_eq!(report.caught_up, 0);
    assert_eq!(snapshot(&db, &TABLES).await, live);
    // Keys and indexes kept their names, and the scratch schemas are gone.
    assert_eq!(index_names(&db).await, indexes);
    let schemas: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'read%' ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .expect("schemas");
    assert_eq!(schemas, vec!["read".to_owned()]);

    // One projection alone; the others' tables and positions stay as they are.
    let report = rebuild(&db.pool, Some("orders"), Progress::Silent)
        .await
        .expect("rebuild orders");
    assert_eq!(report.projections, vec!["orders"]);
    assert_eq!(snapshot(&db, &TABLES).await, live);
}

#[tokio::test]
async fn the_live_side_carries_on_against_the_swapped_in_tables() {
    let db = TestDb::new().await;
    let wallets = read_models::by_name("wallets").expect("projection");
    let owner = AccountId::new();
    let events = wallet_story(&db.pool, owner).await;
    for e in &events {
        project(&db.pool, wallets.as_ref(), e).await.expect("live");
    }
    let live = rows(&db.pool, "wallets").await;
    rebuild(&db.pool, Some("wallets"), Progress::Silent)
        .await
        .expect("rebuild");
    assert_eq!(rows(&db.pool, "wallets").await, live);
    // Live consumers keep working on the swapped-in tables.
    let again = project(&db.pool, wallets.as_ref(), events.last().expect("e"))
        .await
        .expect("dup");
    assert_eq!(again, projections::Outcome::Duplicate);
    let next = crate::helpers::append(
        &db.pool,
        "Wallet",
        &owner.to_string(),
        events.len() as i64 + 1,
        &domain::wallet::WalletEvent::FundsCreditedFromEscrow {
            owner,
            transfer_id: domain::TransferId::new(),
            subscription_id: domain::SubscriptionId::new(),
            amount: domain::Money::rub(rust_decimal_macros::dec!(1)),
            kind: domain::wallet::CreditKind::Earnings,
        },
    )
    .await;
    project(&db.pool, wallets.as_ref(), &next)
        .await
        .expect("new event");
    let balance: rust_decimal::Decimal =
        sqlx::query_scalar("SELECT balance FROM read.wallets WHERE account_id = $1")
            .bind(owner.as_uuid())
            .fetch_one(&db.pool)
            .await
            .expect("balance");
    assert_eq!(balance, rust_decimal_macros::dec!(501.10));
}

#[tokio::test]
async fn unknown_projection_names_are_refused() {
    let db = TestDb::new().await;
    let err = rebuild(&db.pool, Some("nope"), Progress::Silent)
        .await
        .expect_err("unknown");
    assert!(matches!(
        err,
        projections::ProjectionError::UnknownProjection(_)
    ));
}

/// Every table the projections own, and their positions.
const ALL_TABLES: [&str; 11] = [
    "accounts",
    "catalog",
    "subscriptions",
    "orders",
    "order_messages",
    "complaints",
    "wallets",
    "wallet_movements",
    "wallet_payouts",
    "projection_positions",
    "projection_failures",
];

#[tokio::test]
async fn a_sharded_rebuild_of_many_aggregates_equals_the_live_models() {
    let db = TestDb::new().await;
    let mut events = Vec::new();
    // Enough aggregates of each type for every shard to get several.
    for _ in 0..12 {
        events.extend(wallet_story(&db.pool, AccountId::new()).await);
        events.extend(
            order_story(&db.pool, OrderId::new(), AccountId::new(), AccountId::new()).await,
        );
    }
    for _ in 0..6 {
        events.extend(
            subscription_story(
                &db.pool,
                SubscriptionId::new(),
                AccountId::new(),
                AccountId::new(),
                AccountId::new(),
            )
            .await,
        );
        events.extend(complaint_story(&db.pool, ComplaintId::new()).await);
    }
    let projections = read_models::all();
    for e in &events {
        for p in &projections {
            if p.aggregate_types().contains(&e.aggregate_type.as_str()) {
                project(&db.pool, p.as_ref(), e).await.expect("live");
            }
        }
    }
    let live = snapshot(&db, &ALL_TABLES).await;
    assert_eq!(live[3].len(), 12, "the live orders");
    assert!(!live[7].is_empty(), "the live wallet movements");

    for shards in [8, 1, projections::DEFAULT_SHARDS] {
        let report = rebuild_with(&db.pool, None, Progress::Silent, shards)
            .await
            .unwrap_or_else(|e| panic!("rebuild on {shards} shards: {e}"));
        assert_eq!(report.replayed, events.len() as u64);
        assert_eq!(report.caught_up, 0);
        assert_eq!(snapshot(&db, &ALL_TABLES).await, live, "{shards} shards");
    }
}

#[tokio::test]
async fn a_failing_projection_stops_the_rebuild_and_leaves_the_live_models() {
    let db = TestDb::new().await;
    let mut events = Vec::new();
    for _ in 0..4 {
        events.extend(wallet_story(&db.pool, AccountId::new()).await);
        events.extend(
            order_story(&db.pool, OrderId::new(), AccountId::new(), AccountId::new()).await,
        );
    }
    let projections = read_models::all();
    for e in &events {
        for p in &projections {
            if p.aggregate_types().contains(&e.aggregate_type.as_str()) {
                project(&db.pool, p.as_ref(), e).await.expect("live");
            }
        }
    }
    let live = snapshot(&db, &ALL_TABLES).await;
    // A wallet event no projection can read, which the live side never saw.
    crate::helpers::append_raw(
        &db.pool,
        "Wallet",
        &AccountId::new().to_string(),
        1,
        "TopUpSettled",
        "1.0",
        serde_json::json!({"TopUpSettled": {"nonsense": true}}),
    )
    .await;

    let err = rebuild(&db.pool, None, Progress::Silent)
        .await
        .expect_err("the poison stops the rebuild");
    assert!(
        matches!(err, projections::ProjectionError::Payload { .. }),
        "{err}"
    );
    assert_eq!(
        snapshot(&db, &ALL_TABLES).await,
        live,
        "the live models are untouched"
    );
    // The lock was released: a rebuild of the other projections runs.
    let report = rebuild(&db.pool, Some("orders"), Progress::Silent)
        .await
        .expect("rebuild orders");
    assert_eq!(report.projections, vec!["orders"]);
    assert_eq!(snapshot(&db, &ALL_TABLES).await, live);
}

/// Transaction ids are compared as numbers: when the later transaction's id
/// has one digit more (10 000 000 after 9 999 999), the replay still reads
/// the store in commit order, every event once, and leaves nothing for the
/// swap to catch up. (Sorted by the id's text, the first batch ended inside
/// the later transaction and the earlier one was never read.)
#[tokio::test]
async fn a_rebuild_reads_the_store_in_commit_order_across_a_digit_boundary() {
    let db = TestDb::new().await;
    let early = AccountId::new();
    let mut events = wallet_story(&db.pool, early).await;
    // More than one replay batch (1 000 events) in the later transaction.
    for _ in 0..130 {
        events.extend(wallet_story(&db.pool, AccountId::new()).await);
    }
    // The store refuses updates; this test rewrites history on purpose.
    let set_ids = sqlx::query(
        "UPDATE events SET tx_id = \
         (CASE WHEN aggregate_id = $1 THEN '9999999' ELSE '10000000' END)::xid8",
    )
    .bind(early.to_string());
    let mut tx = db.pool.begin().await.expect("transaction");
    for step in [
        sqlx::query("ALTER TABLE events DISABLE TRIGGER events_no_update"),
        set_ids,
        sqlx::query("ALTER TABLE events ENABLE TRIGGER events_no_update"),
    ] {
        step.execute(&mut *tx)
            .await
            .expect("transaction ids either side of a digit boundary");
    }
    tx.commit().await.expect("committed");
    let wallets = read_models::by_name("wallets").expect("wallets");
    for e in &events {
        project(&db.pool, wallets.as_ref(), e).await.expect("live");
    }
    let live = snapshot(&db, &ALL_TABLES).await;

    let report = rebuild(&db.pool, Some("wallets"), Progress::Silent)
        .await
        .expect("rebuild");
    assert_eq!(
        report.replayed,
        events.len() as u64,
        "every event read once"
    );
    assert_eq!(report.caught_up, 0, "nothing left for the swap");
    assert_eq!(snapshot(&db, &ALL_TABLES).await, live);
}
