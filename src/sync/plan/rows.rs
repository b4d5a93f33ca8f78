//! Turning one Shopify order into its sheet rows: one row per line item, each with its key, its
//! owned cells as written and its content hash.
//!
//! Pure: no IO. Which physical row a key lives on, and whether it must be written, is decided by
//! [`super::index`] and [`super::plan`].

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use super::cell::Cell;
use super::columns::{COLUMN_COUNT, Column};
use super::hash::ContentHash;
use crate::order::{Address, LineItem, Order};

/// The identity of a row: (`Order ID`, `Line Item ID`), both numeric IDs as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    /// The order's `legacyResourceId`.
    pub order_id: String,
    /// The numeric tail of the line item's global ID.
    pub line_item_id: String,
}

impl RowKey {
    /// A key from its two halves.
    #[must_use]
    pub fn new(order_id: impl Into<String>, line_item_id: impl Into<String>) -> RowKey {
        RowKey {
            order_id: order_id.into(),
            line_item_id: line_item_id.into(),
        }
    }
}

impl std::fmt::Display for RowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.order_id, self.line_item_id)
    }
}

/// One line item's row as shopsync writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's key.
    pub key: RowKey,
    /// The owned cells, indexed by [`Column::position`].
    pub cells: [Cell; COLUMN_COUNT],
    /// sha256 over `cells` and the row-format version.
    pub hash: ContentHash,
    /// The bytes `cells` come to in a write request's values as one run: `[a,b,…]` and the comma
    /// or bracket after it. Counted once, when the row is built.
    pub json_bytes: usize,
}

impl Row {
    /// The cell of one column.
    #[must_use]
    pub fn cell(&self, column: Column) -> &Cell {
        &self.cells[column.position()]
    }
}

/// All rows of one order, with what the run should warn about once for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRows {
    /// The order's `legacyResourceId`.
    pub order_id: String,
    /// The order's global ID.
    pub order_gid: String,
    /// The order name, such as `#1001`.
    pub name: String,
    /// The order number.
    pub number: i64,
    /// When the order was created (orders new to the sheet are appended in this order).
    pub created_at: DateTime<Utc>,
    /// When Shopify last changed the order (for the cursor).
    pub updated_at: DateTime<Utc>,
    /// One row per line item, in Shopify's line-item order.
    pub rows: Vec<Row>,
    /// The columns whose text was cut to the cell limit in at least one row (warn once per order).
    pub truncated: Vec<Column>,
    /// Whether Shopify seems to have withheld protected customer data (see [`looks_withheld`]).
    pub customer_data_withheld: bool,
}

/// Turns an order into its rows, dates shown in the shop's time zone `tz`.
#[must_use]
pub fn order_rows(order: &Order, tz: Tz) -> OrderRows {
    let shared = OrderCells::new(order, tz);
    let mut truncated = if order.line_items.is_empty() {
        Vec::new()
    } else {
        shared.truncated.clone()
    };
    let rows = order
        .line_items
        .iter()
        .map(|item| {
            let mut cells = shared.row_cells(item);
            // The order's own cells were cut once, in `OrderCells::new`.
            for column in Column::ALL {
                if cells[column.position()].truncate_to_cell_limit() && !truncated.contains(&column)
                {
                    truncated.push(column);
                }
            }
            Row {
                key: RowKey::new(order.legacy_id.clone(), item.legacy_id()),
                hash: ContentHash::of_cells(&cells),
                json_bytes: 2 + cells.iter().map(|c| c.json_len() + 1).sum::<usize>(),
                cells,
            }
        })
        .collect();
    truncated.sort();
    OrderRows {
        order_id: order.legacy_id.clone(),
        order_gid: order.gid.clone(),
        name: order.name.clone(),
        number: order.number,
        created_at: order.created_at,
        updated_at: order.updated_at,
        rows,
        truncated,
        customer_data_withheld: looks_withheld(order),
    }
}

/// The cells every row of an order shares, built (and cut to the cell limit) once per order and
/// shared by its rows: a text cell's clone only counts a reference.
struct OrderCells {
    /// Every column's cell for this order; those of [`line_item_cell`]'s columns are unused.
    cells: [Cell; COLUMN_COUNT],
    /// The columns whose text was cut.
    truncated: Vec<Column>,
}

