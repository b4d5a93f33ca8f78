//! `shopsync completions`: a shell's completion script on stdout, generated from the same clap
//! definitions as `--help` (clap_complete), so it knows every command and flag of this build.

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::cli::exit::Outcome;

/// Print the completion script for a shell. Install it where the shell looks (the README says
/// where for each shell), or load it from the shell's start-up file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Runs the command.
///
/// # Errors
/// Writing to stdout failed (a broken pipe is classified as exit 0).
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    // Rendered in memory first: clap_complete panics on a write error, and `| head` is no panic.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "shopsync", &mut script);
    super::write_stdout(&script)?;
    Ok(Outcome::Done)
}
