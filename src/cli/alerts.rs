//! Alerts for a sync nobody watches: healthchecks.io-style pings (`<url>/start`, `<url>` on
//! success, `<url>/fail` on failure, the one-line summary or error as the body) and a JSON webhook
//! on failure.
//!
//! An alert never fails a sync and never holds it up for more than a few seconds: each request
//! has a short timeout, is tried once, follows no redirect, and its outcome is only logged. The
//! start ping goes out beside the sync, and a healthcheck that let it time out is not asked again
//! at the end, so an endpoint that hangs costs one timeout at most. Logs name the URL's host,
//! never its path (a check's key, a webhook's credential).

use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::config::{RemoteConfig, is_loopback, redact};
use crate::store::RunCounts;

/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long one request may take in all.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest ping body sent (healthchecks.io keeps the first 10 kB).
const MAX_BODY: usize = 10_000;

/// What the webhook is told about a failed sync. Never a token or a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureAlert {
    /// `sync_failed` (`validate_test` for `validate`'s test message).
    pub event: &'static str,
    /// One sentence for people: chat webhooks (Slack, Mattermost) show `text` as the message.
    pub text: String,
    /// The run's id in the tracking store, when the sync got as far as starting one.
    pub run_id: Option<i64>,
    /// The process exit code.
    pub exit_code: u8,
    /// What kind of failure (`remote`, `store`, `locked`, `usage`, `problems`, `interrupted`).
    pub error_kind: &'static str,
    /// The same sentence as on stderr.
    pub error_message: String,
    /// The run's counts, when it started one.
    pub counts: Option<AlertCounts>,
    /// The store, `acme.myshopify.com`.
    pub shop: String,
    /// The spreadsheet bound to the store, or as configured before the first sync.
    pub spreadsheet_id: String,
}

/// A run's counts as the webhook gets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertCounts {
    /// Orders fetched.
    pub fetched: i64,
    /// New orders.
    pub new: i64,
    /// Updated orders.
    pub updated: i64,
    /// Orders that failed.
    pub failed: i64,
    /// Rows appended.
    pub rows_appended: i64,
    /// Rows updated.
    pub rows_updated: i64,
}

impl From<&RunCounts> for AlertCounts {
    fn from(c: &RunCounts) -> Self {
        Self {
            fetched: c.fetched,
            new: c.new,
            updated: c.updated,
            failed: c.failed,
            rows_appended: c.rows_appended,
            rows_updated: c.rows_updated,
        }
    }
}

/// The configured alert URLs of one sync, and the client that sends to them.
#[derive(Debug)]
pub struct Alerts {
    healthcheck: Option<Url>,
    webhook: Option<Url>,
    client: Option<reqwest::Client>,
    /// The start ping under way beside the sync; it says whether it timed out.
    start: Mutex<Option<JoinHandle<Sent>>>,
}

impl Alerts {
    /// The alerts `config` asks for; none for a dry run, which pings nothing.
    #[must_use]
    pub fn new(config: &RemoteConfig, dry_run: bool) -> Self {
        if dry_run {
            return Self::none();
        }
        let urls = [&config.healthcheck_url, &config.alert_webhook_url];
        let client = if urls.iter().any(|u| u.is_some()) {
            client(urls.iter().filter_map(|u| u.as_ref()))
        } else {
            None
        };
        Self {
            healthcheck: config.healthcheck_url.clone(),
            webhook: config.alert_webhook_url.clone(),
            client,
            start: Mutex::new(None),
        }
    }

    /// No alerts at all.
    #[must_use]
    pub fn none() -> Self {
        Self {
            healthcheck: None,
            webhook: None,
            client: None,
            start: Mutex::new(None),
        }
    }

