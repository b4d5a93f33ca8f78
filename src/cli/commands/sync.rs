//! `shopsync sync`: the hourly job.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

use crate::cli::alerts::{AlertCounts, Alerts, FailureAlert};
use crate::cli::exit::{Exit, Outcome, classify};
use crate::cli::output::{Color, Output};
use crate::cli::progress::Bars;
use crate::cli::remote;
use crate::cli::{Context, one_line};
use crate::clock::{SharedClock, StopAware};
use crate::config::{LocalConfig, RemoteConfig};
use crate::store::{RunCounts, RunOutcome, Store};
use crate::sync::{BulkChoice, RunKind, StopSignal, Summary};

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

/// Runs the command, with the alerts the configuration asks for around it.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let (local, config) = ctx.remote()?;
    let alerts = Alerts::new(&config, args.test);
    alerts.start();
    let mut facts = Facts::default();
    let result = sync(ctx, args, &local, &config, &mut facts);
    alert(&alerts, &config, &facts, &result);
    result
}

/// What the alerts say about a run, gathered as it ends (also when it fails).
#[derive(Debug, Default)]
struct Facts {
    /// The summary line, when the sync finished.
    line: Option<String>,
    /// How it ended, when it finished.
    outcome: Option<RunOutcome>,
    /// The run this sync recorded, with its counts.
    run: Option<(i64, RunCounts)>,
    /// The bound spreadsheet.
    spreadsheet_id: Option<String>,
}

impl Facts {
    /// Reads the run this sync started (if it got that far) and the binding.
    fn read(&mut self, store: &Store, began: DateTime<Utc>) {
        if let Ok(Some(run)) = store.last_real_run()
            && run.started_at >= began
        {
            self.run = Some((run.id.0, run.counts));
        }
        if let Ok(Some(binding)) = store.binding() {
            self.spreadsheet_id = Some(binding.spreadsheet_id);
        }
    }
}

/// Pings success, or failure with the webhook, for how the sync ended.
fn alert(alerts: &Alerts, config: &RemoteConfig, facts: &Facts, result: &anyhow::Result<Outcome>) {
    let failed = |exit: Exit, message: String| FailureAlert {
        event: "sync_failed",
        text: format!(
            "shopsync: the sync of {} failed: {message}",
            config.store.domain()
        ),
        run_id: facts.run.as_ref().map(|r| r.0),
        exit_code: exit.code(),
        error_kind: exit.kind(),
        error_message: message,
        counts: facts.run.as_ref().map(|r| AlertCounts::from(&r.1)),
        shop: config.store.domain(),
        spreadsheet_id: facts
            .spreadsheet_id
            .clone()
            .unwrap_or_else(|| config.target_spreadsheet.clone()),
    };
    let line = facts.line.clone().unwrap_or_default();
    match result {
        Ok(Outcome::Stopped(signal)) => alerts.failure(&failed(
            Exit::Interrupted(128 + signal),
            format!("stopped by signal {signal} after the write in flight: {line}"),
        )),
        Ok(_) if facts.outcome == Some(RunOutcome::Failed) => {
            alerts.failure(&failed(Exit::Problems, line));
        }
        Ok(_) => alerts.success(&line),
        // A closed stdout after a finished sync: the sync itself worked.
        Err(err) if classify(err) == Exit::Ok => alerts.success(&line),
        Err(err) => alerts.failure(&failed(classify(err), one_line(err))),
    }
}

fn sync(
    ctx: &Context,
    args: &Args,
    local: &LocalConfig,
    config: &RemoteConfig,
    facts: &mut Facts,
) -> anyhow::Result<Outcome> {
    let kind = remote::run_kind(args.test);
    let began = Utc::now() - chrono::Duration::seconds(1);
    let remote::Prepared {
        lock: _lock,
        mut store,
        clock,
    } = remote::prepare(local, kind, "sync")?;
    let since = args
        .since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t));
    let bulk = match (args.bulk, args.no_bulk) {
        (true, _) => BulkChoice::Always,
        (_, true) => BulkChoice::Never,
        _ => BulkChoice::Auto,
    };
    let options = remote::sync_options(config, kind, args.force, since, bulk);
    let bars = Bars::new(ctx.verbosity.quiet || args.json);
    let stop: StopSignal = Arc::new(AtomicU8::new(0));
    // Every wait (the cost bucket, Retry-After, backoff) ends on SIGINT or SIGTERM.
    let clock: SharedClock = Arc::new(StopAware::new(clock, stop.clone()));
    let summary = remote::run_with_services(
        config,
        &mut store,
        &clock,
        &bars,
        stop.clone(),
        async |services| {
            tokio::spawn(watch_signals(stop.clone()));
            crate::sync::sync(services, &options).await
        },
    );
    bars.finish();
    facts.read(&store, began);
    let summary = match summary? {
        Ok(summary) => summary,
        // A wait cut short by the signal ends the call it was part of; the run stopped, it did
        // not fail (what was written is recorded, the cursor stays before the rest).
        Err(err) if stop.load(Ordering::SeqCst) != 0 => {
            tracing::info!(error = %err, "the call in flight ended with the stop");
            return Ok(Outcome::Stopped(stop.load(Ordering::SeqCst)));
        }
        Err(err) => return Err(err),
    };
    facts.line = Some(summary_line(&summary));
    facts.outcome = Some(summary.outcome);
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

/// The run's one-line summary, as printed and as the healthcheck's body.
fn summary_line(summary: &Summary) -> String {
    let c = &summary.counts;
    let seconds = (summary.finished_at - summary.started_at).num_milliseconds() as f64 / 1000.0;
    let what = match summary.kind {
        RunKind::Real => "synced",
        RunKind::DryRun => "dry run: would sync",
    };
    format!(
        "{what} {} orders ({} new, {} updated, {} unchanged, {} failed): {} rows appended, {} rows \
         updated in {seconds:.1}s",
        c.fetched, c.new, c.updated, c.unchanged, c.failed, c.rows_appended, c.rows_updated
    )
}

fn render(out: &Output, summary: &Summary, quiet: bool) -> std::io::Result<()> {
    if out.json {
        return out.print_json(summary);
    }
    let line = summary_line(summary);
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
    if summary.counts.failed > 0 {
        out.line("  failed orders are retried on the next sync; see `shopsync errors`")?;
    }
    Ok(())
}
