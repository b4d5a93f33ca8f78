//! What a run is given and what it reports: the options a person chose, the services it needs from
//! outside, progress reports, the stop signal and the summary.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU8;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::BulkChoice;
use super::sheet::WriteStats;
use crate::clock::SharedClock;
use crate::sheets::SheetsSettings;
use crate::shopify::ShopifyClient;
use crate::store::{RunCounts, RunOutcome, Store};

/// Whether the run writes or only plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Writes to the sheet and records in the DB.
    Real,
    /// `sync --test`: reads both services, writes only its plan under `test_output/`.
    DryRun,
}

/// What the user asked the run to do.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Real or dry run.
    pub kind: RunKind,
    /// `--force`: compare the sheet's cells for every fetched row, rewrite what differs.
    pub force: bool,
    /// `--bulk` / `--no-bulk`: whether a backfill may be exported in bulk.
    pub bulk: BulkChoice,
    /// `--since`: also fetch orders updated since then.
    pub since: Option<DateTime<Utc>>,
    /// First-run window.
    pub lookback_days: u32,
    /// How far before the cursor the window starts.
    pub overlap_minutes: u32,
    /// The spreadsheet as configured (ID, URL or title).
    pub target_spreadsheet: String,
    /// The tab.
    pub worksheet: String,
    /// The shop's domain as configured, checked against the DB's binding before any request.
    pub shop_domain: String,
    /// Where dry runs leave their plan (`test_output`).
    pub test_output: PathBuf,
}

/// Progress reports for a terminal; every method has a no-op default.
pub trait Observer: Send + Sync {
    /// Orders fetched so far.
    fn fetched(&self, _orders: u64) {}
    /// Rows about to be written in the current batch.
    fn writing(&self, _rows: u64) {}
    /// Rows the sheet confirmed so far in the current batch.
    fn wrote(&self, _rows: u64) {}
}

/// An observer that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// A stop request from SIGINT (2) or SIGTERM (15); 0 while none came. The run finishes the write
/// in flight, records it, and stops.
pub type StopSignal = Arc<AtomicU8>;

/// What the run needs from outside.
pub struct Services<'a> {
    /// The Shopify client.
    pub shopify: &'a ShopifyClient,
    /// Settings for the Sheets client, built only when the sheet is needed.
    pub sheets: SheetsSettings,
    /// The tracking store (the caller holds the lock for a real run).
    pub store: &'a mut Store,
    /// The run's clock.
    pub clock: SharedClock,
    /// Progress reports.
    pub observer: &'a dyn Observer,
    /// Stop requests.
    pub stop: StopSignal,
}

/// What a run did, for the summary line, `--json` and `sync_history`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The `sync_history` row.
    pub run_id: i64,
    /// Real or dry run.
    pub kind: RunKind,
    /// How it ended.
    pub outcome: RunOutcome,
    /// Orders and rows.
    pub counts: RunCounts,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// The window fetched: orders updated from…
    pub window_from: DateTime<Utc>,
    /// …to.
    pub window_to: DateTime<Utc>,
    /// The cursor before the run.
    pub cursor_before: Option<DateTime<Utc>>,
    /// The cursor after it.
    pub cursor_after: Option<DateTime<Utc>>,
    /// Shopify requests sent.
    pub shopify_requests: u64,
    /// Google requests sent (reads and writes, token requests excluded).
    pub google_requests: u64,
    /// What was written to the sheet.
    pub sheet_writes: WriteStats,
    /// Warnings, each once.
    pub warnings: Vec<String>,
    /// Keys the sheet holds on more than one row (a person copied a row); all copies are updated.
    pub duplicate_keys: Vec<String>,
    /// Where a dry run left its plan.
    pub dry_run_dir: Option<PathBuf>,
    /// The signal that stopped the run early, if one did.
    pub stopped_by: Option<u8>,
}
