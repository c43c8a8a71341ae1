//! The database roles of DESIGN §9 on a real server: the read role cannot
//! write events, the write role can append but never rewrite them, and
//! neither can drop the append-only triggers; only the owner can.

use store::TestDb;
use store::roles::{DEV_READER_LOGIN, DEV_WRITER_LOGIN, ensure_dev_roles, grant, url_as};

/// The SQLSTATE of a refusal.
async fn refused(pool: &sqlx::PgPool, sql: &str) -> String {
    let error = sqlx::query(sql).execute(pool).await.expect_err("refused");
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned())
        .unwrap_or_else(|| panic!("{sql}: {error}"))
}

const APPEND: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
     event_version, payload, metadata) VALUES ('Wallet', 'w', 1, 'X', '1.0', '{}', '{}')";

#[tokio::test]
async fn the_read_role_cannot_write_events_and_only_the_owner_can_drop_the_triggers() {
    let db = TestDb::create().await.expect("test database");
    ensure_dev_roles(db.pool()).await.expect("roles");
    grant(db.pool()).await.expect("grants");
    let reader = sqlx::PgPool::connect(&url_as(db.url(), DEV_READER_LOGIN))
        .await
        .expect("reader login");
    let writer = sqlx::PgPool::connect(&url_as(db.url(), DEV_WRITER_LOGIN))
        .await
        .expect("writer login");
    const DENIED: &str = "42501";
    const NOT_OWNER: &str = "42501";

    assert_eq!(
        refused(&reader, APPEND).await,
        DENIED,
        "the reader cannot append"
    );
    assert_eq!(
        refused(&reader, "UPDATE read.subscriptions SET status = 'x'").await,
        DENIED,
        "nor write a read model"
    );
    sqlx::query("SELECT count(*) FROM events")
        .execute(&reader)
        .await
        .expect("the reader reads events");

    sqlx::query(APPEND)
        .execute(&writer)
        .await
        .expect("the writer appends");
    assert_eq!(
        refused(&writer, "UPDATE events SET event_type = 'Y'").await,
        DENIED
    );
    assert_eq!(refused(&writer, "DELETE FROM events").await, DENIED);
    assert_eq!(refused(&writer, "TRUNCATE events").await, DENIED);

    let triggers: Vec<String> = sqlx::query_scalar(
        "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal",
    )
    .fetch_all(db.pool())
    .await
    .expect("triggers");
    assert!(!triggers.is_empty(), "events has its append-only triggers");
    for trigger in &triggers {
        for pool in [&reader, &writer] {
            let drop = format!("DROP TRIGGER {trigger} ON events");
            assert_eq!(refused(pool, &drop).await, NOT_OWNER, "{drop}");
        }
        let disable = format!("ALTER TABLE events DISABLE TRIGGER {trigger}");
        assert_eq!(refused(&writer, &disable).await, NOT_OWNER, "{disable}");
    }
    reader.close().await;
    writer.close().await;
}
