//! Orders: create, take, chat, complete, admin messages — happy paths,
//! refusals and bad input.

use crate::helpers::*;
use crate::work_support::*;
use serde_json::{Value, json};

fn orders_of(sub: impl std::fmt::Display) -> String {
    format!("/api/v1/commands/subscriptions/{sub}/orders")
}

fn order_path(order: &str, action: &str) -> String {
    format!("/api/v1/commands/orders/{order}/{action}")
}

fn new_order() -> Value {
    json!({"title": "Draft the NDA", "details": "Two parties"})
}

#[tokio::test]
async fn a_client_creates_an_order_recorded_with_who_and_the_request_id() {
    let w = World::new().await;
    let request_id = uuid::Uuid::new_v4().to_string();
    let res = w
        .app
        .client
        .post(w.app.url(&orders_of(w.subscription_id)))
        .bearer_auth(w.token(Who::ClientA).unwrap())
        .header("x-request-id", &request_id)
        .json(&new_order())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let correlation_id = res.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let id = created_id(res).await;
    assert_eq!(w.event_types(&id).await, ["OrderCreated"]);
    let metadata: Value =
        sqlx::query_scalar("SELECT metadata::jsonb FROM events WHERE aggregate_id = $1")
            .bind(&id)
            .fetch_one(&w.app.pool)
            .await
            .unwrap();
    assert_eq!(metadata["actor_id"], w.client_a.id.to_string());
    assert_eq!(metadata["actor_role"], "client");
    assert_eq!(metadata["correlation_id"], correlation_id);
    assert_ne!(
        metadata["correlation_id"], request_id,
        "not the caller's choice"
    );
}

