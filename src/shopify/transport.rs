//! The HTTP exchange as errors describe it: a reply's request ID and `Location`, a transport
//! error with its causes (never the URL), and the address requests go to, for the
//! `Unreachable` and `Redirected` errors. Shared by the client and the token grant.

use reqwest::header::HeaderMap;

use super::error::ShopifyError;
use crate::retry::ConnectFailure;

/// The `X-Request-Id` of a reply, or `-`.
pub(crate) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

/// A transport error with its causes, without the URL.
pub(crate) fn describe(e: reqwest::Error) -> String {
    let timeout = e.is_timeout();
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    if timeout {
        message.push_str(" (timed out)");
    }
    message
}

/// The address requests go to, as messages name it.
#[derive(Debug, Clone)]
pub(crate) struct Address {
    /// `host:port`.
    pub(crate) host_port: String,
    /// Where it came from.
    pub(crate) origin: String,
}

impl Address {
    /// The error for a 3xx reply: never followed, the `Location` named.
    pub(crate) fn redirected(&self, status: u16, headers: &HeaderMap) -> ShopifyError {
        ShopifyError::Redirected {
            status,
            location: crate::http::redirect_location(headers),
            origin: self.origin.clone(),
        }
    }

    /// The typed error for a request that failed before or while it was sent; `what` names the
    /// request in the message (`token request`).
    pub(crate) fn failed(&self, e: reqwest::Error, what: &str) -> ShopifyError {
        match ConnectFailure::of(&e, e.is_timeout()) {
            Some(failure) => ShopifyError::Unreachable {
                endpoint: self.host_port.clone(),
                origin: self.origin.clone(),
                failure,
                attempts: 1,
            },
            None if what.is_empty() => ShopifyError::Transport(describe(e)),
            None => ShopifyError::Transport(format!("{what}: {}", describe(e))),
        }
    }
}
