//! `shopsync status`: the state of the sync at a glance.
//!
//! "The last sync failed" (exit 1) means the latest *real* sync ended in anything but success:
//! `failed`, `partial` (some orders failed), `interrupted`, `abandoned`, or no outcome while nobody
//! holds the lock (its process died and no later sync has marked it abandoned yet). A real sync that
//! is still running (the lock is held) is not judged. Dry runs and `missing` runs never count.
//! Before the first sync there is nothing to judge: `status` says so and exits 0.

use std::io::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use comfy_table::{Cell, CellAlignment};
use serde::Serialize;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Color, Output, or_dash};
use crate::cli::reading::ReadStore;
use crate::cli::times::{Zone, duration, parse_age};
use crate::config::Origin;
use crate::store::{
    Binding, LockState, RunOutcome, RunRecord, ShopInfo, TrackedCounts, lock_holder,
};

/// How many recent runs `status` lists.
const RECENT_RUNS: usize = 5;

/// Show the last runs, the cursor, how many orders and line items are tracked, unresolved errors,
/// who holds the lock, and where each setting came from. Exits 1 when the last sync failed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the status as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also exit 1 when the last successful sync finished longer ago than AGE (such as 2h, 90m or
    /// 1d), or none ever did: a check any monitor can run.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub max_age: Option<TimeDelta>,
}

/// Everything `status` shows; also its `--json` shape.
#[derive(Debug, Serialize)]
struct Status {
    database: Database,
    /// Whether the latest real sync failed (the reason for exit 1).
    last_sync_failed: bool,
    last_sync: Option<RunRecord>,
    /// The latest real sync that succeeded, and how long ago it finished.
    last_good_sync: Option<GoodSync>,
    /// `--max-age` in seconds, when given.
    max_age_seconds: Option<i64>,
    /// `--max-age` was given and the last good sync is older, or there is none (exit 1).
    too_old: bool,
    recent_runs: Vec<RunRecord>,
    cursor: Option<DateTime<Utc>>,
    tracked: TrackedCounts,
    binding: Option<Binding>,
    shop: Option<ShopInfo>,
    timezone: &'static str,
    lock: Lock,
    config_file: Option<PathBuf>,
    config: Vec<Origin>,
}

#[derive(Debug, Serialize)]
struct GoodSync {
    id: crate::store::RunId,
    finished_at: DateTime<Utc>,
    /// Seconds since it finished.
    age_seconds: i64,
}

#[derive(Debug, Serialize)]
struct Database {
    path: PathBuf,
    /// `ready`, or `not_created` before the first sync.
    state: &'static str,
    /// Why it is not ready, when it is not.
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct Lock {
    /// `free`, `held`, or `unknown` when the lock file could not be probed.
    state: &'static str,
    holder: Option<crate::store::Holder>,
    error: Option<String>,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let out = Output::detect(args.json);
    let read = ReadStore::open(ctx)?;
    let zone = read.zone()?;
    let lock = probe_lock(&read);
    let mut status = gather(ctx, &read, zone, lock)?;
    if let Some(max_age) = args.max_age {
        status.max_age_seconds = Some(max_age.num_seconds());
        status.too_old = status
            .last_good_sync
            .as_ref()
            .is_none_or(|good| good.age_seconds > max_age.num_seconds());
    }
    if args.json {
        out.print_json(&status)?;
    } else if ctx.verbosity.quiet {
        let mut err = std::io::stderr().lock();
        if status.last_sync_failed {
            writeln!(err, "error: {}", failure_line(&status, zone))?;
        }
        if status.too_old {
            writeln!(err, "error: {}", too_old_line(&status))?;
        }
    } else {
        render(&out, &status, zone)?;
    }
    Ok(if status.last_sync_failed || status.too_old {
        Outcome::Problems
    } else {
        Outcome::Done
    })
}

fn probe_lock(read: &ReadStore) -> Lock {
    match lock_holder(&read.path) {
        Ok(LockState::Free) => Lock {
            state: "free",
            holder: None,
            error: None,
        },
        Ok(LockState::Held { holder }) => Lock {
            state: "held",
            holder,
            error: None,
        },
        // A lock file status cannot read is worth showing, not worth failing the whole status for.
        Err(err) => Lock {
            state: "unknown",
            holder: None,
            error: Some(err.to_string()),
        },
    }
}

fn gather(ctx: &Context, read: &ReadStore, zone: Zone, lock: Lock) -> anyhow::Result<Status> {
    let database = Database {
        path: read.path.clone(),
        state: if read.store.is_some() {
            "ready"
        } else {
            "not_created"
        },
        note: read.not_yet.clone(),
    };
    let mut status = Status {
        database,
        last_sync_failed: false,
        last_sync: None,
        last_good_sync: None,
        max_age_seconds: None,
        too_old: false,
        recent_runs: Vec::new(),
        cursor: None,
        tracked: TrackedCounts::default(),
        binding: None,
        shop: None,
        timezone: zone.name(),
        lock,
        config_file: ctx.loaded.config_file().cloned(),
        config: ctx.loaded.origins(),
    };
    if let Some(store) = &read.store {
        status.last_sync = store.last_real_run()?;
        status.last_good_sync = store.last_successful_run()?.and_then(|run| {
            let finished_at = run.finished_at?;
            Some(GoodSync {
                id: run.id,
                finished_at,
                age_seconds: (Utc::now() - finished_at).num_seconds().max(0),
            })
        });
        status.recent_runs = store.recent_runs(RECENT_RUNS)?;
        status.cursor = store.cursor()?;
        status.tracked = store.tracked_counts()?;
        status.binding = store.binding()?;
        status.shop = Some(store.shop_info()?).filter(|s| s.name.is_some());
        status.last_sync_failed = status
            .last_sync
            .as_ref()
            .is_some_and(|run| failed(run, status.lock.state == "held"));
    }
    Ok(status)
}

/// Whether a real run counts as failed (see the module docs).
fn failed(run: &RunRecord, lock_held: bool) -> bool {
    match run.outcome {
        Some(RunOutcome::Success) => false,
        Some(_) => true,
        None => !lock_held,
    }
}

fn outcome_text(run: &RunRecord, lock_held: bool) -> &'static str {
    match run.outcome {
        Some(outcome) => outcome.as_str(),
        None if lock_held => "running",
        None => "unfinished",
    }
}

