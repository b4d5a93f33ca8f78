//! One file per sub-command: its clap `Args` (whose doc comments are its `--help`) and a `run`
//! function that builds what it needs, calls the library and renders the result.

pub mod demo;
pub mod errors;
pub mod export;
pub mod missing;
pub mod orders;
pub mod report;
pub mod reset;
pub mod status;
pub mod sync;
pub mod validate;

use super::exit::UsageError;

/// The error for a command whose engine is not in this build yet: said plainly, never pretended.
fn not_built(command: &str) -> anyhow::Error {
    UsageError(format!(
        "`shopsync {command}` is not available in this build yet: it arrives with the sync \
         (the local commands status, orders, errors, report, export and reset work now)"
    ))
    .into()
}
