//! Time as a dependency: the wall clock in production, a virtual clock in tests.
//!
//! The Shopify pacer and the emulator's leaky bucket share one [`Clock`], so a pacing test can run a
//! long virtual backfill in milliseconds and still measure its duration exactly.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A boxed future returned by [`Clock::sleep`].
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A source of the current time and of waiting.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
    /// Waits for `duration` of this clock's time.
    fn sleep(&self, duration: Duration) -> Sleep<'_>;
    /// Whether a stop was requested (SIGINT, SIGTERM): sleeps then end at once, and retry loops
    /// give up instead of waiting again. Never, unless the clock is a [`StopAware`] one.
    fn stopping(&self) -> bool {
        false
    }
}

/// A shared clock handle.
pub type SharedClock = Arc<dyn Clock>;

/// The real wall clock, sleeping with tokio.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep<'_> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A virtual clock: `sleep` advances time at once instead of waiting.
///
/// Tests use it to measure how long a run *would* take under a rate limit without waiting for it.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock that starts at `start`.
    #[must_use]
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock forward by `duration`.
    pub fn advance(&self, duration: Duration) {
        let delta = chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX);
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += delta;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sleep(&self, duration: Duration) -> Sleep<'_> {
        self.advance(duration);
        Box::pin(tokio::task::yield_now())
    }
}

/// How often a [`StopAware`] sleep looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(100);

/// A clock whose sleeps end as soon as a stop is requested: a wait for the cost bucket, a
/// `Retry-After` or a backoff never holds the lock past SIGTERM.
#[derive(Debug, Clone)]
pub struct StopAware {
    inner: SharedClock,
    stop: Arc<AtomicU8>,
}

impl StopAware {
    /// Wraps `inner`; a non-zero `stop` (the signal's number) wakes every sleep.
    #[must_use]
    pub fn new(inner: SharedClock, stop: Arc<AtomicU8>) -> Self {
        Self { inner, stop }
    }
}

impl Clock for StopAware {
    fn now(&self) -> DateTime<Utc> {
        self.inner.now()
    }

    fn sleep(&self, duration: Duration) -> Sleep<'_> {
        Box::pin(async move {
            let mut left = duration;
            while !left.is_zero() && !self.stopping() {
                let step = left.min(STOP_POLL);
                self.inner.sleep(step).await;
                left -= step;
            }
        })
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_stop_aware_sleep_ends_when_a_stop_is_requested() {
        let stop = Arc::new(AtomicU8::new(0));
        let clock = StopAware::new(Arc::new(SystemClock), stop.clone());
        let started = tokio::time::Instant::now();
        let signal = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            signal.store(15, Ordering::SeqCst);
        });
        clock.sleep(Duration::from_secs(109 * 24 * 3600)).await;
        let slept = started.elapsed();
        assert!(slept >= Duration::from_secs(5), "{slept:?}");
        assert!(slept < Duration::from_secs(6), "{slept:?}");
        assert!(clock.stopping());
        // Once stopping, sleeps end at once.
        let again = tokio::time::Instant::now();
        clock.sleep(Duration::from_secs(60)).await;
        assert!(again.elapsed() < STOP_POLL, "{:?}", again.elapsed());
    }

    #[tokio::test]
    async fn manual_clock_sleep_advances_time_without_waiting() {
        let start = DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = ManualClock::new(start);
        clock.sleep(Duration::from_secs(90)).await;
        assert_eq!(clock.now() - start, chrono::Duration::seconds(90));
    }
}
