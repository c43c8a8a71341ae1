//! A request's journey through the whole system (`hub dev`: command API,
//! relay, projections, notifier, read API), as twenty providers of its type
//! and one of another type see it over their live streams: every provider
//! of the type hears of it live and by mail, the other one never does;
//! twenty accept at once, one wins, and the request leaves the nineteen
//! other lists live, without saying who took it.

mod support;

use serde_json::{Value, json};
use std::time::Duration;
use support::{Caller, Hub, Stream};

const PROVIDERS: usize = 20;
const PASSWORD: &str = "live-dispatch-2026";
const CLIENT: (&str, &str) = ("client@hub.demo", "client-demo-2026");
const WAIT: Duration = Duration::from_secs(15);

async fn provider(hub: &Hub, email: &str, service_type: &str) -> (String, String) {
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/api/v1/auth/register/provider", hub.base()))
        .json(&json!({
            "email": email, "password": PASSWORD,
            "company": {"name": format!("Provider {email}"), "inn": "7707083893"},
            "service_types": [service_type],
        }))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), 201, "register {email}");
    let caller = Caller::new(hub.base(), (email, PASSWORD));
    let token = caller.token().await.expect("login");
    let who: Value = http
        .get(format!("{}/api/v1/auth/whoami", hub.base()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("whoami")
        .json()
        .await
        .expect("json");
    let id = who["account_id"].as_str().expect("account id").to_owned();
    (token, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_reaches_every_provider_of_its_type_and_leaves_the_losers_lists_live() {
    let mut hub = Hub::new("live");
    hub.start();
    let base = hub.base();
    let pool = sqlx::PgPool::connect(&hub.db_url).await.expect("database");

    let mut legal = Vec::new();
    for i in 0..PROVIDERS {
        legal.push(provider(&hub, &format!("legal{i}@live.test"), "legal").await);
    }
    let (other_token, other_id) = provider(&hub, "delivery@live.test", "delivery").await;
    let mut streams = Vec::new();
    for (token, _) in &legal {
        streams.push(Stream::open(&base, token).await);
    }
    let mut other = Stream::open(&base, &other_token).await;

    // Money for the request, through the payment sandbox.
    let client = Caller::new(base.clone(), CLIENT);
    let (_, top_up) = client
        .post(
            "/api/v1/commands/wallet/top-ups",
            Some(&uuid::Uuid::new_v4().to_string()),
            json!({"amount": "50000.00"}),
            &[201],
        )
        .await;
    let payment = top_up["payment_id"].as_str().expect("payment id");
    client
        .post(
            &format!("/api/v1/payments/sandbox/{payment}/approve"),
            None,
            json!({}),
            &[202],
        )
        .await;
    let key = uuid::Uuid::new_v4().to_string();
    let id = loop {
        // 422 until the top-up settles; the same key keeps it one request.
        let (status, body) = client
            .post(
                "/api/v1/commands/subscriptions",
                Some(&key),
                json!({"service_type": "legal", "plan": "one_off", "description": "A contract review"}),
                &[201, 422],
            )
            .await;
        if status == 201 {
            break body["id"].as_str().expect("id").to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    for (stream, (_, who)) in streams.iter_mut().zip(&legal) {
        let seen = stream
            .subscription(&id, WAIT, |s| s["status"] == "requested")
            .await;
        assert!(seen.is_some(), "provider {who} heard of the request live");
    }

    let http = reqwest::Client::new();
    let url = format!("{base}/api/v1/commands/subscriptions/{id}/accept");
    let accepts: Vec<_> = legal
        .iter()
        .map(|(token, who)| {
            let req = http.post(&url).bearer_auth(token).json(&json!({}));
            let who = who.clone();
            tokio::spawn(async move { (who, req.send().await.expect("accept").status().as_u16()) })
        })
        .collect();
    let mut winner = None;
    let mut losers = 0;
    for accept in accepts {
        match accept.await.expect("joins") {
            (who, 204) => winner = Some(who),
            (_, 409) => losers += 1,
            (who, status) => panic!("{who}'s accept answered {status}"),
        }
    }
    let winner = winner.expect("one provider won");
    assert_eq!(losers, PROVIDERS - 1, "nineteen 409s");

    for (stream, (_, who)) in streams.iter_mut().zip(&legal) {
        let taken = stream
            .subscription(&id, WAIT, |s| s["status"] != "requested")
            .await
            .unwrap_or_else(|| panic!("{who} saw the request taken, live"));
        if *who == winner {
            assert_eq!(
                taken["provider_id"],
                json!(winner),
                "the winner sees it is theirs"
            );
        } else {
            assert_eq!(
                taken["provider_id"],
                Value::Null,
                "losers are not told who took it"
            );
        }
    }

    // Mail: one new-request notification (and mail) per provider of the type, none elsewhere.
    let deadline = std::time::Instant::now() + WAIT;
    let told: Vec<(String, i64)> = loop {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT n.account_id::text, count(o.notification_id) FROM notifications n \
               LEFT JOIN mail_outbox o ON o.notification_id = n.id \
             WHERE n.kind = 'new_request' AND n.message_id LIKE $1 GROUP BY n.account_id",
        )
        .bind(format!("Subscription:{id}:%"))
        .fetch_all(&pool)
        .await
        .expect("notifications");
        if rows.len() >= PROVIDERS || std::time::Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for (_, who) in &legal {
        assert!(
            told.contains(&(who.clone(), 1)),
            "{who} was told once, by mail too: {told:?}"
        );
    }
    assert!(
        !told.iter().any(|(a, _)| *a == other_id),
        "a provider of another type is never told"
    );
    let heard = other
        .subscription(&id, Duration::from_millis(500), |_| true)
        .await;
    assert!(heard.is_none(), "nor does its stream carry the request");
    pool.close().await;
}
