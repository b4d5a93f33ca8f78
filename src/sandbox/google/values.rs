//! The `spreadsheets.values` methods: get, batchGet, update, batchUpdate, append (with Google's
//! table detection), clear and batchClear.
//!
//! Reproduces the recorded behaviours of SHEETS-API.md section 3: an absent `values` key for empty
//! data, trailing blanks trimmed (ragged rows, `[]` for an empty middle row), `range` clipped to the
//! grid, `null` skipped but `""` cleared, writes past the grid refused, and every batch all-or-nothing.

use serde_json::{Value, json};

use super::a1::{self, GridRect};
use super::errors::ApiError;
use super::grid::{Cell, MAX_CELL_CHARS, MAX_CELLS, Render, Sheet, Spreadsheet};
use super::input::{InputOption, char_len, to_cell};
use super::shared::Query;

/// Resolves an A1 string to a tab and a rectangle (unclipped).
pub fn resolve(book: &Spreadsheet, range: &str) -> Result<(usize, GridRect), ApiError> {
    let unable = || ApiError::invalid(format!("Unable to parse range: {range}"));
    let parsed = a1::parse(range).ok_or_else(unable)?;
    let index = match &parsed.sheet {
        Some(title) => book.sheet_by_title(title).ok_or_else(unable)?,
        None => 0,
    };
    let sheet = book.sheets.get(index).ok_or_else(unable)?;
    let rect = a1::resolve(&parsed, sheet.row_count, sheet.column_count)
        .map_err(|()| exceeds(range, sheet))?;
    Ok((index, rect))
}

fn exceeds(range: &str, sheet: &Sheet) -> ApiError {
    ApiError::invalid(format!(
        "Range ({range}) exceeds grid limits. Max rows: {}, max columns: {}",
        sheet.row_count, sheet.column_count
    ))
}

fn render_option(query: &Query) -> Render {
    match (
        query.get("valueRenderOption"),
        query.get("dateTimeRenderOption"),
    ) {
        (Some("UNFORMATTED_VALUE"), Some("FORMATTED_STRING")) => Render::UnformattedDateString,
        (Some("UNFORMATTED_VALUE"), _) => Render::Unformatted,
        (Some("FORMULA"), _) => Render::Formula,
        _ => Render::Formatted,
    }
}

fn read_range(book: &Spreadsheet, range: &str, query: &Query) -> Result<Value, ApiError> {
    let (index, rect) = resolve(book, range)?;
    let sheet = &book.sheets[index];
    let rect = sheet.clip(rect);
    let render = render_option(query);
    let columns = query.get("majorDimension") == Some("COLUMNS");
    let (outer, inner) = if columns {
        ((rect.c0..rect.c1), (rect.r0..rect.r1))
    } else {
        ((rect.r0..rect.r1), (rect.c0..rect.c1))
    };
    let mut values: Vec<Vec<Value>> = Vec::new();
    for o in outer {
        let cells: Vec<&Cell> = inner
            .clone()
            .map(|i| {
                if columns {
                    sheet.get(i, o)
                } else {
                    sheet.get(o, i)
                }
            })
            .collect();
        let last = cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        values.push(cells[..last].iter().map(|c| c.render(render)).collect());
    }
    while values.last().is_some_and(Vec::is_empty) {
        values.pop();
    }
    let mut out = json!({
        "range": sheet.range_name(rect),
        "majorDimension": if columns { "COLUMNS" } else { "ROWS" },
    });
    if !values.is_empty() {
        out["values"] = json!(values);
    }
    Ok(out)
}

/// `values.get`.
pub fn get(book: &Spreadsheet, range: &str, query: &Query) -> Result<Value, ApiError> {
    read_range(book, range, query)
}

/// `values.batchGet`.
pub fn batch_get(book: &Spreadsheet, query: &Query) -> Result<Value, ApiError> {
    let ranges = query
        .all("ranges")
        .into_iter()
        .map(|r| read_range(book, r, query))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({"spreadsheetId": book.id, "valueRanges": ranges}))
}

