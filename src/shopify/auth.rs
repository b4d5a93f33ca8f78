//! Credentials: a static Admin API token, or the client-credentials grant with the token cached for
//! the run and refreshed when it expires or a call returns 401.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::ShopifyError;
use crate::config::Secret;

/// How the client authenticates: a static token or the client-credentials grant (the same
/// type the configuration resolves).
pub use crate::config::ShopifyAuth as Auth;

/// A token is renewed this long before Shopify says it expires.
const EXPIRY_MARGIN_SECS: i64 = 60;

/// A token obtained by the grant.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub token: Secret,
    pub expires_at: Option<DateTime<Utc>>,
}

impl CachedToken {
    pub fn fresh_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at
            .is_none_or(|at| now + chrono::Duration::seconds(EXPIRY_MARGIN_SECS) < at)
    }
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
}

/// Runs the client-credentials grant against `url`.
pub(crate) async fn fetch_token(
    http: &reqwest::Client,
    address: &super::transport::Address,
    url: &str,
    shop: &str,
    client_id: &str,
    client_secret: &Secret,
    now: DateTime<Utc>,
) -> Result<CachedToken, ShopifyError> {
    let body = serde_json::json!({
        "client_id": client_id,
        "client_secret": client_secret.expose(),
        "grant_type": "client_credentials",
    });
    let response = http
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| address.failed(e, "token request"))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(address.redirected(status.as_u16(), response.headers()));
    }
    let request_id = super::transport::request_id(response.headers());
    let bytes = response.bytes().await.map_err(|e| {
        ShopifyError::Transport(format!("token reply: {}", super::transport::describe(e)))
    })?;
    if status.is_success() {
        let reply: TokenReply =
            serde_json::from_slice(&bytes).map_err(|e| ShopifyError::Decode {
                operation: "access_token",
                message: e.to_string(),
                retryable: true,
            })?;
        return Ok(CachedToken {
            token: Secret::new(reply.access_token),
            expires_at: reply
                .expires_in
                .map(|secs| now + chrono::Duration::seconds(secs)),
        });
    }
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(ShopifyError::Server {
            status: status.as_u16(),
            message: "token endpoint failed".to_owned(),
            request_id,
            retry_after: None,
        });
    }
    let message = serde_json::from_slice::<TokenError>(&bytes).map_or_else(
        |_| format!("HTTP {status}"),
        |e| {
            format!(
                "{}: {}",
                e.error.unwrap_or_default(),
                e.error_description.unwrap_or_default()
            )
        },
    );
    Err(ShopifyError::CredentialsRejected {
        shop: shop.to_owned(),
        message,
    })
}
