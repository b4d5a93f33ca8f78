//! `order_tracking` and `line_item_tracking` queries: hashes of fetched orders, recent orders,
//! `reset`, deletion marks, counts, and a streaming walk over every tracked row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::Serialize;

use super::errors::gid_list_json;
use super::{Result, Store, StoreError, get_decimal, get_opt_ts, get_ts, ts};

/// The hashes tracked for one order, as [`Store::tracked_hashes_for`] returns them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderHashes {
    /// The order's content hash; `None` after `reset`.
    pub content_hash: Option<String>,
    /// Per line item id.
    pub line_items: HashMap<String, LineItemHashes>,
}

/// The tracking of one row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineItemHashes {
    /// The row's hash; `None` after `reset` or when the write was not confirmed.
    pub row_hash: Option<String>,
    /// The last known sheet row (a hint).
    pub sheet_row: Option<i64>,
}

/// Whether Shopify still has the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Shopify has it.
    Active,
    /// `missing` found it deleted in Shopify; its rows stay in the sheet.
    Deleted,
}

impl OrderStatus {
    fn parse(text: &str) -> Self {
        if text == "deleted" {
            Self::Deleted
        } else {
            Self::Active
        }
    }
}

/// A tracked order, as `orders`, `status` and `reset` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderRecord {
    /// `gid://shopify/Order/<n>`.
    pub gid: String,
    /// The numeric id (the sheet's `Order ID`).
    pub legacy_id: String,
    /// `#1001`.
    pub name: String,
    /// 1001.
    pub number: i64,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
    /// When Shopify last changed it, as last synced.
    pub updated_at: DateTime<Utc>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The current total (after refunds and edits), exact.
    pub total: Decimal,
    /// The total's currency.
    pub currency: String,
    /// How many line items (sheet rows) it has.
    pub line_item_count: i64,
    /// `displayFinancialStatus`.
    pub financial_status: Option<String>,
    /// `displayFulfillmentStatus`.
    pub fulfillment_status: String,
    /// A test order.
    pub test: bool,
    /// Active or deleted in Shopify.
    pub status: OrderStatus,
    /// Whether `reset` (or an unconfirmed write) left it to be rewritten by the next sync.
    pub pending_rewrite: bool,
    /// When it was first written.
    pub first_synced_at: DateTime<Utc>,
    /// When it was last written.
    pub last_synced_at: DateTime<Utc>,
}

/// What [`Store::reset_order`] forgot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResetOrder {
    /// The order's gid (queued for a fetch by ID).
    pub gid: String,
    /// `#1001`.
    pub name: String,
    /// 1001.
    pub number: i64,
    /// How many rows the next sync will rewrite in place.
    pub line_items: i64,
}

/// How much the store tracks, for `status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TrackedCounts {
    /// Orders tracked as active.
    pub orders: i64,
    /// Orders marked deleted in Shopify.
    pub deleted_orders: i64,
    /// Line items (sheet rows) tracked.
    pub line_items: i64,
    /// Orders waiting for a fetch by ID.
    pub pending_refetch: i64,
    /// Unresolved errors.
    pub unresolved_errors: i64,
    /// Order-number gaps explained by Shopify.
    pub explained_gaps: i64,
}

/// One tracked row, for reconciliation against the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackedLineItem {
    /// The order's gid.
    pub order_gid: String,
    /// The sheet's `Order ID`.
    pub order_legacy_id: String,
    /// `#1001`.
    pub order_name: String,
    /// The order's status.
    pub order_status: OrderStatus,
    /// The sheet's `Line Item ID`.
    pub line_item_id: String,
    /// The row's hash, if confirmed.
    pub row_hash: Option<String>,
    /// The last known sheet row (a hint).
    pub sheet_row: Option<i64>,
}

pub(super) const ORDER_COLUMNS: &str = "order_gid, legacy_id, name, number, created_at, updated_at, \
     cancelled_at, total_amount, currency, line_item_count, financial_status, fulfillment_status, \
     test, status, content_hash IS NULL, first_synced_at, last_synced_at";

fn order_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OrderRecord> {
    Ok(OrderRecord {
        gid: row.get(0)?,
        legacy_id: row.get(1)?,
        name: row.get(2)?,
        number: row.get(3)?,
        created_at: get_ts(row, 4)?,
        updated_at: get_ts(row, 5)?,
        cancelled_at: get_opt_ts(row, 6)?,
        total: get_decimal(row, 7)?,
        currency: row.get(8)?,
        line_item_count: row.get(9)?,
        financial_status: row.get(10)?,
        fulfillment_status: row.get(11)?,
        test: row.get(12)?,
        status: OrderStatus::parse(&row.get::<_, String>(13)?),
        pending_rewrite: row.get(14)?,
        first_synced_at: get_ts(row, 15)?,
        last_synced_at: get_ts(row, 16)?,
    })
}

