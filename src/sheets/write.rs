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
    /// The rectangle with its values encoded as JSON text.
    fn encode(&self) -> EncodedRectangle {
        let height = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let width = self.values.first().map_or(1, Vec::len);
        EncodedRectangle {
            row: self.row,
            column: self.column,
            height,
            width: u32::try_from(width).unwrap_or(u32::MAX),
            values: serde_json::to_vec(self.values).expect("JSON values always encode"),
        }
    }
}

/// A rectangle for [`SheetsClient::write_encoded`] whose values are JSON text already, encoded
/// once from what the caller holds (the sync's planned cells) instead of through a tree of
/// [`Value`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRectangle {
    /// The 1-based first row.
    pub row: u32,
    /// The 0-based first column.
    pub column: u32,
    /// Rows (the outer array's length).
    pub height: u32,
    /// Columns (each inner array's length).
    pub width: u32,
    /// `[[…],[…]]`: `height` JSON arrays of `width` values each, as JSON text.
    pub values: Vec<u8>,
}

impl EncodedRectangle {
    /// The A1 range the rectangle covers on tab `title`.
    fn range(&self, title: &str) -> A1Range {
        let height = self.height.max(1);
        let width = self.width.max(1);
        A1Range::cells(
            title,
            self.column,
            self.row,
            self.column + width - 1,
            self.row + height - 1,
        )
    }
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
        let encoded: Vec<EncodedRectangle> = rectangles.iter().map(Rectangle::encode).collect();
        self.write_encoded(spreadsheet_id, title, encoded).await
    }

    /// [`SheetsClient::write_ranges`] of rectangles whose values are JSON text already: the body
    /// is the values' text with each range around it, so a 2 MB request is built without a
    /// [`Value`] per cell, and the rectangles are dropped once it is built (not held beside it
    /// while the request is sent).
    ///
    /// # Errors
    /// [`SheetsError::Ambiguous`] when the outcome is unknown or unconfirmed; any request error.
    pub async fn write_encoded(
        &self,
        spreadsheet_id: &str,
        title: &str,
        rectangles: Vec<EncodedRectangle>,
    ) -> Result<u64, SheetsError> {
        let rows: u64 = rectangles.iter().map(|r| u64::from(r.height)).sum();
        let what = format!(
            "values.batchUpdate of {} ranges ({rows} rows)",
            rectangles.len()
        );
        let ranges: Vec<A1Range> = rectangles.iter().map(|r| r.range(title)).collect();
        let body = batch_update_body(&ranges, rectangles.iter().map(|r| r.values.as_slice()));
        drop(rectangles);
        self.send_body(spreadsheet_id, &ranges, body, &what).await
    }

    /// One `values:batchUpdate` of explicit ranges, for small internal writes (the header).
    pub(crate) async fn batch_write(
        &self,
        id: &str,
        data: Vec<(A1Range, Vec<Vec<Value>>)>,
        what: &str,
    ) -> Result<(), SheetsError> {
        let values: Vec<Vec<u8>> = data
            .iter()
            .map(|(_, values)| serde_json::to_vec(values).expect("JSON values always encode"))
            .collect();
        let ranges: Vec<A1Range> = data.into_iter().map(|(range, _)| range).collect();
        let body = batch_update_body(&ranges, values.iter().map(Vec::as_slice));
        self.send_body(id, &ranges, body, what).await.map(|_| ())
    }

    /// Sends one `values:batchUpdate` whose `body` writes `ranges`, and confirms it.
    async fn send_body(
        &self,
        id: &str,
        ranges: &[A1Range],
        body: Vec<u8>,
        what: &str,
    ) -> Result<u64, SheetsError> {
        let bytes = body.len() as u64;
        let reply = self
            .call(Call {
                op: Op::Write,
                method: Method::POST,
                url: self.sheets_endpoint(id, "/values:batchUpdate"),
                query: vec![("fields", "responses(updatedRange)".to_owned())],
                body: Some(body.into()),
                what: what.to_owned(),
            })
            .await?;
        confirm(&reply, ranges, what)?;
        Ok(bytes)
    }
}

/// The start of every `values:batchUpdate` body.
const HEAD: &[u8] = br#"{"valueInputOption":"RAW","includeValuesInResponse":false,"data":["#;

/// Bytes of a `values:batchUpdate` body that belong to no range: its head and closing brackets.
pub const BODY_HEAD_BYTES: usize = HEAD.len() + 2;

