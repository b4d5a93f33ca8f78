//! Capped exponential backoff with jitter, shared by both remote clients.
//!
//! Which errors are worth retrying is each client's business (a GraphQL `THROTTLED` inside an HTTP 200,
//! a Sheets 429 quota reply); how long to wait lives here, once.

use std::time::Duration;

/// How many attempts a call gets and how long to wait between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The wait before the second attempt.
    pub base: Duration,
    /// No wait is longer than this, `Retry-After` included.
    pub cap: Duration,
}

impl Default for Backoff {
    /// Six attempts, 0.5 s doubling to at most 32 s: about a minute of patience, enough for a
    /// Sheets per-minute quota window to roll over.
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(32),
        }
    }
}

impl Backoff {
    /// The wait after failed attempt number `attempt` (1-based).
    ///
    /// A server's `Retry-After` is honoured (up to the cap) when given; otherwise the wait is
    /// "full jitter" over the exponential step, so many clients do not retry in lockstep.
    #[must_use]
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.cap);
        }
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let ceiling = exp.min(self.cap);
        // Half fixed, half random: never zero, never above the ceiling.
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether another attempt may follow failed attempt number `attempt` (1-based).
    #[must_use]
    pub fn allows_retry_after(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let backoff = Backoff::default();
        for attempt in 1..20 {
            let delay = backoff.delay(attempt, None);
            assert!(delay <= backoff.cap, "attempt {attempt}: {delay:?}");
            assert!(
                delay >= Duration::from_millis(250),
                "attempt {attempt}: {delay:?}"
            );
        }
        assert!(backoff.delay(8, None) >= Duration::from_secs(16));
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let backoff = Backoff::default();
        assert_eq!(
            backoff.delay(1, Some(Duration::from_millis(1500))),
            Duration::from_millis(1500)
        );
        assert_eq!(
            backoff.delay(1, Some(Duration::from_secs(600))),
            backoff.cap
        );
    }

    #[test]
    fn attempts_are_bounded() {
        let backoff = Backoff::default();
        assert!(backoff.allows_retry_after(5));
        assert!(!backoff.allows_retry_after(6));
    }
}