impl Store {
    /// The tracked hashes of the given orders (by gid); orders never synced are absent.
    ///
    /// # Errors
    /// When the query fails.
    pub fn tracked_hashes_for<S: AsRef<str>>(
        &self,
        order_gids: &[S],
    ) -> Result<HashMap<String, OrderHashes>> {
        let json = gid_list_json(order_gids);
        let mut out: HashMap<String, OrderHashes> = HashMap::with_capacity(order_gids.len());
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT o.order_gid, o.content_hash, l.line_item_id, l.row_hash, l.sheet_row \
                 FROM order_tracking o LEFT JOIN line_item_tracking l ON l.order_gid = o.order_gid \
                 WHERE o.order_gid IN (SELECT value FROM json_each(?1))",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([json]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<_> {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                ))
            };
            let (gid, content_hash, item, row_hash, sheet_row) = read().map_err(|e| self.err(e))?;
            let entry = out.entry(gid).or_insert_with(|| OrderHashes {
                content_hash,
                line_items: HashMap::new(),
            });
            if let Some(item) = item {
                entry.line_items.insert(
                    item,
                    LineItemHashes {
                        row_hash,
                        sheet_row,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Whether the order is recorded as written at exactly this `updatedAt`, with every tracked row
    /// confirmed and nothing outstanding (no `reset`, no open error, not queued for a refetch):
    /// Shopify has not changed it since, so its rows in the sheet are current.
    ///
    /// Only when that `updatedAt` lies in an earlier second than the start of the run that
    /// recorded it: Shopify stamps `updatedAt` to the second, so a change made in the same second
    /// after that run read the order carries the same stamp (found by the chaos schedule: an edit
    /// right after a sync was never written). The run's start is on this machine's clock;
    /// `clock_ahead` (how far it runs ahead of Shopify's, [`crate::shopify::ShopifyClient::clock_ahead`])
    /// moves it back first, so a clock that runs fast cannot make the stamp look older.
    ///
    /// # Errors
    /// When the query fails.
    pub fn is_current(
        &self,
        order_gid: &str,
        updated_at: DateTime<Utc>,
        clock_ahead: chrono::Duration,
    ) -> Result<bool> {
        // An SQLite date modifier: `-1.250000 seconds`.
        let ahead = clock_ahead.max(chrono::Duration::zero());
        let back = format!(
            "-{}.{:06} seconds",
            ahead.num_seconds(),
            ahead.subsec_nanos() / 1_000
        );
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM order_tracking o \
                 WHERE o.order_gid = ?1 AND o.updated_at = ?2 AND o.status = 'active' \
                 AND o.content_hash IS NOT NULL \
                 AND o.updated_at < (SELECT strftime('%Y-%m-%dT%H:%M:%S', h.started_at, ?3) \
                     || '.000000Z' FROM sync_history h WHERE h.id = o.last_run_id) \
                 AND NOT EXISTS (SELECT 1 FROM line_item_tracking l \
                     WHERE l.order_gid = o.order_gid AND l.row_hash IS NULL) \
                 AND NOT EXISTS (SELECT 1 FROM refetch_queue r WHERE r.order_gid = o.order_gid) \
                 AND NOT EXISTS (SELECT 1 FROM sync_errors e \
                     WHERE e.order_gid = o.order_gid AND e.resolved_at IS NULL))",
            )
            .and_then(|mut stmt| {
                stmt.query_row(params![order_gid, ts(updated_at), back], |r| r.get(0))
            })
            .map_err(|e| self.err(e))
    }

    /// The `limit` most recently created tracked orders, newest first.
    ///
    /// # Errors
    /// When the query fails.
    pub fn recent_orders(&self, limit: usize) -> Result<Vec<OrderRecord>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ORDER_COLUMNS} FROM order_tracking \
                 ORDER BY created_at DESC, number DESC LIMIT ?1"
            ))
            .map_err(|e| self.err(e))?;
        stmt.query_map([limit], order_from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// How many line items each of the `limit` most recently created tracked orders has: what the
    /// Shopify client sizes its first pages by before it has seen an order this run.
    ///
    /// # Errors
    /// When the query fails.
    pub fn recent_line_counts(&self, limit: usize) -> Result<Vec<usize>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT line_item_count FROM order_tracking \
                 ORDER BY created_at DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map([limit], |row| row.get::<_, i64>(0))
            .map_err(|e| self.err(e))?
            .map(|count| count.map(|n| usize::try_from(n).unwrap_or(0)))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// The tracked order with this number, if any.
    ///
    /// # Errors
    /// When the query fails.
    pub fn order_by_number(&self, number: i64) -> Result<Option<OrderRecord>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {ORDER_COLUMNS} FROM order_tracking WHERE number = ?1 \
                     ORDER BY created_at DESC LIMIT 1"
                ),
                [number],
                order_from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Forgets one order's hashes so the next sync rewrites its rows in place (found by key), and
    /// queues it for a fetch by ID. `None` when no tracked order has this number.
    ///
    /// # Errors
    /// When the transaction fails.
    pub fn reset_order(&mut self, number: i64) -> Result<Option<ResetOrder>> {
        let now = ts(self.now());
        let path = self.path.clone();
        let sql = |e| StoreError::from_sqlite(&path, e);
        let tx = self.write_transaction()?;
        let found = tx
            .query_row(
                "SELECT order_gid, name, number, \
                 (SELECT COUNT(*) FROM line_item_tracking l WHERE l.order_gid = o.order_gid) \
                 FROM order_tracking o WHERE number = ?1 ORDER BY created_at DESC LIMIT 1",
                [number],
                |r| {
                    Ok(ResetOrder {
                        gid: r.get(0)?,
                        name: r.get(1)?,
                        number: r.get(2)?,
                        line_items: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(sql)?;
        let Some(found) = found else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE order_tracking SET content_hash = NULL WHERE order_gid = ?1",
            [&found.gid],
        )
        .map_err(sql)?;
        tx.execute(
            "UPDATE line_item_tracking SET row_hash = NULL WHERE order_gid = ?1",
            [&found.gid],
        )
        .map_err(sql)?;
        tx.execute(
            "INSERT INTO refetch_queue (order_gid, reason, queued_at) VALUES (?1, 'reset', ?2) \
             ON CONFLICT (order_gid) DO UPDATE SET reason = 'reset', queued_at = excluded.queued_at",
            params![found.gid, now],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(Some(found))
    }

    /// Marks orders that `missing` found deleted in Shopify (their rows stay in the sheet).
    ///
    /// # Errors
    /// When the transaction fails.
    pub fn mark_orders_deleted<S: AsRef<str>>(&mut self, order_gids: &[S]) -> Result<()> {
        let json = gid_list_json(order_gids);
        self.conn
            .execute(
                "UPDATE order_tracking SET status = 'deleted' \
                 WHERE order_gid IN (SELECT value FROM json_each(?1))",
                [json],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The gids and names of active tracked orders created in `[from, to]` (a day's orders, for
    /// reconciliation against Shopify's count).
    ///
    /// # Errors
    /// When the query fails.
    pub fn active_orders_created_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT order_gid, name FROM order_tracking \
                 WHERE status = 'active' AND created_at >= ?1 AND created_at <= ?2 \
                 ORDER BY created_at",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([ts(from), ts(to)], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// How many orders, rows, queued fetches, open errors and explained gaps the store holds.
    ///
    /// # Errors
    /// When the query fails.
    pub fn tracked_counts(&self) -> Result<TrackedCounts> {
        self.conn
            .query_row(
                "SELECT \
                 (SELECT COUNT(*) FROM order_tracking WHERE status = 'active'), \
                 (SELECT COUNT(*) FROM order_tracking WHERE status = 'deleted'), \
                 (SELECT COUNT(*) FROM line_item_tracking), \
                 (SELECT COUNT(*) FROM refetch_queue), \
                 (SELECT COUNT(*) FROM sync_errors WHERE resolved_at IS NULL), \
                 (SELECT COUNT(*) FROM order_number_gaps)",
                [],
                |r| {
                    Ok(TrackedCounts {
                        orders: r.get(0)?,
                        deleted_orders: r.get(1)?,
                        line_items: r.get(2)?,
                        pending_refetch: r.get(3)?,
                        unresolved_errors: r.get(4)?,
                        explained_gaps: r.get(5)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Calls `f` with every tracked row, ordered by order number then line item, without loading
    /// them all at once (for reconciliation against the sheet).
    ///
    /// # Errors
    /// The first error of the query or of `f`.
    pub fn each_tracked_line_item<E, F>(&self, mut f: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(TrackedLineItem) -> Result<(), E>,
    {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.order_gid, o.legacy_id, o.name, o.status, l.line_item_id, l.row_hash, \
                 l.sheet_row FROM line_item_tracking l JOIN order_tracking o USING (order_gid) \
                 ORDER BY o.number, o.order_gid, l.line_item_id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<TrackedLineItem> {
                Ok(TrackedLineItem {
                    order_gid: row.get(0)?,
                    order_legacy_id: row.get(1)?,
                    order_name: row.get(2)?,
                    order_status: OrderStatus::parse(&row.get::<_, String>(3)?),
                    line_item_id: row.get(4)?,
                    row_hash: row.get(5)?,
                    sheet_row: row.get(6)?,
                })
            };
            f(read().map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }
}
