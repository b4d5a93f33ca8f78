//! `shopsync missing`: reconciliation of the sheet, the tracking store and Shopify.

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// Look for gaps in order numbers, tracked rows gone from the sheet, and days whose order counts
/// differ from Shopify; fetch and write back what is missing unless --dry-run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report what is missing without repairing anything.
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
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.remote()?;
    Err(super::not_built("missing"))
}
