//! What every handler can reach ([`AppState`]) and the role's settings that are
//! not the gateway's: login and registration limits and [`MoneySettings`].
use crate::account::Accounts;
use axum::extract::FromRef;
use platform::{AuthSettings, Blocklist, Env, HttpSettings, TokenKeys};
use sqlx::PgPool;
use std::time::Duration;

/// Login rate limits: failures counted in a sliding window.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Failures per (email, client IP) pair within `window` before 429:
    /// one address guessing locks only itself out of the account.
    pub per_account: i64,
    /// Failures per client IP within `window` before 429.
    pub per_ip: i64,
    /// The window.
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_ip: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// The registration limit (`HUB_REGISTRATION__*`): registrations per client
/// address in a sliding window, beyond which 429 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationLimits {
    /// `HUB_REGISTRATION__PER_IP`, default 10.
    pub per_ip: i64,
    /// `HUB_REGISTRATION__WINDOW_SECS`, default 3600.
    pub window: Duration,
}

impl Default for RegistrationLimits {
    fn default() -> Self {
        Self {
            per_ip: 10,
            window: Duration::from_secs(3600),
        }
    }
}

impl RegistrationLimits {
    /// Reads `HUB_REGISTRATION__*`, with the production defaults.
    pub fn load(env: &Env) -> Result<Self, platform::ConfigError> {
        Self::load_or(env, Self::default())
    }

    /// Reads `HUB_REGISTRATION__*`, with `defaults` for what is unset
    /// (`hub dev` passes generous ones: its bench registers hundreds of
    /// accounts from one address).
    pub fn load_or(env: &Env, defaults: Self) -> Result<Self, platform::ConfigError> {
        let per_ip = env.parse_or("HUB_REGISTRATION__PER_IP", defaults.per_ip)?;
        if per_ip < 1 {
            return Err(platform::ConfigError::Invalid {
                var: "HUB_REGISTRATION__PER_IP",
                reason: "must be at least 1".into(),
            });
        }
        let window = env.parse_or("HUB_REGISTRATION__WINDOW_SECS", defaults.window.as_secs())?;
        if window == 0 {
            return Err(platform::ConfigError::Invalid {
                var: "HUB_REGISTRATION__WINDOW_SECS",
                reason: "must be at least 1".into(),
            });
        }
        Ok(Self {
            per_ip,
            window: Duration::from_secs(window),
        })
    }
}

/// Shared state of the command-api role; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The PostgreSQL pool (event store and identity tables).
    pub pool: PgPool,
    /// Signs and verifies access tokens.
    /// Blocked accounts, refused on every request.
    pub blocklist: Blocklist,
    pub tokens: TokenKeys,
    /// How long refresh tokens live.
    pub refresh_ttl: Duration,
    /// Login rate limits.
    pub login_limits: LoginLimits,
    /// Registrations per client address.
    pub registration_limits: RegistrationLimits,
    /// Listener and per-request limits (the idempotency layer reuses the body limit).
    pub http: HttpSettings,
    /// The Account aggregate's command handler.
    pub accounts: Accounts,
    /// Request deadlines (`HUB_DISPATCH__*`).
    pub money: MoneySettings,
    /// The payment gateway and the webhook's keys (`HUB_PAYMENTS__*`).
    pub payments: crate::payments::Payments,
    /// Business time (deadlines, acceptances, order and complaint times):
    /// the system clock, or `hub dev`'s movable one, as the scheduler sees it.
    pub clock: std::sync::Arc<dyn store::clock::Clock>,
    /// One money request at a time per wallet in this process.
    pub turns: crate::turns::Turns,
    /// What the chat accepts as files (`HUB_ATTACHMENTS__*`).
    pub attachments: crate::attachment::AttachmentSettings,
    /// Where posted files are kept.
    pub files: std::sync::Arc<dyn store::AttachmentStore>,
}

