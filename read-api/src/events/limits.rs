//! How many SSE streams a replica holds: at most `max_per_account` per
//! account and `max_total` in all (`HUB_EVENTS__*`). Each open stream holds
//! a [`Slot`], dropped with the response body, so a slot frees as soon as
//! the stream ends, however it ends.

use platform::Problem;
use platform::config::{ConfigError, Env};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use uuid::Uuid;

/// What a refused stream is told to wait before trying again.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The stream's limits and its tickets' lifetime.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// `HUB_EVENTS__MAX_PER_ACCOUNT`, default 20: the web app opens a
    /// stream per live component (the bell, the page, a list), so one tab
    /// holds two or three, and a closed one's slot frees only when the
    /// server notices; 5 refused a client with three tabs (the browser test).
    pub max_per_account: usize,
    /// `HUB_EVENTS__MAX_TOTAL`, default 10 000: streams per replica.
    pub max_total: usize,
    /// `HUB_EVENTS__TICKET_TTL_SECS`, default 30: how long a ticket works.
    pub ticket_ttl: Duration,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            max_per_account: 20,
            max_total: 10_000,
            ticket_ttl: Duration::from_secs(30),
        }
    }
}

impl StreamSettings {
    /// Reads `HUB_EVENTS__*`; each must be at least 1.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let d = Self::default();
        let positive = |var: &'static str, default: u64| -> Result<u64, ConfigError> {
            let value = env.parse_or(var, default)?;
            if value == 0 {
                return Err(ConfigError::Invalid {
                    var,
                    reason: "must be at least 1".to_owned(),
                });
            }
            Ok(value)
        };
        let count = |var: &'static str, default: usize| -> Result<usize, ConfigError> {
            let value = positive(var, default as u64)?;
            usize::try_from(value).map_err(|e| ConfigError::Invalid {
                var,
                reason: e.to_string(),
            })
        };
        Ok(Self {
            max_per_account: count("HUB_EVENTS__MAX_PER_ACCOUNT", d.max_per_account)?,
            max_total: count("HUB_EVENTS__MAX_TOTAL", d.max_total)?,
            ticket_ttl: Duration::from_secs(positive(
                "HUB_EVENTS__TICKET_TTL_SECS",
                d.ticket_ttl.as_secs(),
            )?),
        })
    }
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_account: HashMap<Uuid, usize>,
}

/// The replica's open streams; cheap to clone.
#[derive(Debug, Clone)]
pub struct StreamLimits {
    settings: Arc<StreamSettings>,
    counts: Arc<Mutex<Counts>>,
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self::new(StreamSettings::default())
    }
}

impl StreamLimits {
    /// No stream open yet.
    pub fn new(settings: StreamSettings) -> Self {
        Self {
            settings: Arc::new(settings),
            counts: Arc::default(),
        }
    }

    /// The limits.
    pub fn settings(&self) -> &StreamSettings {
        &self.settings
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay consistent under a panic elsewhere: every change is one statement.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the replica could take one more stream (checked before any
    /// database work, so a flood at the cap costs nothing).
    pub fn has_room(&self) -> Result<(), Problem> {
        if self.counts().total >= self.settings.max_total {
            return Err(self.replica_full());
        }
        Ok(())
    }

    /// A slot for one more stream of `account`, or 429 with `Retry-After`.
    pub fn take(&self, account: Uuid) -> Result<Slot, Problem> {
        let mut counts = self.counts();
        if counts.total >= self.settings.max_total {
            return Err(self.replica_full());
        }
        let held = counts.by_account.entry(account).or_default();
        if *held >= self.settings.max_per_account {
            return Err(Problem::too_many_requests(RETRY_AFTER_SECS).with_detail(format!(
                "this account already has {} live streams open, the most allowed; close one, or try again in {RETRY_AFTER_SECS} s",
                self.settings.max_per_account
            )));
        }
        *held += 1;
        counts.total += 1;
        Ok(Slot {
            limits: self.clone(),
            account,
        })
    }

    /// Streams open now: in all, and of `account`.
    pub fn open(&self, account: Uuid) -> (usize, usize) {
        let counts = self.counts();
        (
            counts.total,
            counts.by_account.get(&account).copied().unwrap_or(0),
        )
    }

    fn replica_full(&self) -> Problem {
        tracing::warn!(
            max = self.settings.max_total,
            "SSE stream refused: the replica holds its most"
        );
        Problem::too_many_requests(RETRY_AFTER_SECS).with_detail(format!(
            "the server holds its most live streams; try again in {RETRY_AFTER_SECS} s"
        ))
    }
}

/// One open stream's place; freed when dropped.
#[derive(Debug)]
pub struct Slot {
    limits: StreamLimits,
    account: Uuid,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.limits.counts();
        counts.total = counts.total.saturating_sub(1);
        if let Some(held) = counts.by_account.get_mut(&self.account) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                counts.by_account.remove(&self.account);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_account: usize, total: usize) -> StreamLimits {
        StreamLimits::new(StreamSettings {
            max_per_account: per_account,
            max_total: total,
            ..StreamSettings::default()
        })
    }

    #[test]
    fn an_account_gets_its_share_and_a_dropped_slot_frees_its_place() {
        let l = limits(2, 10);
        let a = Uuid::new_v4();
        let first = l.take(a).unwrap();
        let _second = l.take(a).unwrap();
        let refused = l.take(a).unwrap_err();
        assert_eq!(refused.status, 429);
        assert!(l.take(Uuid::new_v4()).is_ok(), "another account still may");
        drop(first);
        assert!(l.take(a).is_ok());
    }

    #[test]
    fn the_replica_cap_counts_every_account() {
        let l = limits(5, 2);
        let _a = l.take(Uuid::new_v4()).unwrap();
        let b = l.take(Uuid::new_v4()).unwrap();
        assert_eq!(l.take(Uuid::new_v4()).unwrap_err().status, 429);
        assert_eq!(l.has_room().unwrap_err().status, 429);
        drop(b);
        assert!(l.has_room().is_ok());
    }

    #[test]
    fn settings_default_and_refuse_zero() {
        let s = StreamSettings::load(&Env::default()).unwrap();
        assert_eq!((s.max_per_account, s.max_total), (20, 10_000));
        assert_eq!(s.ticket_ttl, Duration::from_secs(30));
        let err = StreamSettings::load(&Env::from_pairs([("HUB_EVENTS__MAX_PER_ACCOUNT", "0")]))
            .unwrap_err();
        assert!(
            err.to_string().starts_with("HUB_EVENTS__MAX_PER_ACCOUNT:"),
            "{err}"
        );
    }
}
