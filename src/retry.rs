//! Capped exponential backoff with jitter, and what a failed connection means for it, shared by
//! both remote clients.
//!
//! Which errors are worth retrying is each client's business (a GraphQL `THROTTLED` inside an HTTP 200,
//! a Sheets 429 quota reply); how long to wait, and how many attempts each kind of failure earns,
//! live here, once.

use std::error::Error;
use std::fmt;
use std::time::Duration;

/// Attempts in all when the connection itself fails (refused, unknown host, TLS): such a failure is
/// a wrong address, a service that is down or a network that is off, which seldom clears within a
/// minute, and the next cron run catches up anyway. With the default base that is at most 1.5 s
/// of waiting in all.
pub const UNREACHABLE_ATTEMPTS: u32 = 3;

/// How much patience a failure deserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    /// The service answered, or may be slow (429, 5xx, `THROTTLED`, timeouts, resets): the whole
    /// budget of [`Backoff::max_attempts`].
    Long,
    /// Nothing could be reached (refused, unknown host, TLS failure): [`UNREACHABLE_ATTEMPTS`].
    Short,
}

/// How many attempts a call gets and how long to wait between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The wait before the second attempt.
    pub base: Duration,
    /// No wait is longer than this, `Retry-After` included.
    pub cap: Duration,
}

impl Default for Backoff {
    /// Six attempts, 0.5 s doubling to at most 32 s: about a minute of patience for 5xx,
    /// `THROTTLED` and timeouts (a Sheets 429 has Google's own backoff and budget, in the Sheets
    /// client's pacing).
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(32),
        }
    }
}

impl Backoff {
    /// The wait after failed attempt number `attempt` (1-based).
    ///
    /// A server's `Retry-After` is honoured (up to the cap) when given; otherwise the wait is
    /// "full jitter" over the exponential step, so many clients do not retry in lockstep.
    #[must_use]
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.cap);
        }
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let ceiling = exp.min(self.cap);
        // Half fixed, half random: never zero, never above the ceiling.
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether another attempt may follow failed attempt number `attempt` (1-based), when that
    /// attempt's failure deserves `patience`.
    #[must_use]
    pub fn allows_retry_after(&self, attempt: u32, patience: Patience) -> bool {
        attempt < self.attempts(patience)
    }

    /// Attempts in all for a failure that deserves `patience`.
    #[must_use]
    pub fn attempts(&self, patience: Patience) -> u32 {
        match patience {
            Patience::Long => self.max_attempts,
            Patience::Short => UNREACHABLE_ATTEMPTS.min(self.max_attempts),
        }
    }
}

/// Why no connection could be made: a request that never reached the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectFailure {
    /// Nothing listens at that address (`ECONNREFUSED`).
    Refused,
    /// The host name does not resolve.
    UnknownHost,
    /// The TLS handshake failed (a certificate refused, or a server that does not speak TLS).
    Tls(String),
    /// No answer within the connect timeout.
    Timeout,
    /// Anything else that stopped the connection (no route to the host, a reset handshake).
    Other(String),
}

impl ConnectFailure {
    /// The connection failure behind `error`, or `None` when a connection was made (the request
    /// may then have reached the service). `timed_out` is the HTTP client's own verdict, since
    /// reqwest's connect-timeout error type is private.
    #[must_use]
    pub fn of(error: &(dyn Error + 'static), timed_out: bool) -> Option<Self> {
        let chain = || causes(error);
        let connecting = chain().any(|e| {
            e.downcast_ref::<hyper_util::client::legacy::Error>()
                .is_some_and(hyper_util::client::legacy::Error::is_connect)
        });
        if !connecting {
            return None;
        }
        for cause in chain() {
            if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
                return Some(Self::Tls(tls.to_string()));
            }
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => return Some(Self::Refused),
                    std::io::ErrorKind::TimedOut => return Some(Self::Timeout),
                    _ => {}
                }
            }
            // hyper-util's connector error type is not exported; its text is its only mark.
            if cause.to_string() == "dns error" {
                return Some(Self::UnknownHost);
            }
        }
        if timed_out {
            return Some(Self::Timeout);
        }
        let innermost = chain().last().map_or_else(String::new, ToString::to_string);
        Some(Self::Other(innermost))
    }

    /// How many attempts this failure earns: a connect timeout may be a slow network, the rest
    /// are an address that does not work.
    #[must_use]
    pub fn patience(&self) -> Patience {
        match self {
            Self::Timeout => Patience::Long,
            _ => Patience::Short,
        }
    }

    /// What to check, in a sentence that follows the address and where it came from.
    #[must_use]
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Refused => {
                "nothing accepts connections there: check the address, and that the service (or \
                 proxy) at it is running"
            }
            Self::UnknownHost => {
                "check the host name, and this machine's network connection and DNS"
            }
            Self::Tls(_) => {
                "check that it is an https address, that no proxy or firewall intercepts HTTPS, \
                 and the system clock and CA certificates"
            }
            Self::Timeout => "check this machine's network connection and firewall",
            Self::Other(_) => "check the address and this machine's network connection",
        }
    }
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused => f.write_str("connection refused"),
            Self::UnknownHost => f.write_str("unknown host"),
            Self::Tls(why) => write!(f, "TLS handshake failed ({why})"),
            Self::Timeout => f.write_str("no answer within the connect timeout"),
            Self::Other(why) => write!(f, "connection failed ({why})"),
        }
    }
}

