//! `report`'s text: Unicode block bar charts of net revenue and orders per day, the revenue
//! figures beside the previous period, the days table, runs, errors and top products.

use comfy_table::{CellAlignment, Table};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use super::{chart_currency, shares};
use crate::cli::output::{Color, Output, or_dash};
use crate::cli::times::Zone;
use crate::order::format_money;
use crate::store::{CurrencyAmount, Report, RunOutcome};

/// Columns a full bar takes.
const BAR_WIDTH: usize = 40;

/// Partial blocks in eighths, from one eighth to seven.
const EIGHTHS: [char; 7] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// What revenue means, said under the figures (one line each).
pub const REVENUE_DEFINED: [&str; 3] = [
    "Gross: the line totals after discounts, as ordered.",
    "Net: the orders' current totals, after refunds, removed items and cancellations.",
    "Refunds: gross minus net. The previous period is as many days before, up to the same hour.",
];

/// A bar of `share` (0 to 1) of [`BAR_WIDTH`], in whole and eighth blocks; any positive share
/// shows at least an eighth.
#[must_use]
pub fn bar(share: f64) -> String {
    let eighths_total = BAR_WIDTH * 8;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=BAR_WIDTH*8 first"
    )]
    let mut eighths = (share.clamp(0.0, 1.0) * eighths_total as f64).round() as usize;
    if share > 0.0 {
        eighths = eighths.max(1);
    }
    let mut text = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        text.push(EIGHTHS[eighths % 8 - 1]);
    }
    text
}

