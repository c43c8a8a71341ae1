//! Complaints: filing, withdrawing, an admin's review, notes and
//! resolution — happy paths, refusals and bad input.

use crate::helpers::*;
use crate::work_support::*;
use serde_json::{Value, json};

fn file_path(order: &str) -> String {
    format!("/api/v1/commands/orders/{order}/complaints")
}

fn admin_path(complaint: &str, action: &str) -> String {
    format!("/api/v1/commands/admin/complaints/{complaint}/{action}")
}

fn withdraw_path(complaint: &str) -> String {
    format!("/api/v1/commands/complaints/{complaint}/withdraw")
}

fn rub(amount: &str) -> Value {
    json!(amount)
}

fn split(to_client: &str, to_provider: &str) -> Value {
    json!({"to_client": rub(to_client), "to_provider": rub(to_provider), "note": "Half the work was done"})
}

#[tokio::test]
async fn filing_a_complaint_freezes_the_order_and_the_escrow() {
    let w = World::new().await;
    let order = w.taken_order().await;
    let complaint = w.complaint_on(&order).await;
    assert_eq!(w.event_types(&complaint).await, ["ComplaintFiled"]);
    assert_eq!(
        w.event_types(&order).await.last().map(String::as_str),
        Some("OrderFrozen")
    );
    assert_eq!(
        w.event_types(&w.subscription_id.to_string())
            .await
            .last()
            .map(String::as_str),
        Some("EscrowFrozen")
    );
    // A frozen order does no work.
    let res = w
        .post_as(
            Who::Winner,
            &format!("/api/v1/commands/orders/{order}/complete"),
            None,
        )
        .await;
    assert_rule(res, "order_frozen").await;
}

