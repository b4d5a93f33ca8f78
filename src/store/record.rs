//! Recording a confirmed write: the orders and rows the sheet holds now, with their hashes and
//! rows, in one transaction that also resolves their errors and empties their refetch entries.

use std::collections::HashMap;

use rusqlite::{CachedStatement, Transaction, params};

use super::{Result, RunId, Store, StoreError, ts};
use crate::decimal_text::DecimalText;
use crate::order::Order;

/// One sheet row the sync confirmed written: its line item, hash and where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedRow {
    /// The line item's numeric id (the sheet's `Line Item ID`).
    pub line_item_id: String,
    /// The hash of the row's owned cells as written.
    pub row_hash: String,
    /// The sheet row it was written to (a hint for next time, never trusted alone).
    pub sheet_row: Option<i64>,
}

/// An order whose rows the sheet confirmed written, ready to record.
#[derive(Debug, Clone)]
pub struct SyncedOrder<'a> {
    /// The order as fetched.
    pub order: &'a Order,
    /// The order's content hash (over all its rows).
    pub content_hash: String,
    /// One entry per written row; a line item without one is recorded with no hash, so the next
    /// sync rewrites it.
    pub rows: Vec<SyncedRow>,
}

impl Store {
    /// Records orders whose rows the sheet confirmed written, in one transaction; also resolves
    /// their open errors and takes them off the refetch queue.
    ///
    /// Line items Shopify no longer lists stay tracked (their rows stay in the sheet).
    ///
    /// # Errors
    /// When the transaction fails; then nothing of it is recorded.
    pub fn record_synced_orders(&mut self, run: RunId, orders: &[SyncedOrder<'_>]) -> Result<()> {
        // Foreign keys are off for this one transaction, because nothing in it can break one:
        // each order's row is upserted before its line items, on a conflict its key stays as
        // it is (so no cascade fires), and `run` is the running run's row. Checked, each upsert
        // looks its parent up, and SQLite keeps a statement journal for each (a copy of every
        // page the statement changes, to undo it alone): a third of the recording's work.
        // The pragma only takes effect outside a transaction; it is switched back on whatever
        // the transaction's outcome.
        let path = self.path.clone();
        let sql = |e| StoreError::from_sqlite(&path, e);
        self.conn
            .pragma_update(None, "foreign_keys", false)
            .map_err(sql)?;
        let recorded = self.record_unchecked(run, orders);
        let restored = self.conn.pragma_update(None, "foreign_keys", true);
        recorded?;
        restored.map_err(sql)
    }

    /// [`Self::record_synced_orders`]' transaction, run with foreign keys off.
    fn record_unchecked(&mut self, run: RunId, orders: &[SyncedOrder<'_>]) -> Result<()> {
        let now = ts(self.now());
        let path = self.path.clone();
        let sql = |e| StoreError::from_sqlite(&path, e);
        let tx = self.write_transaction()?;
        // A backfill has no open error and an empty queue: then two statements an order are
        // skipped (asked once for the transaction, which nothing else writes meanwhile).
        let pending = Pending {
            errors: exists(
                &tx,
                "SELECT 1 FROM sync_errors WHERE resolved_at IS NULL LIMIT 1",
            )
            .map_err(sql)?,
            refetch: exists(&tx, "SELECT 1 FROM refetch_queue LIMIT 1").map_err(sql)?,
        };
        Recorder::prepare(&tx, run, &now, pending)
            .and_then(|mut recorder| {
                orders
                    .iter()
                    .try_for_each(|synced| recorder.record_one(synced))
            })
            .map_err(sql)?;
        tx.commit().map_err(sql)
    }
}

/// The statements of one recording transaction, each prepared once for all its orders (looking
/// a statement up in the connection's cache hashes its whole text).
struct Recorder<'t> {
    run: RunId,
    now: &'t str,
    order: CachedStatement<'t>,
    line_item: CachedStatement<'t>,
    /// Resolves an order's open errors, when any error was open.
    resolve: Option<CachedStatement<'t>>,
    /// Takes an order off the refetch queue, when it was not empty.
    dequeue: Option<CachedStatement<'t>>,
}

impl<'t> Recorder<'t> {
    fn prepare(
        tx: &'t Transaction<'_>,
        run: RunId,
        now: &'t str,
        pending: Pending,
    ) -> rusqlite::Result<Self> {
        Ok(Recorder {
            run,
            now,
            order: tx.prepare_cached(UPSERT_ORDER)?,
            line_item: tx.prepare_cached(UPSERT_LINE_ITEM)?,
            resolve: pending
                .errors
                .then(|| {
                    tx.prepare_cached(
                        "UPDATE sync_errors SET resolved_at = ?2 \
                         WHERE order_gid = ?1 AND resolved_at IS NULL",
                    )
                })
                .transpose()?,
            dequeue: pending
                .refetch
                .then(|| tx.prepare_cached("DELETE FROM refetch_queue WHERE order_gid = ?1"))
                .transpose()?,
        })
    }