/// Money per currency as printed everywhere, `-` for none.
pub fn money(amounts: &[CurrencyAmount]) -> String {
    if amounts.is_empty() {
        return "-".to_owned();
    }
    amounts
        .iter()
        .map(|a| format_money(a.amount, &a.currency))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Like [`money`], but no money at all is zero in `currency` when there is one.
pub fn money_or_zero(amounts: &[CurrencyAmount], currency: Option<&str>) -> String {
    match currency {
        Some(c) if amounts.is_empty() => format_money(Decimal::ZERO, c),
        _ => money(amounts),
    }
}

/// `amount` in `currency` out of `amounts` (zero when absent).
pub fn amount_in(amounts: &[CurrencyAmount], currency: &str) -> Decimal {
    amounts
        .iter()
        .find(|a| a.currency == currency)
        .map_or(Decimal::ZERO, |a| a.amount)
}

fn right_align(table: &mut Table, columns: &[usize]) {
    for &column in columns {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Prints the whole report.
///
/// # Errors
/// Writing to stdout failed.
pub fn render(
    out: &Output,
    report: &Report,
    zone: Zone,
    note: Option<&str>,
) -> std::io::Result<()> {
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
    out.line("")?;
    charts(out, report)?;
    out.line("")?;
    revenue(out, report)?;
    out.line("")?;
    days(out, report)?;
    out.line("")?;
    runs_and_errors(out, report)?;
    out.line("")?;
    products(out, report)
}

/// The two bar charts: net revenue per day in the chart currency, orders per day.
fn charts(out: &Output, report: &Report) -> std::io::Result<()> {
    let currency = chart_currency(report);
    let revenue: Vec<Decimal> = report
        .days
        .iter()
        .map(|d| {
            currency
                .as_deref()
                .map_or(Decimal::ZERO, |c| amount_in(&d.revenue, c))
        })
        .collect();
    let orders: Vec<Decimal> = report
        .days
        .iter()
        .map(|d| Decimal::from(d.orders))
        .collect();
    match &currency {
        Some(c) => out.line(format!("Net revenue per day, {c}:"))?,
        None => out.line("Net revenue per day: no orders in the period.")?,
    }
    for ((day, share), value) in report.days.iter().zip(shares(&revenue)).zip(&revenue) {
        let label = currency
            .as_deref()
            .map_or_else(String::new, |c| format_money(*value, c));
        chart_row(out, &day.date.to_string(), share, &label, Color::Green)?;
    }
    out.line("")?;
    out.line("Orders per day:")?;
    for ((day, share), value) in report.days.iter().zip(shares(&orders)).zip(&orders) {
        chart_row(
            out,
            &day.date.to_string(),
            share,
            &value.to_string(),
            Color::Yellow,
        )?;
    }
    Ok(())
}

fn chart_row(
    out: &Output,
    label: &str,
    share: f64,
    value: &str,
    color: Color,
) -> std::io::Result<()> {
    let bar = bar(share);
    let pad = " ".repeat(BAR_WIDTH + 1 - bar.chars().count());
    out.line(format!("{label} {}{pad}{value}", out.paint(&bar, color)))
}

/// Gross, refunds, net and orders, beside the previous period and the change.
fn revenue(out: &Output, report: &Report) -> std::io::Result<()> {
    let previous = &report.previous;
    let tz = report
        .timezone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::UTC);
    let label = format!(
        "Previous ({} to {})",
        previous.since.with_timezone(&tz).date_naive(),
        previous.until.with_timezone(&tz).date_naive()
    );
    let mut table = out.table(&["Revenue", "This period", &label, "Change"]);
    let currency = chart_currency(report);
    let rows = [
        ("Gross", &report.total_gross, &previous.gross),
        ("Refunds", &report.total_refunds, &previous.refunds),
        ("Net", &report.total_revenue, &previous.revenue),
    ];
    for (name, now, before) in rows {
        let change = currency.as_deref().map_or_else(
            || "-".to_owned(),
            |c| change(amount_in(now, c), amount_in(before, c)),
        );
        table.add_row(vec![
            name.to_owned(),
            money_or_zero(now, currency.as_deref()),
            money_or_zero(before, currency.as_deref()),
            change,
        ]);
    }
    table.add_row(vec![
        "Orders".to_owned(),
        report.total_orders.to_string(),
        previous.orders.to_string(),
        change(
            Decimal::from(report.total_orders),
            Decimal::from(previous.orders),
        ),
    ]);
    right_align(&mut table, &[1, 2, 3]);
    out.line(table)?;
    REVENUE_DEFINED.iter().try_for_each(|line| out.line(line))
}

/// The change from `before` to `now` in percent, `-` when there was nothing before.
#[must_use]
pub fn change(now: Decimal, before: Decimal) -> String {
    if before.is_zero() {
        return "-".to_owned();
    }
    let percent = ((now - before) / before.abs() * Decimal::from(100)).round_dp(1);
    let percent = percent.to_f64().unwrap_or(0.0);
    format!("{percent:+.1}%")
}

fn days(out: &Output, report: &Report) -> std::io::Result<()> {
    let mut days = out.table(&["Day", "Orders", "Line items", "Gross", "Net", "Test orders"]);
    for day in &report.days {
        let mut date = day.date.to_string();
        if day.length_minutes != 24 * 60 {
            date.push_str(&format!(" ({}h, DST)", day.length_minutes / 60));
        }
        days.add_row(vec![
            date,
            day.orders.to_string(),
            day.line_items.to_string(),
            money(&day.gross),
            money(&day.revenue),
            day.test_orders.to_string(),
        ]);
    }
    let tests: i64 = report.days.iter().map(|d| d.test_orders).sum();
    days.add_row(vec![
        "Total".to_owned(),
        report.total_orders.to_string(),
        report.total_line_items.to_string(),
        money(&report.total_gross),
        money(&report.total_revenue),
        tests.to_string(),
    ]);
    right_align(&mut days, &[1, 2, 3, 4, 5]);
    out.line(days)?;
    out.line("Test orders and orders deleted in Shopify are not counted in orders or revenue.")
}

fn runs_and_errors(out: &Output, report: &Report) -> std::io::Result<()> {
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
    ))
}

fn products(out: &Output, report: &Report) -> std::io::Result<()> {
    if report.top_products.is_empty() {
        return out.line("Top products: none sold in the period.");
    }
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
    out.line(products)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_whole_and_eighth_blocks() {
        assert_eq!(bar(0.0), "");
        assert_eq!(bar(1.0), "█".repeat(BAR_WIDTH));
        assert_eq!(bar(0.5), "█".repeat(BAR_WIDTH / 2));
        // 1/320 of the width: the smallest block, and a tiny share is never invisible.
        assert_eq!(bar(1.0 / 320.0), "▏");
        assert_eq!(bar(1e-9), "▏");
        assert_eq!(bar(3.5 / 40.0), "███▌");
    }

    #[test]
    fn changes_are_percent_of_the_previous_figure() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(change(d("110"), d("100")), "+10.0%");
        assert_eq!(change(d("50"), d("200")), "-75.0%");
        assert_eq!(change(d("5"), d("0")), "-");
    }
}
