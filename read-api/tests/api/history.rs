//! `GET /api/v1/admin/orders/{id}/history`: orders driven through the real
//! command API (command-api's router on the same database), replayed back
//! and compared with the store and with the read model the `orders`
//! projection builds from the same events.

use crate::helpers::{Account, TestApp, account};
use domain::wallet::{Wallet, WalletCommand};
use domain::{AccountId, Actor, Money, Role, TransferId};
use platform::{AuthSettings, HttpSettings, TokenKeys};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashMap;
use store::{EventMetadata, Store, execute_with_retry};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";
const INN: &str = "7707083893";

/// The read API of [`TestApp`] plus command-api on the same database, and
/// one client, one provider and one admin known to both.
struct World {
    app: TestApp,
    commands: String,
    command_keys: TokenKeys,
    http: reqwest::Client,
    client: Account,
    provider: Account,
    admin: Account,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let auth = AuthSettings {
            jwt_secret: SecretString::from("history-tests-command-secret-0123456789".to_owned()),
            access_ttl: std::time::Duration::from_secs(600),
            refresh_ttl: std::time::Duration::from_secs(3600),
        };
        let state = command_api::AppState::new(app.pool.clone(), &auth, HttpSettings::default());
        let command_keys = state.tokens.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let commands = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(platform::http::serve(
            listener,
            command_api::router(state),
            std::future::pending(),
        ));
        command_api::seed_catalog(&app.pool).await.expect("catalog");
        let http = reqwest::Client::new();
        let client = register(
            &http,
            &commands,
            "/api/v1/auth/register/client",
            json!({"email": "client@example.ru", "password": PASSWORD,
                   "company": {"name": "ООО Ромашка", "inn": INN}, "contact_name": "Иван Петров"}),
        )
        .await;
        let provider = register(
            &http,
            &commands,
            "/api/v1/auth/register/provider",
            json!({"email": "provider@example.ru", "password": PASSWORD,
                   "company": {"name": "ООО Юрист", "inn": INN}, "service_types": ["legal"]}),
        )
        .await;
        let admin_id =
            command_api::bootstrap_staff(&app.pool, "admin@hub.example", PASSWORD, Role::Admin)
                .await
                .expect("admin");
        let world = Self {
            app,
            commands,
            command_keys,
            http,
            client,
            provider,
            admin: Account {
                id: admin_id.as_uuid(),
                role: Role::Admin,
            },
        };
        world.top_up(&world.client.clone(), "1000000.00").await;
        world
    }

    /// A settled top-up, straight through the wallet aggregate (the payment
    /// gateway is not what these tests are about).
    async fn top_up(&self, who: &Account, amount: &str) {
        let wallets = Store::new(self.app.pool.clone()).wallets();
        let actor = Actor::new(AccountId::from(who.id), who.role);
        let transfer_id = TransferId::new();
        let amount = Money::parse_rub(amount).expect("amount");
        for command in [
            WalletCommand::RequestTopUp {
                actor,
                owner: actor.id,
                transfer_id,
                amount,
            },
            WalletCommand::SettleTopUp { transfer_id },
        ] {
            execute_with_retry::<Wallet, _, _>(
                &wallets,
                &who.id.to_string(),
                || command.clone(),
                &EventMetadata::by(actor),
                3,
            )
            .await
            .expect("top-up");
        }
    }

    /// `POST path` on command-api as `who`, with a fresh `Idempotency-Key`.
    async fn post(&self, who: &Account, path: &str, body: Value) -> (u16, Value) {
        let token = self
            .command_keys
            .issue(AccountId::from(who.id), who.role)
            .expect("token");
        let res = self
            .http
            .post(format!("{}{path}", self.commands))
            .bearer_auth(token)
            .header("idempotency-key", Uuid::new_v4().to_string())
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Posts and expects `status`; returns the answer's `id`, if any.
    async fn expect(&self, status: u16, who: &Account, path: &str, body: Value) -> Option<String> {
        let (got, answer) = self.post(who, path, body).await;
        assert_eq!(got, status, "POST {path}: {answer}");
        answer["id"].as_str().map(str::to_owned)
    }

    /// A monthly `legal` subscription of the client, accepted by the provider.
    async fn subscription(&self) -> String {
        let id = self
            .expect(
                201,
                &self.client,
                "/api/v1/commands/subscriptions",
                json!({"service_type": "legal", "plan": "monthly", "description": "Юрист на месяц"}),
            )
            .await
            .expect("subscription id");
        self.expect(
            204,
            &self.provider,
            &format!("/api/v1/commands/subscriptions/{id}/accept"),
            json!({}),
        )
        .await;
        id
    }

    async fn order(&self, subscription: &str) -> String {
        self.expect(
            201,
            &self.client,
            &format!("/api/v1/commands/subscriptions/{subscription}/orders"),
            json!({"title": "Проверить договор поставки", "details": "Две стороны"}),
        )
        .await
        .expect("order id")
    }

    async fn history(&self, order: &str, query: &str) -> Value {
        let (status, body) = self
            .app
            .get(
                Some(&self.admin),
                &format!("/api/v1/admin/orders/{order}/history{query}"),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

async fn register(http: &reqwest::Client, base: &str, path: &str, body: Value) -> Account {
    let res = http
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), 201);
    let answer: Value = res.json().await.expect("json");
    Account {
        id: answer["account_id"]
            .as_str()
            .expect("account_id")
            .parse()
            .expect("uuid"),
        role: answer["role"]
            .as_str()
            .expect("role")
            .parse()
            .expect("role"),
    }
}

fn steps(history: &Value) -> &Vec<Value> {
    history["steps"].as_array().expect("steps")
}

fn step<'a>(history: &'a Value, event_type: &str) -> &'a Value {
    steps(history)
        .iter()
        .find(|s| s["event_type"] == event_type)
        .unwrap_or_else(|| panic!("no {event_type} in {history}"))
}

