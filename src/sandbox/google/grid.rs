//! The emulator's spreadsheets: tabs, grids of typed cells, and Google's limits on them.

use serde_json::{Value, json};

use super::a1::{self, GridRect};

/// Google's limit on cells per spreadsheet, over all tabs, blank or not.
pub const MAX_CELLS: u64 = 10_000_000;
/// Google's limit on characters in one cell.
pub const MAX_CELL_CHARS: usize = 50_000;
/// Rows of a new tab.
pub const DEFAULT_ROWS: u32 = 1000;
/// Columns of a new tab.
pub const DEFAULT_COLS: u32 = 26;

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A date typed by `USER_ENTERED` parsing: serial number and the text it came from.
    Date(f64, String),
    /// A formula and the value it evaluated to.
    Formula(String, Box<Cell>),
}

impl Cell {
    /// Whether the cell holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as `values.get` renders it.
    #[must_use]
    pub fn render(&self, render: Render) -> Value {
        match (self, render) {
            (Cell::Empty, _) => json!(""),
            (Cell::Formula(text, _), Render::Formula)
            | (Cell::Date(_, text), Render::Formatted | Render::UnformattedDateString) => {
                json!(text)
            }
            (Cell::Formula(_, value), _) => value.render(render),
            (Cell::Text(s), _) => json!(s),
            (Cell::Bool(b), Render::Formatted) => json!(if *b { "TRUE" } else { "FALSE" }),
            (Cell::Bool(b), _) => json!(b),
            (Cell::Number(n), Render::Formatted) => json!(format_number(*n)),
            (Cell::Number(n), _) => number(*n),
            (Cell::Date(serial, _), _) => number(*serial),
        }
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        return json!(n as i64);
    }
    json!(n)
}

fn format_number(n: f64) -> String {
    match number(n) {
        Value::Number(num) => num.to_string(),
        other => other.to_string(),
    }
}

/// How values are rendered on read (`valueRenderOption` × `dateTimeRenderOption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// `FORMATTED_VALUE`: everything as display text.
    Formatted,
    /// `UNFORMATTED_VALUE` with `SERIAL_NUMBER` dates.
    Unformatted,
    /// `UNFORMATTED_VALUE` with `FORMATTED_STRING` dates.
    UnformattedDateString,
    /// `FORMULA`.
    Formula,
}

/// One tab.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// `sheetId`.
    pub sheet_id: i64,
    /// Title.
    pub title: String,
    /// Grid rows.
    pub row_count: u32,
    /// Grid columns.
    pub column_count: u32,
    /// Frozen rows (0 = not set).
    pub frozen_rows: u32,
    /// Cells, row-major; rows and rows' tails past their last value may be missing.
    pub cells: Vec<Vec<Cell>>,
    /// `userEnteredFormat` set by `repeatCell`, by (row, column).
    pub formats: std::collections::BTreeMap<(u32, u32), Value>,
}

impl Sheet {
    /// An empty tab of the default size.
    #[must_use]
    pub fn new(sheet_id: i64, title: &str) -> Self {
        Self {
            sheet_id,
            title: title.to_owned(),
            row_count: DEFAULT_ROWS,
            column_count: DEFAULT_COLS,
            frozen_rows: 0,
            cells: Vec::new(),
            formats: std::collections::BTreeMap::new(),
        }
    }

