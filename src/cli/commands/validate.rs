//! `shopsync validate`: a line per check, with a fix for each failure.

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// Check the configuration, the key file, the Shopify token and scopes, the spreadsheet and its tab,
/// and the database, without writing anything anywhere.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the checks as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.remote()?;
    Err(super::not_built("validate"))
}
