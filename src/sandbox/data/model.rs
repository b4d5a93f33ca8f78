//! The compact shapes of a generated store: shop, pools of products, customers and addresses, and
//! orders whose line items point into them.

use std::sync::Arc;

/// The shop's own description.
#[derive(Debug, Clone)]
pub struct ShopData {
    /// Display name.
    pub name: String,
    /// `acme.myshopify.com`.
    pub myshopify_domain: String,
    /// IANA time zone.
    pub iana_timezone: String,
    /// Shop currency code.
    pub currency: String,
    /// Order name prefix.
    pub prefix: String,
    /// Order name suffix.
    pub suffix: String,
}

/// A product in the catalogue.
#[derive(Debug, Clone)]
pub struct ProductData {
    /// Product numeric ID.
    pub id: u64,
    /// Variant numeric ID.
    pub variant_id: u64,
    /// Title.
    pub title: Arc<str>,
    /// Variant title.
    pub variant_title: Option<Arc<str>>,
    /// SKU.
    pub sku: Option<Arc<str>>,
    /// Vendor.
    pub vendor: Option<Arc<str>>,
    /// Deleted since: line items keep their title but lose the product link.
    pub deleted: bool,
}

/// A customer.
#[derive(Debug, Clone)]
pub struct CustomerData {
    /// Numeric ID.
    pub id: u64,
    /// First name.
    pub first_name: Option<Arc<str>>,
    /// Last name.
    pub last_name: Option<Arc<str>>,
    /// Default email address.
    pub email: Option<Arc<str>>,
}

/// A postal address.
#[derive(Debug, Clone)]
pub struct AddressData {
    /// Recipient name.
    pub name: Option<Arc<str>>,
    /// Street line 1.
    pub address1: Option<Arc<str>>,
    /// Street line 2.
    pub address2: Option<Arc<str>>,
    /// City.
    pub city: Option<Arc<str>>,
    /// Province.
    pub province: Option<Arc<str>>,
    /// Province code.
    pub province_code: Option<Arc<str>>,
    /// Postal code.
    pub zip: Option<Arc<str>>,
    /// Country.
    pub country: Option<Arc<str>>,
    /// ISO country code (a `CountryCode` enum value).
    pub country_code: Option<&'static str>,
    /// Phone.
    pub phone: Option<Arc<str>>,
}

/// One line item, compact.
#[derive(Debug, Clone)]
pub struct LineData {
    /// Numeric ID.
    pub id: u64,
    /// Index into [`StoreData::products`].
    pub product: u32,
    /// Quantity ordered.
    pub quantity: u32,
    /// Quantity now (refunds and edits lower it).
    pub current_quantity: u32,
    /// Unit price in minor units.
    pub unit_minor: i64,
    /// Line total after line discounts, in minor units.
    pub discounted_minor: i64,
}

/// One order, compact.
#[derive(Debug, Clone)]
pub struct OrderData {
    /// Numeric ID.
    pub id: u64,
    /// Order number.
    pub number: i64,
    /// Creation time (unix seconds).
    pub created_at: i64,
    /// Last update (unix seconds).
    pub updated_at: i64,
    /// Cancellation time.
    pub cancelled_at: Option<i64>,
    /// Financial status (`OrderDisplayFinancialStatus` value).
    pub financial_status: Option<&'static str>,
    /// Fulfillment status (`OrderDisplayFulfillmentStatus` value).
    pub fulfillment_status: &'static str,
    /// Order email.
    pub email: Option<Arc<str>>,
    /// Order phone.
    pub phone: Option<Arc<str>>,
    /// Test order.
    pub test: bool,
    /// Tags.
    pub tags: Vec<Arc<str>>,
    /// Note.
    pub note: Option<Arc<str>>,
    /// The customer's currency (`presentmentCurrencyCode`); amounts are kept in the shop's
    /// currency ([`ShopData::currency`], `currencyCode`) and converted for `presentmentMoney`.
    pub presentment_currency: &'static str,
    /// Index into [`StoreData::customers`]; `None` for guest checkouts.
    pub customer: Option<u32>,
    /// Index into [`StoreData::addresses`]; `None` for digital orders.
    pub shipping: Option<u32>,
    /// Refunded amount in minor units.
    pub refunded_minor: i64,
    /// Line items.
    pub lines: Vec<LineData>,
}

impl OrderData {
    /// Sum of current line totals, minus refunds, in minor units.
    #[must_use]
    pub fn current_total_minor(&self) -> i64 {
        if self.cancelled_at.is_some() {
            return 0;
        }
        let lines: i64 = self
            .lines
            .iter()
            .filter(|l| l.quantity > 0)
            .map(|l| l.discounted_minor * i64::from(l.current_quantity) / i64::from(l.quantity))
            .sum();
        (lines - self.refunded_minor).max(0)
    }

    /// Sum of line totals as ordered, in minor units.
    #[must_use]
    pub fn total_minor(&self) -> i64 {
        self.lines.iter().map(|l| l.discounted_minor).sum()
    }
}

/// A whole store.
#[derive(Debug, Clone)]
pub struct StoreData {
    /// The shop.
    pub shop: ShopData,
    /// Product pool.
    pub products: Vec<ProductData>,
    /// Customer pool.
    pub customers: Vec<CustomerData>,
    /// Address pool.
    pub addresses: Vec<AddressData>,
    /// Orders, by ascending ID.
    pub orders: Vec<OrderData>,
    /// Next line item ID to hand out.
    pub next_line_id: u64,
}
