//! Wire shapes of Shopify's GraphQL replies (serde), and their conversion to the domain types.
//!
//! Everything the schema marks nullable is an `Option` here; IDs stay strings
//! (`legacyResourceId` is a JSON string); money is parsed exactly from its `Decimal` string; cost
//! numbers are `f64` because Shopify mixes `2000.0` and `500`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::order::{Address, Customer, LineItem, Money, Order, Shop};

/// A GraphQL reply: `data`, `errors` (an array, or a string on HTTP errors) and `extensions`.
#[derive(Debug, Deserialize)]
pub(crate) struct Reply<T> {
    pub data: Option<T>,
    pub errors: Option<Errors>,
    pub extensions: Option<Extensions>,
}

/// `errors` is an array for GraphQL errors and a string for HTTP-level errors.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Errors {
    Text(String),
    List(Vec<GraphQlError>),
    Other(serde_json::Value),
}

impl Errors {
    /// The messages, joined for a log line or an error.
    pub fn summary(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::List(list) => {
                // A page can carry one error per order: the first few say enough.
                let mut text = list
                    .iter()
                    .take(3)
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                if list.len() > 3 {
                    text.push_str(&format!(" (and {} more)", list.len() - 3));
                }
                text
            }
            Self::Other(value) => value.to_string(),
        }
    }
}

/// Only the `errors` of a reply, for HTTP error bodies of any shape.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorBody {
    pub errors: Option<Errors>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct GraphQlError {
    #[serde(default)]
    pub message: String,
    pub path: Option<Vec<serde_json::Value>>,
    pub extensions: Option<ErrorExtensions>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorExtensions {
    pub code: Option<String>,
    pub required_access: Option<String>,
    pub cost: Option<f64>,
    pub max_cost: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Extensions {
    pub cost: Option<Cost>,
}

/// `extensions.cost`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Cost {
    pub requested_query_cost: Option<f64>,
    pub actual_query_cost: Option<f64>,
    pub throttle_status: Option<ThrottleStatus>,
}

/// `extensions.cost.throttleStatus`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    pub restore_rate: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Connection<T> {
    pub page_info: Option<PageInfo>,
    pub nodes: Vec<T>,
}

