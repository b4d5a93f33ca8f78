//! Entry points for the `cargo fuzz` targets in `fuzz/` (feature `fuzzing` only): each takes raw
//! bytes, feeds them to one parser of outside input, and checks what must hold for any input (no
//! panic, round trips, bounded waits). Not part of shopsync's API.

use std::time::Duration;

use chrono::{TimeZone as _, Utc};

use crate::shopify::cost::Pacer;
use crate::shopify::wire::{Errors, OrdersPageData, Reply};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// A1 ranges as Google prints them in replies, and column letters.
pub fn a1(data: &[u8]) {
    let text = text(data);
    if let Some(range) = crate::sheets::A1Range::parse(&text) {
        let printed = range.to_string();
        // What shopsync prints, it reads back the same.
        let again = crate::sheets::A1Range::parse(&printed).expect("a printed range parses");
        assert_eq!(again.to_string(), printed, "from {text:?}");
        let _ = range.encoded();
        let _ = range.quoted_title();
    }
    if let Some(index) = crate::sheets::column_index(&text) {
        let letters = crate::sheets::column_letters(index);
        assert_eq!(
            crate::sheets::column_index(&letters),
            Some(index),
            "{text:?}"
        );
    }
}

/// The forms a store name, a spreadsheet target and an API base URL come in.
pub fn names_and_urls(data: &[u8]) {
    let text = text(data);
    if let Ok(store) = crate::config::StoreDomain::parse(&text) {
        // The handle is what every accepted form reduces to: it parses to itself.
        let again = crate::config::StoreDomain::parse(store.handle()).expect("a handle parses");
        assert_eq!(again, store);
        assert!(
            crate::config::StoreDomain::parse(&store.domain()).is_ok(),
            "{text:?}"
        );
    }
    let _ = crate::sheets::parse_target(&text);
    let _ = crate::sheets::drive::quote_query_string(&text);
    if let Ok(url) = crate::config::values::base_url(&text) {
        assert!(
            crate::config::url_rule::check_api_url(&url).is_ok(),
            "{text:?}"
        );
        assert!(url.username().is_empty() && url.password().is_none());
    }
    let _ = crate::config::values::api_version(&text);
    let _ = crate::config::number_in(&text, 1, 36_500);
}

/// `config.json` and `.env` files; no message may quote a canary secret placed in the input.
pub fn config_files(data: &[u8]) {
    let text = text(data);
    let _ = crate::config::parse_config_text(&text);
    if let Err(message) = crate::config::parse_dotenv(&text) {
        assert!(!message.contains('\n'), "a one-line message: {message:?}");
        assert!(
            !message.contains("shpat_"),
            "the message quotes the file: {message:?}"
        );
    }
}

/// Service-account key files.
pub fn service_account_key(data: &[u8]) {
    let text = text(data);
    let _ = crate::config::service_account_text("key.json", &text);
    let _ = crate::config::non_rsa_key(&text);
    if let Ok(key) = yup_oauth2::parse_service_account_key(text.as_bytes()) {
        let _ = crate::config::url_rule::parse_api_url(&key.token_uri);
    }
}

/// Shopify's GraphQL replies to the orders query: decoding, the domain conversion, the error
/// summary, and the pacer fed with whatever cost numbers came back (its wait stays finite and
/// never panics, however absurd the numbers).
pub fn shopify_reply(data: &[u8]) {
    let Ok(reply) = serde_json::from_slice::<Reply<OrdersPageData>>(data) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 11, 0, 0).unwrap();
    let mut pacer = Pacer::default();
    if let Some(cost) = reply.extensions.as_ref().and_then(|e| e.cost) {
        pacer.observe(cost.throttle_status, cost.requested_query_cost, 100.0, now);
        let later = now + chrono::Duration::seconds(3);
        for estimate in [0.0, 1.0, 999.0, f64::MAX] {
            let _ = pacer.wait_for(estimate, now);
            let _ = pacer.wait_for(estimate, later);
        }
        let lines = pacer.first_page_lines();
        let _ = pacer.orders_per_page(lines);
        let _ = pacer.lines_per_page();
        let _ = pacer.budget();
    }
    if let Some(errors) = &reply.errors {
        let _ = errors.summary();
        let _ = crate::shopify::reply::withheld_fields(errors);
        if let Errors::List(list) = errors {
            let _ = list.len();
        }
    }
    if let Some(data) = reply.data {
        for wire in data.orders.nodes {
            let (order, _more) = wire.into_order();
            pacer.record_lines(order.line_items.len());
            let _ = crate::sync::plan::rows::order_rows(&order, chrono_tz::Europe::Berlin);
        }
    }
}

/// `Retry-After` values, as both clients read them, through the backoff that caps them.
pub fn retry_after(data: &[u8]) {
    let Ok(value) = reqwest::header::HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::RETRY_AFTER, value);
    let backoff = crate::retry::Backoff::default();
    let wait = crate::shopify::reply::retry_after(&headers);
    let delay = backoff.delay(1, wait);
    assert!(delay <= backoff.cap, "{delay:?}");
    let _ = backoff.delay(u32::MAX, wait);
    let _ = wait.map(|w| w.min(Duration::from_secs(60)));
}

/// Google's replies: error bodies of both shapes, and cell values of any JSON shape.
pub fn google_reply(data: &[u8]) {
    let error = crate::sheets::error::GoogleError::parse(data);
    let _ = error.is_rate_limit();
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Some(range) = value.get("range").and_then(serde_json::Value::as_str) {
        let _ = crate::sheets::A1Range::parse(range);
    }
    let _ = value
        .get("nextPageToken")
        .and_then(serde_json::Value::as_str);
    let rows = value
        .get("values")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for row in rows {
        for cell in row.as_array().cloned().unwrap_or_default() {
            let text = crate::sheets::cell_text(&cell);
            let mut normal = crate::sheets::cells::normalise(cell);
            crate::sheets::cells::truncate_value(&mut normal);
            if let Some(cut) = crate::sheets::truncate_cell(&text) {
                assert!(crate::sheets::cells::utf16_len(&cut) <= crate::sheets::MAX_CELL_CHARS);
            }
        }
    }
}
