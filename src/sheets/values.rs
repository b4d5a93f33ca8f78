//! Reading cell values: one `values:batchGet` of the tab's columns, unformatted, giving the
//! requested columns and the first free row (DESIGN.md section 9, "Where new rows go").

use reqwest::Method;
use serde_json::Value;

use super::a1::A1Range;
use super::client::{Call, Op, SheetsClient};
use super::error::SheetsError;
use super::spreadsheet::SpreadsheetInfo;

/// Columns read from a tab.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnsRead {
    /// One entry per requested column, in request order: the cells from row 1 down, unformatted,
    /// with trailing blanks trimmed (so lengths differ).
    pub columns: Vec<Vec<Value>>,
    /// 1 + the last row holding any value in any column of the tab.
    pub first_free_row: u32,
}

impl ColumnsRead {
    /// The cell of requested column `i` at 1-based `row` (`""` when blank).
    #[must_use]
    pub fn cell(&self, i: usize, row: u32) -> &Value {
        static EMPTY: Value = Value::String(String::new());
        self.columns
            .get(i)
            .and_then(|c| c.get((row as usize).checked_sub(1)?))
            .unwrap_or(&EMPTY)
    }
}

impl SheetsClient {
    /// Reads `columns` (zero-based) of tab `title`, unformatted, with the first free row.
    ///
    /// Two requests: the requested columns (`majorDimension=COLUMNS`), then every column from the
    /// row after the longest of them down, so the first free row sees what a person typed below
    /// the keyed rows without reading the whole sheet (DESIGN.md section 9, "Where new rows go").
    ///
    /// # Errors
    /// [`SheetsError::TabMissing`] or any request error.
    pub async fn read_columns(
        &self,
        book: &SpreadsheetInfo,
        title: &str,
        columns: &[u32],
    ) -> Result<ColumnsRead, SheetsError> {
        let tab = book.tab(title).ok_or_else(|| SheetsError::TabMissing {
            tab: title.to_owned(),
        })?;
        let ranges: Vec<(&'static str, String)> = columns
            .iter()
            .map(|&c| ("ranges", A1Range::columns(title, c, c).to_string()))
            .collect();
        let reply = self
            .batch_get(book, ranges, "COLUMNS", &format!("reading {title}"))
            .await?;
        // An empty range has no `values` key at all.
        let picked: Vec<Vec<Value>> = (0..columns.len())
            .map(|i| {
                reply["valueRanges"][i]["values"][0]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let longest = picked.iter().map(Vec::len).max().unwrap_or(0);
        let longest = u32::try_from(longest).unwrap_or(u32::MAX - 1);
        let last_col = tab.column_count.saturating_sub(1);
        let tail_start = longest + 1;
        let mut last_row = longest;
        if tail_start <= tab.row_count {
            let tail = A1Range::cells(title, 0, tail_start, last_col, tab.row_count);
            let reply = self
                .batch_get(
                    book,
                    vec![("ranges", tail.to_string())],
                    "ROWS",
                    &format!("reading {title} below row {longest}"),
                )
                .await?;
            // Google trims trailing blank rows, so the reply's length ends at the last used row.
            let below = reply["valueRanges"][0]["values"]
                .as_array()
                .map_or(0, Vec::len);
            if below > 0 {
                last_row = longest + u32::try_from(below).unwrap_or(u32::MAX - longest - 1);
            }
        }
        Ok(ColumnsRead {
            columns: picked,
            first_free_row: last_row.saturating_add(1),
        })
    }

    /// One `values:batchGet`, unformatted.
    async fn batch_get(
        &self,
        book: &SpreadsheetInfo,
        mut query: Vec<(&'static str, String)>,
        major: &str,
        what: &str,
    ) -> Result<Value, SheetsError> {
        query.extend([
            ("majorDimension", major.to_owned()),
            ("valueRenderOption", "UNFORMATTED_VALUE".to_owned()),
            ("dateTimeRenderOption", "FORMATTED_STRING".to_owned()),
        ]);
        self.call(Call {
            op: Op::Read,
            method: Method::GET,
            url: self.sheets_endpoint(&book.id, "/values:batchGet"),
            query,
            body: None,
            what: what.to_owned(),
        })
        .await
    }
}
