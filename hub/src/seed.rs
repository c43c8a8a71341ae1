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
    command_api::seed_catalog(pool)
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
    Ok(vec![CLIENT, LEGAL, DELIVERY, ADMIN, AUDITOR])
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
