//! One transaction over several streams: all of them move or none does.

use domain::wallet::{CreditKind, Wallet, WalletCommand, WalletError};
use domain::{AccountId, Actor, Money, Role, SubscriptionId, TransferId};
use rust_decimal::Decimal;
use store::{Attempts, CommandError, EventMetadata, HubEventStore, Statement, TestDb, UnitOfWork};

fn rub(n: i64) -> Money {
    Money::rub(Decimal::new(n, 0))
}

fn wallets(db: &TestDb) -> HubEventStore<Wallet> {
    store::wallet_history::wallet_events(db.pool())
}

async fn funded(db: &TestDb, amount: i64) -> AccountId {
    let owner = AccountId::new();
    let actor = Actor::new(owner, Role::Client);
    let transfer_id = TransferId::new();
    let store = wallets(db);
    let id = owner.to_string();
    let mut unit = UnitOfWork::new(db.pool().clone(), &EventMetadata::by(actor));
    unit.execute(
        &store,
        &id,
        WalletCommand::RequestTopUp {
            actor,
            owner,
            transfer_id,
            amount: rub(amount),
        },
    )
    .await
    .expect("requested");
    unit.execute(&store, &id, WalletCommand::SettleTopUp { transfer_id })
        .await
        .expect("settled");
    assert!(Attempts::new(1).commit(unit).await.expect("committed"));
    owner
}

/// Moves `amount` from `from`'s wallet through a subscription's escrow into `to`'s.
async fn pay(
    db: &TestDb,
    from: AccountId,
    to: AccountId,
    amount: i64,
    fail_after_debit: bool,
) -> Result<(), CommandError<WalletError>> {
    transfer(db.pool(), from, to, rub(amount), fail_after_debit, 20).await
}

/// One step: `from`'s wallet → a subscription's escrow → `to`'s wallet.
async fn transfer(
    pool: &sqlx::PgPool,
    from: AccountId,
    to: AccountId,
    amount: Money,
    fail_after_debit: bool,
    max_attempts: u32,
) -> Result<(), CommandError<WalletError>> {
    let store = store::wallet_history::wallet_events(pool);
    let transfer_id = TransferId::new();
    let subscription_id = SubscriptionId::new();
    let mut attempts = Attempts::new(max_attempts);
    loop {
        let mut unit = UnitOfWork::new(pool.clone(), &EventMetadata::system());
        unit.execute(
            &store,
            &from.to_string(),
            WalletCommand::MoveToEscrow {
                transfer_id,
                subscription_id,
                amount,
            },
        )
        .await?;
        if fail_after_debit {
            return Err(CommandError::Rule(WalletError::AmountNotPositive));
        }
        unit.execute(
            &store,
            &to.to_string(),
            WalletCommand::CreditFromEscrow {
                owner: to,
                transfer_id,
                subscription_id,
                amount,
                kind: CreditKind::Earnings,
            },
        )
        .await?;
        if attempts.commit(unit).await? {
            return Ok(());
        }
    }
}

async fn balance(db: &TestDb, owner: AccountId) -> Money {
    let mut unit = UnitOfWork::new(db.pool().clone(), &EventMetadata::system());
    unit.state(&wallets(db), &owner.to_string())
        .await
        .expect("load")
        .balance()
}

#[tokio::test]
async fn both_streams_commit_in_one_transaction() {
    let mut db = TestDb::create().await.expect("test database");
    let (a, b) = (funded(&db, 100).await, AccountId::new());
    pay(&db, a, b, 30, false).await.expect("paid");
    assert_eq!(balance(&db, a).await, rub(70));
    assert_eq!(balance(&db, b).await, rub(30));
    let transactions: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT tx_id) FROM events WHERE event_type IN ('FundsMovedToEscrow', 'FundsCreditedFromEscrow')",
    )
    .fetch_one(db.pool())
    .await
    .expect("count");
    assert_eq!(transactions, 1);
    db.drop_db().await.expect("drop test database");
}

#[tokio::test]
async fn a_refused_step_stores_nothing_in_any_stream() {
    let mut db = TestDb::create().await.expect("test database");
    let (a, b) = (funded(&db, 100).await, AccountId::new());
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert!(pay(&db, a, b, 30, true).await.is_err());
    // Short funds in the second command of a step: the first is undone too.
    assert!(matches!(
        pay(&db, a, b, 1000, false).await,
        Err(CommandError::Rule(WalletError::InsufficientFunds { .. }))
    ));
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(before, after);
    assert_eq!(balance(&db, a).await, rub(100));
    db.drop_db().await.expect("drop test database");
}

#[tokio::test]
async fn concurrent_steps_on_shared_streams_all_apply_exactly_once() {
    let mut db = TestDb::create().await.expect("test database");
    let (a, b) = (funded(&db, 100).await, funded(&db, 100).await);
    // Forty payments in both directions at once: every conflict reruns the
    // whole step, so no payment is lost or doubled and no deadlock stalls.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let db_pool = db.pool().clone();
        let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
        tasks.push(tokio::spawn(async move {
            transfer(&db_pool, from, to, rub(1 + i64::from(i % 3)), false, 50).await
        }));
    }
    for task in tasks {
        task.await.expect("joined").expect("applied");
    }
    let total = balance(&db, a)
        .await
        .checked_add(balance(&db, b).await)
        .expect("sum");
    assert_eq!(total, rub(200));
    let moved: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'FundsMovedToEscrow'")
            .fetch_one(db.pool())
            .await
            .expect("count");
    assert_eq!(moved, 40);
    db.drop_db().await.expect("drop test database");
}

#[tokio::test]
async fn a_statement_commits_with_the_events_or_not_at_all() {
    let mut db = TestDb::create().await.expect("test database");
    sqlx::query("CREATE TABLE side (k text PRIMARY KEY)")
        .execute(db.owner_pool())
        .await
        .expect("table");
    // A table of no role's (store::roles gives new tables SELECT only): the
    // writer this test runs as may insert into it.
    sqlx::query(&format!("GRANT INSERT ON side TO {}", store::roles::WRITER))
        .execute(db.owner_pool())
        .await
        .expect("grant");
    let owner = AccountId::new();
    let actor = Actor::new(owner, Role::Client);
    let store = wallets(&db);
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let mut unit = UnitOfWork::new(db.pool().clone(), &EventMetadata::by(actor));
        unit.execute(
            &store,
            &owner.to_string(),
            WalletCommand::RequestTopUp {
                actor,
                owner,
                transfer_id: TransferId::new(),
                amount: rub(5),
            },
        )
        .await
        .expect("requested");
        unit.also(Statement::new("INSERT INTO side (k) VALUES ($1)").bind("once".to_owned()));
        outcomes.push(Attempts::new(1).commit(unit).await);
    }
    // The same row again violates the key: the second step's events go back too.
    assert!(matches!(outcomes[0], Ok(true)));
    assert!(matches!(
        outcomes[1],
        Err(store::UnitError::Conflict { .. })
    ));
    let requested: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'TopUpRequested'")
            .fetch_one(db.pool())
            .await
            .expect("count");
    assert_eq!(requested, 1);
    db.drop_db().await.expect("drop test database");
}
