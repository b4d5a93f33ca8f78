//! Interpreting single configuration values: store names, URLs, API versions, numbers and the
//! service-account key file. Each parser returns a message fit to show the user.

use std::path::Path;

use url::Url;

/// A Shopify store, normalised from every form the admin shows it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreDomain {
    handle: String,
}

impl StoreDomain {
    /// Parses `acme`, `acme.myshopify.com`, `https://acme.myshopify.com/` or
    /// `admin.shopify.com/store/acme` (with or without scheme).
    ///
    /// # Errors
    /// A message saying which forms are accepted when `text` is none of them.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let without_scheme = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .unwrap_or(trimmed);
        let path = without_scheme.trim_end_matches('/');
        let handle = if let Some(rest) = path.strip_prefix("admin.shopify.com/store/") {
            rest.split('/').next().unwrap_or_default()
        } else if let Some(handle) = path.strip_suffix(".myshopify.com") {
            handle
        } else {
            path
        };
        let valid = handle
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && handle
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            Ok(Self {
                handle: handle.to_ascii_lowercase(),
            })
        } else {
            Err(format!(
                "\"{text}\" is not a store name: use the handle (acme), acme.myshopify.com, \
                 or the admin URL admin.shopify.com/store/acme"
            ))
        }
    }

    /// The store's handle, `acme`.
    #[must_use]
    pub fn handle(&self) -> &str {
        &self.handle
    }

    /// The store's permanent domain, `acme.myshopify.com`.
    #[must_use]
    pub fn domain(&self) -> String {
        format!("{}.myshopify.com", self.handle)
    }
}

/// Parses an API base URL: https (or http to a loopback address, [`super::url_rule`]), a host,
/// no user information, and no path beyond `/`.
///
/// # Errors
/// A message saying what is wrong with the URL (without quoting user information).
pub fn base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|err| format!("\"{text}\" is not a URL ({err})"))?;
    super::url_rule::check_api_url(&url).map_err(|message| {
        if url.username().is_empty() && url.password().is_none() {
            format!("\"{text}\" {message}")
        } else {
            format!("the URL {message}")
        }
    })?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("\"{text}\" has no host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "\"{text}\" must be a scheme and host only (such as https://example.com): \
             shopsync adds the API paths itself"
        ));
    }
    Ok(url)
}

/// Parses the URL of an alert (`healthcheck_url`, `alert_webhook_url`): https, or http to a
/// loopback address; a host; a path is kept. `healthcheck_url` gets `/start` and `/fail` appended,
/// so it takes no query (`allow_query` false).
///
/// # Errors
/// A message saying what is wrong with the URL.
pub fn alert_url(text: &str, allow_query: bool) -> Result<Url, String> {
    let url =
        Url::parse(text).map_err(|err| format!("\"{}\" is not a URL ({err})", redact(text)))?;
    let shown = redact(text);
    super::url_rule::check_api_url(&url).map_err(|err| format!("\"{shown}\" {err}"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("\"{shown}\" has no host"));
    }
    if url.fragment().is_some() || (!allow_query && url.query().is_some()) {
        return Err(format!(
            "\"{shown}\" must have no {}: shopsync appends /start and /fail to it",
            if allow_query {
                "#fragment"
            } else {
                "?query or #fragment"
            }
        ));
    }
    Ok(url)
}

/// An alert URL as an error message may show it: scheme and host, the path (which may hold the
/// check's key or a webhook's credential) left out.
#[must_use]
pub fn redact(text: &str) -> String {
    match Url::parse(text) {
        Ok(url) if url.host_str().is_some() => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if url.path().len() > 1 || url.query().is_some() {
                "/…"
            } else {
                ""
            };
            format!(
                "{}://{}{port}{rest}",
                url.scheme(),
                url.host_str().unwrap_or_default()
            )
        }
        _ => "(not shown)".to_owned(),
    }
}

/// Parses a Shopify API version: `YYYY-01`, `-04`, `-07`, `-10`, or `unstable`.
///
/// # Errors
/// A message with the expected form.
pub fn api_version(text: &str) -> Result<String, String> {
    // Split by bytes only once the text is known to be ASCII: `aaaé-0` is 7 bytes too.
    let ok = text == "unstable"
        || (text.len() == 7
            && text.is_ascii()
            && text[..4].bytes().all(|b| b.is_ascii_digit())
            && matches!(&text[4..], "-01" | "-04" | "-07" | "-10"));
    if ok {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "\"{text}\" is not a Shopify API version: use a quarterly version such as 2026-04"
        ))
    }
}

