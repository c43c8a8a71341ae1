//! The admin console's queries: who may call them (a table every
//! `/api/v1/admin` path of the OpenAPI document must be in), what their
//! filters select, and that a bad parameter is a 400 naming it.

use crate::helpers::*;
use chrono::{Duration, Utc};
use domain::Role;
use serde_json::{Value, json};
use uuid::Uuid;

/// The callers of the matrix, in the order of [`Row::expect`].
const CALLERS: [&str; 5] = ["anonymous", "client", "provider", "auditor", "admin"];

/// One route of the authorisation matrix.
struct Row {
    /// The path as the OpenAPI document spells it.
    path: &'static str,
    /// What `{id}` stands for in this test's fixture.
    id: Option<Uuid>,
    /// The status each caller of [`CALLERS`] gets; `0` for the admin means
    /// "anything but 401 and 403" (the history reads the event store, which
    /// this fixture of read-model rows does not fill).
    expect: [u16; 5],
}

const ADMIN_ONLY: [u16; 5] = [401, 403, 403, 403, 200];

struct World {
    client: Account,
    provider: Account,
    auditor: Account,
    admin: Account,
    order: Uuid,
    complaint: Uuid,
}

async fn world(app: &TestApp) -> World {
    let p = &app.pool;
    let client = account(p, Role::Client, &[]).await;
    let provider = account(p, Role::Provider, &["legal"]).await;
    let auditor = account(p, Role::Auditor, &[]).await;
    let admin = account(p, Role::Admin, &[]).await;
    let mut s = NewSubscription::requested(&client, "legal");
    s.status = "active";
    s.provider = Some(&provider);
    let sub = s.insert(p).await;
    let order = order(p, sub, &client, &provider).await;
    let complaint = complaint(p, order, sub, &client, &provider).await;
    World {
        client,
        provider,
        auditor,
        admin,
        order,
        complaint,
    }
}

/// `GET path` as `who`: the status, and whether a refusal came as problem+json.
/// The body is not read (the stream never ends).
async fn status(app: &TestApp, who: Option<&Account>, path: &str) -> (u16, bool) {
    let mut req = app.http.get(app.url(path));
    if let Some(w) = who {
        req = req.bearer_auth(app.token(w));
    }
    let res = req.send().await.expect("request");
    let problem = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        == Some(platform::problem::CONTENT_TYPE);
    (res.status().as_u16(), problem)
}

#[tokio::test]
async fn every_admin_route_is_for_admins_only_and_the_table_lists_them_all() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let table = [
        Row {
            path: "/api/v1/admin/complaints",
            id: None,
            expect: ADMIN_ONLY,
        },
        Row {
            path: "/api/v1/admin/complaints/{id}",
            id: Some(w.complaint),
            expect: ADMIN_ONLY,
        },
        Row {
            path: "/api/v1/admin/orders",
            id: None,
            expect: ADMIN_ONLY,
        },
        Row {
            path: "/api/v1/admin/orders/{id}/history",
            id: Some(w.order),
            expect: [401, 403, 403, 403, 0],
        },
        Row {
            path: "/api/v1/admin/subscriptions",
            id: None,
            expect: ADMIN_ONLY,
        },
        Row {
            path: "/api/v1/admin/escrow",
            id: None,
            expect: ADMIN_ONLY,
        },
        Row {
            path: "/api/v1/admin/accounts",
            id: None,
            expect: ADMIN_ONLY,
        },
        // Not an admin route: every signed-in role has its own stream,
        // filtered per event (see privacy.rs), and admins get theirs too.
        Row {
            path: "/api/v1/events/stream",
            id: None,
            expect: [401, 200, 200, 200, 200],
        },
    ];

    let (_, doc) = app.get(None, read_api::openapi::SPEC_PATH).await;
    let documented: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    for path in documented.iter().filter(|p| p.starts_with("/api/v1/admin")) {
        assert!(
            table.iter().any(|r| r.path == *path),
            "{path} is served but missing from this test's table: add who may call it"
        );
    }

    let who = [
        None,
        Some(&w.client),
        Some(&w.provider),
        Some(&w.auditor),
        Some(&w.admin),
    ];
    for row in &table {
        assert!(
            documented.contains(&row.path),
            "{} is not in the OpenAPI document",
            row.path
        );
        let path = match row.id {
            Some(id) => row.path.replace("{id}", &id.to_string()),
            None => row.path.to_owned(),
        };
        for ((name, caller), want) in CALLERS.iter().zip(who).zip(row.expect) {
            let (got, problem) = status(&app, caller, &path).await;
            if want == 0 {
                assert!(
                    ![401, 403].contains(&got),
                    "{name} GET {path}: {got}, expected to be let in"
                );
            } else {
                assert_eq!(got, want, "{name} GET {path}");
            }
            if got >= 400 {
                assert!(problem, "{name} GET {path}: {got} is not problem+json");
            }
        }
    }
}

