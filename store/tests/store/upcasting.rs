//! Old event versions stored long ago load through the aggregate's upcasters.

use chrono::Utc;
use cqrs_es::EventStore;
use domain::account::{Account, AccountCommand};
use domain::{AccountId, Actor, Role};
use serde_json::json;
use store::{EventMetadata, HubEventStore, Store, TestDb, execute_with_retry};

#[tokio::test]
async fn a_stored_client_registered_1_0_loads_as_an_account() {
    let mut db = TestDb::create().await.expect("test database");
    let id = AccountId::new();
    // Exactly what version 1.0 wrote: company name and INN side by side.
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         VALUES ('Account', $1, 1, 'ClientRegistered', '1.0', $2, $3)",
    )
    .bind(id.to_string())
    .bind(json!({
        "ClientRegistered": {
            "account_id": id,
            "email": "buyer@example.ru",
            "company_name": "ООО Ромашка",
            "company_inn": "7707083893",
            "contact_name": "Анна Петрова",
            "at": "2025-03-01T09:30:00Z"
        }
    }))
    .bind(json!(EventMetadata::system().to_map()))
    .execute(db.pool())
    .await
    .expect("insert a 1.0 event");

    let without = HubEventStore::<Account>::new(db.pool().clone());
    assert!(
        without.load_aggregate(&id.to_string()).await.is_err(),
        "1.0 does not deserialise without the upcaster"
    );

    let with = HubEventStore::<Account>::new(db.pool().clone())
        .with_upcasters(domain::account::upcasters());
    let loaded = with.load_aggregate(&id.to_string()).await.expect("load");
    let account = loaded.aggregate;
    assert_eq!(account.id(), Some(id));
    assert_eq!(account.role(), Some(Role::Client));
    let company = account.company().expect("a client has a company");
    assert_eq!(company.name, "ООО Ромашка");
    assert_eq!(company.inn.to_string(), "7707083893");

    // And the store's Account framework has them wired: a command on it works.
    let admin = Actor::new(AccountId::new(), Role::Admin);
    let accounts = Store::new(db.pool().clone()).accounts();
    execute_with_retry(
        &accounts,
        &id.to_string(),
        || AccountCommand::Block {
            actor: admin,
            reason: "test".into(),
            at: Utc::now(),
        },
        &EventMetadata::by(admin),
        3,
    )
    .await
    .expect("block the upcast account");
    let reloaded = with.load_aggregate(&id.to_string()).await.expect("load");
    assert!(reloaded.aggregate.is_blocked());
    assert_eq!(reloaded.current_sequence, 2);
    db.drop_db().await.expect("drop");
}
