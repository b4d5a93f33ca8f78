//! Typed Shopify errors: what went wrong, whether retrying can help, and what the user can do.

use std::time::Duration;

use crate::retry::{ConnectFailure, Patience};

/// The broad class of a failure, for the CLI to choose its message and exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The token or client credentials were rejected (401).
    Auth,
    /// The app lacks a scope or merchant approval (403, `ACCESS_DENIED`).
    Permission,
    /// Unknown shop or endpoint (404).
    NotFound,
    /// The shop is frozen (402) or locked (423).
    ShopUnavailable,
    /// No connection could be made: a wrong address, a service down, no network.
    Unreachable,
    /// A retryable failure persisted through every attempt.
    RetriesExhausted,
    /// Shopify refused the request as sent (query errors, cost cap, other 4xx).
    Rejected,
    /// The settings given to the client are unusable.
    Settings,
    /// A single transient failure (only seen when retries are disabled).
    Transient,
}

/// A failure talking to Shopify.
#[derive(Debug, thiserror::Error)]
pub enum ShopifyError {
    /// 401: the token is wrong, revoked or expired (after one refresh for client credentials).
    #[error(
        "Shopify rejected the credentials for {shop} (HTTP 401: {message}); check \
         shopify_access_token (or shopify_client_id and shopify_client_secret) and that the app \
         is still installed"
    )]
    Unauthorized {
        /// The shop domain.
        shop: String,
        /// Shopify's message.
        message: String,
    },
    /// The client-credentials grant was refused.
    #[error(
        "Shopify refused the client credentials for {shop} ({message}); check shopify_client_id \
         and shopify_client_secret in the app's Dev Dashboard settings"
    )]
    CredentialsRejected {
        /// The shop domain.
        shop: String,
        /// Shopify's `error` and `error_description`.
        message: String,
    },
    /// 402: the shop is frozen (unpaid bill).
    #[error(
        "the shop {shop} is unavailable (HTTP 402: {message}); the shop is frozen until its \
         Shopify bill is settled"
    )]
    ShopFrozen {
        /// The shop domain.
        shop: String,
        /// Shopify's message.
        message: String,
    },
    /// 403: a missing scope or merchant approval.
    #[error(
        "Shopify refused access (HTTP 403: {message}); grant the app the `read_orders` scope (and \
         `read_all_orders` for orders older than 60 days) under Settings > Apps and sales channels \
         > Develop apps > your app > Configuration > Admin API access scopes, approve protected \
         customer data access if asked, then reinstall the app"
    )]
    Forbidden {
        /// Shopify's message.
        message: String,
    },
    /// GraphQL `ACCESS_DENIED`: a field needs a scope the token lacks.
    #[error(
        "Shopify denied access: {message}; grant the app {required} under Settings > Apps and \
         sales channels > Develop apps > your app > Configuration, then reinstall it"
    )]
    AccessDenied {
        /// Shopify's message.
        message: String,
        /// The scope Shopify names (`read_orders` access scope).
        required: String,
    },
    /// 404: unknown shop host or path.
    #[error(
        "Shopify answered 404 Not Found for {url}; check shopify_store_name (the shop's \
         myshopify.com handle) and shopify_api_version"
    )]
    NotFound {
        /// The URL asked for.
        url: String,
    },
    /// 423: the shop is locked.
    #[error("the shop {shop} is locked (HTTP 423); contact Shopify support")]
    Locked {
        /// The shop domain.
        shop: String,
    },
    /// `MAX_COST_EXCEEDED`: the query asked for more than Shopify allows in one query.
    #[error("the query asked for {requested} cost points, above Shopify's limit of {max}")]
    MaxCostExceeded {
        /// The requested cost.
        requested: f64,
        /// Shopify's cap.
        max: f64,
    },
    /// `THROTTLED`: the cost bucket could not hold the query (retryable).
    #[error("Shopify throttled the request (the cost bucket was short)")]
    Throttled {
        /// How long until the bucket should hold the query.
        wait: Duration,
    },
    /// GraphQL errors without a code we branch on (validation errors and the like).
    #[error("Shopify rejected the {operation} query: {messages}")]
    Query {
        /// The operation name.
        operation: &'static str,
        /// The messages, joined.
        messages: String,
        /// Whether the code says it is worth retrying (`INTERNAL_SERVER_ERROR`).
        retryable: bool,
    },
    /// 429, 5xx and 540 (retryable).
    #[error("Shopify answered HTTP {status} (request {request_id}): {message}")]
    Server {
        /// The status.
        status: u16,
        /// The reply's message or a summary.
        message: String,
        /// `X-Request-Id`, for Shopify support.
        request_id: String,
        /// `Retry-After`, when given.
        retry_after: Option<Duration>,
    },
    /// Any other HTTP status (not retryable).
    #[error("Shopify answered HTTP {status} (request {request_id}): {message}")]
    Http {
        /// The status.
        status: u16,
        /// The reply's message.
        message: String,
        /// `X-Request-Id`.
        request_id: String,
    },
    /// The cost bucket, as Shopify reported it, refills too slowly for the next query to be sent
    /// within [`super::cost::MAX_PACING_WAIT`].
    #[error(
        "Shopify's cost bucket would take {wait_secs:.0} s to hold the next query (its reply gave \
         a restore rate of {restore_rate} points a second); shopsync waits at most {max_secs} s, \
         so the run stops here: try again later, or ask Shopify support about the app's rate limit"
    )]
    WaitTooLong {
        /// The wait the bucket implies, in seconds (may be infinite).
        wait_secs: f64,
        /// The restore rate Shopify reported.
        restore_rate: f64,
        /// The most shopsync waits.
        max_secs: u64,
    },
    /// A 3xx: shopsync follows no redirect, which would carry the token (and, for the token
    /// request, the client secret) to wherever the server points.
    #[error(
        "Shopify's address answered HTTP {status} redirecting to {location}; shopsync follows no \
         redirects (they would carry the token elsewhere): set {origin} to the address that answers"
    )]
    Redirected {
        /// The status.
        status: u16,
        /// The `Location` header, as sent (at most 200 characters).
        location: String,
        /// Where the address came from (`shopify_api_url from config.json`).
        origin: String,
    },
    /// No connection could be made (refused, unknown host, TLS, connect timeout): the request never
    /// reached Shopify, so it is safe to retry, and the address is what to check.
    #[error(
        "cannot connect to Shopify at {endpoint} ({origin}): {failure}{}; {}",
        crate::retry::after_attempts(*attempts),
        failure.hint()
    )]
    Unreachable {
        /// `host:port`.
        endpoint: String,
        /// Where that address came from (`shopify_api_url from config.json`).
        origin: String,
        /// Why no connection was made.
        failure: ConnectFailure,
        /// Attempts made.
        attempts: u32,
    },
    /// Timeouts and resets after connecting, bodies cut off (retryable).
    #[error("network error talking to Shopify: {0}")]
    Transport(String),
    /// A reply that does not parse.
    #[error("Shopify's reply to {operation} could not be read: {message}")]
    Decode {
        /// The operation name.
        operation: &'static str,
        /// What did not parse.
        message: String,
        /// Whether the body was malformed (worth a retry) rather than of an unexpected shape.
        retryable: bool,
    },
    /// A retryable failure persisted.
    #[error("gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<ShopifyError>,
    },
    /// The settings cannot work (bad base URL).
    #[error("invalid Shopify settings: {0}")]
    Settings(String),
}