async fn frozen_by(app: &TestApp, order: Uuid, complaint: Uuid) {
    sqlx::query("UPDATE read.orders SET frozen_by = $2 WHERE id = $1")
        .bind(order)
        .bind(complaint)
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn complaints_and_orders_filter_by_order_status_and_freeze() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let p = &app.pool;
    let sub: Uuid = sqlx::query_scalar("SELECT subscription_id FROM read.orders WHERE id = $1")
        .bind(w.order)
        .fetch_one(p)
        .await
        .unwrap();
    let done = order(p, sub, &w.client, &w.provider).await;
    sqlx::query("UPDATE read.orders SET status = 'completed', created_at = now() + interval '1 second' WHERE id = $1")
        .bind(done)
        .execute(p)
        .await
        .unwrap();
    let on_done = complaint(p, done, sub, &w.client, &w.provider).await;
    sqlx::query("UPDATE read.complaints SET status = 'withdrawn', filed_at = now() + interval '1 second' WHERE id = $1")
        .bind(on_done)
        .execute(p)
        .await
        .unwrap();
    frozen_by(&app, w.order, w.complaint).await;
    let admin = Some(&w.admin);

    let cases: Vec<(String, Vec<Uuid>)> = vec![
        (
            "/api/v1/admin/complaints".into(),
            vec![on_done, w.complaint],
        ),
        (
            format!("/api/v1/admin/complaints?order_id={}", w.order),
            vec![w.complaint],
        ),
        (
            format!("/api/v1/admin/complaints?order_id={done}"),
            vec![on_done],
        ),
        (
            format!("/api/v1/admin/complaints?order_id={}", Uuid::new_v4()),
            vec![],
        ),
        (
            format!("/api/v1/admin/complaints?order_id={done}&status=filed"),
            vec![],
        ),
        (
            "/api/v1/admin/complaints?status=withdrawn".into(),
            vec![on_done],
        ),
        ("/api/v1/admin/orders".into(), vec![done, w.order]),
        ("/api/v1/admin/orders?frozen=true".into(), vec![w.order]),
        ("/api/v1/admin/orders?frozen=false".into(), vec![done]),
        ("/api/v1/admin/orders?status=completed".into(), vec![done]),
        (
            "/api/v1/admin/orders?status=in_progress&frozen=false".into(),
            vec![],
        ),
        ("/api/v1/admin/orders?status=created".into(), vec![]),
    ];
    for (path, want) in cases {
        let (status, body) = app.get(admin, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(ids(&body), want, "{path}");
    }

    // One complaint, whole; an unknown one is 404.
    let (status, c) = app
        .get(admin, &format!("/api/v1/admin/complaints/{}", w.complaint))
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["order_id"], w.order.to_string());
    assert_eq!(c["notes"], json!([]));
    let (status, _) = app
        .get(
            admin,
            &format!("/api/v1/admin/complaints/{}", Uuid::new_v4()),
        )
        .await;
    assert_eq!(status, 404);

    // Pages: the same items, one at a time.
    let (_, first) = app.get(admin, "/api/v1/admin/orders?limit=1").await;
    assert_eq!(ids(&first), vec![done]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, second) = app
        .get(
            admin,
            &format!("/api/v1/admin/orders?limit=1&cursor={cursor}"),
        )
        .await;
    assert_eq!(ids(&second), vec![w.order]);
    assert!(second["next_cursor"].is_null(), "{second}");
}

