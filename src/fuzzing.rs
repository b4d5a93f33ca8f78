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

/// `config.json` files: a message is one line and never quotes the file (a canary secret).
pub fn config_files(data: &[u8]) {
    let text = text(data);
    if let Err(message) = crate::config::parse_config_text(&text) {
        assert!(!message.contains('\n'), "a one-line message: {message:?}");
        assert!(
            !message.contains("shpat_"),
            "the message quotes the file: {message:?}"
        );
    }
}

/// `.env` files. A message names the line and column only (never quotes the file), and the line
/// it names is the one that fails: the lines before it parse, and the text from it fails at its
/// own first line.
pub fn dotenv(data: &[u8]) {
    let text = text(data);
    let Err(message) = crate::config::parse_dotenv(&text) else {
        return;
    };
    let Some(rest) = message.strip_prefix("line ") else {
        assert_eq!(message, "it is not a .env file of NAME=value lines");
        return;
    };
    let (number, rest) = rest.split_once(' ').expect("line N ...");
    let number: usize = number.parse().expect("a line number");
    let column = rest
        .strip_prefix("is not NAME=value (column ")
        .and_then(|r| r.strip_suffix("); check its quotes"))
        .unwrap_or_else(|| panic!("an unexpected message: {message:?}"));
    assert!(column.parse::<usize>().is_ok(), "{message:?}");
    // The byte where line `number` starts.
    let start = if number == 1 {
        0
    } else {
        let newlines: Vec<usize> = text.match_indices('\n').map(|(at, _)| at + 1).collect();
        *newlines
            .get(number - 2)
            .unwrap_or_else(|| panic!("line {number} of {} lines", newlines.len() + 1))
    };
    assert!(
        crate::config::parse_dotenv(&text[..start]).is_ok(),
        "the lines before line {number} do not parse either: {text:?}"
    );
    let again = crate::config::parse_dotenv(&text[start..]).expect_err("the rest fails");
    assert!(
        again.starts_with("line 1 "),
        "line {number} is not the failing line: {again:?} in {text:?}"
    );
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
            if let Some(cut) = crate::sheets::truncate_cell(&text) {
                assert!(crate::sheets::cells::utf16_len(&cut) <= crate::sheets::MAX_CELL_CHARS);
            }
        }
    }
}

/// Drive's `files.list` pages: the files kept are exactly those named the title, and a page whose
/// token was already followed stops the listing instead of paging forever.
pub fn drive_reply(data: &[u8]) {
    let Some((&title_len, rest)) = data.split_first() else {
        return;
    };
    let cut = usize::from(title_len).min(rest.len());
    let title = String::from_utf8_lossy(&rest[..cut]).into_owned();
    let Ok(reply) = serde_json::from_slice::<serde_json::Value>(&rest[cut..]) else {
        return;
    };
    let mut matches = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let next = crate::sheets::drive::list_page(&reply, &title, &mut matches, &mut seen);
    assert!(
        matches.iter().all(|(_, name)| *name == title),
        "{matches:?}"
    );
    let listed = reply["files"].as_array().map_or(0, Vec::len);
    assert!(matches.len() <= listed);
    if let Ok(Some(token)) = next {
        assert!(!token.is_empty());
        // The same page again: its token was followed, so the listing stops.
        assert!(
            crate::sheets::drive::list_page(&reply, &title, &mut matches, &mut seen).is_err(),
            "a repeated token {token:?} pages forever"
        );
    }
}

/// Shopify's bulk JSONL, staged and read back. The first byte sets the size of the chunks the
/// body arrives in. What must hold: however the body is cut into chunks, the same orders come
/// back (or the same error); line items ahead of their order, or `/` escaped as `\/`, change
/// nothing; and every staged line item comes back under its order.
pub fn bulk_jsonl(data: &[u8]) {
    let Some((&size, body)) = data.split_first() else {
        return;
    };
    let whole = stage_jsonl(body, body.len().max(1));
    let chunked = stage_jsonl(body, usize::from(size % 64) + 1);
    match (&whole, &chunked) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "chunks changed the orders"),
        (Err(a), Err(b)) => assert_eq!(a, b, "chunks changed the error"),
        _ => panic!("chunks changed the outcome: {whole:?} / {chunked:?}"),
    }
    let Ok((orders, stats)) = whole else {
        return;
    };
    assert_eq!(stats.orders, orders.len() as u64);
    let lines: usize = orders.iter().map(|o| o.line_items.len()).sum();
    assert_eq!(stats.line_items, lines as u64);
    // Children first (each keeping its place among the children, orders among the orders).
    let text = String::from_utf8_lossy(body);
    let is_child = |line: &&str| {
        serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .is_some_and(|v| v.get("__parentId").is_some_and(|p| !p.is_null()))
    };
    let (children, parents): (Vec<&str>, Vec<&str>) = text.split('\n').partition(is_child);
    let moved = [children, parents].concat().join("\n");
    match stage_jsonl(moved.as_bytes(), moved.len().max(1)) {
        Ok((again, _)) => assert_eq!(again, orders, "children first changed the orders"),
        Err(e) => panic!("children first fail: {e} for {moved:?}"),
    }
    if !body.contains(&b'\\') {
        let escaped = text.replace('/', "\\/");
        match stage_jsonl(escaped.as_bytes(), 7) {
            Ok((again, _)) => assert_eq!(again, orders, "escaped slashes changed the orders"),
            Err(e) => panic!("escaped slashes fail: {e} for {escaped:?}"),
        }
    }
}

/// Stages `body` in chunks of `size` and reads every order back, in batches of three.
fn stage_jsonl(
    body: &[u8],
    size: usize,
) -> Result<(Vec<crate::order::Order>, crate::shopify::bulk::StageStats), String> {
    let mut staging = crate::shopify::bulk::Staging::new().map_err(|e| e.to_string())?;
    for chunk in body.chunks(size) {
        staging.push(chunk).map_err(|e| e.to_string())?;
    }
    let mut batches = staging.finish().map_err(|e| e.to_string())?;
    let mut orders = Vec::new();
    while let Some(batch) = batches.next_batch(3).map_err(|e| e.to_string())? {
        assert!(!batch.is_empty() && batch.len() <= 3);
        orders.extend(batch);
    }
    Ok((orders, batches.stats()))
}
