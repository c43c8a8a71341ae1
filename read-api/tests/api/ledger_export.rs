//! The ledger's export and head, and the closing documents: who may read
//! them, what bad parameters get, and that what comes out verifies.

use domain::Role;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Account, TestApp, account};

/// `count` settled top-ups into `owner`'s wallet, then the ledger catches up.
async fn top_ups(pool: &PgPool, owner: &Account, count: i64) {
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, \
                             payload, metadata) \
         SELECT 'Wallet', $1, i, 'TopUpSettled', '1.0', \
                json_build_object('TopUpSettled', json_build_object('transfer_id', gen_random_uuid(), \
                    'amount', json_build_object('amount', '100.00', 'currency', 'RUB'))), '{}' \
         FROM generate_series(1, $2) i",
    )
    .bind(owner.id.to_string())
    .bind(count)
    .execute(pool)
    .await
    .expect("events");
    ledger::sync(
        pool,
        &ledger::Tables::live(),
        1000,
        std::time::Duration::from_secs(10),
    )
    .await
    .expect("ledger");
}

async fn raw(app: &TestApp, who: Option<&Account>, path: &str) -> (u16, String, String) {
    let mut req = app.http.get(app.url(path));
    if let Some(w) = who {
        req = req.bearer_auth(app.token(w));
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, res.text().await.expect("body"))
}

#[tokio::test]
async fn only_auditors_and_admins_export_and_the_export_verifies() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let other = account(&app.pool, Role::Client, &[]).await;
    let provider = account(&app.pool, Role::Provider, &["legal"]).await;
    let auditor = account(&app.pool, Role::Auditor, &[]).await;
    let admin = account(&app.pool, Role::Admin, &[]).await;
    top_ups(&app.pool, &client, 30).await;
    top_ups(&app.pool, &other, 5).await;

    for who in [&auditor, &admin] {
        let (status, content_type, body) = raw(&app, Some(who), "/api/v1/ledger/export").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(content_type, "text/csv; charset=utf-8");
        let report = ledger::verify::verify(body.as_bytes()).expect("verifies");
        assert_eq!(report.rows, 70);
        assert_eq!(report.total, Some(rust_decimal::Decimal::ZERO));
    }
    let (status, content_type, body) =
        raw(&app, Some(&auditor), "/api/v1/ledger/export?format=jsonl").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/x-ndjson")
    );
    ledger::verify::verify(body.as_bytes()).expect("the JSONL verifies");

    let wallet = format!("wallet:{}", other.id);
    let (status, _, body) = raw(
        &app,
        Some(&auditor),
        &format!("/api/v1/ledger/export?account={wallet}&from=2020-01-01"),
    )
    .await;
    assert_eq!(status, 200);
    let report = ledger::verify::verify(body.as_bytes()).expect("one account verifies");
    assert_eq!(report.rows, 5);

    for who in [&client, &provider] {
        let (status, body) = app.get(Some(who), "/api/v1/ledger/export").await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = app.get(Some(who), "/api/v1/ledger/head").await;
        assert_eq!(status, 403, "{body}");
    }
    let (status, _) = app.get(None, "/api/v1/ledger/export").await;
    assert_eq!(status, 401);

    let (status, head) = app.get(Some(&auditor), "/api/v1/ledger/head").await;
    assert_eq!(status, 200, "{head}");
    assert_eq!(head["entries"], 70);
    assert_eq!(head["balanced"], true);
    assert_eq!(head["sum"]["amount"], "0.00");

    // A client's history is its own wallet's postings only.
    let (status, history) = app.get(Some(&other), "/api/v1/wallet/history").await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["items"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn bad_export_parameters_name_the_field() {
    let app = TestApp::spawn().await;
    let auditor = account(&app.pool, Role::Auditor, &[]).await;
    for (query, field) in [
        ("format=xml", "format"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-12-02&to=2026-12-01", "to"),
        ("account=wallet:nope", "account"),
        ("account=cash", "account"),
        ("colour=red", "colour"),
    ] {
        let (status, body) = app
            .get(Some(&auditor), &format!("/api/v1/ledger/export?{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
}

/// A closing document between `client` and `provider`.
async fn document(pool: &PgPool, client: &Account, provider: &Account, number: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO read.closing_documents (document_id, number, issued_at, subscription_id, \
             client_id, provider_id, service_type, plan, period_start, period_end, amount, fee, currency) \
         VALUES ($1, $2, now(), $3, $4, $5, 'legal', 'monthly', now() - interval '1 month', now(), \
                 1500.00, 150.00, 'RUB')",
    )
    .bind(id)
    .bind(number)
    .bind(Uuid::new_v4())
    .bind(client.id)
    .bind(provider.id)
    .execute(pool)
    .await
    .expect("document");
    id
}

#[tokio::test]
async fn parties_see_their_own_documents_and_staff_see_all() {
    let app = TestApp::spawn().await;
    let client = account(&app.pool, Role::Client, &[]).await;
    let other = account(&app.pool, Role::Client, &[]).await;
    let provider = account(&app.pool, Role::Provider, &["legal"]).await;
    let auditor = account(&app.pool, Role::Auditor, &[]).await;
    let admin = account(&app.pool, Role::Admin, &[]).await;
    let mine = document(&app.pool, &client, &provider, "2026-000001").await;
    let theirs = document(&app.pool, &other, &provider, "2026-000002").await;

    let count = |body: &serde_json::Value| body["items"].as_array().map_or(0, Vec::len);
    for (who, expected) in [
        (&client, 1),
        (&other, 1),
        (&provider, 2),
        (&auditor, 2),
        (&admin, 2),
    ] {
        let (status, body) = app.get(Some(who), "/api/v1/documents").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(count(&body), expected, "{:?}: {body}", who.role);
    }
    let (_, body) = app.get(Some(&client), "/api/v1/documents").await;
    let doc = &body["items"][0];
    assert_eq!(doc["number"], "2026-000001");
    assert_eq!(doc["amount"]["amount"], "1500.00");
    assert_eq!(doc["fee"]["amount"], "150.00");
    assert_eq!(doc["client"]["inn"], "7707083893");

    let (status, content_type, pdf) = raw(
        &app,
        Some(&client),
        &format!("/api/v1/documents/{mine}/pdf"),
    )
    .await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with("%PDF"));
    // Another client's document does not exist for this one.
    let (status, body) = app
        .get(Some(&client), &format!("/api/v1/documents/{theirs}/pdf"))
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = app.get(Some(&client), "/api/v1/documents/nope/pdf").await;
    assert_eq!(status, 400);

    let (status, content_type, csv) = raw(
        &app,
        Some(&auditor),
        "/api/v1/documents/register?from=2020-01-01",
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    assert!(csv.starts_with("\u{feff}number,date,client,client_inn,"));
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let (status, _) = app.get(Some(&client), "/api/v1/documents/register").await;
    assert_eq!(status, 403);
}