    /// The cell at (row, col), zero-based.
    #[must_use]
    pub fn get(&self, row: u32, col: u32) -> &Cell {
        self.cells
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&Cell::Empty)
    }

    /// Sets the cell at (row, col), growing storage (not the grid) as needed.
    pub fn set(&mut self, row: u32, col: u32, cell: Cell) {
        let (r, c) = (row as usize, col as usize);
        if cell.is_empty() && self.cells.get(r).is_none_or(|cells| cells.len() <= c) {
            return;
        }
        if self.cells.len() <= r {
            self.cells.resize(r + 1, Vec::new());
        }
        let cells = &mut self.cells[r];
        if cells.len() <= c {
            cells.resize(c + 1, Cell::Empty);
        }
        cells[c] = cell;
    }

    /// Grid cells of this tab.
    #[must_use]
    pub fn cell_count(&self) -> u64 {
        u64::from(self.row_count) * u64::from(self.column_count)
    }

    /// Number of rows up to the last one holding any value.
    #[must_use]
    pub fn used_rows(&self) -> u32 {
        let last = self
            .cells
            .iter()
            .rposition(|row| row.iter().any(|c| !c.is_empty()));
        last.map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
    }

    /// Row values (display-independent) for tests: each row trimmed of trailing blanks.
    #[must_use]
    pub fn rows_as_json(&self, render: Render) -> Vec<Vec<Value>> {
        let used = self.used_rows() as usize;
        self.cells[..used]
            .iter()
            .map(|row| {
                let last = row.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
                row[..last].iter().map(|c| c.render(render)).collect()
            })
            .collect()
    }

    /// Inserts `count` blank rows before zero-based `at`, growing the grid.
    pub fn insert_rows(&mut self, at: u32, count: u32) {
        let at = at as usize;
        if at < self.cells.len() {
            let blank = vec![Vec::new(); count as usize];
            self.cells.splice(at..at, blank);
        }
        self.row_count += count;
        let moved: Vec<_> = std::mem::take(&mut self.formats).into_iter().collect();
        for ((r, c), f) in moved {
            let r = if r as usize >= at { r + count } else { r };
            self.formats.insert((r, c), f);
        }
    }

    /// Deletes rows `[start, end)`, shrinking the grid.
    pub fn delete_rows(&mut self, start: u32, end: u32) {
        let (s, e) = (start as usize, end as usize);
        if s < self.cells.len() {
            self.cells.drain(s..e.min(self.cells.len()));
        }
        self.row_count -= end - start;
        let moved: Vec<_> = std::mem::take(&mut self.formats).into_iter().collect();
        for ((r, c), f) in moved {
            if r < start {
                self.formats.insert((r, c), f);
            } else if r >= end {
                self.formats.insert((r - (end - start), c), f);
            }
        }
    }

    /// Inserts `count` blank columns before zero-based `at`, growing the grid.
    pub fn insert_cols(&mut self, at: u32, count: u32) {
        let at = at as usize;
        for row in &mut self.cells {
            if at < row.len() {
                row.splice(at..at, vec![Cell::Empty; count as usize]);
            }
        }
        self.column_count += count;
    }

    /// Deletes columns `[start, end)`, shrinking the grid.
    pub fn delete_cols(&mut self, start: u32, end: u32) {
        let (s, e) = (start as usize, end as usize);
        for row in &mut self.cells {
            if s < row.len() {
                row.drain(s..e.min(row.len()));
            }
        }
        self.column_count -= end - start;
    }

    /// The data rectangle of `rect` clipped to the grid.
    #[must_use]
    pub fn clip(&self, rect: GridRect) -> GridRect {
        GridRect {
            r0: rect.r0,
            r1: rect.r1.min(self.row_count),
            c0: rect.c0,
            c1: rect.c1.min(self.column_count),
        }
    }

    /// Prints `rect` as a range on this tab.
    #[must_use]
    pub fn range_name(&self, rect: GridRect) -> String {
        a1::format(&self.title, rect)
    }
}

/// One spreadsheet.
#[derive(Debug, Clone)]
pub struct Spreadsheet {
    /// `spreadsheetId`.
    pub id: String,
    /// Title (the Drive file name).
    pub title: String,
    /// `properties.timeZone`.
    pub time_zone: String,
    /// `properties.locale`.
    pub locale: String,
    /// Tabs in order.
    pub sheets: Vec<Sheet>,
    /// Whether the file is shared with the service account (else 403, invisible in Drive).
    pub shared: bool,
    /// Whether it is shared as Editor (else writes answer 403).
    pub editable: bool,
    /// Whether the Drive file is in the trash.
    pub trashed: bool,
    /// Next `sheetId` to hand out.
    pub next_sheet_id: i64,
}

impl Spreadsheet {
    /// Cells over all tabs.
    #[must_use]
    pub fn cell_count(&self) -> u64 {
        self.sheets.iter().map(Sheet::cell_count).sum()
    }

    /// The tab with this title.
    #[must_use]
    pub fn sheet_by_title(&self, title: &str) -> Option<usize> {
        self.sheets.iter().position(|s| s.title == title)
    }

    /// The tab with this `sheetId`.
    #[must_use]
    pub fn sheet_by_id(&self, id: i64) -> Option<usize> {
        self.sheets.iter().position(|s| s.sheet_id == id)
    }

    /// `spreadsheets.get` without a field mask.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let sheets: Vec<Value> = self
            .sheets
            .iter()
            .enumerate()
            .map(|(i, s)| json!({"properties": sheet_properties(s, i)}))
            .collect();
        json!({
            "spreadsheetId": self.id,
            "properties": {
                "title": self.title, "locale": self.locale, "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
            },
            "sheets": sheets,
            "spreadsheetUrl": format!("https://docs.google.com/spreadsheets/d/{}/edit", self.id),
        })
    }
}

