//! Google's error replies, in the shapes recorded from the real APIs.
//!
//! Sheets sends a `google.rpc.Status` (`code`, `message`, `status`, optional `details`); Drive adds
//! the older `errors[]` list with a `reason` (SHEETS-API.md section 4 and section 2).

use axum::http::StatusCode;
use serde_json::{Value, json};

/// An error the emulator answers with.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.message`.
    pub message: String,
    /// Drive's `errors[].reason`, when the reply is Drive-shaped.
    pub drive_reason: Option<&'static str>,
    /// `error.details`.
    pub details: Option<Value>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            drive_reason: None,
            details: None,
        }
    }

    /// 400 `INVALID_ARGUMENT`.
    #[must_use]
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 400 naming the field Google could not read, with `BadRequest` details.
    #[must_use]
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let details = json!([{
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}],
        }]);
        Self {
            details: Some(details),
            ..Self::invalid(message)
        }
    }

    /// 401 `UNAUTHENTICATED`.
    #[must_use]
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        )
    }

    /// 403 `PERMISSION_DENIED` (recorded text).
    #[must_use]
    pub fn permission_denied() -> Self {
        Self::new(StatusCode::FORBIDDEN, "The caller does not have permission")
    }

    /// 403 for a token without the needed scope.
    #[must_use]
    pub fn insufficient_scope() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Request had insufficient authentication scopes.",
        )
    }

    /// 404 `NOT_FOUND` (recorded text).
    #[must_use]
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Requested entity was not found.")
    }

    /// 429 `RESOURCE_EXHAUSTED` for the per-minute quota `metric` ("Read" or "Write").
    #[must_use]
    pub fn quota(metric: &str, limit: u32) -> Self {
        let lower = metric.to_lowercase();
        let message = format!(
            "Quota exceeded for quota metric '{metric} requests' and limit '{metric} requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."
        );
        let details = json!([{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_location": "global", "service": "sheets.googleapis.com",
                "quota_limit_value": limit.to_string(),
                "quota_limit": format!("{metric}RequestsPerMinutePerUser"),
                "consumer": "projects/000000000000",
                "quota_metric": format!("sheets.googleapis.com/{lower}_requests"),
            },
        }]);
        Self {
            details: Some(details),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    /// A 5xx with Google's text.
    #[must_use]
    pub fn server(status: StatusCode) -> Self {
        let message = if status == StatusCode::SERVICE_UNAVAILABLE {
            "The service is currently unavailable."
        } else {
            "Internal error encountered."
        };
        Self::new(status, message)
    }

    /// Drive's 403 `userRateLimitExceeded`.
    #[must_use]
    pub fn drive_rate_limit() -> Self {
        Self {
            drive_reason: Some("userRateLimitExceeded"),
            ..Self::new(StatusCode::FORBIDDEN, "User Rate Limit Exceeded")
        }
    }

    /// Drive's 404 for a file it cannot see (recorded shape: reason `notFound`).
    #[must_use]
    pub fn drive_not_found(id: &str) -> Self {
        Self {
            drive_reason: Some("notFound"),
            ..Self::new(StatusCode::NOT_FOUND, format!("File not found: {id}."))
        }
    }

    /// A Drive-shaped 400.
    #[must_use]
    pub fn drive_invalid(message: impl Into<String>) -> Self {
        Self {
            drive_reason: Some("invalid"),
            ..Self::invalid(message)
        }
    }

    /// The canonical `status` string for the HTTP code.
    #[must_use]
    pub fn canonical(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "INVALID_ARGUMENT",
            401 => "UNAUTHENTICATED",
            403 => "PERMISSION_DENIED",
            404 => "NOT_FOUND",
            429 => "RESOURCE_EXHAUSTED",
            503 => "UNAVAILABLE",
            504 => "DEADLINE_EXCEEDED",
            _ => "INTERNAL",
        }
    }

    /// The JSON body.
    #[must_use]
    pub fn body(&self) -> Value {
        let mut error = json!({
            "code": self.status.as_u16(),
            "message": self.message,
        });
        if let Some(reason) = self.drive_reason {
            error["errors"] =
                json!([{"domain": "usageLimits", "reason": reason, "message": self.message}]);
            if reason != "userRateLimitExceeded" {
                error["errors"][0]["domain"] = json!("global");
            }
            if reason == "notFound" {
                error["errors"][0]["locationType"] = json!("parameter");
                error["errors"][0]["location"] = json!("fileId");
            }
        } else {
            error["status"] = json!(self.canonical());
        }
        if let Some(details) = &self.details {
            error["details"] = details.clone();
        }
        json!({ "error": error })
    }
}
