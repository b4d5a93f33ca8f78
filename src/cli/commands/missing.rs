//! `shopsync missing`: reconciliation of the sheet, the tracking store and Shopify.

use std::sync::Arc;
use std::sync::atomic::AtomicU8;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Color, Output};
use crate::cli::progress::Bars;
use crate::cli::remote;
use crate::sync::run::reconcile::{FindingClass, Reconciliation, reconcile};
use crate::sync::{RunKind, StopSignal};

/// Look for gaps in order numbers, tracked rows gone from the sheet, and days whose order counts
/// differ from Shopify; fetch and write back what is missing unless --dry-run.
///
/// Shopify does not promise consecutive order numbers: a number Shopify confirms absent is
/// remembered as explained and not reported again. Exits 1 only when something unresolved remains.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report what is missing without repairing anything (the repair plan goes to test_output/).
    #[arg(long)]
    pub dry_run: bool,
    /// Print the findings as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let (local, config) = ctx.remote()?;
    let kind = remote::run_kind(args.dry_run);
    let remote::Prepared {
        lock: _lock,
        mut store,
        clock,
    } = remote::prepare(&local, kind, "missing")?;
    // Reconciliation compares with the sheet's cells, not the DB's hashes.
    let options = remote::sync_options(&config, kind, true, None, crate::sync::BulkChoice::Never);
    let bars = Bars::new(true);
    let stop: StopSignal = Arc::new(AtomicU8::new(0));
    let found = remote::run_with_services(&config, &mut store, &clock, &bars, stop, async |s| {
        reconcile(s, &options).await
    })??;
    let outcome = if found.has_problems() {
        Outcome::Problems
    } else {
        Outcome::Done
    };
    if args.json || !ctx.verbosity.quiet || outcome == Outcome::Problems {
        render(&Output::detect(args.json), &found)?;
    }
    Ok(outcome)
}

fn render(out: &Output, found: &Reconciliation) -> std::io::Result<()> {
    if out.json {
        return out.print_json(&serde_json::json!({
            "findings": found.findings,
            "problems": found.has_problems(),
            "run": found.run,
        }));
    }
    if found.findings.is_empty() {
        return out.line(out.paint("nothing missing", Color::Green));
    }
    let mut table = out.table(&["class", "finding"]);
    for finding in &found.findings {
        let class = match finding.class {
            FindingClass::SyncedNow if found.run.kind == RunKind::DryRun => "would sync",
            FindingClass::SyncedNow => "synced now",
            FindingClass::Deleted => "deleted in Shopify",
            FindingClass::OutsideWindow => "outside 60-day window",
            FindingClass::Absent => "absent (explained)",
            FindingClass::Unresolved => "unresolved",
        };
        table.add_row(vec![class.to_owned(), finding.detail.clone()]);
    }
    out.line(table)?;
    let c = &found.run.counts;
    out.line(format!(
        "{} rows appended, {} rows updated{}",
        c.rows_appended,
        c.rows_updated,
        found
            .run
            .dry_run_dir
            .as_ref()
            .map(|d| format!("; nothing was written, the plan is in {}", d.display()))
            .unwrap_or_default()
    ))
}
