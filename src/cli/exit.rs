//! Exit codes: the table users and cron rely on, decided in one function.

use std::fmt;

/// The documented exit codes, printed by `--help` and the README.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  ok (also: nothing to do, a dry run, a broken pipe)
  1  finished, with problems (some orders failed, a validate check failed, unexplained gaps)
  2  usage or configuration error
  3  a remote service failed or refused (auth, permission, not found, retries exhausted)
  4  local store error (corrupt, foreign, newer or unwritable database)
  5  another sync holds the lock (or kept the database busy too long)";

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything done.
    Ok,
    /// 1: finished, with problems the output describes.
    Problems,
    /// 2: bad flags or configuration.
    Usage,
    /// 3: Shopify or Google failed or refused.
    Remote,
    /// 4: the local store cannot be used.
    Store,
    /// 5: another sync holds the lock.
    Locked,
    /// 130 or 143: stopped by SIGINT or SIGTERM after finishing the write in flight.
    Interrupted(u8),
    /// The exit code of a step `shopsync demo` ran as a child process, passed on unchanged.
    Passed(u8),
}

impl Exit {
    /// The process exit code.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Problems => 1,
            Self::Usage => 2,
            Self::Remote => 3,
            Self::Store => 4,
            Self::Locked => 5,
            Self::Interrupted(code) | Self::Passed(code) => code,
        }
    }

    /// A word for the kind of ending, for `--json` failures.
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Problems => "problems",
            Self::Usage => "usage",
            Self::Remote => "remote",
            Self::Store => "store",
            Self::Locked => "locked",
            Self::Interrupted(_) => "interrupted",
            Self::Passed(_) => "demo_step",
        }
    }
}

/// What a command reports when it finished without a fatal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// All is well.
    Done,
    /// It finished, but what it printed names problems (exit 1).
    Problems,
    /// SIGINT (2) or SIGTERM (15) stopped it after the write in flight (exit 128 + signal).
    Stopped(u8),
}

/// A usage error found by a command itself rather than by clap (exit 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A step that `shopsync demo` ran as a child process failed; its exit code becomes the demo's.
#[derive(Debug)]
pub struct StepFailed {
    /// Which step, as the user saw it (`step 4 of 6 (shopsync sync)`).
    pub step: String,
    /// The child's exit code (128 + the signal when a signal ended it).
    pub code: u8,
}

impl fmt::Display for StepFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the demo stopped at {}: it ended with exit code {}",
            self.step, self.code
        )
    }
}

impl std::error::Error for StepFailed {}

/// The exit code for a failed command: the first error in the chain that shopsync knows decides.
#[must_use]
pub fn classify(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if let Some(step) = cause.downcast_ref::<StepFailed>() {
            return Exit::Passed(step.code);
        }
        if cause.is::<crate::config::ConfigError>() || cause.is::<UsageError>() {
            return Exit::Usage;
        }
        if let Some(err) = cause.downcast_ref::<crate::sync::SyncError>() {
            return sync_exit(err);
        }
        if let Some(err) = cause.downcast_ref::<crate::shopify::ShopifyError>() {
            return shopify_exit(err);
        }
        if let Some(err) = cause.downcast_ref::<crate::sheets::SheetsError>() {
            return sheets_exit(err);
        }
        if let Some(err) = cause.downcast_ref::<crate::store::StoreError>() {
            return store_exit(err);
        }
        if let Some(err) = cause.downcast_ref::<crate::store::LockError>() {
            return match err {
                crate::store::LockError::Held { .. } => Exit::Locked,
                crate::store::LockError::Io { .. } => Exit::Store,
            };
        }
        if let Some(err) = cause.downcast_ref::<std::io::Error>() {
            match err.kind() {
                std::io::ErrorKind::BrokenPipe => return Exit::Ok,
                // A full disk is the machine's store failing, not a bad flag (DESIGN.md: 4).
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                    return Exit::Store;
                }
                _ => {}
            }
        }
    }
    // An error no layer typed is most likely local (a file that cannot be written): say "usage"
    // rather than blame a remote service that was never called.
    Exit::Usage
}

fn sync_exit(err: &crate::sync::SyncError) -> Exit {
    use crate::sync::SyncError;
    match err {
        SyncError::Shopify(err) => shopify_exit(err),
        SyncError::Sheets(err) => sheets_exit(err),
        SyncError::Store(err) => store_exit(err),
        SyncError::Tab(_) | SyncError::DryRunOutput { .. } => Exit::Usage,
        SyncError::Lock(crate::store::LockError::Held { .. }) => Exit::Locked,
        SyncError::Lock(crate::store::LockError::Io { .. }) => Exit::Store,
        SyncError::Unconfirmed { .. } => Exit::Remote,
    }
}

/// A database that another process kept busy past the busy timeout is held, as a lock is (5: try
/// again when it is done), not broken (4).
fn store_exit(err: &crate::store::StoreError) -> Exit {
    match err {
        crate::store::StoreError::BindingMismatch { .. } => Exit::Usage,
        crate::store::StoreError::Busy { .. } => Exit::Locked,
        _ => Exit::Store,
    }
}

fn shopify_exit(err: &crate::shopify::ShopifyError) -> Exit {
    match err.kind() {
        crate::shopify::ErrorKind::Settings => Exit::Usage,
        _ => Exit::Remote,
    }
}

fn sheets_exit(err: &crate::sheets::SheetsError) -> Exit {
    match err.kind() {
        crate::sheets::ErrorKind::Config => Exit::Usage,
        _ => Exit::Remote,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigError, Problem};

    #[test]
    fn codes_match_the_documented_table() {
        let table = [
            (Exit::Ok, 0),
            (Exit::Problems, 1),
            (Exit::Usage, 2),
            (Exit::Remote, 3),
            (Exit::Store, 4),
            (Exit::Locked, 5),
            (Exit::Interrupted(130), 130),
        ];
        for (exit, code) in table {
            assert_eq!(exit.code(), code, "{exit:?}");
            if code <= 5 {
                assert!(
                    EXIT_CODES_HELP.contains(&format!("  {code}  ")),
                    "{code} undocumented"
                );
            }
        }
    }

    #[test]
    fn errors_are_classified_through_context() {
        let config = anyhow::Error::new(ConfigError::new(vec![Problem {
            key: None,
            source: None,
            message: "x".into(),
        }]))
        .context("loading");
        assert_eq!(classify(&config), Exit::Usage);

        let full = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::StorageFull))
            .context("cannot write the export to x.csv");
        assert_eq!(classify(&full), Exit::Store);
        let quota = anyhow::Error::new(std::io::Error::from_raw_os_error(122))
            .context("cannot write the export to x.csv");
        assert_eq!(classify(&quota), Exit::Store);
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(classify(&pipe), Exit::Ok);

        let step = anyhow::Error::new(StepFailed {
            step: "shopsync sync".into(),
            code: 3,
        });
        assert_eq!(classify(&step).code(), 3);

        // A database another process kept busy is held, not broken: try again later.
        let busy = || crate::store::StoreError::Busy {
            path: "shopify_sync.db".into(),
        };
        assert_eq!(classify(&anyhow::Error::new(busy())), Exit::Locked);
        let in_sync = crate::sync::SyncError::Store(busy());
        assert_eq!(classify(&anyhow::Error::new(in_sync)), Exit::Locked);
    }
}
