//! The processes role's settings, read from `HUB_*` variables.

use platform::{ConfigError, Env};
use rust_decimal::Decimal;
use std::time::Duration;

/// Which payout bank the role talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankKind {
    /// [`crate::SandboxBank`]: sends, then settles or fails by account number.
    Sandbox,
}

impl std::str::FromStr for BankKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sandbox" => Ok(Self::Sandbox),
            other => Err(format!(
                "unknown payout bank {other:?} (only `sandbox` exists so far)"
            )),
        }
    }
}

/// How the process managers and the scheduler behave.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessesSettings {
    /// `HUB_MONEY__PLATFORM_FEE_PERCENT`, default 10: the platform's share of
    /// each released escrow, 0..=100, rounded to kopecks.
    pub platform_fee_percent: Decimal,
    /// `HUB_BILLING__RETRY_INTERVAL_SECS`, default one day: clock time between
    /// attempts to charge a past-due renewal.
    pub retry_interval: Duration,
    /// `HUB_BILLING__RETRY_COUNT`, default 3: retries after the first failed
    /// renewal before the subscription is suspended.
    pub retry_count: u32,
    /// `HUB_ORDERS__AUTO_CONFIRM_DAYS`, default 3: a provider's "done" left
    /// unanswered this long completes the order (unless a complaint froze it).
    pub auto_confirm_after: Duration,
    /// `HUB_PAYOUTS__CHECK_AFTER_SECS`, default 5: clock time from handing a
    /// payout to the bank to asking it how it went.
    pub payout_check_after: Duration,
    /// `HUB_PAYMENTS__TOP_UP_EXPIRY_SECS`, default one day: a top-up whose
    /// payment has not arrived this long after the request is failed.
    pub top_up_expiry: Duration,
    /// `HUB_PAYOUTS__BANK`: `sandbox`. Unset, `hub processes` refuses to
    /// start (`hub dev` uses the sandbox).
    pub bank: Option<BankKind>,
    /// `HUB_CLOCK__DEV`, default false: read the shifted development clock
    /// (`dev_clock` table) instead of the system clock.
    pub dev_clock: bool,
    /// `HUB_SCHEDULER__POLL_MS`, default 500: how often the scheduler looks for due jobs.
    pub poll_interval: Duration,
    /// `HUB_SCHEDULER__BATCH`, default 16: due jobs claimed at once.
    pub batch: u32,
    /// `HUB_SCHEDULER__LEASE_SECS`, default 60: a claimed job left unfinished
    /// this long (a crashed replica) is claimed again.
    pub lease: Duration,
}

impl Default for ProcessesSettings {
    fn default() -> Self {
        Self {
            platform_fee_percent: Decimal::TEN,
            retry_interval: Duration::from_secs(24 * 3600),
            retry_count: 3,
            auto_confirm_after: Duration::from_secs(3 * 24 * 3600),
            payout_check_after: Duration::from_secs(5),
            top_up_expiry: Duration::from_secs(24 * 3600),
            bank: None,
            dev_clock: false,
            poll_interval: Duration::from_millis(500),
            batch: 16,
            lease: Duration::from_secs(60),
        }
    }
}

impl ProcessesSettings {
    /// Reads the variables above; the first error names its variable.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let d = Self::default();
        let fee: Decimal =
            env.parse_or("HUB_MONEY__PLATFORM_FEE_PERCENT", d.platform_fee_percent)?;
        if fee.is_sign_negative() || fee > Decimal::ONE_HUNDRED {
            return Err(ConfigError::Invalid {
                var: "HUB_MONEY__PLATFORM_FEE_PERCENT",
                reason: "must be between 0 and 100".into(),
            });
        }
        let bank = match env.get("HUB_PAYOUTS__BANK") {
            None => None,
            Some(raw) => Some(raw.trim().parse().map_err(|reason| ConfigError::Invalid {
                var: "HUB_PAYOUTS__BANK",
                reason,
            })?),
        };
        let days: u64 = env.parse_or("HUB_ORDERS__AUTO_CONFIRM_DAYS", 3)?;
        let poll_ms: u64 = env.parse_or("HUB_SCHEDULER__POLL_MS", 500)?;
        let lease: u64 = env.parse_or("HUB_SCHEDULER__LEASE_SECS", d.lease.as_secs())?;
        let batch: u32 = env.parse_or("HUB_SCHEDULER__BATCH", d.batch)?;
        for (var, value) in [
            ("HUB_SCHEDULER__POLL_MS", poll_ms),
            ("HUB_SCHEDULER__LEASE_SECS", lease),
            ("HUB_SCHEDULER__BATCH", u64::from(batch)),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    var,
                    reason: "must be at least 1".into(),
                });
            }
        }
        Ok(Self {
            platform_fee_percent: fee,
            retry_interval: Duration::from_secs(env.parse_or(
                "HUB_BILLING__RETRY_INTERVAL_SECS",
                d.retry_interval.as_secs(),
            )?),
            retry_count: env.parse_or("HUB_BILLING__RETRY_COUNT", d.retry_count)?,
            auto_confirm_after: Duration::from_secs(days.saturating_mul(24 * 3600)),
            payout_check_after: Duration::from_secs(env.parse_or(
                "HUB_PAYOUTS__CHECK_AFTER_SECS",
                d.payout_check_after.as_secs(),
            )?),
            top_up_expiry: Duration::from_secs(env.parse_or(
                "HUB_PAYMENTS__TOP_UP_EXPIRY_SECS",
                d.top_up_expiry.as_secs(),
            )?),
            bank,
            dev_clock: env.parse_or("HUB_CLOCK__DEV", d.dev_clock)?,
            poll_interval: Duration::from_millis(poll_ms),
            batch,
            lease: Duration::from_secs(lease),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_hold_without_variables() {
        let s = ProcessesSettings::load(&Env::default()).unwrap();
        assert_eq!(s, ProcessesSettings::default());
        assert_eq!(s.platform_fee_percent, Decimal::TEN);
        assert_eq!(s.retry_count, 3);
    }

    #[test]
    fn variables_override_and_bad_values_are_named() {
        let s = ProcessesSettings::load(&Env::from_pairs([
            ("HUB_MONEY__PLATFORM_FEE_PERCENT", "12.5"),
            ("HUB_BILLING__RETRY_COUNT", "1"),
            ("HUB_PAYOUTS__BANK", "sandbox"),
        ]))
        .unwrap();
        assert_eq!(s.platform_fee_percent, Decimal::new(125, 1));
        assert_eq!(s.retry_count, 1);
        assert_eq!(s.bank, Some(BankKind::Sandbox));
        let err = ProcessesSettings::load(&Env::from_pairs([(
            "HUB_MONEY__PLATFORM_FEE_PERCENT",
            "101",
        )]))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("HUB_MONEY__PLATFORM_FEE_PERCENT")
        );
        let err =
            ProcessesSettings::load(&Env::from_pairs([("HUB_PAYOUTS__BANK", "real")])).unwrap_err();
        assert!(err.to_string().starts_with("HUB_PAYOUTS__BANK"));
    }
}
