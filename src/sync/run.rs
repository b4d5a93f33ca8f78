//! The sync, step by step (DESIGN.md section 4): window, fetch page by page, rows, plan against the
//! sheet's keys, write in few large requests, record only what the sheet confirmed, move the cursor.
//!
//! An hourly run with nothing new sends one Shopify request and no Google request: the sheet is
//! opened only when some fetched row is not already tracked with the same hash (or `--force`).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tracing::{info, warn};

use super::dry_run::DryRunOutput;
use super::error::SyncError;
use super::hash::ContentHash;
use super::plan::{Compare, OrderOutcome, Plan, SheetCells, all_tracked, cell_changes, plan};
use super::rows::{OrderRows, RowKey, order_rows};
use super::sheet::{SheetSide, WriteStats};
use super::writes::OrderProgress;
use crate::clock::SharedClock;
use crate::order::{Order, Shop};
use crate::sheets::{SheetsClient, SheetsSettings};
use crate::shopify::ShopifyClient;
use crate::store::{
    Binding, NewError, RunCounts, RunId, RunMode, RunOutcome, Store, StoreError, SyncedOrder,
    SyncedRow,
};

/// Orders are planned and written in batches of about this many rows, so that a backfill sends
/// few large requests while memory stays flat.
const BATCH_ROWS: usize = 20_000;

/// How often a write whose outcome stayed unknown is re-planned (after re-reading the keys).
const MAX_AMBIGUOUS_RETRIES: u32 = 3;

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
    let result = job.run(window_from, started).await;
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
        if let Some(bound) = &binding
            && !bound.shop_domain.eq_ignore_ascii_case(&options.shop_domain)
        {
            return Err(StoreError::BindingMismatch {
                path: services.store.path().to_path_buf(),
                field: "shop",
                stored: bound.shop_domain.clone(),
                given: options.shop_domain.clone(),
            }
            .into());
        }
        if real {
            services.store.close_abandoned_runs()?;
        }
        let run = services.store.start_run(mode, cursor_before)?;
        let window_from = match cursor_before {
            Some(cursor) => cursor - chrono::Duration::minutes(i64::from(options.overlap_minutes)),
            None => started - chrono::Duration::days(i64::from(options.lookback_days)),
        };
        let window_from = options.since.map_or(window_from, |s| s.min(window_from));
        let tz = services.store.shop_timezone()?.unwrap_or(chrono_tz::UTC);
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
            buffered_rows: 0,
            counts: RunCounts::default(),
            warnings: Warnings::default(),
            duplicates: BTreeSet::new(),
            covered: None,
            pending_cover: None,
            dry,
        };
        Ok((job, window_from))
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
    buffered_rows: usize,
    counts: RunCounts,
    warnings: Warnings,
    duplicates: BTreeSet<String>,
    /// Every order of the window updated at or before this is written or recorded in errors.
    covered: Option<DateTime<Utc>>,
    /// What `covered` becomes once the buffer is written.
    pending_cover: Option<DateTime<Utc>>,
    dry: Option<DryRunOutput>,
}

impl Job<'_, '_> {
    /// Plans and writes given orders (reconciliation), comparing with the sheet's cells when the
    /// options say `force`.
    pub(super) async fn sync_given(&mut self, orders: Vec<Order>) -> Result<(), SyncError> {
        self.counts.fetched += i64::try_from(orders.len()).unwrap_or(i64::MAX);
        for order in orders {
            self.buffered_rows += order.line_items.len().max(1);
            self.buffer.push(order);
            if self.buffered_rows >= BATCH_ROWS {
                self.flush().await?;
            }
        }
        self.flush().await
    }

