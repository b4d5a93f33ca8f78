//! The connection: settings, the HTTP client, one function that sends a GraphQL document with
//! pacing, auth and retries, and one that maps replies to typed errors.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::{debug, info, instrument, warn};

use super::auth::{Auth, CachedToken, fetch_token};
use super::cost::Pacer;
use super::error::ShopifyError;
use super::queries::Document;
use super::transport::{Address, describe, request_id};
use crate::clock::SharedClock;
use crate::retry::{Backoff, host_port};

/// The API version shopsync is written and tested against (the schema extract in `references/`),
/// defined once with the other defaults in [`crate::config`].
pub use crate::config::DEFAULT_API_VERSION;

/// Everything the client needs, independent of the application's configuration.
#[derive(Debug, Clone)]
pub struct ShopifySettings {
    /// The shop's domain, `acme.myshopify.com` (a bare `acme` gets `.myshopify.com`).
    pub shop_domain: String,
    /// Scheme and host to call instead of `https://{shop_domain}` (emulators, proxies).
    pub base_url: Option<String>,
    /// Where the address came from, named when it cannot be reached (`shopify_api_url from
    /// config.json`); `None` says it is the default built from the shop domain.
    pub base_url_origin: Option<String>,
    /// API version, such as `2026-04`.
    pub api_version: String,
    /// Credentials.
    pub auth: Auth,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Total timeout of one request.
    pub timeout: Duration,
    /// The clock for pacing, backoff sleeps and token expiry.
    pub clock: SharedClock,
    /// Retry policy.
    pub backoff: Backoff,
}

impl ShopifySettings {
    /// Settings with the default version, timeouts (10 s connect, 60 s total) and backoff.
    #[must_use]
    pub fn new(shop_domain: impl Into<String>, auth: Auth, clock: SharedClock) -> Self {
        Self {
            shop_domain: shop_domain.into(),
            base_url: None,
            base_url_origin: None,
            api_version: DEFAULT_API_VERSION.to_owned(),
            auth,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            clock,
            backoff: Backoff::default(),
        }
    }
}

/// Counters of what the client did, for summaries and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClientStats {
    /// GraphQL requests sent (retries included).
    pub requests: u64,
    /// THROTTLED replies received.
    pub throttled: u64,
    /// Retries made after a retryable failure.
    pub retries: u64,
    /// Time spent waiting for the bucket before sending, in seconds of the client's clock.
    pub paced_secs: f64,
    /// Sum of the actual query cost Shopify reported.
    pub actual_cost: f64,
    /// Sum of the requested query cost Shopify reported.
    pub requested_cost: f64,
    /// Sum of this client's own estimates of those same requests (by Shopify's cost rules).
    pub estimated_cost: f64,
    /// Fields Shopify withheld as protected customer data (left empty).
    pub withheld_fields: u64,
}

/// A Shopify GraphQL Admin API client, built once per run.
pub struct ShopifyClient {
    pub(crate) http: reqwest::Client,
    pub(crate) shop: String,
    pub(crate) endpoint: String,
    pub(crate) address: Address,
    token_url: String,
    api_version: String,
    auth: Auth,
    token: tokio::sync::Mutex<Option<CachedToken>>,
    pub(crate) clock: SharedClock,
    backoff: Backoff,
    pub(crate) pacer: Mutex<Pacer>,
    pub(crate) stats: Mutex<ClientStats>,
    version_warned: AtomicBool,
    pub(crate) withheld_warned: AtomicBool,
    served_version: Mutex<Option<String>>,
    /// How far this machine's clock was ahead of Shopify's at the last reply with a `Date`
    /// header (an upper bound: the header is to the second); negative when it is behind.
    clock_ahead: Mutex<Option<chrono::Duration>>,
}

impl std::fmt::Debug for ShopifyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyClient")
            .field("shop", &self.shop)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What one attempt produced.
struct Attempt<T> {
    result: Result<T, ShopifyError>,
}

