//! `shopsync report`: orders, revenue, runs and errors per day.
//!
//! Days are the shop's local days (by `createdAt`; 23 or 25 hours on DST change days). Before a
//! sync has recorded the shop's time zone, days are UTC days and the report says so. The period
//! is `--days` whole local days ending with today, today counted up to now.

mod html;
mod text;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{Days, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde::Serialize;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::Output;
use crate::cli::reading::ReadStore;
use crate::config::number_in;
use crate::store::{Report, Store, local_day_start};

/// Summarise the last days: orders, line items and revenue per shop-local day and currency, sync
/// runs and their outcomes, errors, and the top products by quantity.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many days back, today included.
    #[arg(long, default_value_t = 7, allow_negative_numbers = true, value_parser = days)]
    pub days: u32,
    /// Print the report as one JSON object.
    #[arg(long, conflicts_with = "html")]
    pub json: bool,
    /// Write the report as one self-contained HTML page (charts included) to FILE instead.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
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
    if let Some(path) = &args.html {
        let (runs, errors) = match &read.store {
            Some(store) => {
                let mut runs = store.runs_since(since)?;
                runs.retain(|r| r.started_at <= now);
                runs.sort_by_key(|r| std::cmp::Reverse(r.id));
                runs.truncate(html::LISTED);
                let mut errors = store.unresolved_errors()?;
                errors.truncate(html::LISTED);
                (runs, errors)
            }
            None => (Vec::new(), Vec::new()),
        };
        write_page(path, &html::page(&report, zone, &runs, &errors))?;
        if !ctx.verbosity.quiet {
            out.line(format!("Wrote the report to {}.", path.display()))?;
        }
        return Ok(Outcome::Done);
    }
    if !ctx.verbosity.quiet {
        text::render(&out, &report, zone, read.not_yet.as_deref())?;
    }
    Ok(Outcome::Done)
}

/// Writes the page whole or not at all: a temporary file beside it, renamed over it.
fn write_page(path: &Path, page: &str) -> anyhow::Result<()> {
    let name = path.file_name().map_or_else(
        || std::ffi::OsString::from("report.html"),
        std::ffi::OsStr::to_os_string,
    );
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(&name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = std::fs::write(&tmp, page).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write the report to {}", path.display()))
}

/// The currency charts and changes are in: the shop's, or before a sync recorded it the one the
/// most revenue is in (`None` without any).
fn chart_currency(report: &Report) -> Option<String> {
    report.currency.clone().or_else(|| {
        report
            .total_revenue
            .iter()
            .max_by_key(|a| a.amount)
            .map(|a| a.currency.clone())
    })
}

/// Each value's share of the largest (all zeros when none is positive).
fn shares(values: &[Decimal]) -> Vec<f64> {
    let max = values.iter().copied().max().unwrap_or_default();
    values
        .iter()
        .map(|v| {
            if max <= Decimal::ZERO || *v <= Decimal::ZERO {
                0.0
            } else {
                (*v / max).to_f64().unwrap_or(0.0)
            }
        })
        .collect()
}
