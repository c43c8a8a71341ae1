//! Twenty providers of the type accept one request at the same moment:
//! exactly one wins, the nineteen others get 409 `already_accepted`, and the
//! subscription holds one acceptance (issue [5], Tests).

use crate::money_support::*;
use serde_json::{Value, json};

const PROVIDERS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_providers_accepting_one_request_leave_one_winner_and_nineteen_409s() {
    let w = World::new().await;
    assert_eq!(w.top_up(&w.client_a, "50000.00").await.status(), 201);
    let id = w.subscribe(&w.client_a, "legal", "one_off").await;
    let mut tokens = Vec::with_capacity(PROVIDERS);
    for i in 0..PROVIDERS {
        tokens.push(provider(&w.app, &format!("race{i}@legal.example"), &["legal"]).await);
    }

    let url = w
        .app
        .url(&format!("/api/v1/commands/subscriptions/{id}/accept"));
    let mut tasks = Vec::new();
    for token in tokens {
        let req = w.app.client.post(&url).bearer_auth(token).json(&json!({}));
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.expect("request");
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, body)
        }));
    }
    let (mut won, mut lost) = (0, 0);
    for task in tasks {
        match task.await.expect("task") {
            (204, _) => won += 1,
            (409, body) => {
                assert_eq!(body["rule"], "already_accepted", "{body}");
                lost += 1;
            }
            (status, body) => panic!("an accept answered {status}: {body}"),
        }
    }
    assert_eq!((won, lost), (1, PROVIDERS - 1));
    assert_eq!(w.events_of("Subscription", "SubscriptionAccepted").await, 1);
}