impl ShopifyError {
    /// Whether another attempt may succeed.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Throttled { .. }
            | Self::Server { .. }
            | Self::Transport(_)
            | Self::Unreachable { .. } => true,
            Self::Query { retryable, .. } | Self::Decode { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// The class of failure, for the CLI.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthorized { .. } | Self::CredentialsRejected { .. } => ErrorKind::Auth,
            Self::Forbidden { .. } | Self::AccessDenied { .. } => ErrorKind::Permission,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::ShopFrozen { .. } | Self::Locked { .. } => ErrorKind::ShopUnavailable,
            Self::RetriesExhausted { .. } | Self::WaitTooLong { .. } => ErrorKind::RetriesExhausted,
            Self::Unreachable { .. } => ErrorKind::Unreachable,
            Self::Settings(_) => ErrorKind::Settings,
            Self::Throttled { .. } | Self::Server { .. } | Self::Transport(_) => {
                ErrorKind::Transient
            }
            Self::Query { retryable, .. } | Self::Decode { retryable, .. } if *retryable => {
                ErrorKind::Transient
            }
            Self::MaxCostExceeded { .. }
            | Self::Query { .. }
            | Self::Http { .. }
            | Self::Redirected { .. }
            | Self::Decode { .. } => ErrorKind::Rejected,
        }
    }

    /// How many attempts this failure earns: few when nothing could be reached.
    #[must_use]
    pub fn patience(&self) -> Patience {
        match self {
            Self::Unreachable { failure, .. } => failure.patience(),
            _ => Patience::Long,
        }
    }

    /// The server's `Retry-After` or the throttle wait, when known.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled { wait } => Some(*wait),
            Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}