/// Parses a whole number within `min..=max`.
///
/// # Errors
/// A message naming the accepted range.
pub fn number_in(text: &str, min: u32, max: u32) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "\"{text}\" must be a whole number from {min} to {max}"
        )),
    }
}

/// What shopsync needs to know of a service-account key file before any network call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountSummary {
    /// The account's e-mail address: the sheet must be shared with it.
    pub client_email: String,
}

/// Reads and checks a service-account key file without keeping the private key.
///
/// # Errors
/// A one-sentence message naming the file and what is wrong with it.
pub fn service_account(path: &Path) -> Result<ServiceAccountSummary, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read the service-account key file {shown}: {err}"))?;
    service_account_text(&shown.to_string(), &text)
}

/// Checks the text of a service-account key file, `shown` being how messages name the file.
///
/// # Errors
/// A one-sentence message naming the file and what is wrong with it.
pub fn service_account_text(shown: &str, text: &str) -> Result<ServiceAccountSummary, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        format!(
            "the service-account key file {shown} is not valid JSON (line {}, column {})",
            err.line(),
            err.column()
        )
    })?;
    let field = |name: &str| value.get(name).and_then(serde_json::Value::as_str);
    if let Some(kind) = field("type")
        && kind != "service_account"
    {
        return Err(format!(
            "{shown} is a key of type \"{kind}\", not a service-account key: \
             create a JSON key for a service account in the Google Cloud console"
        ));
    }
    let missing: Vec<&str> = ["client_email", "private_key", "token_uri"]
        .into_iter()
        .filter(|name| field(name).is_none_or(str::is_empty))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the service-account key file {shown} lacks {}: download a fresh JSON key",
            missing.join(", ")
        ));
    }
    if !field("private_key").is_some_and(|key| key.contains("PRIVATE KEY")) {
        return Err(format!(
            "the private_key in {shown} is not a PEM private key: download a fresh JSON key"
        ));
    }
    if let Some(kind) = non_rsa_key(field("private_key").unwrap_or_default()) {
        return Err(format!(
            "the private_key in {shown} is {kind}: Google signs service-account tokens with RSA \
             only, so an RSA key is needed; create a new JSON key for the service account"
        ));
    }
    let token_uri = field("token_uri").unwrap_or_default();
    super::url_rule::parse_api_url(token_uri).map_err(|message| {
        format!("the token_uri in {shown} {message}: the signed assertion is sent there")
    })?;
    Ok(ServiceAccountSummary {
        client_email: field("client_email").unwrap_or_default().to_owned(),
    })
}