#[tokio::test]
async fn subscriptions_filter_by_status_and_overdue() {
    let app = TestApp::spawn().await;
    let p = &app.pool;
    let client = account(p, Role::Client, &[]).await;
    let provider = account(p, Role::Provider, &["legal"]).await;
    let admin = account(p, Role::Admin, &[]).await;
    let now = Utc::now();
    let fresh = NewSubscription::requested(&client, "legal").insert(p).await;
    // Its deadline (a day after it was made) passed; the scheduler has not fired yet.
    let mut late = NewSubscription::requested(&client, "legal");
    late.created_at = now - Duration::hours(30);
    let late = late.insert(p).await;
    let mut overdue = NewSubscription::requested(&client, "legal");
    overdue.status = "overdue";
    overdue.created_at = now - Duration::hours(40);
    let overdue = overdue.insert(p).await;
    // The client chose to wait without a deadline: still overdue.
    let mut waiting = NewSubscription::requested(&client, "legal");
    waiting.status = "overdue";
    waiting.created_at = now - Duration::hours(50);
    let waiting = waiting.insert(p).await;
    sqlx::query("UPDATE read.subscriptions SET acceptance_deadline = NULL WHERE id = $1")
        .bind(waiting)
        .execute(p)
        .await
        .unwrap();
    let mut active = NewSubscription::requested(&client, "legal");
    active.status = "active";
    active.provider = Some(&provider);
    active.created_at = now - Duration::hours(60);
    let active = active.insert(p).await;

    let cases: Vec<(&str, Vec<Uuid>)> = vec![
        ("", vec![fresh, late, overdue, waiting, active]),
        ("?overdue=true", vec![late, overdue, waiting]),
        ("?overdue=false", vec![fresh, active]),
        ("?status=requested", vec![fresh, late]),
        ("?status=requested&overdue=true", vec![late]),
        ("?status=requested&overdue=false", vec![fresh]),
        ("?status=overdue", vec![overdue, waiting]),
        ("?status=active", vec![active]),
        ("?status=suspended", vec![]),
    ];
    for (query, want) in cases {
        let path = format!("/api/v1/admin/subscriptions{query}");
        let (status, body) = app.get(Some(&admin), &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(ids(&body), want, "{path}");
    }
    let (_, body) = app
        .get(Some(&admin), "/api/v1/admin/subscriptions?status=active")
        .await;
    assert_eq!(
        body["items"][0]["escrow"],
        json!({"amount": "1500.00", "currency": "RUB"})
    );
}

#[tokio::test]
async fn escrow_totals_come_from_the_ledger_and_open_complaints_freeze_their_part() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let p = &app.pool;
    let admin = Some(&w.admin);
    let (status, empty) = app.get(admin, "/api/v1/admin/escrow").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(
        empty,
        json!({"total": {"amount": "0.00", "currency": "RUB"}, "subscriptions": 0,
               "frozen": {"amount": "0.00", "currency": "RUB"}, "frozen_subscriptions": 0})
    );

    // The world's complaint (filed, so open) is about the first subscription's order.
    let held: Uuid = sqlx::query_scalar("SELECT subscription_id FROM read.orders WHERE id = $1")
        .bind(w.order)
        .fetch_one(p)
        .await
        .unwrap();
    // A second open complaint on the same subscription counts it once.
    let second = order(p, held, &w.client, &w.provider).await;
    let again = complaint(p, second, held, &w.client, &w.provider).await;
    sqlx::query("UPDATE read.complaints SET status = 'in_review' WHERE id = $1")
        .bind(again)
        .execute(p)
        .await
        .unwrap();
    // Another subscription with a resolved complaint: not frozen any more.
    let other = Uuid::new_v4();
    let third = order(p, other, &w.client, &w.provider).await;
    let resolved = complaint(p, third, other, &w.client, &w.provider).await;
    sqlx::query("UPDATE read.complaints SET status = 'resolved' WHERE id = $1")
        .bind(resolved)
        .execute(p)
        .await
        .unwrap();
    let emptied = Uuid::new_v4();
    for (account, balance) in [
        (format!("escrow:{held}"), "500.50"),
        (format!("escrow:{other}"), "1500.00"),
        (format!("escrow:{emptied}"), "0.00"),
        (format!("wallet:{}", w.client.id), "700.00"),
        ("external:bank".to_owned(), "-2700.50"),
    ] {
        sqlx::query(
            "INSERT INTO read.ledger_accounts (account, balance, postings) VALUES ($1, $2::numeric, 1)",
        )
        .bind(account)
        .bind(balance)
        .execute(p)
        .await
        .unwrap();
    }
    let (status, body) = app.get(admin, "/api/v1/admin/escrow").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"total": {"amount": "2000.50", "currency": "RUB"}, "subscriptions": 2,
               "frozen": {"amount": "500.50", "currency": "RUB"}, "frozen_subscriptions": 1})
    );
}

