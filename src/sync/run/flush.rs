//! When a run writes what it has fetched: before the buffered rows would overflow one write
//! request (2 MB of JSON, counted as the request's chunking counts), or once a minute has passed
//! since the last write, whichever comes first. An order that does not fit while the batch still
//! has a large gap is held for the next batch, and the orders after it fill the gap. A fast
//! backfill so sends full requests only; a slow paged run (about 10 rows a second under Shopify's
//! real limits) still shows and keeps its progress every minute.

use chrono::{DateTime, Duration, Utc};

use crate::sheets::{BODY_HEAD_BYTES, MAX_REQUEST_BYTES};
use crate::sync::plan::rows::OrderRows;

/// Room left in a batch over which an order that does not fit is held for the next batch rather
/// than closing this one: a few rows' worth.
pub(super) const HOLD_FOR_GAP: usize = 8_192;

/// The longest a fetched row waits for its write.
pub(super) const BATCH_WAIT_SECS: i64 = 60;

/// The size and age of the rows buffered for the next write.
#[derive(Debug, Clone)]
pub(super) struct Batch {
    /// At most this many bytes of JSON go into one batch.
    max_bytes: usize,
    /// Bytes each row costs beyond [`rows_json_bytes`]: two for each run of adjacent owned
    /// columns after the first (its own brackets and the comma after it, less the comma between
    /// two cells it replaces).
    row_extra: usize,
    /// Bytes a range costs in the request ([`crate::sheets::range_bytes`]).
    range_bytes: usize,
    /// A batch is written once it is this old.
    max_wait: Duration,
    bytes: usize,
    rows: usize,
    /// When the last write happened (or the run started).
    since: DateTime<Utc>,
}

impl Batch {
    /// An empty batch, aged from `now`, that fills one write request of new rows on a tab whose
    /// ranges cost `range_bytes` ([`crate::sheets::range_bytes`]), counted as the request's
    /// chunking counts (see [`Batch::fit_runs`]): with a margin of a few percent instead, a
    /// 100,000-order backfill sent a request more for every thirty.
    pub(super) fn new(now: DateTime<Utc>, range_bytes: usize) -> Batch {
        let mut batch = Batch::with_limits(0, Duration::seconds(BATCH_WAIT_SECS), now);
        batch.range_bytes = range_bytes;
        batch.fit_runs(1);
        batch
    }

    /// An empty batch with given limits.
    pub(super) fn with_limits(max_bytes: usize, max_wait: Duration, now: DateTime<Utc>) -> Batch {
        Batch {
            max_bytes,
            row_extra: 0,
            range_bytes: 0,
            max_wait,
            bytes: 0,
            rows: 0,
            since: now,
        }
    }

    /// Sizes the batch for rows written as `runs` runs of adjacent owned columns (one on the
    /// default layout; more around people's columns), each run its own rectangle and range.
    pub(super) fn fit_runs(&mut self, runs: usize) {
        let runs = runs.max(1);
        self.max_bytes = MAX_REQUEST_BYTES - BODY_HEAD_BYTES - runs * (self.range_bytes + 1);
        self.row_extra = 2 * (runs - 1);
    }

    /// Whether adding an order of `rows` rows and `bytes` would overflow a write request: then
    /// the batch so far should be written first. An order larger than a request on its own goes
    /// alone.
    pub(super) fn would_overflow(&self, rows: usize, bytes: usize) -> bool {
        self.rows > 0 && self.bytes + bytes + rows * self.row_extra > self.max_bytes
    }

    /// Bytes of rows the batch has room for still.
    pub(super) fn room(&self) -> usize {
        self.max_bytes.saturating_sub(self.bytes)
    }