fn failure_line(status: &Status, zone: Zone) -> String {
    let Some(run) = &status.last_sync else {
        return String::new();
    };
    let what = outcome_text(run, status.lock.state == "held");
    let mut line = format!(
        "the last sync (run {}, started {}) ended {what}",
        run.id,
        zone.second(run.started_at)
    );
    if let Some(message) = &run.message {
        line.push_str(": ");
        line.push_str(message);
    }
    line
}

/// Why `--max-age` failed.
fn too_old_line(status: &Status) -> String {
    let max = duration(TimeDelta::seconds(status.max_age_seconds.unwrap_or(0)));
    match &status.last_good_sync {
        Some(good) => format!(
            "the last successful sync (run {}) finished {} ago, longer than --max-age {max}",
            good.id,
            duration(TimeDelta::seconds(good.age_seconds))
        ),
        None => format!("no sync has succeeded yet (--max-age {max})"),
    }
}

/// A line of the status: the name in a column of its own.
fn label(name: &str, value: impl std::fmt::Display) -> String {
    format!("{name:<10} {value}")
}

fn render(out: &Output, status: &Status, zone: Zone) -> std::io::Result<()> {
    out.line(label("Database", status.database.path.display()))?;
    if let Some(note) = &status.database.note {
        out.line(label("", note))?;
    }
    if let Some(shop) = &status.shop {
        out.line(label(
            "Shop",
            format!(
                "{} ({}, {})",
                or_dash(shop.name.as_ref()),
                or_dash(shop.iana_timezone.as_ref()),
                or_dash(shop.currency.as_ref())
            ),
        ))?;
    }
    if status.database.state == "ready" {
        render_store(out, status, zone)?;
    }
    out.line(label("Lock", lock_text(&status.lock)))?;
    out.line(label("Times", zone.describe()))?;
    render_last_sync(out, status, zone)?;
    if !status.recent_runs.is_empty() {
        out.line("")?;
        out.line("Recent runs:")?;
        out.line(runs_table(out, status, zone))?;
    }
    out.line("")?;
    render_config(out, status)
}

/// What the store holds: binding, cursor, tracked counts and errors.
fn render_store(out: &Output, status: &Status, zone: Zone) -> std::io::Result<()> {
    out.line(label(
        "Bound to",
        status.binding.as_ref().map_or_else(
            || "nothing yet (the first sync binds the database to its shop and sheet)".into(),
            |b| {
                format!(
                    "shop {}, spreadsheet {}, tab {:?} (sheet id {})",
                    b.shop_domain, b.spreadsheet_id, b.sheet_title, b.sheet_id
                )
            },
        ),
    ))?;
    out.line(label(
        "Cursor",
        status.cursor.map_or_else(
            || "not set (the first sync looks back lookback_days)".into(),
            |c| zone.second(c),
        ),
    ))?;
    let t = &status.tracked;
    let mut parts = vec![format!("{} orders, {} line items", t.orders, t.line_items)];
    if t.deleted_orders > 0 {
        parts.push(format!("{} more deleted in Shopify", t.deleted_orders));
    }
    if t.pending_refetch > 0 {
        parts.push(format!("{} waiting to be fetched again", t.pending_refetch));
    }
    if t.explained_gaps > 0 {
        parts.push(format!("{} explained number gaps", t.explained_gaps));
    }
    out.line(label("Tracked", parts.join(", ")))?;
    let errors = if t.unresolved_errors == 0 {
        out.paint("none unresolved", Color::Green)
    } else {
        out.paint(
            &format!("{} unresolved (see `shopsync errors`)", t.unresolved_errors),
            Color::Yellow,
        )
    };
    out.line(label("Errors", errors))
}

