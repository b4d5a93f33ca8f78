//! Logging: a short human format on stderr and a detailed one in the log file.
//!
//! `-v` raises shopsync's own level only. Dependencies that print secrets at debug (yup-oauth2 prints
//! the signed JWT and the access token) are held at warn whatever `RUST_LOG` says: besides the
//! `target=warn` directives, every event of theirs passes a per-event filter (`muzzled`), since a
//! more specific directive (`yup_oauth2::service_account=debug`) would win over the cap.

use std::fs::{File, OpenOptions};
use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Mutex;

use tracing::{Level, Metadata};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{FilterExt as _, FilterFn, filter_fn};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use super::exit::UsageError;
use super::progress::StderrAboveBars;

/// Targets held at warn at most, because they log credentials at debug or trace.
const MUZZLED: [&str; 3] = ["yup_oauth2", "hyper_util", "reqwest"];

/// The target of the line a failed command leaves in the log file; never on stderr, which
/// already has the one-line error.
pub const FAILURE_TARGET: &str = "shopsync::failure";

/// How chatty the user asked shopsync to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verbosity {
    /// `-v` count.
    pub verbose: u8,
    /// `-q`: nothing on stdout on success, and no progress bars; warnings and errors still reach
    /// stderr (cron mails them).
    pub quiet: bool,
}

impl Verbosity {
    fn own_level(self) -> &'static str {
        match self.verbose {
            0 => "warn",
            1 => "debug",
            _ => "trace",
        }
    }
}

/// Installs the global subscriber; with `log_file`, also appends to that file (created 0600).
///
/// # Errors
/// The log file cannot be opened (exit 2: the path is configuration).
pub fn init(verbosity: Verbosity, log_file: Option<&Path>) -> Result<(), UsageError> {
    // Colour only on a terminal, and never with NO_COLOR (https://no-color.org).
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(StderrAboveBars)
        .with_ansi(ansi)
        .without_time()
        .with_target(false)
        .with_filter(
            filter(&format!("warn,shopsync={}", verbosity.own_level()))
                .add_directive(off(FAILURE_TARGET))
                .and(unmuzzled()),
        );
    // An existing log readable by others is warned about once the subscriber is up.
    let shared_log = log_file.filter(|path| crate::private_files::shared_mode(path).is_some());
    let file = match log_file {
        Some(path) => {
            let level = if verbosity.verbose > 0 {
                "debug"
            } else {
                "info"
            };
            Some(
                tracing_subscriber::fmt::layer()
                    .with_writer(Mutex::new(open_log(path)?))
                    .with_ansi(false)
                    .with_filter(filter(&format!("warn,shopsync={level}")).and(unmuzzled())),
            )
        }
        None => None,
    };
    // A second init (tests calling `run` twice in one process) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    if let Some(path) = shared_log {
        crate::private_files::warn_if_shared(path, "log file");
    }
    Ok(())
}

/// `RUST_LOG` when set (so a developer can look inside a dependency), else `default`; either way the
/// muzzled targets stay at warn.
fn filter(default: &str) -> EnvFilter {
    let base = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| default.to_owned());
    let mut filter = EnvFilter::builder().parse_lossy(base);
    for target in MUZZLED {
        if let Ok(directive) = format!("{target}=warn").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Whether an event or span comes from a muzzled crate (or one of its modules) at a level more
/// verbose than warn.
fn muzzled(meta: &Metadata<'_>) -> bool {
    let target = meta.target();
    *meta.level() > Level::WARN
        && MUZZLED.iter().any(|name| {
            target
                .strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
        })
}

/// The per-event filter that drops what [`muzzled`] names, whatever the directives say.
fn unmuzzled() -> FilterFn<fn(&Metadata<'_>) -> bool> {
    filter_fn(|meta| !muzzled(meta))
}

/// A directive that silences `target`.
fn off(target: &str) -> tracing_subscriber::filter::Directive {
    format!("{target}=off")
        .parse()
        .expect("a target name is a valid directive")
}

/// Opens the log file for appending, creating it owner-only.
fn open_log(path: &Path) -> Result<File, UsageError> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    crate::private_files::open(path, &mut options).map_err(|err| {
        UsageError(format!(
            "cannot open the log file {}: {err} (set log_file or SHOPSYNC_LOG_FILE to a writable path)",
            path.display()
        ))
    })
}
