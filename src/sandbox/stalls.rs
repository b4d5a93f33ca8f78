//! Stalled requests a test can see and end, and the requests still being handled, shared by both
//! emulators.
//!
//! A test that needs "the request is stalled now" (to kill the client, revoke its token or take
//! the lock meanwhile) waits for [`Stalls::stalled`] instead of guessing with a sleep, then ends the
//! stall with [`Stalls::release`] instead of waiting it out; [`Stalls::in_flight`] says when the
//! emulator is quiet again (a killed client's stalled write has been applied or dropped).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The stall and in-flight counters of one emulator.
#[derive(Debug)]
pub struct Stalls {
    started: AtomicU64,
    in_flight: AtomicU64,
    release: tokio::sync::watch::Sender<u64>,
}

impl Default for Stalls {
    fn default() -> Self {
        Self {
            started: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            release: tokio::sync::watch::Sender::new(0),
        }
    }
}

/// Counts one request as in flight until dropped (also when the server drops the handler).
#[derive(Debug)]
pub(crate) struct Busy<'a>(&'a AtomicU64);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Stalls {
    /// Waits `duration`, or until [`Self::release`] is called, whichever comes first.
    pub(crate) async fn stall(&self, duration: Duration) {
        // Subscribed before the stall is counted: a release the test sends once it sees the count
        // cannot be missed.
        let mut released = self.release.subscribe();
        self.started.fetch_add(1, Ordering::SeqCst);
        tokio::select! {
            () = tokio::time::sleep(duration) => {}
            _ = released.changed() => {}
        }
    }

    /// Stalls begun so far (released or not): wait for this, not for a guessed time.
    #[must_use]
    pub fn stalled(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }

    /// Ends every stall in progress now; the requests then go on as if it had run out.
    pub fn release(&self) {
        self.release.send_modify(|generation| *generation += 1);
    }

    /// Marks a request as being handled until the guard drops.
    pub(crate) fn busy(&self) -> Busy<'_> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(&self.in_flight)
    }

    /// Requests being handled now (0 once a killed client's stalled request has finished).
    #[must_use]
    pub fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::SeqCst)
    }
}
