//! Tests of the tracking tables and the queries over them: recording a confirmed write, hashes,
//! `reset`, gaps, export rows, and the report across a DST change.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::clock::ManualClock;
use crate::order::{LineItem, Money, Order};
use crate::sync::fixtures::{at, bare_order, item, money};

fn usd(amount: &str) -> Money {
    money(amount, "USD")
}

/// An order with line items `(id, title, sku, current quantity, unit price)`.
fn order(number: i64, created: &str, total: &str, items: &[(i64, &str, &str, i64, &str)]) -> Order {
    let line_items = items
        .iter()
        .map(|&(id, title, sku, qty, price)| LineItem {
            variant_title: None,
            sku: Some(sku.into()),
            quantity: qty,
            current_quantity: qty,
            product_gid: None,
            ..item(id.unsigned_abs(), title, price)
        })
        .collect();
    bare_order(
        (number * 10).unsigned_abs(),
        number,
        at(created),
        total,
        line_items,
    )
}

fn synced(order: &Order, first_row: i64) -> SyncedOrder<'_> {
    SyncedOrder {
        order,
        content_hash: format!("order-hash-{}", order.number),
        rows: order
            .line_items
            .iter()
            .zip(first_row..)
            .map(|(item, row)| SyncedRow {
                line_item_id: item.legacy_id().to_owned(),
                row_hash: format!("row-hash-{}", item.legacy_id()),
                sheet_row: Some(row),
            })
            .collect(),
    }
}

fn store_at(now: &str) -> (Store, ManualClock) {
    let clock = ManualClock::new(at(now));
    let store = Store::open_in_memory()
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    (store, clock)
}

#[test]
fn recorded_orders_give_back_their_hashes_and_rows() {
    let (mut store, _) = store_at("2026-04-01T00:00:00Z");
    let run = store.start_run(RunMode::Real, None).unwrap();
    let a = order(
        1001,
        "2026-03-30T10:00:00Z",
        "30.00",
        &[(1, "Mug", "M-1", 2, "10.00"), (2, "Tea", "T-1", 1, "10.00")],
    );
    let b = order(
        1002,
        "2026-03-30T11:00:00Z",
        "5.50",
        &[(3, "Tea", "T-1", 1, "5.50")],
    );
    store
        .record_error(&NewError {
            run: Some(run),
            order_gid: Some(&a.gid),
            order_name: Some(&a.name),
            stage: "write",
            kind: "http_503",
            message: "unavailable",
        })
        .unwrap();
    store
        .record_synced_orders(run, &[synced(&a, 2), synced(&b, 4)])
        .unwrap();

    let hashes = store
        .tracked_hashes_for(&[a.gid.as_str(), b.gid.as_str(), "gid://shopify/Order/404"])
        .unwrap();
    assert_eq!(hashes.len(), 2, "never-synced orders are absent");
    let ha = &hashes[&a.gid];
    assert_eq!(ha.content_hash.as_deref(), Some("order-hash-1001"));
    assert_eq!(ha.line_items.len(), 2);
    assert_eq!(
        ha.line_items["2"],
        LineItemHashes {
            row_hash: Some("row-hash-2".into()),
            sheet_row: Some(3)
        }
    );
    // Recording resolved the order's error and took it off the refetch queue.
    assert!(store.unresolved_errors().unwrap().is_empty());
    assert!(store.pending_refetch().unwrap().is_empty());

    let counts = store.tracked_counts().unwrap();
    assert_eq!((counts.orders, counts.line_items), (2, 3));

    let record = store.order_by_number(1001).unwrap().unwrap();
    assert_eq!(record.total, "30.00".parse::<Decimal>().unwrap());
    assert_eq!(record.line_item_count, 2);
    assert!(!record.pending_rewrite);
    assert_eq!(store.order_by_number(999).unwrap(), None);
    let recent = store.recent_orders(1).unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].number, 1002, "newest first");

    // A second write of the same order updates in place and keeps the row hint when none is given.
    let mut a2 = a.clone();
    a2.financial_status = Some("REFUNDED".into());
    a2.current_total = usd("0.00");
    let mut s2 = synced(&a2, 0);
    s2.rows[0].sheet_row = None;
    let run2 = store.start_run(RunMode::Real, None).unwrap();
    store.record_synced_orders(run2, &[s2]).unwrap();
    let hashes = store.tracked_hashes_for(&[a.gid.as_str()]).unwrap();
    assert_eq!(hashes[&a.gid].line_items["1"].sheet_row, Some(2));
    assert_eq!(hashes[&a.gid].line_items["2"].sheet_row, Some(1));
    let record = store.order_by_number(1001).unwrap().unwrap();
    assert_eq!(record.financial_status.as_deref(), Some("REFUNDED"));
    assert_eq!(record.first_synced_at, at("2026-04-01T00:00:00Z"));
    assert_eq!(store.tracked_counts().unwrap().line_items, 3);
}