#[tokio::test]
async fn an_order_in_a_subscription_nobody_accepted_is_refused() {
    let w = World::new().await;
    let pending = domain::SubscriptionId::new();
    w.subscribe(pending, false).await;
    let before = w.events().await;
    let res = w
        .post_as(Who::ClientA, &orders_of(pending), Some(&new_order()))
        .await;
    assert_rule(res, "subscription_not_active").await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn an_unknown_subscription_is_404() {
    let w = World::new().await;
    let res = w
        .post_as(
            Who::ClientA,
            &orders_of(uuid::Uuid::new_v4()),
            Some(&new_order()),
        )
        .await;
    assert_problem(res, 404, None).await;
}

#[tokio::test]
async fn bad_order_bodies_name_the_field() {
    let w = World::new().await;
    let path = orders_of(w.subscription_id);
    let cases = [
        (json!({"details": "x"}), "title"),
        (json!({"title": "x"}), "details"),
        (json!({"title": "x", "details": "y", "price": 1}), "price"),
        (json!({"title": "   ", "details": "y"}), "title"),
        (json!({"title": "t".repeat(201), "details": "y"}), "title"),
        (
            json!({"title": "x", "details": "d".repeat(10_001)}),
            "details",
        ),
        (json!({"title": 5, "details": "y"}), "title"),
    ];
    let before = w.events().await;
    for (body, field) in cases {
        let res = w.post_as(Who::ClientA, &path, Some(&body)).await;
        assert_problem(res, 422, Some(field)).await;
    }
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_non_uuid_id_is_named() {
    let w = World::new().await;
    let res = w
        .post_as(Who::ClientA, &orders_of("not-a-uuid"), Some(&new_order()))
        .await;
    assert_problem(res, 422, Some("id")).await;
    for action in ["take", "complete"] {
        let res = w
            .post_as(Who::Winner, &order_path("42", action), None)
            .await;
        assert_problem(res, 422, Some("id")).await;
    }
}

#[tokio::test]
async fn the_winner_takes_an_order_once() {
    let w = World::new().await;
    let order = w.order().await;
    let res = w
        .post_as(Who::Winner, &order_path(&order, "take"), None)
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(w.event_types(&order).await, ["OrderCreated", "OrderTaken"]);
    let res = w
        .post_as(Who::Winner, &order_path(&order, "take"), None)
        .await;
    assert_rule(res, "order_already_taken").await;
}

#[tokio::test]
async fn an_unknown_order_is_404() {
    let w = World::new().await;
    let missing = uuid::Uuid::new_v4().to_string();
    let res = w
        .post_as(Who::Winner, &order_path(&missing, "take"), None)
        .await;
    assert_problem(res, 404, None).await;
    let res = w
        .post_as(
            Who::Admin,
            &order_path(&missing, "messages"),
            Some(&json!({"text": "hi"})),
        )
        .await;
    assert_problem(res, 404, None).await;
}

#[tokio::test]
async fn both_sides_post_messages_with_server_chosen_ids() {
    let w = World::new().await;
    let order = w.order().await;
    let mut ids = Vec::new();
    for who in [Who::ClientA, Who::Winner, Who::Admin] {
        let res = w
            .post_as(
                who,
                &order_path(&order, "messages"),
                Some(&json!({"text": "  Hello  "})),
            )
            .await;
        assert_eq!(res.status(), 201);
        ids.push(created_id(res).await);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT payload->'MessagePosted'->>'text' FROM events \
         WHERE aggregate_id = $1 AND event_type = 'MessagePosted' ORDER BY sequence",
    )
    .bind(&order)
    .fetch_all(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(texts, ["Hello", "Hello", "Hello"]);
}

#[tokio::test]
async fn bad_messages_name_the_field() {
    let w = World::new().await;
    let order = w.order().await;
    let path = order_path(&order, "messages");
    let before = w.events().await;
    for (body, field) in [
        (json!({}), "text"),
        (json!({"text": ""}), "text"),
        (json!({"text": "x".repeat(4001)}), "text"),
        (json!({"text": "hi", "author": "me"}), "author"),
    ] {
        let res = w.post_as(Who::ClientA, &path, Some(&body)).await;
        assert_problem(res, 422, Some(field)).await;
    }
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_keyed_message_is_recorded_once_and_its_key_means_nothing_elsewhere() {
    let w = World::new().await;
    let order = w.order().await;
    let other = w.order().await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = json!({"text": "Hello", "message_id": key});
    let first = created_id(
        w.post_as(Who::ClientA, &order_path(&order, "messages"), Some(&body))
            .await,
    )
    .await;
    let retry = created_id(
        w.post_as(Who::ClientA, &order_path(&order, "messages"), Some(&body))
            .await,
    )
    .await;
    assert_eq!(first, retry, "a retry answers the same message");
    assert_ne!(
        first, key,
        "the id is derived from the key, not the key itself"
    );
    let types = w.event_types(&order).await;
    assert_eq!(types.iter().filter(|t| *t == "MessagePosted").count(), 1);

    // The same key in another order, or from the other side, is another message.
    let elsewhere = created_id(
        w.post_as(Who::ClientA, &order_path(&other, "messages"), Some(&body))
            .await,
    )
    .await;
    let provider = created_id(
        w.post_as(Who::Winner, &order_path(&order, "messages"), Some(&body))
            .await,
    )
    .await;
    assert_ne!(elsewhere, first);
    assert_ne!(provider, first);
    let types = w.event_types(&order).await;
    assert_eq!(types.iter().filter(|t| *t == "MessagePosted").count(), 2);

    let bad = json!({"text": "Hello", "message_id": "nope"});
    let res = w
        .post_as(Who::ClientA, &order_path(&order, "messages"), Some(&bad))
        .await;
    assert_problem(res, 422, Some("message_id")).await;
}

#[tokio::test]
async fn both_sides_saying_done_completes_the_order_and_closes_the_chat() {
    let w = World::new().await;
    let order = w.taken_order().await;
    for who in [Who::Winner, Who::ClientA] {
        let res = w.post_as(who, &order_path(&order, "complete"), None).await;
        assert_eq!(res.status(), 204);
    }
    assert_eq!(
        w.event_types(&order).await,
        [
            "OrderCreated",
            "OrderTaken",
            "OrderMarkedDone",
            "OrderMarkedDone",
            "OrderCompleted"
        ]
    );
    let res = w
        .post_as(Who::ClientA, &order_path(&order, "complete"), None)
        .await;
    assert_rule(res, "order_completed").await;
    let res = w
        .post_as(
            Who::ClientA,
            &order_path(&order, "messages"),
            Some(&json!({"text": "thanks"})),
        )
        .await;
    assert_rule(res, "order_completed").await;
}

#[tokio::test]
async fn the_provider_cannot_say_done_before_taking() {
    let w = World::new().await;
    let order = w.order().await;
    let res = w
        .post_as(Who::Winner, &order_path(&order, "complete"), None)
        .await;
    assert_rule(res, "order_not_in_progress").await;
}

#[tokio::test]
async fn saying_done_twice_is_refused() {
    let w = World::new().await;
    let order = w.order().await;
    let path = order_path(&order, "complete");
    assert_eq!(w.post_as(Who::ClientA, &path, None).await.status(), 204);
    assert_rule(
        w.post_as(Who::ClientA, &path, None).await,
        "order_already_marked_done",
    )
    .await;
}

#[tokio::test]
async fn an_admin_posts_into_an_orders_chat() {
    let w = World::new().await;
    let order = w.order().await;
    let res = w
        .post_as(
            Who::Admin,
            "/api/v1/commands/admin/messages",
            Some(&json!({"order_id": order, "text": "Please keep it civil"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    created_id(res).await;
    let author_role: String = sqlx::query_scalar(
        "SELECT payload->'MessagePosted'->>'author_role' FROM events \
         WHERE aggregate_id = $1 AND event_type = 'MessagePosted'",
    )
    .bind(&order)
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(author_role, "admin");
}

#[tokio::test]
async fn an_admins_direct_message_is_recorded_for_the_notifier() {
    let w = World::new().await;
    w.with_credentials(Who::ClientB).await;
    let res = w
        .post_as(
            Who::Admin,
            "/api/v1/commands/admin/messages",
            Some(&json!({"account_id": w.client_b.id, "text": " Your INN looks wrong "})),
        )
        .await;
    assert_eq!(res.status(), 202);
    let id: uuid::Uuid = created_id(res).await.parse().unwrap();
    let (account, admin, text): (uuid::Uuid, uuid::Uuid, String) =
        sqlx::query_as("SELECT account_id, admin_id, text FROM admin_messages WHERE id = $1")
            .bind(id)
            .fetch_one(&w.app.pool)
            .await
            .unwrap();
    assert_eq!(account, w.client_b.id.as_uuid());
    assert_eq!(admin, w.admin.id.as_uuid());
    assert_eq!(text, "Your INN looks wrong");
}

#[tokio::test]
async fn a_direct_message_to_an_unknown_account_is_404() {
    let w = World::new().await;
    let res = w
        .post_as(
            Who::Admin,
            "/api/v1/commands/admin/messages",
            Some(&json!({"account_id": uuid::Uuid::new_v4(), "text": "hello"})),
        )
        .await;
    assert_problem(res, 404, None).await;
}

#[tokio::test]
async fn bad_admin_messages_name_the_field() {
    let w = World::new().await;
    w.with_credentials(Who::ClientA).await;
    let order = w.order().await;
    let account = w.client_a.id.to_string();
    let before = w.events().await;
    for (body, field) in [
        (json!({"text": "hi"}), "order_id"),
        (
            json!({"order_id": order, "account_id": account, "text": "hi"}),
            "account_id",
        ),
        (json!({"order_id": "nope", "text": "hi"}), "order_id"),
        (json!({"account_id": "nope", "text": "hi"}), "account_id"),
        (json!({"account_id": account, "text": " "}), "text"),
        (
            json!({"account_id": account, "text": "x".repeat(4001)}),
            "text",
        ),
        (json!({"order_id": order, "text": ""}), "text"),
        (json!({"order_id": order}), "text"),
        (json!({"order_id": order, "text": "hi", "cc": "all"}), "cc"),
    ] {
        let res = w
            .post_as(Who::Admin, "/api/v1/commands/admin/messages", Some(&body))
            .await;
        assert_problem(res, 422, Some(field)).await;
    }
    assert_eq!(w.events().await, before);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM admin_messages")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn the_openapi_document_lists_the_work_commands() {
    let w = World::new().await;
    let doc: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/commands/subscriptions/{id}/orders",
        "/api/v1/commands/orders/{id}/take",
        "/api/v1/commands/orders/{id}/messages",
        "/api/v1/commands/orders/{id}/complete",
        "/api/v1/commands/orders/{id}/complaints",
        "/api/v1/commands/complaints/{id}/withdraw",
        "/api/v1/commands/admin/complaints/{id}/review",
        "/api/v1/commands/admin/complaints/{id}/notes",
        "/api/v1/commands/admin/complaints/{id}/resolve",
        "/api/v1/commands/admin/messages",
    ] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} missing");
    }
}
