//! A consistent copy of the tracking database, taken with SQLite's online backup API and checked
//! before anyone relies on it.
//!
//! The database is in WAL mode, so copying its main file (`cp shopify_sync.db …`, as the prior tool's
//! README advised) can miss transactions that are committed but still only in `-wal`, and a copy
//! taken while a sync writes can be torn. The backup API reads every page through SQLite instead,
//! inside one read transaction: the copy is the database as of one commit, WAL content included.
//!
//! It takes no sync lock, on purpose. In WAL mode a reader neither waits for the writer nor blocks
//! it: the read transaction sees the last commit before it began and the sync goes on committing
//! after it. So a backup can run at any time, even during an hour-long backfill, and a cron sync that
//! starts meanwhile is not turned away with exit 5.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::error::{Result, StoreError};
use super::migrations::{self, FileKind};
use super::{BUSY_TIMEOUT, open_connection, require_file};

/// How long to wait before trying a step again that SQLite answered busy or locked.
const STEP_RETRY: Duration = Duration::from_millis(50);

/// What a verified backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    /// The schema version of the copy (the source's).
    pub schema_version: i64,
    /// Orders tracked, deleted ones included.
    pub orders: i64,
    /// Line items (sheet rows) tracked.
    pub line_items: i64,
    /// Runs recorded in `sync_history`.
    pub runs: i64,
    /// The copy's size in bytes.
    pub bytes: u64,
}

