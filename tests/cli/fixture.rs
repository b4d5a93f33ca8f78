//! A tracking store populated through the store's own API, for the local commands to read, and the
//! snapshot filters that mask what varies between runs (the temp dir, times relative to today).

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Days, Duration, Utc};
use rust_decimal::Decimal;
use shopsync::clock::{Clock as _, ManualClock};
use shopsync::order::{LineItem, Money, Order, Shop};
use shopsync::store::{
    Binding, NewError, RunCounts, RunMode, RunOutcome, Store, SyncedOrder, SyncedRow,
    local_day_start,
};

use crate::support::Sandbox;

/// The shop's time zone in the fixture (not UTC, so shop-local days and offsets show).
pub const SHOP_TZ: chrono_tz::Tz = chrono_tz::America::New_York;

/// A product title that a spreadsheet would run as a formula if the export did not neutralise it.
pub const FORMULA_TITLE: &str = "=HYPERLINK(\"http://evil.example\",\"free gift\")";

/// When the old order #1005 was placed: 01:30 in New York on the day clocks went forward.
pub const OLD_ORDER_AT: &str = "2026-03-08T06:30:00Z";

/// The database file name the fixture writes, pointed at with `SHOPSYNC_DB`.
pub const DB: &str = "tracking.db";

fn money(amount: &str, currency: &str) -> Money {
    Money {
        amount: amount.parse::<Decimal>().expect("decimal"),
        currency: currency.to_owned(),
    }
}

/// (title, sku, current quantity, unit price) of one line item.
type Item<'a> = (&'a str, Option<&'a str>, i64, &'a str);

fn order(number: i64, created: DateTime<Utc>, currency: &str, items: &[Item<'_>]) -> Order {
    let line_items: Vec<LineItem> = items
        .iter()
        .enumerate()
        .map(|(i, (title, sku, qty, price))| {
            let unit: Decimal = price.parse().expect("decimal");
            LineItem {
                gid: format!("gid://shopify/LineItem/{}", number * 10 + i as i64),
                title: (*title).to_owned(),
                variant_title: Some("Default".to_owned()),
                sku: sku.map(str::to_owned),
                quantity: (*qty).max(1),
                current_quantity: *qty,
                unit_price: money(price, currency),
                discounted_total: Money {
                    amount: unit * Decimal::from(*qty),
                    currency: currency.to_owned(),
                },
                product_gid: None,
            }
        })
        .collect();
    let total: Decimal = line_items.iter().map(|l| l.discounted_total.amount).sum();
    Order {
        gid: format!("gid://shopify/Order/{}", 5_000 + number),
        legacy_id: (5_000 + number).to_string(),
        name: format!("#{number}"),
        number,
        created_at: created,
        updated_at: created + Duration::hours(1),
        cancelled_at: None,
        financial_status: Some("PAID".to_owned()),
        fulfillment_status: "UNFULFILLED".to_owned(),
        email: Some("ada@example.com".to_owned()),
        phone: None,
        test: false,
        tags: Vec::new(),
        note: None,
        currency_code: currency.to_owned(),
        customer: None,
        shipping_address: None,
        current_total: Money {
            amount: total,
            currency: currency.to_owned(),
        },
        line_items,
    }
}

fn synced(order: &Order) -> SyncedOrder<'_> {
    SyncedOrder {
        order,
        content_hash: format!("hash-{}", order.number),
        rows: order
            .line_items
            .iter()
            .enumerate()
            .map(|(i, item)| SyncedRow {
                line_item_id: item.legacy_id().to_owned(),
                row_hash: format!("row-{}-{i}", order.number),
                sheet_row: Some(order.number - 999 + i as i64),
            })
            .collect(),
    }
}

/// Noon, shop time, `days_ago` local days before today: always in the past, always on that day.
fn local_noon(days_ago: u64) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&SHOP_TZ).date_naive();
    local_day_start(today - Days::new(days_ago), SHOP_TZ) + Duration::hours(12)
}

