//! What reaches whom: an order's chat, the order and its complaints reach
//! its client, its provider and admins only, live and over REST; the
//! parties see a complaint without the admins' notes and reviewer; a
//! provider who could have taken a request hears that it closed, and
//! nothing of the subscription it became.

use crate::helpers::*;
use crate::sse::SseReader;
use domain::Role;
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(5);

struct World {
    client: Account,
    provider: Account,
    /// Another client, with nothing to do with the order.
    stranger_client: Account,
    /// A provider of the order's service type that did not take it.
    stranger_provider: Account,
    admin: Account,
    auditor: Account,
    subscription: Uuid,
    order: Uuid,
    message: Uuid,
    complaint: Uuid,
    reviewer: Uuid,
}

async fn world(app: &TestApp) -> World {
    let p = &app.pool;
    let client = account(p, Role::Client, &[]).await;
    let provider = account(p, Role::Provider, &["legal"]).await;
    let stranger_client = account(p, Role::Client, &[]).await;
    let stranger_provider = account(p, Role::Provider, &["legal"]).await;
    let admin = account(p, Role::Admin, &[]).await;
    let auditor = account(p, Role::Auditor, &[]).await;
    let mut s = NewSubscription::requested(&client, "legal");
    s.status = "active";
    s.provider = Some(&provider);
    let subscription = s.insert(p).await;
    let order = order(p, subscription, &client, &provider).await;
    let message = message(p, order, &client, 1, "Где отчёт?").await;
    let complaint = complaint(p, order, subscription, &client, &provider).await;
    // Under review, with an admin's private note, then resolved with a
    // reasoning meant for both sides.
    sqlx::query(
        "UPDATE read.complaints SET status = 'resolved', reviewer_id = $2, \
           notes = jsonb_build_array(jsonb_build_object('admin_id', $2, 'text', 'Клиент уже жаловался дважды', 'at', now())), \
           to_client = 1000, to_provider = 500, currency = 'RUB', resolution_note = 'Отчёт сдан с опозданием', \
           closed_at = now() \
         WHERE id = $1",
    )
    .bind(complaint)
    .bind(admin.id)
    .execute(p)
    .await
    .expect("review the complaint");
    wallet(p, &stranger_client, "1").await;
    wallet(p, &stranger_provider, "2").await;
    World {
        reviewer: admin.id,
        client,
        provider,
        stranger_client,
        stranger_provider,
        admin,
        auditor,
        subscription,
        order,
        message,
        complaint,
    }
}

async fn stream(app: &TestApp, who: &Account) -> SseReader {
    SseReader::open(app, app.url("/api/v1/events/stream"), Some(app.token(who))).await
}

/// A complaint as a party sees it: everything but the notes and reviewer.
fn assert_redacted(w: &World, c: &Value) {
    assert_eq!(c["id"], w.complaint.to_string(), "{c}");
    assert_eq!(c["notes"], json!([]), "the admins' notes leaked: {c}");
    assert!(c["reviewer_id"].is_null(), "the reviewer leaked: {c}");
    assert_eq!(c["status"], "resolved", "{c}");
    assert_eq!(c["reason"], "Сроки сорваны", "{c}");
    assert_eq!(
        c["resolution"],
        json!({"to_client": {"amount": "1000.00", "currency": "RUB"},
               "to_provider": {"amount": "500.00", "currency": "RUB"},
               "note": "Отчёт сдан с опозданием"}),
        "{c}"
    );
}

/// The complaint as admins see it.
fn assert_whole(w: &World, c: &Value) {
    assert_eq!(c["id"], w.complaint.to_string(), "{c}");
    assert_eq!(c["notes"][0]["text"], "Клиент уже жаловался дважды", "{c}");
    assert_eq!(c["reviewer_id"], w.reviewer.to_string(), "{c}");
}

#[tokio::test]
async fn an_orders_events_reach_its_parties_and_admins_only_and_the_parties_never_see_admin_notes()
{
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut client = stream(&app, &w.client).await;
    let mut provider = stream(&app, &w.provider).await;
    let mut admin = stream(&app, &w.admin).await;
    let mut stranger_client = stream(&app, &w.stranger_client).await;
    let mut stranger_provider = stream(&app, &w.stranger_provider).await;
    app.state.events.wait_listening().await;

    app.notify(json!({"kind": "message", "id": w.message}))
        .await;
    app.notify(json!({"kind": "order", "id": w.order})).await;
    app.notify(json!({"kind": "complaint", "id": w.complaint}))
        .await;
    // Then something for each stranger: what they receive first shows
    // whether any of the order's events leaked to them (the fan-out keeps order).
    app.notify(json!({"kind": "wallet", "id": w.stranger_client.id}))
        .await;
    app.notify(json!({"kind": "wallet", "id": w.stranger_provider.id}))
        .await;

    for (who, s) in [("client", &mut client), ("provider", &mut provider)] {
        let (event, data) = s.next(WAIT).await.expect("the message");
        assert_eq!(
            (event.as_str(), &data["id"]),
            ("message", &json!(w.message)),
            "{who}"
        );
        let (event, data) = s.next(WAIT).await.expect("the order");
        assert_eq!(
            (event.as_str(), &data["id"]),
            ("order", &json!(w.order)),
            "{who}"
        );
        let (event, data) = s.next(WAIT).await.expect("the complaint");
        assert_eq!(event, "complaint", "{who}");
        assert_redacted(&w, &data);
        // Live and REST agree.
        let who_account = if who == "client" {
            &w.client
        } else {
            &w.provider
        };
        let (status, rest) = app
            .get(
                Some(who_account),
                &format!("/api/v1/complaints/{}", w.complaint),
            )
            .await;
        assert_eq!(status, 200, "{who}: {rest}");
        assert_eq!(data, rest, "{who}");
    }
    let (event, _) = admin.next(WAIT).await.expect("the message");
    assert_eq!(event, "message");
    let (event, _) = admin.next(WAIT).await.expect("the order");
    assert_eq!(event, "order");
    let (event, data) = admin.next(WAIT).await.expect("the complaint");
    assert_eq!(event, "complaint");
    assert_whole(&w, &data);
    // Exactly one complaint event per party and per admin, not both versions.
    app.notify(json!({"kind": "wallet", "id": w.client.id}))
        .await;
    let (event, _) = client.next(WAIT).await.expect("the sentinel");
    assert_eq!(event, "wallet", "the client got the complaint twice");
    app.notify(json!({"kind": "order", "id": w.order})).await;
    let (event, _) = admin.next(WAIT).await.expect("the sentinel");
    assert_eq!(event, "order", "the admin got the complaint twice");

    for (who, s) in [
        ("another client", &mut stranger_client),
        (
            "a provider of the type that did not take it",
            &mut stranger_provider,
        ),
    ] {
        let (event, data) = s.next(WAIT).await.expect("its own wallet");
        assert_eq!(
            event, "wallet",
            "{who} heard of someone else's order: {data}"
        );
    }
}

