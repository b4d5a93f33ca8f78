//! Row 1 of a tab, as primitives: reading it, checking for rows below it, and writing header
//! cells (growing the grid's columns, freezing the row and making the cells bold). What a header
//! must hold is decided by the caller.

use reqwest::Method;
use serde_json::{Value, json};

use super::a1::A1Range;
use super::client::{Call, Op, SheetsClient};
use super::error::SheetsError;
use super::spreadsheet::SpreadsheetInfo;

/// The `repeatCell` request that makes row 1's columns `start..end` of tab `sheet_id` bold.
pub(super) fn bold_header(sheet_id: i64, start: u32, end: u32) -> Value {
    json!({"repeatCell": {
        "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1,
                  "startColumnIndex": start, "endColumnIndex": end},
        "cell": {"userEnteredFormat": {"textFormat": {"bold": true}}},
        "fields": "userEnteredFormat.textFormat.bold",
    }})
}

impl SheetsClient {
    /// Writes `names` into row 1 from column `start`, growing columns first, and makes them bold;
    /// with `freeze`, row 1 is frozen too (for a tab whose row 1 was blank).
    ///
    /// # Errors
    /// [`SheetsError::TabMissing`], [`SheetsError::CellLimit`], or any request error (writes may
    /// be ambiguous).
    pub async fn add_header_cells(
        &self,
        book: &mut SpreadsheetInfo,
        title: &str,
        start: u32,
        names: &[&str],
        freeze: bool,
    ) -> Result<(), SheetsError> {
        let count = u32::try_from(names.len()).unwrap_or(u32::MAX);
        let end = start + count;
        let tab = book.tab_mut(title)?.clone();
        let mut requests = Vec::new();
        if end > tab.column_count {
            let grow = end - tab.column_count;
            book.check_growth(u64::from(grow) * u64::from(tab.row_count))?;
            requests.push(json!({"appendDimension": {"sheetId": tab.sheet_id, "dimension": "COLUMNS", "length": grow}}));
        }
        if freeze {
            requests.push(json!({"updateSheetProperties": {
                "properties": {"sheetId": tab.sheet_id, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }}));
        }
        requests.push(bold_header(tab.sheet_id, start, end));
        self.structure(
            &book.id,
            requests,
            &format!("formatting the header of {title}"),
        )
        .await?;
        if end > tab.column_count {
            book.tab_mut(title)?.column_count = end;
        }
        if freeze {
            book.tab_mut(title)?.frozen_rows = 1;
        }
        self.write_header_text(book, title, start, names).await
    }

    /// Writes `names` into row 1 of tab `title` from column `start` (text only).
    pub(super) async fn write_header_text(
        &self,
        book: &SpreadsheetInfo,
        title: &str,
        start: u32,
        names: &[&str],
    ) -> Result<(), SheetsError> {
        let count = u32::try_from(names.len()).unwrap_or(u32::MAX);
        let range = A1Range::cells(title, start, 1, start + count - 1, 1);
        let values: Vec<Value> = names.iter().map(|n| json!(n)).collect();
        self.batch_write(&book.id, vec![(range, vec![values])], "writing the header")
            .await
    }

    /// Reads row 1 of tab `title`, unformatted (trailing blanks trimmed by Google).
    ///
    /// # Errors
    /// Any request error.
    pub async fn read_header(&self, id: &str, title: &str) -> Result<Vec<Value>, SheetsError> {
        let reply = self
            .call(Call {
                op: Op::Read,
                method: Method::GET,
                url: self
                    .sheets_endpoint(id, &format!("/values/{}", A1Range::row(title, 1).encoded())),
                query: vec![("valueRenderOption", "UNFORMATTED_VALUE".to_owned())],
                body: None,
                what: format!("reading the header of {title}"),
            })
            .await?;
        Ok(reply["values"][0].as_array().cloned().unwrap_or_default())
    }

    /// Whether any row below row 1 of tab `title` holds a value.
    ///
    /// # Errors
    /// [`SheetsError::TabMissing`], or any request error.
    pub async fn has_rows_below_header(
        &self,
        book: &SpreadsheetInfo,
        title: &str,
    ) -> Result<bool, SheetsError> {
        let tab = book.tab(title).ok_or_else(|| SheetsError::TabMissing {
            tab: title.to_owned(),
        })?;
        if tab.row_count < 2 {
            return Ok(false);
        }
        let below = A1Range {
            last_row: None,
            ..A1Range::cells(title, 0, 2, tab.column_count.saturating_sub(1), 2)
        };
        let reply = self
            .call(Call {
                op: Op::Read,
                method: Method::GET,
                url: self.sheets_endpoint(&book.id, &format!("/values/{}", below.encoded())),
                query: vec![("fields", "values".to_owned())],
                body: None,
                what: format!("checking {title} for rows below the header"),
            })
            .await?;
        Ok(reply["values"].as_array().is_some_and(|v| !v.is_empty()))
    }
}
