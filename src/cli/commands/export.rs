//! `shopsync export`: the tracking data as a file.
//!
//! The file is written under a temporary name and moved into place when complete, owner-only and
//! never over an existing file without `--force` ([`crate::cli::placing`]).

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::Utc;

use crate::cli::Context;
use crate::cli::exit::{Outcome, UsageError};
use crate::cli::output::Output;
use crate::cli::placing::Pending;
use crate::cli::reading::ReadStore;
use crate::cli::times::Zone;
use crate::csv_safe::neutralise;
use crate::store::{ExportRow, OrderStatus};

/// Write one line per tracked line item, with its order's fields, to a CSV file (or JSON when the
/// file name ends in .json). Cells are neutralised against formula injection.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to write, ending in .csv or .json (default: `shopsync_export_<date>.csv` in the
    /// working directory).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The CSV header, one column per [`ExportRow`] field, named like the sheet's columns.
const CSV_HEADER: [&str; 21] = [
    "Order",
    "Order ID",
    "Line Item ID",
    "Created At",
    "Updated At",
    "Cancelled At",
    "Financial Status",
    "Fulfillment Status",
    "Product",
    "Variant",
    "SKU",
    "Quantity",
    "Original Quantity",
    "Unit Price",
    "Line Total",
    "Order Total",
    "Currency",
    "Test",
    "Order Status",
    "Sheet Row",
    "Last Synced At",
];

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let out = Output::detect(false);
    let read = ReadStore::open(ctx)?;
    let zone = read.zone()?;
    let target = args.output.clone().unwrap_or_else(|| {
        let today = Utc::now().with_timezone(&zone.tz()).date_naive();
        PathBuf::from(format!("shopsync_export_{today}.csv"))
    });
    let json = is_json(&target)?;
    if !args.force && target.symlink_metadata().is_ok() {
        return Err(exists(&target));
    }
    let (pending, file) = Pending::create(&target, "the export")?;
    let mut writer = BufWriter::new(file);
    let counts = if json {
        write_json(&mut writer, &read, zone)
    } else {
        write_csv(&mut writer, &read, zone)
    }
    .with_context(|| format!("cannot write the export to {}", target.display()))?;
    // Flushed and on disk before it takes the target's name.
    writer
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("cannot write the export to {}", target.display()))?;
    pending.place(&target, args.force, || exists(&target))?;
    if !ctx.verbosity.quiet {
        let mut line = format!(
            "Exported {} line item(s) of {} order(s) to {}{}.",
            counts.rows,
            counts.orders,
            target.display(),
            if json { " as JSON" } else { "" }
        );
        if let Some(note) = &read.not_yet {
            line.push_str(&format!(" {note}"));
        }
        out.line(line)?;
    }
    Ok(Outcome::Done)
}

/// Whether the file name asks for JSON (`.json`) rather than CSV (`.csv`); any other name is
/// refused rather than filled with CSV under a name that promises something else.
fn is_json(target: &Path) -> anyhow::Result<bool> {
    let extension = target.extension().and_then(|e| e.to_str()).unwrap_or("");
    if extension.eq_ignore_ascii_case("json") {
        Ok(true)
    } else if extension.eq_ignore_ascii_case("csv") {
        Ok(false)
    } else {
        Err(UsageError(format!(
            "cannot export to {}: shopsync writes CSV or JSON; give a file name ending in .csv or \
             .json",
            target.display()
        ))
        .into())
    }
}

fn exists(target: &Path) -> anyhow::Error {
    UsageError(format!(
        "{} already exists; pass --force to overwrite it, or choose another file with --output",
        target.display()
    ))
    .into()
}

#[derive(Debug, Default)]
struct Counts {
    rows: u64,
    orders: u64,
}

impl Counts {
    fn add(&mut self, row: &ExportRow, last_order: &mut Option<String>) {
        self.rows += 1;
        if last_order.as_deref() != Some(row.order_id.as_str()) {
            self.orders += 1;
            *last_order = Some(row.order_id.clone());
        }
    }
}

fn write_csv(writer: &mut BufWriter<File>, read: &ReadStore, zone: Zone) -> anyhow::Result<Counts> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(CSV_HEADER)?;
    let mut counts = Counts::default();
    let mut last_order = None;
    if let Some(store) = &read.store {
        store.each_export_row(|row: ExportRow| -> anyhow::Result<()> {
            let cells = csv_cells(&row, zone);
            csv.write_record(cells.iter().map(|c| neutralise(c).into_owned()))?;
            counts.add(&row, &mut last_order);
            Ok(())
        })?;
    }
    csv.flush()?;
    Ok(counts)
}

/// The row's cells in [`CSV_HEADER`] order, times with the zone's offset, before neutralising.
fn csv_cells(row: &ExportRow, zone: Zone) -> [String; 21] {
    let opt = |v: Option<&String>| v.cloned().unwrap_or_default();
    [
        row.order.clone(),
        row.order_id.clone(),
        row.line_item_id.clone(),
        zone.rfc3339(row.created_at),
        zone.rfc3339(row.updated_at),
        row.cancelled_at
            .map(|t| zone.rfc3339(t))
            .unwrap_or_default(),
        opt(row.financial_status.as_ref()),
        row.fulfillment_status.clone(),
        row.product.clone(),
        opt(row.variant.as_ref()),
        opt(row.sku.as_ref()),
        row.quantity.to_string(),
        row.original_quantity.to_string(),
        row.unit_price.to_string(),
        row.line_total.to_string(),
        row.order_total.to_string(),
        row.currency.clone(),
        row.test.to_string(),
        match row.order_status {
            OrderStatus::Active => "active",
            OrderStatus::Deleted => "deleted",
        }
        .to_owned(),
        row.sheet_row.map(|r| r.to_string()).unwrap_or_default(),
        zone.rfc3339(row.last_synced_at),
    ]
}

/// One JSON object, `{"exported_at": ..., "rows": [...]}`, streamed a row per line so a large
/// store is never held in memory. Times are UTC; JSON is not opened by spreadsheets, so values are
/// kept exactly as tracked.
fn write_json(
    writer: &mut BufWriter<File>,
    read: &ReadStore,
    zone: Zone,
) -> anyhow::Result<Counts> {
    write!(
        writer,
        "{{\n\"exported_at\": {},\n\"timezone\": {},\n\"rows\": [",
        serde_json::to_string(&Utc::now())?,
        serde_json::to_string(zone.name())?
    )?;
    let mut counts = Counts::default();
    let mut last_order = None;
    if let Some(store) = &read.store {
        store.each_export_row(|row: ExportRow| -> anyhow::Result<()> {
            writer.write_all(if counts.rows == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *writer, &row)?;
            counts.add(&row, &mut last_order);
            Ok(())
        })?;
    }
    writeln!(writer, "\n]\n}}")?;
    Ok(counts)
}