#[tokio::test]
async fn the_provider_may_complain_too() {
    let w = World::new().await;
    let order = w.order().await;
    let res = w
        .post_as(
            Who::Winner,
            &file_path(&order),
            Some(&json!({"reason": "The client vanished"})),
        )
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn a_second_complaint_on_a_frozen_order_is_refused() {
    let w = World::new().await;
    let order = w.order().await;
    w.complaint_on(&order).await;
    let before = w.events().await;
    let res = w
        .post_as(
            Who::Winner,
            &file_path(&order),
            Some(&json!({"reason": "Me too, me too"})),
        )
        .await;
    assert_rule(res, "order_frozen_by_other_complaint").await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn bad_complaint_bodies_name_the_field() {
    let w = World::new().await;
    let order = w.order().await;
    let before = w.events().await;
    for (body, field) in [
        (json!({}), "reason"),
        (json!({"reason": "too short"}), "reason"),
        (json!({"reason": "r".repeat(4001)}), "reason"),
        (
            json!({"reason": "A long enough reason", "severity": 5}),
            "severity",
        ),
    ] {
        let res = w
            .post_as(Who::ClientA, &file_path(&order), Some(&body))
            .await;
        assert_problem(res, 422, Some(field)).await;
    }
    let res = w
        .post_as(
            Who::ClientA,
            &file_path("x"),
            Some(&json!({"reason": "A long enough reason"})),
        )
        .await;
    assert_problem(res, 422, Some("id")).await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn withdrawing_thaws_the_order_and_the_escrow() {
    let w = World::new().await;
    let order = w.order().await;
    let complaint = w.complaint_on(&order).await;
    let res = w
        .post_as(Who::ClientA, &withdraw_path(&complaint), None)
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        w.event_types(&complaint).await,
        ["ComplaintFiled", "ComplaintWithdrawn"]
    );
    assert_eq!(
        w.event_types(&order).await.last().map(String::as_str),
        Some("OrderUnfrozen")
    );
    assert_eq!(
        w.event_types(&w.subscription_id.to_string())
            .await
            .last()
            .map(String::as_str),
        Some("ComplaintSettled")
    );
    // The order works again, and can be complained about afresh.
    let res = w
        .post_as(
            Who::Winner,
            &format!("/api/v1/commands/orders/{order}/take"),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    w.complaint_on(&order).await;
}

#[tokio::test]
async fn only_the_filer_withdraws_and_only_once() {
    let w = World::new().await;
    let complaint = w.complaint().await;
    let res = w
        .post_as(Who::Winner, &withdraw_path(&complaint), None)
        .await;
    assert_rule(res, "not_complaint_filer").await;
    assert_eq!(
        w.post_as(Who::ClientA, &withdraw_path(&complaint), None)
            .await
            .status(),
        204
    );
    let res = w
        .post_as(Who::ClientA, &withdraw_path(&complaint), None)
        .await;
    assert_rule(res, "complaint_withdrawn").await;
}

#[tokio::test]
async fn an_admin_reviews_once_and_adds_notes() {
    let w = World::new().await;
    let complaint = w.complaint().await;
    assert_eq!(
        w.post_as(Who::Admin, &admin_path(&complaint, "review"), None)
            .await
            .status(),
        204
    );
    let res = w
        .post_as(Who::Admin, &admin_path(&complaint, "review"), None)
        .await;
    assert_rule(res, "complaint_already_in_review").await;
    let res = w
        .post_as(
            Who::Admin,
            &admin_path(&complaint, "notes"),
            Some(&json!({"text": "Called both"})),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        w.event_types(&complaint).await,
        [
            "ComplaintFiled",
            "ComplaintTakenIntoReview",
            "ComplaintNoteAdded"
        ]
    );
}

#[tokio::test]
async fn bad_notes_name_the_field() {
    let w = World::new().await;
    let complaint = w.complaint().await;
    let path = admin_path(&complaint, "notes");
    let before = w.events().await;
    for (body, field) in [
        (json!({}), "text"),
        (json!({"text": "  "}), "text"),
        (json!({"text": "n".repeat(4001)}), "text"),
        (json!({"text": "ok", "private": true}), "private"),
    ] {
        let res = w.post_as(Who::Admin, &path, Some(&body)).await;
        assert_problem(res, 422, Some(field)).await;
    }
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn resolving_splits_the_escrow_and_thaws_the_order() {
    let w = World::new().await;
    let order = w.taken_order().await;
    let complaint = w.complaint_on(&order).await;
    let res = w
        .post_as(
            Who::Admin,
            &admin_path(&complaint, "resolve"),
            Some(&split("400.00", "600.00")),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        w.event_types(&complaint).await,
        ["ComplaintFiled", "ComplaintResolved"]
    );
    let settled: Value = sqlx::query_scalar(
        "SELECT payload::jsonb FROM events WHERE aggregate_id = $1 AND event_type = 'ComplaintSettled'",
    )
    .bind(w.subscription_id.to_string())
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(settled["ComplaintSettled"]["to_client"]["amount"], "400.00");
    assert_eq!(
        settled["ComplaintSettled"]["to_provider"]["amount"],
        "600.00"
    );
    // The split reached both wallets, in the same transaction as the decision.
    let wallet = |who: domain::AccountId| {
        let pool = w.app.pool.clone();
        async move {
            use cqrs_es::EventStore;
            store::HubEventStore::<domain::wallet::Wallet>::new(pool)
                .load_aggregate(&who.to_string())
                .await
                .expect("wallet")
                .aggregate
                .balance()
                .amount()
                .to_string()
        }
    };
    assert_eq!(wallet(w.client_a.id).await, "400.00");
    assert_eq!(wallet(w.winner.id).await, "600.00");
    let transactions: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT tx_id) FROM events WHERE event_type IN \
         ('ComplaintResolved', 'ComplaintSettled', 'FundsCreditedFromEscrow', 'OrderUnfrozen')",
    )
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(transactions, 1);
    assert_eq!(
        w.event_types(&order).await.last().map(String::as_str),
        Some("OrderUnfrozen")
    );
    let res = w
        .post_as(
            Who::Admin,
            &admin_path(&complaint, "resolve"),
            Some(&split("0", "0")),
        )
        .await;
    assert_rule(res, "complaint_resolved").await;
}

#[tokio::test]
async fn a_split_above_the_escrow_is_refused() {
    let w = World::new().await;
    let complaint = w.complaint().await;
    let before = w.events().await;
    let res = w
        .post_as(
            Who::Admin,
            &admin_path(&complaint, "resolve"),
            Some(&split("600.00", "600.00")),
        )
        .await;
    let body = assert_problem(res, 422, Some("to_client")).await;
    assert_eq!(body["rule"], "split_exceeds_escrow");
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn bad_resolutions_name_the_field() {
    let w = World::new().await;
    let complaint = w.complaint().await;
    let path = admin_path(&complaint, "resolve");
    let before = w.events().await;
    for (body, field) in [
        (json!({"to_provider": rub("1"), "note": "n"}), "to_client"),
        (
            json!({"to_client": rub("-1"), "to_provider": rub("1"), "note": "n"}),
            "to_client",
        ),
        (
            json!({"to_client": rub("1.001"), "to_provider": rub("1"), "note": "n"}),
            "to_client",
        ),
        (
            json!({"to_client": rub("1"), "to_provider": rub("1")}),
            "note",
        ),
        (
            json!({"to_client": rub("1"), "to_provider": rub("1"), "note": ""}),
            "note",
        ),
        (
            json!({"to_client": rub("1"), "to_provider": rub("1"), "note": "n", "fee": 1}),
            "fee",
        ),
    ] {
        let res = w.post_as(Who::Admin, &path, Some(&body)).await;
        assert_problem(res, 422, Some(field)).await;
    }
    let res = w
        .post_as(
            Who::Admin,
            &admin_path("zzz", "resolve"),
            Some(&split("1", "1")),
        )
        .await;
    assert_problem(res, 422, Some("id")).await;
    let res = w
        .post_as(
            Who::Admin,
            &admin_path(&uuid::Uuid::new_v4().to_string(), "review"),
            None,
        )
        .await;
    assert_problem(res, 404, None).await;
    assert_eq!(w.events().await, before);
}
