//! A registered, logged-in account driven over HTTP: top-ups and other
//! commands, reads, the live stream.

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// A client account driven through the public API.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    /// The account (and wallet) id.
    pub account_id: String,
}

/// A valid 10-digit INN built from nine digits (check digit appended).
fn inn(n: u64) -> String {
    let digits: Vec<u64> = format!("{:09}", 770_000_000 + n % 100_000_000)
        .bytes()
        .map(|b| u64::from(b - b'0'))
        .collect();
    let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let check = digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u64>() % 11 % 10;
    digits.iter().map(u64::to_string).collect::<String>() + &check.to_string()
}

impl Client {
    /// Registers a fresh client and logs it in.
    pub async fn register(http: &reqwest::Client, base: &str, n: u64) -> anyhow::Result<Self> {
        let email = format!("bench-{}-{n}@bench.test", uuid::Uuid::new_v4().simple());
        let password = "bench-password-2026";
        let res = http
            .post(format!("{base}/api/v1/auth/register/client"))
            .json(&json!({
                "email": email, "password": password,
                "company": {"name": format!("Bench {n}"), "inn": inn(n)},
                "contact_name": "Bench",
            }))
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("register: {} {}", res.status(), res.text().await?);
        }
        Self::login(http, base, &email, password).await
    }

    /// Logs an existing account in.
    pub async fn login(
        http: &reqwest::Client,
        base: &str,
        email: &str,
        password: &str,
    ) -> anyhow::Result<Self> {
        let login: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(Self {
            http: http.clone(),
            base: base.to_owned(),
            token: login["access_token"]
                .as_str()
                .context("access_token")?
                .to_owned(),
            account_id: login["account_id"]
                .as_str()
                .context("account_id")?
                .to_owned(),
        })
    }

    /// POSTs `body` (with `key` as `Idempotency-Key`, if any); the JSON answer.
    pub async fn post_json(
        &self,
        path: &str,
        key: Option<&str>,
        body: Value,
    ) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body);
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        let res = req.send().await?;
        if !res.status().is_success() {
            bail!("{path}: {} {}", res.status(), res.text().await?);
        }
        Ok(res.json().await.unwrap_or(Value::Null))
    }

    /// GETs `path`; the JSON answer.
    pub async fn get_json(&self, path: &str) -> anyhow::Result<Value> {
        Ok(self.open(path).await?.json().await?)
    }

    /// Opens a long-lived GET (the live stream) as this account: the
    /// answer once its headers are in, the body still to read.
    pub async fn open(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("{path}: {} {}", res.status(), res.text().await?);
        }
        Ok(res)
    }

    /// POSTs an empty JSON object.
    pub async fn post(&self, path: &str) -> anyhow::Result<()> {
        self.post_json(path, None, json!({})).await.map(drop)
    }

    /// One top-up request with a fresh key; its answer.
    pub async fn top_up_created(&self, amount: &str) -> anyhow::Result<Value> {
        let key = uuid::Uuid::new_v4().to_string();
        self.post_json(
            "/api/v1/commands/wallet/top-ups",
            Some(&key),
            json!({"amount": amount}),
        )
        .await
    }

    /// One top-up command; errors on any non-2xx answer.
    pub async fn top_up(&self, amount: &str) -> anyhow::Result<()> {
        let res = self
            .http
            .post(format!("{}/api/v1/commands/wallet/top-ups", self.base))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .json(&json!({"amount": amount}))
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("top-up: {} {}", res.status(), res.text().await?);
        }
        Ok(())
    }
}