impl<T> Default for Connection<T> {
    fn default() -> Self {
        Self {
            page_info: None,
            nodes: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireShop {
    pub name: String,
    pub myshopify_domain: String,
    pub iana_timezone: String,
    pub currency_code: String,
    pub order_number_format_prefix: String,
    pub order_number_format_suffix: String,
}

impl From<WireShop> for Shop {
    fn from(s: WireShop) -> Self {
        Self {
            name: s.name,
            myshopify_domain: s.myshopify_domain,
            iana_timezone: s.iana_timezone,
            currency_code: s.currency_code,
            order_number_prefix: s.order_number_format_prefix,
            order_number_suffix: s.order_number_format_suffix,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireMoney {
    pub amount: Decimal,
    pub currency_code: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MoneyBag {
    pub shop_money: WireMoney,
}

impl From<MoneyBag> for Money {
    fn from(bag: MoneyBag) -> Self {
        Self {
            amount: bag.shop_money.amount,
            currency: bag.shop_money.currency_code,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireCustomer {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireAddress {
    pub name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub country_code_v2: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct IdOnly {
    pub id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireLine {
    pub id: String,
    pub title: String,
    pub variant_title: Option<String>,
    pub sku: Option<String>,
    pub quantity: i64,
    pub current_quantity: i64,
    pub original_unit_price_set: MoneyBag,
    pub discounted_total_set: MoneyBag,
    pub product: Option<IdOnly>,
}

impl From<WireLine> for LineItem {
    fn from(l: WireLine) -> Self {
        Self {
            gid: l.id,
            title: l.title,
            variant_title: l.variant_title,
            sku: l.sku,
            quantity: l.quantity,
            current_quantity: l.current_quantity,
            unit_price: l.original_unit_price_set.into(),
            discounted_total: l.discounted_total_set.into(),
            product_gid: l.product.map(|p| p.id),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireOrder {
    pub id: String,
    pub legacy_resource_id: String,
    pub name: String,
    pub number: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub display_financial_status: Option<String>,
    pub display_fulfillment_status: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub test: bool,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub currency_code: String,
    pub customer: Option<WireCustomer>,
    pub shipping_address: Option<WireAddress>,
    pub current_total_price_set: MoneyBag,
    /// Absent from a bulk export's order lines: their line items are lines of their own.
    #[serde(default)]
    pub line_items: Connection<WireLine>,
}

impl WireOrder {
    /// The domain order with the line items of the first page, and the cursor after them when
    /// more follow.
    pub fn into_order(self) -> (Order, Option<String>) {
        let more = self
            .line_items
            .page_info
            .filter(|p| p.has_next_page)
            .map(|p| p.end_cursor.unwrap_or_default());
        let order = Order {
            gid: self.id,
            legacy_id: self.legacy_resource_id,
            name: self.name,
            number: self.number,
            created_at: self.created_at,
            updated_at: self.updated_at,
            cancelled_at: self.cancelled_at,
            financial_status: self.display_financial_status,
            fulfillment_status: self.display_fulfillment_status,
            email: self.email,
            phone: self.phone,
            test: self.test,
            tags: self.tags,
            note: self.note,
            currency_code: self.currency_code,
            customer: self.customer.map(|c| Customer {
                first_name: c.first_name,
                last_name: c.last_name,
            }),
            shipping_address: self.shipping_address.map(|a| Address {
                name: a.name,
                address1: a.address1,
                address2: a.address2,
                city: a.city,
                province: a.province,
                province_code: a.province_code,
                zip: a.zip,
                country: a.country,
                country_code: a.country_code_v2,
                phone: a.phone,
            }),
            current_total: self.current_total_price_set.into(),
            line_items: self.line_items.nodes.into_iter().map(Into::into).collect(),
        };
        (order, more)
    }
}

/// `nodes(ids:)` elements: an order, null, or another type (an empty object).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum MaybeOrder {
    Order(Box<WireOrder>),
    Other(serde::de::IgnoredAny),
}

#[derive(Debug, Deserialize)]
pub(crate) struct OrdersPageData {
    pub shop: Option<WireShop>,
    pub orders: Connection<WireOrder>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OrdersOnly {
    pub orders: Connection<WireOrder>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LineItemsOnly {
    pub line_items: Connection<WireLine>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OrderLinesData {
    pub order: Option<LineItemsOnly>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NodesData {
    pub nodes: Vec<Option<MaybeOrder>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CountValue {
    pub count: u64,
    pub precision: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CountData {
    pub orders_count: Option<CountValue>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Handle {
    pub handle: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Installation {
    pub access_scopes: Vec<Handle>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScopesData {
    pub current_app_installation: Installation,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ShopData {
    pub shop: WireShop,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example reply of SHOPIFY-API.md section 2 (fields shopsync does not ask for dropped),
    /// with its mixed float/int cost numbers, a guest order and a deleted product.
    const RECORDED: &str = r##"{
      "data": { "orders": {
        "pageInfo": { "hasNextPage": true, "endCursor": "eyJsYXN0X2lkIjo1NTAxMjM0NTY3OTk5fQ==" },
        "nodes": [
          { "id": "gid://shopify/Order/5501234567999", "legacyResourceId": "5501234567999",
            "name": "#1003", "number": 1003,
            "createdAt": "2026-11-02T10:04:55Z", "updatedAt": "2026-11-02T10:05:41Z",
            "cancelledAt": "2026-11-02T10:05:40Z",
            "displayFinancialStatus": null, "displayFulfillmentStatus": "UNFULFILLED",
            "email": null, "phone": null, "test": true, "tags": ["gift-card-only"], "note": null,
            "currencyCode": "USD", "customer": null, "shippingAddress": null,
            "currentTotalPriceSet": { "shopMoney": { "amount": "0.00", "currencyCode": "USD" } },
            "lineItems": { "pageInfo": { "hasNextPage": false, "endCursor": "eA==" },
              "nodes": [ { "id": "gid://shopify/LineItem/13012345679999", "title": "Gift Card",
                "variantTitle": "$25", "sku": null, "quantity": 1, "currentQuantity": 0,
                "originalUnitPriceSet": { "shopMoney": { "amount": "25.00", "currencyCode": "USD" } },
                "discountedTotalSet":   { "shopMoney": { "amount": "25.00", "currencyCode": "USD" } },
                "product": null } ] } } ] } },
      "extensions": { "cost": { "requestedQueryCost": 842, "actualQueryCost": 61,
        "throttleStatus": { "maximumAvailable": 2000.0, "currentlyAvailable": 1939, "restoreRate": 100.0 } } }
    }"##;

    #[test]
    fn recorded_shapes_decode() {
        let reply: Reply<OrdersOnly> = serde_json::from_str(RECORDED).unwrap();
        let cost = reply.extensions.unwrap().cost.unwrap();
        assert!((cost.requested_query_cost.unwrap() - 842.0).abs() < f64::EPSILON);
        let status = cost.throttle_status.unwrap();
        assert!((status.maximum_available - 2000.0).abs() < f64::EPSILON);
        assert!((status.currently_available - 1939.0).abs() < f64::EPSILON);
        let wire = reply.data.unwrap().orders.nodes.into_iter().next().unwrap();
        let (order, more) = wire.into_order();
        assert!(more.is_none());
        assert_eq!(order.legacy_id, "5501234567999");
        assert!(order.customer.is_none());
        assert!(order.shipping_address.is_none());
        assert!(order.financial_status.is_none());
        assert_eq!(order.line_items[0].unit_price.amount.to_string(), "25.00");
        assert_eq!(order.line_items[0].product_gid, None);
        assert_eq!(order.line_items[0].legacy_id(), "13012345679999");
    }

    #[test]
    fn errors_decode_as_string_or_array() {
        let text: ErrorBody = serde_json::from_str(
            r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#,
        )
        .unwrap();
        assert!(
            text.errors
                .unwrap()
                .summary()
                .starts_with("[API] Invalid API key")
        );
        let throttled: Reply<serde_json::Value> = serde_json::from_str(
            r#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED",
            "documentation":"https://shopify.dev/api/usage/rate-limits"}}],
            "extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,
            "throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}"#,
        )
        .unwrap();
        let Some(Errors::List(list)) = throttled.errors else {
            panic!("errors should be a list")
        };
        assert_eq!(
            list[0].extensions.as_ref().unwrap().code.as_deref(),
            Some("THROTTLED")
        );
        let cost = throttled.extensions.unwrap().cost.unwrap();
        assert!(cost.actual_query_cost.is_none());
        let capped: Reply<serde_json::Value> = serde_json::from_str(
            r#"{"errors":[{"message":"Query cost is 1980","extensions":{"code":"MAX_COST_EXCEEDED","cost":1980,"maxCost":1000}}]}"#,
        )
        .unwrap();
        let Some(Errors::List(list)) = capped.errors else {
            panic!("errors should be a list")
        };
        assert_eq!(list[0].extensions.as_ref().unwrap().max_cost, Some(1000.0));
    }
}
