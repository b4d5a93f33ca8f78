//! A person working in the sheet between runs: sorting, inserting and deleting rows, adding and
//! moving columns, editing cells, renaming the tab. Tests use these to prove shopsync keeps out of
//! their way.

use serde_json::Value;

use super::GoogleSandbox;
use super::grid::Cell;
use super::input::{InputOption, to_cell};

fn compare(a: &Cell, b: &Cell) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    fn rank(c: &Cell) -> u8 {
        match c {
            Cell::Number(_) | Cell::Date(..) => 0,
            Cell::Text(_) | Cell::Formula(..) => 1,
            Cell::Bool(_) => 2,
            Cell::Empty => 3,
        }
    }
    match (a, b) {
        (Cell::Number(x) | Cell::Date(x, _), Cell::Number(y) | Cell::Date(y, _)) => {
            x.partial_cmp(y).unwrap_or(Ordering::Equal)
        }
        (Cell::Text(x), Cell::Text(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl GoogleSandbox {
    /// Sorts rows 2 and below by a zero-based column, as "Sort sheet" with a frozen header does.
    pub fn person_sort_rows(&self, id: &str, tab: &str, col: u32, descending: bool) {
        self.with_sheet(id, tab, |sheet| {
            let used = sheet.used_rows() as usize;
            if used <= 1 {
                return;
            }
            let c = col as usize;
            let mut body: Vec<Vec<Cell>> = sheet.cells[1..used].to_vec();
            body.sort_by(|a, b| {
                let x = a.get(c).unwrap_or(&Cell::Empty);
                let y = b.get(c).unwrap_or(&Cell::Empty);
                // Blanks stay last either way, as in Sheets.
                match (x.is_empty(), y.is_empty()) {
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ if descending => compare(y, x),
                    _ => compare(x, y),
                }
            });
            sheet.cells.splice(1..used, body);
        });
    }

    /// Inserts `count` blank rows before 1-based `row`.
    pub fn person_insert_blank_rows(&self, id: &str, tab: &str, row: u32, count: u32) {
        self.with_sheet(id, tab, |sheet| sheet.insert_rows(row - 1, count));
    }

    /// Inserts a row typed by hand (values parsed as typed) before 1-based `row`.
    pub fn person_insert_typed_row(&self, id: &str, tab: &str, row: u32, values: &[Value]) {
        self.with_sheet(id, tab, |sheet| {
            sheet.insert_rows(row - 1, 1);
            for (c, v) in (0u32..).zip(values) {
                if let Some(cell) = to_cell(v, InputOption::UserEntered) {
                    sheet.set(row - 1, c, cell);
                }
            }
        });
    }

    /// Inserts a column before zero-based `col` with `header` in row 1.
    pub fn person_add_column(&self, id: &str, tab: &str, col: u32, header: &str) {
        self.with_sheet(id, tab, |sheet| {
            sheet.insert_cols(col, 1);
            sheet.set(0, col, Cell::Text(header.to_owned()));
        });
    }

    /// Moves zero-based column `from` so that it ends up at index `to`.
    pub fn person_move_column(&self, id: &str, tab: &str, from: u32, to: u32) {
        self.with_sheet(id, tab, |sheet| {
            let width = sheet.column_count as usize;
            for row in &mut sheet.cells {
                if row.len() < width {
                    row.resize(width, Cell::Empty);
                }
                let cell = row.remove(from as usize);
                row.insert(to as usize, cell);
                while row.last().is_some_and(Cell::is_empty) {
                    row.pop();
                }
            }
        });
    }

    /// Deletes 1-based `row`.
    pub fn person_delete_row(&self, id: &str, tab: &str, row: u32) {
        self.with_sheet(id, tab, |sheet| sheet.delete_rows(row - 1, row));
    }

    /// Types `value` into the cell at 1-based `row`, zero-based `col` (`""` clears it).
    pub fn person_edit_cell(&self, id: &str, tab: &str, row: u32, col: u32, value: &Value) {
        self.with_sheet(id, tab, |sheet| {
            if let Some(cell) = to_cell(value, InputOption::UserEntered) {
                sheet.set(row - 1, col, cell);
            }
        });
    }

    /// Writes a row of values at 1-based `row` as typed, growing the grid if needed (test setup).
    pub fn person_set_row(&self, id: &str, tab: &str, row: u32, values: &[Value]) {
        self.with_sheet(id, tab, |sheet| {
            if row > sheet.row_count {
                sheet.row_count = row;
            }
            let width = u32::try_from(values.len()).unwrap_or(u32::MAX);
            if width > sheet.column_count {
                sheet.column_count = width;
            }
            for (c, v) in (0u32..).zip(values) {
                if let Some(cell) = to_cell(v, InputOption::UserEntered) {
                    sheet.set(row - 1, c, cell);
                }
            }
        });
    }

    /// Renames a tab.
    pub fn person_rename_tab(&self, id: &str, from: &str, to: &str) {
        self.with_sheet(id, from, |sheet| to.clone_into(&mut sheet.title));
    }
}
