//! Keeps requests under Google's per-minute quotas: at most `limit` requests in any 60-second
//! window (a sliding window also satisfies Google's fixed one-minute buckets), waiting on the
//! shared clock when the window is full; and how long to back off when Google answers 429 anyway
//! (another tool shares the quota).
//!
//! See: <https://developers.google.com/workspace/sheets/api/limits> (60 read and 60 write requests
//! per minute per user; a service account is one user; exponential backoff).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::SharedClock;

/// The quota window.
const WINDOW: Duration = Duration::from_secs(60);

/// The wait after a first 429, doubled after each further one: Google's `2^n` seconds from n = 0.
///
/// See: <https://developers.google.com/workspace/sheets/api/limits#exponential>
const QUOTA_BACKOFF_BASE: Duration = Duration::from_secs(1);

/// No exponential wait after a 429 is longer ("`maximum_backoff` is typically 32 or 64 seconds").
///
/// See: <https://developers.google.com/workspace/sheets/api/limits#exponential>
const QUOTA_BACKOFF_CAP: Duration = Duration::from_secs(32);

/// A `Retry-After` longer than this is cut to it: the request is tried again rather than waited on
/// for ever.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(64);

/// Attempts a request gets while Google keeps answering 429: the waits between them (1, 2, 4, 8,
/// 16, 32 and 32 s, about 95 s in all) outlast a whole quota minute, so a quota that another tool
/// used up has refilled before the request is given up on.
pub(crate) const QUOTA_ATTEMPTS: u32 = 8;

/// The wait after the `n`th 429 in a row (1-based) for one request: `Retry-After` when Google sent
/// it, else `2^(n-1)` seconds (at most [`QUOTA_BACKOFF_CAP`]) plus up to a second of jitter, drawn
/// afresh each time so that clients sharing the quota do not retry in lockstep.
pub(crate) fn quota_backoff(n: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(RETRY_AFTER_CAP);
    }
    let exp = QUOTA_BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
        .min(QUOTA_BACKOFF_CAP);
    exp + Duration::from_millis(fastrand::u64(..=1_000))
}

/// A sliding-window request pacer.
#[derive(Debug)]
pub(crate) struct Pacer {
    clock: SharedClock,
    limit: usize,
    sent: Mutex<VecDeque<DateTime<Utc>>>,
}

impl Pacer {
    /// A pacer allowing `limit` requests per minute (0 = unlimited).
    pub(crate) fn new(clock: SharedClock, limit: u32) -> Self {
        Self {
            clock,
            limit: limit as usize,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until one more request fits in the window, then records it.
    pub(crate) async fn acquire(&self) {
        if self.limit == 0 {
            return;
        }
        loop {
            let wait = {
                let now = self.clock.now();
                let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
                let horizon = now - chrono::Duration::from_std(WINDOW).unwrap_or_default();
                while sent.front().is_some_and(|t| *t <= horizon) {
                    sent.pop_front();
                }
                if sent.len() < self.limit {
                    sent.push_back(now);
                    return;
                }
                let oldest = sent.front().copied().unwrap_or(now);
                (oldest - horizon)
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .max(Duration::from_millis(1))
            };
            tracing::debug!(
                wait_ms = wait.as_millis(),
                "pacing to stay under the per-minute quota"
            );
            self.clock.sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};
    use std::sync::Arc;

    #[tokio::test]
    async fn never_more_than_the_limit_in_any_minute() {
        let clock = ManualClock::new(Utc::now());
        let pacer = Pacer::new(Arc::new(clock.clone()), 5);
        let mut stamps = Vec::new();
        for _ in 0..17 {
            pacer.acquire().await;
            stamps.push(clock.now());
            clock.advance(Duration::from_millis(300));
        }
        for (i, t) in stamps.iter().enumerate() {
            let in_window = stamps[i..]
                .iter()
                .take_while(|u| (**u - *t).to_std().unwrap() < WINDOW)
                .count();
            assert!(
                in_window <= 5,
                "{in_window} requests within a minute of #{i}"
            );
        }
        let span = (*stamps.last().unwrap() - stamps[0]).to_std().unwrap();
        assert!(span >= Duration::from_secs(180), "{span:?}");
    }

    #[test]
    fn a_429_backs_off_exponentially_from_about_a_second() {
        for _ in 0..50 {
            for (n, low) in [
                (1, 1),
                (2, 2),
                (3, 4),
                (4, 8),
                (5, 16),
                (6, 32),
                (7, 32),
                (12, 32),
            ] {
                let wait = quota_backoff(n, None);
                let low = Duration::from_secs(low);
                assert!(
                    wait >= low && wait <= low + Duration::from_secs(1),
                    "429 number {n}: {wait:?}"
                );
            }
        }
        let total: Duration = (1..QUOTA_ATTEMPTS).map(|n| quota_backoff(n, None)).sum();
        assert!(total > WINDOW, "{total:?} does not outlast a quota minute");
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        assert_eq!(
            quota_backoff(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            quota_backoff(3, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            quota_backoff(1, Some(Duration::from_secs(600))),
            RETRY_AFTER_CAP
        );
    }
}
