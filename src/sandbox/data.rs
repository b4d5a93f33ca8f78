//! The seeded store generator: realistic, awkward shops of any size, deterministic from a seed.
//!
//! Orders are kept compact (shared product, customer and address pools; money in minor units) so a
//! 100,000-order store fits comfortably in memory. What a real shop throws at a sync is here on
//! purpose: number gaps, test, cancelled, refunded and edited orders, guest checkouts, unicode, text
//! that looks like a formula, zips with leading zeros, very long notes, several currencies, orders
//! with hundreds of line items and many orders sharing one `updatedAt`.

mod model;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

pub use model::{AddressData, CustomerData, LineData, OrderData, ProductData, ShopData, StoreData};

/// Base of generated order IDs (`gid://shopify/Order/<id>`).
pub const ORDER_ID_BASE: u64 = 5_501_234_000_000;
/// Base of generated line item IDs.
pub const LINE_ID_BASE: u64 = 13_012_345_000_000;

/// How to generate a store.
#[derive(Debug, Clone)]
pub struct StoreSpec {
    /// The seed: the same spec always yields the same store.
    pub seed: u64,
    /// Number of orders.
    pub orders: usize,
    /// Creation time of the first order.
    pub start: DateTime<Utc>,
    /// No order is created or updated after this instant.
    pub end: DateTime<Utc>,
    /// Every `big_order_every`-th order gets `big_order_lines` line items (0: never; default 1000).
    pub big_order_every: usize,
    /// Line items of a big order.
    pub big_order_lines: usize,
    /// Order name prefix (`#`).
    pub prefix: String,
    /// Order name suffix (usually empty).
    pub suffix: String,
    /// The first order number.
    pub first_number: i64,
    /// Orders touched by one bulk edit an hour before `end`: they share one `updatedAt`, more of
    /// them than fit in a page.
    pub bulk_updated: usize,
}

impl StoreSpec {
    /// A store of `orders` orders created over the 30 days before `end`.
    #[must_use]
    pub fn new(seed: u64, orders: usize, end: DateTime<Utc>) -> Self {
        Self {
            seed,
            orders,
            start: end - chrono::Duration::days(30),
            end,
            big_order_every: 1_000,
            big_order_lines: 300,
            prefix: "#".to_owned(),
            suffix: String::new(),
            first_number: 1001,
            bulk_updated: orders / 20,
        }
    }
}

const FIRST_NAMES: &[&str] = &[
    "Bob",
    "Zoë",
    "李",
    "محمد",
    "José",
    "Ærin",
    "Søren",
    "O'Brien",
    "=HYPERLINK(\"http://x\",\"y\")",
    "+1 555",
    "@x",
    "Анна",
    "🎉",
    "Ngozi",
];
const LAST_NAMES: &[&str] = &[
    "Norman",
    "小龙",
    "عبد الله",
    "Müller",
    "Smith",
    "-2+3",
    "Ünal",
    "Ōta",
    "Dupont",
    "🚀 Rocket",
];
const CITIES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "Boston",
        "Massachusetts",
        "MA",
        "02134",
        "United States",
        "US",
    ),
    (
        "Holtsville",
        "New York",
        "NY",
        "00501",
        "United States",
        "US",
    ),
    (
        "Louisville",
        "Kentucky",
        "KY",
        "40202",
        "United States",
        "US",
    ),
    ("東京", "Tokyo", "JP-13", "100-0001", "Japan", "JP"),
    ("Tel Aviv", "Tel Aviv", "TA", "6100000", "Israel", "IL"),
    ("Berlin", "Berlin", "BE", "01067", "Germany", "DE"),
    (
        "London",
        "England",
        "ENG",
        "SW1A 1AA",
        "United Kingdom",
        "GB",
    ),
    ("Paris", "Île-de-France", "IDF", "75001", "France", "FR"),
];
const PRODUCTS: &[&str] = &[
    "IPod Nano - 8gb",
    "Gift Card",
    "T-Shirt",
    "茶碗 Tea bowl",
    "قهوة Coffee",
    "=SUM(A1:A9) mug",
    "Emoji socks 🧦",
    "Hoodie",
    "Poster \"quoted\"",
    "Sticker, pack of 5",
];
const VARIANTS: &[&str] = &["green", "red / XL", "$25", "מידה M", "Default Title"];
const TAGS: &[&str] = &[
    "vip",
    "wholesale",
    "gift-card-only",
    "étiquette",
    "=1+1",
    "中文",
];
/// The currencies customers pay in (`presentmentCurrencyCode`); the shop's own is USD.
const CURRENCIES: &[&str] = &["USD", "USD", "USD", "EUR", "GBP", "JPY", "CAD"];