/// Cells one `ValueRange` would write, checked but not yet applied.
struct Planned {
    sheet: usize,
    rect: GridRect,
    cells: Vec<(u32, u32, Cell)>,
    updated_cells: u64,
}

fn input_option(value: Option<&str>) -> Result<InputOption, ApiError> {
    match value {
        Some("RAW") => Ok(InputOption::Raw),
        Some("USER_ENTERED") => Ok(InputOption::UserEntered),
        _ => Err(ApiError::invalid(
            "'valueInputOption' is required but not specified",
        )),
    }
}

fn values_of(body: &Value) -> Result<Vec<Vec<Value>>, ApiError> {
    let Some(outer) = body.get("values") else {
        return Ok(Vec::new());
    };
    let bad = |v: &Value| {
        ApiError::invalid_field(
            "data.values",
            format!(
                "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), {v}"
            ),
        )
    };
    let Value::Array(rows) = outer else {
        return Err(bad(outer));
    };
    rows.iter()
        .map(|row| match row {
            Value::Array(cells) => {
                for c in cells {
                    if c.is_object() || c.is_array() {
                        return Err(bad(c));
                    }
                    if char_len(c) > MAX_CELL_CHARS {
                        return Err(ApiError::invalid(format!(
                            "Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell."
                        )));
                    }
                }
                Ok(cells.clone())
            }
            other => Err(bad(other)),
        })
        .collect()
}

/// Plans writing `body.values` into `rect` (an anchor expands; a sized range bounds the data).
fn plan(
    book: &Spreadsheet,
    range: &str,
    body: &Value,
    option: InputOption,
) -> Result<Planned, ApiError> {
    let (index, rect) = resolve(book, range)?;
    if let Some(body_range) = body.get("range").and_then(Value::as_str)
        && body_range != range
    {
        return Err(ApiError::invalid(format!(
            "Invalid ValueRange range {body_range} must match URL range {range}"
        )));
    }
    let mut values = values_of(body)?;
    if body.get("majorDimension").and_then(Value::as_str) == Some("COLUMNS") {
        values = transpose(&values);
    }
    let sheet = &book.sheets[index];
    let rows = u32::try_from(values.len()).unwrap_or(u32::MAX);
    let cols = u32::try_from(values.iter().map(Vec::len).max().unwrap_or(0)).unwrap_or(u32::MAX);
    let single = rect.rows() == 1 && rect.cols() == 1;
    if !single && (rows > rect.rows() || cols > rect.cols()) {
        return Err(ApiError::invalid(format!(
            "Requested writing within range [{range}], but tried writing to row [{}]",
            rect.r0 + rows
        )));
    }
    let written = GridRect {
        r0: rect.r0,
        r1: rect.r0 + rows,
        c0: rect.c0,
        c1: rect.c0 + cols,
    };
    if written.r1 > sheet.row_count || written.c1 > sheet.column_count {
        return Err(exceeds(range, sheet));
    }
    let mut cells = Vec::new();
    let mut updated = 0;
    for (r, row) in (rect.r0..).zip(&values) {
        for (c, value) in (rect.c0..).zip(row) {
            if let Some(cell) = to_cell(value, option) {
                cells.push((r, c, cell));
                updated += 1;
            }
        }
    }
    Ok(Planned {
        sheet: index,
        rect: written,
        cells,
        updated_cells: updated,
    })
}

fn transpose(values: &[Vec<Value>]) -> Vec<Vec<Value>> {
    let width = values.iter().map(Vec::len).max().unwrap_or(0);
    (0..width)
        .map(|c| {
            values
                .iter()
                .map(|col| col.get(c).cloned().unwrap_or(Value::Null))
                .collect()
        })
        .collect()
}

fn apply(book: &mut Spreadsheet, planned: Planned) -> Value {
    let sheet = &mut book.sheets[planned.sheet];
    for (r, c, cell) in planned.cells {
        sheet.set(r, c, cell);
    }
    update_reply(&book.id, sheet, planned.rect, planned.updated_cells)
}

