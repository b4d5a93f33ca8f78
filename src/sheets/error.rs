//! The Sheets client's typed errors, each with a hint saying what to do, and the one function that
//! turns Google's status codes and error bodies into them.

use std::path::PathBuf;

use crate::retry::{ConnectFailure, Patience};

/// What kind of failure an error is, for the caller's exit code and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad configuration: key file, token URI, a tab layout shopsync will not adopt (exit 2).
    Config,
    /// Google refused: auth, permission, not found, invalid request, quota or outage after retries (exit 3).
    Remote,
    /// No connection could be made to Google: a wrong address, a service down, no network (exit 3).
    Unreachable,
    /// A write whose outcome is unknown: re-read the sheet before retrying.
    Ambiguous,
    /// Google's 10,000,000-cell limit would be crossed (exit 3).
    Limit,
}

/// An error from the Sheets client.
#[derive(Debug, thiserror::Error)]
pub enum SheetsError {
    /// The key file cannot be read or is not a service-account key.
    #[error(
        "cannot use the service-account key file {}: {reason}; download a JSON key for the service account from the Google Cloud console",
        path.display()
    )]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The key's `token_uri` would send the signed assertion over plain HTTP to a remote host.
    #[error(
        "the key file {} has token_uri {uri}: plain http is refused except for a loopback host; use the https token_uri Google put in the key",
        path.display()
    )]
    InsecureTokenUri {
        /// The key file.
        path: PathBuf,
        /// The refused URI.
        uri: String,
    },
    /// The token endpoint refused the service account, or a call stayed 401 after a fresh token.
    #[error(
        "Google refused the service account's credentials: {message}; check that the key is current and not revoked, and that the machine's clock is right"
    )]
    Auth {
        /// Google's words.
        message: String,
    },
    /// 400: the request is malformed, or names a range or tab that does not exist.
    #[error(
        "Google rejected the request: {message}; check that the tab exists and was not renamed"
    )]
    BadRequest {
        /// Google's words.
        message: String,
    },
    /// 403: the spreadsheet is not shared with the service account, or an API is disabled.
    #[error(
        "permission denied: {message}; share the spreadsheet with {client_email} as Editor (and make sure the Sheets and Drive APIs are enabled in the key's project)"
    )]
    PermissionDenied {
        /// Google's words.
        message: String,
        /// The service account to share with.
        client_email: String,
    },
    /// 404: no spreadsheet with that ID.
    #[error(
        "not found: {message}; check target_spreadsheet, and share the spreadsheet with {client_email} as Editor"
    )]
    NotFound {
        /// Google's words.
        message: String,
        /// The service account to share with.
        client_email: String,
    },
    /// 429 (or Drive's 403 rate limit) that did not clear within the retry budget.
    #[error(
        "Google's per-minute quota stayed exhausted after {attempts} attempts: {message}; wait a minute and run again"
    )]
    Quota {
        /// Google's words.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// 5xx on a read, after retries.
    #[error("Google answered {status} after {attempts} attempts: {message}; try again later")]
    Server {
        /// HTTP status.
        status: u16,
        /// Google's words.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// No connection could be made (refused, unknown host, TLS, connect timeout): nothing was sent.
    #[error(
        "cannot connect to {service} at {endpoint} ({origin}): {failure}{}; {}",
        crate::retry::after_attempts(*attempts),
        failure.hint()
    )]
    Unreachable {
        /// `Google Sheets`, `Google Drive` or `Google's token endpoint`.
        service: &'static str,
        /// `host:port`.
        endpoint: String,
        /// Where that address came from (`google_sheets_api_url from config.json`).
        origin: String,
        /// Why no connection was made.
        failure: ConnectFailure,
        /// Attempts made.
        attempts: u32,
    },
    /// Timeouts and resets after connecting, or replies cut off, on a read, after retries.
    #[error("could not reach Google after {attempts} attempts: {message}")]
    Transport {
        /// What failed.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// A write that may or may not have been applied (timeout, 5xx, reset, unconfirmed reply).
    #[error(
        "the outcome of {operation} is unknown ({cause}); it may have been applied: re-read the sheet before retrying"
    )]
    Ambiguous {
        /// What was being written.
        operation: String,
        /// What happened.
        cause: String,
    },
    /// No spreadsheet with that title is visible to the service account.
    #[error(
        "no spreadsheet named \"{title}\" is visible to {client_email}: share it with that address as Editor, or set target_spreadsheet to the spreadsheet's ID or URL"
    )]
    SpreadsheetNotFound {
        /// The title looked up.
        title: String,
        /// The service account.
        client_email: String,
    },
    /// Several spreadsheets share the title.
    #[error(
        "several spreadsheets are named \"{title}\" ({}); set target_spreadsheet to the ID of the one to use",
        matches.iter().map(|(id, name)| format!("{name}: {id}")).collect::<Vec<_>>().join(", ")
    )]
    AmbiguousTitle {
        /// The title looked up.
        title: String,
        /// `(id, name)` of each match.
        matches: Vec<(String, String)>,
    },
    /// The write would push the spreadsheet over Google's cell limit.
    #[error(
        "the spreadsheet would grow to {would_be} cells, over Google's limit of 10,000,000 (it has {current}); delete unused rows, columns or tabs, or point shopsync at a new spreadsheet"
    )]
    CellLimit {
        /// Cells now.
        current: u64,
        /// Cells after the write.
        would_be: u64,
    },
    /// The named tab is not in the spreadsheet.
    #[error("the spreadsheet has no tab \"{tab}\"")]
    TabMissing {
        /// The tab.
        tab: String,
    },
    /// A 3xx: shopsync follows no redirect, which would carry the token wherever it points.
    #[error(
        "{what}: Google's address answered HTTP {status} redirecting to {location}; shopsync \
         follows no redirects (they would carry the token elsewhere): check google_sheets_api_url \
         and google_drive_api_url"
    )]
    Redirected {
        /// The status.
        status: u16,
        /// The `Location` header, as sent (at most 200 characters).
        location: String,
        /// The request.
        what: String,
    },
    /// Google's reply made no sense.
    #[error("unexpected reply from Google: {message}")]
    Protocol {
        /// What was wrong.
        message: String,
    },
}

