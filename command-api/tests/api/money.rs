//! Wallet, subscription, account and catalog commands: happy paths and refusals.

use crate::helpers::*;
use crate::money_support::*;
use serde_json::{Value, json};

const TOP_UP: &str = "/api/v1/commands/wallet/top-ups";
const WITHDRAW: &str = "/api/v1/commands/wallet/withdrawals";
const SUBSCRIBE: &str = "/api/v1/commands/subscriptions";

fn sub_path(id: &str, action: &str) -> String {
    format!("/api/v1/commands/subscriptions/{id}/{action}")
}

#[tokio::test]
async fn a_top_up_opens_a_payment_records_who_and_why_and_waits_for_the_gateway() {
    let w = World::new().await;
    let request_id = uuid::Uuid::new_v4().to_string();
    let res = w
        .app
        .client
        .post(w.app.url(TOP_UP))
        .bearer_auth(&w.client_a)
        .header("idempotency-key", "k1")
        .header("x-request-id", &request_id)
        .json(&json!({"amount": "1500.50"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let correlation_id = res.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = res.json().await.unwrap();
    let transfer_id = body["transfer_id"].as_str().unwrap();
    let payment_id = body["payment_id"].as_str().unwrap();
    assert_ne!(transfer_id, payment_id);
    assert_eq!(body["payment_url"], format!("/pay/{payment_id}"));
    // Nothing settles on its own: the money waits for the gateway's webhook.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(w.events_of("Wallet", "TopUpRequested").await, 1);
    assert_eq!(w.events_of("Wallet", "TopUpSettled").await, 0);
    assert_eq!(w.balance(&w.client_a_id).await, "0.00");
    let metadata: Vec<Value> =
        sqlx::query_scalar("SELECT metadata FROM events WHERE aggregate_type = 'Wallet'")
            .fetch_all(&w.app.pool)
            .await
            .unwrap();
    for m in metadata {
        assert_eq!(m["actor_id"], w.client_a_id.as_str());
        assert_eq!(m["actor_role"], "client");
        // The caller's X-Request-Id names the request in logs; the events
        // join on a correlation id the server made, named in the answer.
        assert_eq!(m["correlation_id"], correlation_id.as_str());
        assert_ne!(m["correlation_id"], request_id.as_str());
    }
}

#[tokio::test]
async fn a_top_up_needs_an_idempotency_key() {
    let w = World::new().await;
    let before = w.events().await;
    let res = w
        .send(TOP_UP, Some(&w.client_a), None, &json!({"amount": "10.00"}))
        .await;
    assert_problem(res, 400, Some("Idempotency-Key")).await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn bad_amounts_are_refused_naming_the_field_and_store_nothing() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "1000.00").await.status(), 201);
    let before = w.events().await;
    let bank = json!({"bik": LEGAL_BIK, "account": LEGAL_ACCOUNT});
    for (i, bad) in [
        json!("-5.00"),
        json!("1.005"),
        json!("0"),
        json!("0.00"),
        json!("abc"),
        json!(12.5),
        json!("1e3"),
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("bad-top-up-{i}");
        let res = w
            .send(
                TOP_UP,
                Some(&w.client_a),
                Some(&key),
                &json!({"amount": bad}),
            )
            .await;
        assert_problem(res, 422, Some("amount")).await;
        let key = format!("bad-withdrawal-{i}");
        let res = w
            .send(
                WITHDRAW,
                Some(&w.client_a),
                Some(&key),
                &json!({"amount": bad, "bank": bank}),
            )
            .await;
        assert_problem(res, 422, Some("amount")).await;
    }
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_withdrawal_moves_money_out_of_the_wallet() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "1000.00").await.status(), 201);
    let res = w
        .send(
            WITHDRAW,
            Some(&w.client_a),
            Some("w1"),
            &json!({"amount": "400.00", "bank": {"bik": LEGAL_BIK, "account": LEGAL_ACCOUNT}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert!(body["transfer_id"].is_string());
    assert_eq!(w.events_of("Wallet", "WithdrawalRequested").await, 1);
    assert_eq!(w.balance(&w.client_a_id).await, "600.00");
}

#[tokio::test]
async fn bad_bank_details_name_the_field() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "1000.00").await.status(), 201);
    let before = w.events().await;
    let cases = [
        (json!({"bik": "123", "account": LEGAL_ACCOUNT}), "bank.bik"),
        (
            json!({"bik": "144525225", "account": LEGAL_ACCOUNT}),
            "bank.bik",
        ),
        (
            json!({"bik": LEGAL_BIK, "account": "4070281"}),
            "bank.account",
        ),
        // Valid shape, wrong control key for this BIK.
        (
            json!({"bik": LEGAL_BIK, "account": "40702810238720001421"}),
            "bank.account",
        ),
    ];
    for (i, (bank, field)) in cases.into_iter().enumerate() {
        let key = format!("bank-{i}");
        let res = w
            .send(
                WITHDRAW,
                Some(&w.client_a),
                Some(&key),
                &json!({"amount": "10.00", "bank": bank}),
            )
            .await;
        assert_problem(res, 422, Some(field)).await;
    }
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_withdrawal_beyond_the_balance_is_refused() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "100.00").await.status(), 201);
    let before = w.events().await;
    let res = w
        .send(
            WITHDRAW,
            Some(&w.client_a),
            Some("too-much"),
            &json!({"amount": "100.01", "bank": {"bik": LEGAL_BIK, "account": LEGAL_ACCOUNT}}),
        )
        .await;
    let body = assert_problem(res, 422, None).await;
    assert_eq!(body["rule"], "insufficient_funds");
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn fifty_concurrent_identical_top_ups_with_one_key_move_money_once() {
    let w = World::new().await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let req = w
            .app
            .client
            .post(w.app.url(TOP_UP))
            .bearer_auth(&w.client_a)
            .header("idempotency-key", "same-key")
            .json(&json!({"amount": "250.00"}));
        tasks.push(tokio::spawn(async move { req.send().await.unwrap() }));
    }
    let mut answers = std::collections::HashSet::new();
    for t in tasks {
        let res = t.await.unwrap();
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        answers.insert((
            body["transfer_id"].as_str().unwrap().to_owned(),
            body["payment_id"].as_str().unwrap().to_owned(),
        ));
    }
    assert_eq!(answers.len(), 1, "one transfer, one payment");
    assert_eq!(w.events_of("Wallet", "TopUpRequested").await, 1);
    let (transfer, payment) = answers.into_iter().next().unwrap();
    assert_eq!(w.sandbox(&payment, "approve").await.status(), 202);
    assert_eq!(
        w.outcome_of(&transfer).await.as_deref(),
        Some("TopUpSettled")
    );
    assert_eq!(w.events_of("Wallet", "TopUpSettled").await, 1);
    assert_eq!(w.balance(&w.client_a_id).await, "250.00");
}

