//! One file per sub-command: its clap `Args` (whose doc comments are its `--help`) and a `run`
//! function that builds what it needs, calls the library and renders the result.

pub mod backup;
pub mod completions;
pub mod demo;
pub mod errors;
pub mod export;
pub mod man;
pub mod missing;
pub mod orders;
pub mod report;
pub mod reset;
pub mod schedule;
pub mod status;
pub mod sync;
pub mod validate;

/// Writes what a command generated (a script, a page) to stdout in one piece.
///
/// # Errors
/// Writing failed (a broken pipe is classified as exit 0 by the caller).
fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}