    /// Counts an order's rows and bytes in.
    pub(super) fn add(&mut self, rows: usize, bytes: usize) {
        self.rows += rows;
        self.bytes += bytes + rows * self.row_extra;
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

/// How many bytes of `RAW` JSON an order's rows come to in a write request of rows in one run of
/// columns: the cells, their separators and each row's brackets and comma.
pub(super) fn rows_json_bytes(rows: &OrderRows) -> usize {
    rows.rows
        .iter()
        .map(|row| row.json_bytes)
        .sum::<usize>()
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::fixtures::{TZ, at, order};
    use crate::sync::plan::columns::Column;
    use crate::sync::plan::rows::order_rows;

    #[test]
    fn a_batch_is_written_before_it_overflows_a_request() {
        let now = at("2026-11-02T10:00:00Z");
        let mut batch = Batch::with_limits(1_000, Duration::seconds(60), now);
        assert!(!batch.would_overflow(9, 5_000), "a huge order goes alone");
        batch.add(2, 600);
        assert!(!batch.due(now));
        assert_eq!(batch.room(), 400);
        assert!(!batch.would_overflow(1, 400));
        assert!(batch.would_overflow(1, 401));
        batch.add(1, 400);
        assert!(batch.due(now), "full");
        batch.reset(now);
        assert!(!batch.due(now) && batch.bytes() == 0);
    }

    #[test]
    fn rows_around_peoples_columns_cost_a_range_and_two_bytes_more_per_run() {
        let now = at("2026-11-02T10:00:00Z");
        let one = Batch::new(now, 60);
        assert_eq!(one.max_bytes, MAX_REQUEST_BYTES - BODY_HEAD_BYTES - 61);
        let mut two = Batch::new(now, 60);
        two.fit_runs(3);
        assert_eq!(two.max_bytes, MAX_REQUEST_BYTES - BODY_HEAD_BYTES - 3 * 61);
        two.add(4, 1_000);
        assert_eq!(two.bytes(), 1_016);
    }

    #[test]
    fn a_batch_is_written_a_minute_after_the_last_write_however_small() {
        let start = at("2026-11-02T10:00:00Z");
        let mut batch = Batch::new(start, 60);
        assert!(!batch.due(start + Duration::minutes(5)), "nothing to write");
        batch.add(1, 300);
        assert!(!batch.due(start + Duration::seconds(59)));
        assert!(batch.due(start + Duration::seconds(60)));
        batch.reset(start + Duration::seconds(61));
        batch.add(1, 300);
        assert!(!batch.due(start + Duration::seconds(120)));
        assert!(batch.due(start + Duration::seconds(121)));
    }

    /// Fills a batch for rows laid out as `header` gives them (sized as the run sizes it after
    /// its first plan), plans it and asserts it goes in one request filled nearly to the limit.
    fn a_full_batch_is_one_request(header: &[&str]) {
        use crate::sync::fixtures::rows_of;
        use crate::sync::plan::header::HeaderLayout;
        use crate::sync::plan::index::SheetIndex;
        use crate::sync::plan::rectangles::chunk_plan;
        use crate::sync::plan::{Compare, plan};
        use std::collections::HashMap;

        let header: Vec<serde_json::Value> = header.iter().map(|&h| h.into()).collect();
        let layout = HeaderLayout::analyze("Orders", &header, true).unwrap();
        let index = SheetIndex::empty(layout, 2);
        let now = at("2026-11-02T10:00:00Z");
        let range = crate::sheets::range_bytes("Orders");
        let mut batch = Batch::new(now, range);
        let first = plan(
            rows_of(&[order(1, 1000)]),
            &index,
            Compare::Hashes(&HashMap::new()),
        );
        let runs = first.appends[0].runs.len();
        batch.fit_runs(runs);
        let mut orders = Vec::new();
        for n in 1.. {
            let mut o = order(n, 1000 + i64::try_from(n).unwrap());
            o.note = Some("x".repeat(usize::try_from(n % 97).unwrap() * 7));
            let bytes = rows_json_bytes(&order_rows(&o, TZ));
            if batch.would_overflow(o.line_items.len(), bytes) {
                break;
            }
            batch.add(o.line_items.len(), bytes);
            orders.push(o);
        }
        let planned = plan(rows_of(&orders), &index, Compare::Hashes(&HashMap::new()));
        let body_room = MAX_REQUEST_BYTES - BODY_HEAD_BYTES;
        let chunks = chunk_plan(&planned, body_room, range);
        assert_eq!(
            chunks.len(),
            1,
            "{runs} runs a row: a full batch must not spill into a second request"
        );
        let sent: usize = chunks[0]
            .encode(&planned)
            .iter()
            .map(|r| r.values.len() + range)
            .sum::<usize>()
            + BODY_HEAD_BYTES;
        assert!(sent <= MAX_REQUEST_BYTES, "{sent} bytes");
        assert!(
            sent > MAX_REQUEST_BYTES - 3_000,
            "{runs} runs a row, {sent} bytes: the request is not filled"
        );
    }

    #[test]
    fn a_full_batch_of_new_rows_is_one_request_filled_to_the_limit() {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        a_full_batch_is_one_request(&names);
    }

    #[test]
    fn a_full_batch_around_peoples_columns_is_one_request_filled_to_the_limit() {
        let mut names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        names.insert(5, "Packed by");
        names.insert(12, "Checked");
        a_full_batch_is_one_request(&names);
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