#[tokio::test]
async fn a_subscription_pays_its_first_period_into_escrow() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "legal", "monthly").await;
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(w.events_of("Wallet", "FundsMovedToEscrow").await, 1);
    assert_eq!(
        w.events_of("Subscription", "SubscriptionRequested").await,
        1
    );
    assert_eq!(w.events_of("Subscription", "EscrowFunded").await, 1);
    assert_eq!(w.balance(&w.client_a_id).await, "5000.00");
}

#[tokio::test]
async fn a_subscription_with_short_funds_is_refused_and_not_created() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "14999.99").await.status(), 201);
    let before = w.events().await;
    let res = w
        .request_subscription(&w.client_a, "legal", "one_off")
        .await;
    let body = assert_problem(res, 422, None).await;
    assert_eq!(body["rule"], "insufficient_funds");
    assert_eq!(w.events().await, before);
    let subscription_events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'Subscription'")
            .fetch_one(&w.app.pool)
            .await
            .unwrap();
    assert_eq!(subscription_events, 0);
    assert_eq!(w.balance(&w.client_a_id).await, "14999.99");
}

#[tokio::test]
async fn unknown_retired_or_malformed_service_types_name_the_field() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let retire = "/api/v1/commands/admin/catalog/service-types/delivery/retire";
    assert_eq!(
        w.send(retire, Some(&w.admin), None, &json!({}))
            .await
            .status(),
        204
    );
    let before = w.events().await;
    for service_type in ["astrology", "delivery", "Legal!"] {
        let res = w
            .request_subscription(&w.client_a, service_type, "one_off")
            .await;
        assert_problem(res, 422, Some("service_type")).await;
    }
    let res = w
        .send(
            SUBSCRIBE,
            Some(&w.client_a),
            None,
            &json!({"service_type": "legal", "plan": "weekly", "description": "x"}),
        )
        .await;
    assert_problem(res, 422, Some("plan")).await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_blank_description_is_refused_before_money_moves() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let before = w.events().await;
    let res = w
        .send(
            SUBSCRIBE,
            Some(&w.client_a),
            None,
            &json!({"service_type": "legal", "plan": "one_off", "description": "   "}),
        )
        .await;
    let body = assert_problem(res, 422, Some("description")).await;
    assert_eq!(body["rule"], "text_length");
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_subscription_request_replays_with_its_idempotency_key() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let body = json!({"service_type": "legal", "plan": "one_off", "description": "Contract"});
    let first = w
        .send(SUBSCRIBE, Some(&w.client_a), Some("s1"), &body)
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = w
        .send(SUBSCRIBE, Some(&w.client_a), Some("s1"), &body)
        .await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    assert_eq!(
        w.events_of("Subscription", "SubscriptionRequested").await,
        1
    );
}

