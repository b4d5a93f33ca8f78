//! The leaky bucket of query-cost points, driven by the shared clock.

use chrono::{DateTime, Utc};

/// Bucket size and restore rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketConfig {
    /// Points the bucket holds when full (`maximumAvailable`).
    pub maximum: f64,
    /// Points restored per second (`restoreRate`).
    pub restore_rate: f64,
    /// No limit at all (benchmarks): nothing is ever throttled.
    pub unlimited: bool,
}

impl Default for BucketConfig {
    /// Shopify's standard plan: 2000 points, 100 per second. See: SHOPIFY-API.md section 3.
    fn default() -> Self {
        Self {
            maximum: 2000.0,
            restore_rate: 100.0,
            unlimited: false,
        }
    }
}

impl BucketConfig {
    /// A bucket that never throttles.
    #[must_use]
    pub fn unlimited() -> Self {
        Self {
            unlimited: true,
            ..Self::default()
        }
    }
}

/// The bucket's state.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub config: BucketConfig,
    available: f64,
    at: Option<DateTime<Utc>>,
}

impl Bucket {
    pub fn new(config: BucketConfig) -> Self {
        Self {
            config,
            available: config.maximum,
            at: None,
        }
    }

    /// Points available at `now`.
    pub fn available(&mut self, now: DateTime<Utc>) -> f64 {
        if let Some(at) = self.at {
            let secs = (now - at).as_seconds_f64().max(0.0);
            self.available =
                (self.available + secs * self.config.restore_rate).min(self.config.maximum);
        }
        self.at = Some(now);
        self.available
    }

    /// Takes `cost` points if they are there.
    pub fn take(&mut self, now: DateTime<Utc>, cost: f64) -> bool {
        if self.config.unlimited {
            return true;
        }
        // A hair of tolerance: the client computes the same refill in floating point.
        if self.available(now) + 1e-6 < cost {
            return false;
        }
        self.available = (self.available - cost).max(0.0);
        true
    }

    /// Gives back `points` (the requested cost not actually spent).
    pub fn refund(&mut self, points: f64) {
        self.available = (self.available + points).min(self.config.maximum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_leaks_back_at_the_restore_rate() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut bucket = Bucket::new(BucketConfig {
            maximum: 1000.0,
            restore_rate: 50.0,
            unlimited: false,
        });
        assert!(bucket.take(t0, 900.0));
        assert!(!bucket.take(t0, 200.0));
        bucket.refund(50.0);
        assert!((bucket.available(t0) - 150.0).abs() < 1e-9);
        let t1 = t0 + chrono::Duration::seconds(2);
        assert!((bucket.available(t1) - 250.0).abs() < 1e-9);
        let t2 = t0 + chrono::Duration::seconds(100);
        assert!((bucket.available(t2) - 1000.0).abs() < 1e-9);
    }
}
