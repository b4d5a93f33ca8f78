//! Reading and writing cell values: one `values:batchGet` for the columns (and the first free
//! row), `values:batchUpdate` with `RAW` and explicit ranges for updates and new rows alike, chunked
//! by request size, each reply's updated ranges checked.
//!
//! New rows never go through `values.append`: its table detection moves rows when a person leaves
//! a blank cell (SHEETS-API.md section 3.4, DESIGN.md section 9).

use reqwest::Method;
use serde_json::{Value, json};

use super::a1::A1Range;
use super::cells::{normalise, truncate_value};
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

/// One row's owned cells, in the order of the column map given with them.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCells {
    /// 1-based row.
    pub row: u32,
    /// Values (strings, numbers, booleans; `null` is written as `""`).
    pub cells: Vec<Value>,
}

/// What a write sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// `values:batchUpdate` requests sent.
    pub requests: u32,
    /// Request-body bytes sent by them.
    pub bytes: u64,
    /// Ranges written.
    pub ranges: u32,
    /// Cells written.
    pub cells: u64,
    /// Cells cut to the 50,000-character limit: (1-based row, zero-based column).
    pub truncated: Vec<(u32, u32)>,
    /// Rows added to the grid with `appendDimension`.
    pub grown_rows: u32,
}

/// An entry of a `values:batchUpdate`: its range, and its JSON text.
struct Entry {
    range: A1Range,
    json: String,
    cells: u64,
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

    /// Writes rows' owned cells to explicit ranges (`RAW`), only runs of adjacent owned columns.
    ///
    /// `columns[i]` is the zero-based sheet column of `cells[i]` in every row. Consecutive rows
    /// share one range; requests are cut at `max_request_bytes`.
    ///
    /// # Errors
    /// [`SheetsError::Ambiguous`] when the outcome of a request is unknown (earlier requests were
    /// confirmed), or any request error.
    pub async fn write_rows(
        &self,
        book: &SpreadsheetInfo,
        title: &str,
        columns: &[u32],
        rows: Vec<RowCells>,
    ) -> Result<WriteReport, SheetsError> {
        let mut report = WriteReport::default();
        let mut rows = rows;
        rows.sort_by_key(|r| r.row);
        for row in &mut rows {
            if row.cells.len() != columns.len() {
                return Err(SheetsError::Protocol {
                    message: format!(
                        "row {} has {} cells for {} columns",
                        row.row,
                        row.cells.len(),
                        columns.len()
                    ),
                });
            }
            for (value, col) in row.cells.iter_mut().zip(columns) {
                *value = normalise(std::mem::take(value));
                if truncate_value(value) {
                    report.truncated.push((row.row, *col));
                }
            }
        }
        let block_limit = (self.settings.max_request_bytes / 2).max(1);
        let mut entries = Vec::new();
        for run in column_runs(columns) {
            let (c0, c1) = (columns[run[0]], columns[run[run.len() - 1]]);
            let mut block: Vec<Vec<Value>> = Vec::new();
            let mut start = 0;
            let mut size = 0;
            for row in &rows {
                let values: Vec<Value> = run.iter().map(|i| row.cells[*i].clone()).collect();
                let row_size = serde_json::to_string(&values).map_or(0, |s| s.len()) + 1;
                let contiguous = !block.is_empty() && start + block.len() as u32 == row.row;
                if !block.is_empty() && (!contiguous || size + row_size > block_limit) {
                    entries.push(entry(title, c0, c1, start, &std::mem::take(&mut block)));
                    size = 0;
                }
                if block.is_empty() {
                    start = row.row;
                }
                size += row_size;
                block.push(values);
            }
            if !block.is_empty() {
                entries.push(entry(title, c0, c1, start, &block));
            }
        }
        let mut chunk: Vec<Entry> = Vec::new();
        let mut chunk_bytes = 0;
        for e in entries {
            if !chunk.is_empty() && chunk_bytes + e.json.len() > self.settings.max_request_bytes {
                self.send_chunk(&book.id, std::mem::take(&mut chunk), &mut report)
                    .await?;
                chunk_bytes = 0;
            }
            chunk_bytes += e.json.len() + 1;
            chunk.push(e);
        }
        if !chunk.is_empty() {
            self.send_chunk(&book.id, chunk, &mut report).await?;
        }
        Ok(report)
    }

