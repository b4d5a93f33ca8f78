//! The sync, step by step (DESIGN.md section 4): window, fetch page by page, rows, plan against the
//! sheet's keys, write in few large requests, record only what the sheet confirmed, move the cursor.
//!
//! An hourly run with nothing new sends one Shopify request and no Google request: the sheet is
//! opened only when some fetched row is not already tracked with the same hash (or `--force`).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use tracing::{info, warn};

mod batch;
mod bulk;
pub mod dry_run;
mod fetch;
mod flush;
mod lookups;
mod options;
pub mod reconcile;
pub mod sheet;
#[cfg(test)]
mod tests;

pub use self::bulk::{BulkChoice, expected_paging_secs};
pub use self::options::{Observer, RunKind, Services, Silent, StopSignal, Summary, SyncOptions};

use self::dry_run::DryRunOutput;
use self::sheet::SheetSide;
use crate::order::{Order, Shop};
use crate::sheets::{SheetsClient, SheetsError};
use crate::store::{
    Binding, NewError, RunCounts, RunId, RunMode, RunOutcome, StoreError, SyncedOrder, SyncedRow,
};
use crate::sync::error::SyncError;
use crate::sync::plan::hash::ContentHash;
use crate::sync::plan::rectangles::Chunk;
use crate::sync::plan::rectangles::OrderProgress;
use crate::sync::plan::rows::{OrderRows, RowKey, order_rows};
use crate::sync::plan::{Compare, OrderOutcome, Plan, SheetCells, all_tracked, cell_changes, plan};

/// How often a write whose outcome stayed unknown is re-planned (after re-reading the keys).
const MAX_AMBIGUOUS_RETRIES: u32 = 3;

/// Extra write requests a batch may spend halving requests Google refused (400), to find the rows
/// it will not take: enough to single out a few bad orders among thousands of rows (about two per
/// halving), few enough that a refusal of every row (a bug of ours) fails the run quickly.
const MAX_ISOLATING_WRITES: u32 = 64;

/// Tracked orders (the most recently created) whose line-item counts size a run's first pages.
const LEARN_LINE_COUNTS_FROM: usize = 1_000;

/// Runs one sync. A real run expects the caller to hold the lock.
///
/// # Errors
/// The first fatal error; the run is recorded as failed with it, and orders whose rows were not
/// confirmed are recorded in `sync_errors` so the next run fetches them again.
pub async fn sync(services: Services<'_>, options: &SyncOptions) -> Result<Summary, SyncError> {
    let mode = match options.kind {
        RunKind::Real => RunMode::Real,
        RunKind::DryRun => RunMode::Test,
    };
    let (mut job, window_from) = Job::begin(services, options, mode)?;
    let started = job.started;
    let result = match job.check_shop() {
        Ok(()) => job.run(window_from, started).await,
        Err(err) => Err(err),
    };
    job.finish(result, window_from).await
}

impl<'a, 'o> Job<'a, 'o> {
    /// Checks the binding, records the run's start and sets up its state; returns the job and the
    /// start of the window a windowed run fetches.
    pub(super) fn begin(
        services: Services<'a>,
        options: &'o SyncOptions,
        mode: RunMode,
    ) -> Result<(Self, DateTime<Utc>), SyncError> {
        let started = services.clock.now();
        let real = options.kind == RunKind::Real;
        let cursor_before = services.store.cursor()?;
        let binding = services.store.binding()?;
        if real {
            services.store.close_abandoned_runs()?;
        }
        let run = services.store.start_run(mode, cursor_before)?;
        let window_from = window_start(cursor_before, started, options);
        let tz = services.store.shop_timezone()?.unwrap_or(chrono_tz::UTC);
        let learned = services.store.recent_line_counts(LEARN_LINE_COUNTS_FROM)?;
        services.shopify.learn_line_counts(&learned);
        let dry = if real {
            None
        } else {
            Some(DryRunOutput::create(&options.test_output, started, run.0)?)
        };
        let job = Job {
            services,
            options,
            run,
            mode,
            started,
            cursor_before,
            binding,
            tz,
            sheet: None,
            buffer: Vec::new(),
            buffered: Vec::new(),
            batch: flush::Batch::new(started, crate::sheets::range_bytes(&options.worksheet)),
            counts: RunCounts::default(),
            warnings: Warnings::default(),
            duplicates: BTreeSet::new(),
            refused: BTreeSet::new(),
            covered: None,
            pending_cover: None,
            taken_up_to: None,
            held: None,
            bulk_rows_left: None,
            bulk_rows_staged: None,
            window_orders: None,
            seen_totals: (0, 0),
            dry,
        };
        Ok((job, window_from))
    }
}

