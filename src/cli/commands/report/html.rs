//! `report --html FILE`: one self-contained page (inline CSS and SVG, no script, no font or image
//! from the network) with the report's figures, the period's sync runs and the open errors.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::text::{REVENUE_DEFINED, amount_in, change, money_or_zero};
use super::{chart_currency, shares};
use crate::cli::times::Zone;
use crate::order::{format_amount, format_money};
use crate::store::{ErrorRecord, Report, RunOutcome, RunRecord};

/// How many runs and open errors the page lists (the newest).
pub const LISTED: usize = 30;

/// The chart's size in SVG units.
const CHART_WIDTH: f64 = 760.0;
const CHART_HEIGHT: f64 = 180.0;
/// Room under the bars for the day labels.
const AXIS: f64 = 28.0;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;\
max-width:820px;color:#1f2933;background:#fff}h1{font-size:1.5rem;margin-bottom:.2rem}\
h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}\
.sub{color:#52606d;margin-top:0}table{border-collapse:collapse;width:100%;font-size:.9rem}\
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef2f6}td.n,th.n{text-align:right;\
font-variant-numeric:tabular-nums}.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{flex:1;\
min-width:150px;border:1px solid #d9e2ec;border-radius:6px;padding:.6rem .8rem}.card b{display:block;\
font-size:1.1rem;white-space:nowrap}.card span{color:#52606d;font-size:.8rem}.note{color:#52606d;font-size:.8rem}\
svg text{font-size:11px;fill:#52606d}.bar-revenue{fill:#2f855a}.bar-orders{fill:#c05621}\
.ok{color:#22543d}.bad{color:#c53030}.warn{color:#b7791f}";

/// Text for HTML: `&`, `<`, `>` and quotes escaped.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The whole page.
#[must_use]
pub fn page(report: &Report, zone: Zone, runs: &[RunRecord], errors: &[ErrorRecord]) -> String {
    let mut html =
        String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(
        html,
        "<meta name=\"viewport\" content=\"width=device-width\"><title>shopsync report</title>\
         <style>{STYLE}</style></head><body><h1>shopsync report</h1><p class=\"sub\">{} day(s), {} to \
         {} (today up to now). Days are in {}.</p>",
        report.days.len(),
        report
            .days
            .first()
            .map_or_else(String::new, |d| d.date.to_string()),
        report
            .days
            .last()
            .map_or_else(String::new, |d| d.date.to_string()),
        escape(&zone.describe()),
    );
    html.push_str(&cards(report));
    html.push_str(&charts(report));
    html.push_str(&products(report));
    html.push_str(&runs_section(report, zone, runs));
    html.push_str(&errors_section(report, zone, errors));
    html.push_str("</body></html>\n");
    html
}

fn cards(report: &Report) -> String {
    let currency = chart_currency(report);
    let previous = &report.previous;
    let mut html = String::from("<h2>Revenue</h2><div class=\"cards\">");
    let figures = [
        ("Gross", &report.total_gross, &previous.gross),
        ("Refunds", &report.total_refunds, &previous.refunds),
        ("Net", &report.total_revenue, &previous.revenue),
    ];
    for (name, now, before) in figures {
        let change = currency.as_deref().map_or_else(
            || "-".to_owned(),
            |c| change(amount_in(now, c), amount_in(before, c)),
        );
        let _ = write!(
            html,
            "<div class=\"card\"><span>{name}</span><b>{}</b><span>previous {} · {change}</span></div>",
            escape(&money_or_zero(now, currency.as_deref())),
            escape(&money_or_zero(before, currency.as_deref())),
        );
    }
    let _ = write!(
        html,
        "<div class=\"card\"><span>Orders</span><b>{}</b><span>previous {} · {}</span></div></div>\
         <p class=\"note\">{} Test orders and orders deleted in Shopify are not counted.</p>",
        report.total_orders,
        previous.orders,
        change(
            Decimal::from(report.total_orders),
            Decimal::from(previous.orders)
        ),
        escape(&REVENUE_DEFINED.join(" ")),
    );
    html
}

fn charts(report: &Report) -> String {
    let currency = chart_currency(report);
    let revenue: Vec<(String, Decimal, String)> = report
        .days
        .iter()
        .map(|d| {
            let value = currency
                .as_deref()
                .map_or(Decimal::ZERO, |c| amount_in(&d.revenue, c));
            let label = currency
                .as_deref()
                .map_or_else(String::new, |c| format_money(value, c));
            (d.date.to_string(), value, label)
        })
        .collect();
    let orders: Vec<(String, Decimal, String)> = report
        .days
        .iter()
        .map(|d| {
            (
                d.date.to_string(),
                Decimal::from(d.orders),
                d.orders.to_string(),
            )
        })
        .collect();
    let title = currency.as_deref().map_or_else(
        || "Net revenue per day".to_owned(),
        |c| format!("Net revenue per day, {c}"),
    );
    let peak = currency.as_deref().map_or_else(String::new, |c| {
        let max = revenue.iter().map(|r| r.1).max().unwrap_or_default();
        format_amount(max, c)
    });
    format!(
        "<h2>{}</h2>{}<h2>Orders per day</h2>{}",
        escape(&title),
        bar_chart("revenue", &revenue, &peak),
        bar_chart(
            "orders",
            &orders,
            &orders
                .iter()
                .map(|o| o.1)
                .max()
                .unwrap_or_default()
                .to_string()
        ),
    )
}

/// An SVG bar chart: one `rect` per day (with its figure as a tooltip), the day under it.
fn bar_chart(class: &str, values: &[(String, Decimal, String)], peak: &str) -> String {
    let figures: Vec<Decimal> = values.iter().map(|v| v.1).collect();
    let slot = CHART_WIDTH / values.len().max(1) as f64;
    let plot = CHART_HEIGHT - AXIS;
    let mut svg = format!(
        "<svg id=\"chart-{class}\" role=\"img\" width=\"{CHART_WIDTH}\" height=\"{CHART_HEIGHT}\" \
         viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <line x1=\"0\" y1=\"{plot}\" x2=\"{CHART_WIDTH}\" y2=\"{plot}\" stroke=\"#9aa5b1\"/>\
         <text x=\"2\" y=\"12\">max {}</text>",
        escape(peak)
    );
    // Label every day when they fit, else about twelve labels.
    let every = values.len().div_ceil(12).max(1);
    for (i, ((day, _, label), share)) in values.iter().zip(shares(&figures)).enumerate() {
        let height = (share * (plot - 16.0)).max(if share > 0.0 { 1.0 } else { 0.0 });
        let x = i as f64 * slot + slot * 0.15;
        let _ = write!(
            svg,
            "<rect class=\"bar bar-{class}\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{height:.1}\">\
             <title>{}: {}</title></rect>",
            plot - height,
            slot * 0.7,
            escape(day),
            escape(label),
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.35,
                plot + 16.0,
                escape(day.get(5..).unwrap_or(day)),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn products(report: &Report) -> String {
    let mut html = String::from("<h2>Top products by quantity</h2>");
    if report.top_products.is_empty() {
        html.push_str("<p>None sold in the period.</p>");
        return html;
    }
    html.push_str(
        "<table><tr><th>Product</th><th>SKU</th><th class=\"n\">Quantity</th>\
         <th class=\"n\">Orders</th></tr>",
    );
    for p in &report.top_products {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&p.title),
            escape(p.sku.as_deref().unwrap_or("-")),
            p.quantity,
            p.orders
        );
    }
    html.push_str("</table>");
    html
}

fn outcome_class(outcome: Option<RunOutcome>) -> &'static str {
    match outcome {
        Some(RunOutcome::Success) => "ok",
        Some(RunOutcome::Failed | RunOutcome::Abandoned) => "bad",
        _ => "warn",
    }
}

fn runs_section(report: &Report, zone: Zone, runs: &[RunRecord]) -> String {
    let mut html = String::from("<h2>Sync runs</h2>");
    if report.runs.is_empty() {
        html.push_str("<p>None in the period.</p>");
        return html;
    }
    html.push_str("<table><tr><th>Mode</th><th>Outcome</th><th class=\"n\">Runs</th></tr>");
    for count in &report.runs {
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td class=\"n\">{}</td></tr>",
            count.mode.as_str(),
            outcome_class(count.outcome),
            count.outcome.map_or("unfinished", RunOutcome::as_str),
            count.runs
        );
    }
    let _ = write!(
        html,
        "</table><p class=\"note\">The newest {} run(s):</p><table><tr><th>Run</th><th>Started</th>\
         <th>Mode</th><th>Outcome</th><th class=\"n\">New</th><th class=\"n\">Updated</th>\
         <th class=\"n\">Failed</th><th>Message</th></tr>",
        runs.len()
    );
    for run in runs {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            run.id,
            escape(&zone.minute(run.started_at)),
            run.mode.as_str(),
            outcome_class(run.outcome),
            run.outcome.map_or("unfinished", RunOutcome::as_str),
            run.counts.new,
            run.counts.updated,
            run.counts.failed,
            escape(run.message.as_deref().unwrap_or("")),
        );
    }
    html.push_str("</table>");
    html
}

fn errors_section(report: &Report, zone: Zone, errors: &[ErrorRecord]) -> String {
    let mut html = format!(
        "<h2>Open errors</h2><p>{} seen in the period, {} unresolved now.</p>",
        report.errors_in_period, report.errors_unresolved
    );
    if errors.is_empty() {
        return html;
    }
    html.push_str(
        "<table><tr><th>Order</th><th>Last seen</th><th>Kind</th><th class=\"n\">Attempts</th>\
         <th>Message</th></tr>",
    );
    for error in errors {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(error.order_name.as_deref().unwrap_or("(the sync)")),
            escape(&zone.minute(error.last_seen_at)),
            escape(&error.kind),
            error.attempts,
            escape(&error.message),
        );
    }
    html.push_str("</table>");
    html
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            escape("<b>\"Poster\" & 'x'</b>"),
            "&lt;b&gt;&quot;Poster&quot; &amp; &#39;x&#39;&lt;/b&gt;"
        );
    }
}