impl OrderCells {
    fn new(order: &Order, tz: Tz) -> OrderCells {
        let customer = customer_name(order);
        let address = order
            .shipping_address
            .as_ref()
            .map(|a| address_line(a, customer.as_deref()))
            .unwrap_or_default();
        let phone = non_blank(order.phone.as_deref())
            .or_else(|| non_blank(order.shipping_address.as_ref()?.phone.as_deref()));
        let mut cells = std::array::from_fn(|i| match Column::ALL[i] {
            Column::Order => Cell::text(order.name.as_str()),
            Column::OrderId => Cell::text(order.legacy_id.as_str()),
            Column::CreatedAt => Cell::text(shop_time(order.created_at, tz)),
            Column::UpdatedAt => Cell::text(shop_time(order.updated_at, tz)),
            Column::FinancialStatus => Cell::opt_text(order.financial_status.as_deref()),
            Column::FulfillmentStatus => Cell::text(order.fulfillment_status.as_str()),
            Column::CancelledAt => {
                Cell::opt_text(order.cancelled_at.map(|at| shop_time(at, tz)).as_deref())
            }
            Column::Customer => Cell::opt_text(customer.as_deref()),
            Column::Email => Cell::opt_text(order.email.as_deref()),
            Column::Phone => Cell::opt_text(phone),
            Column::ShippingAddress => Cell::text(address.as_str()),
            Column::OrderTotal => Cell::Number(order.current_total.amount),
            Column::Currency => Cell::text(order.currency_code.as_str()),
            Column::Tags => Cell::text(order.tags.join(", ")),
            Column::Note => Cell::opt_text(order.note.as_deref()),
            Column::Test => Cell::Bool(order.test),
            Column::LineItemId
            | Column::Product
            | Column::Variant
            | Column::Sku
            | Column::Quantity
            | Column::UnitPrice
            | Column::LineTotal => Cell::Empty,
        });
        let truncated = Column::ALL
            .into_iter()
            .filter(|column| cells[column.position()].truncate_to_cell_limit())
            .collect();
        OrderCells { cells, truncated }
    }

    fn row_cells(&self, item: &LineItem) -> [Cell; COLUMN_COUNT] {
        std::array::from_fn(|i| {
            line_item_cell(Column::ALL[i], item).unwrap_or_else(|| self.cells[i].clone())
        })
    }
}

/// The cell of `column` that shows line item `item`; `None` for a column that shows the order.
fn line_item_cell(column: Column, item: &LineItem) -> Option<Cell> {
    Some(match column {
        Column::LineItemId => Cell::text(item.legacy_id()),
        Column::Product => Cell::text(item.title.as_str()),
        Column::Variant => Cell::opt_text(item.variant_title.as_deref()),
        Column::Sku => Cell::opt_text(item.sku.as_deref()),
        Column::Quantity => Cell::Integer(item.current_quantity),
        Column::UnitPrice => Cell::Number(item.unit_price.amount),
        Column::LineTotal => Cell::Number(item.discounted_total.amount),
        _ => return None,
    })
}

/// An instant as ISO 8601 text with the shop's offset at that instant, such as
/// `2026-03-08T01:30:00-05:00` (whole seconds; `+00:00` rather than `Z` for UTC shops).
#[must_use]
pub fn shop_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The customer's first and last name, else the shipping name; `None` when neither is known.
fn customer_name(order: &Order) -> Option<String> {
    let from_customer = order.customer.as_ref().and_then(|c| {
        let parts: Vec<&str> = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .filter_map(non_blank)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    from_customer
        .or_else(|| non_blank(order.shipping_address.as_ref()?.name.as_deref()).map(str::to_owned))
}

/// The shipping address on one readable line:
/// `[recipient, ]street, street 2, city, region zip, country`.
///
/// The recipient's name leads only when it differs from the `Customer` cell (a gift sent to someone
/// else); the region is the province code when known, else its name; the country is its name when
/// known, else its code. Empty parts are left out.
#[must_use]
pub fn address_line(address: &Address, customer: Option<&str>) -> String {
    let recipient = non_blank(address.name.as_deref()).filter(|name| Some(*name) != customer);
    let region = non_blank(address.province_code.as_deref())
        .or_else(|| non_blank(address.province.as_deref()));
    let region_zip: Vec<&str> = [region, non_blank(address.zip.as_deref())]
        .into_iter()
        .flatten()
        .collect();
    let region_zip = region_zip.join(" ");
    let country = non_blank(address.country.as_deref())
        .or_else(|| non_blank(address.country_code.as_deref()));
    [
        recipient,
        non_blank(address.address1.as_deref()),
        non_blank(address.address2.as_deref()),
        non_blank(address.city.as_deref()),
        non_blank(Some(region_zip.as_str())),
        country,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// Whether Shopify seems to have withheld protected customer data from this order.
///
/// Without level-2 protected customer data access, Shopify returns `null` for the order's email and
/// phone, the customer's names and the address's name, street, zip and phone, while the customer
/// record and the address's city and country are still there (SHOPIFY-API.md, "Protected customer
/// data"). So an order is flagged when it has a customer or a shipping address, yet every one of
/// those protected fields is empty. A guest order with an email, or a point-of-sale order with no
/// customer and no address, is not flagged: nothing there shows data was withheld.
#[must_use]
pub fn looks_withheld(order: &Order) -> bool {
    if order.customer.is_none() && order.shipping_address.is_none() {
        return false;
    }
    let customer_named = order.customer.as_ref().is_some_and(|c| {
        non_blank(c.first_name.as_deref()).is_some() || non_blank(c.last_name.as_deref()).is_some()
    });
    let address_personal = order.shipping_address.as_ref().is_some_and(|a| {
        [&a.name, &a.address1, &a.address2, &a.zip, &a.phone]
            .into_iter()
            .any(|field| non_blank(field.as_deref()).is_some())
    });
    non_blank(order.email.as_deref()).is_none()
        && non_blank(order.phone.as_deref()).is_none()
        && !customer_named
        && !address_personal
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
