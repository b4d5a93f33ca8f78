//! The numbered schema migrations, and how a file is recognised as shopsync's before anything
//! writes to it.
//!
//! Migrations live in `migrations/NNNN_what.sql`, embedded here in order; a released one is never
//! edited, only followed by a new one. `PRAGMA user_version` counts the ones applied and
//! `PRAGMA application_id` marks the file as shopsync's.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Result, StoreError};

/// The migrations in order; `user_version` N means the first N are applied.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_init.sql")];

/// The schema version this build writes and reads (the number of migrations).
#[allow(clippy::cast_possible_wrap)] // A handful of migrations, never near i64::MAX.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of a shopsync database: the ASCII bytes `SHSY`.
pub const APPLICATION_ID: i64 = 0x5348_5359;

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The size of the SQLite file header, the smallest non-empty database.
const SQLITE_HEADER_LEN: usize = 100;

/// Tables the prior Python tool created; together with no shopsync id they identify its file.
const PRIOR_TOOL_TABLES: [&str; 3] = ["order_tracking", "sync_history", "sync_errors"];

/// What an existing file turned out to be, when it is acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// An empty file or an SQLite database with no tables and no ids: shopsync may initialise it.
    Fresh,
    /// A shopsync database at this schema version (at most [`SCHEMA_VERSION`]).
    Shopsync(i64),
}

/// Checks the file's first bytes without SQLite, so garbage is refused before SQLite touches it.
///
/// Returns `true` when the file is empty.
pub(crate) fn check_header(path: &Path) -> Result<bool> {
    // Reading cannot fail for want of write permission: report the OS error as it is.
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut header = Vec::with_capacity(SQLITE_HEADER_LEN);
    file.by_ref()
        .take(SQLITE_HEADER_LEN as u64)
        .read_to_end(&mut header)
        .map_err(io)?;
    if header.is_empty() {
        return Ok(true);
    }
    if header.len() < SQLITE_HEADER_LEN || !header.starts_with(SQLITE_MAGIC) {
        return Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
        });
    }
    Ok(false)
}

/// Classifies an open database through queries only (no write), refusing what is not ours.
pub(crate) fn inspect(conn: &Connection, path: &Path) -> Result<FileKind> {
    let sql = |e| StoreError::from_sqlite(path, e);
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(sql)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .map_err(sql)?;
    let tables = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(sql)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(sql)?;
    classify(path, app_id, version, &tables)
}

/// The decision behind [`inspect`], apart from SQLite so it can be tested on its own.
fn classify(path: &Path, app_id: i64, version: i64, tables: &[String]) -> Result<FileKind> {
    let path_buf = path.to_path_buf();
    if app_id == APPLICATION_ID {
        if version > SCHEMA_VERSION {
            return Err(StoreError::Newer {
                path: path_buf,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        return Ok(FileKind::Shopsync(version));
    }
    if app_id != 0 {
        return Err(StoreError::Foreign {
            path: path_buf,
            detail: format!("its application id is {app_id:#010x}"),
        });
    }
    if tables.is_empty() && version == 0 {
        return Ok(FileKind::Fresh);
    }
    if PRIOR_TOOL_TABLES
        .iter()
        .all(|t| tables.iter().any(|have| have == t))
    {
        return Err(StoreError::PriorTool { path: path_buf });
    }
    let shown: Vec<&str> = tables.iter().take(4).map(String::as_str).collect();
    let detail = if shown.is_empty() {
        format!("user_version {version} and no shopsync id")
    } else {
        format!("tables {}", shown.join(", "))
    };
    Err(StoreError::Foreign {
        path: path_buf,
        detail,
    })
}

/// Applies every pending migration in one transaction, re-checking the file inside it.
///
/// The check is repeated under the write lock because another process may have changed the file
/// between the read-only inspection and now.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let sql = |e| StoreError::from_sqlite(path, e);
    // Up to date: return without taking the write lock, so opening never waits on a running sync.
    if inspect(conn, path)? == FileKind::Shopsync(SCHEMA_VERSION) {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    let current = match inspect(&tx, path)? {
        FileKind::Fresh => 0,
        FileKind::Shopsync(v) => v,
    };
    if current == SCHEMA_VERSION {
        return Ok(()); // Dropping the transaction rolls back nothing: it wrote nothing.
    }
    let start = usize::try_from(current).unwrap_or(0);
    for migration in &MIGRATIONS[start..] {
        tx.execute_batch(migration).map_err(sql)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(sql)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(sql)?;
    tx.commit().map_err(sql)?;
    tracing::info!(
        from = current,
        to = SCHEMA_VERSION,
        "migrated the tracking database"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn classification_table() {
        let p = Path::new("x.db");
        assert_eq!(classify(p, 0, 0, &[]).unwrap(), FileKind::Fresh);
        assert_eq!(
            classify(p, APPLICATION_ID, 1, &names(&["order_tracking"])).unwrap(),
            FileKind::Shopsync(1)
        );
        assert!(matches!(
            classify(p, APPLICATION_ID, SCHEMA_VERSION + 1, &[]),
            Err(StoreError::Newer { found, .. }) if found == SCHEMA_VERSION + 1
        ));
        assert!(matches!(
            classify(
                p,
                0,
                0,
                &names(&["order_tracking", "sync_errors", "sync_history"])
            ),
            Err(StoreError::PriorTool { .. })
        ));
        assert!(matches!(
            classify(
                p,
                0,
                3,
                &names(&["order_tracking", "sync_errors", "sync_history"])
            ),
            Err(StoreError::PriorTool { .. })
        ));
        assert!(matches!(
            classify(p, 0, 0, &names(&["moz_places"])),
            Err(StoreError::Foreign { detail, .. }) if detail.contains("moz_places")
        ));
        assert!(matches!(
            classify(p, 0x0F05_5112, 0, &[]),
            Err(StoreError::Foreign { detail, .. }) if detail.contains("0x0f055112")
        ));
        assert!(matches!(
            classify(p, 0, 7, &[]),
            Err(StoreError::Foreign { .. })
        ));
    }
}
