//! Login and registration attempts, idempotency answers and refresh tokens
//! are deleted once they no longer count; what still counts stays.

use crate::money_support::World;
use command_api::housekeeping::{Purged, Windows, purge};
use std::time::Duration;

async fn count(w: &World, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&w.app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn what_no_longer_counts_is_purged_and_the_rest_kept() {
    let w = World::new().await;
    let account: uuid::Uuid = w.client_a_id.parse().expect("account id");
    let pool = &w.app.pool;
    for age in ["2 hours", "1 minute"] {
        sqlx::query(&format!(
            "INSERT INTO login_attempts (email, ip, attempted_at) \
             VALUES ('x@example.ru', '203.0.113.9', now() - interval '{age}')"
        ))
        .execute(pool)
        .await
        .expect("attempt");
    }
    for age in ["2 hours", "10 minutes"] {
        sqlx::query(&format!(
            "INSERT INTO registration_attempts (ip, attempted_at) \
             VALUES ('203.0.113.9', now() - interval '{age}')"
        ))
        .execute(pool)
        .await
        .expect("registration");
    }
    for (key, age) in [("old", "2 days"), ("new", "1 hour")] {
        sqlx::query(&format!(
            "INSERT INTO idempotency_keys (account_id, key, request_hash, created_at) \
             VALUES ($1, $2, '\\x00', now() - interval '{age}')"
        ))
        .bind(account)
        .bind(key)
        .execute(pool)
        .await
        .expect("key");
    }
    for (hash, expires) in [
        ("\\x01", "now() - interval '1 minute'"),
        ("\\x02", "now() + interval '1 day'"),
    ] {
        sqlx::query(&format!(
            "INSERT INTO refresh_tokens (token_hash, family, account_id, expires_at) \
             VALUES ('{hash}', gen_random_uuid(), $1, {expires})"
        ))
        .bind(account)
        .execute(pool)
        .await
        .expect("token");
    }
    let before = (
        count(&w, "login_attempts").await,
        count(&w, "registration_attempts").await,
        count(&w, "idempotency_keys").await,
        count(&w, "refresh_tokens").await,
    );
    let windows = Windows {
        login: Duration::from_secs(15 * 60),
        registration: Duration::from_secs(3600),
    };

    let purged = purge(pool, windows).await.expect("purged");
    assert_eq!(
        purged,
        Purged {
            login_attempts: 1,
            registration_attempts: 1,
            idempotency_keys: 1,
            refresh_tokens: 1
        }
    );
    assert_eq!(
        (
            count(&w, "login_attempts").await,
            count(&w, "registration_attempts").await,
            count(&w, "idempotency_keys").await,
            count(&w, "refresh_tokens").await,
        ),
        (before.0 - 1, before.1 - 1, before.2 - 1, before.3 - 1),
        "what still counts stays"
    );
    assert_eq!(
        purge(pool, windows).await.expect("again"),
        Purged::default()
    );
}