fn actor_of(account: &Account) -> Value {
    json!({"role": account.role.as_str(), "id": account.id.to_string()})
}

#[tokio::test]
async fn only_admins_replay_an_order() {
    let app = TestApp::spawn().await;
    let admin = account(&app.pool, Role::Admin, &[]).await;
    let order = Uuid::new_v4();
    let path = format!("/api/v1/admin/orders/{order}/history");
    for role in [Role::Client, Role::Provider, Role::Auditor] {
        let who = account(&app.pool, role, &["legal"]).await;
        let (status, body) = app.get(Some(&who), &path).await;
        assert_eq!(status, 403, "{role}: {body}");
    }
    assert_eq!(app.get(None, &path).await.0, 401);
    let (status, body) = app.get(Some(&admin), &path).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = app
        .get(Some(&admin), "/api/v1/admin/orders/not-a-uuid/history")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "id", "{body}");
    let (status, body) = app
        .get(Some(&admin), &format!("{path}?kind=order,bank"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "kind", "{body}");
}

#[tokio::test]
async fn a_disputed_order_shows_every_stream_in_commit_order_with_its_actors() {
    let w = World::new().await;
    let subscription = w.subscription().await;
    let order = w.order(&subscription).await;
    let orders = format!("/api/v1/commands/orders/{order}");
    w.expect(204, &w.provider, &format!("{orders}/take"), json!({}))
        .await;
    w.expect(
        201,
        &w.client,
        &format!("{orders}/messages"),
        json!({"text": "Когда будет готово?"}),
    )
    .await;
    w.expect(
        201,
        &w.provider,
        &format!("{orders}/messages"),
        json!({"text": "Завтра"}),
    )
    .await;
    w.expect(
        201,
        &w.admin,
        "/api/v1/commands/admin/messages",
        json!({"order_id": order, "text": "Платформа на связи"}),
    )
    .await;
    let complaint = w
        .expect(
            201,
            &w.client,
            &format!("{orders}/complaints"),
            json!({"reason": "Исполнитель пропал на неделю"}),
        )
        .await
        .expect("complaint id");
    w.expect(
        204,
        &w.admin,
        &format!("/api/v1/commands/admin/complaints/{complaint}/review"),
        json!({}),
    )
    .await;
    w.expect(
        204,
        &w.admin,
        &format!("/api/v1/commands/admin/complaints/{complaint}/resolve"),
        json!({"to_client": "100.00", "to_provider": "50.00", "note": "Половина работы сделана"}),
    )
    .await;
    w.expect(204, &w.provider, &format!("{orders}/complete"), json!({}))
        .await;
    w.expect(204, &w.client, &format!("{orders}/complete"), json!({}))
        .await;

    let history = w.history(&order, "").await;
    assert_eq!(history["order_id"], order.as_str());

    // Exactly the events of the four kinds, in (tx_id, global_position) order.
    let expected: Vec<i64> = sqlx::query_scalar(
        "SELECT global_position FROM events \
          WHERE (aggregate_type = 'Order' AND aggregate_id = $1) \
             OR (aggregate_type = 'Subscription' AND aggregate_id = $2) \
             OR (aggregate_type = 'Complaint' AND aggregate_id = $3) \
             OR (aggregate_type = 'Wallet' AND payload -> event_type ->> 'subscription_id' = $2) \
          ORDER BY tx_id, global_position",
    )
    .bind(&order)
    .bind(&subscription)
    .bind(&complaint)
    .fetch_all(&w.app.pool)
    .await
    .expect("expected positions");
    let positions: Vec<i64> = steps(&history)
        .iter()
        .map(|s| s["position"].as_i64().expect("position"))
        .collect();
    assert_eq!(positions, expected);
    let types: Vec<&str> = steps(&history)
        .iter()
        .map(|s| s["event_type"].as_str().expect("type"))
        .collect();
    // One step's streams commit together, in the unit of work's stream
    // order (Complaint, Order, Subscription, Wallet): the complaint with the
    // frozen order and escrow; the resolution with the thaw, the settlement
    // and both credits.
    let window = |run: &[&str]| types.windows(run.len()).any(|w| w == run);
    assert!(
        window(&["ComplaintFiled", "OrderFrozen", "EscrowFrozen"]),
        "{types:?}"
    );
    assert!(
        window(&[
            "ComplaintResolved",
            "OrderUnfrozen",
            "ComplaintSettled",
            "FundsCreditedFromEscrow",
            "FundsCreditedFromEscrow"
        ]),
        "{types:?}"
    );
    assert_eq!(
        types[..3],
        [
            "SubscriptionRequested",
            "EscrowFunded",
            "FundsMovedToEscrow"
        ]
    );
    assert_eq!(types.last(), Some(&"OrderCompleted"), "{types:?}");

    let kinds: Vec<&str> = steps(&history)
        .iter()
        .map(|s| s["kind"].as_str().expect("kind"))
        .collect();
    for kind in ["order", "subscription", "complaint", "money"] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }

    // Who did what.
    assert_eq!(
        step(&history, "FundsMovedToEscrow")["actor"],
        actor_of(&w.client)
    );
    assert_eq!(
        step(&history, "SubscriptionAccepted")["actor"],
        actor_of(&w.provider)
    );
    assert_eq!(step(&history, "OrderCreated")["actor"], actor_of(&w.client));
    assert_eq!(step(&history, "OrderTaken")["actor"], actor_of(&w.provider));
    assert_eq!(
        step(&history, "ComplaintFiled")["actor"],
        actor_of(&w.client)
    );
    assert_eq!(
        step(&history, "ComplaintResolved")["actor"],
        actor_of(&w.admin)
    );
    assert_eq!(
        step(&history, "FundsCreditedFromEscrow")["actor"],
        actor_of(&w.admin)
    );
    let authors: Vec<&Value> = steps(&history)
        .iter()
        .filter(|s| s["event_type"] == "MessagePosted")
        .map(|s| &s["actor"])
        .collect();
    assert_eq!(
        authors,
        [
            &actor_of(&w.client),
            &actor_of(&w.provider),
            &actor_of(&w.admin)
        ]
    );

    // The state step by step.
    let created = step(&history, "OrderCreated");
    assert_eq!(created["kind"], "order");
    assert_eq!(created["aggregate_type"], "Order");
    assert_eq!(created["sequence"], 1);
    assert_eq!(created["state"]["status"], "created");
    assert_eq!(created["state"]["title"], "Проверить договор поставки");
    assert_eq!(created["state"]["client_id"], w.client.id.to_string());
    assert_eq!(created["state"]["provider_id"], w.provider.id.to_string());
    assert_eq!(created["state"]["subscription_id"], subscription.as_str());
    assert_eq!(created["state"]["plan"], "monthly");
    assert!(created["at"].as_str().expect("at").ends_with('Z'));
    assert_eq!(
        created["payload"]["OrderCreated"]["title"],
        "Проверить договор поставки"
    );
    let before_order = &steps(&history)[0];
    assert_eq!(before_order["state"]["status"], Value::Null);
    assert_eq!(before_order["changed"], json!([]));
    let frozen = step(&history, "OrderFrozen");
    assert_eq!(frozen["changed"], json!(["frozen_by"]));
    assert_eq!(frozen["state"]["frozen_by"], complaint.as_str());
    assert_eq!(step(&history, "EscrowFrozen")["state"], frozen["state"]);
    assert_eq!(step(&history, "EscrowFrozen")["changed"], json!([]));
    assert_eq!(
        step(&history, "OrderUnfrozen")["state"]["frozen_by"],
        Value::Null
    );
    assert_eq!(
        history["state"],
        json!({"status": "completed", "title": "Проверить договор поставки",
               "subscription_id": subscription, "client_id": w.client.id.to_string(),
               "provider_id": w.provider.id.to_string(), "plan": "monthly",
               "client_done": true, "provider_done": true, "frozen_by": null, "messages_count": 3})
    );
    assert_eq!(
        step(&history, "OrderCompleted")["changed"],
        json!(["status"])
    );

    // The split left the escrow whole: what the wallets got is what it gave.
    let settled = &step(&history, "ComplaintSettled")["payload"]["ComplaintSettled"];
    assert_eq!(settled["to_client"]["amount"], "100.00", "{settled}");
    let credited: rust_decimal::Decimal = steps(&history)
        .iter()
        .filter(|s| s["event_type"] == "FundsCreditedFromEscrow")
        .map(|s| {
            s["payload"]["FundsCreditedFromEscrow"]["amount"]["amount"]
                .as_str()
                .expect("amount")
                .parse::<rust_decimal::Decimal>()
                .expect("decimal")
        })
        .sum();
    assert_eq!(credited, rust_decimal_macros::dec!(150.00));

    // `?kind=` keeps only those steps, and the same final state.
    let money = w.history(&order, "?kind=money").await;
    let money_types: Vec<&str> = steps(&money)
        .iter()
        .map(|s| s["event_type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        money_types,
        [
            "EscrowFunded",
            "FundsMovedToEscrow",
            "ComplaintSettled",
            "FundsCreditedFromEscrow",
            "FundsCreditedFromEscrow"
        ]
    );
    assert_eq!(money["state"], history["state"]);
    let two = w.history(&order, "?kind=order,complaint").await;
    assert!(
        steps(&two)
            .iter()
            .all(|s| s["kind"] == "order" || s["kind"] == "complaint")
    );
    assert_eq!(
        steps(&two).len(),
        kinds
            .iter()
            .filter(|k| **k == "order" || **k == "complaint")
            .count()
    );
}