impl SheetsError {
    /// The error's kind.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::KeyFile { .. } | Self::InsecureTokenUri { .. } | Self::AmbiguousTitle { .. } => {
                ErrorKind::Config
            }
            Self::Ambiguous { .. } => ErrorKind::Ambiguous,
            Self::CellLimit { .. } => ErrorKind::Limit,
            Self::Unreachable { .. } => ErrorKind::Unreachable,
            _ => ErrorKind::Remote,
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

    /// Whether a write's outcome is unknown.
    #[must_use]
    pub fn is_ambiguous(&self) -> bool {
        self.kind() == ErrorKind::Ambiguous
    }
}

/// Google's error body, both shapes (Sheets' `status`, Drive's `errors[].reason`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GoogleError {
    /// `error.message`.
    pub message: String,
    /// `error.status` (`RESOURCE_EXHAUSTED`, …).
    pub status: String,
    /// `error.errors[0].reason` or `error.details[].reason`.
    pub reason: String,
}

impl GoogleError {
    /// Parses an error body; anything unreadable becomes its text.
    #[must_use]
    pub fn parse(body: &[u8]) -> Self {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            let text = String::from_utf8_lossy(body);
            return Self {
                message: text.chars().take(200).collect(),
                ..Self::default()
            };
        };
        let error = &value["error"];
        let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
        let reason = error["errors"][0]["reason"]
            .as_str()
            .or_else(|| {
                error["details"]
                    .as_array()
                    .and_then(|d| d.iter().find_map(|x| x["reason"].as_str()))
            })
            .unwrap_or("")
            .to_owned();
        Self {
            message: error["message"]
                .as_str()
                .map_or_else(|| text(&value["error_description"]), str::to_owned),
            status: text(&error["status"]),
            reason,
        }
    }

    /// Drive signals its rate limit with 403 and one of these reasons: retry, do not report as permission.
    #[must_use]
    pub fn is_rate_limit(&self) -> bool {
        matches!(
            self.reason.as_str(),
            "userRateLimitExceeded" | "rateLimitExceeded" | "RATE_LIMIT_EXCEEDED"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes_parse() {
        let sheets = br#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"}]}}"#;
        let e = GoogleError::parse(sheets);
        assert_eq!(e.status, "RESOURCE_EXHAUSTED");
        assert!(e.is_rate_limit());
        let drive = br#"{"error":{"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded","message":"User Rate Limit Exceeded"}],"code":403,"message":"User Rate Limit Exceeded"}}"#;
        assert!(GoogleError::parse(drive).is_rate_limit());
        let denied = br#"{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}"#;
        assert!(!GoogleError::parse(denied).is_rate_limit());
        assert_eq!(GoogleError::parse(b"<html>").message, "<html>");
    }

    #[test]
    fn kinds_separate_config_remote_and_ambiguous() {
        let ambiguous = SheetsError::Ambiguous {
            operation: "x".into(),
            cause: "503".into(),
        };
        assert!(ambiguous.is_ambiguous());
        let key = SheetsError::KeyFile {
            path: "k.json".into(),
            reason: "missing".into(),
        };
        assert_eq!(key.kind(), ErrorKind::Config);
        assert!(key.to_string().contains("k.json"));
    }
}