impl AppState {
    /// State from a pool and the role's settings, with default login and
    /// registration limits
    /// and the sandbox gateway calling back this role's own address with a
    /// random secret (a role outside `hub dev` sets [`Self::with_payments`]).
    pub fn new(pool: PgPool, auth: &AuthSettings, http: HttpSettings) -> Self {
        let payments = crate::payments::PaymentSettings::sandbox_with_random_secret(format!(
            "http://{}/api/v1/payments/webhook",
            http.addr
        ));
        Self {
            payments: crate::payments::Payments::new(&payments, &pool),
            accounts: Accounts::new(pool.clone()),
            blocklist: Blocklist::start(pool.clone()),
            attachments: crate::attachment::AttachmentSettings::default(),
            files: std::sync::Arc::new(store::PgAttachments::new(pool.clone())),
            pool,
            tokens: TokenKeys::new(auth),
            refresh_ttl: auth.refresh_ttl,
            login_limits: LoginLimits::default(),
            registration_limits: RegistrationLimits::default(),
            http,
            money: MoneySettings::default(),
            clock: std::sync::Arc::new(store::clock::SystemClock),
            turns: crate::turns::Turns::default(),
        }
    }
}

impl AppState {
    /// The same state with the gateway `settings` name.
    pub fn with_payments(mut self, settings: &crate::payments::PaymentSettings) -> Self {
        self.payments = crate::payments::Payments::new(settings, &self.pool);
        self
    }
}

impl FromRef<AppState> for TokenKeys {
    fn from_ref(s: &AppState) -> Self {
        s.tokens.clone()
    }
}

impl FromRef<AppState> for Blocklist {
    fn from_ref(s: &AppState) -> Self {
        s.blocklist.clone()
    }
}

/// Settings of the money commands (the gateway's are
/// [`crate::payments::PaymentSettings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoneySettings {
    /// `HUB_DISPATCH__ACCEPT_WITHIN_SECS`, default 24 h: how long a request
    /// waits for a provider.
    pub accept_within: Duration,
}

impl Default for MoneySettings {
    fn default() -> Self {
        Self {
            accept_within: Duration::from_secs(24 * 3600),
        }
    }
}

impl MoneySettings {
    /// Reads `HUB_DISPATCH__ACCEPT_WITHIN_SECS`.
    pub fn load(env: &Env) -> Result<Self, platform::ConfigError> {
        let d = Self::default();
        Ok(Self {
            accept_within: Duration::from_secs(env.parse_or(
                "HUB_DISPATCH__ACCEPT_WITHIN_SECS",
                d.accept_within.as_secs(),
            )?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_to_a_day() {
        let s = MoneySettings::load(&Env::from_pairs(Vec::<(String, String)>::new())).unwrap();
        assert_eq!(s, MoneySettings::default());
        assert_eq!(s.accept_within, Duration::from_secs(86_400));
    }

    #[test]
    fn registration_limits_default_to_ten_an_hour_and_read_the_environment() {
        let none = Env::from_pairs(Vec::<(String, String)>::new());
        assert_eq!(
            RegistrationLimits::load(&none).unwrap(),
            RegistrationLimits {
                per_ip: 10,
                window: Duration::from_secs(3600)
            }
        );
        let env = Env::from_pairs([
            ("HUB_REGISTRATION__PER_IP", "500"),
            ("HUB_REGISTRATION__WINDOW_SECS", "60"),
        ]);
        let set = RegistrationLimits::load(&env).unwrap();
        assert_eq!((set.per_ip, set.window.as_secs()), (500, 60));
        let generous = RegistrationLimits {
            per_ip: 100_000,
            ..RegistrationLimits::default()
        };
        assert_eq!(
            RegistrationLimits::load_or(&none, generous).unwrap(),
            generous
        );
        let zero = Env::from_pairs([("HUB_REGISTRATION__PER_IP", "0")]);
        assert!(RegistrationLimits::load(&zero).is_err());
    }

    #[test]
    fn settings_read_the_environment() {
        let env = Env::from_pairs([("HUB_DISPATCH__ACCEPT_WITHIN_SECS", "600")]);
        let s = MoneySettings::load(&env).unwrap();
        assert_eq!(s.accept_within, Duration::from_secs(600));
        let bad = Env::from_pairs([("HUB_DISPATCH__ACCEPT_WITHIN_SECS", "soon")]);
        assert!(MoneySettings::load(&bad).is_err());
    }
}
