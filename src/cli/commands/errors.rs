//! `shopsync errors`: sync errors that still need attention.

use comfy_table::CellAlignment;
use serde::Serialize;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Output, or_dash};
use crate::cli::reading::ReadStore;
use crate::store::ErrorRecord;

/// List sync errors that are not resolved yet: orders that failed, retried on every sync until they
/// succeed or are reset, and a sync that failed as a whole (stage `run`: Shopify unreachable, the
/// sheet not shared, a token revoked), until a sync completes.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include resolved errors too.
    #[arg(long)]
    pub all: bool,
    /// Print the errors as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The `--json` shape.
#[derive(Debug, Serialize)]
struct Listing {
    /// Whether resolved errors are included (`--all`).
    all: bool,
    /// The zone the human output shows times in (the JSON times are UTC).
    timezone: &'static str,
    /// Why the list is empty before the first sync (`null` once a sync has created the database).
    note: Option<String>,
    errors: Vec<ErrorRecord>,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let out = Output::detect(args.json);
    let read = ReadStore::open(ctx)?;
    let zone = read.zone()?;
    let errors = match &read.store {
        Some(store) if args.all => store.all_errors()?,
        Some(store) => store.unresolved_errors()?,
        None => Vec::new(),
    };
    if args.json {
        out.print_json(&Listing {
            all: args.all,
            timezone: zone.name(),
            note: read.not_yet.clone(),
            errors,
        })?;
        return Ok(Outcome::Done);
    }
    // Quiet, it speaks only when something needs a person: an unresolved error.
    if ctx.verbosity.quiet && errors.iter().all(|e| e.resolved_at.is_some()) {
        return Ok(Outcome::Done);
    }
    if let Some(note) = &read.not_yet {
        out.line(note)?;
        return Ok(Outcome::Done);
    }
    if errors.is_empty() {
        out.line(if args.all {
            "No sync error was ever recorded."
        } else {
            "No unresolved sync errors."
        })?;
        return Ok(Outcome::Done);
    }
    let mut table = out.table(&[
        "Last seen",
        "Order",
        "Stage",
        "Kind",
        "Attempts",
        "Message",
        "Resolved",
    ]);
    for error in &errors {
        table.add_row(vec![
            zone.minute(error.last_seen_at),
            if error.is_run_failure() {
                "(whole sync)".to_owned()
            } else {
                or_dash(error.order_name.as_ref())
            },
            error.stage.clone(),
            error.kind.clone(),
            error.attempts.to_string(),
            error.message.clone(),
            error
                .resolved_at
                .map_or_else(|| "no".to_owned(), |t| zone.minute(t)),
        ]);
    }
    if let Some(c) = table.column_mut(4) {
        c.set_cell_alignment(CellAlignment::Right);
    }
    out.line(table)?;
    let open: Vec<&ErrorRecord> = errors.iter().filter(|e| e.resolved_at.is_none()).collect();
    let mut summary = format!("{} unresolved; times in {}.", open.len(), zone.describe());
    if let Some(run) = open.iter().find(|e| e.is_run_failure()) {
        summary.push_str(&format!(
            " The sync has failed {} time(s) in a row since {}: fix what its message says \
             (`shopsync validate` checks every setting, with a fix for each); the next sync that \
             completes marks it resolved.",
            run.attempts,
            zone.minute(run.first_seen_at)
        ));
    }
    if open.iter().any(|e| !e.is_run_failure()) {
        summary.push_str(
            " Failed orders are fetched again by every sync; `shopsync reset ORDER_NUMBER` \
             forgets one order so the next sync rewrites it.",
        );
    }
    out.line(summary)?;
    Ok(Outcome::Done)
}