/// Fixed exchange rates, units of a currency per US dollar in ten-thousandths.
const RATES: &[(&str, i128)] = &[
    ("USD", 10_000),
    ("EUR", 9_200),
    ("GBP", 7_900),
    ("CAD", 13_600),
    ("JPY", 1_500_000),
];

/// `minor` units of the shop's currency in `presentment`, at the sandbox's fixed rates (rounded
/// to the presentment currency's minor unit). An unknown currency keeps the amount.
#[must_use]
pub fn presentment_minor(minor: i64, shop: &str, presentment: &str) -> i64 {
    let rate = |code: &str| RATES.iter().find(|(c, _)| *c == code).map(|(_, r)| *r);
    let (Some(from), Some(to)) = (rate(shop), rate(presentment)) else {
        return minor;
    };
    let scale = |code: &str| 10_i128.pow(minor_digits(code));
    let numerator = i128::from(minor) * to * scale(presentment);
    let denominator = from * scale(shop);
    // Half away from zero; the denominator is positive.
    let rounded = numerator.signum() * ((2 * numerator.abs() + denominator) / (2 * denominator));
    i64::try_from(rounded).unwrap_or(minor)
}
const NOTES: &[&str] = &[
    "Leave at the door",
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1 555 0100",
    "@x please call",
    "Bitte klingeln 🔔",
    "שלום, תודה",
    "请尽快发货",
];

