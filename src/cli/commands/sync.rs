//! `shopsync sync`: the hourly job.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use chrono::{NaiveDate, TimeZone as _, Utc};

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Color, Output};
use crate::cli::progress::Bars;
use crate::cli::remote;
use crate::store::RunOutcome;
use crate::sync::{BulkChoice, RunKind, Services, StopSignal, Summary};

/// Fetch orders changed since the last run and write them to the sheet: new line items are appended,
/// changed ones updated in place, the rest left alone.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dry run: read both services, write nothing to the sheet or the tracking tables, and leave the
    /// plan in test_output/.
    #[arg(long)]
    pub test: bool,
    /// Rewrite every row in the window whose cells differ from Shopify, even if the order did not
    /// change (in place, never duplicated).
    #[arg(long)]
    pub force: bool,
    /// Also fetch orders updated since this date (YYYY-MM-DD), to backfill.
    #[arg(long, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Export the window with a Shopify bulk operation, whatever its size (pages when the export
    /// fails).
    #[arg(long, conflicts_with = "no_bulk")]
    pub bulk: bool,
    /// Page the window, never a bulk operation (by default a backfill expected to take over about
    /// a minute of paging is exported in bulk).
    #[arg(long)]
    pub no_bulk: bool,
    /// Print the run's summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let (local, config) = ctx.remote()?;
    let kind = if args.test {
        RunKind::DryRun
    } else {
        RunKind::Real
    };
    let remote::Prepared {
        lock: _lock,
        mut store,
        clock,
    } = remote::prepare(&local, kind, "sync")?;
    let since = args
        .since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t));
    let bulk = match (args.bulk, args.no_bulk) {
        (true, _) => BulkChoice::Always,
        (_, true) => BulkChoice::Never,
        _ => BulkChoice::Auto,
    };
    let options = remote::sync_options(&config, kind, args.force, since, bulk);
    let bars = Bars::new(ctx.verbosity.quiet || args.json);
    let stop: StopSignal = Arc::new(AtomicU8::new(0));
    let summary = remote::block_on(async {
        tokio::spawn(watch_signals(stop.clone()));
        let shopify = remote::shopify(&config, clock.clone())?;
        let services = Services {
            shopify: &shopify,
            sheets: remote::sheets(&config, clock.clone()),
            store: &mut store,
            clock: clock.clone(),
            observer: &bars,
            stop: stop.clone(),
        };
        anyhow::Ok(crate::sync::sync(services, &options).await?)
    });
    bars.finish();
    let summary = summary??;
    let out = Output::detect(args.json);
    render(&out, &summary, ctx.verbosity.quiet)?;
    Ok(match (summary.stopped_by, summary.outcome) {
        (Some(signal), _) => Outcome::Stopped(signal),
        (None, RunOutcome::Success) => Outcome::Done,
        _ => Outcome::Problems,
    })
}

/// Sets `stop` to the number of the first SIGINT or SIGTERM received.
async fn watch_signals(stop: StopSignal) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return;
        };
        let Ok(mut int) = signal(SignalKind::interrupt()) else {
            return;
        };
        let number = tokio::select! {
            _ = int.recv() => 2,
            _ = term.recv() => 15,
        };
        tracing::warn!("stopping after the write in flight (signal {number})");
        stop.store(number, Ordering::SeqCst);
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(2, Ordering::SeqCst);
        }
    }
}

fn render(out: &Output, summary: &Summary, quiet: bool) -> std::io::Result<()> {
    if out.json {
        return out.print_json(summary);
    }
    let c = &summary.counts;
    let seconds = (summary.finished_at - summary.started_at).num_milliseconds() as f64 / 1000.0;
    let what = match summary.kind {
        RunKind::Real => "synced",
        RunKind::DryRun => "dry run: would sync",
    };
    let line = format!(
        "{what} {} orders ({} new, {} updated, {} unchanged, {} failed): {} rows appended, {} rows \
         updated in {seconds:.1}s",
        c.fetched, c.new, c.updated, c.unchanged, c.failed, c.rows_appended, c.rows_updated
    );
    let problems = summary.outcome != RunOutcome::Success;
    if quiet && !problems {
        return Ok(());
    }
    if out.tty {
        let status = match summary.outcome {
            RunOutcome::Success => out.paint("ok", Color::Green),
            RunOutcome::Partial => out.paint("finished with failed orders", Color::Yellow),
            _ => out.paint(summary.outcome.as_str(), Color::Red),
        };
        out.line(format!("{status}: {line}"))?;
    } else {
        out.line(line)?;
    }
    for dup in &summary.duplicate_keys {
        out.line(format!(
            "  duplicated row in the sheet: {dup} (both are kept up to date)"
        ))?;
    }
    if let Some(dir) = &summary.dry_run_dir {
        out.line(format!(
            "  nothing was written; the plan is in {}",
            dir.display()
        ))?;
    }
    if c.failed > 0 {
        out.line("  failed orders are retried on the next sync; see `shopsync errors`")?;
    }
    Ok(())
}
