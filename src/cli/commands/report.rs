//! `shopsync report`: orders, revenue, runs and errors per day.

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// Summarise the last days: orders, line items and revenue per shop-local day and currency, sync
/// runs and their outcomes, errors, and the top products by quantity.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many days back, today included.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.local()?;
    Err(super::not_built("report"))
}
