//! The authorisation matrix of every route in the read API's OpenAPI
//! document, the event stream included: the status each caller gets over a
//! fixture where the client and the provider are the parties of one
//! subscription, order and complaint, and the auditor and the admin are
//! neither. A route served in the document but missing from the table
//! fails the test. Who sees which row of a list is privacy.rs's and
//! visibility.rs's; the admin console's filters are admin.rs's.

use crate::helpers::*;
use domain::Role;
use uuid::Uuid;

/// The callers, in the order of [`Row::expect`].
const CALLERS: [&str; 5] = ["anonymous", "client", "provider", "auditor", "admin"];

/// Anything but 401 and 403 (and a 5xx): what the fixture cannot pin, such
/// as the event store's history of an order made only in the read models.
const IN: u16 = 0;
const ADMIN_ONLY: [u16; 5] = [401, 403, 403, 403, 200];
const SIGNED_IN: [u16; 5] = [401, 200, 200, 200, 200];
/// Subscriptions, orders and their complaints and messages: the parties and
/// the admin; the auditor's window is the ledger.
const PARTIES_AND_ADMIN: [u16; 5] = [401, 200, 200, 403, 200];
/// The ledger and the documents' register: the auditor and the admin.
const LEDGER: [u16; 5] = [401, 403, 403, 200, 200];
/// Wallets: those who hold one.
const HOLDERS: [u16; 5] = [401, 200, 200, 403, 403];

/// What a row's `{id}` names in the fixture.
#[derive(Clone, Copy)]
enum Id {
    None,
    Order,
    Subscription,
    Complaint,
    /// A fresh UUID: nothing.
    Nothing,
}

/// One route: the path as the OpenAPI document spells it, what its `{id}`
/// names (an `{attachment_id}` names nothing), the query sent, and the
/// status each caller of [`CALLERS`] gets.
struct Row {
    method: &'static str,
    path: &'static str,
    id: Id,
    query: &'static str,
    expect: [u16; 5],
}

const fn row(path: &'static str, id: Id, expect: [u16; 5]) -> Row {
    Row {
        method: "get",
        path,
        id,
        query: "",
        expect,
    }
}

// One line a route reads as a table.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Id::{Complaint, Nothing, Order, Subscription};
    let none = Id::None;
    vec![
        row("/api/v1/admin/accounts", none, ADMIN_ONLY),
        row("/api/v1/admin/complaints", none, ADMIN_ONLY),
        row("/api/v1/admin/complaints/{id}", Complaint, ADMIN_ONLY),
        row("/api/v1/admin/escrow", none, ADMIN_ONLY),
        row("/api/v1/admin/orders", none, ADMIN_ONLY),
        row("/api/v1/admin/orders/{id}/history", Order, [401, 403, 403, 403, IN]),
        row("/api/v1/admin/subscriptions", none, ADMIN_ONLY),
        // Public, but retired service types are the admin's.
        row("/api/v1/catalog", none, [200; 5]),
        Row {
            method: "get",
            path: "/api/v1/catalog",
            id: none,
            query: "?include_retired=true",
            expect: ADMIN_ONLY,
        },
        row("/api/v1/complaints/{id}", Complaint, PARTIES_AND_ADMIN),
        // Closing documents: everyone signed in, their own (the admin and
        // the auditor all); none is issued in this fixture.
        row("/api/v1/documents", none, SIGNED_IN),
        row("/api/v1/documents/register", none, LEDGER),
        row("/api/v1/documents/{id}/pdf", Nothing, [401, 404, 404, 404, 404]),
        // Every signed-in role has its own stream, filtered per event.
        row("/api/v1/events/stream", none, SIGNED_IN),
        // Its one-time tickets, for a browser's EventSource.
        Row { method: "post", ..row("/api/v1/events/tickets", none, [401, 201, 201, 201, 201]) },
        row("/api/v1/ledger/export", none, LEDGER),
        row("/api/v1/ledger/head", none, LEDGER),
        row("/api/v1/me", none, SIGNED_IN),
        row("/api/v1/notifications", none, SIGNED_IN),
        row("/api/v1/notifications/unread", none, SIGNED_IN),
        row("/api/v1/orders/{id}", Order, PARTIES_AND_ADMIN),
        row("/api/v1/orders/{id}/attachments/{attachment_id}", Order, [401, 404, 404, 403, 404]),
        row("/api/v1/orders/{id}/complaints", Order, PARTIES_AND_ADMIN),
        row("/api/v1/orders/{id}/messages", Order, PARTIES_AND_ADMIN),
        // Open requests a provider may take.
        row("/api/v1/requests/available", none, [401, 403, 200, 403, 403]),
        row("/api/v1/subscriptions", none, PARTIES_AND_ADMIN),
        row("/api/v1/subscriptions/{id}", Subscription, PARTIES_AND_ADMIN),
        row("/api/v1/subscriptions/{id}/orders", Subscription, PARTIES_AND_ADMIN),
        row("/api/v1/wallet", none, [401, IN, IN, 403, 403]),
        row("/api/v1/wallet/history", none, HOLDERS),
        row("/api/v1/wallet/payouts", none, HOLDERS),
    ]
}