/// One order of the random test: its id and its open complaint, if any.
struct Live {
    id: String,
    complaint: Option<(String, Account)>,
}

#[tokio::test]
async fn replaying_random_orders_gives_the_read_model_s_state() {
    const ORDERS: usize = 100;
    const SUBSCRIPTIONS: usize = 10;
    let seed: u64 = std::env::var("HISTORY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("replaying_random_orders: HISTORY_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let w = World::new().await;
    let mut subscriptions = Vec::new();
    for _ in 0..SUBSCRIPTIONS {
        subscriptions.push(w.subscription().await);
    }
    let mut orders = Vec::new();
    for i in 0..ORDERS {
        orders.push(Live {
            id: w.order(&subscriptions[i % SUBSCRIPTIONS]).await,
            complaint: None,
        });
    }
    // Steps go to random orders, so their commits interleave; refusals
    // (taking twice, done while frozen…) are part of the game.
    let mut outcomes: HashMap<(&str, u16), u32> = HashMap::new();
    for _ in 0..ORDERS * 8 {
        let live = &mut orders[rng.random_range(0..ORDERS)];
        let path = format!("/api/v1/commands/orders/{}", live.id);
        let party = if rng.random_bool(0.5) {
            w.client.clone()
        } else {
            w.provider.clone()
        };
        let (name, status) = match rng.random_range(0..100) {
            0..15 => (
                "take",
                w.post(&w.provider, &format!("{path}/take"), json!({}))
                    .await
                    .0,
            ),
            15..45 => {
                let who = match rng.random_range(0..5) {
                    0 => w.admin.clone(),
                    1 | 2 => w.client.clone(),
                    _ => w.provider.clone(),
                };
                let status = if who.role == Role::Admin {
                    w.post(
                        &who,
                        "/api/v1/commands/admin/messages",
                        json!({"order_id": live.id, "text": "Платформа на связи"}),
                    )
                    .await
                    .0
                } else {
                    w.post(
                        &who,
                        &format!("{path}/messages"),
                        json!({"text": "Как дела?"}),
                    )
                    .await
                    .0
                };
                ("message", status)
            }
            45..65 => (
                "done",
                w.post(&party, &format!("{path}/complete"), json!({}))
                    .await
                    .0,
            ),
            65..78 => {
                let (status, answer) = w
                    .post(
                        &party,
                        &format!("{path}/complaints"),
                        json!({"reason": "Работа не сделана в срок"}),
                    )
                    .await;
                if status == 201 {
                    let id = answer["id"].as_str().expect("complaint id").to_owned();
                    live.complaint = Some((id, party));
                }
                ("complain", status)
            }
            78..88 => match live.complaint.take() {
                Some((id, filer)) => {
                    let status = w
                        .post(
                            &filer,
                            &format!("/api/v1/commands/complaints/{id}/withdraw"),
                            json!({}),
                        )
                        .await
                        .0;
                    if status != 204 {
                        live.complaint = Some((id, filer));
                    }
                    ("withdraw", status)
                }
                None => ("withdraw", 0),
            },
            _ => match live.complaint.take() {
                Some((id, filer)) => {
                    let resolve = format!("/api/v1/commands/admin/complaints/{id}/resolve");
                    // A split when this complaint holds the escrow; nothing
                    // to split when another order's complaint does.
                    let split =
                        json!({"to_client": "10.00", "to_provider": "5.00", "note": "Поровну"});
                    let mut status = w.post(&w.admin, &resolve, split).await.0;
                    if status == 422 {
                        let nothing = json!({"to_client": "0.00", "to_provider": "0.00", "note": "Без денег"});
                        status = w.post(&w.admin, &resolve, nothing).await.0;
                    }
                    if status != 204 {
                        live.complaint = Some((id, filer));
                    }
                    ("resolve", status)
                }
                None => ("resolve", 0),
            },
        };
        assert!(
            [0, 201, 204, 409, 422].contains(&status),
            "{name} answered {status} (seed {seed})"
        );
        *outcomes.entry((name, status)).or_default() += 1;
    }
    let mut outcomes: Vec<_> = outcomes.into_iter().collect();
    outcomes.sort();
    println!("outcomes (step, status) → count: {outcomes:?}");

    // The `orders` projection catches up on the same events.
    projections::rebuild(&w.app.pool, Some("orders"), projections::Progress::Silent)
        .await
        .expect("orders projection");

    let mut statuses: HashMap<String, u32> = HashMap::new();
    for live in &orders {
        let history = w.history(&live.id, "").await;
        let state = &history["state"];
        let row: (String, bool, bool, Option<Uuid>, i32) = sqlx::query_as(
            "SELECT status, client_done, provider_done, frozen_by, message_count \
               FROM read.orders WHERE id = $1::uuid",
        )
        .bind(&live.id)
        .fetch_one(&w.app.pool)
        .await
        .expect("read model row");
        let replayed = (
            state["status"].as_str().expect("status").to_owned(),
            state["client_done"].as_bool().expect("client_done"),
            state["provider_done"].as_bool().expect("provider_done"),
            state["frozen_by"]
                .as_str()
                .map(|s| s.parse().expect("uuid")),
            i32::try_from(state["messages_count"].as_u64().expect("count")).expect("fits"),
        );
        assert_eq!(replayed, row, "order {} (seed {seed})", live.id);
        // The last order step's state is the final state.
        let last = steps(&history)
            .iter()
            .rev()
            .find(|s| s["kind"] == "order")
            .expect("an order step");
        assert_eq!(&last["state"], state, "seed {seed}");
        *statuses.entry(row.0).or_default() += 1;
    }
    println!("final statuses: {statuses:?}");
}