/// The latest real sync, and how long ago the last good one finished.
fn render_last_sync(out: &Output, status: &Status, zone: Zone) -> std::io::Result<()> {
    if let Some(run) = &status.last_sync {
        let held = status.lock.state == "held";
        let text = if failed(run, held) {
            out.paint(&failure_line(status, zone), Color::Red)
        } else if run.outcome.is_none() {
            out.paint("running now", Color::Yellow)
        } else {
            out.paint(
                &format!(
                    "succeeded (run {}, finished {})",
                    run.id,
                    or_dash(run.finished_at.map(|t| zone.second(t)))
                ),
                Color::Green,
            )
        };
        out.line(label("Last sync", text))?;
    } else if status.database.state == "ready" {
        out.line(label("Last sync", "none yet"))?;
    }
    let good = status.last_good_sync.as_ref().map(|good| {
        format!(
            "{} ago (run {}, finished {})",
            duration(TimeDelta::seconds(good.age_seconds)),
            good.id,
            zone.second(good.finished_at)
        )
    });
    match (good, status.too_old) {
        (_, true) => out.line(label(
            "Last good",
            out.paint(&too_old_line(status), Color::Red),
        )),
        (Some(good), false) => out.line(label("Last good", good)),
        (None, false) if status.database.state == "ready" => {
            out.line(label("Last good", "none yet"))
        }
        (None, false) => Ok(()),
    }
}

fn render_config(out: &Output, status: &Status) -> std::io::Result<()> {
    out.line(format!(
        "Configuration (file: {}):",
        status
            .config_file
            .as_ref()
            .map_or_else(|| "none".to_owned(), |p| p.display().to_string())
    ))?;
    let mut table = out.table(&["Setting", "Value", "From"]);
    for origin in &status.config {
        table.add_row(vec![
            origin.key.to_owned(),
            or_dash(origin.value.as_ref()),
            origin
                .source
                .clone()
                .unwrap_or_else(|| "not set".to_owned()),
        ]);
    }
    out.line(table)
}

fn lock_text(lock: &Lock) -> String {
    match (lock.state, &lock.holder, &lock.error) {
        ("free", _, _) => "free".to_owned(),
        ("held", Some(holder), _) => format!("held by {holder}"),
        ("held", None, _) => "held (its holder has not written its details yet)".to_owned(),
        (_, _, Some(err)) => format!("could not be checked: {err}"),
        _ => "unknown".to_owned(),
    }
}

fn runs_table(out: &Output, status: &Status, zone: Zone) -> comfy_table::Table {
    let held = status.lock.state == "held";
    let mut table = out.table(&[
        "Run", "Mode", "Started", "Took", "Outcome", "Fetched", "New", "Updated", "Failed",
        "Message",
    ]);
    for run in &status.recent_runs {
        let outcome = outcome_text(run, held);
        // comfy-table colours its own cells (and measures them without the escape codes); it
        // styles nothing when `Output::table` turned styling off.
        let color = match run.outcome {
            Some(RunOutcome::Success) => comfy_table::Color::Green,
            Some(RunOutcome::Partial) | None => comfy_table::Color::Yellow,
            Some(_) => comfy_table::Color::Red,
        };
        table.add_row(vec![
            Cell::new(run.id),
            Cell::new(run.mode.as_str()),
            Cell::new(zone.minute(run.started_at)),
            Cell::new(or_dash(
                run.finished_at.map(|end| duration(end - run.started_at)),
            )),
            Cell::new(outcome).fg(color),
            Cell::new(run.counts.fetched),
            Cell::new(run.counts.new),
            Cell::new(run.counts.updated),
            Cell::new(run.counts.failed),
            Cell::new(or_dash(run.message.as_ref())),
        ]);
    }
    for column in [0, 5, 6, 7, 8] {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::store::{RunCounts, RunId, RunMode};

    fn run(outcome: Option<RunOutcome>) -> RunRecord {
        RunRecord {
            id: RunId(1),
            mode: RunMode::Real,
            started_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            finished_at: None,
            outcome,
            counts: RunCounts::default(),
            cursor_before: None,
            cursor_after: None,
            message: None,
        }
    }

    #[test]
    fn every_outcome_but_success_is_a_failed_sync() {
        let cases = [
            (Some(RunOutcome::Success), false, false),
            (Some(RunOutcome::Partial), false, true),
            (Some(RunOutcome::Failed), false, true),
            (Some(RunOutcome::Interrupted), false, true),
            (Some(RunOutcome::Abandoned), false, true),
            (None, true, false),
            (None, false, true),
        ];
        for (outcome, held, want) in cases {
            assert_eq!(failed(&run(outcome), held), want, "{outcome:?} held={held}");
        }
    }
}
