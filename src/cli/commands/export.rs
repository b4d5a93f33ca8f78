//! `shopsync export`: the tracking data as a file.

use std::path::PathBuf;

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// Write one line per tracked line item, with its order's fields, to a CSV file (or JSON when the
/// file name ends in .json). Cells are neutralised against formula injection.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to write (default: `shopsync_export_<date>.csv` in the working directory).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    ctx.local()?;
    Err(super::not_built("export"))
}
