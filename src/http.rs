//! The HTTP client every outgoing request starts from (Shopify, Google, alerts): the TLS provider
//! installed once per process, `User-Agent: shopsync/<version>`, a connect timeout and redirects
//! never followed, and how a refused redirect is named. Each caller adds its own total timeout,
//! proxy rule and compression.

use std::time::Duration;

/// A `reqwest` builder with shopsync's common settings; installs the `ring` TLS provider first
/// (reqwest is built without one, and yup-oauth2's client needs it too).
pub fn builder(connect_timeout: Duration) -> reqwest::ClientBuilder {
    install_tls_provider();
    reqwest::Client::builder()
        .user_agent(concat!("shopsync/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
}

/// Installs the `ring` crypto provider as the process default; later calls do nothing.
pub fn install_tls_provider() {
    // Err only when a provider is already installed, which is what was asked for.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A reply's `Location` header as messages show it: at most 200 characters, `(none)` when absent.
#[must_use]
pub fn redirect_location(headers: &reqwest::header::HeaderMap) -> String {
    headers.get(reqwest::header::LOCATION).map_or_else(
        || "(none)".to_owned(),
        |v| {
            String::from_utf8_lossy(v.as_bytes())
                .chars()
                .take(200)
                .collect()
        },
    )
}