/// Copies the shopsync database at `source` into `target`, an empty file the caller created (so
/// its owner-only mode is the caller's choice, never SQLite's), then checks the copy with
/// `PRAGMA integrity_check`.
///
/// The source is opened read-only and inspected first: a file that is not a shopsync database is
/// refused untouched, as every other command refuses it. A database an older shopsync wrote is
/// copied as it is (a backup before an upgrade is the point). The copy is a single file in
/// rollback-journal mode, so it can itself be copied or moved as one file; shopsync turns WAL back
/// on when it next opens it.
///
/// # Errors
/// [`StoreError::Missing`] or [`StoreError::Uninitialized`] when there is nothing to copy, the
/// refusals of [`super::Store::open`], [`StoreError::BackupDamaged`] when the copy fails its
/// check, [`StoreError::DiskFull`] and the other IO and SQLite variants otherwise.
pub fn backup(source: &Path, target: &Path) -> Result<BackupSummary> {
    let from = open_source(source)?;
    let mut to = open_connection(target, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    copy_pages(&from, &mut to, target)?;
    // A single self-contained file: no `-wal` or `-shm` beside the copy, now or when it is opened.
    let _: String = to
        .pragma_update_and_check(None, "journal_mode", "delete", |r| r.get(0))
        .map_err(|e| StoreError::from_sqlite(target, e))?;
    to.close()
        .map_err(|(_, e)| StoreError::from_sqlite(target, e))?;
    drop(from);
    verify(source, target)
}

/// Opens the source read-only, refusing what is not a shopsync database.
fn open_source(source: &Path) -> Result<Connection> {
    require_file(source)?;
    let uninitialized = || StoreError::Uninitialized {
        path: source.to_path_buf(),
    };
    if migrations::check_header(source)? {
        return Err(uninitialized());
    }
    let conn = open_connection(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    match migrations::inspect(&conn, source)? {
        FileKind::Fresh => Err(uninitialized()),
        FileKind::Shopsync(_) => Ok(conn),
    }
}

/// Copies every page in one step, so the copy comes from one read transaction (a step of some
/// pages at a time would restart whenever another process commits in between, and a busy sync
/// commits often).
fn copy_pages(from: &Connection, to: &mut Connection, target: &Path) -> Result<()> {
    let backup = Backup::new(from, to).map_err(|e| StoreError::from_sqlite(target, e))?;
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match backup
            .step(-1)
            .map_err(|e| StoreError::from_sqlite(target, e))?
        {
            StepResult::Done => return Ok(()),
            // A step of every page ends in Done; More cannot follow it, but costs nothing to allow.
            StepResult::More => {}
            // Busy, Locked and whatever later versions add are retried until the deadline.
            _ if Instant::now() < deadline => std::thread::sleep(STEP_RETRY),
            _ => {
                return Err(StoreError::Busy {
                    path: target.to_path_buf(),
                });
            }
        }
    }
}

/// Opens the copy read-only, runs the full integrity check and counts what it holds. Damage found
/// in the copy is the source's (the copy is page for page), so it is reported with the source's
/// name rather than the temporary file's.
fn verify(source: &Path, target: &Path) -> Result<BackupSummary> {
    check_copy(source, target).map_err(|err| match err {
        StoreError::Corrupt { detail, .. } => StoreError::BackupDamaged {
            path: source.to_path_buf(),
            detail,
        },
        StoreError::NotSqlite { .. } => StoreError::BackupDamaged {
            path: source.to_path_buf(),
            detail: "the copy is not a database".to_owned(),
        },
        other => other,
    })
}

fn check_copy(source: &Path, target: &Path) -> Result<BackupSummary> {
    let conn = open_connection(target, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let sql = |e| StoreError::from_sqlite(target, e);
    let problems = {
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(sql)?;
        stmt.query_map([], |r| r.get::<_, String>(0))
            .map_err(sql)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(sql)?
    };
    if problems != ["ok"] {
        return Err(StoreError::BackupDamaged {
            path: source.to_path_buf(),
            detail: problems.into_iter().take(3).collect::<Vec<_>>().join("; "),
        });
    }
    let FileKind::Shopsync(schema_version) = migrations::inspect(&conn, target)? else {
        return Err(StoreError::BackupDamaged {
            path: source.to_path_buf(),
            detail: "the copy holds no shopsync schema".to_owned(),
        });
    };
    let (orders, line_items, runs) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM order_tracking), \
             (SELECT COUNT(*) FROM line_item_tracking), \
             (SELECT COUNT(*) FROM sync_history)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(sql)?;
    drop(conn);
    let bytes = std::fs::metadata(target)
        .map_err(|e| StoreError::from_io(target, e))?
        .len();
    Ok(BackupSummary {
        schema_version,
        orders,
        line_items,
        runs,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{RunCounts, RunMode, RunOutcome, Store};

    fn empty_file(dir: &Path, name: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, b"").expect("create target");
        path
    }

    #[test]
    fn a_backup_holds_what_was_committed_and_is_a_single_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = dir.path().join("shopify_sync.db");
        let mut store = Store::open(&source).expect("open");
        let run = store.start_run(RunMode::Real, None).expect("start");
        store
            .finish_run(run, RunOutcome::Success, &RunCounts::default(), None, None)
            .expect("finish");
        // The store stays open, so the run lives only in `-wal`: a copy of the main file lacks it.
        let cp = dir.path().join("cp.db");
        std::fs::copy(&source, &cp).expect("cp");
        let copied_runs = Connection::open(&cp)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM sync_history", [], |r| r.get(0)));
        assert!(!matches!(copied_runs, Ok(1_i64)), "cp caught the run");

        let target = empty_file(dir.path(), "copy.db");
        let summary = backup(&source, &target).expect("backup");
        assert_eq!(summary.runs, 1);
        assert_eq!(summary.schema_version, crate::store::SCHEMA_VERSION);
        assert!(!dir.path().join("copy.db-wal").exists());
        assert!(!dir.path().join("copy.db-shm").exists());
        let copy = Store::open_read_only(&target).expect("the copy opens");
        assert_eq!(
            copy.health().expect("health").integrity_problems,
            Vec::<String>::new()
        );
        drop(store);
    }

    #[test]
    fn nothing_to_copy_and_foreign_files_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = empty_file(dir.path(), "copy.db");
        let missing = dir.path().join("none.db");
        assert!(matches!(
            backup(&missing, &target),
            Err(StoreError::Missing { .. })
        ));
        let empty = empty_file(dir.path(), "empty.db");
        assert!(matches!(
            backup(&empty, &target),
            Err(StoreError::Uninitialized { .. })
        ));
        let prior = dir.path().join("prior.db");
        let conn = Connection::open(&prior).expect("create");
        conn.execute_batch(
            "CREATE TABLE order_tracking (id TEXT); CREATE TABLE sync_history (id INTEGER);
             CREATE TABLE sync_errors (id INTEGER);",
        )
        .expect("prior tables");
        drop(conn);
        assert!(matches!(
            backup(&prior, &target),
            Err(StoreError::PriorTool { .. })
        ));
        assert_eq!(std::fs::metadata(&target).expect("target").len(), 0);
    }
}
