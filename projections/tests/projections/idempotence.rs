//! Exactly-once effects: redeliveries skipped, gaps filled from the store.

use domain::AccountId;
use projections::{Outcome, project, read_models};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::helpers::{TestDb, last_sequence};
use crate::read_models::wallet_story;

async fn balance(db: &TestDb, owner: AccountId) -> (Decimal, Decimal) {
    sqlx::query_as("SELECT balance, pending_payouts FROM read.wallets WHERE account_id = $1")
        .bind(owner.as_uuid())
        .fetch_one(&db.pool)
        .await
        .expect("wallet")
}

#[tokio::test]
async fn the_same_event_twice_has_one_effect() {
    let db = TestDb::new().await;
    let wallets = read_models::by_name("wallets").expect("projection");
    let owner = AccountId::new();
    let events = wallet_story(&db.pool, owner).await;
    for e in &events[..2] {
        assert!(matches!(
            project(&db.pool, wallets.as_ref(), e).await.expect("ok"),
            Outcome::Applied { filled: 0 }
        ));
    }
    // The top-up settles twice on the wire, and an older event comes back too.
    assert_eq!(
        project(&db.pool, wallets.as_ref(), &events[1])
            .await
            .expect("ok"),
        Outcome::Duplicate
    );
    assert_eq!(
        project(&db.pool, wallets.as_ref(), &events[0])
            .await
            .expect("ok"),
        Outcome::Duplicate
    );
    assert_eq!(balance(&db, owner).await, (dec!(1000.00), dec!(0.00)));
    assert_eq!(
        last_sequence(&db.pool, "wallets", &owner.to_string()).await,
        Some(2)
    );
}

#[tokio::test]
async fn a_gap_is_filled_from_the_store_in_order() {
    let db = TestDb::new().await;
    let wallets = read_models::by_name("wallets").expect("projection");
    let owner = AccountId::new();
    let events = wallet_story(&db.pool, owner).await;
    project(&db.pool, wallets.as_ref(), &events[0])
        .await
        .expect("first");
    // Events 2..=4 never arrived (or arrive later): event 5 brings them along.
    let outcome = project(&db.pool, wallets.as_ref(), &events[4])
        .await
        .expect("fifth");
    assert_eq!(outcome, Outcome::Applied { filled: 3 });
    assert_eq!(balance(&db, owner).await, (dec!(750.00), dec!(250.00)));
    assert_eq!(
        last_sequence(&db.pool, "wallets", &owner.to_string()).await,
        Some(5)
    );
    // The late ones are duplicates now.
    for e in &events[1..4] {
        assert_eq!(
            project(&db.pool, wallets.as_ref(), e).await.expect("late"),
            Outcome::Duplicate
        );
    }
    assert_eq!(balance(&db, owner).await, (dec!(750.00), dec!(250.00)));
}

#[tokio::test]
async fn a_gap_from_nothing_is_filled_too() {
    let db = TestDb::new().await;
    let wallets = read_models::by_name("wallets").expect("projection");
    let owner = AccountId::new();
    let events = wallet_story(&db.pool, owner).await;
    let last = events.last().expect("events");
    let outcome = project(&db.pool, wallets.as_ref(), last)
        .await
        .expect("last");
    assert_eq!(
        outcome,
        Outcome::Applied {
            filled: events.len() - 1
        }
    );
    assert_eq!(balance(&db, owner).await, (dec!(500.10), dec!(200.00)));
}

#[tokio::test]
async fn a_failing_event_rolls_back_everything_including_the_position() {
    let db = TestDb::new().await;
    let orders = read_models::by_name("orders").expect("projection");
    // An OrderTaken for an order the read model never saw, with nothing
    // before it in the store: the gap cannot be filled.
    let id = domain::OrderId::new().to_string();
    let e = crate::helpers::append(
        &db.pool,
        "Order",
        &id,
        2,
        &domain::order::OrderEvent::OrderTaken {
            provider: AccountId::new(),
            at: crate::helpers::at(0),
        },
    )
    .await;
    let err = project(&db.pool, orders.as_ref(), &e)
        .await
        .expect_err("missing events");
    assert!(
        matches!(err, projections::ProjectionError::MissingEvents { .. }),
        "{err}"
    );
    assert!(!err.is_transient());
    assert_eq!(last_sequence(&db.pool, "orders", &id).await, None);
}