    /// Upserts an order's tracking row, its line items' rows, resolves its open errors and takes
    /// it off the refetch queue.
    fn record_one(&mut self, synced: &SyncedOrder<'_>) -> rusqlite::Result<()> {
        self.upsert_order(synced)?;
        self.upsert_line_items(synced)?;
        let gid = &synced.order.gid;
        if let Some(resolve) = &mut self.resolve {
            resolve.execute(params![gid, self.now])?;
        }
        if let Some(dequeue) = &mut self.dequeue {
            dequeue.execute([gid])?;
        }
        Ok(())
    }

    fn upsert_order(&mut self, synced: &SyncedOrder<'_>) -> rusqlite::Result<()> {
        let o = synced.order;
        let count = i64::try_from(o.line_items.len()).unwrap_or(i64::MAX);
        self.order.execute(params![
            o.gid,
            o.legacy_id,
            o.name,
            o.number,
            ts(o.created_at),
            ts(o.updated_at),
            o.cancelled_at.map(ts),
            synced.content_hash,
            DecimalText::new(o.current_total.amount).as_str(),
            o.current_total.currency,
            count,
            o.financial_status,
            o.fulfillment_status,
            o.test,
            self.now,
            self.run.0,
        ])?;
        Ok(())
    }

    /// Upserts the order's line items with the hash and sheet row of the row written for each
    /// (none for a line item without one, so the next sync rewrites it); warns of written rows
    /// that name a line item the order does not list.
    fn upsert_line_items(&mut self, synced: &SyncedOrder<'_>) -> rusqlite::Result<()> {
        let o = synced.order;
        let mut rows = RowsById::new(&synced.rows);
        for (position, item) in o.line_items.iter().enumerate() {
            let id = item.legacy_id();
            let row = rows.take(position, id);
            self.line_item.execute(params![
                o.gid,
                id,
                item.gid,
                row.map(|r| r.row_hash.as_str()),
                row.and_then(|r| r.sheet_row),
                item.title,
                item.variant_title,
                item.sku,
                item.quantity,
                item.current_quantity,
                DecimalText::new(item.unit_price.amount).as_str(),
                DecimalText::new(item.discounted_total.amount).as_str(),
                item.unit_price.currency,
            ])?;
        }
        for id in rows.left() {
            tracing::warn!(order = %o.name, line_item = %id,
                "a written row names a line item the order does not list; not tracked");
        }
        Ok(())
    }
}

/// The written rows of an order, taken by line item id. Rows almost always come in the order's
/// line-item order, so each is first looked for at its line item's position; a map by id is
/// built only for an order whose rows are not (hundreds of line items would otherwise search
/// the rows once per item).
struct RowsById<'r> {
    rows: &'r [SyncedRow],
    taken: Vec<bool>,
    by_id: Option<HashMap<&'r str, usize>>,
}

impl<'r> RowsById<'r> {
    fn new(rows: &'r [SyncedRow]) -> Self {
        RowsById {
            rows,
            taken: vec![false; rows.len()],
            by_id: None,
        }
    }

    /// The row of line item `id`, the `position`-th of the order, if one was written.
    fn take(&mut self, position: usize, id: &str) -> Option<&'r SyncedRow> {
        let at = match self.rows.get(position) {
            Some(row) if row.line_item_id == id && !self.taken[position] => Some(position),
            _ => {
                let rows = self.rows;
                let by_id = self.by_id.get_or_insert_with(|| {
                    rows.iter()
                        .enumerate()
                        .map(|(i, r)| (r.line_item_id.as_str(), i))
                        .collect()
                });
                by_id.get(id).copied().filter(|&i| !self.taken[i])
            }
        }?;
        self.taken[at] = true;
        Some(&self.rows[at])
    }

    /// The ids of the rows no line item took.
    fn left(&self) -> impl Iterator<Item = &'r str> + '_ {
        self.rows
            .iter()
            .zip(&self.taken)
            .filter(|(_, taken)| !**taken)
            .map(|(row, _)| row.line_item_id.as_str())
    }
}

