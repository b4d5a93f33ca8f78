//! The scenarios beside the full backfill: CPU per order as the store grows, and an hourly run
//! with a few changed orders on a large sheet.

use std::sync::Arc;

use shopsync::sandbox::shopify::BucketConfig;

use super::cost;
use super::report::Report;
use super::world::{Setup, World};

/// Store sizes of the CPU-per-order scenario.
pub const CPU_SIZES: [usize; 3] = [10_000, 50_000, 100_000];
/// Rows in the sheet the hourly scenario changes a few orders of.
pub const HOURLY_ROWS: usize = 100_000;
/// Orders the hourly scenario changes.
const CHANGED_ORDERS: usize = 50;
/// Budget: the Python script's CPU seconds on the 20,000-order backfill (issue 10), of which
/// shopsync may use a tenth.
const PYTHON_CPU_SECS_20K: f64 = 1.85;
/// Budget: CPU per order at the largest store over that at the smallest ("flat").
const FLAT_SLACK: f64 = 1.15;
/// Line items per order of the generated store, about (to size a store for a number of rows).
const ROWS_PER_ORDER: f64 = 2.6;

/// An unlimited-bucket world of `orders` orders.
fn world(orders: usize, validate: bool) -> World {
    World::new(&Setup {
        orders,
        bucket: BucketConfig::unlimited(),
        google_quota: 0,
        validate,
    })
}

/// Backfills stores of each size and reports the child's CPU per order; checks it against a
/// tenth of the Python script's and that it stays flat as the store grows.
pub fn cpu_per_order(sizes: &[usize], validate: bool, report: &mut Report) {
    let name = "CPU per order";
    let budget_us = PYTHON_CPU_SECS_20K / 20_000.0 / 10.0 * 1e6;
    let mut per_order = Vec::new();
    for &orders in sizes {
        eprintln!("{name}: backfilling {orders} orders…");
        let world = world(orders, validate);
        let run = crate::sync(&world, report, name);
        let us = run.cpu.as_secs_f64() / orders.max(1) as f64 * 1e6;
        report.check(
            name,
            &format!("{orders} orders: CPU per order (user + system)"),
            format!("{us:.1} µs ({:.2} s in all)", run.cpu.as_secs_f64()),
            format!("<= {budget_us:.1} µs (a tenth of the Python script's)"),
            us <= budget_us,
        );
        report.info(
            name,
            &format!("{orders} orders: wall time, peak RSS"),
            format!(
                "{:.1} s, {:.1} MiB",
                run.wall.as_secs_f64(),
                run.peak_rss_kib as f64 / 1024.0
            ),
        );
        per_order.push(us);
    }
    if let (Some(first), Some(last)) = (per_order.first(), per_order.last())
        && per_order.len() > 1
    {
        let growth = last / first.max(f64::MIN_POSITIVE);
        report.check(
            name,
            "growth from the smallest store to the largest",
            format!("{growth:.2}×"),
            format!("<= {FLAT_SLACK}× (flat)"),
            growth <= FLAT_SLACK,
        );
    }
}

/// Backfills a store of about `rows` rows, changes a few orders, and measures the hourly run that
/// writes them: the requests it needs are those of the changed orders, whatever the sheet's size.
pub fn hourly_changes(rows: usize, validate: bool, report: &mut Report) {
    let name = format!("hourly, {CHANGED_ORDERS} changed orders");
    let orders = (rows as f64 / ROWS_PER_ORDER).ceil() as usize;
    eprintln!("{name}: backfilling {orders} orders…");
    let world = world(orders, validate);
    crate::sync(&world, report, &name);
    let (sheet_rows, _) = world.sheet_rows();
    report.info(&name, "rows in the sheet before", sheet_rows.to_string());

    let ids: Vec<u64> = world
        .shopify
        .with_store(|s, _| s.orders().map(|o| o.id).collect());
    let step = (ids.len() / CHANGED_ORDERS).max(1);
    let changed: Vec<u64> = ids
        .iter()
        .step_by(step)
        .take(CHANGED_ORDERS)
        .copied()
        .collect();
    let note: Arc<str> = Arc::from("changed by the benchmark");
    let lines: Vec<usize> = world.shopify.with_store(|s, now| {
        changed
            .iter()
            .map(|&id| {
                s.update(id, now.timestamp(), |o| o.note = Some(note.clone()));
                s.get(id).map_or(0, |o| o.lines.len())
            })
            .collect()
    });
    let shopify_before = world.shopify_stats().requests;
    let google_before = world.google_requests();
    let (writes_before, _) = world.batch_updates();
    let run = crate::sync(&world, report, &name);
    eprintln!("{name}: {}", run.stdout.trim());
    let shopify = world.shopify_stats().requests - shopify_before;
    let (minimum, _) = cost::minimum_requests(&lines);
    report.check(
        &name,
        "Shopify requests",
        shopify.to_string(),
        format!("<= {minimum} (the fewest for the changed orders)"),
        shopify <= minimum,
    );
    let (writes, _) = world.batch_updates();
    let writes = writes - writes_before;
    report.check(
        &name,
        "values:batchUpdate requests",
        writes.to_string(),
        "1".to_owned(),
        writes == 1,
    );
    report.info(
        &name,
        "Google requests (all methods + tokens)",
        (world.google_requests() - google_before).to_string(),
    );
    report.info(
        &name,
        "wall time, CPU time of the child",
        format!(
            "{:.2} s, {:.2} s",
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64()
        ),
    );
    let line_items: usize = world.line_counts().iter().sum();
    world.check_exactly_once(report, &name, line_items);
}
