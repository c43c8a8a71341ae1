//! Who sees what (DESIGN §7), as a matrix of callers × resources.

use crate::helpers::*;
use domain::Role;
use serde_json::Value;
use uuid::Uuid;

struct World {
    client_a: Account,
    client_b: Account,
    provider_legal: Account,
    provider_other: Account,
    provider_rejecting: Account,
    admin: Account,
    auditor: Account,
    request: Uuid,
    active: Uuid,
    order: Uuid,
    messages: Vec<Uuid>,
    complaint: Uuid,
}

async fn world(app: &TestApp) -> World {
    let p = &app.pool;
    let client_a = account(p, Role::Client, &[]).await;
    let client_b = account(p, Role::Client, &[]).await;
    let provider_legal = account(p, Role::Provider, &["legal"]).await;
    let provider_other = account(p, Role::Provider, &["accounting"]).await;
    let provider_rejecting = account(p, Role::Provider, &["legal", "accounting"]).await;
    let admin = account(p, Role::Admin, &[]).await;
    let auditor = account(p, Role::Auditor, &[]).await;
    let mut request = NewSubscription::requested(&client_a, "legal");
    request.rejected_by = vec![provider_rejecting.id];
    let request = request.insert(p).await;
    let mut active = NewSubscription::requested(&client_a, "legal");
    active.status = "active";
    active.provider = Some(&provider_legal);
    active.created_at = chrono::Utc::now() - chrono::Duration::hours(1);
    let active = active.insert(p).await;
    let order = order(p, active, &client_a, &provider_legal).await;
    let messages = vec![
        message(p, order, &client_a, 1, "Когда будет готово?").await,
        message(p, order, &provider_legal, 2, "Завтра").await,
    ];
    let complaint = complaint(p, order, active, &client_a, &provider_legal).await;
    wallet(p, &client_a, "1500").await;
    wallet(p, &provider_legal, "250.5").await;
    World {
        client_a,
        client_b,
        provider_legal,
        provider_other,
        provider_rejecting,
        admin,
        auditor,
        request,
        active,
        order,
        messages,
        complaint,
    }
}

/// What a cell of the matrix expects.
enum Expect {
    /// 200 with a list holding exactly these ids, in this order.
    List(Vec<Uuid>),
    /// 200 with an object whose `id` is this.
    Item(Uuid),
    /// 200 with a wallet whose balance is this amount.
    Balance(&'static str),
    /// A problem with this status.
    Status(u16),
}

fn check(who: &str, path: &str, status: u16, body: &Value, expect: &Expect) {
    let ctx = format!("{who} GET {path}: {status} {body}");
    match expect {
        Expect::List(want) => {
            assert_eq!(status, 200, "{ctx}");
            assert_eq!(&ids(body), want, "{ctx}");
            assert!(body.get("next_cursor").is_some(), "{ctx}");
        }
        Expect::Item(id) => {
            assert_eq!(status, 200, "{ctx}");
            assert_eq!(body["id"].as_str(), Some(id.to_string().as_str()), "{ctx}");
        }
        Expect::Balance(amount) => {
            assert_eq!(status, 200, "{ctx}");
            assert_eq!(body["available"]["amount"].as_str(), Some(*amount), "{ctx}");
            assert_eq!(body["available"]["currency"].as_str(), Some("RUB"), "{ctx}");
            assert_eq!(body["in_payout"]["amount"].as_str(), Some("0.00"), "{ctx}");
        }
        Expect::Status(s) => {
            assert_eq!(status, *s, "{ctx}");
            assert_eq!(
                body["status"].as_u64(),
                Some(u64::from(*s)),
                "problem+json expected: {ctx}"
            );
        }
    }
}

#[tokio::test]
async fn the_visibility_matrix_holds() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    use Expect::*;
    let sub_req = format!("/api/v1/subscriptions/{}", w.request);
    let sub_act = format!("/api/v1/subscriptions/{}", w.active);
    let sub_orders = format!("/api/v1/subscriptions/{}/orders", w.active);
    let order = format!("/api/v1/orders/{}", w.order);
    let msgs = format!("/api/v1/orders/{}/messages", w.order);
    let newest_first: Vec<Uuid> = w.messages.iter().rev().copied().collect();

