//! Typed configuration from `HUB_`-prefixed environment variables, `__`
//! separating nested keys (`HUB_DATABASE__URL`, `HUB_HTTP__ADDR`), so
//! Kubernetes ConfigMaps and Secrets map straight in.
//!
//! Parsing is hand-written rather than serde-driven: every error names the
//! variable at fault, and tests pass their own variables without touching the
//! process environment.

use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

/// A variable is missing or malformed; the message names it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable without a safe default is unset.
    #[error("{0} must be set")]
    Missing(&'static str),
    /// A variable's value does not parse or breaks a limit.
    #[error("{var}: {reason}")]
    Invalid {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
}

/// The variables a role reads from, captured once.
#[derive(Debug, Clone, Default)]
pub struct Env(HashMap<String, String>);

impl Env {
    /// The process environment's `HUB_*` variables.
    pub fn from_process() -> Self {
        Self::from_pairs(std::env::vars().filter(|(k, _)| k.starts_with("HUB_")))
    }

    /// Explicit variables (tests, `hub dev`).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// The raw value, if set and not blank.
    pub fn get(&self, var: &str) -> Option<&str> {
        self.0
            .get(var)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// Parses `var`, or returns `default` when unset.
    pub fn parse_or<T>(&self, var: &'static str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        match self.get(var) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|e: T::Err| ConfigError::Invalid {
                    var,
                    reason: format!("`{raw}` does not parse: {e}"),
                }),
        }
    }

    /// A secret, required.
    pub fn secret(&self, var: &'static str) -> Result<SecretString, ConfigError> {
        self.get(var)
            .map(|v| SecretString::from(v.to_owned()))
            .ok_or(ConfigError::Missing(var))
    }
}

/// The PostgreSQL connection.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `HUB_DATABASE__URL`; defaults to the local development server's `hub` database.
    pub url: SecretString,
    /// `HUB_DATABASE__MAX_CONNECTIONS`, default 10.
    pub max_connections: u32,
}

impl DatabaseSettings {
    /// The local development server (trust auth), a safe default for `hub dev`.
    pub const DEV_URL: &'static str = "postgres://postgres@127.0.0.1:5432/hub";

    /// Reads `HUB_DATABASE__*`.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let url = env
            .get("HUB_DATABASE__URL")
            .unwrap_or(Self::DEV_URL)
            .to_owned();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                var: "HUB_DATABASE__URL",
                reason: "must be a postgres:// URL".into(),
            });
        }
        let max_connections = env.parse_or("HUB_DATABASE__MAX_CONNECTIONS", 10u32)?;
        if max_connections == 0 {
            return Err(ConfigError::Invalid {
                var: "HUB_DATABASE__MAX_CONNECTIONS",
                reason: "must be at least 1".into(),
            });
        }
        Ok(Self {
            url: SecretString::from(url),
            max_connections,
        })
    }
}

/// The HTTP listener and its per-request limits.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// `HUB_HTTP__ADDR`, default `127.0.0.1:8080` (set `0.0.0.0:8080` in a container).
    pub addr: SocketAddr,
    /// `HUB_HTTP__BODY_LIMIT_BYTES`, default 64 KiB: no command needs more.
    pub body_limit_bytes: usize,
    /// `HUB_HTTP__REQUEST_TIMEOUT_SECS`, default 15.
    pub request_timeout: Duration,
    /// `HUB_HTTP__TRUST_FORWARDED_FOR`, default false: take the client address
    /// from `X-Forwarded-For` (only behind an ingress that sets it).
    pub trust_forwarded_for: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(15),
            trust_forwarded_for: false,
        }
    }
}

impl HttpSettings {
    /// Reads `HUB_HTTP__*`.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let d = Self::default();
        let timeout = env.parse_or(
            "HUB_HTTP__REQUEST_TIMEOUT_SECS",
            d.request_timeout.as_secs(),
        )?;
        if timeout == 0 {
            return Err(ConfigError::Invalid {
                var: "HUB_HTTP__REQUEST_TIMEOUT_SECS",
                reason: "must be at least 1".into(),
            });
        }
        Ok(Self {
            addr: env.parse_or("HUB_HTTP__ADDR", d.addr)?,
            body_limit_bytes: env.parse_or("HUB_HTTP__BODY_LIMIT_BYTES", d.body_limit_bytes)?,
            request_timeout: Duration::from_secs(timeout),
            trust_forwarded_for: env
                .parse_or("HUB_HTTP__TRUST_FORWARDED_FOR", d.trust_forwarded_for)?,
        })
    }
}

/// Where Prometheus scrapes: a listener of its own, never the public API's
/// port (the Ingress routes every path of that to the world).
#[derive(Debug, Clone)]
pub struct MetricsSettings {
    /// `HUB_METRICS__ADDR`, default `127.0.0.1:9090` (set `0.0.0.0:9090` in a container).
    pub addr: SocketAddr,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 9090)),
        }
    }
}

