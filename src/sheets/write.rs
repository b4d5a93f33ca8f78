//! Writing cell values: `values:batchUpdate` with `RAW` and explicit ranges, for updates and new
//! rows alike, each reply's updated ranges checked.
//!
//! New rows never go through `values.append`: its table detection moves rows when a person leaves
//! a blank cell (SHEETS-API.md section 3.4). They go from the first free row, after the grid is
//! grown with `appendDimension` (DESIGN.md section 9).
//!
//! The caller (the sync's sheet side) decides the rectangles and cuts them into requests of about
//! [`MAX_REQUEST_BYTES`](super::MAX_REQUEST_BYTES); this module sends one request and confirms it.

use reqwest::Method;
use serde_json::{Value, json};

use super::a1::A1Range;
use super::client::{Call, Op, SheetsClient};
use super::error::SheetsError;
use super::spreadsheet::SpreadsheetInfo;

/// A rectangle of values for [`SheetsClient::write_ranges`]: `values[i][j]` goes to row
/// `row + i`, column `column + j`; every inner vector has the same length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rectangle<'a> {
    /// The 1-based first row.
    pub row: u32,
    /// The 0-based first column.
    pub column: u32,
    /// The values, row by row (strings, numbers, booleans; `""` for empty).
    pub values: &'a [Vec<Value>],
}

impl Rectangle<'_> {
    /// The A1 range the rectangle covers on tab `title`.
    fn range(&self, title: &str) -> A1Range {
        let height = u32::try_from(self.values.len()).unwrap_or(u32::MAX).max(1);
        let width = self.values.first().map_or(1, Vec::len);
        let width = u32::try_from(width).unwrap_or(u32::MAX).max(1);
        A1Range::cells(
            title,
            self.column,
            self.row,
            self.column + width - 1,
            self.row + height - 1,
        )
    }
}

/// An entry of a `values:batchUpdate`: its range and its JSON text.
#[derive(Debug, Clone)]
struct Entry {
    range: A1Range,
    json: String,
}

impl SheetsClient {
    /// Grows tab `title` with `appendDimension` so that row `last_row` exists; returns rows added.
    ///
    /// # Errors
    /// [`SheetsError::CellLimit`] before sending when the growth would cross 10,000,000 cells.
    pub async fn grow_rows(
        &self,
        book: &mut SpreadsheetInfo,
        title: &str,
        last_row: u32,
    ) -> Result<u32, SheetsError> {
        let tab = book.tab_mut(title)?.clone();
        if last_row <= tab.row_count {
            return Ok(0);
        }
        let grow = last_row - tab.row_count;
        book.check_growth(u64::from(grow) * u64::from(tab.column_count))?;
        self.structure(
            &book.id,
            vec![json!({"appendDimension": {"sheetId": tab.sheet_id, "dimension": "ROWS", "length": grow}})],
            &format!("growing {title} by {grow} rows"),
        )
        .await?;
        book.tab_mut(title)?.row_count = last_row;
        Ok(grow)
    }

    /// Sends one `values:batchUpdate` (`RAW`) of explicit [`Rectangle`]s on tab `title` and checks
    /// that Google reports writing exactly those ranges; returns the request's body size.
    ///
    /// The caller sizes the request (see [`MAX_REQUEST_BYTES`](super::MAX_REQUEST_BYTES)).
    ///
    /// # Errors
    /// [`SheetsError::Ambiguous`] when the outcome is unknown or unconfirmed; any request error.
    pub async fn write_ranges(
        &self,
        spreadsheet_id: &str,
        title: &str,
        rectangles: &[Rectangle<'_>],
    ) -> Result<u64, SheetsError> {
        let entries: Vec<Entry> = rectangles
            .iter()
            .map(|r| entry(r.range(title), r.values))
            .collect();
        let rows: usize = rectangles.iter().map(|r| r.values.len()).sum();
        let what = format!(
            "values.batchUpdate of {} ranges ({rows} rows)",
            entries.len()
        );
        self.send_entries(spreadsheet_id, &entries, &what).await
    }

    /// One `values:batchUpdate` of explicit ranges, for small internal writes (the header).
    pub(crate) async fn batch_write(
        &self,
        id: &str,
        data: Vec<(A1Range, Vec<Vec<Value>>)>,
        what: &str,
    ) -> Result<(), SheetsError> {
        let entries: Vec<Entry> = data
            .into_iter()
            .map(|(range, values)| entry(range, &values))
            .collect();
        self.send_entries(id, &entries, what).await.map(|_| ())
    }

    async fn send_entries(
        &self,
        id: &str,
        entries: &[Entry],
        what: &str,
    ) -> Result<u64, SheetsError> {
        let mut body =
            String::from(r#"{"valueInputOption":"RAW","includeValuesInResponse":false,"data":["#);
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&e.json);
        }
        body.push_str("]}");
        let bytes = body.len() as u64;
        let reply = self
            .call(Call {
                op: Op::Write,
                method: Method::POST,
                url: self.sheets_endpoint(id, "/values:batchUpdate"),
                query: vec![("fields", "responses(updatedRange)".to_owned())],
                body: Some(body.into_bytes()),
                what: what.to_owned(),
            })
            .await?;
        confirm(&reply, entries, what)?;
        Ok(bytes)
    }
}

fn entry(range: A1Range, values: &[Vec<Value>]) -> Entry {
    let json =
        json!({"range": range.to_string(), "majorDimension": "ROWS", "values": values}).to_string();
    Entry { range, json }
}

/// Checks that Google reports writing exactly the ranges sent.
fn confirm(reply: &Value, entries: &[Entry], what: &str) -> Result<(), SheetsError> {
    let unconfirmed = |cause: String| SheetsError::Ambiguous {
        operation: what.to_owned(),
        cause,
    };
    let responses = reply["responses"].as_array().cloned().unwrap_or_default();
    if responses.len() != entries.len() {
        return Err(unconfirmed(format!(
            "the reply lists {} ranges for {} sent",
            responses.len(),
            entries.len()
        )));
    }
    for (resp, e) in responses.iter().zip(entries) {
        let got = resp["updatedRange"].as_str().unwrap_or("");
        if A1Range::parse(got).as_ref() != Some(&e.range) {
            return Err(unconfirmed(format!(
                "Google reports writing {got:?} for {}",
                e.range
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_naming_other_ranges_is_not_a_confirmation() {
        let e = entry(
            A1Range::cells("Orders", 0, 5, 2, 5),
            &[vec![json!("a"), json!(1), json!("")]],
        );
        assert_eq!(e.range.to_string(), "'Orders'!A5:C5");
        let ok = json!({"responses": [{"updatedRange": "Orders!A5:C5"}]});
        assert!(confirm(&ok, std::slice::from_ref(&e), "w").is_ok());
        let moved = json!({"responses": [{"updatedRange": "Orders!C6:E6"}]});
        assert!(
            confirm(&moved, std::slice::from_ref(&e), "w")
                .unwrap_err()
                .is_ambiguous()
        );
        let short = json!({"responses": []});
        assert!(confirm(&short, std::slice::from_ref(&e), "w").is_err());
    }
}
