//! Test-only builders of realistic orders and of a tab holding them, shared by the unit tests of
//! the sync's pure parts.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::order::{Address, Customer, LineItem, Money, Order};
use crate::sync::plan::SheetCells;
use crate::sync::plan::columns::Column;
use crate::sync::plan::hash::ContentHash;
use crate::sync::plan::header::HeaderLayout;
use crate::sync::plan::index::SheetIndex;
use crate::sync::plan::rows::{OrderRows, Row, RowKey, order_rows};

/// Parses an RFC 3339 instant.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// An exact amount in a currency.
pub fn money(amount: &str, currency: &str) -> Money {
    Money {
        amount: Decimal::from_str(amount).unwrap(),
        currency: currency.to_owned(),
    }
}

/// A line item with the given numeric ID, title and price, quantity 1.
pub fn item(id: u64, title: &str, price: &str) -> LineItem {
    LineItem {
        gid: format!("gid://shopify/LineItem/{id}"),
        title: title.to_owned(),
        variant_title: Some("Green / XL".to_owned()),
        sku: Some(format!("SKU-{id}")),
        quantity: 1,
        current_quantity: 1,
        unit_price: money(price, "USD"),
        discounted_total: money(price, "USD"),
        product_gid: Some("gid://shopify/Product/1".to_owned()),
    }
}

/// A paid, unfulfilled USD order `#number` with ID `id`, placed and last updated at `created`,
/// of `total`, holding `line_items`: no customer, address, contact, tags or note.
pub fn bare_order(
    id: u64,
    number: i64,
    created: DateTime<Utc>,
    total: &str,
    line_items: Vec<LineItem>,
) -> Order {
    Order {
        gid: format!("gid://shopify/Order/{id}"),
        legacy_id: id.to_string(),
        name: format!("#{number}"),
        number,
        created_at: created,
        updated_at: created,
        cancelled_at: None,
        financial_status: Some("PAID".to_owned()),
        fulfillment_status: "UNFULFILLED".to_owned(),
        email: None,
        phone: None,
        test: false,
        tags: Vec::new(),
        note: None,
        currency_code: "USD".to_owned(),
        customer: None,
        shipping_address: None,
        current_total: money(total, "USD"),
        line_items,
    }
}

/// A paid, shipped-to-Boston order `#number` with ID `id` and two line items.
pub fn order(id: u64, number: i64) -> Order {
    let line_items = vec![
        item(id * 10 + 1, "Wool Socks", "19.99"),
        item(id * 10 + 2, "Scarf", "44.98"),
    ];
    Order {
        updated_at: at("2026-04-11T09:00:00Z"),
        email: Some("ada@example.com".to_owned()),
        phone: Some("+16175550100".to_owned()),
        tags: vec!["vip".to_owned(), "wholesale".to_owned()],
        note: Some("Leave at the door".to_owned()),
        customer: Some(Customer {
            first_name: Some("Ada".to_owned()),
            last_name: Some("Lovelace".to_owned()),
        }),
        shipping_address: Some(Address {
            name: Some("Ada Lovelace".to_owned()),
            address1: Some("12 Main St".to_owned()),
            address2: Some("Apt 4".to_owned()),
            city: Some("Boston".to_owned()),
            province: Some("Massachusetts".to_owned()),
            province_code: Some("MA".to_owned()),
            zip: Some("02134".to_owned()),
            country: Some("United States".to_owned()),
            country_code: Some("US".to_owned()),
            phone: Some("+16175550199".to_owned()),
        }),
        ..bare_order(id, number, at("2026-04-10T15:03:59Z"), "64.97", line_items)
    }
}

/// The shop time zone the plan tests use.
pub const TZ: Tz = chrono_tz::America::New_York;

/// Rows of each order in [`TZ`].
pub fn rows_of(orders: &[Order]) -> Vec<OrderRows> {
    orders.iter().map(|o| order_rows(o, TZ)).collect()
}

/// Row 1 from header names.
pub fn header_of(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| json!(n)).collect()
}

/// Row 1 of a fresh shopsync tab.
pub fn default_header() -> Vec<Value> {
    Column::ALL.iter().map(|c| json!(c.name())).collect()
}

/// A tab as the plan tests picture it: row 1 and the rows below, shopsync's rows written with their
/// cells (people's columns hold "mine") and people's rows typed in column A.
pub struct Sheet {
    /// Row 1.
    pub header: Vec<Value>,
    /// Rows below the header by 1-based row number, from column A.
    pub grid: HashMap<u32, Vec<Value>>,
}

impl Sheet {
    pub fn new(header: Vec<Value>) -> Sheet {
        Sheet {
            header,
            grid: HashMap::new(),
        }
    }

    pub fn layout(&self) -> HeaderLayout {
        HeaderLayout::analyze("Orders", &self.header, !self.grid.is_empty()).unwrap()
    }

    pub fn put(&mut self, sheet_row: u32, row: &Row) {
        let layout = self.layout();
        let mut values = vec![json!("mine"); self.header.len().max(1)];
        for column in Column::ALL {
            let i = layout.index_of(column);
            if i < values.len() {
                values[i] = row.cell(column).to_json();
            }
        }
        self.grid.insert(sheet_row, values);
    }

    pub fn type_row(&mut self, sheet_row: u32, text: &str) {
        self.grid.insert(sheet_row, vec![json!(text)]);
    }

    pub fn last_row(&self) -> u32 {
        self.grid.keys().copied().max().unwrap_or(1)
    }

    pub fn index(&self) -> SheetIndex {
        let rows: Vec<Vec<Value>> = (2..=self.last_row())
            .map(|r| self.grid.get(&r).cloned().unwrap_or_default())
            .collect();
        SheetIndex::from_rows(self.layout(), 2, 0, &rows, self.last_row() + 1)
    }

    pub fn cells(&self) -> SheetCells {
        let mut cells = SheetCells::new();
        for (row, values) in &self.grid {
            cells.insert_row(*row, 0, values.clone());
        }
        cells
    }
}

/// The hashes the DB would hold after writing `orders`.
pub fn hashes(orders: &[OrderRows]) -> HashMap<RowKey, ContentHash> {
    orders
        .iter()
        .flat_map(|o| o.rows.iter().map(|r| (r.key.clone(), r.hash)))
        .collect()
}

/// A row key from numbers.
pub fn key(order: u64, line: u64) -> RowKey {
    RowKey::new(order.to_string(), line.to_string())
}