#[tokio::test]
async fn over_rest_strangers_get_404_parties_the_redacted_complaint_and_admins_all() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let paths = [
        format!("/api/v1/orders/{}", w.order),
        format!("/api/v1/orders/{}/messages", w.order),
        format!("/api/v1/orders/{}/complaints", w.order),
        format!("/api/v1/complaints/{}", w.complaint),
        format!("/api/v1/subscriptions/{}", w.subscription),
        format!("/api/v1/subscriptions/{}/orders", w.subscription),
    ];
    for stranger in [&w.stranger_client, &w.stranger_provider] {
        for path in &paths {
            let (status, body) = app.get(Some(stranger), path).await;
            assert_eq!(status, 404, "{:?} GET {path}: {body}", stranger.role);
        }
    }
    for path in &paths {
        assert_eq!(app.get(Some(&w.auditor), path).await.0, 403, "{path}");
        assert_eq!(app.get(None, path).await.0, 401, "{path}");
    }
    // Unknown ids look exactly like hidden ones.
    let (status, _) = app
        .get(
            Some(&w.client),
            &format!("/api/v1/complaints/{}", Uuid::new_v4()),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(
            Some(&w.client),
            &format!("/api/v1/orders/{}/complaints", Uuid::new_v4()),
        )
        .await;
    assert_eq!(status, 404);

    for party in [&w.client, &w.provider] {
        let (status, c) = app
            .get(Some(party), &format!("/api/v1/complaints/{}", w.complaint))
            .await;
        assert_eq!(status, 200, "{c}");
        assert_redacted(&w, &c);
        let (status, page) = app
            .get(
                Some(party),
                &format!("/api/v1/orders/{}/complaints", w.order),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(ids(&page), vec![w.complaint]);
        assert_redacted(&w, &page["items"][0]);
    }
    let (status, c) = app
        .get(
            Some(&w.admin),
            &format!("/api/v1/complaints/{}", w.complaint),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_whole(&w, &c);
    let (_, page) = app
        .get(
            Some(&w.admin),
            &format!("/api/v1/orders/{}/complaints", w.order),
        )
        .await;
    assert_whole(&w, &page["items"][0]);
    let (_, c) = app
        .get(
            Some(&w.admin),
            &format!("/api/v1/admin/complaints/{}", w.complaint),
        )
        .await;
    assert_whole(&w, &c);
}

#[tokio::test]
async fn a_provider_that_did_not_take_a_request_hears_it_closed_and_nothing_after() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut stranger = stream(&app, &w.stranger_provider).await;
    let mut provider = stream(&app, &w.provider).await;
    app.state.events.wait_listening().await;

    // Taken: the others hear it closed, without who took it or its money.
    app.notify(json!({"kind": "subscription", "id": w.subscription}))
        .await;
    let (event, data) = stranger.next(WAIT).await.expect("the request closed");
    assert_eq!(
        (event.as_str(), data["status"].as_str()),
        ("subscription", Some("active"))
    );
    assert!(data["provider_id"].is_null(), "{data}");
    assert_eq!(data["escrow"]["amount"], "0.00", "{data}");
    assert!(
        data["period_end"].is_null() && data["next_charge"].is_null(),
        "{data}"
    );
    let (_, mine) = provider.next(WAIT).await.expect("the provider's own");
    assert_eq!(mine["provider_id"], w.provider.id.to_string());
    assert_eq!(mine["escrow"]["amount"], "1500.00");

    // Later the client's money runs short: that is the parties' business.
    sqlx::query(
        "UPDATE read.subscriptions SET status = 'past_due', updated_at = now() WHERE id = $1",
    )
    .bind(w.subscription)
    .execute(&app.pool)
    .await
    .unwrap();
    app.notify(json!({"kind": "subscription", "id": w.subscription}))
        .await;
    app.notify(json!({"kind": "wallet", "id": w.stranger_provider.id}))
        .await;
    let (event, data) = provider.next(WAIT).await.expect("the party hears it");
    assert_eq!(
        (event.as_str(), data["status"].as_str()),
        ("subscription", Some("past_due"))
    );
    let (event, data) = stranger.next(WAIT).await.expect("its own wallet");
    assert_eq!(
        event, "wallet",
        "a stranger heard of the subscription: {data}"
    );
}
