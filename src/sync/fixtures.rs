//! Test-only builders of realistic orders, shared by the unit tests of the sync's pure parts.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::order::{Address, Customer, LineItem, Money, Order};

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

/// A paid, shipped-to-Boston order `#number` with ID `id` and two line items.
pub fn order(id: u64, number: i64) -> Order {
    Order {
        gid: format!("gid://shopify/Order/{id}"),
        legacy_id: id.to_string(),
        name: format!("#{number}"),
        number,
        created_at: at("2026-04-10T15:03:59Z"),
        updated_at: at("2026-04-11T09:00:00Z"),
        cancelled_at: None,
        financial_status: Some("PAID".to_owned()),
        fulfillment_status: "UNFULFILLED".to_owned(),
        email: Some("ada@example.com".to_owned()),
        phone: Some("+16175550100".to_owned()),
        test: false,
        tags: vec!["vip".to_owned(), "wholesale".to_owned()],
        note: Some("Leave at the door".to_owned()),
        currency_code: "USD".to_owned(),
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
        current_total: money("64.97", "USD"),
        line_items: vec![
            item(id * 10 + 1, "Wool Socks", "19.99"),
            item(id * 10 + 2, "Scarf", "44.98"),
        ],
    }
}