/// What a PEM private key is when it is not RSA (`an EC key`, `an Ed25519 key`); `None` for an
/// RSA key, and for one that does not parse (the signer then says what is wrong).
#[must_use]
pub fn non_rsa_key(pem: &str) -> Option<&'static str> {
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject as _;
    /// DER of the algorithm OIDs a PKCS#8 key names near its start.
    const KINDS: [(&[u8], &str); 3] = [
        // 1.2.840.10045.2.1 id-ecPublicKey
        (
            &[0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01],
            "an EC key",
        ),
        // 1.3.101.112 Ed25519, 1.3.101.113 Ed448
        (&[0x06, 0x03, 0x2B, 0x65, 0x70], "an Ed25519 key"),
        (&[0x06, 0x03, 0x2B, 0x65, 0x71], "an Ed448 key"),
    ];
    match PrivateKeyDer::from_pem_slice(pem.as_bytes()).ok()? {
        PrivateKeyDer::Sec1(_) => Some("an EC key"),
        PrivateKeyDer::Pkcs8(der) => {
            let der = der.secret_pkcs8_der();
            let head = &der[..der.len().min(32)];
            KINDS
                .into_iter()
                .find(|(oid, _)| head.windows(oid.len()).any(|w| w == *oid))
                .map(|(_, kind)| kind)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Throwaway keys made with openssl for these tests only.
    const EC_PKCS8: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqDiytDlatLpHwSow\nsKLAaMXtnPNEqOP2Bh7eEGDI6bmhRANCAASTJa2SH8mEvDET1m6uR/465SDybITS\ne3I9PIpElLvLMQatB3pSMDBE85mEWT6VRfFIvDt5tLigWXK65ch4h4ud\n-----END PRIVATE KEY-----\n";
    const ED25519: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFmgQOBfGu22WorTFP6L8wz66/nMGRX7wDTstrnSP473\n-----END PRIVATE KEY-----\n";
    const EC_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIAyyWXR2xiTkJO/MoxnzVl/rQRX0ZObcM9G02nWlcmBgoAoGCCqGSM49\nAwEHoUQDQgAES8k/ytyhS6I3OfmUNWmjKxvyAdUheI+mSTzbFIbGIGrAZyRyuVW8\nqzwGjHGdstZlAaKtrUnFkq9ue7iB32lAZg==\n-----END EC PRIVATE KEY-----\n";

    #[test]
    fn store_names_normalise_from_every_accepted_form() {
        for text in [
            "acme",
            "ACME",
            "acme.myshopify.com",
            "https://acme.myshopify.com/",
            "http://acme.myshopify.com",
            "admin.shopify.com/store/acme",
            "https://admin.shopify.com/store/acme/",
            "  acme  ",
        ] {
            let store = StoreDomain::parse(text).unwrap_or_else(|err| panic!("{text}: {err}"));
            assert_eq!(store.domain(), "acme.myshopify.com", "{text}");
        }
    }

    #[test]
    fn store_names_that_are_not_stores_are_refused() {
        for text in [
            "",
            "-acme",
            "acme shop",
            "acme.com",
            "https://acme.com/path",
        ] {
            assert!(StoreDomain::parse(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn base_urls_take_scheme_and_host_only() {
        assert!(base_url("http://127.0.0.1:8080").is_ok());
        assert!(base_url("https://sheets.googleapis.com/").is_ok());
        for bad in [
            "http://sheets.googleapis.com",
            "http://10.0.0.1:8080",
            "https://user:pw@sheets.googleapis.com",
            "sheets.googleapis.com",
            "ftp://x",
            "https://x/v4",
            "https://x/?a=1",
        ] {
            assert!(base_url(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn api_versions_are_quarterly() {
        assert!(api_version("2026-04").is_ok());
        assert!(api_version("unstable").is_ok());
        for bad in [
            "2026-05", "2026-4", "latest", "26-04", "aaaé-0", "202é-04", "ééé-0",
        ] {
            assert!(api_version(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn numbers_are_checked_against_their_range() {
        assert_eq!(number_in("30", 1, 3650), Ok(30));
        assert!(number_in("0", 1, 3650).is_err());
        assert!(number_in("thirty", 1, 3650).is_err());
        assert!(number_in("-1", 0, 10).is_err());
    }

    #[test]
    fn service_account_files_are_checked_with_the_json_error_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        std::fs::write(&path, "{\n  \"type\": \"service_account\",\n  oops\n}").unwrap();
        let err = service_account(&path).unwrap_err();
        assert!(err.contains("line 3"), "{err}");

        std::fs::write(&path, r#"{"type":"service_account","client_email":"a@b"}"#).unwrap();
        let err = service_account(&path).unwrap_err();
        assert!(err.contains("private_key, token_uri"), "{err}");

        std::fs::write(&path, r#"{"type":"authorized_user"}"#).unwrap();
        assert!(
            service_account(&path)
                .unwrap_err()
                .contains("authorized_user")
        );

        std::fs::write(
            &path,
            r#"{"type":"service_account","client_email":"a@b","token_uri":"http://oauth2.example.com/token",
                "private_key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}"#,
        )
        .unwrap();
        let err = service_account(&path).unwrap_err();
        assert!(err.contains("token_uri") && err.contains("https"), "{err}");

        for (pem, kind) in [
            (EC_PKCS8, "an EC key"),
            (ED25519, "an Ed25519 key"),
            (EC_SEC1, "an EC key"),
        ] {
            let key = serde_json::json!({"type": "service_account", "client_email": "a@b",
                "token_uri": "https://oauth2.googleapis.com/token", "private_key": pem});
            std::fs::write(&path, key.to_string()).unwrap();
            let err = service_account(&path).unwrap_err();
            assert!(
                err.contains(kind) && err.contains("an RSA key is needed"),
                "{err}"
            );
        }
        let rsa = include_str!("../sandbox/google/sandbox_key.pem");
        assert_eq!(non_rsa_key(rsa), None);

        let missing = dir.path().join("nope.json");
        assert!(
            service_account(&missing)
                .unwrap_err()
                .contains("cannot read")
        );
    }
}