/// Bytes a range on tab `title` costs in a `values:batchUpdate` body beyond its values' text
/// (`{"range":"'T'!A2:W9","majorDimension":"ROWS","values":` … `}` and the comma before it), at
/// most: counted for the widest range a sheet can have, so a request sized with it is never over.
#[must_use]
pub fn range_bytes(title: &str) -> usize {
    // Two cells, so that it prints as a range: `'T'!ZZY10000000:ZZZ10000000`.
    let widest = A1Range::cells(title, 18_276, 10_000_000, 18_277, 10_000_000).to_string();
    let quoted = serde_json::to_string(&widest).map_or(widest.len() * 6, |q| q.len());
    br#"{"range":,"majorDimension":"ROWS","values":},"#.len() + quoted
}

/// The body of a `values:batchUpdate` (`RAW`) of `ranges`, each with its values' JSON text.
fn batch_update_body<'v>(ranges: &[A1Range], values: impl Iterator<Item = &'v [u8]>) -> Vec<u8> {
    // Sized once: the body of a large write is about 2 MB, and growing it by doubling would copy
    // it several times over.
    let values: Vec<&[u8]> = values.collect();
    let size: usize = values.iter().map(|v| v.len() + 160).sum();
    let mut body = Vec::with_capacity(HEAD.len() + size + 2);
    body.extend_from_slice(HEAD);
    for (i, (range, values)) in ranges.iter().zip(values).enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(br#"{"range":"#);
        serde_json::to_writer(&mut body, &range.to_string()).expect("writing to a Vec");
        body.extend_from_slice(br#","majorDimension":"ROWS","values":"#);
        body.extend_from_slice(values);
        body.push(b'}');
    }
    body.extend_from_slice(b"]}");
    body
}

/// Checks that Google reports writing exactly the ranges sent.
fn confirm(reply: &Value, ranges: &[A1Range], what: &str) -> Result<(), SheetsError> {
    let unconfirmed = |cause: String| SheetsError::Ambiguous {
        operation: what.to_owned(),
        cause,
    };
    let responses = reply["responses"].as_array().map_or(&[][..], Vec::as_slice);
    if responses.len() != ranges.len() {
        return Err(unconfirmed(format!(
            "the reply lists {} ranges for {} sent",
            responses.len(),
            ranges.len()
        )));
    }
    for (resp, range) in responses.iter().zip(ranges) {
        let got = resp["updatedRange"].as_str().unwrap_or("");
        if A1Range::parse(got).as_ref() != Some(range) {
            return Err(unconfirmed(format!(
                "Google reports writing {got:?} for {range}"
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
        let range = A1Range::cells("Orders", 0, 5, 2, 5);
        assert_eq!(range.to_string(), "'Orders'!A5:C5");
        let sent = std::slice::from_ref(&range);
        let ok = json!({"responses": [{"updatedRange": "Orders!A5:C5"}]});
        assert!(confirm(&ok, sent, "w").is_ok());
        let moved = json!({"responses": [{"updatedRange": "Orders!C6:E6"}]});
        assert!(confirm(&moved, sent, "w").unwrap_err().is_ambiguous());
        let short = json!({"responses": []});
        assert!(confirm(&short, sent, "w").is_err());
    }

    #[test]
    fn the_body_is_the_values_text_with_each_range_around_it() {
        let values = [
            vec![json!("a\"b"), json!(1.5), json!("")],
            vec![json!(true), json!(2), json!("x")],
        ];
        let rectangle = Rectangle {
            row: 5,
            column: 1,
            values: &values,
        };
        let encoded = rectangle.encode();
        assert_eq!((encoded.height, encoded.width), (2, 3));
        let range = encoded.range("Orders");
        assert_eq!(range.to_string(), "'Orders'!B5:D6");
        let body = batch_update_body(
            std::slice::from_ref(&range),
            std::iter::once(encoded.values.as_slice()),
        );
        let overhead = body.len() - encoded.values.len();
        // The widest range ('Orders'!ZZY10000000:ZZZ10000000) is 18 characters longer, and a
        // lone range has no comma before it.
        assert_eq!(overhead, BODY_HEAD_BYTES + range_bytes("Orders") - 18 - 1);
        let parsed: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            parsed,
            json!({
                "valueInputOption": "RAW",
                "includeValuesInResponse": false,
                "data": [{"range": "'Orders'!B5:D6", "majorDimension": "ROWS", "values": values}],
            })
        );
    }
}
