//! Domain types shared by every layer: a shop, its orders, their line items and money.
//!
//! These are what the Shopify client produces and what the sync turns into sheet rows. No IO lives
//! here, and nothing here knows about GraphQL wire shapes or sheet cells.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount of money in one currency, exact (never a float).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount, as Shopify's `Decimal` string parsed exactly.
    pub amount: Decimal,
    /// ISO 4217 code, such as `USD`.
    pub currency: String,
}

impl Money {
    /// The amount as money is printed everywhere: see [`format_money`].
    #[must_use]
    pub fn display(&self) -> String {
        format_money(self.amount, &self.currency)
    }
}

/// ISO 4217 codes whose amounts have no minor unit.
const NO_MINOR_UNIT: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];

/// ISO 4217 codes whose amounts have three decimal places.
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// Decimal places of a currency's amounts (ISO 4217 minor units): 0 for `JPY`, 3 for `KWD`, 2
/// for the others.
#[must_use]
pub fn currency_digits(currency: &str) -> u32 {
    if NO_MINOR_UNIT.contains(&currency) {
        0
    } else if THREE_DECIMALS.contains(&currency) {
        3
    } else {
        2
    }
}

/// An amount with exactly its currency's decimal places (`948.8` CAD is `948.80`, `1234.0` JPY is
/// `1234`), rounded half away from zero when it has more.
#[must_use]
pub fn format_amount(amount: Decimal, currency: &str) -> String {
    let digits = currency_digits(currency);
    let mut fixed =
        amount.round_dp_with_strategy(digits, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    fixed.rescale(digits);
    fixed.to_string()
}

/// Money as every command prints it: the amount with its currency's decimal places, then the
/// code (`948.80 CAD`, `1234 JPY`).
#[must_use]
pub fn format_money(amount: Decimal, currency: &str) -> String {
    format!("{} {currency}", format_amount(amount, currency))
}

/// The shop the orders belong to, as Shopify describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shop {
    /// Display name.
    pub name: String,
    /// `acme.myshopify.com`.
    pub myshopify_domain: String,
    /// IANA time zone name, such as `America/New_York`; dates in the sheet use it.
    pub iana_timezone: String,
    /// The shop's currency code.
    pub currency_code: String,
    /// Prefix of order names (`#` in `#1001`).
    pub order_number_prefix: String,
    /// Suffix of order names (empty for most shops).
    pub order_number_suffix: String,
}

/// A customer's name as the order shows it (absent for guest checkouts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// First name, when Shopify shares it.
    pub first_name: Option<String>,
    /// Last name, when Shopify shares it.
    pub last_name: Option<String>,
}

/// A postal address (absent for digital orders, or withheld as protected customer data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Full name of the recipient.
    pub name: Option<String>,
    /// First street line.
    pub address1: Option<String>,
    /// Second street line.
    pub address2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Province or state name.
    pub province: Option<String>,
    /// Province or state code.
    pub province_code: Option<String>,
    /// Postal code, kept as text (`02134` keeps its zero).
    pub zip: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// ISO country code.
    pub country_code: Option<String>,
    /// Phone number on the address.
    pub phone: Option<String>,
}

