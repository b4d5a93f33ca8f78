//! The client: its settings, construction, and the one request loop every call goes through
//! (pacing, token, timeout, status mapping, retries, and the ambiguous-write rule).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use super::auth::TokenSource;
use super::error::{GoogleError, SheetsError};
use super::pace::Pacer;
use crate::clock::{SharedClock, SystemClock};
use crate::retry::{Backoff, ConnectFailure, host_port};

/// Google's recommended maximum request payload.
///
/// See: <https://developers.google.com/workspace/sheets/api/limits> ("we recommend a 2 MB maximum payload")
pub const MAX_REQUEST_BYTES: usize = 2_000_000;

/// Google lets a request run this long before answering with a timeout.
///
/// See: <https://developers.google.com/workspace/sheets/api/limits>
pub const GOOGLE_PROCESSING_LIMIT: Duration = Duration::from_secs(180);

/// Everything the client needs, independent of the application's config type.
#[derive(Debug, Clone)]
pub struct SheetsSettings {
    /// The service-account key file (`google_service_account_file`).
    pub key_file: PathBuf,
    /// Sheets API base URL, scheme and host (`google_sheets_api_url`).
    pub sheets_url: String,
    /// Drive API base URL, scheme and host (`google_drive_api_url`).
    pub drive_url: String,
    /// Where `sheets_url` came from, named when it cannot be reached (`google_sheets_api_url
    /// from config.json`); `None` says it is the default.
    pub sheets_url_origin: Option<String>,
    /// Where `drive_url` came from, likewise.
    pub drive_url_origin: Option<String>,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout for reads.
    pub read_timeout: Duration,
    /// Whole-request timeout for writes: above Google's own 180 s, or ordinary large writes
    /// would become ambiguous.
    pub write_timeout: Duration,
    /// Timeout of a token request.
    pub token_timeout: Duration,
    /// Clock for backoff and pacing sleeps.
    pub clock: SharedClock,
    /// Retry policy for 5xx on reads and connection failures.
    pub backoff: Backoff,
    /// Attempts a request gets while Google answers 429 (backing off from about a second).
    pub quota_attempts: u32,
    /// Read requests per minute (Google allows 60 per user; 0 = unpaced).
    pub reads_per_minute: u32,
    /// Write requests per minute (Google allows 60 per user; 0 = unpaced).
    pub writes_per_minute: u32,
}

impl SheetsSettings {
    /// Production defaults for `key_file`.
    #[must_use]
    pub fn new(key_file: impl Into<PathBuf>) -> Self {
        Self {
            key_file: key_file.into(),
            sheets_url: crate::config::DEFAULT_SHEETS_API_URL.to_owned(),
            drive_url: crate::config::DEFAULT_DRIVE_API_URL.to_owned(),
            sheets_url_origin: None,
            drive_url_origin: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            write_timeout: GOOGLE_PROCESSING_LIMIT + Duration::from_secs(20),
            token_timeout: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
            backoff: Backoff::default(),
            quota_attempts: super::pace::QUOTA_ATTEMPTS,
            // A little under Google's 60, for requests by other tools under the same account.
            reads_per_minute: 55,
            writes_per_minute: 55,
        }
    }
}

/// Which quota a request draws on, and whether its outcome can be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// A Sheets read.
    Read,
    /// A Sheets write.
    Write,
    /// A Drive read (its own quota; not paced here).
    Drive,
}