impl ShopifyClient {
    /// Builds the client.
    ///
    /// # Errors
    /// When the base URL is not an http(s) URL or the HTTP client cannot be built.
    pub fn new(settings: ShopifySettings) -> Result<Self, ShopifyError> {
        let shop = if settings.shop_domain.contains('.') {
            settings.shop_domain.clone()
        } else {
            format!("{}.myshopify.com", settings.shop_domain)
        };
        let base = settings
            .base_url
            .clone()
            .unwrap_or_else(|| format!("https://{shop}"));
        let base = url::Url::parse(&base)
            .map_err(|e| ShopifyError::Settings(format!("base URL {base:?}: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ShopifyError::Settings(format!(
                "base URL {base} must start with https:// (or http:// for a local emulator)"
            )));
        }
        let root = base.as_str().trim_end_matches('/');
        let mut builder = crate::http::builder(settings.connect_timeout)
            .timeout(settings.timeout)
            .gzip(true);
        if matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) {
            // A local emulator is never reached through a proxy from the environment.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ShopifyError::Settings(format!("HTTP client: {e}")))?;
        let address = Address {
            host_port: host_port(root),
            origin: settings
                .base_url_origin
                .clone()
                .unwrap_or_else(|| format!("the default address of {shop}")),
        };
        Ok(Self {
            http,
            address,
            endpoint: format!("{root}/admin/api/{}/graphql.json", settings.api_version),
            token_url: format!("{root}/admin/oauth/access_token"),
            shop,
            api_version: settings.api_version,
            auth: settings.auth,
            token: tokio::sync::Mutex::new(None),
            clock: settings.clock,
            backoff: settings.backoff,
            pacer: Mutex::new(Pacer::default()),
            stats: Mutex::default(),
            version_warned: AtomicBool::new(false),
            withheld_warned: AtomicBool::new(false),
            served_version: Mutex::new(None),
            clock_ahead: Mutex::new(None),
        })
    }

    /// The shop domain the client talks to.
    #[must_use]
    pub fn shop_domain(&self) -> &str {
        &self.shop
    }

    /// Counts these orders' line items (from an earlier run) into what page sizes are chosen
    /// by, so a run's first page already fits the shop's orders instead of a guess.
    pub fn learn_line_counts(&self, counts: &[usize]) {
        let mut pacer = lock(&self.pacer);
        for &count in counts {
            pacer.record_lines(count);
        }
    }

    /// What the client has done so far.
    #[must_use]
    pub fn stats(&self) -> ClientStats {
        *lock(&self.stats)
    }

    /// The API version Shopify last said it answered with (`X-Shopify-API-Version`).
    #[must_use]
    pub fn served_api_version(&self) -> Option<String> {
        lock(&self.served_version).clone()
    }

    /// How far this machine's clock is ahead of Shopify's, by the `Date` header of its last
    /// reply; zero before any reply, without the header, or when this clock is behind.
    ///
    /// An upper bound: the header is to the second, so clocks that agree show up to a second
    /// (plus the reply's time in flight). What the client compares with Shopify's stamps moves
    /// back by it, so a clock that runs ahead cannot make a stamp look older than it is.
    #[must_use]
    pub fn clock_ahead(&self) -> chrono::Duration {
        lock(&self.clock_ahead)
            .filter(|ahead| *ahead > chrono::Duration::zero())
            .unwrap_or_default()
    }

    async fn access_token(
        &self,
        force_refresh: bool,
    ) -> Result<reqwest::header::HeaderValue, ShopifyError> {
        let token = match &self.auth {
            Auth::Token(token) => token.clone(),
            Auth::ClientCredentials {
                client_id,
                client_secret,
            } => {
                let mut cached = self.token.lock().await;
                let now = self.clock.now();
                match cached.as_ref() {
                    Some(t) if !force_refresh && t.fresh_at(now) => t.token.clone(),
                    _ => {
                        debug!("requesting an access token with the client credentials grant");
                        let fresh = fetch_token(
                            &self.http,
                            &self.address,
                            &self.token_url,
                            &self.shop,
                            client_id,
                            client_secret,
                            now,
                        )
                        .await?;
                        let token = fresh.token.clone();
                        *cached = Some(fresh);
                        token
                    }
                }
            }
        };
        let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
            ShopifyError::Settings("the access token has invalid characters".to_owned())
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Sends `doc` with `variables`, paced for `estimate` points, retrying what is retryable.
    #[instrument(skip_all, fields(operation = doc.name))]
    pub(crate) async fn run<T: DeserializeOwned>(
        &self,
        doc: Document,
        variables: serde_json::Value,
        estimate: f64,
    ) -> Result<T, ShopifyError> {
        let body = serde_json::json!({
            "query": doc.text,
            "operationName": doc.name,
            "variables": variables,
        });
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (wait, restore_rate) = {
                let pacer = lock(&self.pacer);
                (
                    pacer.wait_for(estimate, self.clock.now()),
                    pacer.restore_rate(),
                )
            };
            if wait > super::cost::MAX_PACING_WAIT {
                return Err(ShopifyError::WaitTooLong {
                    wait_secs: wait.as_secs_f64(),
                    restore_rate,
                    max_secs: super::cost::MAX_PACING_WAIT.as_secs(),
                });
            }
            if !wait.is_zero() {
                debug!(
                    wait_ms = wait.as_millis() as u64,
                    "waiting for the cost bucket"
                );
                lock(&self.stats).paced_secs += wait.as_secs_f64();
                self.clock.sleep(wait).await;
            }
            let result = match self.access_token(false).await {
                Ok(token) => self.send_once(doc, &body, token, estimate).await.result,
                Err(e) => Err(e),
            };
            let error = match result {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            if matches!(error, ShopifyError::Unauthorized { .. })
                && matches!(self.auth, Auth::ClientCredentials { .. })
                && !refreshed
            {
                // The token may have expired early or been rotated: refresh once.
                refreshed = true;
                attempt -= 1;
                self.access_token(true).await?;
                continue;
            }
            if !error.is_retryable() {
                return Err(error);
            }
            if !self.backoff.allows_retry_after(attempt, error.patience()) || self.clock.stopping()
            {
                // Into the log: stderr gets the final error once, from the command.
                info!(attempts = attempt, error = %error, "giving up on Shopify request");
                return Err(match error {
                    ShopifyError::Unreachable {
                        endpoint,
                        origin,
                        failure,
                        ..
                    } => ShopifyError::Unreachable {
                        endpoint,
                        origin,
                        failure,
                        attempts: attempt,
                    },
                    error => ShopifyError::RetriesExhausted {
                        attempts: attempt,
                        last: Box::new(error),
                    },
                });
            }
            let delay = self.backoff.delay(attempt, error.retry_after());
            info!(attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
            lock(&self.stats).retries += 1;
            self.clock.sleep(delay).await;
        }
    }

    async fn send_once<T: DeserializeOwned>(
        &self,
        doc: Document,
        body: &serde_json::Value,
        token: HeaderValue,
        estimate: f64,
    ) -> Attempt<T> {
        lock(&self.stats).requests += 1;
        let sent = self
            .http
            .post(&self.endpoint)
            .header("X-Shopify-Access-Token", token)
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            // The retry loop logs it, with what it does next.
            Err(e) => {
                return Attempt {
                    result: Err(self.address.failed(e, "")),
                };
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        self.check_version(&headers);
        self.check_date(&headers);
        let request_id = request_id(&headers);
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                let message = format!("reply cut off (request {request_id}): {}", describe(e));
                info!(error = %message, "reading Shopify's reply failed");
                return Attempt {
                    result: Err(ShopifyError::Transport(message)),
                };
            }
        };
        let result = if status.is_redirection() {
            Err(self.address.redirected(status.as_u16(), &headers))
        } else if status.is_success() {
            self.decode(doc, &bytes, &request_id, estimate)
        } else {
            Err(self.http_error(status.as_u16(), &headers, &bytes, request_id.clone()))
        };
        if let Err(e) = &result {
            // The log file keeps the request ID for Shopify support; stderr gets only the final
            // error (or nothing, when a retry succeeds).
            info!(request_id, operation = doc.name, error = %e, "Shopify request failed");
        }
        Attempt { result }
    }

    /// Notes how far this clock is from Shopify's, by the reply's `Date` header (an HTTP date,
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, which RFC 2822 parsing reads).
    fn check_date(&self, headers: &HeaderMap) {
        let Some(date) = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
        else {
            return;
        };
        *lock(&self.clock_ahead) = Some(self.clock.now() - date.to_utc());
    }

    fn check_version(&self, headers: &HeaderMap) {
        if let Some(reason) = headers
            .get("x-shopify-api-deprecated-reason")
            .and_then(|v| v.to_str().ok())
        {
            warn!(reason, "Shopify reports use of a deprecated API feature");
        }
        let Some(served) = headers
            .get("x-shopify-api-version")
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        *lock(&self.served_version) = Some(served.to_owned());
        if served != self.api_version && !self.version_warned.swap(true, Ordering::Relaxed) {
            warn!(
                requested = %self.api_version,
                served,
                "Shopify answered with API version {served} instead of {}: the requested version \
                 is no longer supported; set shopify_api_version to a supported version",
                self.api_version
            );
        }
    }
}
