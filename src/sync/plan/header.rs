//! Row 1 of the tab analysed: which column holds each owned header, which owned headers are missing
//! (to be added at the right), and the header refusals of the tab policy ([`super::tab`]).
//!
//! Columns are found by header name at every run, so people may move shopsync's columns and add
//! their own anywhere (DESIGN.md section 9, "Owned columns").

use serde_json::Value;

use super::columns::{COLUMN_COUNT, Column, KEY_COLUMNS};
use super::tab::TabError;

/// An owned header that row 1 lacks and that the run writes at the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderAddition {
    /// The column to add.
    pub column: Column,
    /// The 0-based sheet column index it goes to.
    pub index: usize,
}

/// Where each owned column is in one tab, after any missing headers are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderLayout {
    indexes: [usize; COLUMN_COUNT],
    additions: Vec<HeaderAddition>,
    width: usize,
}

impl HeaderLayout {
    /// Analyses row 1 of tab `tab` (the header part of [`super::tab::judge`]). `header` is row 1
    /// as read (ragged, any JSON values); `has_rows_below` says whether any row below the header
    /// holds a value; pass `true` when unsure, which only matters when a key header is missing.
    ///
    /// # Errors
    /// [`TabError::DuplicateHeader`] when an owned header appears twice;
    /// [`TabError::ForeignLayout`] when rows below the header hold data but a key header is
    /// missing (a tab without data rows is adopted, its missing headers added at the right).
    pub fn analyze(
        tab: &str,
        header: &[Value],
        has_rows_below: bool,
    ) -> Result<HeaderLayout, TabError> {
        let mut found: [Vec<usize>; COLUMN_COUNT] = std::array::from_fn(|_| Vec::new());
        let mut width = 0;
        for (index, cell) in header.iter().enumerate() {
            let text = header_text(cell);
            if !text.trim().is_empty() {
                width = index + 1;
            }
            if let Some(column) = Column::from_header(&text) {
                found[column.position()].push(index);
            }
        }
        if let Some(column) = Column::ALL
            .into_iter()
            .find(|c| found[c.position()].len() > 1)
        {
            return Err(TabError::DuplicateHeader {
                tab: tab.to_owned(),
                header: column.name(),
                columns: found[column.position()].clone(),
            });
        }
        let missing_keys: Vec<&'static str> = KEY_COLUMNS
            .into_iter()
            .filter(|c| found[c.position()].is_empty())
            .map(Column::name)
            .collect();
        if !missing_keys.is_empty() && has_rows_below {
            return Err(TabError::ForeignLayout {
                tab: tab.to_owned(),
                missing: missing_keys,
            });
        }
        let mut additions = Vec::new();
        let indexes = std::array::from_fn(|i| {
            found[i].first().copied().unwrap_or_else(|| {
                let index = width + additions.len();
                additions.push(HeaderAddition {
                    column: Column::ALL[i],
                    index,
                });
                index
            })
        });
        let width = width + additions.len();
        Ok(HeaderLayout {
            indexes,
            additions,
            width,
        })
    }

    /// The layout of a fresh tab: the default columns from column A, all to be written.
    #[must_use]
    pub fn fresh() -> HeaderLayout {
        HeaderLayout::analyze("", &[], false).expect("an empty tab is never foreign")
    }

    /// The 0-based sheet column index of an owned column (including one still to be added).
    #[must_use]
    pub fn index_of(&self, column: Column) -> usize {
        self.indexes[column.position()]
    }

    /// The owned headers row 1 lacks, in default order, with the indexes they will take at the right.
    #[must_use]
    pub fn additions(&self) -> &[HeaderAddition] {
        &self.additions
    }

    /// The header cells to write for [`Self::additions`]: the 0-based column of the first one and the
    /// names, all in row 1 and adjacent. `None` when nothing is missing. (Unit tests only: the
    /// sync writes [`Self::additions`] through the Sheets client's header primitive.)
    #[cfg(test)]
    #[must_use]
    pub fn addition_cells(&self) -> Option<(usize, Vec<Value>)> {
        let first = self.additions.first()?.index;
        let names = self
            .additions
            .iter()
            .map(|a| Value::String(a.column.name().to_owned()))
            .collect();
        Some((first, names))
    }

    /// Marks the additions as written, once the sheet confirmed the header write.
    pub fn commit_additions(&mut self) {
        self.additions.clear();
    }

    /// The number of columns row 1 spans once the additions are written.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// The owned columns with their sheet indexes, left to right.
    #[must_use]
    pub fn owned(&self) -> Vec<(usize, Column)> {
        let mut owned: Vec<(usize, Column)> = Column::ALL
            .into_iter()
            .map(|c| (self.index_of(c), c))
            .collect();
        owned.sort_unstable();
        owned
    }

    /// Groups `columns` into runs of adjacent sheet columns, left to right: each run is its first
    /// 0-based sheet index and its columns. A person's column between two owned ones splits a run.
    #[must_use]
    pub fn runs(&self, columns: impl IntoIterator<Item = Column>) -> Vec<(usize, Vec<Column>)> {
        let mut placed: Vec<(usize, Column)> =
            columns.into_iter().map(|c| (self.index_of(c), c)).collect();
        placed.sort_unstable();
        placed.dedup();
        let mut runs: Vec<(usize, Vec<Column>)> = Vec::new();
        for (index, column) in placed {
            match runs.last_mut() {
                Some((start, run)) if *start + run.len() == index => run.push(column),
                _ => runs.push((index, vec![column])),
            }
        }
        runs
    }
}

/// A header cell as text: strings as they are, numbers and booleans as JSON prints them.
fn header_text(cell: &Value) -> String {
    match cell {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "header_tests.rs"]
mod tests;