    /// Writes new rows from `first_free_row` down, growing the grid with `appendDimension` first.
    ///
    /// # Errors
    /// [`SheetsError::CellLimit`] before anything is sent when the growth would cross
    /// 10,000,000 cells; otherwise as [`Self::write_rows`].
    pub async fn append_rows(
        &self,
        book: &mut SpreadsheetInfo,
        title: &str,
        columns: &[u32],
        first_free_row: u32,
        rows: Vec<Vec<Value>>,
    ) -> Result<WriteReport, SheetsError> {
        if rows.is_empty() {
            return Ok(WriteReport::default());
        }
        let count = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let last = first_free_row + count - 1;
        let tab = book.tab_mut(title)?.clone();
        let mut grown = 0;
        if last > tab.row_count {
            grown = last - tab.row_count;
            book.check_growth(u64::from(grown) * u64::from(tab.column_count))?;
            self.structure(
                &book.id,
                vec![json!({"appendDimension": {"sheetId": tab.sheet_id, "dimension": "ROWS", "length": grown}})],
                &format!("growing {title} by {grown} rows"),
            )
            .await?;
            book.tab_mut(title)?.row_count = last;
        }
        let rows = (first_free_row..)
            .zip(rows)
            .map(|(row, cells)| RowCells { row, cells })
            .collect();
        let mut report = self.write_rows(book, title, columns, rows).await?;
        report.grown_rows = grown;
        Ok(report)
    }

    /// One `values:batchUpdate` of explicit ranges, for small internal writes (the header).
    pub(crate) async fn batch_write(
        &self,
        id: &str,
        data: Vec<(A1Range, Vec<Vec<Value>>)>,
        what: &str,
    ) -> Result<(), SheetsError> {
        let entries = data
            .into_iter()
            .map(|(range, values)| {
                let cells = values.iter().map(|r| r.len() as u64).sum();
                let json =
                    json!({"range": range.to_string(), "majorDimension": "ROWS", "values": values})
                        .to_string();
                Entry { range, json, cells }
            })
            .collect();
        let mut report = WriteReport::default();
        self.send_values(id, entries, what, &mut report).await
    }

    async fn send_chunk(
        &self,
        id: &str,
        chunk: Vec<Entry>,
        report: &mut WriteReport,
    ) -> Result<(), SheetsError> {
        let what = format!("values.batchUpdate of {} ranges", chunk.len());
        self.send_values(id, chunk, &what, report).await
    }

    async fn send_values(
        &self,
        id: &str,
        entries: Vec<Entry>,
        what: &str,
        report: &mut WriteReport,
    ) -> Result<(), SheetsError> {
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
                query: vec![(
                    "fields",
                    "totalUpdatedCells,responses(updatedRange)".to_owned(),
                )],
                body: Some(body.into_bytes()),
                what: what.to_owned(),
            })
            .await?;
        confirm(&reply, &entries, what)?;
        report.requests += 1;
        report.bytes += bytes;
        report.ranges += u32::try_from(entries.len()).unwrap_or(u32::MAX);
        report.cells += entries.iter().map(|e| e.cells).sum::<u64>();
        Ok(())
    }
}

fn entry(title: &str, c0: u32, c1: u32, start: u32, values: &[Vec<Value>]) -> Entry {
    let end = start + u32::try_from(values.len()).unwrap_or(1) - 1;
    let range = A1Range::cells(title, c0, start, c1, end);
    let cells = values.iter().map(|r| r.len() as u64).sum();
    let json =
        json!({"range": range.to_string(), "majorDimension": "ROWS", "values": values}).to_string();
    Entry { range, json, cells }
}

/// Positions (into the column map) grouped into runs of adjacent sheet columns, left to right.
fn column_runs(columns: &[u32]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|i| columns[*i]);
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match runs.last_mut() {
            Some(run) if columns[run[run.len() - 1]] + 1 == columns[i] => run.push(i),
            _ => runs.push(vec![i]),
        }
    }
    runs
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
    fn runs_group_adjacent_columns_and_skip_a_persons_column() {
        // Owned columns A, B, D, E with a person's column C between them; given out of order.
        let columns = [3, 0, 1, 4];
        let runs = column_runs(&columns);
        let as_cols: Vec<Vec<u32>> = runs
            .iter()
            .map(|r| r.iter().map(|i| columns[*i]).collect())
            .collect();
        assert_eq!(as_cols, vec![vec![0, 1], vec![3, 4]]);
    }

    #[test]
    fn a_reply_naming_other_ranges_is_not_a_confirmation() {
        let e = entry("Orders", 0, 2, 5, &[vec![json!("a"), json!(1), json!("")]]);
        assert_eq!(e.range.to_string(), "'Orders'!A5:C5");
        let ok = json!({"responses": [{"updatedRange": "Orders!A5:C5"}]});
        assert!(confirm(&ok, std::slice::from_ref(&e), "w").is_ok());
        let moved = json!({"responses": [{"updatedRange": "Orders!C6:E6"}]});
        assert!(
            confirm(&moved, std::slice::from_ref(&e), "w")
                .unwrap_err()
                .is_ambiguous()
        );
    }
}