/// The start of the window a windowed run fetches: the cursor minus the overlap (orders Shopify
/// stamped just before the last run started but showed only after), or `lookback_days` before the
/// start on the first run. `--since` widens the window, never narrows it.
fn window_start(
    cursor: Option<DateTime<Utc>>,
    started: DateTime<Utc>,
    options: &SyncOptions,
) -> DateTime<Utc> {
    let from = match cursor {
        Some(cursor) => cursor - chrono::Duration::minutes(i64::from(options.overlap_minutes)),
        None => started - chrono::Duration::days(i64::from(options.lookback_days)),
    };
    options.since.map_or(from, |since| since.min(from))
}

/// Where the cursor should go after a run that ended with `outcome` (the store never moves it
/// back): a complete run moves it to its start, even over an empty window (failed orders are in
/// `sync_errors` and fetched by ID); a run cut short stops it where every earlier order is written
/// or recorded (`covered`), or leaves it where it was.
fn cursor_target(
    outcome: RunOutcome,
    started: DateTime<Utc>,
    covered: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    match outcome {
        RunOutcome::Success | RunOutcome::Partial => Some(started),
        RunOutcome::Failed | RunOutcome::Interrupted | RunOutcome::Abandoned => covered,
    }
}

impl Job<'_, '_> {
    /// Keeps `sync_errors` telling whether the hourly sync works: a real sync that failed as a
    /// whole opens (or bumps) the run's error, and one that completed (even with failed orders,
    /// which have their own errors) resolves it. Dry runs and reconciliation change neither: a dry
    /// run proves nothing about writing, and changes no table but `sync_history`.
    fn note_run_outcome(&mut self, result: &Result<(), SyncError>, outcome: RunOutcome) {
        if !self.real() || self.mode != RunMode::Real {
            return;
        }
        let noted = match result {
            Err(err) => self
                .services
                .store
                .record_run_failure(self.run, batch::error_kind(err), &err.to_string())
                .map(drop),
            Ok(()) if matches!(outcome, RunOutcome::Success | RunOutcome::Partial) => {
                self.services.store.resolve_run_failure().map(drop)
            }
            Ok(()) => Ok(()),
        };
        // The run's own outcome is already recorded; a store that cannot take this row either
        // must not hide the error that ended the run.
        if let Err(err) = noted {
            warn!("could not record the run's outcome in sync_errors: {err}");
        }
    }
}

/// Warnings, each said once per run.
#[derive(Debug, Default)]
struct Warnings(Vec<String>);

impl Warnings {
    fn add(&mut self, message: String) {
        if !self.0.contains(&message) {
            warn!("{message}");
            self.0.push(message);
        }
    }
}

/// The state of one run.
pub(super) struct Job<'a, 'o> {
    pub(super) services: Services<'a>,
    options: &'o SyncOptions,
    run: RunId,
    mode: RunMode,
    started: DateTime<Utc>,
    cursor_before: Option<DateTime<Utc>>,
    binding: Option<Binding>,
    tz: chrono_tz::Tz,
    sheet: Option<SheetSide>,
    buffer: Vec<Order>,
    /// The rows of `buffer`'s orders, built once as they are buffered.
    buffered: Vec<OrderRows>,
    /// Size and age of the buffered rows: when the next write is due.
    batch: flush::Batch,
    counts: RunCounts,
    warnings: Warnings,
    duplicates: BTreeSet<String>,
    /// Orders whose rows Google refused this run, recorded in `sync_errors` once.
    refused: BTreeSet<String>,
    /// Every order of the window updated at or before this is written or recorded in errors.
    covered: Option<DateTime<Utc>>,
    /// What `covered` becomes once the buffer is written.
    pending_cover: Option<DateTime<Utc>>,
    /// The `updatedAt` of the last order taken from the window (buffered or held).
    taken_up_to: Option<DateTime<Utc>>,
    /// An order held back from the batch being filled, which it would have closed with a large
    /// gap: it opens the next batch (its rows and their bytes with it).
    held: Option<(Order, OrderRows, usize)>,
    /// During a bulk export: the staged line items (rows) not yet buffered, which later batches
    /// of the run may append, so the grid is grown once for them ([`SheetSide::prepare`]).
    bulk_rows_left: Option<u64>,
    /// During a bulk export: every line item (row) it staged.
    bulk_rows_staged: Option<u64>,
    /// During a paged backfill: the window's orders (Shopify's `ordersCount`); those not yet
    /// seen give the rows still to come ([`Job::rows_expected_left`]).
    window_orders: Option<u64>,
    /// Orders seen so far by this run (buffered, or skipped as current) and the rows of those
    /// buffered, for that estimate.
    seen_totals: (u64, u64),
    dry: Option<DryRunOutput>,
}

