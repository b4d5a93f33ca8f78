//! Backfills through a bulk export (SHOPIFY-API.md section 4): when to use one, and feeding its
//! staged orders through the same rows → plan → write → record steps as the paged fetch.
//!
//! The decision: `--bulk` always, `--no-bulk` never; otherwise a backfill (a first run, a `--since`
//! window, or a window over a day) whose first page says more follow, when the orders the window
//! holds (extrapolated from that page, then confirmed by `ordersCount`) would take over about a
//! minute to page under Shopify's Standard limits. The hourly delta keeps paging. A bulk export
//! that fails is reported in the log and the summary, and the window is paged instead.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tracing::{info, warn};

use super::Job;
use crate::shopify::OrdersPage;
use crate::shopify::bulk::BulkError;
use crate::shopify::cost::{LINE_NODE_COST, ORDER_NODE_BASE_COST};
use crate::sync::error::SyncError;

/// Whether a run may fetch through a bulk export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkChoice {
    /// Decide from the window (the default).
    #[default]
    Auto,
    /// `--bulk`: always export in bulk (paging only when the export fails).
    Always,
    /// `--no-bulk`: always page.
    Never,
}

/// Paging time over which a backfill is exported in bulk.
const BULK_OVER_SECS: f64 = 60.0;

/// Shopify's Standard plan: a bucket of 2,000 points refilled at 100 a second.
const STANDARD_BUCKET: f64 = 2_000.0;
const STANDARD_RESTORE: f64 = 100.0;

/// Line items of a typical order, for the cost of paging one (about 24 points).
const TYPICAL_LINES: f64 = 2.8;

/// Orders fetched in one bulk batch.
const BULK_BATCH_ORDERS: usize = 500;

/// Seconds paging `orders` orders is expected to take under the Standard plan's limits.
#[must_use]
pub fn expected_paging_secs(orders: u64) -> f64 {
    let points = orders as f64 * (ORDER_NODE_BASE_COST + TYPICAL_LINES * LINE_NODE_COST);
    (points - STANDARD_BUCKET).max(0.0) / STANDARD_RESTORE
}

impl Job<'_, '_> {
    /// Whether the window is a backfill rather than the hourly delta.
    fn is_backfill(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.cursor_before.is_none()
            || self.options.since.is_some()
            || to - from > chrono::Duration::days(1)
    }

    /// After the first page (`page`, with more to come): whether to export the rest in bulk.
    /// A backfill sends one `ordersCount` request, which decides that and, when the window is
    /// paged, sizes the grid for the rows to come (each growth is one of Google's 60 writes a
    /// minute, and a backfill of 100,000 orders needs over 50 for its values alone).
    pub(super) async fn bulk_after_first_page(
        &mut self,
        page: &OrdersPage,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<bool, SyncError> {
        // A forced export that failed is paged without asking again.
        if self.options.bulk == BulkChoice::Always || !self.is_backfill(from, to) {
            return Ok(false);
        }
        let auto = self.options.bulk == BulkChoice::Auto;
        // A first page short of a minute of paging says nothing yet; ordersCount does.
        if auto && expected_paging_secs(page.orders.len() as u64) > BULK_OVER_SECS {
            return Ok(true);
        }
        let count = self.services.shopify.orders_count_updated(from, to).await?;
        let secs = expected_paging_secs(count.count);
        info!(
            orders = count.count,
            paging_secs = secs.round() as u64,
            "backfill size"
        );
        // The first page is counted as seen when it is buffered.
        self.window_orders = Some(count.count);
        Ok(auto && secs > BULK_OVER_SECS)
    }

    /// Whether the run starts with a bulk export (`--bulk`).
    pub(super) fn bulk_forced(&self) -> bool {
        self.options.bulk == BulkChoice::Always
    }

    /// Exports `[from, to]` in bulk and syncs it. `Ok(false)` when the export failed before
    /// delivering everything: the failure is in the log and the summary, and the caller pages.
    pub(super) async fn run_bulk(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        refetch: &[String],
    ) -> Result<bool, SyncError> {
        match self.try_bulk(from, to, refetch).await {
            Ok(()) => Ok(true),
            Err(Fallback::Sync(e)) => Err(e),
            Err(Fallback::Bulk(e)) => {
                // The window is paged from its start (queued orders fetched again with its first
                // page): what the export staged but did not write comes again.
                self.buffer.clear();
                self.buffered.clear();
                self.held = None;
                self.taken_up_to = None;
                self.batch.reset(self.services.clock.now());
                self.pending_cover = None;
                self.bulk_rows_left = None;
                self.bulk_rows_staged = None;
                warn!(error = %e, "bulk export failed; paging the window instead");
                self.warnings.add(format!(
                    "bulk export failed ({e}); the window was paged instead"
                ));
                Ok(false)
            }
        }
    }

    async fn try_bulk(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        refetch: &[String],
    ) -> Result<(), Fallback> {
        let shopify = self.services.shopify;
        let mut export = shopify.bulk_orders(from, to).await?;
        if !refetch.is_empty() {
            self.refetch(refetch).await?;
        }
        info!(
            id = %export.operation.id,
            objects = export.operation.object_count,
            adopted = export.adopted,
            "bulk export completed"
        );
        // The export says up front how many rows it brings: the grid is grown for them once
        // instead of a little ahead of each batch (each growth is a write request).
        self.bulk_rows_left = Some(export.batches.stats().line_items);
        self.bulk_rows_staged = self.bulk_rows_left;
        while let Some(batch) = export.batches.next_batch(BULK_BATCH_ORDERS)? {
            self.counts.fetched += i64::try_from(batch.len()).unwrap_or(i64::MAX);
            self.services
                .observer
                .fetched(u64::try_from(self.counts.fetched).unwrap_or(0));
            if self.take(batch).await? {
                return Ok(());
            }
        }
        self.flush_all().await?;
        self.bulk_rows_left = None;
        self.bulk_rows_staged = None;
        Ok(())
    }
}

/// Why [`Job::try_bulk`] stopped: the export (page instead) or the sync itself (fatal).
enum Fallback {
    Bulk(BulkError),
    Sync(SyncError),
}

impl From<BulkError> for Fallback {
    fn from(e: BulkError) -> Self {
        Self::Bulk(e)
    }
}

impl From<SyncError> for Fallback {
    fn from(e: SyncError) -> Self {
        Self::Sync(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_of_paging_is_a_few_hundred_orders() {
        assert!(expected_paging_secs(50) <= BULK_OVER_SECS);
        assert!(expected_paging_secs(300) <= BULK_OVER_SECS);
        assert!(expected_paging_secs(400) > BULK_OVER_SECS);
        // 100,000 orders: hours.
        assert!(expected_paging_secs(100_000) > 6.0 * 3600.0);
    }
}
