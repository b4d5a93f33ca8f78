//! The sheet as read at the start of a run: its header layout, which physical rows hold which key,
//! and where new rows go.
//!
//! Rows are located by key every run, never by remembered row numbers alone, so a person sorting the
//! sheet cannot make a sync write to the wrong row (DESIGN.md section 2, promise 3).

use std::collections::HashMap;

use serde_json::Value;

#[cfg(test)]
use super::columns::Column;
use super::header::HeaderLayout;
use super::rows::RowKey;

/// A key found on more than one physical row (a person copied a row). Both rows are kept and
/// updated; `missing` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key.
    pub key: RowKey,
    /// The 1-based sheet rows holding it, top to bottom.
    pub rows: Vec<u32>,
}

impl std::fmt::Display for DuplicateKey {
    /// The one sentence that names a duplicated key: `order 1001 line item 7 is on rows 3, 9`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<String> = self.rows.iter().map(u32::to_string).collect();
        write!(
            f,
            "order {} line item {} is on rows {}",
            self.key.order_id,
            self.key.line_item_id,
            rows.join(", ")
        )
    }
}

/// The sheet rows holding one key, ascending: almost always one, kept inline so a backfill's index
/// does not pay a heap allocation per row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyRows {
    One(u32),
    Many(Vec<u32>),
}

impl KeyRows {
    fn as_slice(&self) -> &[u32] {
        match self {
            KeyRows::One(row) => std::slice::from_ref(row),
            KeyRows::Many(rows) => rows,
        }
    }

    fn insert(&mut self, row: u32) {
        match self {
            KeyRows::One(only) if *only == row => {}
            KeyRows::One(only) => {
                let mut rows = vec![*only, row];
                rows.sort_unstable();
                *self = KeyRows::Many(rows);
            }
            KeyRows::Many(rows) => {
                if let Err(at) = rows.binary_search(&row) {
                    rows.insert(at, row);
                }
            }
        }
    }
}

/// A key whose halves are both canonical decimal IDs (every key shopsync writes), packed: 16 bytes
/// instead of two heap strings, so a 250,000-row sheet's index is a fraction of the memory.
type NumericKey = (u64, u64);

/// `key` packed, when both halves are canonical decimal numbers (no sign, no leading zero, at
/// most 19 digits) that print back as the same text.
fn numeric(key: &RowKey) -> Option<NumericKey> {
    Some((
        canonical_id(&key.order_id)?,
        canonical_id(&key.line_item_id)?,
    ))
}

fn canonical_id(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let canonical = !bytes.is_empty()
        && bytes.len() <= 19
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes[0] != b'0' || bytes.len() == 1);
    if canonical { text.parse().ok() } else { None }
}

/// Which rows of the tab hold which key.
///
/// Keys held by one row with numeric halves (nearly all of them) live packed in `single`; the
/// rest (keys a person typed as other text, and keys on more than one row) in `other`. A key is
/// in one map or the other, never both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetIndex {
    layout: HeaderLayout,
    /// Hashed with foldhash, not SipHash: two integers a key, looked up for every row a run
    /// writes (seeded per process like the standard one).
    single: HashMap<NumericKey, u32, foldhash::fast::RandomState>,
    other: HashMap<RowKey, KeyRows>,
    blank_key_rows: usize,
    partial_key_rows: Vec<u32>,
    first_free_row: u32,
}

impl SheetIndex {
    /// An index of a tab with no keyed rows yet (a fresh tab, or one that holds only people's rows).
    #[must_use]
    pub fn empty(layout: HeaderLayout, first_free_row: u32) -> SheetIndex {
        SheetIndex {
            layout,
            single: HashMap::default(),
            other: HashMap::new(),
            blank_key_rows: 0,
            partial_key_rows: Vec::new(),
            first_free_row: first_free_row.max(2),
        }
    }

    /// Builds the index from a block of rows read from the tab: `rows[i]` is sheet row
    /// `first_row + i`, and its element `j` is column `first_column + j` (0-based). Rows are ragged
    /// (Google trims trailing blanks). The block must cover both key columns of `layout`; rows above
    /// row 2 are ignored. `first_free_row` is 1 + the last row holding any value in any column.
    /// (Unit tests only: a run indexes the key columns, [`Self::from_key_columns`].)
    #[cfg(test)]
    #[must_use]
    pub fn from_rows(
        layout: HeaderLayout,
        first_row: u32,
        first_column: usize,
        rows: &[Vec<Value>],
        first_free_row: u32,
    ) -> SheetIndex {
        let at = |row: &Vec<Value>, column: Column| {
            layout
                .index_of(column)
                .checked_sub(first_column)
                .and_then(|j| row.get(j))
                .map(normalize_key)
                .unwrap_or_default()
        };
        let keys: Vec<(String, String)> = rows
            .iter()
            .map(|row| (at(row, Column::OrderId), at(row, Column::LineItemId)))
            .collect();
        SheetIndex::from_keys(layout, first_row, keys, first_free_row)
    }

    /// Builds the index from the two key columns read on their own (`majorDimension=COLUMNS`):
    /// element `i` of each is sheet row `first_row + i`; either may be shorter than the other.
    #[must_use]
    pub fn from_key_columns(
        layout: HeaderLayout,
        first_row: u32,
        order_ids: &[Value],
        line_item_ids: &[Value],
        first_free_row: u32,
    ) -> SheetIndex {
        let len = order_ids.len().max(line_item_ids.len());
        let keys = (0..len)
            .map(|i| {
                let part = |column: &[Value]| column.get(i).map(normalize_key).unwrap_or_default();
                (part(order_ids), part(line_item_ids))
            })
            .collect();
        SheetIndex::from_keys(layout, first_row, keys, first_free_row)
    }

