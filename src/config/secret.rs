//! A string that never prints itself: tokens, client secrets.

use std::fmt;

/// A secret value. `Debug` and `Display` print `(redacted)`; only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send it (an HTTP header, a token request).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("shpat_0123456789abcdef");
        assert_eq!(format!("{secret}"), "(redacted)");
        assert_eq!(format!("{secret:?}"), "(redacted)");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"(redacted)\"");
        assert_eq!(secret.expose(), "shpat_0123456789abcdef");
    }
}
