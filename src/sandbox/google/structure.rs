//! `spreadsheets.batchUpdate`: the structural and formatting requests shopsync and a person send
//! (addSheet, updateSheetProperties, appendDimension, insertDimension, deleteDimension, repeatCell),
//! all-or-nothing as Google applies them.

use serde_json::{Value, json};

use super::a1::MAX_COLUMNS;
use super::errors::ApiError;
use super::grid::{MAX_CELLS, Sheet, Spreadsheet, mask_paths, sheet_properties};

fn int(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

fn uint(value: &Value) -> Option<u32> {
    int(value).and_then(|n| u32::try_from(n).ok())
}

fn sheet_index(book: &Spreadsheet, id: &Value) -> Result<usize, String> {
    let id = int(id).unwrap_or(0);
    book.sheet_by_id(id)
        .ok_or_else(|| format!("No grid with id: {id}"))
}

fn check_cells(book: &Spreadsheet) -> Result<(), String> {
    if let Some(wide) = book.sheets.iter().find(|s| s.column_count > MAX_COLUMNS) {
        return Err(format!(
            "This action would increase the number of columns in sheet {} above the limit of {MAX_COLUMNS}.",
            wide.title
        ));
    }
    if book.cell_count() > MAX_CELLS {
        return Err(format!(
            "This action would increase the number of cells in the workbook above the limit of {MAX_CELLS} cells."
        ));
    }
    Ok(())
}

/// Applies one request to `book`, returning its reply (`{}` for most).
fn apply_one(book: &mut Spreadsheet, kind: &str, req: &Value) -> Result<Value, String> {
    match kind {
        "addSheet" => {
            let props = &req["properties"];
            let title = props["title"]
                .as_str()
                .map_or_else(|| format!("Sheet{}", book.sheets.len() + 1), str::to_owned);
            if book.sheet_by_title(&title).is_some() {
                return Err(format!(
                    "A sheet with the name \"{title}\" already exists. Please enter another name."
                ));
            }
            let id = int(&props["sheetId"]).unwrap_or_else(|| {
                book.next_sheet_id += 1_234_567;
                book.next_sheet_id
            });
            if book.sheet_by_id(id).is_some() {
                return Err(format!("Sheet with id {id} already exists."));
            }
            let mut sheet = Sheet::new(id, &title);
            let grid = &props["gridProperties"];
            if let Some(rows) = uint(&grid["rowCount"]) {
                sheet.row_count = rows;
            }
            if let Some(cols) = uint(&grid["columnCount"]) {
                sheet.column_count = cols;
            }
            if let Some(frozen) = uint(&grid["frozenRowCount"]) {
                sheet.frozen_rows = frozen;
            }
            let index = uint(&props["index"])
                .map_or(book.sheets.len(), |i| (i as usize).min(book.sheets.len()));
            book.sheets.insert(index, sheet);
            check_cells(book)?;
            Ok(json!({"addSheet": {"properties": sheet_properties(&book.sheets[index], index)}}))
        }
        "updateSheetProperties" => {
            let props = &req["properties"];
            let fields = req["fields"].as_str().unwrap_or("");
            if fields.is_empty() {
                return Err("At least one field must be specified.".to_owned());
            }
            let index = sheet_index(book, &props["sheetId"])?;
            for path in mask_paths(fields) {
                let all = path == "*";
                if (all || path == "title")
                    && let Some(title) = props["title"].as_str()
                {
                    if book
                        .sheet_by_title(title)
                        .is_some_and(|other| other != index)
                    {
                        return Err(format!(
                            "A sheet with the name \"{title}\" already exists. Please enter another name."
                        ));
                    }
                    book.sheets[index].title = title.to_owned();
                }
                let grid = &props["gridProperties"];
                let sheet = &mut book.sheets[index];
                if all || path == "gridProperties" || path == "gridProperties/frozenRowCount" {
                    sheet.frozen_rows = uint(&grid["frozenRowCount"]).unwrap_or(0);
                }
                if (all || path == "gridProperties" || path == "gridProperties/rowCount")
                    && let Some(rows) = uint(&grid["rowCount"])
                {
                    if rows < sheet.row_count {
                        sheet.delete_rows(rows, sheet.row_count);
                    } else {
                        sheet.row_count = rows;
                    }
                }
                if (all || path == "gridProperties" || path == "gridProperties/columnCount")
                    && let Some(cols) = uint(&grid["columnCount"])
                {
                    if cols < sheet.column_count {
                        sheet.delete_cols(cols, sheet.column_count);
                    } else {
                        sheet.column_count = cols;
                    }
                }
            }
            check_cells(book)?;
            Ok(json!({}))
        }
        "appendDimension" => {
            let index = sheet_index(book, &req["sheetId"])?;
            let length = uint(&req["length"])
                .filter(|n| *n > 0)
                .ok_or_else(|| "length must be greater than zero".to_owned())?;
            let sheet = &mut book.sheets[index];
            match req["dimension"].as_str() {
                Some("ROWS") => sheet.row_count += length,
                Some("COLUMNS") => sheet.column_count += length,
                _ => return Err("dimension must be ROWS or COLUMNS".to_owned()),
            }
            check_cells(book)?;
            Ok(json!({}))
        }
        "insertDimension" | "deleteDimension" => {
            let range = &req["range"];
            let index = sheet_index(book, &range["sheetId"])?;
            let start = uint(&range["startIndex"]).unwrap_or(0);
            let end = uint(&range["endIndex"]).unwrap_or(0);
            if end <= start {
                return Err("range must have endIndex > startIndex".to_owned());
            }
            let sheet = &mut book.sheets[index];
            let rows = match range["dimension"].as_str() {
                Some("ROWS") => true,
                Some("COLUMNS") => false,
                _ => return Err("dimension must be ROWS or COLUMNS".to_owned()),
            };
            let limit = if rows {
                sheet.row_count
            } else {
                sheet.column_count
            };
            if kind == "insertDimension" {
                if start > limit {
                    return Err(format!("startIndex {start} is past the end of the grid"));
                }
                if rows {
                    sheet.insert_rows(start, end - start);
                } else {
                    sheet.insert_cols(start, end - start);
                }
            } else {
                if end > limit {
                    return Err(format!("endIndex {end} is past the end of the grid"));
                }
                if rows {
                    sheet.delete_rows(start, end);
                } else {
                    sheet.delete_cols(start, end);
                }
            }
            check_cells(book)?;
            Ok(json!({}))
        }
        "repeatCell" => {
            let range = &req["range"];
            let index = sheet_index(book, &range["sheetId"])?;
            if req["fields"].as_str().unwrap_or("").is_empty() {
                return Err("At least one field must be specified.".to_owned());
            }
            let sheet = &mut book.sheets[index];
            let r0 = uint(&range["startRowIndex"]).unwrap_or(0);
            let r1 = uint(&range["endRowIndex"]).unwrap_or(sheet.row_count);
            let c0 = uint(&range["startColumnIndex"]).unwrap_or(0);
            let c1 = uint(&range["endColumnIndex"]).unwrap_or(sheet.column_count);
            if r1 > sheet.row_count || c1 > sheet.column_count {
                return Err("range exceeds grid limits".to_owned());
            }
            let format = req["cell"]["userEnteredFormat"].clone();
            for r in r0..r1 {
                for c in c0..c1 {
                    sheet.formats.insert((r, c), format.clone());
                }
            }
            Ok(json!({}))
        }
        other => Err(format!("the sandbox does not implement {other}")),
    }
}

/// `spreadsheets.batchUpdate`: every request applies, or none does.
pub fn batch_update(book: &mut Spreadsheet, body: &Value) -> Result<Value, ApiError> {
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if requests.len() > 100_000 {
        return Err(ApiError::invalid(
            "Cannot exceed 100000 requests in a single batch.",
        ));
    }
    let mut draft = book.clone();
    let mut replies = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let Some((kind, req)) = request.as_object().and_then(|o| o.iter().next()) else {
            return Err(ApiError::invalid(format!(
                "Invalid requests[{i}]: No request set."
            )));
        };
        let reply = apply_one(&mut draft, kind, req)
            .map_err(|m| ApiError::invalid(format!("Invalid requests[{i}].{kind}: {m}")))?;
        replies.push(reply);
    }
    *book = draft;
    Ok(json!({"spreadsheetId": book.id, "replies": replies}))
}