impl MetricsSettings {
    /// Reads `HUB_METRICS__*`.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            addr: env.parse_or("HUB_METRICS__ADDR", Self::default().addr)?,
        })
    }
}

/// Access tokens.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// `HUB_AUTH__JWT_SECRET`, required, at least 32 bytes: there is no safe default.
    pub jwt_secret: SecretString,
    /// `HUB_AUTH__ACCESS_TTL_SECS`, default 900 (15 minutes).
    pub access_ttl: Duration,
    /// `HUB_AUTH__REFRESH_TTL_SECS`, default 30 days.
    pub refresh_ttl: Duration,
}

impl AuthSettings {
    /// The shortest HS256 secret accepted.
    pub const MIN_SECRET_BYTES: usize = 32;

    /// Reads `HUB_AUTH__*`.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let jwt_secret = env.secret("HUB_AUTH__JWT_SECRET")?;
        if jwt_secret.expose_secret().len() < Self::MIN_SECRET_BYTES {
            return Err(ConfigError::Invalid {
                var: "HUB_AUTH__JWT_SECRET",
                reason: format!("must be at least {} bytes", Self::MIN_SECRET_BYTES),
            });
        }
        let access = env.parse_or("HUB_AUTH__ACCESS_TTL_SECS", 900u64)?;
        let refresh = env.parse_or("HUB_AUTH__REFRESH_TTL_SECS", 30 * 24 * 3600u64)?;
        if access == 0 || refresh <= access {
            return Err(ConfigError::Invalid {
                var: "HUB_AUTH__REFRESH_TTL_SECS",
                reason: "access TTL must be positive and shorter than the refresh TTL".into(),
            });
        }
        Ok(Self {
            jwt_secret,
            access_ttl: Duration::from_secs(access),
            refresh_ttl: Duration::from_secs(refresh),
        })
    }
}

/// Everything an HTTP role reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `HUB_DATABASE__*`.
    pub database: DatabaseSettings,
    /// `HUB_HTTP__*`.
    pub http: HttpSettings,
    /// `HUB_AUTH__*`.
    pub auth: AuthSettings,
}

impl Settings {
    /// Reads every section from `env`; the first error names its variable.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            database: DatabaseSettings::load(env)?,
            http: HttpSettings::load(env)?,
            auth: AuthSettings::load(env)?,
        })
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&Env::from_process())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn defaults_apply_when_only_the_secret_is_set() {
        let s = Settings::load(&Env::from_pairs([("HUB_AUTH__JWT_SECRET", SECRET)])).unwrap();
        assert_eq!(s.http.addr.port(), 8080);
        assert_eq!(s.database.url.expose_secret(), DatabaseSettings::DEV_URL);
        assert_eq!(s.auth.access_ttl, Duration::from_secs(900));
    }

    #[test]
    fn nested_variables_override_defaults() {
        let s = Settings::load(&Env::from_pairs([
            ("HUB_AUTH__JWT_SECRET", SECRET),
            ("HUB_HTTP__ADDR", "0.0.0.0:9000"),
            ("HUB_DATABASE__URL", "postgres://u@db:5432/x"),
        ]))
        .unwrap();
        assert_eq!(s.http.addr.to_string(), "0.0.0.0:9000");
        assert_eq!(s.database.url.expose_secret(), "postgres://u@db:5432/x");
    }

    #[test]
    fn a_missing_secret_is_named() {
        let err = Settings::load(&Env::default()).unwrap_err();
        assert_eq!(err.to_string(), "HUB_AUTH__JWT_SECRET must be set");
    }

    #[test]
    fn a_short_secret_is_refused() {
        let err =
            Settings::load(&Env::from_pairs([("HUB_AUTH__JWT_SECRET", "short")])).unwrap_err();
        assert!(err.to_string().starts_with("HUB_AUTH__JWT_SECRET:"));
    }

    #[test]
    fn metrics_listen_on_their_own_port() {
        assert_eq!(
            MetricsSettings::load(&Env::default())
                .unwrap()
                .addr
                .to_string(),
            "127.0.0.1:9090"
        );
        let s = MetricsSettings::load(&Env::from_pairs([("HUB_METRICS__ADDR", "0.0.0.0:9100")]))
            .unwrap();
        assert_eq!(s.addr.to_string(), "0.0.0.0:9100");
        let err =
            MetricsSettings::load(&Env::from_pairs([("HUB_METRICS__ADDR", "9090")])).unwrap_err();
        assert!(err.to_string().starts_with("HUB_METRICS__ADDR:"), "{err}");
    }

    #[test]
    fn a_malformed_address_is_named() {
        let err = Settings::load(&Env::from_pairs([
            ("HUB_AUTH__JWT_SECRET", SECRET),
            ("HUB_HTTP__ADDR", "nope"),
        ]))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("HUB_HTTP__ADDR: `nope` does not parse")
        );
    }
}
