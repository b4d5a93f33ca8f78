//! `shopsync status`: the state of the sync at a glance.

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// Show the last runs, the cursor, how many orders and line items are tracked, unresolved errors,
/// who holds the lock, and where each setting came from. Exits 1 when the last sync failed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the status as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.local()?;
    Err(super::not_built("status"))
}
