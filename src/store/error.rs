//! The store's typed errors, and the mapping from SQLite result codes to them.
//!
//! Every variant's `Display` is one sentence that says what is wrong and what to do; the CLI maps
//! them to exit codes (4 for everything but [`StoreError::BindingMismatch`], which is configuration).

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// What went wrong with the tracking database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A read-only command found no database file.
    #[error(
        "no shopsync database at {}: no sync has run yet (run `shopsync sync`, or set SHOPSYNC_DB / database_path to where the database is)",
        path.display()
    )]
    Missing {
        /// Where it looked.
        path: PathBuf,
    },
    /// A read-only command found a database file that no sync has initialised yet (empty file).
    #[error(
        "the database {} is empty: no sync has completed yet (run `shopsync sync`)",
        path.display()
    )]
    Uninitialized {
        /// The empty file.
        path: PathBuf,
    },
    /// The file is not an SQLite database at all.
    #[error(
        "{} is not an SQLite database, so shopsync left it untouched; point SHOPSYNC_DB (or database_path) at shopsync's database or at a new file",
        path.display()
    )]
    NotSqlite {
        /// The file.
        path: PathBuf,
    },
    /// The file is the prior Python tool's database (same default name, different schema).
    #[error(
        "{} looks like the prior Python sync tool's database (tables order_tracking, sync_history, sync_errors), so shopsync left it untouched; point SHOPSYNC_DB (or database_path) at a new file",
        path.display()
    )]
    PriorTool {
        /// The file.
        path: PathBuf,
    },
    /// The file is another application's SQLite database.
    #[error(
        "{} looks like another application's SQLite database ({detail}), so shopsync left it untouched; point SHOPSYNC_DB (or database_path) at a new file",
        path.display()
    )]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What identifies it (its application id or some of its tables).
        detail: String,
    },
    /// The database was written by a newer shopsync.
    #[error(
        "{} was written by a newer shopsync (schema version {found}, this one knows up to {supported}), so it was left untouched; upgrade shopsync or point SHOPSYNC_DB (or database_path) at another file",
        path.display()
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A read-only command found a database an older shopsync wrote, which only a sync may upgrade.
    #[error(
        "{} has schema version {found} and this shopsync needs {supported}; run `shopsync sync` once to upgrade it",
        path.display()
    )]
    NeedsUpgrade {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The version this build uses.
        supported: i64,
    },
    /// SQLite reports the file as damaged.
    #[error(
        "the database {} is corrupt ({detail}); restore a backup or point SHOPSYNC_DB (or database_path) at a new file",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's description.
        detail: String,
    },
    /// A backup's copy failed SQLite's integrity check, so it was not kept.
    #[error(
        "the copy of {} failed SQLite's integrity check ({detail}), so no backup was kept; the database itself is probably damaged: run `shopsync validate`, and restore an earlier backup if it fails",
        path.display()
    )]
    BackupDamaged {
        /// The database that was copied.
        path: PathBuf,
        /// What the check reported (its first lines).
        detail: String,
    },
    /// The database (or its directory) cannot be written.
    #[error(
        "the database {} is read-only (check the permissions of the file and its directory)",
        path.display()
    )]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// The disk is full.
    #[error("the disk holding {} is full; free some space and run again", path.display())]
    DiskFull {
        /// The file.
        path: PathBuf,
    },
    /// The operating system failed a read or write of the database (SQLite's `SQLITE_IOERR`): a
    /// disk that filled under a file-size limit (`EFBIG`), a failing disk, a vanished mount.
    #[error(
        "reading or writing the database {} failed with a disk I/O error; check that its disk has free space, is healthy and sets no file-size limit, then run again",
        path.display()
    )]
    DiskIo {
        /// The file.
        path: PathBuf,
    },
    /// Another process kept the database busy longer than the busy timeout.
    #[error(
        "the database {} stayed locked by another process for too long; try again when it is done",
        path.display()
    )]
    Busy {
        /// The file.
        path: PathBuf,
    },
    /// The database is bound to another shop, spreadsheet or tab than the configuration names.
    #[error(
        "the database {} is bound to {field} {stored:?} but the configuration names {given:?}; point SHOPSYNC_DB (or database_path) at a new file to sync elsewhere",
        path.display()
    )]
    BindingMismatch {
        /// The file.
        path: PathBuf,
        /// Which part of the binding differs (`shop`, `spreadsheet`, `sheet id`, `tab`).
        field: &'static str,
        /// What the database recorded.
        stored: String,
        /// What the configuration asked for.
        given: String,
    },
    /// A file operation on the database failed (creating it, reading its header).
    #[error("cannot use the database file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Any other SQLite failure.
    #[error("database error in {}: {source}", path.display())]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// rusqlite's error.
        #[source]
        source: rusqlite::Error,
    },
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Maps a rusqlite error to the variant a caller can act on.
    pub(crate) fn from_sqlite(path: &Path, source: rusqlite::Error) -> Self {
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => Self::ReadOnly { path },
            Some(ErrorCode::DiskFull) => Self::DiskFull { path },
            Some(ErrorCode::SystemIoFailure) => Self::DiskIo { path },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Busy { path },
            Some(ErrorCode::NotADatabase) => Self::NotSqlite { path },
            Some(ErrorCode::DatabaseCorrupt) => Self::Corrupt {
                path,
                detail: source.to_string(),
            },
            _ => Self::Sqlite { path, source },
        }
    }

    /// Maps an IO error on the database file, recognising a full disk and missing permission.
    pub(crate) fn from_io(path: &Path, source: std::io::Error) -> Self {
        let path = path.to_path_buf();
        match source.kind() {
            std::io::ErrorKind::StorageFull => Self::DiskFull { path },
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                Self::ReadOnly { path }
            }
            _ => Self::Io { path, source },
        }
    }

    /// The file the error is about.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            Self::Missing { path }
            | Self::Uninitialized { path }
            | Self::NotSqlite { path }
            | Self::PriorTool { path }
            | Self::Foreign { path, .. }
            | Self::Newer { path, .. }
            | Self::NeedsUpgrade { path, .. }
            | Self::Corrupt { path, .. }
            | Self::BackupDamaged { path, .. }
            | Self::ReadOnly { path }
            | Self::DiskFull { path }
            | Self::DiskIo { path }
            | Self::Busy { path }
            | Self::BindingMismatch { path, .. }
            | Self::Io { path, .. }
            | Self::Sqlite { path, .. } => path,
        }
    }

    /// Whether this only means no sync has created the database yet (not a failure of the store).
    #[must_use]
    pub fn is_not_created_yet(&self) -> bool {
        matches!(self, Self::Missing { .. } | Self::Uninitialized { .. })
    }
}
