//! The sync lock: an OS file lock on `<db>.lock` (DESIGN.md section 9, Lock).
//!
//! The lock is `flock`-style (`File::try_lock`) on a file next to the database, never on the
//! database itself (SQLite's own locks live there) and never unlinked (unlinking would let two
//! processes lock two different inodes of the same name). The kernel frees the lock when the holder
//! exits, even by kill -9, so the text a dead holder left in the file means nothing: it is only read
//! while the lock is held by someone else.

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// How often [`SyncLock::acquire`] tries again while it waits.
const RETRY_EVERY: Duration = Duration::from_millis(50);

/// Who holds the lock, as the holder wrote it into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The holder's process id.
    pub pid: u32,
    /// When it took the lock.
    pub started_at: DateTime<Utc>,
    /// What it runs, such as `sync`.
    pub command: String,
    /// The host it runs on.
    pub host: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on {} running `shopsync {}` since {}",
            self.pid,
            self.host,
            self.command,
            self.started_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }
}

/// Whether the lock is held, as [`lock_holder`] sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LockState {
    /// Nobody holds it.
    Free,
    /// Another process holds it; `holder` is `None` when its text is not readable yet.
    Held {
        /// What the holder wrote.
        holder: Option<Holder>,
    },
}

/// Why the lock could not be taken or inspected.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock.
    #[error("another shopsync holds the lock {}: {}", path.display(), describe(holder.as_ref()))]
    Held {
        /// The lock file.
        path: PathBuf,
        /// What the holder wrote (`None` when it had not written yet).
        holder: Option<Holder>,
    },
    /// The lock file could not be opened, locked or written.
    #[error("cannot use the lock file {}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

fn describe(holder: Option<&Holder>) -> String {
    holder.map_or_else(
        || "its holder has not written its details yet; try again in a moment".to_owned(),
        |h| format!("{h}; wait for it to finish"),
    )
}

/// The lock file of the database at `db_path`: `<db>.lock` beside the database's canonical path,
/// so every spelling of one database (relative, absolute, through a symlink to it or to its
/// folder) takes the same lock.
#[must_use]
pub fn lock_path(db_path: &Path) -> PathBuf {
    let mut name = OsString::from(canonical(db_path).as_os_str());
    name.push(".lock");
    PathBuf::from(name)
}

/// `path` with every symlink resolved; for a database not created yet, its folder's canonical
/// path joined with its name; `path` itself when neither resolves.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(found) = std::fs::canonicalize(path) {
        return found;
    }
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return path.to_path_buf();
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    std::fs::canonicalize(parent).map_or_else(|_| path.to_path_buf(), |dir| dir.join(name))
}

/// Refuses a database with more than one hard link: the lock is keyed on its path (and SQLite
/// names its `-wal` file after it), so two names of one file could let two syncs run at once.
fn refuse_hard_links(db_path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match std::fs::metadata(db_path) {
            Ok(meta) if meta.is_file() && meta.nlink() > 1 => {
                return Err(std::io::Error::other(format!(
                    "the database {} has {} hard links: shopsync locks a database by its path, \
                     and SQLite names its journal after it, so two names of one file could run \
                     two syncs on it at once; remove the other links (find -samefile)",
                    db_path.display(),
                    meta.nlink()
                )));
            }
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = db_path;
    Ok(())
}

/// The held sync lock; dropping it releases the lock (the file stays).
#[derive(Debug)]
pub struct SyncLock {
    file: File,
    path: PathBuf,
    holder: Holder,
}

impl SyncLock {
    /// Takes the lock of the database at `db_path` for `command`, trying again for up to `wait`
    /// (the sync waits 2 s) before giving up.
    ///
    /// # Errors
    /// [`LockError::Held`] naming the holder when it stays held; [`LockError::Io`] when the lock
    /// file cannot be created or written.
    pub fn acquire(db_path: &Path, command: &str, wait: Duration) -> Result<Self, LockError> {
        let path = lock_path(db_path);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        refuse_hard_links(db_path).map_err(io)?;
        let mut options = OpenOptions::new();
        // Never truncate on open: the text belongs to whoever holds the lock now.
        options.read(true).write(true).create(true).truncate(false);
        // Owner-only, never through a symlink, a regular file only.
        let mut file = crate::private_files::open(&path, &mut options).map_err(io)?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(RETRY_EVERY.min(deadline - Instant::now()));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        holder: read_holder(&mut file),
                        path,
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let holder = Holder {
            pid: std::process::id(),
            started_at: Utc::now(),
            command: command.to_owned(),
            host: host_name(),
        };
        let text = serde_json::to_string(&holder).unwrap_or_default();
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.flush().map_err(io)?;
        tracing::debug!(path = %path.display(), "took the sync lock");
        Ok(Self { file, path, holder })
    }

    /// What this process wrote into the lock file.
    #[must_use]
    pub fn holder(&self) -> &Holder {
        &self.holder
    }

    /// The lock file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        // Closing the file releases the lock anyway; unlocking first makes the order explicit.
        let _ = self.file.unlock();
    }
}

/// Who holds the lock of the database at `db_path`, for `status`; never waits.
///
/// It probes with a non-blocking shared `try_lock_shared` and releases at once when that succeeds: the probe
/// holds the lock for microseconds, and [`SyncLock::acquire`] keeps retrying until its deadline,
/// so a sync starting at that instant waits one retry instead of failing. (Reading `/proc/locks`
/// would avoid even that, but is Linux-only and unreliable on overlay and btrfs mounts.) A missing
/// lock file means no sync ever ran here, so nobody holds it; nothing is created.
///
/// # Errors
/// [`LockError::Io`] when the lock file exists but cannot be opened or probed.
pub fn lock_holder(db_path: &Path) -> Result<LockState, LockError> {
    let path = lock_path(db_path);
    let mut file = match crate::private_files::open(&path, OpenOptions::new().read(true)) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LockState::Free),
        Err(source) => return Err(LockError::Io { path, source }),
    };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            Ok(LockState::Free)
        }
        Err(TryLockError::WouldBlock) => Ok(LockState::Held {
            holder: read_holder(&mut file),
        }),
        Err(TryLockError::Error(source)) => Err(LockError::Io { path, source }),
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(64 * 1024).read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

/// This machine's host name, for the lock file; `unknown` when it cannot be read.
fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
