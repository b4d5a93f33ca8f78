//! `shopsync demo`: the real sync against the built-in sandbox.

use std::path::PathBuf;

use crate::cli::Context;
use crate::cli::exit::Outcome;

/// Start a sandbox Shopify store and Google Sheet on this machine, and run the real commands
/// against them in a fresh folder, explaining each step. No accounts needed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to run the demo in (created; must be empty if it exists).
    #[arg(long, value_name = "PATH", default_value = "shopsync-demo")]
    pub dir: PathBuf,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(_ctx: &Context, _args: &Args) -> anyhow::Result<Outcome> {
    Err(super::not_built("demo"))
}
