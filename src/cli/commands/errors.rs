//! `shopsync errors`: sync errors that still need attention.

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// List sync errors that are not resolved yet; failed orders are retried on every sync until they
/// succeed or are reset.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include resolved errors too.
    #[arg(long)]
    pub all: bool,
    /// Print the errors as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.local()?;
    Err(super::not_built("errors"))
}