    fn from_keys(
        layout: HeaderLayout,
        first_row: u32,
        keys: Vec<(String, String)>,
        first_free_row: u32,
    ) -> SheetIndex {
        let mut index = SheetIndex::empty(layout, first_free_row);
        for (row, (order_id, line_item_id)) in (first_row..).zip(keys) {
            if row < 2 {
                continue;
            }
            match (order_id.is_empty(), line_item_id.is_empty()) {
                (true, true) => index.blank_key_rows += 1,
                (false, false) => index.insert(RowKey::new(order_id, line_item_id), row),
                _ => {
                    index.partial_key_rows.push(row);
                    index.first_free_row = index.first_free_row.max(row + 1);
                }
            }
        }
        index
    }

    fn insert(&mut self, key: RowKey, row: u32) {
        self.first_free_row = self.first_free_row.max(row + 1);
        if let Some(packed) = numeric(&key) {
            match self.single.get(&packed) {
                None if !self.other.contains_key(&key) => {
                    self.single.insert(packed, row);
                    return;
                }
                Some(&only) if only == row => return,
                Some(&only) => {
                    // A second row for the key: it moves to the general map.
                    self.single.remove(&packed);
                    self.other
                        .insert(key, KeyRows::Many(vec![only.min(row), only.max(row)]));
                    return;
                }
                None => {}
            }
        }
        self.other
            .entry(key)
            .and_modify(|rows| rows.insert(row))
            .or_insert(KeyRows::One(row));
    }

    /// Records a row the run appended, once the sheet confirmed the write, so a later plan in the
    /// same run (or a re-read-free retry) sees it.
    pub fn record_append(&mut self, key: RowKey, row: u32) {
        self.insert(key, row);
    }

    /// Makes room for `keys` more keys at once, for a run that knows how many rows it will
    /// append: growing by doubling would hold the old table beside the new one at each step
    /// (at 250,000 rows, about 6 MB more at the last step than the table itself).
    pub fn reserve(&mut self, keys: usize) {
        self.single.reserve(keys);
    }

    /// The tab's header layout.
    #[must_use]
    pub fn layout(&self) -> &HeaderLayout {
        &self.layout
    }

    /// The 1-based rows holding `key`, top to bottom; empty when the key is absent.
    #[must_use]
    pub fn rows_of(&self, key: &RowKey) -> &[u32] {
        if let Some(row) = numeric(key).and_then(|packed| self.single.get(&packed)) {
            return std::slice::from_ref(row);
        }
        if self.other.is_empty() {
            return &[];
        }
        self.other.get(key).map_or(&[], KeyRows::as_slice)
    }

    /// Whether some row holds `key`.
    #[must_use]
    pub fn contains(&self, key: &RowKey) -> bool {
        !self.rows_of(key).is_empty()
    }

    /// Every key present, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = RowKey> + '_ {
        let packed = self
            .single
            .keys()
            .map(|&(order, line)| RowKey::new(order.to_string(), line.to_string()));
        packed.chain(self.other.keys().cloned())
    }

    /// How many distinct keys the tab holds.
    #[must_use]
    pub fn key_count(&self) -> usize {
        self.single.len() + self.other.len()
    }

    /// Keys held by more than one row, sorted by key.
    #[must_use]
    pub fn duplicates(&self) -> Vec<DuplicateKey> {
        // A key on several rows is never in `single`.
        let mut out: Vec<DuplicateKey> = self
            .other
            .iter()
            .filter(|(_, rows)| rows.as_slice().len() > 1)
            .map(|(key, rows)| DuplicateKey {
                key: key.clone(),
                rows: rows.as_slice().to_vec(),
            })
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// How many rows below the header have both key cells blank: people's rows, never touched.
    #[must_use]
    pub fn blank_key_rows(&self) -> usize {
        self.blank_key_rows
    }

    /// Rows with one key cell filled and the other blank: never touched, worth a warning (a person
    /// may have cleared half of a key, and that line item will get a new row).
    #[must_use]
    pub fn partial_key_rows(&self) -> &[u32] {
        &self.partial_key_rows
    }

    /// The first row below everything the tab holds (at least 2), where appends start.
    #[must_use]
    pub fn first_free_row(&self) -> u32 {
        self.first_free_row
    }

    /// The rows holding any of `keys`, sorted and without repeats: what a `--force` run or
    /// `missing` must read to compare cells.
    #[must_use]
    pub fn rows_holding<'a>(&self, keys: impl IntoIterator<Item = &'a RowKey>) -> Vec<u32> {
        let mut out: Vec<u32> = keys
            .into_iter()
            .flat_map(|key| self.rows_of(key).iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A key cell as read back, normalised: numbers become integer strings (`1001.0` → `1001`), text is
/// trimmed, and text that is an integer followed by a zero fraction loses the fraction. Blank cells
/// give `""`.
#[must_use]
pub fn normalize_key(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => {
            let text = text.trim();
            match text.split_once('.') {
                Some((whole, fraction))
                    if !whole.is_empty()
                        && whole.bytes().all(|b| b.is_ascii_digit())
                        && fraction.bytes().all(|b| b == b'0') =>
                {
                    whole.to_owned()
                }
                _ => text.to_owned(),
            }
        }
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.to_string()
            } else if let Some(i) = n.as_i64() {
                i.to_string()
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.is_finite() && f.fract() == 0.0 {
                    format!("{f:.0}")
                } else {
                    n.to_string()
                }
            }
        }
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