    /// `<healthcheck>/start`, sent beside the sync as it begins (the end ping waits for it, so
    /// the two arrive in order).
    pub fn start(&self) {
        let (Some(url), Some(client)) = (&self.healthcheck, &self.client) else {
            return;
        };
        let request = ping(&with_suffix(url, "start"), String::new());
        let client = client.clone();
        let sending = std::thread::Builder::new()
            .name("healthcheck-start".into())
            .spawn(move || super::remote::block_on(request.send(client)).unwrap_or(Sent::Answered));
        match sending {
            Ok(handle) => *self.start_slot() = Some(handle),
            Err(err) => tracing::warn!("healthcheck /start not sent: {err}"),
        }
    }

    /// `<healthcheck>` with the summary line.
    pub fn success(&self, summary: &str) {
        if let Some(url) = self.healthcheck_after_start() {
            self.send(vec![ping(url, summary.to_owned())]);
        }
    }

    /// `<healthcheck>/fail` with the error line, and the webhook's JSON, at the same time.
    pub fn failure(&self, alert: &FailureAlert) {
        let mut requests = Vec::new();
        if let Some(url) = self.healthcheck_after_start() {
            requests.push(ping(&with_suffix(url, "fail"), alert.error_message.clone()));
        }
        if let Some(url) = &self.webhook {
            let body = serde_json::to_string(alert).unwrap_or_default();
            requests.push(Request {
                what: "alert webhook",
                url: url.clone(),
                body,
                json: true,
            });
        }
        self.send(requests);
    }

    fn start_slot(&self) -> std::sync::MutexGuard<'_, Option<JoinHandle<Sent>>> {
        self.start
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The healthcheck URL for the end ping, once the start ping is done; `None` when there is
    /// none, or when it let the start ping time out (asking again would only add a timeout).
    fn healthcheck_after_start(&self) -> Option<&Url> {
        let url = self.healthcheck.as_ref()?;
        let start = self.start_slot().take();
        if let Some(Ok(Sent::TimedOut)) = start.map(JoinHandle::join) {
            tracing::warn!(
                "healthcheck {} skipped at the end: it did not answer /start within {} s",
                redact(url.as_str()),
                REQUEST_TIMEOUT.as_secs()
            );
            return None;
        }
        Some(url)
    }

    /// Sends the requests at once and waits for them all (each bounded by [`REQUEST_TIMEOUT`]);
    /// every outcome is logged, none is returned.
    fn send(&self, requests: Vec<Request>) {
        let Some(client) = &self.client else { return };
        if requests.is_empty() {
            return;
        }
        let sent = super::remote::block_on(async {
            let all = requests.into_iter().map(|r| {
                let client = client.clone();
                async move {
                    r.send(client).await;
                }
            });
            futures_join_all(all).await;
        });
        if let Err(err) = sent {
            tracing::warn!("alerts not sent: {err}");
        }
    }
}

/// How an alert URL answered `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A 2xx status.
    Ok(u16),
    /// Another status (a redirect is not followed).
    Status(u16),
    /// No answer: refused, timed out, or TLS failed (the reason, without the URL).
    Unreachable(String),
}

impl Alerts {
    /// Asks each configured URL once, as `validate` does: the healthcheck's `<url>/log` (an event
    /// that changes no check's state on healthchecks.io) and the webhook with a test message.
    /// Returns (the setting's key, the URL as shown, the answer) for each.
    pub async fn probe(&self, test: &FailureAlert) -> Vec<(&'static str, String, Answer)> {
        let Some(client) = &self.client else {
            return Vec::new();
        };
        let mut asked = Vec::new();
        if let Some(url) = &self.healthcheck {
            let body = "shopsync validate: checking that this URL answers".to_owned();
            asked.push(("healthcheck_url", ping(&with_suffix(url, "log"), body)));
        }
        if let Some(url) = &self.webhook {
            asked.push((
                "alert_webhook_url",
                Request {
                    what: "alert webhook",
                    url: url.clone(),
                    body: serde_json::to_string(test).unwrap_or_default(),
                    json: true,
                },
            ));
        }
        let mut answers = Vec::new();
        for (key, request) in asked {
            let shown = redact(request.url.as_str());
            let answer = match request.post(client).send().await {
                Ok(r) if r.status().is_success() => Answer::Ok(r.status().as_u16()),
                Ok(r) => Answer::Status(r.status().as_u16()),
                Err(err) => Answer::Unreachable(err.without_url().to_string()),
            };
            answers.push((key, shown, answer));
        }
        answers
    }
}

