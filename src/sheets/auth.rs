//! Service-account OAuth: reads the key file, refuses an insecure `token_uri`, and mints access
//! tokens with yup-oauth2 (kept in memory, refreshed on expiry or after a 401).
//!
//! yup-oauth2 logs the signed assertion and the token at `debug`; the binary's log filter keeps
//! `yup_oauth2` at `warn` (DESIGN.md section 9, "Logs and secrets").

use std::path::Path;
use std::time::Duration;

use yup_oauth2::authenticator::Authenticator;
use yup_oauth2::{DefaultHyperClientBuilder, HyperClientBuilder, ServiceAccountAuthenticator};

use super::error::SheetsError;
use crate::config::Secret;

/// Scopes requested in one token: read and write spreadsheets, find them by title in Drive.
///
/// See: <https://developers.google.com/workspace/sheets/api/scopes>
pub const SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
];

type Connector = <DefaultHyperClientBuilder as HyperClientBuilder>::Connector;

/// Mints and caches access tokens for one service account.
pub(crate) struct TokenSource {
    auth: Authenticator<Connector>,
    client_email: String,
    /// The key's `token_uri` as `host:port`, and where it came from, for connection errors.
    endpoint: String,
    origin: String,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("client_email", &self.client_email)
            .finish_non_exhaustive()
    }
}

/// Whether `token_uri` may carry the signed assertion: the rule of [`crate::config::url_rule`].
fn token_uri_allowed(uri: &str) -> bool {
    crate::config::url_rule::parse_api_url(uri).is_ok()
}

impl TokenSource {
    /// Reads the key file and prepares the authenticator (no network call yet).
    pub(crate) async fn from_key_file(path: &Path, timeout: Duration) -> Result<Self, SheetsError> {
        let key_error = |reason: String| SheetsError::KeyFile {
            path: path.to_owned(),
            reason,
        };
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| key_error(format!("cannot read it: {e}")))?;
        let key = yup_oauth2::parse_service_account_key(&bytes).map_err(|_| {
            key_error(
                "it is not a service-account key (JSON with private_key, client_email and token_uri)"
                    .to_owned(),
            )
        })?;
        if !token_uri_allowed(&key.token_uri) {
            return Err(SheetsError::InsecureTokenUri {
                path: path.to_owned(),
                uri: key.token_uri.clone(),
            });
        }
        if !key.private_key.contains("PRIVATE KEY-----") {
            return Err(key_error("its private_key is not a PEM key".to_owned()));
        }
        if let Some(kind) = crate::config::non_rsa_key(&key.private_key) {
            return Err(key_error(format!(
                "its private_key is {kind}, and Google signs service-account tokens with RSA \
                 only: create a new JSON key (RSA) for the service account"
            )));
        }
        let client_email = key.client_email.clone();
        let endpoint = crate::retry::host_port(&key.token_uri);
        let origin = format!("token_uri in {}", path.display());
        let auth = ServiceAccountAuthenticator::builder(key)
            .with_timeout(timeout)
            .build()
            .await
            .map_err(|e| {
                if e.to_string().contains("certificate") {
                    // yup-oauth2's client loads the system's CA roots even for a loopback token_uri.
                    SheetsError::Transport {
                        message: format!(
                            "cannot set up TLS for the token endpoint ({e}); install the system CA certificates (ca-certificates) or set SSL_CERT_FILE"
                        ),
                        attempts: 0,
                    }
                } else {
                    key_error(format!("cannot load it: {e}"))
                }
            })?;
        Ok(Self {
            auth,
            client_email,
            endpoint,
            origin,
        })
    }

    /// The service account's e-mail (what a spreadsheet must be shared with).
    pub(crate) fn client_email(&self) -> &str {
        &self.client_email
    }

    /// A valid access token, from the cache when it has not expired.
    pub(crate) async fn token(&self) -> Result<Secret, SheetsError> {
        let token = self.auth.token(SCOPES).await;
        self.unwrap(token)
    }

    /// A fresh token, after the API answered 401 to the cached one.
    pub(crate) async fn refresh(&self) -> Result<Secret, SheetsError> {
        let token = self.auth.force_refreshed_token(SCOPES).await;
        self.unwrap(token)
    }

    fn unwrap(
        &self,
        token: Result<yup_oauth2::AccessToken, yup_oauth2::Error>,
    ) -> Result<Secret, SheetsError> {
        if let Err(e) = &token
            && let Some(failure) = crate::retry::ConnectFailure::of(e, false)
        {
            return Err(SheetsError::Unreachable {
                service: "Google's token endpoint",
                endpoint: self.endpoint.clone(),
                origin: self.origin.clone(),
                failure,
                attempts: 1,
            });
        }
        match token {
            Ok(t) => t.token().map(Secret::new).ok_or_else(|| SheetsError::Auth {
                message: "the token endpoint sent no access token".to_owned(),
            }),
            Err(yup_oauth2::Error::AuthError(e)) => Err(SheetsError::Auth {
                message: e.to_string(),
            }),
            Err(
                e @ (yup_oauth2::Error::HttpError(_)
                | yup_oauth2::Error::HttpClientError(_)
                | yup_oauth2::Error::LowLevelError(_)),
            ) => Err(SheetsError::Transport {
                message: format!("token endpoint: {e}"),
                attempts: 1,
            }),
            Err(e) => Err(SheetsError::Auth {
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_token_uri_only_for_loopback() {
        assert!(token_uri_allowed("https://oauth2.googleapis.com/token"));
        assert!(token_uri_allowed("http://127.0.0.1:8080/token"));
        assert!(token_uri_allowed("http://[::1]:8080/token"));
        assert!(token_uri_allowed("http://localhost/token"));
        assert!(!token_uri_allowed("http://oauth2.googleapis.com/token"));
        assert!(!token_uri_allowed("http://10.0.0.1/token"));
        assert!(!token_uri_allowed("ftp://127.0.0.1/token"));
        assert!(!token_uri_allowed("not a url"));
    }

    #[tokio::test]
    async fn unreadable_and_malformed_key_files_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.json");
        let err = TokenSource::from_key_file(&missing, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(err, SheetsError::KeyFile { .. }), "{err}");
        assert!(err.to_string().contains("missing.json"));

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"type\": \"service_account\"}").unwrap();
        let err = TokenSource::from_key_file(&bad, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("bad.json"), "{err}");

        let garbled = dir.path().join("garbled.json");
        std::fs::write(
            &garbled,
            serde_json::json!({"private_key": "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
                               "client_email": "a@b", "token_uri": "https://oauth2.googleapis.com/token"})
            .to_string(),
        )
        .unwrap();
        let err = TokenSource::from_key_file(&garbled, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(err, SheetsError::KeyFile { .. }), "{err}");
        assert!(err.to_string().contains("garbled.json"), "{err}");

        let insecure = dir.path().join("insecure.json");
        std::fs::write(
            &insecure,
            serde_json::json!({"private_key": "-----BEGIN PRIVATE KEY-----\n", "client_email": "a@b",
                               "token_uri": "http://example.com/token"})
            .to_string(),
        )
        .unwrap();
        let err = TokenSource::from_key_file(&insecure, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(err, SheetsError::InsecureTokenUri { .. }), "{err}");
    }
}