/// One request to send.
#[derive(Debug)]
pub(crate) struct Call {
    pub op: Op,
    pub method: Method,
    pub url: String,
    pub query: Vec<(&'static str, String)>,
    /// Shared, not copied, by each attempt (a write's body is about 2 MB).
    pub body: Option<bytes::Bytes>,
    /// Named in errors ("values.batchUpdate of 1200 rows").
    pub what: String,
}

/// A Google Sheets and Drive client for one service account.
#[derive(Debug)]
pub struct SheetsClient {
    pub(crate) settings: SheetsSettings,
    http: reqwest::Client,
    auth: TokenSource,
    reads: Pacer,
    writes: Pacer,
    requests: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
}

/// How a failed attempt ends.
enum Failure {
    /// Worth another attempt; nothing was applied.
    Retry(SheetsError, Option<Duration>),
    /// Final.
    Fatal(SheetsError),
    /// A 401: worth one attempt with a fresh token.
    Unauthorized,
}

impl SheetsClient {
    /// Reads the key and builds the HTTP client; no request is sent yet.
    ///
    /// # Errors
    /// [`SheetsError::KeyFile`] or [`SheetsError::InsecureTokenUri`] for a bad key file;
    /// [`SheetsError::Transport`] when no HTTP client can be built.
    pub async fn new(settings: SheetsSettings) -> Result<Self, SheetsError> {
        crate::http::install_tls_provider();
        let auth = TokenSource::from_key_file(&settings.key_file, settings.token_timeout).await?;
        let http = crate::http::builder(settings.connect_timeout)
            .build()
            .map_err(|e| SheetsError::Transport {
                message: format!("cannot build the HTTP client: {e}"),
                attempts: 0,
            })?;
        Ok(Self {
            reads: Pacer::new(settings.clock.clone(), settings.reads_per_minute),
            writes: Pacer::new(settings.clock.clone(), settings.writes_per_minute),
            settings,
            http,
            auth,
            requests: std::sync::atomic::AtomicU64::new(0),
            bytes: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The service account's e-mail: what a spreadsheet must be shared with.
    #[must_use]
    pub fn client_email(&self) -> &str {
        self.auth.client_email()
    }

    /// Obtains an access token (minting one if none is cached), to check the key and the token
    /// endpoint without calling an API.
    ///
    /// # Errors
    /// [`SheetsError::Auth`] when the token endpoint refuses the key, [`SheetsError::Transport`]
    /// when it cannot be reached.
    pub async fn authenticate(&self) -> Result<(), SheetsError> {
        self.auth.token().await.map(drop)
    }

    /// API requests sent so far (retries included) and request-body bytes sent.
    #[must_use]
    pub fn traffic(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.requests.load(Relaxed), self.bytes.load(Relaxed))
    }

    /// Sends `call` with pacing, a fresh token on one 401, and retries where nothing was applied.
    ///
    /// A write that timed out, was reset after sending, or got a 5xx is returned as
    /// [`SheetsError::Ambiguous`] without retrying: the caller re-reads before trying again.
    pub(crate) async fn call(&self, call: Call) -> Result<Value, SheetsError> {
        let mut attempt = 0;
        let mut quota_hits = 0;
        let mut refreshed = false;
        let mut refresh_now = false;
        loop {
            attempt += 1;
            let outcome = self.attempt(&call, refresh_now).await;
            refresh_now = false;
            match outcome {
                Ok(value) => return Ok(value),
                Err(Failure::Unauthorized) => {
                    if refreshed {
                        return Err(SheetsError::Auth {
                            message: format!(
                                "{} was answered 401 Unauthorized even with a fresh token",
                                call.what
                            ),
                        });
                    }
                    refreshed = true;
                    refresh_now = true;
                    attempt -= 1;
                }
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Retry(e, retry_after)) => {
                    // A 429 has its own budget and Google's own backoff, from about a second:
                    // the pacer already keeps this client under the quota, so a 429 means
                    // another tool shares it, and waiting out a whole minute would be too much.
                    let (allowed, wait) = if matches!(e, SheetsError::Quota { .. }) {
                        quota_hits += 1;
                        (
                            quota_hits < self.settings.quota_attempts,
                            super::pace::quota_backoff(quota_hits, retry_after),
                        )
                    } else {
                        let others = attempt - quota_hits;
                        (
                            self.settings
                                .backoff
                                .allows_retry_after(others, e.patience()),
                            self.settings.backoff.delay(others, retry_after),
                        )
                    };
                    if !allowed || self.settings.clock.stopping() {
                        return Err(with_attempts(e, attempt));
                    }
                    tracing::info!(what = %call.what, attempt, wait_ms = wait.as_millis(), error = %e, "retrying");
                    self.settings.clock.sleep(wait).await;
                }
            }
        }
    }

    /// One try of `call`: paced, authorized, sent, and its reply read.
    async fn attempt(&self, call: &Call, refresh: bool) -> Result<Value, Failure> {
        match call.op {
            Op::Read => self.reads.acquire().await,
            Op::Write => self.writes.acquire().await,
            Op::Drive => {}
        }
        let auth_value = self.authorization(refresh).await?;
        let timeout = if call.op == Op::Write {
            self.settings.write_timeout
        } else {
            self.settings.read_timeout
        };
        let mut request = self
            .http
            .request(call.method.clone(), &call.url)
            .header(header::AUTHORIZATION, auth_value)
            .timeout(timeout)
            .query(&call.query);
        if let Some(body) = &call.body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        {
            use std::sync::atomic::Ordering::Relaxed;
            self.requests.fetch_add(1, Relaxed);
            self.bytes.fetch_add(
                call.body.as_ref().map_or(0, bytes::Bytes::len) as u64,
                Relaxed,
            );
        }
        match request.send().await {
            Ok(response) => self.reply(call, response).await,
            Err(e) => Err(self.send_failure(call, e, timeout)),
        }
    }

    /// The `Authorization` header: the cached token, or a fresh one after a 401.
    async fn authorization(&self, refresh: bool) -> Result<header::HeaderValue, Failure> {
        let token = if refresh {
            self.auth.refresh().await
        } else {
            self.auth.token().await
        }
        .map_err(|e| match e {
            e @ (SheetsError::Transport { .. } | SheetsError::Unreachable { .. }) => {
                Failure::Retry(e, None)
            }
            e => Failure::Fatal(e),
        })?;
        let mut value = header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| {
                Failure::Fatal(SheetsError::Auth {
                    message: "the access token is not a valid header value".to_owned(),
                })
            })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// A request that got no reply: retried when nothing was sent (or it was a read), ambiguous
    /// when a write may have been applied.
    fn send_failure(&self, call: &Call, e: reqwest::Error, timeout: Duration) -> Failure {
        match ConnectFailure::of(&e, e.is_timeout()) {
            // Nothing was sent, so even a write is safe to retry.
            Some(failure) => Failure::Retry(self.unreachable(call.op, failure), None),
            None if call.op == Op::Write => ambiguous(
                call,
                if e.is_timeout() {
                    format!("no reply within {} s", timeout.as_secs())
                } else {
                    format!("connection failed after sending: {}", e.without_url())
                },
            ),
            None => Failure::Retry(
                SheetsError::Transport {
                    message: format!("{}: {}", call.what, e.without_url()),
                    attempts: 1,
                },
                None,
            ),
        }
    }

    /// Reads a reply: a redirect refused, the body parsed on success, else classified.
    async fn reply(&self, call: &Call, response: reqwest::Response) -> Result<Value, Failure> {
        let status = response.status();
        tracing::debug!(
            what = %call.what,
            status = status.as_u16(),
            sent_bytes = call.body.as_ref().map_or(0, bytes::Bytes::len),
            "Google replied"
        );
        if status.is_redirection() {
            return Err(Failure::Fatal(SheetsError::Redirected {
                status: status.as_u16(),
                location: crate::http::redirect_location(response.headers()),
                what: call.what.clone(),
            }));
        }
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) if call.op == Op::Write => {
                return Err(ambiguous(
                    call,
                    format!("the reply was cut off: {}", e.without_url()),
                ));
            }
            Err(e) => {
                return Err(Failure::Retry(
                    SheetsError::Transport {
                        message: format!("{}: reply cut off: {}", call.what, e.without_url()),
                        attempts: 1,
                    },
                    None,
                ));
            }
        };
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| {
                Failure::Fatal(SheetsError::Protocol {
                    message: format!("{}: {e}", call.what),
                })
            });
        }
        let google = GoogleError::parse(&body);
        Err(self.classify(call, status, &google, retry_after))
    }

    /// The one place that maps a status and Google's error body to an error.
    fn classify(
        &self,
        call: &Call,
        status: StatusCode,
        google: &GoogleError,
        retry_after: Option<Duration>,
    ) -> Failure {
        let message = format!("{}: {}", call.what, google.message);
        let email = self.client_email().to_owned();
        match status.as_u16() {
            401 => Failure::Unauthorized,
            code if code == 429 || (code == 403 && google.is_rate_limit()) => Failure::Retry(
                SheetsError::Quota {
                    message,
                    attempts: 1,
                },
                retry_after,
            ),
            403 => Failure::Fatal(SheetsError::PermissionDenied {
                message,
                client_email: email,
            }),
            404 => Failure::Fatal(SheetsError::NotFound {
                message,
                client_email: email,
            }),
            408 | 500..=599 if call.op == Op::Write => Failure::Fatal(SheetsError::Ambiguous {
                operation: call.what.clone(),
                cause: format!("Google answered {status}: {}", google.message),
            }),
            408 | 500..=599 => Failure::Retry(
                SheetsError::Server {
                    status: status.as_u16(),
                    message,
                    attempts: 1,
                },
                retry_after,
            ),
            _ => Failure::Fatal(SheetsError::BadRequest { message }),
        }
    }

    /// The error for a connection to `op`'s service that could not be made.
    fn unreachable(&self, op: Op, failure: ConnectFailure) -> SheetsError {
        let s = &self.settings;
        let (service, url, origin) = match op {
            Op::Read | Op::Write => ("Google Sheets", &s.sheets_url, &s.sheets_url_origin),
            Op::Drive => ("Google Drive", &s.drive_url, &s.drive_url_origin),
        };
        SheetsError::Unreachable {
            service,
            endpoint: host_port(url),
            origin: origin
                .clone()
                .unwrap_or_else(|| "the default address".to_owned()),
            failure,
            attempts: 1,
        }
    }

    /// `{sheets_url}/v4/spreadsheets/{id}{suffix}`.
    pub(crate) fn sheets_endpoint(&self, id: &str, suffix: &str) -> String {
        format!(
            "{}/v4/spreadsheets/{}{suffix}",
            self.settings.sheets_url.trim_end_matches('/'),
            super::a1::encode_segment(id)
        )
    }
}

fn with_attempts(error: SheetsError, attempts: u32) -> SheetsError {
    match error {
        SheetsError::Quota { message, .. } => SheetsError::Quota { message, attempts },
        SheetsError::Server {
            status, message, ..
        } => SheetsError::Server {
            status,
            message,
            attempts,
        },
        SheetsError::Transport { message, .. } => SheetsError::Transport { message, attempts },
        SheetsError::Unreachable {
            service,
            endpoint,
            origin,
            failure,
            ..
        } => SheetsError::Unreachable {
            service,
            endpoint,
            origin,
            failure,
            attempts,
        },
        other => other,
    }
}

/// A write whose outcome is unknown: never retried blindly.
fn ambiguous(call: &Call, cause: String) -> Failure {
    Failure::Fatal(SheetsError::Ambiguous {
        operation: call.what.clone(),
        cause,
    })
}
