//! The sync's errors: a failure of one of the layers it joins, kept typed so the CLI can choose
//! the exit code, and a few of its own.

use std::path::PathBuf;

use crate::sheets::SheetsError;
use crate::shopify::ShopifyError;
use crate::store::{LockError, StoreError};
use crate::sync::plan::tab::TabError;

/// Why a sync (or a reconciliation) stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Shopify failed or refused.
    #[error(transparent)]
    Shopify(#[from] ShopifyError),
    /// Google failed or refused, or the spreadsheet is unusable.
    #[error(transparent)]
    Sheets(#[from] SheetsError),
    /// The tracking store failed, or is bound to another shop or sheet.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another sync holds the lock.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The tab is not one shopsync can write to (renamed, gone, another layout, a duplicated header).
    #[error(transparent)]
    Tab(#[from] TabError),
    /// A write's outcome stayed unknown after re-reading the sheet and retrying.
    #[error(
        "Google did not confirm writing to the sheet after {attempts} attempts ({last}); nothing was \
         recorded for those orders, so the next sync writes them again in place"
    )]
    Unconfirmed {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The dry run's plan could not be saved.
    #[error("cannot write the dry-run plan to {}: {source}", path.display())]
    DryRunOutput {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
}
