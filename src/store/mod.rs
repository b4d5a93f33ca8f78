//! The SQLite tracking store: what was synced, runs, errors, the cursor, the binding, and the lock.
//!
//! All SQL lives under this module, in methods named for the question they answer. Opening refuses,
//! before any write, every file that is not a shopsync database (garbage, the prior Python tool's
//! database, another application's, a newer shopsync's). Timestamps are stored as fixed-width
//! RFC 3339 UTC text and money as decimal text. This module never prints and picks no exit code.

mod backup;
mod error;
mod errors;
mod export;
mod gaps;
pub mod lock;
mod migrations;
mod orders;
mod record;
mod report;
mod runs;
mod state;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::clock::{SharedClock, SystemClock};

pub use backup::{BackupSummary, backup};
pub use error::{Result, StoreError};
pub use errors::{ErrorRecord, NewError, RUN_STAGE};
pub use export::ExportRow;
pub use gaps::{ExplainedGap, GapClass, NumberRange};
pub use lock::{Holder, LockError, LockState, SyncLock, lock_holder, lock_path};
pub use migrations::{APPLICATION_ID, SCHEMA_VERSION};
pub use orders::{
    LineItemHashes, OrderHashes, OrderRecord, OrderStatus, ResetOrder, TrackedCounts,
    TrackedLineItem,
};
pub use record::{SyncedOrder, SyncedRow};
pub use report::{
    CurrencyAmount, DayReport, OutcomeCount, PeriodTotals, Report, TopProduct, local_day_start,
};
pub use runs::{RunCounts, RunId, RunMode, RunOutcome, RunRecord};
pub use state::{BindOutcome, Binding, ShopInfo};

/// How long a statement waits for another connection's write lock before failing as busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The page size of a database this version creates.
const NEW_PAGE_SIZE: i64 = 65_536;

/// How much the WAL holds before a commit checkpoints it into the database.
const WAL_CHECKPOINT_BYTES: i64 = 16 * 1024 * 1024;

/// An open tracking database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: SharedClock,
}

impl Store {
    /// Opens (creating it with mode 0600 when absent) and migrates the database at `path`.
    ///
    /// A file that is not shopsync's, or that a newer shopsync wrote, is refused before any write.
    ///
    /// # Errors
    /// [`StoreError::NotSqlite`], [`StoreError::PriorTool`], [`StoreError::Foreign`],
    /// [`StoreError::Newer`] for refused files; the IO and SQLite variants otherwise.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        create_owner_only(path)?;
        crate::private_files::warn_if_shared(path, "tracking database");
        if !migrations::check_header(path)? {
            // Inspect through a read-only connection first: it cannot write, whatever the file is.
            let probe = open_connection(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            migrations::inspect(&probe, path)?;
        }
        let mut conn = open_connection(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        // A new database gets pages of 64 KiB (a file that exists keeps its own size). Recording
        // appends rows to five B-trees, and each 4 KiB page cost a write to the WAL and another
        // at the checkpoint: a 100,000-order backfill made 278,000 `pwrite` and 173,000 `pread`
        // calls, 22,000 and 15,000 with 64 KiB pages, and a fifth less CPU.
        conn.pragma_update(None, "page_size", NEW_PAGE_SIZE)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        if mode.eq_ignore_ascii_case("wal") {
            // In WAL mode, NORMAL syncs at checkpoints rather than at every commit. A crash or
            // kill of shopsync loses nothing; a power cut may lose the last commits, which only
            // takes the tracking back to an earlier state it held (never ahead of the sheet, whose
            // rows are found by key): the next run fetches those orders again.
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| StoreError::from_sqlite(path, e))?;
            // Checkpoints by the WAL's size in bytes, whatever the page size: SQLite counts pages
            // (1,000 by default), which with 64 KiB pages would let the WAL grow to 64 MiB.
            let page_size: i64 = conn
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .map_err(|e| StoreError::from_sqlite(path, e))?;
            conn.pragma_update(
                None,
                "wal_autocheckpoint",
                WAL_CHECKPOINT_BYTES / page_size.max(512),
            )
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        } else {
            tracing::warn!(%mode, "SQLite refused WAL journaling; continuing with {mode}");
        }
        // Statement journals in memory. Each upsert keeps one, to undo that statement alone;
        // SQLite moves it to a temporary file once one statement's passes 64 KiB and then writes
        // every later statement's to that file until the transaction ends: in a 100,000-order
        // backfill, 577,000 writes (1.2 GB) to files nobody reads. In memory each is freed when
        // its statement ends. (Temporary tables and indexes would be in memory too: the store's
        // queries make none of any size; sorts still spill to files.)
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        migrations::migrate(&mut conn, path)?;
        Ok(Self::wrap(conn, path))
    }