#[tokio::test]
async fn the_first_provider_to_accept_wins_the_rest_get_409() {
    let w = World::new().await;
    let second = provider(&w.app, "legal2@example.ru", &["legal", "delivery"]).await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "legal", "one_off").await;
    let res = w
        .send(
            &sub_path(&id, "accept"),
            Some(&w.provider_legal),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let before = w.events().await;
    let res = w
        .send(&sub_path(&id, "accept"), Some(&second), None, &json!({}))
        .await;
    let body = assert_problem(res, 409, None).await;
    assert_eq!(body["rule"], "already_accepted");
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_rejecting_provider_cannot_accept_afterwards() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "legal", "one_off").await;
    let reject = sub_path(&id, "reject");
    assert_eq!(
        w.send(&reject, Some(&w.provider_legal), None, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(w.events_of("Subscription", "RequestRejected").await, 1);
    let before = w.events().await;
    let res = w
        .send(&reject, Some(&w.provider_legal), None, &json!({}))
        .await;
    assert_problem(res, 422, None).await;
    let res = w
        .send(
            &sub_path(&id, "accept"),
            Some(&w.provider_legal),
            None,
            &json!({}),
        )
        .await;
    assert_problem(res, 422, None).await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn unknown_or_malformed_subscription_ids_are_404() {
    let w = World::new().await;
    for id in [uuid::Uuid::new_v4().to_string(), "not-a-uuid".to_owned()] {
        for (action, token) in [
            ("accept", &w.provider_legal),
            ("reject", &w.provider_legal),
            ("cancel", &w.client_a),
        ] {
            let res = w
                .send(&sub_path(&id, action), Some(token), None, &json!({}))
                .await;
            assert_problem(res, 404, None).await;
        }
    }
}

#[tokio::test]
async fn cancelling_before_acceptance_refunds_the_wallet_once() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "20000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "legal", "one_off").await;
    assert_eq!(w.balance(&w.client_a_id).await, "5000.00");
    let cancel = sub_path(&id, "cancel");
    assert_eq!(
        w.send(&cancel, Some(&w.client_a), None, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(
        w.events_of("Subscription", "SubscriptionCancelled").await,
        1
    );
    assert_eq!(w.events_of("Subscription", "EscrowReleased").await, 1);
    assert_eq!(w.events_of("Wallet", "FundsCreditedFromEscrow").await, 1);
    assert_eq!(w.balance(&w.client_a_id).await, "20000.00");
    // Again: nothing more moves.
    assert_eq!(
        w.send(&cancel, Some(&w.client_a), None, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(w.events_of("Wallet", "FundsCreditedFromEscrow").await, 1);
    assert_eq!(w.balance(&w.client_a_id).await, "20000.00");
}

#[tokio::test]
async fn an_admin_cancels_for_the_client_and_the_refund_goes_to_the_client() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "20000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "accounting", "one_off").await;
    let res = w
        .send(&sub_path(&id, "cancel"), Some(&w.admin), None, &json!({}))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(w.balance(&w.client_a_id).await, "20000.00");
}

#[tokio::test]
async fn a_client_edits_its_profile() {
    let w = World::new().await;
    let path = "/api/v1/commands/accounts/me/profile";
    let res = w
        .send(
            path,
            Some(&w.client_a),
            None,
            &json!({"contact_name": "Olga", "company_name": "New LLC"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(w.events_of("Account", "ProfileChanged").await, 1);
    let before = w.events().await;
    let res = w.send(path, Some(&w.client_a), None, &json!({})).await;
    let body = assert_problem(res, 422, None).await;
    assert_eq!(body["rule"], "nothing_to_change");
    let res = w
        .send(
            path,
            Some(&w.client_a),
            None,
            &json!({"service_types": ["legal"]}),
        )
        .await;
    assert_problem(res, 422, Some("service_types")).await;
    let res = w
        .send(path, Some(&w.client_a), None, &json!({"contact_name": " "}))
        .await;
    assert_problem(res, 422, Some("contact_name")).await;
    let res = w
        .send(path, Some(&w.client_a), None, &json!({"email": "x@y.z"}))
        .await;
    assert_problem(res, 422, Some("email")).await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn a_provider_changes_its_service_types() {
    let w = World::new().await;
    let path = "/api/v1/commands/accounts/me/profile";
    let res = w
        .send(
            path,
            Some(&w.provider_delivery),
            None,
            &json!({"service_types": ["delivery", "legal"]}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = w
        .send(
            path,
            Some(&w.provider_delivery),
            None,
            &json!({"service_types": []}),
        )
        .await;
    assert_problem(res, 422, Some("service_types")).await;
}

#[tokio::test]
async fn a_blocked_account_cannot_log_in_until_unblocked() {
    let w = World::new().await;
    let (_, b_id) = login_token(&w.app, "b@example.ru").await;
    let block = format!("/api/v1/commands/admin/accounts/{b_id}/block");
    let unblock = format!("/api/v1/commands/admin/accounts/{b_id}/unblock");
    let res = w
        .send(&block, Some(&w.admin), None, &json!({"reason": "fraud"}))
        .await;
    assert_eq!(res.status(), 204);
    let res = w.app.login("b@example.ru", PASSWORD).await;
    let body = assert_problem(res, 403, None).await;
    assert_eq!(body["rule"], "account_blocked");
    let res = w
        .send(&block, Some(&w.admin), None, &json!({"reason": "again"}))
        .await;
    assert_eq!(
        assert_problem(res, 422, None).await["rule"],
        "account_already_blocked"
    );
    assert_eq!(
        w.send(&unblock, Some(&w.admin), None, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(w.app.login("b@example.ru", PASSWORD).await.status(), 200);
    let res = w.send(&unblock, Some(&w.admin), None, &json!({})).await;
    assert_eq!(
        assert_problem(res, 422, None).await["rule"],
        "account_not_blocked"
    );
}

#[tokio::test]
async fn blocking_refuses_unknown_accounts_blank_reasons_and_oneself() {
    let w = World::new().await;
    let (_, b_id) = login_token(&w.app, "b@example.ru").await;
    let (_, admin_id) = login_token(&w.app, "admin@hub.example").await;
    let before = w.events().await;
    let unknown = format!(
        "/api/v1/commands/admin/accounts/{}/block",
        uuid::Uuid::new_v4()
    );
    let res = w
        .send(&unknown, Some(&w.admin), None, &json!({"reason": "x"}))
        .await;
    assert_problem(res, 404, None).await;
    let block_b = format!("/api/v1/commands/admin/accounts/{b_id}/block");
    let res = w
        .send(&block_b, Some(&w.admin), None, &json!({"reason": "  "}))
        .await;
    assert_problem(res, 422, Some("reason")).await;
    let block_self = format!("/api/v1/commands/admin/accounts/{admin_id}/block");
    let res = w
        .send(&block_self, Some(&w.admin), None, &json!({"reason": "x"}))
        .await;
    assert_eq!(
        assert_problem(res, 422, None).await["rule"],
        "cannot_block_self"
    );
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn an_admin_manages_the_catalog() {
    let w = World::new().await;
    let base = "/api/v1/commands/admin/catalog/service-types";
    let add = json!({
        "code": "translation", "name_en": "Translation", "name_ru": "Перевод",
        "one_off_price": "5000.00", "monthly_price": "20000.00"
    });
    let res = w.send(base, Some(&w.admin), None, &add).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["id"], "translation");
    let res = w.send(base, Some(&w.admin), None, &add).await;
    assert_problem(res, 422, Some("code")).await;

    let prices = format!("{base}/translation/prices");
    let res = w
        .send(
            &prices,
            Some(&w.admin),
            None,
            &json!({"one_off_price": "6000.00", "monthly_price": "21000.00"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = w
        .send(
            &prices,
            Some(&w.admin),
            None,
            &json!({"one_off_price": "0.00", "monthly_price": "21000.00"}),
        )
        .await;
    assert_problem(res, 422, Some("one_off_price")).await;
    let res = w
        .send(
            &format!("{base}/astrology/prices"),
            Some(&w.admin),
            None,
            &json!({"one_off_price": "1.00", "monthly_price": "1.00"}),
        )
        .await;
    assert_problem(res, 404, None).await;

    let retire = format!("{base}/translation/retire");
    let restore = format!("{base}/translation/restore");
    assert_eq!(
        w.send(&restore, Some(&w.admin), None, &json!({}))
            .await
            .status(),
        422
    );
    assert_eq!(
        w.send(&retire, Some(&w.admin), None, &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(
        w.send(&retire, Some(&w.admin), None, &json!({}))
            .await
            .status(),
        422
    );
    assert_eq!(
        w.send(&restore, Some(&w.admin), None, &json!({}))
            .await
            .status(),
        204
    );

    // The client pays the new price.
    assert_eq!(w.top_up(&w.client_a, "10000.00").await.status(), 201);
    w.subscribe(&w.client_a, "translation", "one_off").await;
    assert_eq!(w.balance(&w.client_a_id).await, "4000.00");
}

#[tokio::test]
async fn catalog_names_are_checked_by_the_aggregate() {
    let w = World::new().await;
    let before = w.events().await;
    let res = w
        .send(
            "/api/v1/commands/admin/catalog/service-types",
            Some(&w.admin),
            None,
            &json!({"code": "x_ray", "name_en": " ", "name_ru": "Рентген",
                    "one_off_price": "1.00", "monthly_price": "2.00"}),
        )
        .await;
    assert_problem(res, 422, Some("name_en")).await;
    assert_eq!(w.events().await, before);
}

#[tokio::test]
async fn seeding_the_catalog_twice_adds_the_starters_once() {
    let w = World::new().await;
    command_api::seed_catalog(&w.app.pool).await.unwrap();
    assert_eq!(w.events_of("Catalog", "ServiceTypeAdded").await, 3);
}

#[tokio::test]
async fn the_openapi_document_lists_the_money_commands() {
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
        TOP_UP,
        WITHDRAW,
        SUBSCRIBE,
        "/api/v1/commands/subscriptions/{id}/cancel",
        "/api/v1/commands/admin/catalog/service-types/{code}/retire",
        "/api/v1/commands/admin/accounts/{id}/block",
    ] {
        assert!(doc["paths"][path]["post"].is_object(), "{path}");
    }
}

#[tokio::test]
async fn every_money_moving_post_needs_an_idempotency_key() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "20000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "legal", "one_off").await;
    let before = w.events().await;
    let body = json!({"service_type": "legal", "plan": "one_off", "description": "Help"});
    for (path, body) in [
        (SUBSCRIBE.to_owned(), body),
        (sub_path(&id, "cancel"), json!({})),
    ] {
        let res = w.send_without_key(&path, &w.client_a, &body).await;
        assert_problem(res, 400, Some("Idempotency-Key")).await;
    }
    assert_eq!(w.events().await, before);
}

/// A clock stopped at one moment, standing in for `hub dev`'s movable one.
#[derive(Debug)]
struct Stopped(chrono::DateTime<chrono::Utc>);

impl store::clock::Clock for Stopped {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0
    }
}

#[tokio::test]
async fn business_time_comes_from_the_clock_the_scheduler_reads() {
    let moved = chrono::Utc::now() + chrono::Duration::days(40);
    let w = World::with(|state| state.clock = std::sync::Arc::new(Stopped(moved))).await;
    assert_eq!(w.top_up(&w.client_a, "20000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "legal", "one_off").await;
    let (deadline, accepted_at): (String, String) = (
        sqlx::query_scalar(
            "SELECT payload->'SubscriptionRequested'->>'acceptance_deadline' FROM events \
             WHERE aggregate_id = $1 AND event_type = 'SubscriptionRequested'",
        )
        .bind(&id)
        .fetch_one(&w.app.pool)
        .await
        .unwrap(),
        {
            let res = w
                .send(
                    &sub_path(&id, "accept"),
                    Some(&w.provider_legal),
                    None,
                    &json!({}),
                )
                .await;
            assert_eq!(res.status(), 204);
            sqlx::query_scalar(
                "SELECT payload->'SubscriptionAccepted'->>'period_start' FROM events \
                 WHERE aggregate_id = $1 AND event_type = 'SubscriptionAccepted'",
            )
            .bind(&id)
            .fetch_one(&w.app.pool)
            .await
            .unwrap()
        },
    );
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    assert_eq!(parse(&deadline), moved + chrono::Duration::hours(24));
    assert_eq!(parse(&accepted_at), moved);
}