    /// Adopts the shop Shopify described (its time zone for dates).
    pub(super) fn set_shop(&mut self, shop: &Shop) -> Result<(), SyncError> {
        self.learn_shop(shop)
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

    async fn run(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), SyncError> {
        let refetch = self.services.store.pending_refetch()?;
        let shopify = self.services.shopify;
        let mut stream = shopify.orders_updated(from, to);
        let mut first = true;
        while let Some(page) = stream.next_page().await? {
            if let Some(shop) = &page.shop {
                self.learn_shop(shop)?;
            }
            self.counts.fetched += i64::try_from(page.orders.len()).unwrap_or(i64::MAX);
            self.services.observer.fetched(page.orders_so_far);
            if first && !refetch.is_empty() {
                self.refetch(&refetch).await?;
            }
            first = false;
            if let Some(last) = page.orders.last() {
                self.pending_cover = Some(last.updated_at);
            }
            for order in page.orders {
                self.buffered_rows += order.line_items.len().max(1);
                self.buffer.push(order);
            }
            if self.buffered_rows >= BATCH_ROWS {
                self.flush().await?;
            }
            if self.stop_requested().is_some() {
                // Stop now: what is buffered is neither written nor recorded, so the cursor stays
                // before it and the next run fetches it again.
                return Ok(());
            }
        }
        self.flush().await
    }

    /// Takes the shop's time zone and records the shop.
    fn learn_shop(&mut self, shop: &Shop) -> Result<(), SyncError> {
        match shop.iana_timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => self.tz = tz,
            Err(_) => self.warnings.add(format!(
                "the shop's time zone {:?} is unknown to shopsync; dates are written in UTC",
                shop.iana_timezone
            )),
        }
        if self.real() {
            self.services.store.record_shop(shop)?;
        }
        Ok(())
    }

    /// Fetches the orders queued by earlier failures and `reset`, by ID.
    async fn refetch(&mut self, gids: &[String]) -> Result<(), SyncError> {
        let orders = self.services.shopify.orders_by_ids(gids).await?;
        let found: BTreeSet<&str> = orders.iter().map(|o| o.gid.as_str()).collect();
        let gone: Vec<&String> = gids
            .iter()
            .filter(|g| !found.contains(g.as_str()))
            .collect();
        if !gone.is_empty() {
            self.warnings.add(format!(
                "{} queued order(s) are no longer visible in Shopify (deleted, or outside the 60-day \
                 window without read_all_orders); their rows stay in the sheet",
                gone.len()
            ));
            if self.real() {
                self.services.store.mark_orders_deleted(&gone)?;
                self.services.store.clear_refetch(&gone)?;
            }
        }
        for order in orders {
            self.buffered_rows += order.line_items.len().max(1);
            self.buffer.push(order);
        }
        Ok(())
    }

    /// Plans and writes the buffered orders.
    async fn flush(&mut self) -> Result<(), SyncError> {
        if self.buffer.is_empty() {
            self.covered = self.pending_cover.or(self.covered);
            return Ok(());
        }
        let orders = std::mem::take(&mut self.buffer);
        self.buffered_rows = 0;
        let result = self.write_orders(&orders).await;
        if let Ok(false) = result {
            // Stopped by a signal between two writes: the cursor must not pass what is unwritten.
            return Ok(());
        }
        if result.is_err() && self.sheet.is_none() {
            return result.map(|_| ());
        }
        if let Err(err) = &result
            && self.real()
        {
            // What the sheet did not confirm is queued, so the next run fetches it again. When
            // the sheet could not even be opened (wrong spreadsheet, binding, permissions), the
            // failure is the run's, not the orders': nothing is recorded against them and the
            // cursor stays put, so the DB is left as it was.
            let message = err.to_string();
            let recorded = self.recorded_gids(&orders)?;
            for order in orders.iter().filter(|o| !recorded.contains(&o.gid)) {
                self.services.store.record_error(&NewError {
                    run: Some(self.run),
                    order_gid: Some(&order.gid),
                    order_name: Some(&order.name),
                    stage: "write",
                    kind: error_kind(err),
                    message: &message,
                })?;
                self.counts.failed += 1;
            }
        }
        // Every fetched order is now written or queued in sync_errors, so even a failed run may
        // move the cursor past them: one bad batch cannot pin it.
        self.covered = self.pending_cover.or(self.covered);
        result.map(|_| ())
    }