    /// Opens an existing database read-only, for commands that only read; never creates or migrates.
    ///
    /// # Errors
    /// [`StoreError::Missing`] when no file exists, [`StoreError::Uninitialized`] when it is empty,
    /// [`StoreError::NeedsUpgrade`] when an older shopsync wrote it, and the refusals of
    /// [`Store::open`].
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        require_file(path)?;
        if migrations::check_header(path)? {
            return Err(StoreError::Uninitialized {
                path: path.to_path_buf(),
            });
        }
        let conn = open_connection(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        match migrations::inspect(&conn, path)? {
            migrations::FileKind::Fresh => Err(StoreError::Uninitialized {
                path: path.to_path_buf(),
            }),
            migrations::FileKind::Shopsync(v) if v < SCHEMA_VERSION => {
                Err(StoreError::NeedsUpgrade {
                    path: path.to_path_buf(),
                    found: v,
                    supported: SCHEMA_VERSION,
                })
            }
            migrations::FileKind::Shopsync(_) => Ok(Self::wrap(conn, path)),
        }
    }

    /// A migrated database in memory, for tests and previews.
    ///
    /// # Errors
    /// Only if SQLite cannot allocate it.
    pub fn open_in_memory() -> Result<Self> {
        let path = Path::new(":memory:");
        let mut conn =
            Connection::open_in_memory().map_err(|e| StoreError::from_sqlite(path, e))?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        migrations::migrate(&mut conn, path)?;
        Ok(Self::wrap(conn, path))
    }

    /// Uses `clock` for the times the store records (run starts, sync times, error times).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The database file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks the file for `validate`: SQLite's `quick_check` and the schema version.
    ///
    /// # Errors
    /// When the checks cannot run at all (a busy or unreadable file).
    pub fn health(&self) -> Result<Health> {
        let problems = {
            let mut stmt = self
                .conn
                .prepare("PRAGMA quick_check")
                .map_err(|e| self.err(e))?;
            stmt.query_map([], |r| r.get::<_, String>(0))
                .map_err(|e| self.err(e))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| self.err(e))?
        };
        let problems = if problems.len() == 1 && problems[0] == "ok" {
            Vec::new()
        } else {
            problems
        };
        let schema_version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let journal_mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(Health {
            ok: problems.is_empty() && schema_version == SCHEMA_VERSION,
            integrity_problems: problems,
            schema_version,
            supported_version: SCHEMA_VERSION,
            journal_mode,
        })
    }

    fn wrap(conn: Connection, path: &Path) -> Self {
        Self {
            conn,
            path: path.to_path_buf(),
            clock: Arc::new(SystemClock),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, e)
    }

    /// A transaction that holds the write lock from its start (`BEGIN IMMEDIATE`), for one that
    /// reads before it writes. A deferred one would read from a snapshot, and its first write
    /// would then fail at once as busy, without the busy timeout's wait, had another process
    /// (an overlapping `sync --test`, say) committed meanwhile.
    fn write_transaction(&mut self) -> Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&self.path, e))
    }
}

/// The result of [`Store::health`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// Whether the integrity check passed and the schema is current.
    pub ok: bool,
    /// What `PRAGMA quick_check` reported (empty when it said `ok`).
    pub integrity_problems: Vec<String>,
    /// The file's schema version.
    pub schema_version: i64,
    /// The schema version this build uses.
    pub supported_version: i64,
    /// The journal mode (`wal` for a database shopsync wrote).
    pub journal_mode: String,
}

/// Refuses a path with no file, for the opens that never create one.
fn require_file(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::Missing {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(StoreError::from_io(path, e)),
    }
}

/// Creates the file with mode 0600 when it does not exist, so SQLite never creates it with a wider
/// mode (its `-wal` and `-shm` files copy the database file's mode).
fn create_owner_only(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => {
            tracing::info!(path = %path.display(), "created the tracking database");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::from_io(path, e)),
    }
}

fn open_connection(path: &Path, mode: OpenFlags) -> Result<Connection> {
    // No SQLITE_OPEN_URI: a path is a path, `?` and `#` in it are not URI syntax.
    let flags = mode | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::from_sqlite(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| StoreError::from_sqlite(path, e))?;
    if !mode.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
    }
    Ok(conn)
}

/// Formats a time the way the store keeps it: fixed-width RFC 3339 UTC, so text order is time order.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a stored time back.
fn get_ts(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(idx)?;
    parse_ts(idx, &text)
}

/// Reads a stored optional time back.
fn get_opt_ts(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| parse_ts(idx, &t)).transpose()
}

fn parse_ts(idx: usize, text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
}

/// Reads a stored decimal amount back.
fn get_decimal(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Decimal> {
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_tracking;