/// `", after 3 attempts"` for a failure that was retried, nothing for one attempt.
#[must_use]
pub fn after_attempts(attempts: u32) -> String {
    if attempts > 1 {
        format!(", after {attempts} attempts")
    } else {
        String::new()
    }
}

/// `error` and its causes, looking inside each `io::Error` too: its `source()` skips the error
/// it wraps, and TLS failures come as a rustls error inside two of them.
fn causes<'a>(error: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(error), |&e: &&'a (dyn Error + 'static)| {
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map(|inner| inner as &(dyn Error + 'static));
        inner.or_else(|| e.source())
    })
}

/// `host:port` of a URL, for messages (the port spelt out even when it is the scheme's default).
#[must_use]
pub fn host_port(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            _ => url.to_string(),
        },
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let backoff = Backoff::default();
        for attempt in 1..20 {
            let delay = backoff.delay(attempt, None);
            assert!(delay <= backoff.cap, "attempt {attempt}: {delay:?}");
            assert!(
                delay >= Duration::from_millis(250),
                "attempt {attempt}: {delay:?}"
            );
        }
        assert!(backoff.delay(8, None) >= Duration::from_secs(16));
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let backoff = Backoff::default();
        assert_eq!(
            backoff.delay(1, Some(Duration::from_millis(1500))),
            Duration::from_millis(1500)
        );
        assert_eq!(
            backoff.delay(1, Some(Duration::from_secs(600))),
            backoff.cap
        );
    }

    #[test]
    fn attempts_are_bounded() {
        let backoff = Backoff::default();
        assert!(backoff.allows_retry_after(5, Patience::Long));
        assert!(!backoff.allows_retry_after(6, Patience::Long));
    }

    #[test]
    fn an_unreachable_address_gets_a_few_seconds_in_all() {
        let backoff = Backoff::default();
        assert_eq!(backoff.attempts(Patience::Short), UNREACHABLE_ATTEMPTS);
        assert!(backoff.allows_retry_after(UNREACHABLE_ATTEMPTS - 1, Patience::Short));
        assert!(!backoff.allows_retry_after(UNREACHABLE_ATTEMPTS, Patience::Short));
        // The longest waits jitter can draw, added up.
        let worst: Duration = (1..UNREACHABLE_ATTEMPTS)
            .map(|attempt| (backoff.base.saturating_mul(2u32.pow(attempt - 1))).min(backoff.cap))
            .sum();
        assert!(worst <= Duration::from_secs(3), "{worst:?}");
        // A budget smaller than the short one is not raised.
        let tight = Backoff {
            max_attempts: 2,
            ..Backoff::default()
        };
        assert_eq!(tight.attempts(Patience::Short), 2);
    }

    #[test]
    fn host_and_port_are_named_with_the_default_port() {
        assert_eq!(host_port("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_eq!(
            host_port("https://acme.myshopify.com"),
            "acme.myshopify.com:443"
        );
        assert_eq!(host_port("http://[::1]:9/"), "[::1]:9");
    }

    /// A closed port: bound, its number taken, dropped.
    fn closed_port() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        url
    }

    async fn failure_of(url: &str) -> Option<ConnectFailure> {
        let client = crate::http::builder(Duration::from_secs(10))
            .no_proxy()
            .build()
            .unwrap();
        let error = client.get(url).send().await.unwrap_err();
        ConnectFailure::of(&error, error.is_timeout())
    }

    #[tokio::test]
    async fn connection_failures_are_told_apart() {
        assert_eq!(
            failure_of(&closed_port()).await,
            Some(ConnectFailure::Refused)
        );
        // RFC 6761: `.invalid` never resolves, and names no real host to ask about.
        assert_eq!(
            failure_of("http://shopsync-test.invalid").await,
            Some(ConnectFailure::UnknownHost)
        );
        // https to a plain-text listener: the handshake fails.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt as _;
            while let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        let tls = failure_of(&format!("https://127.0.0.1:{port}")).await;
        assert!(matches!(tls, Some(ConnectFailure::Tls(_))), "{tls:?}");
        assert_eq!(tls.unwrap().patience(), Patience::Short);
    }

    #[tokio::test]
    async fn a_request_that_reached_the_server_is_no_connect_failure() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            // Accept and hang up without answering: the request reached a server.
            while let Ok((socket, _)) = listener.accept().await {
                drop(socket);
            }
        });
        assert_eq!(failure_of(&format!("http://127.0.0.1:{port}")).await, None);
    }
}