/// A tab's `SheetProperties` as Google returns them.
#[must_use]
pub fn sheet_properties(sheet: &Sheet, index: usize) -> Value {
    let mut grid = json!({"rowCount": sheet.row_count, "columnCount": sheet.column_count});
    if sheet.frozen_rows > 0 {
        grid["frozenRowCount"] = json!(sheet.frozen_rows);
    }
    json!({
        "sheetId": sheet.sheet_id, "title": sheet.title, "index": index,
        "sheetType": "GRID", "gridProperties": grid,
    })
}

/// Applies a partial-response `fields` mask to a JSON value (already validated).
#[must_use]
pub fn apply_mask(value: &Value, mask: &str) -> Value {
    let paths = mask_paths(mask);
    if paths.is_empty() {
        return value.clone();
    }
    let mut out = Value::Object(serde_json::Map::new());
    for path in &paths {
        let segs: Vec<&str> = path.split('/').collect();
        merge_path(value, &segs, &mut out);
    }
    out
}

fn merge_path(value: &Value, segs: &[&str], out: &mut Value) {
    let Some((first, rest)) = segs.split_first() else {
        *out = value.clone();
        return;
    };
    match value {
        Value::Array(items) => {
            if out.as_array().is_none_or(|a| a.len() != items.len()) {
                *out = Value::Array(vec![Value::Null; items.len()]);
            }
            if let Value::Array(outs) = out {
                for (item, slot) in items.iter().zip(outs.iter_mut()) {
                    if slot.is_null() {
                        *slot = Value::Object(serde_json::Map::new());
                    }
                    merge_path(item, segs, slot);
                }
            }
        }
        Value::Object(map) => {
            if *first == "*" {
                *out = value.clone();
                return;
            }
            if let Some(child) = map.get(*first) {
                let slot = out
                    .as_object_mut()
                    .map(|o| o.entry((*first).to_owned()).or_insert(Value::Null));
                if let Some(slot) = slot {
                    if slot.is_null() && !rest.is_empty() {
                        *slot = if child.is_array() {
                            Value::Array(Vec::new())
                        } else {
                            Value::Object(serde_json::Map::new())
                        };
                    }
                    merge_path(child, rest, slot);
                }
            }
        }
        _ => {}
    }
}

/// Expands a mask like `a,b/c,d(e,f(g))` into slash paths (`a`, `b/c`, `d/e`, `d/f/g`).
#[must_use]
pub fn mask_paths(mask: &str) -> Vec<String> {
    fn parse(chars: &[char], pos: &mut usize, prefix: &str, out: &mut Vec<String>) {
        let mut current = String::new();
        while *pos < chars.len() {
            let c = chars[*pos];
            *pos += 1;
            match c {
                ',' => {
                    if !current.is_empty() {
                        out.push(join(prefix, &current));
                    }
                    current.clear();
                }
                '(' => {
                    let inner_prefix = join(prefix, &current);
                    parse(chars, pos, &inner_prefix, out);
                    current.clear();
                }
                ')' => break,
                '.' => current.push('/'),
                _ => current.push(c),
            }
        }
        if !current.is_empty() {
            out.push(join(prefix, &current));
        }
    }
    fn join(prefix: &str, part: &str) -> String {
        if prefix.is_empty() {
            part.to_owned()
        } else {
            format!("{prefix}/{part}")
        }
    }
    let chars: Vec<char> = mask.chars().collect();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < chars.len() {
        parse(&chars, &mut pos, "", &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_expand_and_filter() {
        assert_eq!(
            mask_paths("spreadsheetId,sheets.properties(sheetId,gridProperties(rowCount))"),
            vec![
                "spreadsheetId",
                "sheets/properties/sheetId",
                "sheets/properties/gridProperties/rowCount"
            ]
        );
        let mut book = Spreadsheet {
            id: "x".into(),
            title: "t".into(),
            time_zone: "Etc/GMT".into(),
            locale: "en_US".into(),
            sheets: vec![Sheet::new(0, "Sheet1")],
            shared: true,
            editable: true,
            trashed: false,
            next_sheet_id: 1,
        };
        book.sheets[0].frozen_rows = 1;
        let masked = apply_mask(&book.to_json(), "sheets.properties(title)");
        assert_eq!(
            masked,
            json!({"sheets": [{"properties": {"title": "Sheet1"}}]})
        );
    }

    #[test]
    fn rows_grow_and_shrink_with_their_cells() {
        let mut sheet = Sheet::new(0, "S");
        sheet.set(0, 0, Cell::Text("a".into()));
        sheet.set(1, 0, Cell::Text("b".into()));
        sheet.insert_rows(1, 2);
        assert_eq!(sheet.row_count, 1002);
        assert_eq!(sheet.get(3, 0), &Cell::Text("b".into()));
        sheet.delete_rows(1, 3);
        assert_eq!(sheet.get(1, 0), &Cell::Text("b".into()));
        assert_eq!(sheet.used_rows(), 2);
    }
}
