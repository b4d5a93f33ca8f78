//! Keeps requests under Google's per-minute quotas: at most `limit` requests in any 60-second
//! window (a sliding window also satisfies Google's fixed one-minute buckets), waiting on the
//! shared clock when the window is full.
//!
//! See: <https://developers.google.com/workspace/sheets/api/limits> (60 read and 60 write requests
//! per minute per user; a service account is one user).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::SharedClock;

/// The quota window.
const WINDOW: Duration = Duration::from_secs(60);

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

    /// Google answered 429 anyway (another client shares the quota): treat the window as full.
    pub(crate) fn exhausted(&self) {
        if self.limit == 0 {
            return;
        }
        let now = self.clock.now();
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        while sent.len() < self.limit {
            sent.push_back(now);
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

    #[tokio::test]
    async fn a_429_makes_the_next_request_wait_a_full_window() {
        let clock = ManualClock::new(Utc::now());
        let pacer = Pacer::new(Arc::new(clock.clone()), 60);
        pacer.acquire().await;
        pacer.exhausted();
        let before = clock.now();
        pacer.acquire().await;
        assert!((clock.now() - before).to_std().unwrap() >= WINDOW);
    }
}
