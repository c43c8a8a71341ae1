//! `HUB_PAYMENTS__*`: which gateway takes payments and how its callbacks are
//! checked.

use platform::{ConfigError, Env};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// Which acquirer stands behind [`super::PaymentGateway`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayKind {
    /// [`super::SandboxGateway`]: Hub's own stand-in, with a page to approve
    /// or decline and a signed callback. The only kind so far.
    Sandbox,
}

impl std::str::FromStr for GatewayKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sandbox" => Ok(Self::Sandbox),
            other => Err(format!("unknown gateway `{other}` (known: sandbox)")),
        }
    }
}

/// The payment gateway's settings.
#[derive(Debug, Clone)]
pub struct PaymentSettings {
    /// `HUB_PAYMENTS__GATEWAY`, default `sandbox`.
    pub gateway: GatewayKind,
    /// `HUB_PAYMENTS__WEBHOOK_SECRET`, required, at least 32 bytes: signs
    /// (sandbox) and verifies (webhook) callbacks.
    pub webhook_secret: SecretString,
    /// `HUB_PAYMENTS__WEBHOOK_PREVIOUS_SECRET`, optional: still accepted while
    /// a rotation is under way (the acquirer may sign with either).
    pub previous_webhook_secret: Option<SecretString>,
    /// `HUB_PAYMENTS__WEBHOOK_URL`: where the gateway posts its callbacks,
    /// e.g. `http://127.0.0.1:8080/api/v1/payments/webhook`. Required by the
    /// sandbox, which makes those posts itself.
    pub webhook_url: String,
    /// `HUB_PAYMENTS__SANDBOX_DELAY_MS`, default 200: how long the sandbox
    /// waits after approve/decline before calling back, as an acquirer would.
    pub sandbox_delay: Duration,
}

impl PaymentSettings {
    /// The shortest webhook secret accepted.
    pub const MIN_SECRET_BYTES: usize = 32;

    /// The sandbox calling back `webhook_url`, signing with `secret`.
    pub fn sandbox(webhook_url: impl Into<String>, secret: SecretString) -> Self {
        Self {
            gateway: GatewayKind::Sandbox,
            webhook_secret: secret,
            previous_webhook_secret: None,
            webhook_url: webhook_url.into(),
            sandbox_delay: Duration::from_millis(200),
        }
    }

    /// The sandbox with a random secret: for `hub dev` and tests, where
    /// both ends of the callback live in one process.
    pub fn sandbox_with_random_secret(webhook_url: impl Into<String>) -> Self {
        let key: [u8; 32] = rand::random();
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        Self::sandbox(webhook_url, SecretString::from(hex))
    }

    /// Reads `HUB_PAYMENTS__*`; the first error names its variable.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let gateway = env.parse_or("HUB_PAYMENTS__GATEWAY", GatewayKind::Sandbox)?;
        let webhook_secret = secret(env, "HUB_PAYMENTS__WEBHOOK_SECRET")?;
        let previous_webhook_secret = match env.get("HUB_PAYMENTS__WEBHOOK_PREVIOUS_SECRET") {
            Some(_) => Some(secret(env, "HUB_PAYMENTS__WEBHOOK_PREVIOUS_SECRET")?),
            None => None,
        };
        let webhook_url = env
            .get("HUB_PAYMENTS__WEBHOOK_URL")
            .ok_or(ConfigError::Missing("HUB_PAYMENTS__WEBHOOK_URL"))?
            .trim()
            .to_owned();
        if !(webhook_url.starts_with("http://") || webhook_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                var: "HUB_PAYMENTS__WEBHOOK_URL",
                reason: "must be an http:// or https:// URL".into(),
            });
        }
        let delay_ms = env.parse_or("HUB_PAYMENTS__SANDBOX_DELAY_MS", 200u64)?;
        Ok(Self {
            gateway,
            webhook_secret,
            previous_webhook_secret,
            webhook_url,
            sandbox_delay: Duration::from_millis(delay_ms),
        })
    }
}

fn secret(env: &Env, var: &'static str) -> Result<SecretString, ConfigError> {
    let s = env.secret(var)?;
    if s.expose_secret().len() < PaymentSettings::MIN_SECRET_BYTES {
        return Err(ConfigError::Invalid {
            var,
            reason: format!(
                "must be at least {} bytes",
                PaymentSettings::MIN_SECRET_BYTES
            ),
        });
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const URL: &str = "http://127.0.0.1:8080/api/v1/payments/webhook";

    #[test]
    fn the_secret_is_required_and_named() {
        let err = PaymentSettings::load(&Env::from_pairs([("HUB_PAYMENTS__WEBHOOK_URL", URL)]))
            .unwrap_err();
        assert!(err.to_string().contains("HUB_PAYMENTS__WEBHOOK_SECRET"));
    }

    #[test]
    fn a_short_secret_is_refused() {
        let err = PaymentSettings::load(&Env::from_pairs([
            ("HUB_PAYMENTS__WEBHOOK_SECRET", "short"),
            ("HUB_PAYMENTS__WEBHOOK_URL", URL),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"));
    }

    #[test]
    fn defaults_are_the_sandbox_and_200_ms() {
        let s = PaymentSettings::load(&Env::from_pairs([
            ("HUB_PAYMENTS__WEBHOOK_SECRET", SECRET),
            ("HUB_PAYMENTS__WEBHOOK_URL", URL),
        ]))
        .unwrap();
        assert_eq!(s.gateway, GatewayKind::Sandbox);
        assert_eq!(s.webhook_url, URL);
        assert_eq!(s.sandbox_delay, Duration::from_millis(200));
        assert!(s.previous_webhook_secret.is_none());
    }

    #[test]
    fn every_variable_is_read_and_checked() {
        let s = PaymentSettings::load(&Env::from_pairs([
            ("HUB_PAYMENTS__GATEWAY", "sandbox"),
            ("HUB_PAYMENTS__WEBHOOK_SECRET", SECRET),
            ("HUB_PAYMENTS__WEBHOOK_PREVIOUS_SECRET", SECRET),
            ("HUB_PAYMENTS__WEBHOOK_URL", URL),
            ("HUB_PAYMENTS__SANDBOX_DELAY_MS", "0"),
        ]))
        .unwrap();
        assert!(s.previous_webhook_secret.is_some());
        assert_eq!(s.sandbox_delay, Duration::ZERO);
        for (var, value) in [
            ("HUB_PAYMENTS__GATEWAY", "stripe"),
            ("HUB_PAYMENTS__WEBHOOK_URL", "ftp://x"),
            ("HUB_PAYMENTS__SANDBOX_DELAY_MS", "soon"),
            ("HUB_PAYMENTS__WEBHOOK_PREVIOUS_SECRET", "short"),
        ] {
            let mut pairs = vec![
                ("HUB_PAYMENTS__WEBHOOK_SECRET", SECRET),
                ("HUB_PAYMENTS__WEBHOOK_URL", URL),
            ];
            pairs.retain(|(k, _)| *k != var);
            pairs.push((var, value));
            let err = PaymentSettings::load(&Env::from_pairs(pairs)).unwrap_err();
            assert!(err.to_string().contains(var), "{err}");
        }
    }
}
