//! Where time comes from (DESIGN §5): production reads the system clock;
//! `hub dev` and tests read a clock shifted by an offset kept in the one-row
//! `dev_clock` table, so every role of `hub dev` sees the same moved time and
//! a month of billing is one `hub dev-clock advance 31d` instead of a month of
//! waiting.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};

/// The current time, as every timed decision sees it.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The real time: what production uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// How often a [`DevClock`] rereads the shared offset: another process (the
/// CLI, another role) may have moved it.
pub const DEV_CLOCK_REFRESH: std::time::Duration = std::time::Duration::from_secs(1);

/// Real time plus the offset in `dev_clock`, cached and reread every
/// [`DEV_CLOCK_REFRESH`]. Moving it through [`DevClock::advance`] updates the
/// cache at once, so a test sees its own move immediately.
#[derive(Debug)]
pub struct DevClock {
    pool: PgPool,
    offset_ms: AtomicI64,
}

impl DevClock {
    /// Reads the current offset and keeps rereading it in the background for
    /// as long as the returned clock is alive.
    pub async fn start(pool: PgPool) -> Result<Arc<Self>, sqlx::Error> {
        let clock = Arc::new(Self {
            offset_ms: AtomicI64::new(read_offset(&pool).await?),
            pool,
        });
        let weak: Weak<Self> = Arc::downgrade(&clock);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(DEV_CLOCK_REFRESH).await;
                let Some(clock) = weak.upgrade() else { return };
                if let Err(error) = clock.refresh().await {
                    tracing::debug!(%error, "could not reread the dev clock; keeping the cached offset");
                }
            }
        });
        Ok(clock)
    }

    /// Rereads the shared offset now.
    pub async fn refresh(&self) -> Result<(), sqlx::Error> {
        let offset = read_offset(&self.pool).await?;
        self.offset_ms.store(offset, Ordering::Relaxed);
        Ok(())
    }

    /// How far ahead of real time this clock is.
    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the shared clock forward by `by` (for every role reading it) and
    /// returns the new time.
    pub async fn advance(&self, by: Duration) -> Result<DateTime<Utc>, sqlx::Error> {
        let offset = advance_offset(&self.pool, by).await?;
        self.offset_ms.store(offset, Ordering::Relaxed);
        Ok(self.now())
    }
}

impl Clock for DevClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }
}

/// Moves the shared dev clock forward by `by` without a running clock (the
/// `hub dev-clock` command); returns the new offset from real time.
pub async fn advance_dev_clock(pool: &PgPool, by: Duration) -> Result<Duration, sqlx::Error> {
    advance_offset(pool, by).await.map(Duration::milliseconds)
}

async fn read_offset(pool: &PgPool) -> Result<i64, sqlx::Error> {
    let offset: Option<i64> = sqlx::query_scalar("SELECT offset_ms FROM dev_clock WHERE id")
        .fetch_optional(pool)
        .await?;
    Ok(offset.unwrap_or(0))
}

async fn advance_offset(pool: &PgPool, by: Duration) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO dev_clock (id, offset_ms) VALUES (true, $1) \
         ON CONFLICT (id) DO UPDATE SET offset_ms = dev_clock.offset_ms + $1, moved_at = now() \
         RETURNING offset_ms",
    )
    .bind(by.num_milliseconds())
    .fetch_one(pool)
    .await
}

/// Parses a span such as `31d`, `12h`, `90m`, `45s`, or an ISO 8601 `P31D`,
/// `PT12H`, `P1DT2H30M`: what `hub dev-clock advance` accepts.
pub fn parse_span(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(iso) = text.strip_prefix('P').or_else(|| text.strip_prefix('p')) {
        return parse_iso(iso);
    }
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok()?;
    unit_span(n, unit)
}

fn unit_span(n: i64, unit: &str) -> Option<Duration> {
    match unit {
        "d" | "D" => Duration::try_days(n),
        "h" | "H" => Duration::try_hours(n),
        "m" | "M" => Duration::try_minutes(n),
        "s" | "S" => Duration::try_seconds(n),
        _ => None,
    }
}

fn parse_iso(iso: &str) -> Option<Duration> {
    let (date, time) = match iso.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (iso, None),
    };
    let mut total = Duration::zero();
    let mut any = false;
    for (part, units) in [(date, "D"), (time.unwrap_or(""), "HMS")] {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
            } else {
                let unit = c.to_ascii_uppercase().to_string();
                if !units.contains(&unit) || number.is_empty() {
                    return None;
                }
                total = total.checked_add(&unit_span(number.parse().ok()?, &unit)?)?;
                number.clear();
                any = true;
            }
        }
        if !number.is_empty() {
            return None;
        }
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_in_both_notations() {
        assert_eq!(parse_span("31d"), Some(Duration::days(31)));
        assert_eq!(parse_span("90s"), Some(Duration::seconds(90)));
        assert_eq!(parse_span("P31D"), Some(Duration::days(31)));
        assert_eq!(
            parse_span("P1DT2H30M"),
            Some(Duration::days(1) + Duration::hours(2) + Duration::minutes(30))
        );
        assert_eq!(parse_span("PT5S"), Some(Duration::seconds(5)));
        for bad in ["", "d", "31", "31x", "P", "PT", "P5H", "P1D2"] {
            assert_eq!(parse_span(bad), None, "{bad}");
        }
    }
}