/// Writes the fixture store into the sandbox and returns its path. Its last real sync ended with
/// `last_outcome`.
///
/// Contents: orders #1001 (two line items, one titled like a formula), #1002 (EUR), #1003 (a test
/// order), #1004, and #1005 (placed on 2026-03-08, later deleted in Shopify); runs 1 (real,
/// success), 2 (dry run), 3 (real, `last_outcome`, with #1006 failing); one unresolved error
/// (#1006) and one resolved (#1002).
pub fn populate(sandbox: &Sandbox, last_outcome: RunOutcome) -> PathBuf {
    let path = sandbox.file(DB);
    let clock = ManualClock::new(Utc::now() - Duration::days(1));
    let mut store = Store::open(&path)
        .expect("create the store")
        .with_clock(Arc::new(clock.clone()));
    store
        .record_shop(&Shop {
            name: "Acme Test Shop".to_owned(),
            myshopify_domain: "acme.myshopify.com".to_owned(),
            iana_timezone: SHOP_TZ.name().to_owned(),
            currency_code: "USD".to_owned(),
            order_number_prefix: "#".to_owned(),
            order_number_suffix: String::new(),
        })
        .expect("record shop");
    store
        .bind(&Binding {
            shop_domain: "acme.myshopify.com".to_owned(),
            spreadsheet_id: "1AbCdEfGhIjKlMnOp".to_owned(),
            sheet_id: 0,
            sheet_title: "Orders".to_owned(),
        })
        .expect("bind");

    let mut o1001 = order(
        1001,
        local_noon(3),
        "USD",
        &[
            ("Blue Mug", Some("MUG-BLUE"), 2, "12.50"),
            (FORMULA_TITLE, Some("-GIFT"), 1, "0.00"),
        ],
    );
    o1001.fulfillment_status = "FULFILLED".to_owned();
    let o1002 = order(
        1002,
        local_noon(2),
        "EUR",
        &[("Tea Towel", None, 3, "7.00")],
    );
    let mut o1003 = order(
        1003,
        local_noon(1),
        "USD",
        &[("Blue Mug", Some("MUG-BLUE"), 5, "12.50")],
    );
    o1003.test = true;
    let o1004 = order(
        1004,
        local_noon(1),
        "USD",
        &[
            ("Blue Mug", Some("MUG-BLUE"), 1, "12.50"),
            ("Red Mug", Some("MUG-RED"), 4, "11.00"),
        ],
    );
    let o1005 = order(
        1005,
        OLD_ORDER_AT.parse().expect("time"),
        "USD",
        &[("Old Stock", Some("OLD-1"), 1, "99.99")],
    );

    // Run 1: a successful real sync of everything but #1002.
    let run1 = store.start_run(RunMode::Real, None).expect("start");
    store
        .record_error(&NewError {
            run: Some(run1),
            order_gid: Some(&o1002.gid),
            order_name: Some(&o1002.name),
            stage: "rows",
            kind: "invalid_data",
            message: "line item without a price",
        })
        .expect("record error");
    let first: Vec<SyncedOrder<'_>> = [&o1001, &o1003, &o1004, &o1005]
        .into_iter()
        .map(synced)
        .collect();
    store.record_synced_orders(run1, &first).expect("record");
    clock.advance(std::time::Duration::from_secs(83));
    let counts = RunCounts {
        fetched: 5,
        new: 4,
        failed: 1,
        rows_appended: 5,
        ..RunCounts::default()
    };
    let cursor = clock.now();
    store
        .finish_run(
            run1,
            RunOutcome::Success,
            &counts,
            Some(cursor),
            Some("4 new orders"),
        )
        .expect("finish");
    store.advance_cursor(cursor).expect("cursor");
    store
        .mark_orders_deleted(&[&o1005.gid])
        .expect("mark deleted");

    // Run 2: a dry run.
    clock.advance(std::time::Duration::from_secs(3600));
    let run2 = store.start_run(RunMode::Test, Some(cursor)).expect("start");
    clock.advance(std::time::Duration::from_secs(4));
    store
        .finish_run(
            run2,
            RunOutcome::Success,
            &RunCounts::default(),
            None,
            Some("dry run"),
        )
        .expect("finish");

    // Run 3: #1002 finally syncs (resolving its error), #1006 fails.
    clock.advance(std::time::Duration::from_secs(3600));
    let run3 = store.start_run(RunMode::Real, Some(cursor)).expect("start");
    store
        .record_synced_orders(run3, &[synced(&o1002)])
        .expect("record");
    store
        .record_error(&NewError {
            run: Some(run3),
            order_gid: Some("gid://shopify/Order/6006"),
            order_name: Some("#1006"),
            stage: "write",
            kind: "http_500",
            message: "Sheets answered 500 twice; will retry next run",
        })
        .expect("record error");
    clock.advance(std::time::Duration::from_millis(4200));
    let counts = RunCounts {
        fetched: 2,
        new: 1,
        failed: 1,
        rows_appended: 1,
        ..RunCounts::default()
    };
    let message = match last_outcome {
        RunOutcome::Success => "1 new order",
        _ => "1 order failed (#1006)",
    };
    store
        .finish_run(
            run3,
            last_outcome,
            &counts,
            Some(clock.now()),
            Some(message),
        )
        .expect("finish");
    path
}

/// Runs `f` with insta filters that mask the temp dir and every date and time, which vary by run.
pub fn masked<R>(sandbox: &Sandbox, f: impl FnOnce() -> R) -> R {
    let dir = regex_escape(&sandbox.path().display().to_string());
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&dir, "[SANDBOX]");
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?[+-]\d{2}:\d{2}|Z)?",
        "[TIME]",
    );
    settings.add_filter(r"\d{4}-\d{2}-\d{2}", "[DATE]");
    settings.add_filter(r" \(\d+h, DST\)", "");
    settings.add_filter(r"\b(\d+ms|\d+s|\d+m \d{2}s|\d+h \d{2}m) ago", "[AGE] ago");
    settings.bind(f)
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$#&-~".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Adds `count` more one-line orders (numbers from 2001) to the store at `path`, in one run.
pub fn add_orders(path: &std::path::Path, count: i64) {
    let mut store = Store::open(path).expect("open the store");
    let created = local_noon(2);
    let orders: Vec<Order> = (0..count)
        .map(|i| {
            order(
                2001 + i,
                created,
                "USD",
                &[("Bulk Item", Some("BULK"), 1, "1.00")],
            )
        })
        .collect();
    let run = store.start_run(RunMode::Real, None).expect("start");
    let synced: Vec<SyncedOrder<'_>> = orders.iter().map(synced).collect();
    store.record_synced_orders(run, &synced).expect("record");
    store
        .finish_run(run, RunOutcome::Success, &RunCounts::default(), None, None)
        .expect("finish");
}
