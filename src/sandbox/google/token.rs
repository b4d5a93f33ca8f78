//! The emulated OAuth token endpoint: verifies a service account's signed JWT and mints tokens.
//!
//! Checks what Google checks: the RS256 signature against the key's public key, `iss` (the key's
//! `client_email`), `aud` (this endpoint's URL), a non-empty `scope`, and `iat`/`exp` (at most an
//! hour apart, not expired). Tolerates what yup-oauth2 sends: `=`-padded base64url and `"sub": null`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{self, KeyPair as _, RsaKeyPair};
use serde_json::{Value, json};

/// The sandbox's throwaway RSA key (PKCS#8 PEM). Sandbox only, not a secret.
pub const SANDBOX_KEY_PEM: &str = include_str!("sandbox_key.pem");

/// The PEM block alone, without the explanatory line before it.
#[must_use]
pub fn sandbox_key_pem_block() -> &'static str {
    let start = SANDBOX_KEY_PEM.find("-----BEGIN").unwrap_or(0);
    &SANDBOX_KEY_PEM[start..]
}

/// The public half of a signing key, in the form ring verifies with.
#[derive(Debug, Clone)]
pub struct PublicKey(Vec<u8>);

impl PublicKey {
    /// Derives the public key from a PKCS#8 PEM private key.
    ///
    /// # Errors
    /// When the PEM is not an RSA PKCS#8 key.
    pub fn from_private_pem(pem: &str) -> Result<Self, String> {
        let body: String = pem
            .lines()
            .skip_while(|l| !l.starts_with("-----BEGIN"))
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .collect();
        let der = STANDARD
            .decode(body.trim())
            .map_err(|e| format!("bad PEM: {e}"))?;
        let pair = RsaKeyPair::from_pkcs8(&der).map_err(|e| format!("bad RSA key: {e}"))?;
        Ok(Self(pair.public_key().as_ref().to_vec()))
    }
}

/// What a valid assertion grants.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Scopes requested.
    pub scopes: Vec<String>,
}

fn decode_segment(segment: &str) -> Result<Vec<u8>, String> {
    // yup-oauth2 pads its base64url; RFC 7515 does not. Accept both.
    URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|e| format!("bad base64url: {e}"))
}

/// Verifies a JWT-bearer assertion; `Err` is the `error_description` Google would send.
///
/// # Errors
/// Any failed check, described.
pub fn verify_assertion(
    assertion: &str,
    key: &PublicKey,
    client_email: &str,
    token_uri: &str,
) -> Result<Grant, String> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, sig] = parts.as_slice() else {
        return Err("Invalid JWT: expected three segments".to_owned());
    };
    let header: Value = serde_json::from_slice(&decode_segment(header)?)
        .map_err(|e| format!("Invalid JWT header: {e}"))?;
    if header["alg"] != "RS256" {
        return Err(format!("Invalid JWT: unsupported alg {}", header["alg"]));
    }
    let signature_bytes = decode_segment(sig)?;
    let signed = format!("{}.{}", parts[0], parts[1]);
    signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &key.0)
        .verify(signed.as_bytes(), &signature_bytes)
        .map_err(|_| "Invalid JWT Signature.".to_owned())?;
    let claims: Value = serde_json::from_slice(&decode_segment(claims)?)
        .map_err(|e| format!("Invalid JWT claims: {e}"))?;
    if claims["iss"].as_str() != Some(client_email) {
        return Err(format!("Invalid issuer: {}", claims["iss"]));
    }
    if claims["aud"].as_str() != Some(token_uri) {
        return Err(format!(
            "Invalid JWT: audience {} is not {token_uri}",
            claims["aud"]
        ));
    }
    if !(claims["sub"].is_null() || claims["sub"].is_string()) {
        return Err("Invalid JWT: sub".to_owned());
    }
    let scopes: Vec<String> = claims["scope"]
        .as_str()
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err("Invalid JWT: no scope".to_owned());
    }
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs(),
    )
    .unwrap_or(i64::MAX);
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err("Invalid JWT: iat and exp are required".to_owned());
    };
    if exp - iat > 3600 || exp <= iat {
        return Err("Invalid JWT: exp must be at most an hour after iat".to_owned());
    }
    if exp < now || iat > now + 300 {
        return Err(
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
                .to_owned(),
        );
    }
    Ok(Grant { scopes })
}

/// The token endpoint's success body.
#[must_use]
pub fn token_reply(token: &str, lifetime: Duration, scopes: &[String]) -> Value {
    json!({
        "access_token": token,
        "expires_in": lifetime.as_secs(),
        "scope": scopes.join(" "),
        "token_type": "Bearer",
    })
}

/// The token endpoint's RFC 6749 error body.
#[must_use]
pub fn token_error(error: &str, description: &str) -> Value {
    json!({"error": error, "error_description": description})
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    fn sign(claims: &Value, padded: bool) -> String {
        let engine = if padded {
            base64::engine::general_purpose::URL_SAFE
        } else {
            URL_SAFE_NO_PAD
        };
        let header = engine.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = engine.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let body: String = sandbox_key_pem_block()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = STANDARD.decode(body).unwrap();
        let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
        let mut sig = vec![0; pair.public().modulus_len()];
        pair.sign(
            &signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signed.as_bytes(),
            &mut sig,
        )
        .unwrap();
        format!("{signed}.{}", engine.encode(sig))
    }

    fn claims(aud: &str) -> Value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        json!({"iss": "sa@x.iam.gserviceaccount.com", "aud": aud, "scope": "a b",
               "iat": now, "exp": now + 3595, "sub": null})
    }

    #[test]
    fn a_padded_assertion_with_null_sub_is_accepted() {
        let key = PublicKey::from_private_pem(SANDBOX_KEY_PEM).unwrap();
        let jwt = sign(&claims("http://t/token"), true);
        let grant =
            verify_assertion(&jwt, &key, "sa@x.iam.gserviceaccount.com", "http://t/token").unwrap();
        assert_eq!(grant.scopes, vec!["a", "b"]);
    }

    #[test]
    fn wrong_audience_issuer_or_signature_is_refused() {
        let key = PublicKey::from_private_pem(SANDBOX_KEY_PEM).unwrap();
        let jwt = sign(&claims("http://other/token"), false);
        assert!(
            verify_assertion(&jwt, &key, "sa@x.iam.gserviceaccount.com", "http://t/token").is_err()
        );
        let jwt = sign(&claims("http://t/token"), false);
        assert!(verify_assertion(&jwt, &key, "other@x", "http://t/token").is_err());
        let mut tampered = jwt.clone();
        tampered.insert(jwt.find('.').unwrap() + 3, 'A');
        assert!(
            verify_assertion(
                &tampered,
                &key,
                "sa@x.iam.gserviceaccount.com",
                "http://t/token"
            )
            .is_err()
        );
    }
}