fn foreign_keys_on(store: &Store) -> bool {
    store
        .conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn recording_switches_foreign_keys_back_on_and_leaves_none_broken() {
    let (mut store, _) = store_at("2026-04-01T00:00:00Z");
    let run = store.start_run(RunMode::Real, None).unwrap();
    let a = order(
        1001,
        "2026-03-30T10:00:00Z",
        "30.00",
        &[(1, "Mug", "M-1", 2, "10.00")],
    );
    let b = order(
        1002,
        "2026-03-30T11:00:00Z",
        "5.50",
        &[(3, "Tea", "T-1", 1, "5.50")],
    );
    store.record_synced_orders(run, &[synced(&a, 2)]).unwrap();
    // Again, as an update: the upsert keeps the order's key, so no cascade takes its line items.
    store
        .record_synced_orders(run, &[synced(&a, 2), synced(&b, 3)])
        .unwrap();
    assert!(foreign_keys_on(&store), "back on after a recording");
    let broken: Vec<String> = store
        .conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(broken.is_empty(), "rows without their parent in {broken:?}");
    let line_items: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM line_item_tracking", [], |r| r.get(0))
        .unwrap();
    assert_eq!(line_items, 2, "each line item once, none cascaded away");

    // A recording that fails leaves nothing of itself, and the keys on.
    store
        .conn
        .execute_batch(
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON line_item_tracking \
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .unwrap();
    let c = order(
        1003,
        "2026-03-30T12:00:00Z",
        "1.00",
        &[(4, "Pen", "P-1", 1, "1.00")],
    );
    assert!(store.record_synced_orders(run, &[synced(&c, 4)]).is_err());
    assert!(foreign_keys_on(&store), "back on after a failed recording");
    assert!(store.order_by_number(1003).unwrap().is_none());
}

#[test]
fn reset_forgets_hashes_and_queues_a_fetch_by_id() {
    let (mut store, _) = store_at("2026-04-01T00:00:00Z");
    let run = store.start_run(RunMode::Real, None).unwrap();
    let a = order(
        1001,
        "2026-03-30T10:00:00Z",
        "30.00",
        &[(1, "Mug", "M-1", 2, "10.00"), (2, "Tea", "T-1", 1, "10.00")],
    );
    store.record_synced_orders(run, &[synced(&a, 2)]).unwrap();

    assert_eq!(store.reset_order(4242).unwrap(), None);
    let reset = store.reset_order(1001).unwrap().unwrap();
    assert_eq!(reset.gid, a.gid);
    assert_eq!(reset.name, "#1001");
    assert_eq!(reset.line_items, 2);

    let hashes = store.tracked_hashes_for(&[a.gid.as_str()]).unwrap();
    let h = &hashes[&a.gid];
    assert_eq!(h.content_hash, None);
    assert!(h.line_items.values().all(|l| l.row_hash.is_none()));
    assert_eq!(
        h.line_items["1"].sheet_row,
        Some(2),
        "row hints survive a reset"
    );
    assert_eq!(store.pending_refetch().unwrap(), vec![a.gid.clone()]);
    assert!(
        store
            .order_by_number(1001)
            .unwrap()
            .unwrap()
            .pending_rewrite
    );

    // The next confirmed write clears the queue and restores the hashes.
    store.record_synced_orders(run, &[synced(&a, 2)]).unwrap();
    assert!(store.pending_refetch().unwrap().is_empty());
    assert!(
        !store
            .order_by_number(1001)
            .unwrap()
            .unwrap()
            .pending_rewrite
    );
}

#[test]
fn gaps_skip_tracked_and_explained_numbers() {
    let (mut store, _) = store_at("2026-04-01T00:00:00Z");
    let run = store.start_run(RunMode::Real, None).unwrap();
    let orders: Vec<Order> = [1001, 1002, 1005, 1009]
        .iter()
        .map(|&n| {
            order(
                n,
                "2026-03-30T10:00:00Z",
                "1.00",
                &[(n, "Mug", "M-1", 1, "1.00")],
            )
        })
        .collect();
    let synced: Vec<SyncedOrder<'_>> = orders.iter().map(|o| synced(o, 2)).collect();
    store.record_synced_orders(run, &synced).unwrap();
    assert_eq!(
        store.tracked_order_numbers().unwrap(),
        vec![1001, 1002, 1005, 1009]
    );
    store
        .record_explained_gaps(&[(1003, GapClass::Deleted), (1007, GapClass::Absent)])
        .unwrap();
    let gaps = store.unexplained_gaps().unwrap();
    assert_eq!(
        gaps,
        vec![
            NumberRange {
                first: 1004,
                last: 1004
            },
            NumberRange {
                first: 1006,
                last: 1006
            },
            NumberRange {
                first: 1008,
                last: 1008
            },
        ]
    );
    let explained = store.explained_gaps().unwrap();
    assert_eq!(explained.len(), 2);
    assert_eq!(explained[0].class, GapClass::Deleted);
    assert_eq!(store.tracked_counts().unwrap().explained_gaps, 2);

    store
        .mark_orders_deleted(&[orders[3].gid.as_str()])
        .unwrap();
    let counts = store.tracked_counts().unwrap();
    assert_eq!((counts.orders, counts.deleted_orders), (3, 1));
}

#[test]
fn export_and_reconciliation_rows_cover_every_tracked_line_item() {
    let (mut store, _) = store_at("2026-04-01T00:00:00Z");
    let run = store.start_run(RunMode::Real, None).unwrap();
    let a = order(
        1002,
        "2026-03-30T10:00:00Z",
        "30.00",
        &[
            (10, "Mug", "M-1", 2, "10.00"),
            (9, "Tea", "T-1", 1, "10.00"),
        ],
    );
    let b = order(
        1001,
        "2026-03-29T10:00:00Z",
        "5.50",
        &[(3, "=cmd()", "T-1", 1, "5.50")],
    );
    store
        .record_synced_orders(run, &[synced(&a, 2), synced(&b, 4)])
        .unwrap();

    let mut rows = Vec::new();
    store
        .each_export_row(|row| -> Result<(), StoreError> {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.order.as_str(), r.line_item_id.as_str()))
        .collect();
    assert_eq!(keys, vec![("#1001", "3"), ("#1002", "9"), ("#1002", "10")]);
    assert_eq!(rows[2].unit_price, "10.00".parse::<Decimal>().unwrap());
    assert_eq!(rows[2].order_total, "30.00".parse::<Decimal>().unwrap());
    assert_eq!(
        rows[0].product, "=cmd()",
        "the store keeps values; the CLI neutralises CSV cells"
    );
    let json = serde_json::to_value(&rows[2]).unwrap();
    assert_eq!(
        json["unit_price"], "10.00",
        "money serialises as exact text"
    );

    let mut tracked = Vec::new();
    store
        .each_tracked_line_item(|item| -> Result<(), StoreError> {
            tracked.push(item);
            Ok(())
        })
        .unwrap();
    assert_eq!(tracked.len(), 3);
    assert_eq!(tracked[0].order_legacy_id, "10010");

    // The callback's own error stops the walk and comes back.
    #[derive(Debug)]
    enum Walk {
        Stop,
        Store,
    }
    impl From<StoreError> for Walk {
        fn from(_: StoreError) -> Self {
            Self::Store
        }
    }
    let mut seen = 0;
    let stopped = store.each_export_row(|_| {
        seen += 1;
        Err(Walk::Stop)
    });
    assert!(matches!(stopped, Err(Walk::Stop)));
    assert_eq!(seen, 1);
}

#[test]
fn report_counts_shop_local_days_across_a_dst_change() {
    let ny = chrono_tz::America::New_York;
    let (mut store, _) = store_at("2026-03-10T12:00:00Z");
    let run = store.start_run(RunMode::Real, None).unwrap();
    // DST starts in New York on Sunday 2026-03-08 at 02:00 local: that day has 23 hours.
    let orders = [
        // 2026-03-07 23:30 EST: Saturday.
        order(
            1001,
            "2026-03-08T04:30:00Z",
            "10.10",
            &[(1, "Mug", "M-1", 1, "10.10")],
        ),
        // 2026-03-08 00:30 EST: Sunday.
        order(
            1002,
            "2026-03-08T05:30:00Z",
            "20.20",
            &[(2, "Mug", "M-1", 2, "10.10")],
        ),
        // 2026-03-08 23:30 EDT: still Sunday (UTC says Monday).
        order(
            1003,
            "2026-03-09T03:30:00Z",
            "0.30",
            &[(3, "Tea", "T-1", 3, "0.10"), (4, "Mug", "M-1", 1, "0.00")],
        ),
        // 2026-03-09 00:30 EDT: Monday.
        order(
            1004,
            "2026-03-09T04:30:00Z",
            "7.00",
            &[(5, "Tea", "T-1", 1, "7.00")],
        ),
    ];
    let mut eur = order(
        1005,
        "2026-03-08T12:00:00Z",
        "9.99",
        &[(6, "Mug", "M-1", 1, "9.99")],
    );
    eur.current_total.currency = "EUR".into();
    let mut test = order(
        1006,
        "2026-03-08T12:00:00Z",
        "1000.00",
        &[(7, "Mug", "M-1", 100, "10.00")],
    );
    test.test = true;
    let mut all: Vec<SyncedOrder<'_>> = orders.iter().map(|o| synced(o, 2)).collect();
    all.push(synced(&eur, 20));
    all.push(synced(&test, 30));
    store.record_synced_orders(run, &all).unwrap();
    store
        .finish_run(run, RunOutcome::Partial, &RunCounts::default(), None, None)
        .unwrap();
    store
        .record_error(&NewError {
            run: Some(run),
            order_gid: Some("gid://shopify/Order/9"),
            order_name: None,
            stage: "rows",
            kind: "invalid_data",
            message: "bad",
        })
        .unwrap();

    let since = local_day_start(NaiveDate::from_ymd_opt(2026, 3, 7).unwrap(), ny);
    assert_eq!(since, at("2026-03-07T05:00:00Z"));
    let report = store.report(since, at("2026-03-10T12:00:00Z"), ny).unwrap();
    assert_eq!(report.timezone, "America/New_York");
    let days: Vec<(String, i64, i64, i64)> = report
        .days
        .iter()
        .map(|d| (d.date.to_string(), d.length_minutes, d.orders, d.line_items))
        .collect();
    assert_eq!(
        days,
        vec![
            ("2026-03-07".to_owned(), 24 * 60, 1, 1),
            ("2026-03-08".to_owned(), 23 * 60, 3, 4),
            ("2026-03-09".to_owned(), 24 * 60, 1, 1),
            ("2026-03-10".to_owned(), 24 * 60, 0, 0),
        ]
    );
    let sunday = &report.days[1];
    assert_eq!(sunday.start.to_rfc3339(), "2026-03-08T00:00:00-05:00");
    assert_eq!(sunday.test_orders, 1);
    assert_eq!(
        sunday.revenue,
        vec![
            CurrencyAmount {
                currency: "EUR".into(),
                amount: "9.99".parse().unwrap()
            },
            CurrencyAmount {
                currency: "USD".into(),
                amount: "20.50".parse().unwrap()
            },
        ]
    );
    assert_eq!(
        report.days[2].start.to_rfc3339(),
        "2026-03-09T00:00:00-04:00"
    );
    assert_eq!(report.total_orders, 5);
    assert_eq!(
        report.total_revenue,
        vec![
            CurrencyAmount {
                currency: "EUR".into(),
                amount: "9.99".parse().unwrap()
            },
            CurrencyAmount {
                currency: "USD".into(),
                amount: "37.60".parse().unwrap()
            },
        ]
    );
    assert_eq!(
        report.runs,
        vec![OutcomeCount {
            mode: RunMode::Real,
            outcome: Some(RunOutcome::Partial),
            runs: 1
        }]
    );
    assert_eq!((report.errors_in_period, report.errors_unresolved), (1, 1));
    let top: Vec<(&str, i64, i64)> = report
        .top_products
        .iter()
        .map(|p| (p.title.as_str(), p.quantity, p.orders))
        .collect();
    assert_eq!(
        top,
        vec![("Mug", 5, 4), ("Tea", 4, 2)],
        "test orders excluded"
    );

    // Autumn: 2026-11-01 has 25 hours in New York.
    let fall = store
        .report(
            local_day_start(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), ny),
            at("2026-11-01T12:00:00Z"),
            ny,
        )
        .unwrap();
    assert_eq!(fall.days.len(), 1);
    assert_eq!(fall.days[0].length_minutes, 25 * 60);
}

#[test]
fn report_revenue_is_gross_refunds_and_net_beside_the_previous_period() {
    let utc = chrono_tz::UTC;
    let (mut store, _) = store_at("2026-04-10T12:00:00Z");
    store
        .record_shop(&crate::order::Shop {
            name: "S".into(),
            myshopify_domain: "s.myshopify.com".into(),
            iana_timezone: "UTC".into(),
            currency_code: "USD".into(),
            order_number_prefix: "#".into(),
            order_number_suffix: String::new(),
        })
        .unwrap();
    let run = store.start_run(RunMode::Real, None).unwrap();
    let orders = [
        // In the period: 30.00 ordered, 10.00 refunded since.
        order(
            1001,
            "2026-04-09T10:00:00Z",
            "20.00",
            &[(1, "Mug", "M-1", 1, "30.00")],
        ),
        order(
            1002,
            "2026-04-10T08:00:00Z",
            "15.00",
            &[(2, "Tea", "T-1", 1, "15.00")],
        ),
        // The previous period runs from 04-07 00:00 for as long as this one so far (36 hours).
        order(
            1003,
            "2026-04-07T11:00:00Z",
            "40.00",
            &[(3, "Mug", "M-1", 1, "40.00")],
        ),
        // After the same hour of the previous period's second day: not compared.
        order(
            1004,
            "2026-04-08T13:00:00Z",
            "99.00",
            &[(4, "Mug", "M-1", 1, "99.00")],
        ),
        // Before it.
        order(
            1005,
            "2026-04-06T23:00:00Z",
            "77.00",
            &[(5, "Mug", "M-1", 1, "77.00")],
        ),
    ];
    let all: Vec<SyncedOrder<'_>> = orders.iter().map(|o| synced(o, 2)).collect();
    store.record_synced_orders(run, &all).unwrap();

    let since = local_day_start(NaiveDate::from_ymd_opt(2026, 4, 9).unwrap(), utc);
    let report = store
        .report(since, at("2026-04-10T12:00:00Z"), utc)
        .unwrap();
    let usd = |a: &str| {
        vec![CurrencyAmount {
            currency: "USD".into(),
            amount: a.parse().unwrap(),
        }]
    };
    assert_eq!(report.currency.as_deref(), Some("USD"));
    assert_eq!(report.total_gross, usd("45.00"));
    assert_eq!(report.total_refunds, usd("10.00"));
    assert_eq!(report.total_revenue, usd("35.00"));
    assert_eq!(
        (
            &report.days[0].gross,
            &report.days[0].refunds,
            &report.days[0].revenue
        ),
        (&usd("30.00"), &usd("10.00"), &usd("20.00"))
    );
    assert_eq!(report.days[1].refunds, usd("0.00"));

    let previous = &report.previous;
    assert_eq!(
        (previous.since, previous.until),
        (at("2026-04-07T00:00:00Z"), at("2026-04-08T12:00:00Z"))
    );
    assert_eq!(previous.orders, 1, "only #1003");
    assert_eq!(previous.gross, usd("40.00"));
    assert_eq!(previous.refunds, usd("0.00"));
    assert_eq!(previous.revenue, usd("40.00"));
}

/// An order Shopify stamped `2026-04-01T00:00:00Z`, recorded by a run that started at `started`.
fn recorded_by_run_at(started: &str) -> (Store, Order) {
    let mut a = order(
        1001,
        "2026-03-30T10:00:00Z",
        "30.00",
        &[(1, "Mug", "M-1", 2, "10.00")],
    );
    a.updated_at = at("2026-04-01T00:00:00Z");
    let (mut store, _) = store_at(started);
    let run = store.start_run(RunMode::Real, None).unwrap();
    store.record_synced_orders(run, &[synced(&a, 2)]).unwrap();
    (store, a)
}

#[test]
fn an_order_is_current_only_when_its_stamp_is_a_second_older_than_the_run_that_recorded_it() {
    // Read in the second Shopify stamped it: a change after the read can carry the same stamp.
    let in_step = chrono::Duration::zero();
    let (store, a) = recorded_by_run_at("2026-04-01T00:00:00.400Z");
    assert!(!store.is_current(&a.gid, a.updated_at, in_step).unwrap());
    // Read a second later: any later change has a later stamp.
    let (store, a) = recorded_by_run_at("2026-04-01T00:00:01Z");
    assert!(store.is_current(&a.gid, a.updated_at, in_step).unwrap());
    assert!(
        !store
            .is_current(&a.gid, at("2026-04-01T00:00:02Z"), in_step)
            .unwrap()
    );
}

#[test]
fn a_clock_ahead_of_shopifys_moves_the_run_start_back_before_the_stamps_are_compared() {
    // This clock says 00:00:01.2 while Shopify's says 00:00:00.2: the read was in the second of
    // the stamp, so a later change may carry it.
    let (store, a) = recorded_by_run_at("2026-04-01T00:00:01.200Z");
    let ms = chrono::Duration::milliseconds;
    assert!(store.is_current(&a.gid, a.updated_at, ms(0)).unwrap());
    assert!(store.is_current(&a.gid, a.updated_at, ms(150)).unwrap());
    assert!(!store.is_current(&a.gid, a.updated_at, ms(1_000)).unwrap());
    assert!(!store.is_current(&a.gid, a.updated_at, ms(4_500)).unwrap());
    // A clock behind Shopify's is not a reason to trust a stamp sooner.
    assert!(store.is_current(&a.gid, a.updated_at, ms(-3_000)).unwrap());
}

#[test]
fn recording_waits_for_another_process_that_writes_meanwhile_instead_of_failing_as_busy() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopify_sync.db");
    let mut store = Store::open(&db).unwrap();
    let run = store.start_run(RunMode::Real, None).unwrap();
    let a = order(
        1001,
        "2026-03-30T10:00:00Z",
        "30.00",
        &[(1, "Mug", "M-1", 2, "10.00")],
    );
    // Another process (an overlapping `sync --test`) is writing its run, and commits while the
    // recording waits. A deferred transaction would have read first and then failed at once as
    // busy (its snapshot older than that commit); one that takes the write lock first waits.
    let other = rusqlite::Connection::open(&db).unwrap();
    other
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO sync_history (mode, started_at) \
             VALUES ('test', '2026-04-01T00:00:00.000000Z');",
        )
        .unwrap();
    let commit = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        other.execute_batch("COMMIT").unwrap();
    });
    let recorded = store.record_synced_orders(run, &[synced(&a, 2)]);
    commit.join().unwrap();
    recorded.unwrap();
    assert_eq!(store.recent_line_counts(10).unwrap(), [1]);
    assert_eq!(
        store.recent_runs(10).unwrap().len(),
        2,
        "both runs are there"
    );
}
