//! `shopsync reset`: forget one order so the next sync rewrites it.
//!
//! It changes tracking state, so it takes the sync lock (exit 5 while a sync runs). It never creates
//! a database: the file is first checked read-only, and only an existing shopsync database is then
//! opened for writing.

use std::io::Write as _;
use std::time::Duration;

use crate::cli::Context;
use crate::cli::exit::{Outcome, UsageError};
use crate::cli::output::Output;
use crate::order::parse_order_number;
use crate::store::{Store, SyncLock};

/// How long `reset` waits for a running sync's lock before giving up (as `sync` does).
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Forget one order's tracking so the next sync fetches it again and rewrites its rows in place
/// (never duplicated). Exits 1 when no tracked order has that number.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The order number, as 1001 or #1001.
    #[arg(value_name = "ORDER_NUMBER")]
    pub order_number: String,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let path = ctx.local()?.database_path;
    let shop = match Store::open_read_only(&path) {
        Ok(store) => store.shop_info()?,
        Err(err) if err.is_not_created_yet() => {
            problem(&format!(
                "order {} is not tracked: {err}",
                args.order_number.trim()
            ));
            return Ok(Outcome::Problems);
        }
        Err(err) => return Err(err.into()),
    };
    let prefix = shop.order_number_prefix.as_deref().unwrap_or("#");
    let suffix = shop.order_number_suffix.as_deref().unwrap_or("");
    let number = parse_order_number(&args.order_number, prefix, suffix).ok_or_else(|| {
        UsageError(format!(
            "{:?} is not an order number; give it as 1001 or {prefix}1001{suffix}",
            args.order_number
        ))
    })?;
    let _lock = SyncLock::acquire(&path, "reset", LOCK_WAIT)?;
    let mut store = Store::open(&path)?;
    let Some(reset) = store.reset_order(number)? else {
        problem(&format!(
            "no tracked order has number {number} (`shopsync orders` lists tracked orders; an order \
             the sync has not written yet needs no reset)"
        ));
        return Ok(Outcome::Problems);
    };
    tracing::info!(order = %reset.name, gid = %reset.gid, line_items = reset.line_items,
        "reset an order's tracking");
    if !ctx.verbosity.quiet {
        Output::detect(false).line(format!(
            "Reset {}: the next `shopsync sync` fetches it again by ID and rewrites its {} row(s) \
             in place (found by Order ID and Line Item ID, never duplicated).",
            reset.name, reset.line_items
        ))?;
    }
    Ok(Outcome::Done)
}

/// Says on stderr, in one line, why the command ends with exit 1.
fn problem(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {text}");
}