#[tokio::test]
async fn every_route_of_the_document_is_in_the_matrix_with_each_callers_status() {
    let app = TestApp::spawn().await;
    let p = &app.pool;
    let client = account(p, Role::Client, &[]).await;
    let provider = account(p, Role::Provider, &["legal"]).await;
    let auditor = account(p, Role::Auditor, &[]).await;
    let admin = account(p, Role::Admin, &[]).await;
    wallet(p, &client, "100.00").await;
    wallet(p, &provider, "0.00").await;
    let mut s = NewSubscription::requested(&client, "legal");
    s.status = "active";
    s.provider = Some(&provider);
    let subscription = s.insert(p).await;
    let order = order(p, subscription, &client, &provider).await;
    let complaint = complaint(p, order, subscription, &client, &provider).await;

    let table = table();
    let (_, doc) = app.get(None, read_api::openapi::SPEC_PATH).await;
    let documented: Vec<(String, String, Vec<u16>)> = platform::openapi::operations(&doc)
        .into_iter()
        .map(|op| (op.method, op.path, op.statuses))
        .collect();
    for (method, path, _) in &documented {
        assert!(
            table.iter().any(|r| r.method == *method && r.path == *path),
            "{method} {path} is in the OpenAPI document but not in this matrix: add who may call it"
        );
    }

    let who = [
        None,
        Some(&client),
        Some(&provider),
        Some(&auditor),
        Some(&admin),
    ];
    let mut failures = Vec::new();
    for row in &table {
        let statuses = &documented
            .iter()
            .find(|(m, p, _)| *m == row.method && *p == row.path)
            .unwrap_or_else(|| panic!("{} {} is not in the OpenAPI document", row.method, row.path))
            .2;
        let path = format!(
            "{}{}",
            row.path
                .replace(
                    "{id}",
                    &match row.id {
                        Id::None | Id::Nothing => Uuid::new_v4(),
                        Id::Order => order,
                        Id::Subscription => subscription,
                        Id::Complaint => complaint,
                    }
                    .to_string()
                )
                .replace("{attachment_id}", &Uuid::new_v4().to_string()),
            row.query
        );
        for ((name, caller), want) in CALLERS.iter().zip(who).zip(row.expect) {
            let mut req = match row.method {
                "post" => app.http.post(app.url(&path)),
                _ => app.http.get(app.url(&path)),
            };
            if let Some(w) = caller {
                req = req.bearer_auth(app.token(w));
            }
            // The body is not read: the stream never ends.
            let res = req.send().await.expect("request");
            let got = res.status().as_u16();
            let problem = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                == Some(platform::problem::CONTENT_TYPE);
            let cell = format!("{name} {} {path}: {got}", row.method.to_uppercase());
            let fine = match want {
                IN => ![401, 403].contains(&got) && got < 500,
                want => got == want,
            };
            if !fine {
                failures.push(format!("{cell}, expected {want}"));
            }
            if !statuses.contains(&got) {
                failures.push(format!("{cell} is not documented"));
            }
            if got >= 400 && !problem {
                failures.push(format!("{cell} is not problem+json"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
