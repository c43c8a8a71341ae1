use std::time::Duration;

/// Exponential backoff with full jitter, shared by everything that retries
/// the broker or the database.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// No delay grows past this.
    pub max: Duration,
    /// Each failure multiplies the delay by this.
    pub factor: f64,
    current: Duration,
}

impl Backoff {
    /// A backoff that starts at `initial` and doubles up to `max`.
    #[must_use]
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            factor: 2.0,
            current: initial,
        }
    }

    /// The delay to wait before the next attempt; grows the one after it.
    ///
    /// Jitter (between half and the whole delay) keeps replicas that failed
    /// together from retrying in lock-step.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.current;
        self.current = base.mul_f64(self.factor).min(self.max);
        base.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// Starts over from `initial` after a success.
    pub fn reset(&mut self) {
        self.current = self.initial;
    }
}

impl Default for Backoff {
    /// 100 ms doubling up to 10 s.
    fn default() -> Self {
        Self::new(Duration::from_millis(100), Duration::from_secs(10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(400));
        let delays: Vec<_> = (0..5).map(|_| b.next_delay()).collect();
        assert!(delays[0] <= Duration::from_millis(100));
        assert!(delays[0] >= Duration::from_millis(50));
        assert!(delays[4] <= Duration::from_millis(400));
        assert!(delays[4] >= Duration::from_millis(200));
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }
}
