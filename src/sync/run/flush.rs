//! When a run writes what it has fetched: before the buffered rows would overflow one write
//! request (about 2 MB of JSON), or once a minute has passed since the last write, whichever
//! comes first. A fast backfill so sends full requests only; a slow paged run (about 10 rows a
//! second under Shopify's real limits) still shows and keeps its progress every minute.

use chrono::{DateTime, Duration, Utc};

use crate::sheets::MAX_REQUEST_BYTES;
use crate::sync::plan::rows::OrderRows;

/// Bytes of JSON a batch may come to: one write request, less a margin for the ranges' own text.
pub(super) const BATCH_BYTES: usize = MAX_REQUEST_BYTES / 100 * 97;

/// The longest a fetched row waits for its write.
pub(super) const BATCH_WAIT_SECS: i64 = 60;

/// The size and age of the rows buffered for the next write.
#[derive(Debug, Clone)]
pub(super) struct Batch {
    /// At most this many bytes of JSON go into one batch.
    max_bytes: usize,
    /// A batch is written once it is this old.
    max_wait: Duration,
    bytes: usize,
    rows: usize,
    /// When the last write happened (or the run started).
    since: DateTime<Utc>,
}

impl Batch {
    /// An empty batch, aged from `now`, with the default limits.
    pub(super) fn new(now: DateTime<Utc>) -> Batch {
        Batch::with_limits(BATCH_BYTES, Duration::seconds(BATCH_WAIT_SECS), now)
    }

    /// An empty batch with given limits.
    pub(super) fn with_limits(max_bytes: usize, max_wait: Duration, now: DateTime<Utc>) -> Batch {
        Batch {
            max_bytes,
            max_wait,
            bytes: 0,
            rows: 0,
            since: now,
        }
    }

    /// Whether adding an order of `bytes` would overflow a write request: then the batch so far
    /// should be written first. An order larger than a request on its own goes alone.
    pub(super) fn would_overflow(&self, bytes: usize) -> bool {
        self.rows > 0 && self.bytes + bytes > self.max_bytes
    }

    /// Counts an order's rows and bytes in.
    pub(super) fn add(&mut self, rows: usize, bytes: usize) {
        self.rows += rows;
        self.bytes += bytes;
    }

    /// Whether the batch is full, or old enough to be written now.
    pub(super) fn due(&self, now: DateTime<Utc>) -> bool {
        self.rows > 0 && (self.bytes >= self.max_bytes || now - self.since >= self.max_wait)
    }

    /// Empties the batch after a write at `now`.
    pub(super) fn reset(&mut self, now: DateTime<Utc>) {
        self.bytes = 0;
        self.rows = 0;
        self.since = now;
    }

    /// Bytes buffered.
    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }
}

/// About how many bytes of `RAW` JSON an order's rows come to in a write request: the cells, their
/// separators and each row's brackets.
pub(super) fn rows_json_bytes(rows: &OrderRows) -> usize {
    rows.rows
        .iter()
        .map(|row| 2 + row.cells.iter().map(|c| c.json_len() + 1).sum::<usize>())
        .sum::<usize>()
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::fixtures::{TZ, at, order};
    use crate::sync::plan::rows::order_rows;

    #[test]
    fn a_batch_is_written_before_it_overflows_a_request() {
        let now = at("2026-11-02T10:00:00Z");
        let mut batch = Batch::with_limits(1_000, Duration::seconds(60), now);
        assert!(!batch.would_overflow(5_000), "a huge order goes alone");
        batch.add(2, 600);
        assert!(!batch.due(now));
        assert!(!batch.would_overflow(400));
        assert!(batch.would_overflow(401));
        batch.add(1, 400);
        assert!(batch.due(now), "full");
        batch.reset(now);
        assert!(!batch.due(now) && batch.bytes() == 0);
    }

    #[test]
    fn a_batch_is_written_a_minute_after_the_last_write_however_small() {
        let start = at("2026-11-02T10:00:00Z");
        let mut batch = Batch::new(start);
        assert!(!batch.due(start + Duration::minutes(5)), "nothing to write");
        batch.add(1, 300);
        assert!(!batch.due(start + Duration::seconds(59)));
        assert!(batch.due(start + Duration::seconds(60)));
        batch.reset(start + Duration::seconds(61));
        batch.add(1, 300);
        assert!(!batch.due(start + Duration::seconds(120)));
        assert!(batch.due(start + Duration::seconds(121)));
    }

    #[test]
    fn the_estimate_is_the_json_a_write_sends() {
        let rows = order_rows(&order(1001, 1001), TZ);
        let sent: usize = rows
            .rows
            .iter()
            .map(|r| {
                let values: Vec<_> = r
                    .cells
                    .iter()
                    .map(crate::sync::plan::cell::Cell::to_json)
                    .collect();
                serde_json::to_vec(&values).unwrap().len() + 1
            })
            .sum();
        let estimate = rows_json_bytes(&rows);
        assert!(
            estimate.abs_diff(sent) * 20 <= sent,
            "estimate {estimate} vs {sent} bytes sent"
        );
    }
}