fn update_reply(id: &str, sheet: &Sheet, rect: GridRect, cells: u64) -> Value {
    let mut out = json!({"spreadsheetId": id});
    if rect.rows() > 0 && rect.cols() > 0 {
        out["updatedRange"] = json!(sheet.range_name(rect));
        out["updatedRows"] = json!(rect.rows());
        out["updatedColumns"] = json!(rect.cols());
        out["updatedCells"] = json!(cells);
    }
    out
}

/// `values.update`.
pub fn update(
    book: &mut Spreadsheet,
    range: &str,
    query: &Query,
    body: &Value,
) -> Result<Value, ApiError> {
    let option = input_option(query.get("valueInputOption"))?;
    let planned = plan(book, range, body, option)?;
    Ok(apply(book, planned))
}

/// `values.batchUpdate`: all ranges or none.
pub fn batch_update(book: &mut Spreadsheet, body: &Value) -> Result<Value, ApiError> {
    let option = input_option(body.get("valueInputOption").and_then(Value::as_str))?;
    let data = body
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut plans = Vec::with_capacity(data.len());
    for (i, item) in data.iter().enumerate() {
        let range = item.get("range").and_then(Value::as_str).unwrap_or("");
        let planned = plan(book, range, item, option).map_err(|e| ApiError {
            message: format!("Invalid data[{i}]: {}", e.message),
            ..e
        })?;
        plans.push(planned);
    }
    let (mut rows, mut cols, mut cells) = (0u64, 0u64, 0u64);
    let mut sheets = std::collections::BTreeSet::new();
    let mut responses = Vec::with_capacity(plans.len());
    for planned in plans {
        sheets.insert(planned.sheet);
        rows += u64::from(planned.rect.rows());
        cols = cols.max(u64::from(planned.rect.cols()));
        cells += planned.updated_cells;
        responses.push(apply(book, planned));
    }
    Ok(json!({
        "spreadsheetId": book.id,
        "totalUpdatedRows": rows, "totalUpdatedColumns": cols,
        "totalUpdatedCells": cells, "totalUpdatedSheets": sheets.len(),
        "responses": responses,
    }))
}

/// Bounding boxes of the 4-connected blocks of non-empty cells (Google's "tables").
fn tables(sheet: &Sheet) -> Vec<GridRect> {
    let rows = sheet.used_rows() as usize;
    let width = sheet.cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut seen = vec![false; rows * width];
    let filled = |r: usize, c: usize| !sheet.get(r as u32, c as u32).is_empty();
    let mut out = Vec::new();
    for r in 0..rows {
        for c in 0..width {
            if seen[r * width + c] || !filled(r, c) {
                continue;
            }
            let mut rect = GridRect {
                r0: r as u32,
                r1: r as u32 + 1,
                c0: c as u32,
                c1: c as u32 + 1,
            };
            let mut stack = vec![(r, c)];
            seen[r * width + c] = true;
            while let Some((y, x)) = stack.pop() {
                rect.r0 = rect.r0.min(y as u32);
                rect.r1 = rect.r1.max(y as u32 + 1);
                rect.c0 = rect.c0.min(x as u32);
                rect.c1 = rect.c1.max(x as u32 + 1);
                let near = [
                    (y.wrapping_sub(1), x),
                    (y + 1, x),
                    (y, x.wrapping_sub(1)),
                    (y, x + 1),
                ];
                for (ny, nx) in near {
                    if ny < rows && nx < width && !seen[ny * width + nx] && filled(ny, nx) {
                        seen[ny * width + nx] = true;
                        stack.push((ny, nx));
                    }
                }
            }
            out.push(rect);
        }
    }
    out
}

fn intersects(a: GridRect, b: GridRect) -> bool {
    a.r0 < b.r1 && b.r0 < a.r1 && a.c0 < b.c1 && b.c0 < a.c1
}

