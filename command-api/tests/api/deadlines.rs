//! A request nobody accepted in time: it falls overdue with its money still
//! in escrow, providers may still take it, and only its client (or an
//! admin) chooses to keep waiting, extend, or cancel with a full refund.

use crate::helpers::*;
use crate::money_support::*;
use domain::subscription::{Subscription, SubscriptionCommand};
use serde_json::json;

fn path(id: &str, action: &str) -> String {
    format!("/api/v1/commands/subscriptions/{id}/{action}")
}

/// Marks the request overdue as the scheduler does once its deadline passed.
async fn pass_deadline(w: &World, id: &str) {
    let subscriptions = store::Store::new(w.app.pool.clone()).subscriptions();
    let at = chrono::Utc::now() + chrono::Duration::days(30);
    subscriptions
        .execute_with_metadata(
            id,
            SubscriptionCommand::MarkDeadlinePassed { at },
            store::EventMetadata::system().to_map(),
        )
        .await
        .expect("deadline passed");
}

async fn state(w: &World, id: &str) -> Subscription {
    store::current_state::<Subscription>(&w.app.pool, id)
        .await
        .expect("subscription")
}

#[tokio::test]
async fn the_client_extends_an_overdue_request_and_a_provider_still_takes_it() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "20000.00").await.status(), 201);
    let before = w.balance(&w.client_a_id).await;
    let id = w.subscribe(&w.client_a, "legal", "one_off").await;
    pass_deadline(&w, &id).await;
    let s = state(&w, &id).await;
    assert_eq!(s.status().map(|s| s.as_str()), Some("overdue"));
    assert!(!s.escrow().is_zero(), "the money waits in escrow");

    // Someone else's request is not there for them; a provider may not move it.
    let until = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let body = json!({"until": until});
    let res = w
        .send(&path(&id, "deadline"), Some(&w.client_b), None, &body)
        .await;
    assert_problem(res, 404, None).await;
    let res = w
        .send(&path(&id, "deadline"), Some(&w.provider_legal), None, &body)
        .await;
    assert_problem(res, 403, None).await;
    // A deadline in the past names the field.
    let past = json!({"until": "2020-01-01T00:00:00Z"});
    let res = w
        .send(&path(&id, "deadline"), Some(&w.client_a), None, &past)
        .await;
    assert_problem(res, 422, Some("until")).await;
    let res = w
        .send(
            &path(&id, "deadline"),
            Some(&w.client_a),
            None,
            &json!({"until": "soon"}),
        )
        .await;
    assert_problem(res, 422, Some("until")).await;

    let res = w
        .send(&path(&id, "deadline"), Some(&w.client_a), None, &body)
        .await;
    assert_eq!(res.status(), 204);
    let s = state(&w, &id).await;
    assert_eq!(s.status().map(|s| s.as_str()), Some("requested"));
    assert_eq!(
        s.deadline().map(|d| d.timestamp()),
        chrono::DateTime::parse_from_rfc3339(&until)
            .ok()
            .map(|d| d.timestamp())
    );

    // Overdue again, the client keeps waiting without a deadline; a provider takes it.
    pass_deadline(&w, &id).await;
    let res = w
        .send(
            &path(&id, "deadline"),
            Some(&w.client_a),
            None,
            &json!({"until": null}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(state(&w, &id).await.deadline(), None);
    let res = w
        .send(
            &path(&id, "accept"),
            Some(&w.provider_legal),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_ne!(w.balance(&w.client_a_id).await, before, "paid for the job");
    // Accepted: no deadline left to move.
    let res = w
        .send(&path(&id, "deadline"), Some(&w.client_a), None, &body)
        .await;
    assert_problem(res, 422, None).await;
}

#[tokio::test]
async fn cancelling_an_overdue_request_refunds_every_rouble_in_one_step() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let before = w.balance(&w.client_a_id).await;
    let id = w.subscribe(&w.client_a, "legal", "monthly").await;
    assert_ne!(w.balance(&w.client_a_id).await, before);
    pass_deadline(&w, &id).await;

    let res = w
        .send(&path(&id, "cancel"), Some(&w.client_a), None, &json!({}))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        w.balance(&w.client_a_id).await,
        before,
        "the full price came back"
    );
    let s = state(&w, &id).await;
    assert!(s.escrow().is_zero(), "nothing left in escrow");
    let refund_tx: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT tx_id::text) FROM events WHERE event_type IN \
         ('SubscriptionCancelled', 'EscrowReleased', 'FundsCreditedFromEscrow')",
    )
    .fetch_one(&w.app.pool)
    .await
    .expect("transactions");
    assert_eq!(
        refund_tx, 1,
        "cancel, release and credit in one transaction"
    );
}

#[tokio::test]
async fn an_account_chooses_its_language_at_registration_and_later() {
    let w = World::new().await;
    let mut body = client_body("en@example.ru");
    body["language"] = json!("en");
    assert_eq!(
        w.app
            .post("/api/v1/auth/register/client", &body)
            .await
            .status(),
        201
    );
    let (token, id) = login_token(&w.app, "en@example.ru").await;
    let language = |id: String| {
        let pool = w.app.pool.clone();
        async move {
            store::current_state::<domain::account::Account>(&pool, &id)
                .await
                .expect("account")
                .language()
        }
    };
    assert_eq!(language(id.clone()).await, domain::Language::En);

    let path = "/api/v1/commands/accounts/me/language";
    let choose = |language: &str| json!({ "language": language });
    let res = w.send(path, Some(&token), None, &choose("ru")).await;
    assert_eq!(res.status(), 204);
    assert_eq!(language(id.clone()).await, domain::Language::Ru);
    let res = w.send(path, Some(&token), None, &choose("ru")).await;
    assert_eq!(res.status(), 204, "the same again is no change");
    let res = w.send(path, Some(&token), None, &choose("fr")).await;
    assert_problem(res, 422, Some("language")).await;
    let chosen = w.events_of("Account", "LanguageChosen").await;
    assert_eq!(chosen, 2, "registration's and the switch back");

    let mut bad = client_body("fr@example.ru");
    bad["language"] = json!("fr");
    let res = w.app.post("/api/v1/auth/register/client", &bad).await;
    assert_problem(res, 422, Some("language")).await;
}
