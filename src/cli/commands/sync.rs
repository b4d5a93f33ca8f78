//! `shopsync sync`: the hourly job.

use chrono::NaiveDate;

use crate::cli::Context;
use crate::cli::exit::Outcome;

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
    /// Print the run's summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.remote()?;
    Err(super::not_built("sync"))
}
