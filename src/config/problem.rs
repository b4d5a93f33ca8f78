//! What is wrong with a configuration: one [`Problem`] per value, all of them in a [`ConfigError`].

use std::fmt;

use super::{Key, Source};

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The setting concerned, if the problem is about one.
    pub key: Option<Key>,
    /// Where the offending value came from.
    pub source: Option<Source>,
    /// What is wrong, and what to do.
    pub message: String,
}

impl Problem {
    pub(super) fn at(key: Key, source: Source, message: impl Into<String>) -> Self {
        Self {
            key: Some(key),
            source: Some(source),
            message: message.into(),
        }
    }

    pub(super) fn file(message: String) -> Self {
        Self {
            key: None,
            source: None,
            message,
        }
    }

    /// Whether this is a required setting that no layer sets.
    pub(super) fn is_missing(&self) -> bool {
        self.key.is_some() && self.source.is_none() && self.message.starts_with("is not set:")
    }

    pub(super) fn missing(key: Key, hint: &str) -> Self {
        Self {
            key: Some(key),
            source: None,
            message: format!(
                "is not set: put \"{}\" in config.json or set {}{hint}",
                key.json, key.env
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.key, &self.source) {
            (Some(key), Some(source)) => write!(f, "{} (from {source}) {}", key.json, self.message),
            (Some(key), None) => write!(f, "{} {}", key.json, self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The configuration cannot be used; every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// Everything that is wrong, in the order found.
    pub problems: Vec<Problem>,
    /// What may explain them all, said after them: no config file was found where shopsync
    /// looked (cron starts in the home folder, not beside config.json).
    pub note: Option<String>,
}

impl ConfigError {
    /// The problems, with no note.
    #[must_use]
    pub fn new(problems: Vec<Problem>) -> Self {
        Self {
            problems,
            note: None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "configuration: {one}")?,
            many => {
                write!(f, "configuration has {} problems:", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
            }
        }
        if let Some(note) = &self.note {
            write!(f, "\nnote: {note}")?;
        }
        Ok(())
    }
}
