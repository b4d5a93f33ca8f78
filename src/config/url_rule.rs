//! The one rule for every URL shopsync sends a credential or data to (DESIGN.md section 3): https
//! anywhere, or plain http only to a loopback address (127.0.0.0/8, ::1, `localhost`), and never
//! with a user name or password inside it.
//!
//! The three `*_api_url` settings, the service-account key's `token_uri` and the alert URLs all go
//! through [`check_api_url`]; nothing else decides whether a URL is safe to send a secret to.

use std::net::IpAddr;

use url::{Host, Url};

/// Whether `url`'s host is a loopback address: 127.0.0.0/8, `::1` or `localhost`.
#[must_use]
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks that `url` may carry a credential or data: https, or http to loopback, without
/// embedded user information.
///
/// # Errors
/// A message fit to follow the setting's name ("must use https: ..."), which does not quote the
/// URL's user information.
pub fn check_api_url(url: &Url) -> Result<(), String> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "must not hold a user name or password (user:pass@host): shopsync sends its own \
             credentials, and would print these"
                .to_owned(),
        );
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "must use https: plain http is allowed only to a loopback address (127.0.0.1, ::1, \
             localhost), and {} is not one",
            url.host_str().unwrap_or("this host")
        )),
        other => Err(format!("must use https, not {other}:")),
    }
}

/// Parses `text` and applies [`check_api_url`].
///
/// # Errors
/// A message saying what is wrong, without the URL's user information.
pub fn parse_api_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|err| format!("is not a URL ({err})"))?;
    check_api_url(&url)?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), String> {
        parse_api_url(text).map(|_| ())
    }

    #[test]
    fn https_anywhere_and_http_only_to_loopback() {
        for good in [
            "https://sheets.googleapis.com",
            "https://10.0.0.1:8443",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://[::1]:9000",
            "http://localhost",
            "http://LOCALHOST:1",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for bad in [
            "http://sheets.googleapis.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://128.0.0.1",
            "ftp://127.0.0.1",
            "file:///etc/passwd",
        ] {
            assert!(check(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn user_information_is_refused_and_not_echoed() {
        for bad in [
            "https://user:hunter2@example.com",
            "https://user@example.com",
            "http://:hunter2@127.0.0.1",
        ] {
            let err = check(bad).unwrap_err();
            assert!(err.contains("user name or password"), "{bad}: {err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
