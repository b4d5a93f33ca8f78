//! What the sheet holds now, as read for a comparison, and which of its cells a planned update
//! would change (the dry run's `update.csv`).

use std::collections::HashMap;

use serde_json::Value;

use super::Update;
use super::cell::display_sheet_value;
use super::columns::Column;
use super::rows::RowKey;

/// Cells read from the tab (with `UNFORMATTED_VALUE`), by 1-based row and 0-based column.
///
/// A cell that was not read counts as blank, so a row the caller forgot to read is rewritten whole
/// rather than skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetCells {
    rows: HashMap<u32, (usize, Vec<Value>)>,
}

impl SheetCells {
    /// No cells read yet.
    #[must_use]
    pub fn new() -> SheetCells {
        SheetCells::default()
    }

    /// Records one row as read: `values[j]` is the cell of column `first_column + j` (ragged).
    pub fn insert_row(&mut self, row: u32, first_column: usize, values: Vec<Value>) {
        self.rows.insert(row, (first_column, values));
    }

    /// The value of one cell, `None` when blank or not read.
    #[must_use]
    pub fn get(&self, row: u32, column: usize) -> Option<&Value> {
        let (first, values) = self.rows.get(&row)?;
        values.get(column.checked_sub(*first)?)
    }
}

/// One changed cell of a planned update, for the dry run's `update.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    /// The row's key.
    pub key: RowKey,
    /// The 1-based sheet row.
    pub row: u32,
    /// The owned column.
    pub column: Column,
    /// What the sheet shows now, as a person reads it.
    pub before: String,
    /// What the update writes, as a person reads it.
    pub after: String,
}

/// The cells that `updates` would actually change, given the sheet's current cells (read for the
/// updated rows); cells already equal are left out.
#[must_use]
pub fn cell_changes(updates: &[Update], sheet: &SheetCells) -> Vec<CellChange> {
    let mut out = Vec::new();
    for update in updates {
        for run in &update.runs {
            for (offset, (column, cell)) in run.cells.iter().enumerate() {
                let before = sheet.get(update.row, run.column + offset);
                if !cell.matches(before) {
                    out.push(CellChange {
                        key: update.key.clone(),
                        row: update.row,
                        column: *column,
                        before: display_sheet_value(before),
                        after: cell.display(),
                    });
                }
            }
        }
    }
    out
}
