//! `shopsync reset`: forget one order so the next sync rewrites it.

use crate::cli::Context;
use crate::cli::exit::Outcome;

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
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.local()?;
    Err(super::not_built("reset"))
}
