//! `shopsync orders`: recently synced orders.

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// List the most recently synced orders from the tracking store.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many orders to show.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
    /// Print the orders as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.local()?;
    Err(super::not_built("orders"))
}
