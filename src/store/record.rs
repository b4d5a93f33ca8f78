//! Recording a confirmed write: the orders and rows the sheet holds now, with their hashes and
//! rows, in one transaction that also resolves their errors and empties their refetch entries.

use std::collections::HashMap;

use rusqlite::{Transaction, params};

use super::{Result, RunId, Store, StoreError, ts};
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
        for synced in orders {
            record_one(&tx, run, &now, pending, synced).map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }
}

/// Upserts an order's tracking row, its line items' rows, resolves its open errors and takes it
/// off the refetch queue. Every statement is cached on the connection, so a chunk of orders in one
/// transaction prepares each once.
fn record_one(
    tx: &Transaction<'_>,
    run: RunId,
    now: &str,
    pending: Pending,
    synced: &SyncedOrder<'_>,
) -> rusqlite::Result<()> {
    upsert_order(tx, run, now, synced)?;
    upsert_line_items(tx, synced)?;
    let o = synced.order;
    if pending.errors {
        tx.prepare_cached(
            "UPDATE sync_errors SET resolved_at = ?2 WHERE order_gid = ?1 AND resolved_at IS NULL",
        )?
        .execute(params![o.gid, now])?;
    }
    if pending.refetch {
        tx.prepare_cached("DELETE FROM refetch_queue WHERE order_gid = ?1")?
            .execute([&o.gid])?;
    }
    Ok(())
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

fn upsert_order(
    tx: &Transaction<'_>,
    run: RunId,
    now: &str,
    synced: &SyncedOrder<'_>,
) -> rusqlite::Result<()> {
    let o = synced.order;
    let count = i64::try_from(o.line_items.len()).unwrap_or(i64::MAX);
    tx.prepare_cached(UPSERT_ORDER)?.execute(params![
        o.gid,
        o.legacy_id,
        o.name,
        o.number,
        ts(o.created_at),
        ts(o.updated_at),
        o.cancelled_at.map(ts),
        synced.content_hash,
        o.current_total.amount.to_string(),
        o.current_total.currency,
        count,
        o.financial_status,
        o.fulfillment_status,
        o.test,
        now,
        run.0,
    ])?;
    Ok(())
}

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

/// Upserts the order's line items with the hash and sheet row of the row written for each (none
/// for a line item without one, so the next sync rewrites it); warns of written rows that name a
/// line item the order does not list.
fn upsert_line_items(tx: &Transaction<'_>, synced: &SyncedOrder<'_>) -> rusqlite::Result<()> {
    let o = synced.order;
    // By id: an order of hundreds of line items would otherwise search its rows once per item.
    let mut rows: HashMap<&str, &SyncedRow> = synced
        .rows
        .iter()
        .map(|r| (r.line_item_id.as_str(), r))
        .collect();
    let mut stmt = tx.prepare_cached(UPSERT_LINE_ITEM)?;
    for item in &o.line_items {
        let id = item.legacy_id();
        let row = rows.remove(id);
        stmt.execute(params![
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
            item.unit_price.amount.to_string(),
            item.discounted_total.amount.to_string(),
            item.unit_price.currency,
        ])?;
    }
    for id in rows.keys() {
        tracing::warn!(order = %o.name, line_item = %id,
            "a written row names a line item the order does not list; not tracked");
    }
    Ok(())
}
