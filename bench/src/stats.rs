//! Percentiles over recorded latencies.

use std::time::Duration;

/// Latencies of one run.
#[derive(Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    /// Records one latency.
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    /// Adds another run's samples.
    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The median (zero without samples).
    pub fn median(&mut self) -> Duration {
        self.0.sort_unstable();
        self.0
            .get(self.0.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or_default()
    }

    /// The nearest-rank `q` quantile (zero without samples).
    pub fn quantile(&mut self, q: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        self.0.sort_unstable();
        let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
        self.0[rank - 1]
    }

    /// `p50=… p90=… p99=… max=…` in milliseconds (nearest-rank percentiles).
    pub fn summary(&mut self) -> String {
        if self.0.is_empty() {
            return "no samples".into();
        }
        let mut at = |q: f64| self.quantile(q).as_secs_f64() * 1e3;
        let (p50, p90, p99, max) = (at(0.50), at(0.90), at(0.99), at(1.0));
        format!(
            "p50={p50:.2}ms p90={p90:.2}ms p99={p99:.2}ms max={max:.2}ms (n={})",
            self.0.len()
        )
    }
}
