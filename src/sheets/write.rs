//! Writing cell values: `values:batchUpdate` with `RAW` and explicit ranges, for updates and new
//! rows alike, covering only runs of adjacent owned columns, cut into requests by size (not by a
//! row count), each reply's updated ranges checked.
//!
//! New rows never go through `values.append`: its table detection moves rows when a person leaves
//! a blank cell (SHEETS-API.md section 3.4). They go from the first free row, after the grid is
//! grown with `appendDimension` (DESIGN.md section 9).
//!
//! The sync can send a [`WritePlan`] chunk by chunk and record the rows each confirmed chunk
//! completes, so tracking advances only over rows the sheet confirmed.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use super::a1::A1Range;
use super::cells::{normalise, truncate_value};
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
    /// `values:batchUpdate` requests sent and confirmed.
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

/// An entry of a `values:batchUpdate`: its range and its JSON text.
#[derive(Debug, Clone)]
struct Entry {
    range: A1Range,
    json: String,
    cells: u64,
}

/// One `values:batchUpdate` request of a plan.
#[derive(Debug, Clone)]
pub struct WriteChunk {
    entries: Vec<Entry>,
    /// Rows whose every cell is written once this chunk is confirmed (1-based).
    pub completes: Vec<u32>,
}

impl WriteChunk {
    /// Ranges in the request.
    #[must_use]
    pub fn ranges(&self) -> usize {
        self.entries.len()
    }

    /// Cells in the request.
    #[must_use]
    pub fn cells(&self) -> u64 {
        self.entries.iter().map(|e| e.cells).sum()
    }
}

/// A write cut into requests of at most `max_request_bytes`.
#[derive(Debug, Clone, Default)]
pub struct WritePlan {
    /// Requests, to send in order.
    pub chunks: Vec<WriteChunk>,
    /// Cells cut to the 50,000-character limit: (1-based row, zero-based column).
    pub truncated: Vec<(u32, u32)>,
}

/// Cell positions of one range entry being built.
struct Block {
    start: u32,
    values: Vec<Vec<Value>>,
    size: usize,
}

impl SheetsClient {
    /// Plans writing rows' owned cells with this client's request size (see [`plan_rows`]).
    ///
    /// # Errors
    /// As [`plan_rows`].
    pub fn plan_rows(
        &self,
        title: &str,
        columns: &[u32],
        rows: Vec<RowCells>,
    ) -> Result<WritePlan, SheetsError> {
        plan_rows(title, columns, rows, self.settings.max_request_bytes)
    }

    /// Sends one planned request and checks that Google reports writing exactly its ranges.
    ///
    /// # Errors
    /// [`SheetsError::Ambiguous`] when the outcome is unknown or unconfirmed; any request error.
    pub async fn send_chunk(
        &self,
        spreadsheet_id: &str,
        chunk: &WriteChunk,
    ) -> Result<u64, SheetsError> {
        let what = format!(
            "values.batchUpdate of {} ranges ({} rows)",
            chunk.entries.len(),
            chunk.completes.len()
        );
        self.send_entries(spreadsheet_id, &chunk.entries, &what)
            .await
    }

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

    /// Plans and sends a write of existing rows (see [`Self::plan_rows`]).
    ///
    /// # Errors
    /// [`SheetsError::Ambiguous`] when a request's outcome is unknown (the requests before it
    /// were confirmed; use [`Self::plan_rows`] and [`Self::send_chunk`] to know which rows).
    pub async fn write_rows(
        &self,
        book: &SpreadsheetInfo,
        title: &str,
        columns: &[u32],
        rows: Vec<RowCells>,
    ) -> Result<WriteReport, SheetsError> {
        let plan = self.plan_rows(title, columns, rows)?;
        let mut report = WriteReport {
            truncated: plan.truncated.clone(),
            ..WriteReport::default()
        };
        for chunk in &plan.chunks {
            report.bytes += self.send_chunk(&book.id, chunk).await?;
            report.requests += 1;
            report.ranges += u32::try_from(chunk.ranges()).unwrap_or(u32::MAX);
            report.cells += chunk.cells();
        }
        Ok(report)
    }