/// Minor units per major unit for a currency (JPY has none).
#[must_use]
pub fn minor_digits(currency: &str) -> u32 {
    if currency == "JPY" { 0 } else { 2 }
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

fn pool(rng: &mut fastrand::Rng, items: &[&str], cache: &mut Vec<Arc<str>>) -> Arc<str> {
    if cache.is_empty() {
        cache.extend(items.iter().map(|s| Arc::<str>::from(*s)));
    }
    cache[rng.usize(..cache.len())].clone()
}

/// Generates a store from `spec`.
#[must_use]
pub fn generate(spec: &StoreSpec) -> StoreData {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let shop = ShopData {
        name: "Sandbox Store ✨".to_owned(),
        myshopify_domain: "sandbox-store.myshopify.com".to_owned(),
        iana_timezone: "America/New_York".to_owned(),
        currency: "USD".to_owned(),
        prefix: spec.prefix.clone(),
        suffix: spec.suffix.clone(),
    };
    let mut cache = Vec::new();
    let products = (0..200u64)
        .map(|i| {
            cache.clear();
            let title = pool(&mut rng, PRODUCTS, &mut cache);
            ProductData {
                id: 632_910_392 + i,
                variant_id: 39_072_856 + i,
                title,
                variant_title: (i % 7 != 0)
                    .then(|| Arc::from(VARIANTS[(i as usize) % VARIANTS.len()])),
                sku: (i % 9 != 0).then(|| Arc::from(format!("SKU-{i:05}"))),
                vendor: (i % 4 != 0).then(|| Arc::from("Acme")),
                deleted: i % 50 == 49,
            }
        })
        .collect();
    let mut first_cache = Vec::new();
    let mut last_cache = Vec::new();
    let customers = (0..500u64)
        .map(|i| CustomerData {
            id: 207_119_551 + i,
            first_name: (i % 11 != 0).then(|| pool(&mut rng, FIRST_NAMES, &mut first_cache)),
            last_name: (i % 13 != 0).then(|| pool(&mut rng, LAST_NAMES, &mut last_cache)),
            email: (i % 17 != 0).then(|| Arc::from(format!("customer{i}@mail.example.com"))),
        })
        .collect();
    let addresses = (0..300u64)
        .map(|i| {
            let (city, province, code, zip, country, cc) = pick(&mut rng, CITIES);
            let first = pool(&mut rng, FIRST_NAMES, &mut first_cache);
            AddressData {
                name: Some(Arc::from(format!("{first} {}", i % 97))),
                address1: Some(Arc::from(format!("{} Chestnut Street", i + 1))),
                address2: (i % 3 == 0).then(|| Arc::from("")),
                city: Some(Arc::from(city)),
                province: Some(Arc::from(province)),
                province_code: Some(Arc::from(code)),
                zip: Some(Arc::from(zip)),
                country: Some(Arc::from(country)),
                country_code: Some(cc),
                phone: (i % 2 == 0).then(|| Arc::from("+1(502)-459-2181")),
            }
        })
        .collect();
    let long_note: Arc<str> = Arc::from("Very long note. ".repeat(4_000));
    let mut store = StoreData {
        shop,
        products,
        customers,
        addresses,
        orders: Vec::with_capacity(spec.orders),
        next_line_id: LINE_ID_BASE,
    };
    let start = spec.start.timestamp();
    let end = spec.end.timestamp().max(start + 1);
    let step = (end - start) / i64::try_from(spec.orders.max(1)).unwrap_or(1);
    let mut number = spec.first_number;
    let mut tag_cache = Vec::new();
    let mut note_cache = Vec::new();
    let mut previous_updated = None;
    for i in 0..spec.orders {
        // Numbers are not consecutive: about 2% of numbers are skipped.
        if rng.u8(..100) < 2 {
            number += 1 + i64::from(rng.u8(..3));
        }
        let created = (start + step * i as i64 + rng.i64(0..step.max(1))).min(end);
        let lines =
            if spec.big_order_every > 0 && i % spec.big_order_every == spec.big_order_every - 1 {
                spec.big_order_lines
            } else {
                1 + rng.usize(..4)
            };
        let mut order = make_order(&mut store, &mut rng, number, created, end, lines);
        // Many orders share one `updatedAt` (bulk edits, imports).
        if let Some(prev) = previous_updated
            && rng.u8(..100) < 6
            && prev >= order.created_at
        {
            order.updated_at = prev;
        }
        if rng.u8(..100) < 30 {
            order.tags.push(pool(&mut rng, TAGS, &mut tag_cache));
        }
        // One order in a thousand has a note past the 50,000-character cell limit: rare, as in
        // real shops, yet every store of a few thousand orders has some.
        match rng.u16(..1000) {
            0 => order.note = Some(long_note.clone()),
            1..=200 => order.note = Some(pool(&mut rng, NOTES, &mut note_cache)),
            _ => {}
        }
        previous_updated = Some(order.updated_at);
        store.orders.push(order);
        number += 1;
    }
    // A bulk edit (tags, an app, an import) stamps many orders with one `updatedAt`.
    let instant = end - 3_600;
    let eligible: Vec<usize> = (0..store.orders.len())
        .filter(|&i| store.orders[i].updated_at <= instant)
        .collect();
    let stride = (eligible.len() / spec.bulk_updated.max(1)).max(1);
    for &i in eligible.iter().step_by(stride).take(spec.bulk_updated) {
        store.orders[i].updated_at = instant;
    }
    store
}

fn make_order(
    store: &mut StoreData,
    rng: &mut fastrand::Rng,
    number: i64,
    created: i64,
    end: i64,
    lines: usize,
) -> OrderData {
    let id = ORDER_ID_BASE + u64::try_from(number).unwrap_or(0) * 7 + u64::from(rng.u8(..7));
    let presentment_currency = pick(rng, CURRENCIES);
    let scale = if minor_digits(&store.shop.currency) == 0 {
        1
    } else {
        100
    };
    let guest = rng.u8(..100) < 10;
    let digital = guest && rng.bool();
    let mut line_items = Vec::with_capacity(lines);
    for _ in 0..lines {
        let product = rng.u32(..u32::try_from(store.products.len()).unwrap_or(1));
        let quantity = 1 + rng.u32(..3);
        let unit = i64::from(rng.u32(1..300)) * scale + i64::from(rng.u32(..100)) * scale / 100;
        let discount = if rng.u8(..10) == 0 { unit / 10 } else { 0 };
        line_items.push(LineData {
            id: store.next_line_id,
            product,
            quantity,
            current_quantity: quantity,
            unit_minor: unit,
            discounted_minor: (unit - discount) * i64::from(quantity),
        });
        store.next_line_id += 1 + u64::from(rng.u8(..3));
    }
    let updated = (created + i64::from(rng.u32(..3 * 86_400))).min(end);
    let mut order = OrderData {
        id,
        number,
        created_at: created,
        updated_at: updated.max(created),
        cancelled_at: None,
        financial_status: Some("PAID"),
        fulfillment_status: if rng.bool() {
            "FULFILLED"
        } else {
            "UNFULFILLED"
        },
        email: (!guest || rng.bool()).then(|| Arc::from(format!("buyer{number}@mail.example.com"))),
        phone: (rng.u8(..4) == 0).then(|| Arc::from("+1 555 0100")),
        test: rng.u8(..100) < 2,
        tags: Vec::new(),
        note: None,
        presentment_currency,
        customer: (!guest).then(|| rng.u32(..u32::try_from(store.customers.len()).unwrap_or(1))),
        shipping: (!digital).then(|| rng.u32(..u32::try_from(store.addresses.len()).unwrap_or(1))),
        refunded_minor: 0,
        lines: line_items,
    };
    match rng.u8(..100) {
        0..=2 => {
            order.cancelled_at = Some(order.updated_at);
            order.financial_status = Some("VOIDED");
        }
        3..=7 => {
            order.refunded_minor = order.total_minor() / 2;
            order.financial_status = Some("PARTIALLY_REFUNDED");
        }
        8..=10 => {
            // An edit removed the first line: it stays, with current quantity 0.
            order.lines[0].current_quantity = 0;
        }
        11 => order.financial_status = None,
        12..=15 => order.financial_status = Some("PENDING"),
        _ => {}
    }
    order
}

/// Unix seconds to a UTC instant.
#[must_use]
pub fn to_utc(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 11, 0, 0).unwrap()
    }

    #[test]
    fn generation_is_deterministic_and_has_the_awkward_cases() {
        // Large enough that the rarest case (a note past the cell limit, one order in 1,000)
        // occurs for this seed.
        let mut spec = StoreSpec::new(7, 5_000, end());
        spec.big_order_every = 500;
        let a = generate(&spec);
        let b = generate(&spec);
        assert_eq!(a.orders.len(), 5_000);
        assert_eq!(
            a.orders
                .iter()
                .map(|o| (o.id, o.updated_at))
                .collect::<Vec<_>>(),
            b.orders
                .iter()
                .map(|o| (o.id, o.updated_at))
                .collect::<Vec<_>>()
        );
        let orders = &a.orders;
        assert!(
            orders.windows(2).any(|w| w[1].number > w[0].number + 1),
            "gaps"
        );
        assert!(orders.windows(2).all(|w| w[1].id > w[0].id), "ids ascend");
        assert!(orders.iter().any(|o| o.test));
        assert!(orders.iter().any(|o| o.cancelled_at.is_some()));
        assert!(orders.iter().any(|o| o.refunded_minor > 0));
        assert!(
            orders
                .iter()
                .any(|o| o.lines.iter().any(|l| l.current_quantity == 0))
        );
        assert!(
            orders
                .iter()
                .any(|o| o.customer.is_none() && o.shipping.is_none())
        );
        assert!(orders.iter().any(|o| o.presentment_currency == "JPY"));
        assert!(orders.iter().any(|o| o.presentment_currency == "USD"));
        assert!(orders.iter().any(|o| o.lines.len() == 300));
        assert!(
            orders
                .iter()
                .any(|o| o.note.as_ref().is_some_and(|n| n.len() > 50_000))
        );
        assert!(
            orders
                .windows(2)
                .any(|w| w[0].updated_at == w[1].updated_at)
        );
        assert!(
            a.addresses
                .iter()
                .any(|a| a.zip.as_deref() == Some("02134"))
        );
        assert!(
            orders
                .iter()
                .all(|o| o.updated_at >= o.created_at && o.updated_at <= end().timestamp())
        );
    }

    #[test]
    fn a_hundred_thousand_orders_generate() {
        let store = generate(&StoreSpec::new(1, 100_000, end()));
        assert_eq!(store.orders.len(), 100_000);
        let ids: std::collections::HashSet<u64> = store.orders.iter().map(|o| o.id).collect();
        assert_eq!(ids.len(), 100_000);
    }

    #[test]
    fn presentment_amounts_are_converted_from_the_shop_currency() {
        assert_eq!(presentment_minor(10_000, "USD", "USD"), 10_000);
        assert_eq!(presentment_minor(10_000, "USD", "EUR"), 9_200);
        // 100.00 USD is 15000 yen (no minor unit), and back.
        assert_eq!(presentment_minor(10_000, "USD", "JPY"), 15_000);
        assert_eq!(presentment_minor(15_000, "JPY", "USD"), 10_000);
        // 0.01 USD in GBP rounds half away from zero: 0.0079 is 0.01.
        assert_eq!(presentment_minor(1, "USD", "GBP"), 1);
        assert_eq!(presentment_minor(-1, "USD", "GBP"), -1);
    }
}
