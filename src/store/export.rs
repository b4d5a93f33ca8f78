//! The `export` rows: one per tracked line item with its order's fields.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{OrderStatus, Result, Store, StoreError, get_decimal, get_opt_ts, get_ts};

/// One tracked line item with its order's fields: a row of `export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    /// `#1001`.
    pub order: String,
    /// The sheet's `Order ID`.
    pub order_id: String,
    /// The sheet's `Line Item ID`.
    pub line_item_id: String,
    /// When the order was placed (UTC).
    pub created_at: DateTime<Utc>,
    /// When Shopify last changed it (UTC), as last synced.
    pub updated_at: DateTime<Utc>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// `displayFinancialStatus`.
    pub financial_status: Option<String>,
    /// `displayFulfillmentStatus`.
    pub fulfillment_status: String,
    /// Product title.
    pub product: String,
    /// Variant title.
    pub variant: Option<String>,
    /// SKU.
    pub sku: Option<String>,
    /// Quantity now (the sheet's `Quantity`).
    pub quantity: i64,
    /// Quantity ordered, including refunded and removed units.
    pub original_quantity: i64,
    /// Unit price before discounts.
    pub unit_price: Decimal,
    /// Line total after discounts.
    pub line_total: Decimal,
    /// The order's current total.
    pub order_total: Decimal,
    /// Currency of the amounts.
    pub currency: String,
    /// A test order.
    pub test: bool,
    /// Active or deleted in Shopify.
    pub order_status: OrderStatus,
    /// Last known sheet row (a hint).
    pub sheet_row: Option<i64>,
    /// When the order was last written.
    pub last_synced_at: DateTime<Utc>,
}

impl Store {
    /// Calls `f` with every export row, ordered by order number then line item, without loading them
    /// all at once.
    ///
    /// # Errors
    /// The first error of the query or of `f`.
    pub fn each_export_row<E, F>(&self, mut f: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(ExportRow) -> Result<(), E>,
    {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.name, o.legacy_id, l.line_item_id, o.created_at, o.updated_at, \
                 o.cancelled_at, o.financial_status, o.fulfillment_status, l.title, \
                 l.variant_title, l.sku, l.current_quantity, l.quantity, l.unit_price, \
                 l.line_total, o.total_amount, l.currency, o.test, o.status, l.sheet_row, \
                 o.last_synced_at FROM line_item_tracking l JOIN order_tracking o USING (order_gid) \
                 ORDER BY o.number, o.order_gid, CAST(l.line_item_id AS INTEGER), l.line_item_id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<ExportRow> {
                Ok(ExportRow {
                    order: row.get(0)?,
                    order_id: row.get(1)?,
                    line_item_id: row.get(2)?,
                    created_at: get_ts(row, 3)?,
                    updated_at: get_ts(row, 4)?,
                    cancelled_at: get_opt_ts(row, 5)?,
                    financial_status: row.get(6)?,
                    fulfillment_status: row.get(7)?,
                    product: row.get(8)?,
                    variant: row.get(9)?,
                    sku: row.get(10)?,
                    quantity: row.get(11)?,
                    original_quantity: row.get(12)?,
                    unit_price: get_decimal(row, 13)?,
                    line_total: get_decimal(row, 14)?,
                    order_total: get_decimal(row, 15)?,
                    currency: row.get(16)?,
                    test: row.get(17)?,
                    order_status: if row.get::<_, String>(18)? == "deleted" {
                        OrderStatus::Deleted
                    } else {
                        OrderStatus::Active
                    },
                    sheet_row: row.get(19)?,
                    last_synced_at: get_ts(row, 20)?,
                })
            };
            f(read().map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }
}
