//! Opening the tracking store for the commands that only read it: read-only, never created, and
//! "no sync has run yet" treated as an answer to show rather than as a failure.

use std::path::PathBuf;

use super::Context;
use super::times::Zone;
use crate::store::Store;

/// The store as a read command finds it.
#[derive(Debug)]
pub struct ReadStore {
    /// The configured database path.
    pub path: PathBuf,
    /// The open store; `None` before the first sync (no file, or an empty one).
    pub store: Option<Store>,
    /// Why there is no store, as one sentence (set exactly when `store` is `None`).
    pub not_yet: Option<String>,
}

impl ReadStore {
    /// Opens the configured database read-only. A missing or empty file gives `store: None`;
    /// every other refusal (garbage, a foreign or newer database) is an error (exit 4).
    ///
    /// # Errors
    /// Configuration problems and store refusals.
    pub fn open(ctx: &Context) -> anyhow::Result<Self> {
        let path = ctx.local()?.database_path;
        match Store::open_read_only(&path) {
            Ok(store) => Ok(Self {
                path,
                store: Some(store),
                not_yet: None,
            }),
            Err(err) if err.is_not_created_yet() => {
                tracing::debug!(%err, "no database yet");
                Ok(Self {
                    path,
                    store: None,
                    not_yet: Some(capitalise(&err.to_string())),
                })
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The zone to show times in: the shop's once a sync recorded it, else UTC.
    ///
    /// # Errors
    /// When the store cannot be queried.
    pub fn zone(&self) -> anyhow::Result<Zone> {
        Ok(Zone::new(match &self.store {
            Some(store) => store.shop_timezone()?,
            None => None,
        }))
    }
}

/// The sentence with its first letter in upper case.
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
