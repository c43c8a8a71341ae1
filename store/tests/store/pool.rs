//! The pool and the per-test database helper.

use std::time::{Duration, Instant};
use store::TestDb;

/// Nagle + delayed ACK shows up as ~40 ms per round trip once messages pass
/// a few KB; with TCP_NODELAY a local round trip is well under a millisecond.
#[tokio::test]
async fn large_round_trips_do_not_stall() {
    let mut db = TestDb::create().await.expect("test database");
    let url = db.url().to_owned();
    let pool = store::connect(&url, 2).await.expect("connect");
    let big = "x".repeat(16 * 1024);
    // Warm up the connection and the statement cache.
    let _: String = sqlx::query_scalar("SELECT $1::text")
        .bind(&big)
        .fetch_one(&pool)
        .await
        .expect("warm up");

    let rounds = 50;
    let started = Instant::now();
    for _ in 0..rounds {
        let echoed: String = sqlx::query_scalar("SELECT $1::text || repeat('y', 16384)")
            .bind(&big)
            .fetch_one(&pool)
            .await
            .expect("echo");
        assert_eq!(echoed.len(), 32 * 1024);
    }
    let per_round = started.elapsed() / rounds;
    eprintln!("32 KB round trip: {per_round:?}");
    assert!(
        per_round < Duration::from_millis(20),
        "{per_round:?} per round trip"
    );
    pool.close().await;
    db.drop_db().await.expect("drop");
}

#[tokio::test]
async fn a_test_database_is_migrated_and_dropped() {
    let mut db = TestDb::create().await.expect("test database");
    let name = db.name().to_owned();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(db.pool())
        .await
        .expect("migrations table");
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    assert_eq!(applied as usize, files, "every migration file is applied");
    let exists = |name: String| async move {
        let admin = store::connect(
            &std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| store::testing::DEFAULT_DATABASE_URL.into()),
            1,
        )
        .await
        .expect("admin connection");
        let found: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(name)
                .fetch_one(&admin)
                .await
                .expect("pg_database");
        admin.close().await;
        found
    };
    assert!(exists(name.clone()).await);
    db.drop_db().await.expect("drop");
    assert!(!exists(name.clone()).await);

    // Dropping without `drop_db` (e.g. a panicking test) cleans up too.
    let db = TestDb::create().await.expect("test database");
    let name = db.name().to_owned();
    drop(db);
    assert!(!exists(name).await);
}