/// `values.append`, with table detection: among the blocks of data touching the input range, the
/// lowest (then the right-most) is "the table"; rows go below it, from its first column. A blank
/// cell splits a block, which is the recorded pitfall (gspread#537).
pub fn append(
    book: &mut Spreadsheet,
    range: &str,
    query: &Query,
    body: &Value,
) -> Result<Value, ApiError> {
    let option = input_option(query.get("valueInputOption"))?;
    let insert_rows = query.get("insertDataOption") == Some("INSERT_ROWS");
    let (index, rect) = resolve(book, range)?;
    let values = values_of(body)?;
    let sheet = &book.sheets[index];
    let rect = sheet.clip(rect);
    let table = tables(sheet)
        .into_iter()
        .filter(|t| intersects(*t, rect))
        .max_by_key(|t| (t.r1, t.c0));
    let (start_row, start_col) = table.map_or((rect.r0, rect.c0), |t| (t.r1, t.c0));
    let rows = u32::try_from(values.len()).unwrap_or(u32::MAX);
    let cols = u32::try_from(values.iter().map(Vec::len).max().unwrap_or(0)).unwrap_or(u32::MAX);
    let need_rows = if insert_rows {
        rows
    } else {
        (start_row + rows).saturating_sub(sheet.row_count)
    };
    let need_cols = (start_col + cols).saturating_sub(sheet.column_count);
    let added = u64::from(need_rows) * u64::from(sheet.column_count + need_cols)
        + u64::from(need_cols) * u64::from(sheet.row_count);
    if book.cell_count() + added > MAX_CELLS {
        return Err(ApiError::invalid(format!(
            "This action would increase the number of cells in the workbook above the limit of {MAX_CELLS} cells."
        )));
    }
    let table_range = table.map(|t| sheet.range_name(t));
    let sheet = &mut book.sheets[index];
    if insert_rows {
        sheet.insert_rows(start_row, rows);
    } else {
        sheet.row_count += need_rows;
    }
    sheet.column_count += need_cols;
    let mut updated = 0;
    for (r, row) in (start_row..).zip(&values) {
        for (c, value) in (start_col..).zip(row) {
            if let Some(cell) = to_cell(value, option) {
                sheet.set(r, c, cell);
                updated += 1;
            }
        }
    }
    let written = GridRect {
        r0: start_row,
        r1: start_row + rows,
        c0: start_col,
        c1: start_col + cols,
    };
    let mut out = json!({
        "spreadsheetId": book.id,
        "updates": update_reply(&book.id, &book.sheets[index], written, updated),
    });
    if let Some(t) = table_range {
        out["tableRange"] = json!(t);
    }
    Ok(out)
}

fn clear_range(book: &mut Spreadsheet, range: &str) -> Result<String, ApiError> {
    let (index, rect) = resolve(book, range)?;
    let sheet = &mut book.sheets[index];
    let rect = sheet.clip(rect);
    for r in rect.r0
        ..rect
            .r1
            .min(u32::try_from(sheet.cells.len()).unwrap_or(u32::MAX))
    {
        for c in rect.c0..rect.c1 {
            sheet.set(r, c, Cell::Empty);
        }
    }
    Ok(sheet.range_name(rect))
}

/// `values.clear`: values only; formats and the grid stay.
pub fn clear(book: &mut Spreadsheet, range: &str) -> Result<Value, ApiError> {
    let cleared = clear_range(book, range)?;
    Ok(json!({"spreadsheetId": book.id, "clearedRange": cleared}))
}

/// `values.batchClear`.
pub fn batch_clear(book: &mut Spreadsheet, body: &Value) -> Result<Value, ApiError> {
    let ranges: Vec<String> = body
        .get("ranges")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for range in &ranges {
        resolve(book, range)?;
    }
    let cleared = ranges
        .iter()
        .map(|r| clear_range(book, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({"spreadsheetId": book.id, "clearedRanges": cleared}))
}