#[tokio::test]
async fn accounts_filter_by_role_and_text_and_show_blocks() {
    let app = TestApp::spawn().await;
    let p = &app.pool;
    let admin = account(p, Role::Admin, &[]).await;
    let acme = account(p, Role::Client, &[]).await;
    let lawyer = account(p, Role::Provider, &["legal", "accounting"]).await;
    let auditor = account(p, Role::Auditor, &[]).await;
    sqlx::query(
        "UPDATE read.accounts SET company_name = 'Acme 100% Trading', company_inn = '500100732259', \
           email = 'Boss@Acme.example', registered_at = now() - interval '1 hour' WHERE account_id = $1",
    )
    .bind(acme.id)
    .execute(p)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE read.accounts SET registered_at = now() - interval '2 hours' WHERE account_id = $1",
    )
    .bind(lawyer.id)
    .execute(p)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE read.accounts SET registered_at = now() - interval '3 hours' WHERE account_id = $1",
    )
    .bind(auditor.id)
    .execute(p)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE read.accounts SET registered_at = now() - interval '4 hours' WHERE account_id = $1",
    )
    .bind(admin.id)
    .execute(p)
    .await
    .unwrap();
    // Staff made straight in `credentials`, unknown to the projections.
    let staff = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO credentials (account_id, email, password_hash, role, created_at) \
         VALUES ($1, 'ops@hub.example', 'x', 'admin', now() - interval '5 hours')",
    )
    .bind(staff)
    .execute(p)
    .await
    .unwrap();
    sqlx::query("INSERT INTO blocked_accounts (account_id) VALUES ($1)")
        .bind(lawyer.id)
        .execute(p)
        .await
        .unwrap();

    let list = |query: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let path = format!("/api/v1/admin/accounts{query}");
            let (status, body) = app.get(Some(admin), &path).await;
            assert_eq!(status, 200, "{path}: {body}");
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|a| a["account_id"].as_str().unwrap().parse().unwrap())
                .collect::<Vec<Uuid>>()
        }
    };
    assert_eq!(
        list("").await,
        vec![acme.id, lawyer.id, auditor.id, admin.id, staff]
    );
    assert_eq!(list("?role=provider").await, vec![lawyer.id]);
    assert_eq!(list("?role=admin").await, vec![admin.id, staff]);
    assert_eq!(list("?q=acme").await, vec![acme.id], "company, any case");
    assert_eq!(list("?q=boss%40ACME").await, vec![acme.id], "email");
    assert_eq!(list("?q=0100732").await, vec![acme.id], "INN");
    assert_eq!(list("?q=100%25").await, vec![acme.id], "`%` is literal");
    assert_eq!(
        list("?q=7707083893").await,
        vec![lawyer.id],
        "the other INN"
    );
    assert_eq!(list("?q=%25%25").await, Vec::<Uuid>::new());
    assert_eq!(list("?q=ops%40hub&role=admin").await, vec![staff]);
    assert_eq!(list("?q=acme&role=provider").await, Vec::<Uuid>::new());

    let (_, body) = app
        .get(Some(&admin), "/api/v1/admin/accounts?role=provider")
        .await;
    let item = &body["items"][0];
    assert_eq!(item["role"], "provider");
    assert_eq!(item["blocked"], true);
    assert_eq!(item["company_name"], "ООО Ромашка");
    assert_eq!(item["inn"], "7707083893");
    assert_eq!(item["service_types"], json!(["legal", "accounting"]));
    assert!(item["email"].as_str().unwrap().ends_with("@example.ru"));
    assert!(item["registered_at"].is_string());
    let (_, body) = app.get(Some(&admin), "/api/v1/admin/accounts?q=ops").await;
    let item = &body["items"][0];
    assert_eq!(
        (
            item["blocked"].clone(),
            item["company_name"].clone(),
            item["inn"].clone()
        ),
        (Value::Bool(false), Value::Null, Value::Null)
    );

    let (_, first) = app
        .get(Some(&admin), "/api/v1/admin/accounts?limit=2")
        .await;
    let cursor = first["next_cursor"].as_str().expect("more pages");
    let (_, second) = app
        .get(
            Some(&admin),
            &format!("/api/v1/admin/accounts?limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(second["items"][0]["account_id"], auditor.id.to_string());
}

#[tokio::test]
async fn admins_see_retired_service_types_when_they_ask_and_nobody_else_may_ask() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    sqlx::query(
        "INSERT INTO read.catalog (code, name_en, name_ru, one_off_price, one_off_currency, monthly_price, monthly_currency, active) VALUES \
         ('legal', 'Legal', 'Юридические услуги', 5000, 'RUB', 20000, 'RUB', true), \
         ('old', 'Old', 'Старое', 1, 'RUB', 1, 'RUB', false)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let codes = |body: &Value| -> Vec<(String, bool)> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["code"].as_str().unwrap().to_owned(),
                    i["retired"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let all = "/api/v1/catalog?include_retired=true";
    let (status, body) = app.get(Some(&w.admin), all).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        codes(&body),
        vec![("legal".to_owned(), false), ("old".to_owned(), true)]
    );
    for (who, want) in [
        (None, 401),
        (Some(&w.client), 403),
        (Some(&w.provider), 403),
        (Some(&w.auditor), 403),
    ] {
        assert_eq!(app.get(who, all).await.0, want, "{who:?}");
    }
    for who in [None, Some(&w.client), Some(&w.admin)] {
        for path in ["/api/v1/catalog", "/api/v1/catalog?include_retired=false"] {
            let (status, body) = app.get(who, path).await;
            assert_eq!(status, 200, "{path}: {body}");
            assert_eq!(codes(&body), vec![("legal".to_owned(), false)], "{path}");
        }
    }
}

#[tokio::test]
async fn a_bad_parameter_is_a_400_naming_it_and_others_are_refused_before_parsing() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let long = "x".repeat(201);
    let cases: Vec<(String, &str)> = vec![
        ("/api/v1/admin/complaints?status=open".into(), "status"),
        ("/api/v1/admin/complaints?order_id=42".into(), "order_id"),
        ("/api/v1/admin/complaints?limit=0".into(), "limit"),
        ("/api/v1/admin/orders?status=done".into(), "status"),
        ("/api/v1/admin/orders?frozen=yes".into(), "frozen"),
        ("/api/v1/admin/orders?cursor=garbage".into(), "cursor"),
        ("/api/v1/admin/orders?sort=asc".into(), "sort"),
        ("/api/v1/admin/subscriptions?status=open".into(), "status"),
        ("/api/v1/admin/subscriptions?overdue=1".into(), "overdue"),
        ("/api/v1/admin/escrow?currency=RUB".into(), "currency"),
        ("/api/v1/admin/accounts?role=root".into(), "role"),
        (format!("/api/v1/admin/accounts?q={long}"), "q"),
        ("/api/v1/admin/accounts?limit=101".into(), "limit"),
        ("/api/v1/admin/complaints/not-a-uuid".into(), "id"),
        (
            "/api/v1/catalog?include_retired=yes".into(),
            "include_retired",
        ),
    ];
    for (path, field) in &cases {
        let (status, body) = app.get(Some(&w.admin), path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["errors"][0]["field"], *field, "{path}: {body}");
        // A caller who may not use the route learns nothing from its
        // parameters (a malformed path id is refused first, on every route).
        if path.starts_with("/api/v1/admin/") && *field != "id" {
            assert_eq!(app.get(Some(&w.client), path).await.0, 403, "{path}");
        }
    }
}
