//! The dry run's plan on disk: `test_output/<UTC time>-<run id>/` with `summary.json`,
//! `append.csv` (the rows that would be added) and `update.csv` (the cells that would change,
//! before and after). Created owner-only: it holds customer data.

use std::fs::{self, File, OpenOptions};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::csv_safe::neutralise;
use crate::sync::error::SyncError;
use crate::sync::plan::columns::Column;
use crate::sync::plan::{CellChange, Plan};

/// What a dry run found, gathered across its batches, then written to its folder.
#[derive(Debug)]
pub struct DryRunOutput {
    dir: PathBuf,
    appends: csv::Writer<BufWriter<File>>,
    updates: csv::Writer<BufWriter<File>>,
    /// Rows that would be appended.
    pub rows_appended: u64,
    /// Cells that would change in existing rows.
    pub cells_changed: u64,
}

impl DryRunOutput {
    /// Creates `<base>/<time>-<run>/` (owner-only) with the two CSV files and their headers.
    ///
    /// # Errors
    /// The folder or files cannot be created.
    pub fn create(base: &Path, started: DateTime<Utc>, run: i64) -> Result<Self, SyncError> {
        let dir = base.join(format!("{}-{run}", started.format("%Y%m%dT%H%M%SZ")));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SyncError::DryRunOutput { path, source }
        };
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(io(&dir))?;
        }
        let open = |name: &str| -> Result<csv::Writer<BufWriter<File>>, SyncError> {
            let path = dir.join(name);
            let file = private_file(&path).map_err(io(&path))?;
            Ok(csv::Writer::from_writer(BufWriter::new(file)))
        };
        let mut appends = open("append.csv")?;
        let mut updates = open("update.csv")?;
        let mut header = vec!["Sheet Row".to_owned()];
        header.extend(Column::ALL.iter().map(|c| c.name().to_owned()));
        appends
            .write_record(&header)
            .map_err(|e| csv_error(&dir, e))?;
        updates
            .write_record([
                "Order ID",
                "Line Item ID",
                "Sheet Row",
                "Column",
                "Before",
                "After",
            ])
            .map_err(|e| csv_error(&dir, e))?;
        Ok(Self {
            dir,
            appends,
            updates,
            rows_appended: 0,
            cells_changed: 0,
        })
    }

    /// The folder the plan goes to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds a batch's planned appends and cell changes.
    ///
    /// # Errors
    /// Writing the CSV files failed.
    pub fn add(&mut self, plan: &Plan, changes: &[CellChange]) -> Result<(), SyncError> {
        for append in &plan.appends {
            let mut record = vec![append.row.to_string()];
            let mut cells = vec![String::new(); Column::ALL.len()];
            for (column, cell) in append.cells() {
                cells[column.position()] = neutralise(&cell.display()).into_owned();
            }
            record.extend(cells);
            self.appends
                .write_record(&record)
                .map_err(|e| csv_error(&self.dir, e))?;
            self.rows_appended += 1;
        }
        for change in changes {
            self.updates
                .write_record([
                    change.key.order_id.as_str(),
                    change.key.line_item_id.as_str(),
                    &change.row.to_string(),
                    change.column.name(),
                    &neutralise(&change.before),
                    &neutralise(&change.after),
                ])
                .map_err(|e| csv_error(&self.dir, e))?;
            self.cells_changed += 1;
        }
        Ok(())
    }

    /// Flushes the CSV files and writes `summary.json`.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self, summary: &impl Serialize) -> Result<PathBuf, SyncError> {
        self.appends.flush().map_err(|e| io_error(&self.dir, e))?;
        self.updates.flush().map_err(|e| io_error(&self.dir, e))?;
        let path = self.dir.join("summary.json");
        let file = private_file(&path).map_err(|e| io_error(&path, e))?;
        serde_json::to_writer_pretty(BufWriter::new(file), summary)
            .map_err(|e| io_error(&path, std::io::Error::other(e)))?;
        Ok(self.dir)
    }
}

/// Opens a new file readable by its owner only.
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn io_error(path: &Path, source: std::io::Error) -> SyncError {
    SyncError::DryRunOutput {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_error(path: &Path, err: csv::Error) -> SyncError {
    io_error(path, std::io::Error::other(err))
}
