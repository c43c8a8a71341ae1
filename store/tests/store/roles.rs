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
    ensure_dev_roles(db.owner_pool()).await.expect("roles");
    grant(db.owner_pool()).await.expect("grants");
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

/// Whether `role` holds `privilege` on `table`, by the catalog.
async fn holds(pool: &sqlx::PgPool, role: &str, table: &str, privilege: &str) -> bool {
    sqlx::query_scalar("SELECT has_table_privilege($1, $2, $3)")
        .bind(role)
        .bind(table)
        .bind(privilege)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{role} {privilege} {table}: {e}"))
}

#[tokio::test]
async fn each_writing_role_writes_only_its_own_tables_and_every_table_is_assigned() {
    use store::roles::{GROUPS, OWNER_ONLY, READER};
    let db = TestDb::create().await.expect("test database");
    ensure_dev_roles(db.owner_pool()).await.expect("roles");
    grant(db.owner_pool()).await.expect("grants");
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT schemaname::text, tablename::text FROM pg_tables \
         WHERE schemaname IN ('public', 'read') ORDER BY 1, 2",
    )
    .fetch_all(db.pool())
    .await
    .expect("tables");

    for (schema, table) in tables.iter().filter(|(s, _)| s == "public") {
        let assigned = OWNER_ONLY.contains(&table.as_str())
            || GROUPS.iter().any(|g| {
                [g.tables, g.inserts, g.updates, g.deletes]
                    .iter()
                    .any(|t| t.contains(&table.as_str()))
            });
        assert!(
            assigned,
            "{schema}.{table} belongs to no role: add it to a group of store::roles (or OWNER_ONLY)"
        );
    }

    for role in std::iter::once(READER).chain(GROUPS.iter().map(|g| g.dev_login)) {
        for schema in ["public", "read"] {
            let usage: bool = sqlx::query_scalar("SELECT has_schema_privilege($1, $2, 'USAGE')")
                .bind(role)
                .bind(schema)
                .fetch_one(db.pool())
                .await
                .expect("schema privilege");
            assert!(usage, "{role} uses schema {schema}");
        }
    }
    for (schema, table) in &tables {
        let name = format!("{schema}.{table}");
        for role in std::iter::once(READER).chain(GROUPS.iter().map(|g| g.dev_login)) {
            assert!(
                holds(db.pool(), role, &name, "SELECT").await,
                "{role} reads {name}"
            );
        }
        for privilege in ["INSERT", "UPDATE", "DELETE", "TRUNCATE"] {
            assert!(
                !holds(db.pool(), READER, &name, privilege).await,
                "{READER} {privilege} {name}"
            );
        }
        for group in GROUPS {
            let own = schema == "public" && group.tables.contains(&table.as_str());
            let models = schema == "read" && group.read_models;
            let appends = group.appends_events && matches!(table.as_str(), "events" | "snapshots");
            let updates = schema == "public" && group.updates.contains(&table.as_str());
            let inserts = schema == "public" && group.inserts.contains(&table.as_str());
            let deletes = schema == "public" && group.deletes.contains(&table.as_str());
            let expect = |privilege: &str| match privilege {
                "INSERT" => own || models || appends || inserts,
                "UPDATE" => own || models || updates || (appends && table == "snapshots"),
                "DELETE" => own || models || deletes || (appends && table == "snapshots"),
                _ => models,
            };
            for privilege in ["INSERT", "UPDATE", "DELETE", "TRUNCATE"] {
                assert_eq!(
                    holds(db.pool(), group.dev_login, &name, privilege).await,
                    expect(privilege),
                    "{} ({}) {privilege} on {name}",
                    group.dev_login,
                    group.name
                );
            }
        }
    }

    // The logins really are held to it: the relay's cannot append, nor the
    // notifier's write a read model; the projections' can.
    let login = |group: store::roles::Group| url_as(db.url(), group.dev_login);
    let relay = sqlx::PgPool::connect(&login(store::roles::RELAY))
        .await
        .expect("relay");
    assert_eq!(
        refused(&relay, APPEND).await,
        "42501",
        "the relay cannot append"
    );
    let notifier = sqlx::PgPool::connect(&login(store::roles::NOTIFIER))
        .await
        .expect("notifier");
    assert_eq!(
        refused(&notifier, "DELETE FROM read.subscriptions").await,
        "42501",
        "the notifier cannot write a read model"
    );
    let projections = sqlx::PgPool::connect(&login(store::roles::PROJECTIONS))
        .await
        .expect("projections");
    sqlx::query("DELETE FROM read.subscriptions")
        .execute(&projections)
        .await
        .expect("the projections write read models");
    assert_eq!(
        refused(&projections, APPEND).await,
        "42501",
        "but append nothing"
    );
    // The read API's login spends stream tickets and writes nothing else.
    let read_api = sqlx::PgPool::connect(&login(store::roles::READ_API))
        .await
        .expect("read api");
    sqlx::query("DELETE FROM stream_tickets")
        .execute(&read_api)
        .await
        .expect("the read API spends tickets");
    assert_eq!(
        refused(&read_api, "UPDATE stream_tickets SET expires_at = now()").await,
        "42501",
        "but never extends one"
    );
    assert_eq!(refused(&read_api, APPEND).await, "42501", "nor appends");
    assert_eq!(
        refused(&read_api, "DELETE FROM read.subscriptions").await,
        "42501",
        "nor writes a read model"
    );
    for pool in [&relay, &notifier, &projections, &read_api] {
        assert_eq!(
            refused(pool, "ALTER TABLE events DISABLE TRIGGER ALL").await,
            "42501",
            "only the owner alters events"
        );
        pool.close().await;
    }
}