    /// The gids among `orders` whose current content the DB already records (written this run).
    fn recorded_gids(&self, orders: &[Order]) -> Result<BTreeSet<String>, SyncError> {
        let gids: Vec<&str> = orders.iter().map(|o| o.gid.as_str()).collect();
        let tracked = self.services.store.tracked_hashes_for(&gids)?;
        Ok(orders
            .iter()
            .filter(|o| {
                let rows = order_rows(o, self.tz);
                let hashes = row_hashes(&rows, tracked.get(&o.gid));
                rows.rows
                    .iter()
                    .all(|r| hashes.get(&r.key) == Some(&r.hash))
            })
            .map(|o| o.gid.clone())
            .collect())
    }

    /// Writes a batch; `Ok(false)` when a stop request cut it short between two writes.
    async fn write_orders(&mut self, orders: &[Order]) -> Result<bool, SyncError> {
        let mut rows: Vec<OrderRows> = orders.iter().map(|o| order_rows(o, self.tz)).collect();
        for order in &rows {
            if !order.truncated.is_empty() {
                let columns: Vec<&str> = order.truncated.iter().map(|c| c.name()).collect();
                self.warnings.add(format!(
                    "order {}: {} longer than the sheet's 50,000-character cell limit, truncated \
                     with a marker",
                    order.name,
                    columns.join(", ")
                ));
            }
            if order.customer_data_withheld {
                self.warnings.add(
                    "Shopify withholds customers' names, e-mails, phones and addresses from this \
                     app (protected customer data): those cells stay empty until the app is \
                     approved for them"
                        .to_owned(),
                );
            }
        }
        let mut attempts = 0;
        loop {
            let tracked = self.tracked_hashes(&rows)?;
            if !self.options.force && all_tracked(&rows, &tracked) {
                self.counts.unchanged += i64::try_from(rows.len()).unwrap_or(i64::MAX);
                return Ok(true);
            }
            let by_gid: HashMap<&str, &Order> =
                orders.iter().map(|o| (o.gid.as_str(), o)).collect();
            // Moved, not cloned: a batch's rows are its largest allocation. A retry builds the
            // rows of the orders still to write again from `orders`.
            let plan = self.plan(std::mem::take(&mut rows), &tracked).await?;
            if attempts == 0 {
                // Counted on the first plan only: a retry re-plans what an unknown outcome left.
                for order in &plan.orders {
                    match order.outcome() {
                        OrderOutcome::New => self.counts.new += 1,
                        OrderOutcome::Updated => self.counts.updated += 1,
                        OrderOutcome::Unchanged => self.counts.unchanged += 1,
                    }
                }
            }
            match self.apply(&plan, &by_gid).await {
                Ok(complete) => return Ok(complete),
                Err(SyncError::Sheets(err)) if err.is_ambiguous() => {
                    attempts += 1;
                    if attempts > MAX_AMBIGUOUS_RETRIES {
                        return Err(SyncError::Unconfirmed {
                            attempts,
                            last: err.to_string(),
                        });
                    }
                    info!(
                        attempt = attempts,
                        "a write's outcome is unknown ({err}); re-reading the sheet's keys before \
                         retrying"
                    );
                    self.sheet_mut().await?.reread_keys().await?;
                    // Orders recorded before the failure are done; plan the rest again.
                    let recorded = self.recorded_gids(orders)?;
                    rows = orders
                        .iter()
                        .filter(|o| !recorded.contains(&o.gid))
                        .map(|o| order_rows(o, self.tz))
                        .collect();
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// The DB's row hashes for these orders, keyed as the sheet keys rows.
    fn tracked_hashes(
        &self,
        rows: &[OrderRows],
    ) -> Result<HashMap<RowKey, ContentHash>, SyncError> {
        let gids: Vec<&str> = rows.iter().map(|o| o.order_gid.as_str()).collect();
        let tracked = self.services.store.tracked_hashes_for(&gids)?;
        let mut out = HashMap::new();
        for order in rows {
            out.extend(row_hashes(order, tracked.get(&order.order_gid)));
        }
        Ok(out)
    }

    /// The sheet, opened (and, in a real run, bound) on first use.
    pub(super) async fn sheet_mut(&mut self) -> Result<&mut SheetSide, SyncError> {
        if self.sheet.is_none() {
            // Opening writes too (a new tab, missing headers). Those writes are idempotent, so
            // one whose outcome is unknown is retried by opening again, which reads the tab and
            // header afresh and writes only what is still missing.
            let mut attempts = 0;
            let side = loop {
                let client = SheetsClient::new(self.services.sheets.clone()).await?;
                match SheetSide::open(
                    client,
                    &self.options.target_spreadsheet,
                    &self.options.worksheet,
                    self.binding.as_ref(),
                    self.services.store.path(),
                    !self.real(),
                )
                .await
                {
                    Ok(side) => break side,
                    Err(SyncError::Sheets(err))
                        if err.is_ambiguous() && attempts < MAX_AMBIGUOUS_RETRIES =>
                    {
                        attempts += 1;
                        warn!(
                            attempt = attempts,
                            "a write while opening the sheet has an unknown outcome ({err}); \
                             reading the sheet again"
                        );
                    }
                    Err(err) => return Err(err),
                }
            };
            if self.real()
                && let Some(sheet_id) = side.sheet_id()
            {
                let binding = Binding {
                    shop_domain: self.options.shop_domain.clone(),
                    spreadsheet_id: side.spreadsheet_id().to_owned(),
                    sheet_id,
                    sheet_title: self.options.worksheet.clone(),
                };
                self.services.store.bind(&binding)?;
                self.binding = Some(binding);
            }
            if side.cell_headroom() < 1_000_000 {
                self.warnings.add(format!(
                    "the spreadsheet has room for only {} more cells under Google's \
                     10,000,000-cell limit",
                    side.cell_headroom()
                ));
            }
            self.sheet = Some(side);
        }
        Ok(self.sheet.as_mut().expect("opened above"))
    }

    async fn plan(
        &mut self,
        rows: Vec<OrderRows>,
        tracked: &HashMap<RowKey, ContentHash>,
    ) -> Result<Plan, SyncError> {
        let force = self.options.force;
        let sheet = self.sheet_mut().await?;
        let cells = if force {
            let keys: Vec<&RowKey> = rows
                .iter()
                .flat_map(|o| o.rows.iter().map(|r| &r.key))
                .collect();
            let holding = sheet.index().rows_holding(keys);
            sheet.read_cells(&holding).await?
        } else {
            SheetCells::new()
        };
        let compare = if force {
            Compare::Cells(&cells)
        } else {
            Compare::Hashes(tracked)
        };
        let plan = plan(rows, sheet.index(), compare);
        for dup in &plan.duplicates {
            self.duplicates.insert(format!(
                "order {} line item {} is on rows {}",
                dup.key.order_id,
                dup.key.line_item_id,
                dup.rows
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(plan)
    }

    /// Writes a plan (or, in a dry run, adds it to the plan on disk) and records each order once
    /// every one of its writes is confirmed. `Ok(false)` when a stop request cut it short.
    async fn apply(
        &mut self,
        plan: &Plan,
        by_gid: &HashMap<&str, &Order>,
    ) -> Result<bool, SyncError> {
        if let Some(mut dry) = self.dry.take() {
            let result = self.plan_dry(plan, &mut dry).await;
            self.dry = Some(dry);
            return result.map(|()| true);
        }
        let mut progress = OrderProgress::new(plan);
        let done = progress.complete_without_writes();
        self.record(plan, &done, by_gid)?;
        let sheet = self.sheet_mut().await?;
        let chunks = sheet.prepare(plan).await?;
        let total: usize = chunks
            .iter()
            .map(|c| c.appends.len() + c.updates.len())
            .sum();
        self.services.observer.writing(total as u64);
        let mut written = 0u64;
        for chunk in &chunks {
            let sheet = self.sheet_mut().await?;
            sheet.send(plan, chunk).await?;
            sheet.record_appends(plan, &chunk.appends);
            let mut done = Vec::new();
            for &i in &chunk.appends {
                if progress.confirm(plan.appends[i].order) {
                    done.push(plan.appends[i].order);
                }
            }
            for &i in &chunk.updates {
                if progress.confirm(plan.updates[i].order) {
                    done.push(plan.updates[i].order);
                }
            }
            self.record(plan, &done, by_gid)?;
            self.counts.rows_appended += i64::try_from(chunk.appends.len()).unwrap_or(0);
            self.counts.rows_updated += i64::try_from(chunk.updates.len()).unwrap_or(0);
            written += (chunk.appends.len() + chunk.updates.len()) as u64;
            self.services.observer.wrote(written);
            if self.stop_requested().is_some() {
                return Ok(progress.incomplete().is_empty());
            }
        }
        Ok(true)
    }

    async fn plan_dry(&mut self, plan: &Plan, dry: &mut DryRunOutput) -> Result<(), SyncError> {
        let sheet = self.sheet_mut().await?;
        let rows: Vec<u32> = plan.updates.iter().map(|u| u.row).collect();
        let before = sheet.read_cells(&rows).await?;
        let changes = cell_changes(&plan.updates, &before);
        // Later batches of this dry run must see these rows as if they were written.
        let all: Vec<usize> = (0..plan.appends.len()).collect();
        sheet.record_appends(plan, &all);
        self.counts.rows_appended += i64::try_from(plan.appends.len()).unwrap_or(0);
        self.counts.rows_updated += i64::try_from(plan.updates.len()).unwrap_or(0);
        dry.add(plan, &changes)
    }

    /// Records the given orders of `plan` (indexes into `plan.orders`) as synced.
    fn record(
        &mut self,
        plan: &Plan,
        done: &[usize],
        by_gid: &HashMap<&str, &Order>,
    ) -> Result<(), SyncError> {
        if done.is_empty() || !self.real() {
            return Ok(());
        }
        let index = self.sheet.as_ref().map(SheetSide::index);
        let synced: Vec<SyncedOrder<'_>> = done
            .iter()
            .filter_map(|&i| {
                let order_plan = &plan.orders[i];
                let order = by_gid.get(order_plan.order_gid.as_str())?;
                let hashes: Vec<ContentHash> =
                    order_plan.row_hashes.iter().map(|(_, h)| *h).collect();
                Some(SyncedOrder {
                    order,
                    content_hash: order_hash(&hashes),
                    rows: order_plan
                        .row_hashes
                        .iter()
                        .map(|(key, hash)| SyncedRow {
                            line_item_id: key.line_item_id.clone(),
                            row_hash: hash.to_hex(),
                            sheet_row: index
                                .and_then(|ix| ix.rows_of(key).first())
                                .map(|&r| i64::from(r)),
                        })
                        .collect(),
                })
            })
            .collect();
        self.services
            .store
            .record_synced_orders(self.run, &synced)?;
        Ok(())
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
        // A complete run moves the cursor to its start, even over an empty window; otherwise it
        // stops where every earlier order is written or recorded.
        let target = if outcome == RunOutcome::Success || outcome == RunOutcome::Partial {
            Some(started)
        } else {
            self.covered
        };
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

/// The DB's row hashes of one order, keyed as rows are keyed.
fn row_hashes(
    order: &OrderRows,
    tracked: Option<&crate::store::OrderHashes>,
) -> HashMap<RowKey, ContentHash> {
    let Some(tracked) = tracked else {
        return HashMap::new();
    };
    tracked
        .line_items
        .iter()
        .filter_map(|(line_item_id, item)| {
            let hash = ContentHash::from_hex(item.row_hash.as_deref()?)?;
            Some((
                RowKey::new(order.order_id.clone(), line_item_id.clone()),
                hash,
            ))
        })
        .collect()
}

/// An order's content hash: the hash of its rows' hashes, in order.
fn order_hash(rows: &[ContentHash]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    for row in rows {
        hasher.update(row.0);
    }
    let digest = hasher.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short kind for `sync_errors`.
fn error_kind(err: &SyncError) -> &'static str {
    match err {
        SyncError::Shopify(_) => "shopify",
        SyncError::Sheets(_) | SyncError::Unconfirmed { .. } => "sheets",
        SyncError::Store(_) | SyncError::Lock(_) => "store",
        SyncError::Layout(_) => "layout",
        SyncError::DryRunOutput { .. } => "io",
    }
}
