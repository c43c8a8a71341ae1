//! A lived-in demo for `hub dev`: money, a running monthly subscription with
//! orders and chat, a finished one-off, an open complaint, a provider's
//! earnings and a settled payout. Every step goes through the public API
//! and the roles' own reactions (payment sandbox, process managers), exactly
//! as a user's would; the demo shows those paths working, not a shortcut.
//!
//! Told once per database: money POSTs carry fixed `Idempotency-Key`s, and
//! the story is skipped when the demo client's wallet already has history.

use anyhow::{Context, bail};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

/// How long the story waits for a reaction (a webhook, a process manager).
const PATIENCE: Duration = Duration::from_secs(30);

struct Caller<'a> {
    http: &'a reqwest::Client,
    base: &'a str,
    token: String,
    account_id: String,
}

impl Caller<'_> {
    async fn post(&self, path: &str, key: Option<&str>, body: Value) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body);
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("POST {path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

async fn login<'a>(
    http: &'a reqwest::Client,
    base: &'a str,
    email: &str,
    password: &str,
) -> anyhow::Result<Caller<'a>> {
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?;
    if res.status() != StatusCode::OK {
        bail!("login {email}: {}", res.status());
    }
    let body: Value = res.json().await?;
    Ok(Caller {
        http,
        base,
        token: body["access_token"].as_str().unwrap_or_default().to_owned(),
        account_id: body["account_id"].as_str().unwrap_or_default().to_owned(),
    })
}

