//! What the emulator's HTTP front and its handlers share: the server state and a request's decoded
//! query. The server and the handlers both import these; neither imports the other's names.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::discovery::Discovery;
use super::state::Inner;
use super::token::PublicKey;
use crate::clock::SharedClock;

/// What the server shares between requests.
#[derive(Debug)]
pub struct Shared {
    /// Mutable state.
    pub inner: Mutex<Inner>,
    /// The discovery documents, when validation is on.
    pub discovery: Option<&'static Discovery>,
    /// Time for quota windows.
    pub clock: SharedClock,
    /// The service account's public key.
    pub key: PublicKey,
    /// The service account's `client_email`.
    pub client_email: String,
    /// This emulator's token endpoint URL (the JWT's expected `aud`).
    pub token_uri: String,
    /// Read requests per minute (0 = no limit).
    pub read_quota: u32,
    /// Write requests per minute (0 = no limit).
    pub write_quota: u32,
    /// Lifetime of new tokens.
    pub token_lifetime: Duration,
    /// Stalled and in-flight requests.
    pub(crate) stalls: crate::sandbox::Stalls,
}

impl Shared {
    /// Locks the state (a panicked test thread does not poison the emulator).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A request's decoded query.
#[derive(Debug, Default)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    /// The first value of `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated `name`.
    #[must_use]
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