/// Whether any error is open and any order queued, when a transaction starts.
#[derive(Debug, Clone, Copy)]
struct Pending {
    errors: bool,
    refetch: bool,
}

/// Whether `query` returns a row.
fn exists(tx: &Transaction<'_>, query: &str) -> rusqlite::Result<bool> {
    tx.prepare_cached(query)?.exists([])
}

const UPSERT_ORDER: &str = "INSERT INTO order_tracking (order_gid, legacy_id, name, number, \
    created_at, updated_at, cancelled_at, content_hash, total_amount, currency, line_item_count, \
    financial_status, fulfillment_status, test, status, first_synced_at, last_synced_at, \
    last_run_id) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'active', ?15, ?15, ?16) \
    ON CONFLICT (order_gid) DO UPDATE SET legacy_id = excluded.legacy_id, name = excluded.name, \
    number = excluded.number, created_at = excluded.created_at, \
    updated_at = excluded.updated_at, cancelled_at = excluded.cancelled_at, \
    content_hash = excluded.content_hash, total_amount = excluded.total_amount, \
    currency = excluded.currency, line_item_count = excluded.line_item_count, \
    financial_status = excluded.financial_status, \
    fulfillment_status = excluded.fulfillment_status, test = excluded.test, \
    status = 'active', last_synced_at = excluded.last_synced_at, \
    last_run_id = excluded.last_run_id";

const UPSERT_LINE_ITEM: &str = "INSERT INTO line_item_tracking (order_gid, line_item_id, \
    line_item_gid, row_hash, sheet_row, title, variant_title, sku, quantity, current_quantity, \
    unit_price, line_total, currency) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
    ON CONFLICT (order_gid, line_item_id) DO UPDATE SET \
    line_item_gid = excluded.line_item_gid, row_hash = excluded.row_hash, \
    sheet_row = COALESCE(excluded.sheet_row, sheet_row), title = excluded.title, \
    variant_title = excluded.variant_title, sku = excluded.sku, quantity = excluded.quantity, \
    current_quantity = excluded.current_quantity, unit_price = excluded.unit_price, \
    line_total = excluded.line_total, currency = excluded.currency";

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(ids: &[&str]) -> Vec<SyncedRow> {
        ids.iter()
            .map(|id| SyncedRow {
                line_item_id: (*id).to_owned(),
                row_hash: format!("hash of {id}"),
                sheet_row: None,
            })
            .collect()
    }

    /// Takes the row of each of `items` (in the order's line-item order) and what is left.
    fn take_all(written: &[SyncedRow], items: &[&str]) -> (Vec<Option<String>>, Vec<String>) {
        let mut by_id = RowsById::new(written);
        let taken = items
            .iter()
            .enumerate()
            .map(|(position, id)| by_id.take(position, id).map(|r| r.row_hash.clone()))
            .collect();
        (taken, by_id.left().map(str::to_owned).collect())
    }

    fn hashes(ids: &[Option<&str>]) -> Vec<Option<String>> {
        ids.iter()
            .map(|id| id.map(|id| format!("hash of {id}")))
            .collect()
    }

    #[test]
    fn rows_in_line_item_order_are_taken_by_position() {
        let written = rows(&["1", "2", "3"]);
        let (taken, left) = take_all(&written, &["1", "2", "3"]);
        assert_eq!(taken, hashes(&[Some("1"), Some("2"), Some("3")]));
        assert!(left.is_empty());
    }

    #[test]
    fn rows_out_of_order_missing_or_unknown_are_found_by_id() {
        // Shuffled, one line item without a written row, one row naming no line item.
        let written = rows(&["3", "9", "1"]);
        let (taken, left) = take_all(&written, &["1", "2", "3"]);
        assert_eq!(taken, hashes(&[Some("1"), None, Some("3")]));
        assert_eq!(left, ["9"]);
    }

    #[test]
    fn a_row_is_taken_once_even_when_an_id_repeats() {
        // The same line item listed twice (not something Shopify does) must not share a row, and a
        // row taken by position is not handed out again by id.
        let written = rows(&["1", "2"]);
        let (taken, left) = take_all(&written, &["2", "2", "1"]);
        assert_eq!(taken, hashes(&[Some("2"), None, Some("1")]));
        assert!(left.is_empty());
        let (taken, _) = take_all(&written, &["1", "1"]);
        assert_eq!(taken, hashes(&[Some("1"), None]));
    }
}