/// Waits until `sql` (one boolean, `$1` bound to `arg`) holds.
async fn until(pool: &PgPool, what: &str, sql: &str, arg: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let done: bool = sqlx::query_scalar(sql).bind(arg).fetch_one(pool).await?;
        if done {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("gave up waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const HAS_EVENT: &str =
    "SELECT EXISTS (SELECT 1 FROM events WHERE aggregate_id = $1 AND event_type = '";

fn event_exists(event_type: &str) -> String {
    format!("{HAS_EVENT}{event_type}')")
}

/// Tops `who` up through the payment sandbox and waits for the webhook.
async fn top_up(pool: &PgPool, who: &Caller<'_>, key: &str, amount: &str) -> anyhow::Result<()> {
    let created = who
        .post(
            "/api/v1/commands/wallet/top-ups",
            Some(key),
            json!({"amount": amount}),
        )
        .await?;
    if let Some(payment) = created["payment_id"].as_str() {
        who.post(
            &format!("/api/v1/payments/sandbox/{payment}/approve"),
            None,
            json!({}),
        )
        .await?;
    }
    until(
        pool,
        "the top-up to settle",
        &event_exists("TopUpSettled"),
        &who.account_id,
    )
    .await
}

/// Asks for a service and has `provider` accept it; returns its id.
async fn accepted(
    client: &Caller<'_>,
    provider: &Caller<'_>,
    key: &str,
    service_type: &str,
    plan: &str,
    description: &str,
) -> anyhow::Result<String> {
    let created = client
        .post(
            "/api/v1/commands/subscriptions",
            Some(key),
            json!({"service_type": service_type, "plan": plan, "description": description}),
        )
        .await?;
    let id = created["id"]
        .as_str()
        .context("subscription id")?
        .to_owned();
    provider
        .post(
            &format!("/api/v1/commands/subscriptions/{id}/accept"),
            None,
            json!({}),
        )
        .await?;
    Ok(id)
}

/// An order in `subscription`, taken into work by `provider`; returns its id.
async fn taken_order(
    client: &Caller<'_>,
    provider: &Caller<'_>,
    subscription: &str,
    title: &str,
    details: &str,
) -> anyhow::Result<String> {
    let created = client
        .post(
            &format!("/api/v1/commands/subscriptions/{subscription}/orders"),
            None,
            json!({"title": title, "details": details}),
        )
        .await?;
    let id = created["id"].as_str().context("order id")?.to_owned();
    provider
        .post(
            &format!("/api/v1/commands/orders/{id}/take"),
            None,
            json!({}),
        )
        .await?;
    Ok(id)
}

async fn say(who: &Caller<'_>, order: &str, text: &str) -> anyhow::Result<()> {
    who.post(
        &format!("/api/v1/commands/orders/{order}/messages"),
        None,
        json!({"text": text}),
    )
    .await
    .map(drop)
}

/// Tells the demo story unless this database already has it.
pub async fn tell(
    base: &str,
    pool: &PgPool,
    client: (&str, &str),
    provider: (&str, &str),
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let client = login(&http, base, client.0, client.1).await?;
    let provider = login(&http, base, provider.0, provider.1).await?;
    let told: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM events WHERE aggregate_type = 'Wallet' AND aggregate_id = $1)",
    )
    .bind(&client.account_id)
    .fetch_one(pool)
    .await?;
    if told {
        return Ok(());
    }

    top_up(pool, &client, "demo-top-up", "300000.00").await?;

    // A running monthly legal service, with work in progress and a chat.
    let monthly = accepted(
        &client,
        &provider,
        "demo-monthly",
        "legal",
        "monthly",
        "Юридическое сопровождение: договоры с поставщиками, претензии",
    )
    .await?;
    let order = taken_order(
        &client,
        &provider,
        &monthly,
        "Проверить договор поставки",
        "Договор с ООО «Северные поставки», 14 страниц, нужен до пятницы",
    )
    .await?;
    say(
        &client,
        &order,
        "Добрый день! Договор во вложении к письму, срок — пятница.",
    )
    .await?;
    say(
        &provider,
        &order,
        "Здравствуйте, взяли в работу. Вопросы по пункту 7.2 пришлём завтра.",
    )
    .await?;
    client
        .post(
            &format!("/api/v1/commands/subscriptions/{monthly}/orders"),
            None,
            json!({"title": "Претензия контрагенту", "details": "Просрочка поставки на 12 дней"}),
        )
        .await?;

    // A one-off accounting job, done by both sides: the process managers
    // release the escrow to the provider (minus the platform's fee).
    let one_off = accepted(
        &client,
        &provider,
        "demo-one-off",
        "accounting",
        "one_off",
        "Подготовить декларацию по НДС за III квартал",
    )
    .await?;
    let done = taken_order(
        &client,
        &provider,
        &one_off,
        "Декларация по НДС, III квартал",
        "Выписки и книга покупок — в приложении",
    )
    .await?;
    say(
        &provider,
        &done,
        "Декларация готова и отправлена в ваш кабинет.",
    )
    .await?;
    for who in [&provider, &client] {
        who.post(
            &format!("/api/v1/commands/orders/{done}/complete"),
            None,
            json!({}),
        )
        .await?;
    }
    until(
        pool,
        "the one-off to complete",
        &event_exists("SubscriptionCompleted"),
        &one_off,
    )
    .await?;

    // A dispute still open: the client complains about a one-off order.
    let disputed = accepted(
        &client,
        &provider,
        "demo-dispute",
        "legal",
        "one_off",
        "Регистрация товарного знака",
    )
    .await?;
    let order = taken_order(
        &client,
        &provider,
        &disputed,
        "Подать заявку в Роспатент",
        "Знак «Ромашка», классы 29 и 30",
    )
    .await?;
    client
        .post(
            &format!("/api/v1/commands/orders/{order}/complaints"),
            None,
            json!({"reason": "Заявка не подана в оговорённый срок, ответа нет три дня"}),
        )
        .await?;

    // The provider takes part of its earnings out; the sandbox bank settles it.
    provider
        .post(
            "/api/v1/commands/wallet/withdrawals",
            Some("demo-payout"),
            json!({"amount": "5000.00", "bank": {"bik": "044525225", "account": "40702810238720001420"}}),
        )
        .await?;
    until(
        pool,
        "the payout to settle",
        &event_exists("WithdrawalSettled"),
        &provider.account_id,
    )
    .await
}