    let callers: Vec<(&str, Option<&Account>)> = vec![
        ("anonymous", None),
        ("client A", Some(&w.client_a)),
        ("client B", Some(&w.client_b)),
        ("provider of the type", Some(&w.provider_legal)),
        ("provider of another type", Some(&w.provider_other)),
        ("provider that rejected it", Some(&w.provider_rejecting)),
        ("admin", Some(&w.admin)),
        ("auditor", Some(&w.auditor)),
    ];
    // One row per resource; one column per caller, in the order above.
    let matrix: Vec<(&str, Vec<Expect>)> = vec![
        (
            &sub_req,
            vec![
                Status(401),
                Item(w.request),
                Status(404),
                Item(w.request),
                Status(404),
                Status(404),
                Item(w.request),
                Status(403),
            ],
        ),
        (
            &sub_act,
            vec![
                Status(401),
                Item(w.active),
                Status(404),
                Item(w.active),
                Status(404),
                Status(404),
                Item(w.active),
                Status(403),
            ],
        ),
        (
            "/api/v1/subscriptions",
            vec![
                Status(401),
                List(vec![w.request, w.active]),
                List(vec![]),
                List(vec![w.active]),
                List(vec![]),
                List(vec![]),
                List(vec![w.request, w.active]),
                Status(403),
            ],
        ),
        (
            "/api/v1/requests/available",
            vec![
                Status(401),
                Status(403),
                Status(403),
                List(vec![w.request]),
                List(vec![]),
                List(vec![]),
                Status(403),
                Status(403),
            ],
        ),
        (
            &order,
            vec![
                Status(401),
                Item(w.order),
                Status(404),
                Item(w.order),
                Status(404),
                Status(404),
                Item(w.order),
                Status(403),
            ],
        ),
        (
            &sub_orders,
            vec![
                Status(401),
                List(vec![w.order]),
                Status(404),
                List(vec![w.order]),
                Status(404),
                Status(404),
                List(vec![w.order]),
                Status(403),
            ],
        ),
        (
            &msgs,
            vec![
                Status(401),
                List(newest_first.clone()),
                Status(404),
                List(newest_first.clone()),
                Status(404),
                Status(404),
                List(newest_first.clone()),
                Status(403),
            ],
        ),
        (
            "/api/v1/wallet",
            vec![
                Status(401),
                Balance("1500.00"),
                Balance("0.00"),
                Balance("250.50"),
                Balance("0.00"),
                Balance("0.00"),
                Status(403),
                Status(403),
            ],
        ),
        (
            "/api/v1/admin/complaints",
            vec![
                Status(401),
                Status(403),
                Status(403),
                Status(403),
                Status(403),
                Status(403),
                List(vec![w.complaint]),
                Status(403),
            ],
        ),
    ];
    for (path, row) in &matrix {
        assert_eq!(
            row.len(),
            callers.len(),
            "{path}: one expectation per caller"
        );
        for ((who, caller), expect) in callers.iter().zip(row) {
            let (status, body) = app.get(*caller, path).await;
            check(who, path, status, &body, expect);
        }
    }
}

#[tokio::test]
async fn an_unknown_id_is_404_like_a_hidden_one_and_a_malformed_id_is_400() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (hidden, hidden_body) = app
        .get(Some(&w.client_b), &format!("/api/v1/orders/{}", w.order))
        .await;
    let (missing, missing_body) = app
        .get(
            Some(&w.client_b),
            &format!("/api/v1/orders/{}", Uuid::new_v4()),
        )
        .await;
    assert_eq!((hidden, missing), (404, 404));
    assert_eq!(hidden_body["title"], missing_body["title"]);
    assert_eq!(hidden_body["detail"], missing_body["detail"]);
    let (status, body) = app
        .get(Some(&w.client_a), "/api/v1/orders/not-a-uuid")
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["field"], "id");
}

#[tokio::test]
async fn a_subscription_has_the_contract_shape() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (status, s) = app
        .get(
            Some(&w.client_a),
            &format!("/api/v1/subscriptions/{}", w.request),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(s["client_id"], w.client_a.id.to_string());
    assert_eq!(s["provider_id"], Value::Null);
    assert_eq!(s["service_type"], "legal");
    assert_eq!(s["plan"], "monthly");
    assert_eq!(s["status"], "requested");
    assert_eq!(
        s["price"],
        serde_json::json!({"amount": "1500.00", "currency": "RUB"})
    );
    assert_eq!(
        s["escrow"],
        serde_json::json!({"amount": "1500.00", "currency": "RUB"})
    );
    for t in ["created_at", "acceptance_deadline", "updated_at"] {
        let raw = s[t].as_str().unwrap_or_default();
        assert!(
            chrono::DateTime::parse_from_rfc3339(raw).is_ok(),
            "{t}: {raw}"
        );
    }
    // Internal columns stay internal.
    assert!(s.get("rejected_by").is_none());
}

#[tokio::test]
async fn me_comes_from_the_read_model_or_the_credentials() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (status, me) = app.get(Some(&w.provider_legal), "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["account_id"], w.provider_legal.id.to_string());
    assert_eq!(me["role"], "provider");
    assert_eq!(me["company"]["inn"], "7707083893");
    assert_eq!(me["service_types"], serde_json::json!(["legal"]));

    // Staff bootstrapped into credentials but unknown to the projections.
    let staff = Account {
        id: Uuid::new_v4(),
        role: Role::Admin,
    };
    sqlx::query("INSERT INTO credentials (account_id, email, password_hash, role) VALUES ($1, 'ops@hub.example', 'x', 'admin')")
        .bind(staff.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, me) = app.get(Some(&staff), "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "ops@hub.example");
    assert_eq!(me["company"], Value::Null);

    let ghost = Account {
        id: Uuid::new_v4(),
        role: Role::Client,
    };
    assert_eq!(app.get(Some(&ghost), "/api/v1/me").await.0, 404);
}
