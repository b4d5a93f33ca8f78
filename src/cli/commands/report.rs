//! `shopsync report`: orders, revenue, runs and errors per day.
//!
//! Days are the shop's local days (by `createdAt`; 23 or 25 hours on DST change days). Before a
//! sync has recorded the shop's time zone, days are UTC days and the report says so. The period
//! is `--days` whole local days ending with today, today counted up to now.

use chrono::{Days, Utc};
use comfy_table::CellAlignment;
use serde::Serialize;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Output, or_dash};
use crate::cli::reading::ReadStore;
use crate::cli::times::Zone;
use crate::config::number_in;
use crate::store::{CurrencyAmount, Report, RunOutcome, Store, local_day_start};

/// Summarise the last days: orders, line items and revenue per shop-local day and currency, sync
/// runs and their outcomes, errors, and the top products by quantity.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many days back, today included.
    #[arg(long, default_value_t = 7, allow_negative_numbers = true, value_parser = days)]
    pub days: u32,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The longest period a report covers, in days (about ten years).
const MAX_DAYS: u32 = 3650;

/// `--days`, with the same words as a number in the configuration (a negative one is out of range,
/// not a flag).
fn days(text: &str) -> Result<u32, String> {
    number_in(text, 1, MAX_DAYS)
}

/// The `--json` shape: the store's report, and whether its days are the shop's.
#[derive(Debug, Serialize)]
struct Json<'a> {
    /// `shop` when days are the shop's local days, `utc` before a sync recorded the shop's zone.
    timezone_source: &'static str,
    /// Set before the first sync, when there is no database to report on.
    note: Option<&'a str>,
    #[serde(flatten)]
    report: &'a Report,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let out = Output::detect(args.json);
    let read = ReadStore::open(ctx)?;
    let zone = read.zone()?;
    let tz = zone.tz();
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let first = today
        .checked_sub_days(Days::new(u64::from(args.days - 1)))
        .unwrap_or(today);
    let since = local_day_start(first, tz);
    let report = match &read.store {
        Some(store) => store.report(since, now, tz)?,
        // An empty store gives the same shape of report (every day, all zeros) without a file.
        None => Store::open_in_memory()?.report(since, now, tz)?,
    };
    if args.json {
        out.print_json(&Json {
            timezone_source: if zone.is_shop() { "shop" } else { "utc" },
            note: read.not_yet.as_deref(),
            report: &report,
        })?;
        return Ok(Outcome::Done);
    }
    if !ctx.verbosity.quiet {
        render(&out, &report, zone, read.not_yet.as_deref())?;
    }
    Ok(Outcome::Done)
}

fn money(amounts: &[CurrencyAmount]) -> String {
    if amounts.is_empty() {
        return "-".to_owned();
    }
    amounts
        .iter()
        .map(|a| format!("{} {}", a.amount, a.currency))
        .collect::<Vec<_>>()
        .join(", ")
}

fn right_align(table: &mut comfy_table::Table, columns: &[usize]) {
    for &column in columns {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn render(out: &Output, report: &Report, zone: Zone, note: Option<&str>) -> std::io::Result<()> {
    if let Some(note) = note {
        out.line(note)?;
    }
    let (first, last) = match (report.days.first(), report.days.last()) {
        (Some(first), Some(last)) => (first.date, last.date),
        _ => {
            let today = report.until.with_timezone(&zone.tz()).date_naive();
            (today, today)
        }
    };
    out.line(format!(
        "Report for {} day(s), {first} to {last} (today up to now). Days are in {}.",
        report.days.len(),
        zone.describe()
    ))?;
    let mut days = out.table(&["Day", "Orders", "Line items", "Revenue", "Test orders"]);
    for day in &report.days {
        let mut date = day.date.to_string();
        if day.length_minutes != 24 * 60 {
            date.push_str(&format!(" ({}h, DST)", day.length_minutes / 60));
        }
        days.add_row(vec![
            date,
            day.orders.to_string(),
            day.line_items.to_string(),
            money(&day.revenue),
            day.test_orders.to_string(),
        ]);
    }
    days.add_row(vec![
        "Total".to_owned(),
        report.total_orders.to_string(),
        report.total_line_items.to_string(),
        money(&report.total_revenue),
        report
            .days
            .iter()
            .map(|d| d.test_orders)
            .sum::<i64>()
            .to_string(),
    ]);
    right_align(&mut days, &[1, 2, 3, 4]);
    out.line(days)?;
    out.line("Test orders and orders deleted in Shopify are not counted in orders or revenue.")?;

    out.line("")?;
    if report.runs.is_empty() {
        out.line("Sync runs: none in the period.")?;
    } else {
        out.line("Sync runs:")?;
        let mut runs = out.table(&["Mode", "Outcome", "Runs"]);
        for count in &report.runs {
            runs.add_row(vec![
                count.mode.as_str().to_owned(),
                count
                    .outcome
                    .map_or("unfinished", RunOutcome::as_str)
                    .to_owned(),
                count.runs.to_string(),
            ]);
        }
        right_align(&mut runs, &[2]);
        out.line(runs)?;
    }
    out.line(format!(
        "Errors: {} seen in the period, {} unresolved now.",
        report.errors_in_period, report.errors_unresolved
    ))?;

    out.line("")?;
    if report.top_products.is_empty() {
        out.line("Top products: none sold in the period.")?;
    } else {
        out.line("Top products by quantity:")?;
        let mut products = out.table(&["Product", "SKU", "Quantity", "Orders"]);
        for product in &report.top_products {
            products.add_row(vec![
                product.title.clone(),
                or_dash(product.sku.as_ref()),
                product.quantity.to_string(),
                product.orders.to_string(),
            ]);
        }
        right_align(&mut products, &[2, 3]);
        out.line(products)?;
    }
    Ok(())
}