    /// Writes new rows from `first_free_row` down, growing the grid first.
    ///
    /// # Errors
    /// [`SheetsError::CellLimit`] before anything is sent; otherwise as [`Self::write_rows`].
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
        let grown = self
            .grow_rows(book, title, first_free_row + count - 1)
            .await?;
        let rows = (first_free_row..)
            .zip(rows)
            .map(|(row, cells)| RowCells { row, cells })
            .collect();
        let mut report = self.write_rows(book, title, columns, rows).await?;
        report.grown_rows = grown;
        Ok(report)
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

/// Plans writing rows' owned cells: `columns[i]` is the zero-based sheet column of `cells[i]`.
///
/// Adjacent owned columns share a range and consecutive rows share it too; a person's column
/// between owned ones is skipped. `null` becomes `""`; over-long text is truncated.
///
/// # Errors
/// [`SheetsError::Protocol`] when a row's cell count differs from the column map.
pub fn plan_rows(
    title: &str,
    columns: &[u32],
    mut rows: Vec<RowCells>,
    max_request_bytes: usize,
) -> Result<WritePlan, SheetsError> {
    let max = max_request_bytes.max(1);
    let mut plan = WritePlan::default();
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
                plan.truncated.push((row.row, *col));
            }
        }
    }
    // Entries are kept to an eighth of a request so requests fill up to the limit.
    let block_limit = (max / 8).max(1);
    let mut entries: Vec<(Entry, u32, u32)> = Vec::new();
    for run in column_runs(columns) {
        let (c0, c1) = (columns[run[0]], columns[run[run.len() - 1]]);
        let mut block: Option<Block> = None;
        for row in &rows {
            let values: Vec<Value> = run.iter().map(|i| row.cells[*i].clone()).collect();
            let row_size = serde_json::to_string(&values).map_or(0, |s| s.len()) + 1;
            if let Some(b) = &block {
                let next = b.start + u32::try_from(b.values.len()).unwrap_or(u32::MAX);
                if next != row.row || b.size + row_size > block_limit {
                    entries.push(finish(title, c0, c1, block.take()));
                }
            }
            let b = block.get_or_insert_with(|| Block {
                start: row.row,
                values: Vec::new(),
                size: 0,
            });
            b.size += row_size;
            b.values.push(values);
        }
        if block.is_some() {
            entries.push(finish(title, c0, c1, block));
        }
    }
    // Row order first, so each request completes rows even when a person's column splits them.
    entries.sort_by_key(|(e, first, _)| (*first, e.range.first_col));
    let mut chunk_bytes = 0;
    let mut last_chunk_of_row: HashMap<u32, usize> = HashMap::new();
    let mut current: Vec<Entry> = Vec::new();
    for (e, first, last) in entries {
        if !current.is_empty() && chunk_bytes + e.json.len() > max {
            plan.chunks.push(WriteChunk {
                entries: std::mem::take(&mut current),
                completes: Vec::new(),
            });
            chunk_bytes = 0;
        }
        chunk_bytes += e.json.len() + 1;
        for row in first..=last {
            last_chunk_of_row.insert(row, plan.chunks.len());
        }
        current.push(e);
    }
    if !current.is_empty() {
        plan.chunks.push(WriteChunk {
            entries: current,
            completes: Vec::new(),
        });
    }
    for (row, chunk) in last_chunk_of_row {
        plan.chunks[chunk].completes.push(row);
    }
    for chunk in &mut plan.chunks {
        chunk.completes.sort_unstable();
    }
    Ok(plan)
}

fn entry(range: A1Range, values: &[Vec<Value>]) -> Entry {
    let cells = values.iter().map(|r| r.len() as u64).sum();
    let json =
        json!({"range": range.to_string(), "majorDimension": "ROWS", "values": values}).to_string();
    Entry { range, json, cells }
}

fn finish(title: &str, c0: u32, c1: u32, block: Option<Block>) -> (Entry, u32, u32) {
    let block = block.unwrap_or(Block {
        start: 1,
        values: Vec::new(),
        size: 0,
    });
    let last = block.start + u32::try_from(block.values.len()).unwrap_or(1) - 1;
    let range = A1Range::cells(title, c0, block.start, c1, last);
    (entry(range, &block.values), block.start, last)
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

    fn cells(order: u32) -> Vec<Value> {
        vec![
            json!(format!("#{order}")),
            json!("x".repeat(40)),
            json!(order),
        ]
    }

    #[test]
    fn chunks_stay_under_the_size_and_say_which_rows_they_complete() {
        // Columns A, B and D: two runs, so each row is complete only after both of its ranges.
        let columns = [0, 1, 3];
        let rows: Vec<RowCells> = (2..202)
            .map(|r| RowCells {
                row: r,
                cells: cells(r),
            })
            .collect();
        let plan = plan_rows("Orders", &columns, rows, 4_000).unwrap();
        assert!(plan.chunks.len() > 2);
        let mut completed: Vec<u32> = Vec::new();
        for chunk in &plan.chunks {
            let size: usize = chunk.entries.iter().map(|e| e.json.len() + 1).sum();
            assert!(size <= 4_000 + 100, "{size}");
            completed.extend(&chunk.completes);
        }
        completed.sort_unstable();
        assert_eq!(completed, (2..202).collect::<Vec<_>>());
        // Ranges go in row order, so the first request already completes rows.
        assert!(!plan.chunks[0].completes.is_empty());
    }

    #[test]
    fn gaps_between_rows_start_new_ranges() {
        let rows = vec![
            RowCells {
                row: 5,
                cells: cells(5),
            },
            RowCells {
                row: 2,
                cells: cells(2),
            },
            RowCells {
                row: 3,
                cells: cells(3),
            },
        ];
        let plan = plan_rows("O", &[0, 1, 2], rows, 2_000_000).unwrap();
        let ranges: Vec<String> = plan.chunks[0]
            .entries
            .iter()
            .map(|e| e.range.to_string())
            .collect();
        assert_eq!(ranges, vec!["'O'!A2:C3", "'O'!A5:C5"]);
        assert!(
            plan_rows(
                "O",
                &[0, 1],
                vec![RowCells {
                    row: 2,
                    cells: cells(2)
                }],
                100
            )
            .is_err()
        );
    }
}