/// One order with all of its line items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The GraphQL global ID, `gid://shopify/Order/<n>`.
    pub gid: String,
    /// The numeric ID (`legacyResourceId`), as text: the sheet's `Order ID`.
    pub legacy_id: String,
    /// The order name, such as `#1001`.
    pub name: String,
    /// The order number behind the name (1001 for `#1001`).
    pub number: i64,
    /// When the customer completed checkout.
    pub created_at: DateTime<Utc>,
    /// When Shopify last changed the order.
    pub updated_at: DateTime<Utc>,
    /// When the order was cancelled, if it was.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// `displayFinancialStatus`, such as `PAID` (nullable in Shopify's schema).
    pub financial_status: Option<String>,
    /// `displayFulfillmentStatus`, such as `UNFULFILLED`.
    pub fulfillment_status: String,
    /// The order's email (protected customer data: may be withheld).
    pub email: Option<String>,
    /// The order's phone (protected customer data: may be withheld).
    pub phone: Option<String>,
    /// Whether this is a test order.
    pub test: bool,
    /// The order's tags.
    pub tags: Vec<String>,
    /// The order's note.
    pub note: Option<String>,
    /// The shop currency when the order was placed.
    pub currency_code: String,
    /// The customer, absent for guest checkouts.
    pub customer: Option<Customer>,
    /// The shipping address, absent for digital orders.
    pub shipping_address: Option<Address>,
    /// The current total after refunds and edits (`currentTotalPriceSet.shopMoney`).
    pub current_total: Money,
    /// Every line item, including those an edit removed (their current quantity is 0).
    pub line_items: Vec<LineItem>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// The GraphQL global ID, `gid://shopify/LineItem/<n>`.
    pub gid: String,
    /// Product title at the time of the order.
    pub title: String,
    /// Variant title, such as `green / XL`.
    pub variant_title: Option<String>,
    /// Stock keeping unit.
    pub sku: Option<String>,
    /// Quantity ordered, including refunded and removed units.
    pub quantity: i64,
    /// Quantity now, excluding refunded and removed units.
    pub current_quantity: i64,
    /// Unit price before discounts (`originalUnitPriceSet.shopMoney`).
    pub unit_price: Money,
    /// Line total after line-level discounts (`discountedTotalSet.shopMoney`).
    pub discounted_total: Money,
    /// The product's global ID, absent when the product was deleted.
    pub product_gid: Option<String>,
}

impl LineItem {
    /// The numeric tail of the line item's global ID: the sheet's `Line Item ID`.
    #[must_use]
    pub fn legacy_id(&self) -> &str {
        gid_tail(&self.gid)
    }
}

/// The part of a global ID after its last `/`, or the whole string when it has none.
#[must_use]
pub fn gid_tail(gid: &str) -> &str {
    gid.rsplit_once('/').map_or(gid, |(_, tail)| tail)
}

/// Parses an order number as a person types it: `1001`, `#1001`, or with the shop's prefix/suffix.
///
/// Returns `None` when no run of digits is left after removing the prefix and suffix.
#[must_use]
pub fn parse_order_number(text: &str, prefix: &str, suffix: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_prefix(prefix).unwrap_or(text);
    let text = text.strip_suffix(suffix).unwrap_or(text);
    let text = text.strip_prefix('#').unwrap_or(text).trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gid_tail_takes_the_numeric_part() {
        assert_eq!(
            gid_tail("gid://shopify/LineItem/13012345678901"),
            "13012345678901"
        );
        assert_eq!(gid_tail("13012345678901"), "13012345678901");
    }

    #[test]
    fn order_numbers_parse_in_every_form_a_person_types() {
        let cases = [
            ("1001", "#", "", Some(1001)),
            ("#1001", "#", "", Some(1001)),
            (" #1001 ", "#", "", Some(1001)),
            ("EN1001", "EN", "", Some(1001)),
            ("1001-A", "", "-A", Some(1001)),
            ("#10x1", "#", "", None),
            ("", "#", "", None),
            ("#", "#", "", None),
        ];
        for (text, prefix, suffix, want) in cases {
            assert_eq!(parse_order_number(text, prefix, suffix), want, "{text:?}");
        }
    }

    #[test]
    fn money_has_its_currency_decimal_places() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(format_money(d("948.8"), "CAD"), "948.80 CAD");
        assert_eq!(format_money(d("948.805"), "USD"), "948.81 USD");
        assert_eq!(format_money(d("-0.5"), "EUR"), "-0.50 EUR");
        assert_eq!(format_money(d("1234.0"), "JPY"), "1234 JPY");
        assert_eq!(format_money(d("12"), "KWD"), "12.000 KWD");
        assert_eq!(format_amount(d("7"), "GBP"), "7.00");
    }
}