impl Job<'_, '_> {
    /// Refuses a shop other than the one the DB is bound to, before any request (checked inside
    /// the run, so that the refusal is recorded like any other failed run).
    pub(super) fn check_shop(&self) -> Result<(), SyncError> {
        match &self.binding {
            Some(bound)
                if !bound
                    .shop_domain
                    .eq_ignore_ascii_case(&self.options.shop_domain) =>
            {
                Err(StoreError::BindingMismatch {
                    path: self.services.store.path().to_path_buf(),
                    field: "shop",
                    stored: bound.shop_domain.clone(),
                    given: self.options.shop_domain.clone(),
                }
                .into())
            }
            _ => Ok(()),
        }
    }

    fn real(&self) -> bool {
        self.options.kind == RunKind::Real
    }

    fn stop_requested(&self) -> Option<u8> {
        match self.services.stop.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// Records the run's end, moves the cursor, and builds the summary.
    pub(super) async fn finish(
        mut self,
        result: Result<(), SyncError>,
        window_from: DateTime<Utc>,
    ) -> Result<Summary, SyncError> {
        let started = self.started;
        let cursor_before = self.cursor_before;
        let stopped_by = self.stop_requested();
        let outcome = match (&result, stopped_by) {
            (Err(_), _) => RunOutcome::Failed,
            (Ok(()), Some(_)) => RunOutcome::Interrupted,
            (Ok(()), None) if self.counts.failed > 0 => RunOutcome::Partial,
            (Ok(()), None) => RunOutcome::Success,
        };
        let target = cursor_target(outcome, started, self.covered);
        let mut cursor_after = cursor_before;
        // Only the windowed run moves the cursor: reconciliation fetches by number and ID.
        if self.real()
            && self.mode == RunMode::Real
            && let Some(target) = target
        {
            cursor_after = Some(self.services.store.advance_cursor(target)?);
        }
        let message = result.as_ref().err().map(ToString::to_string);
        self.services.store.finish_run(
            self.run,
            outcome,
            &self.counts,
            cursor_after,
            message.as_deref(),
        )?;
        self.note_run_outcome(&result, outcome);
        let sheet_writes = self.sheet.as_ref().map(|s| s.writes).unwrap_or_default();
        let google_requests = self.sheet.as_ref().map_or(0, |s| s.traffic().0);
        let mut summary = Summary {
            run_id: self.run.0,
            kind: self.options.kind,
            outcome,
            counts: self.counts,
            started_at: started,
            finished_at: self.services.clock.now(),
            window_from,
            window_to: started,
            cursor_before,
            cursor_after,
            shopify_requests: self.services.shopify.stats().requests,
            google_requests,
            sheet_writes,
            warnings: std::mem::take(&mut self.warnings.0),
            duplicate_keys: std::mem::take(&mut self.duplicates).into_iter().collect(),
            dry_run_dir: None,
            stopped_by,
        };
        if let Some(dry) = self.dry.take() {
            summary.dry_run_dir = Some(dry.dir().to_path_buf());
            dry.finish(&summary)?;
        }
        result?;
        info!(
            run = summary.run_id,
            fetched = summary.counts.fetched,
            appended = summary.counts.rows_appended,
            updated = summary.counts.rows_updated,
            "sync finished"
        );
        Ok(summary)
    }
}
