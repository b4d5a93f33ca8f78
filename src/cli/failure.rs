//! What a failed command leaves besides its one-line error on stderr: an ERROR line in the log file
//! (`sync failed: …`, which cron users grep for), and under `--json` one JSON object on stdout, so
//! a program reading it gets an answer on failure too.

use serde::Serialize;

use super::exit::Exit;
use super::logging::FAILURE_TARGET;
use super::output::Output;

/// The `--json` shape of a failure.
#[derive(Debug, Serialize)]
struct Failure<'a> {
    error: Details<'a>,
}

#[derive(Debug, Serialize)]
struct Details<'a> {
    /// What kind of failure, from the exit code: `usage`, `remote`, `store`, `locked`, …
    kind: &'static str,
    /// The same sentence as on stderr (never a secret: no layer puts one in an error).
    message: &'a str,
    /// The process exit code.
    exit_code: u8,
}

/// Logs that `command` failed with `message` and, when it was run with `--json`, prints the
/// failure as one JSON object on stdout.
///
/// A held lock is logged as a warning, not an error: the run holding it is doing the work, and
/// nobody has anything to fix.
pub fn report(command: &str, json: bool, exit: Exit, message: &str) {
    if exit == Exit::Locked {
        tracing::warn!(target: FAILURE_TARGET, "{command} did not run: {message}");
    } else {
        tracing::error!(target: FAILURE_TARGET, "{command} failed: {message}");
    }
    if json {
        // Nothing more can be said if stdout is gone; stderr has the error line already.
        let _ = Output::detect(true).print_json(&Failure {
            error: Details {
                kind: exit.kind(),
                message,
                exit_code: exit.code(),
            },
        });
    }
}
