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
    /// Reads `columns` (zero-based) of tab `title` in one request, unformatted, with the first free row.
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
        // The whole width, so the first free row sees a person's columns too.
        let range = A1Range::columns(title, 0, tab.column_count.saturating_sub(1));
        let reply = self
            .call(Call {
                op: Op::Read,
                method: Method::GET,
                url: self.sheets_endpoint(&book.id, "/values:batchGet"),
                query: vec![
                    ("ranges", range.to_string()),
                    ("majorDimension", "COLUMNS".to_owned()),
                    ("valueRenderOption", "UNFORMATTED_VALUE".to_owned()),
                    ("dateTimeRenderOption", "FORMATTED_STRING".to_owned()),
                ],
                body: None,
                what: format!("reading {title}"),
            })
            .await?;
        // An empty range has no `values` key at all.
        let all = reply["valueRanges"][0]["values"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let last_row = all
            .iter()
            .map(|c| c.as_array().map_or(0, Vec::len))
            .max()
            .unwrap_or(0);
        let picked = columns
            .iter()
            .map(|c| {
                all.get(*c as usize)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        Ok(ColumnsRead {
            columns: picked,
            first_free_row: u32::try_from(last_row).unwrap_or(u32::MAX - 1) + 1,
        })
    }
}
