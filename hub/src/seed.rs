//! Demo data for `hub dev`, entered through the public API like any user
//! would, so a fresh laptop shows the real paths working. Safe to repeat:
//! an existing login is kept as it is.

use anyhow::Context;
use domain::Role;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;

/// A demo login to print.
pub struct Login {
    pub role: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

pub const CLIENT: Login = Login {
    role: "client",
    email: "client@hub.demo",
    password: "client-demo-2026",
};
pub const LEGAL: Login = Login {
    role: "provider",
    email: "legal@hub.demo",
    password: "provider-demo-2026",
};
const DELIVERY: Login = Login {
    role: "provider",
    email: "delivery@hub.demo",
    password: "provider-demo-2026",
};
const ADMIN: Login = Login {
    role: "admin",
    email: "admin@hub.demo",
    password: "admin-demo-2026",
};
const AUDITOR: Login = Login {
    role: "auditor",
    email: "auditor@hub.demo",
    password: "auditor-demo-2026",
};

/// Seeds the demo accounts and returns their logins.
pub async fn demo(base: &str, pool: &PgPool) -> anyhow::Result<Vec<Login>> {
    let http = reqwest::Client::new();
    command_api::money::seed_catalog(pool)
        .await
        .context("seeding the catalog")?;
    for (login, role) in [(&ADMIN, Role::Admin), (&AUDITOR, Role::Auditor)] {
        if !exists(pool, login.email).await? {
            command_api::bootstrap_staff(pool, login.email, login.password, role)
                .await
                .with_context(|| format!("creating {}", login.email))?;
        }
    }
    register(
        &http,
        base,
        "client",
        json!({
            "email": CLIENT.email, "password": CLIENT.password,
            "company": {"name": "ООО «Ромашка»", "inn": "7701000019"},
            "contact_name": "Анна Петрова",
        }),
    )
    .await?;
    register(
        &http,
        base,
        "provider",
        json!({
            "email": LEGAL.email, "password": LEGAL.password,
            "company": {"name": "Юридическое бюро «Право»", "inn": "7802000022"},
            "contact_name": "Игорь Смирнов",
            "service_types": ["legal", "accounting"],
        }),
    )
    .await?;
    register(
        &http,
        base,
        "provider",
        json!({
            "email": DELIVERY.email, "password": DELIVERY.password,
            "company": {"name": "Курьерская служба «Быстро»", "inn": "5003000030"},
            "contact_name": "Ольга Кузнецова",
            "service_types": ["delivery"],
        }),
    )
    .await?;
    // The demo client has money, paid in as any client pays: through the
    // payment gateway (the sandbox in dev), settled by its signed webhook.
    let client = login(&http, base, &CLIENT).await?;
    top_up(&http, base, &client, "50000.00", "seed-client-top-up-1").await?;
    Ok(vec![CLIENT, LEGAL, DELIVERY, ADMIN, AUDITOR])
}

/// An access token for `who`.
async fn login(http: &reqwest::Client, base: &str, who: &Login) -> anyhow::Result<String> {
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": who.email, "password": who.password}))
        .send()
        .await?;
    if res.status() != StatusCode::OK {
        anyhow::bail!("logging in {}: {}", who.email, res.status());
    }
    let body: serde_json::Value = res.json().await?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("login answered no access_token")
}

/// Tops up through the sandbox gateway: request (with a fixed
/// `Idempotency-Key`, so a second seeding finds the same top-up), approve on
/// the sandbox, and wait until the webhook settled it.
pub async fn top_up(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    amount: &str,
    key: &str,
) -> anyhow::Result<()> {
    let res = http
        .post(format!("{base}/api/v1/commands/wallet/top-ups"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({"amount": amount}))
        .send()
        .await?;
    if res.status() != StatusCode::CREATED {
        anyhow::bail!(
            "top-up: {} {}",
            res.status(),
            res.text().await.unwrap_or_default()
        );
    }
    let body: serde_json::Value = res.json().await?;
    let payment = body["payment_id"]
        .as_str()
        .context("top-up answered no payment_id")?
        .to_owned();
    let page = format!("{base}/api/v1/payments/sandbox/{payment}");
    for attempt in 0..100 {
        let state: serde_json::Value = http.get(&page).send().await?.json().await?;
        match state["status"].as_str() {
            Some("settled") => return Ok(()),
            Some("failed") => anyhow::bail!("demo top-up {payment} failed"),
            // Approve once; later rounds only wait for the callback.
            Some("pending") if attempt == 0 => {
                let res = http.post(format!("{page}/approve")).send().await?;
                if res.status() != StatusCode::ACCEPTED {
                    anyhow::bail!("approving {payment}: {}", res.status());
                }
            }
            Some("pending") => {}
            _ => anyhow::bail!("sandbox page of {payment}: {state}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("demo top-up {payment} not settled within 10 s")
}

async fn exists(pool: &PgPool, email: &str) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM credentials WHERE lower(email) = lower($1))",
    )
    .bind(email)
    .fetch_one(pool)
    .await?)
}

async fn register(
    http: &reqwest::Client,
    base: &str,
    kind: &str,
    body: serde_json::Value,
) -> anyhow::Result<()> {
    let res = http
        .post(format!("{base}/api/v1/auth/register/{kind}"))
        .json(&body)
        .send()
        .await?;
    match res.status() {
        StatusCode::CREATED | StatusCode::CONFLICT => Ok(()),
        status => anyhow::bail!(
            "registering {}: {status} {}",
            body["email"],
            res.text().await.unwrap_or_default()
        ),
    }
}