/// How a request went, as far as later requests care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// It got an answer, or failed fast (refused, unknown host).
    Answered,
    /// It ran into its timeout.
    TimedOut,
}

/// One request to make.
#[derive(Debug)]
struct Request {
    what: &'static str,
    url: Url,
    body: String,
    json: bool,
}

impl Request {
    fn post(self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        let request = client.post(self.url).body(self.body);
        if self.json {
            request.header(reqwest::header::CONTENT_TYPE, "application/json")
        } else {
            request.header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
        }
    }

    async fn send(self, client: reqwest::Client) -> Sent {
        let shown = redact(self.url.as_str());
        let what = self.what;
        match self.post(&client).send().await {
            Ok(response) if response.status().is_success() => {
                tracing::info!("{what} {shown} answered {}", response.status());
            }
            Ok(response) => {
                tracing::warn!("{what} {shown} answered {}", response.status());
            }
            Err(err) => {
                let timed_out = err.is_timeout();
                tracing::warn!("{what} {shown} not reached: {}", err.without_url());
                if timed_out {
                    return Sent::TimedOut;
                }
            }
        }
        Sent::Answered
    }
}

fn ping(url: &Url, mut body: String) -> Request {
    if body.len() > MAX_BODY {
        let mut end = MAX_BODY;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
    }
    Request {
        what: "healthcheck",
        url: url.clone(),
        body,
        json: false,
    }
}

/// `url` with `/suffix` after its path (`https://hc-ping.com/uuid` gives `…/uuid/fail`).
#[must_use]
pub fn with_suffix(url: &Url, suffix: &str) -> Url {
    let mut url = url.clone();
    let path = format!("{}/{suffix}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

/// The client for alerts: short timeouts, no redirects, no proxy for loopback addresses; `None`
/// (logged) when TLS cannot be set up.
fn client<'a>(urls: impl Iterator<Item = &'a Url>) -> Option<reqwest::Client> {
    let mut builder = crate::http::builder(CONNECT_TIMEOUT).timeout(REQUEST_TIMEOUT);
    if urls.into_iter().all(is_loopback) {
        builder = builder.no_proxy();
    }
    match builder.build() {
        Ok(client) => Some(client),
        Err(err) => {
            tracing::warn!("alerts are off: no HTTP client ({err})");
            None
        }
    }
}

/// Runs the futures at once and waits for all of them.
async fn futures_join_all<F: std::future::Future<Output = ()> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) {
    let mut set = tokio::task::JoinSet::new();
    for future in futures {
        set.spawn(future);
    }
    while set.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_go_after_the_path() {
        let url = Url::parse("https://hc-ping.com/abc-123").unwrap();
        assert_eq!(
            with_suffix(&url, "fail").as_str(),
            "https://hc-ping.com/abc-123/fail"
        );
        let url = Url::parse("http://127.0.0.1:8000/ping/x/").unwrap();
        assert_eq!(
            with_suffix(&url, "start").as_str(),
            "http://127.0.0.1:8000/ping/x/start"
        );
        let url = Url::parse("https://example.com").unwrap();
        assert_eq!(
            with_suffix(&url, "fail").as_str(),
            "https://example.com/fail"
        );
    }

    #[test]
    fn long_bodies_are_cut_at_a_character() {
        let body = "é".repeat(MAX_BODY);
        let request = ping(&Url::parse("https://example.com/x").unwrap(), body);
        assert!(request.body.len() <= MAX_BODY);
        assert!(request.body.chars().all(|c| c == 'é'));
    }
}
