//! The plan: given the rows of the fetched orders, the sheet's index and what to compare against,
//! which rows to append where, which cells to rewrite on which rows, and what to leave alone.
//!
//! A pure function (DESIGN.md section 4 steps 3-5, section 9 "Change detection" and "Where new rows
//! go"); the caller applies it, then records each order once every write covering its rows is
//! confirmed ([`self::rectangles::OrderProgress`]).

pub mod cell;
mod changes;
pub mod columns;
pub mod hash;
pub mod header;
pub mod index;
pub mod rectangles;
pub mod rows;
pub mod tab;

use std::collections::HashMap;

use chrono::{DateTime, Utc};

pub use self::changes::{CellChange, SheetCells, cell_changes};

use self::cell::Cell;
use self::columns::{COLUMN_COUNT, Column};
use self::hash::ContentHash;
use self::header::HeaderAddition;
use self::index::{DuplicateKey, SheetIndex};
use self::rows::{OrderRows, Row, RowKey};

/// What decides that a row already in the sheet must be written.
#[derive(Debug, Clone, Copy)]
pub enum Compare<'a> {
    /// A normal sync: rewrite a row's owned cells when its hash differs from the one the DB
    /// recorded for its key (or the DB has none).
    Hashes(&'a HashMap<RowKey, ContentHash>),
    /// `sync --force` and `missing`: compare with the sheet's current cells and rewrite the cells
    /// that differ, so a person's edit to an owned cell is put back.
    Cells(&'a SheetCells),
}

/// A run of owned cells in adjacent sheet columns of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRun {
    /// The 0-based sheet column of the first cell.
    pub column: usize,
    /// The cells, left to right, each with the owned column it belongs to.
    pub cells: Vec<(Column, Cell)>,
}

/// Cells of one order's row to write at one sheet row: an append (the key is absent from the
/// sheet; rows consecutive from the first free row, every owned cell) or an update (a physical row
/// that holds the key, every such row when the key is duplicated; the cells to rewrite).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWrite {
    /// Index into [`Plan::orders`] of the order the row belongs to.
    pub order: usize,
    /// The row's key.
    pub key: RowKey,
    /// The 1-based sheet row it is written to.
    pub row: u32,
    /// The cells to write, grouped in runs of adjacent columns.
    pub runs: Vec<CellRun>,
    /// What `runs` come to in a write request's values ([`runs_bytes`]), counted once when
    /// planned: requests are cut by it.
    pub bytes: usize,
}

/// The bytes `runs` come to in a write request's values: each run's JSON array and the comma or
/// bracket after it.
#[must_use]
pub fn runs_bytes(runs: &[CellRun]) -> usize {
    runs.iter().map(|r| r.json_len() + 1).sum()
}

/// A new row: its key is absent from the sheet.
pub type Append = RowWrite;

/// Cells to rewrite on one physical row that holds a key.
pub type Update = RowWrite;

impl RowWrite {
    /// The cells to write, left to right in the sheet.
    pub fn cells(&self) -> impl Iterator<Item = &(Column, Cell)> {
        self.runs.iter().flat_map(|run| &run.cells)
    }
}

/// What happens to one fetched order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderOutcome {
    /// Every row is new to the sheet.
    New,
    /// Some rows are written (changed, or a line item added).
    Updated,
    /// Nothing to write.
    Unchanged,
}

/// One fetched order in the plan: what it needs and what to record once its writes are confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPlan {
    /// The order's `legacyResourceId`.
    pub order_id: String,
    /// The order's global ID.
    pub order_gid: String,
    /// The order name, such as `#1001`.
    pub name: String,
    /// The order number.
    pub number: i64,
    /// When the order was created.
    pub created_at: DateTime<Utc>,
    /// When Shopify last changed the order (for the cursor).
    pub updated_at: DateTime<Utc>,
    /// Each row's key and hash, to record in the DB.
    pub row_hashes: Vec<(RowKey, ContentHash)>,
    /// Rows to append.
    pub appends: usize,
    /// Physical rows to update.
    pub updates: usize,
    /// Rows with nothing to write.
    pub unchanged: usize,
    /// Columns truncated to the cell limit in some row (warn once for the order).
    pub truncated: Vec<Column>,
    /// Whether protected customer data looks withheld (warn once per run).
    pub customer_data_withheld: bool,
}

impl OrderPlan {
    /// How many writes (appended plus updated rows) must be confirmed before the order is recorded.
    #[must_use]
    pub fn writes(&self) -> usize {
        self.appends + self.updates
    }

    /// Whether the order is new, updated or unchanged, for the run's counts.
    #[must_use]
    pub fn outcome(&self) -> OrderOutcome {
        if self.writes() == 0 {
            OrderOutcome::Unchanged
        } else if self.updates == 0 && self.unchanged == 0 {
            OrderOutcome::New
        } else {
            OrderOutcome::Updated
        }
    }
}

/// Everything a run must write, and what it may skip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Owned headers to add at the right of row 1, written before any row.
    pub header_additions: Vec<HeaderAddition>,
    /// New rows, in row order (orders by creation time and number, line items in order).
    pub appends: Vec<Append>,
    /// Rows to rewrite in place, by row number.
    pub updates: Vec<Update>,
    /// Fetched rows (keys) with nothing to write.
    pub unchanged: usize,
    /// Fetched keys that the sheet holds on more than one row (all of those rows are updated).
    pub duplicates: Vec<DuplicateKey>,
    /// The fetched orders, in the order given (one entry per order ID).
    pub orders: Vec<OrderPlan>,
    /// How many columns row 1 spans once the header additions are written.
    pub width: usize,
}

impl Plan {
    /// Whether the run has nothing to write to the sheet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.header_additions.is_empty() && self.appends.is_empty() && self.updates.is_empty()
    }

    /// The grid the writes need: (rows, columns). Grow the grid with `appendDimension` to this first.
    #[must_use]
    pub fn grid_needed(&self) -> (u32, usize) {
        let last_row = self
            .appends
            .iter()
            .map(|a| a.row)
            .chain(self.updates.iter().map(|u| u.row))
            .max()
            .unwrap_or(1);
        (last_row, self.width)
    }
}

/// Plans a run: appends for fetched rows whose key is absent from the sheet, updates for those
/// present whose content differs (by `compare`), skips for the rest.
///
/// Orders given twice (a window fetch and a fetch by ID) count once: the later `updated_at` wins.
/// When the header gains owned columns, rows that are otherwise unchanged still get the new columns
/// written, so the added columns are backfilled for every fetched order.
#[must_use]
pub fn plan(orders: Vec<OrderRows>, index: &SheetIndex, compare: Compare<'_>) -> Plan {
    let orders = dedupe(orders);
    let row_count = orders.iter().map(|o| o.rows.len()).sum();
    let mut planning = Planning {
        index,
        compare,
        added: index
            .layout()
            .additions()
            .iter()
            .map(|a| a.column)
            .collect(),
        plans: Vec::with_capacity(orders.len()),
        // Every row is new in a backfill: room for them all, not a vector grown (and its rows
        // copied) a dozen times.
        new_rows: Vec::with_capacity(row_count),
        new_row_cells: Vec::with_capacity(row_count),
        updates: Vec::new(),
        duplicates: Vec::new(),
        unchanged: 0,
    };
    for (order_index, order) in orders.into_iter().enumerate() {
        planning.order(order_index, order);
    }
    planning.finish()
}

/// A plan being built, one order at a time.
struct Planning<'i, 'c> {
    index: &'i SheetIndex,
    compare: Compare<'c>,
    /// Owned columns the header gains this run (backfilled on otherwise unchanged rows).
    added: Vec<Column>,
    plans: Vec<OrderPlan>,
    /// `(order, position in the order)` of each row whose key the sheet lacks ...
    new_rows: Vec<(usize, usize)>,
    /// ... and the row itself, apart: a row is hundreds of bytes, so the rows are placed by
    /// sorting their indices, not moving them about.
    new_row_cells: Vec<Option<Row>>,
    updates: Vec<Update>,
    duplicates: Vec<DuplicateKey>,
    unchanged: usize,
}

impl Planning<'_, '_> {
    /// Plans one order's rows: an append for each key the sheet lacks, updates where a row
    /// differs (on every row holding the key), nothing for the rest.
    fn order(&mut self, order_index: usize, order: OrderRows) {
        let mut summary = OrderPlan {
            order_id: order.order_id,
            order_gid: order.order_gid,
            name: order.name,
            number: order.number,
            created_at: order.created_at,
            updated_at: order.updated_at,
            row_hashes: order.rows.iter().map(|r| (r.key.clone(), r.hash)).collect(),
            appends: 0,
            updates: 0,
            unchanged: 0,
            truncated: order.truncated,
            customer_data_withheld: order.customer_data_withheld,
        };
        for (position, row) in order.rows.into_iter().enumerate() {
            let sheet_rows = self.index.rows_of(&row.key);
            if sheet_rows.is_empty() {
                summary.appends += 1;
                self.new_rows.push((order_index, position));
                self.new_row_cells.push(Some(row));
                continue;
            }
            if sheet_rows.len() > 1 {
                self.duplicates.push(DuplicateKey {
                    key: row.key.clone(),
                    rows: sheet_rows.to_vec(),
                });
            }
            let before = self.updates.len();
            for &sheet_row in sheet_rows {
                let columns =
                    columns_to_write(&row, sheet_row, self.compare, &self.added, self.index);
                if !columns.is_empty() {
                    let runs = runs_of(&row, &columns, self.index);
                    self.updates.push(Update {
                        order: order_index,
                        key: row.key.clone(),
                        row: sheet_row,
                        bytes: runs_bytes(&runs),
                        runs,
                    });
                }
            }
            if self.updates.len() == before {
                summary.unchanged += 1;
                self.unchanged += 1;
            } else {
                summary.updates += self.updates.len() - before;
            }
        }
        self.plans.push(summary);
    }

    /// Places the new rows from the first free row and sorts the updates by row.
    fn finish(mut self) -> Plan {
        let plans = &self.plans;
        // Stable order of new rows: orders by creation, then number, then line-item position.
        let new_rows = &self.new_rows;
        let mut placed: Vec<usize> = (0..new_rows.len()).collect();
        placed.sort_by(|&x, &y| {
            let key = |i: usize| (plans[i].created_at, plans[i].number, &plans[i].order_id);
            let ((a, pa), (b, pb)) = (new_rows[x], new_rows[y]);
            key(a).cmp(&key(b)).then(pa.cmp(&pb))
        });
        let index = self.index;
        let all = Column::ALL;
        let mut cells = self.new_row_cells;
        let appends = (index.first_free_row()..)
            .zip(placed)
            .map(|(sheet_row, i)| {
                let order = new_rows[i].0;
                let row = cells[i].take().expect("each new row is placed once");
                let one_run = row.json_bytes;
                let (key, runs) = owned_runs(row, &all, index);
                // Split into runs around people's columns, a row costs two bytes more for each
                // run after the first: its brackets and the comma after it, less the comma
                // between two cells it replaces.
                let bytes = if runs.iter().map(|r| r.cells.len()).sum::<usize>() == COLUMN_COUNT {
                    one_run + 2 * (runs.len() - 1)
                } else {
                    runs_bytes(&runs)
                };
                Append {
                    order,
                    runs,
                    key,
                    row: sheet_row,
                    bytes,
                }
            })
            .collect();
        self.updates
            .sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.key.cmp(&b.key)));
        self.duplicates.sort_by(|a, b| a.key.cmp(&b.key));
        self.duplicates.dedup();
        let layout = index.layout();
        Plan {
            header_additions: layout.additions().to_vec(),
            appends,
            updates: self.updates,
            unchanged: self.unchanged,
            duplicates: self.duplicates,
            orders: self.plans,
            width: layout.width(),
        }
    }
}

/// The owned columns of `row` to write on physical row `sheet_row`.
fn columns_to_write(
    row: &Row,
    sheet_row: u32,
    compare: Compare<'_>,
    added: &[Column],
    index: &SheetIndex,
) -> Vec<Column> {
    match compare {
        Compare::Hashes(tracked) => {
            if tracked.get(&row.key) != Some(&row.hash) {
                Column::ALL.to_vec()
            } else {
                added.to_vec()
            }
        }
        Compare::Cells(sheet) => Column::ALL
            .into_iter()
            .filter(|&c| {
                !row.cell(c)
                    .matches(sheet.get(sheet_row, index.layout().index_of(c)))
            })
            .collect(),
    }
}

fn runs_of(row: &Row, columns: &[Column], index: &SheetIndex) -> Vec<CellRun> {
    index
        .layout()
        .runs(columns.iter().copied())
        .into_iter()
        .map(|(column, run)| CellRun {
            column,
            cells: run.into_iter().map(|c| (c, row.cell(c).clone())).collect(),
        })
        .collect()
}

/// [`runs_of`] for a row used once (an append): its cells are moved into the runs, not cloned.
fn owned_runs(mut row: Row, columns: &[Column], index: &SheetIndex) -> (RowKey, Vec<CellRun>) {
    let runs = index
        .layout()
        .runs(columns.iter().copied())
        .into_iter()
        .map(|(column, run)| CellRun {
            column,
            cells: run
                .into_iter()
                .map(|c| {
                    (
                        c,
                        std::mem::replace(&mut row.cells[c.position()], Cell::Empty),
                    )
                })
                .collect(),
        })
        .collect();
    (row.key, runs)
}

/// Keeps one entry per order ID, the one with the latest `updated_at` (the later one on a tie), at
/// the position of its first appearance.
fn dedupe(orders: Vec<OrderRows>) -> Vec<OrderRows> {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<OrderRows> = Vec::with_capacity(orders.len());
    for order in orders {
        match at.get(&order.order_id) {
            Some(&i) if out[i].updated_at > order.updated_at => {}
            Some(&i) => out[i] = order,
            None => {
                at.insert(order.order_id.clone(), out.len());
                out.push(order);
            }
        }
    }
    out
}

/// Whether every fetched row's hash equals the one the DB recorded for its key, so a normal run
/// has nothing to write and need not read the sheet at all (an hourly run with nothing new sends no
/// Google request). Rows a person deleted from the sheet are then not noticed: `missing` and
/// `--force` compare with the sheet.
#[must_use]
pub fn all_tracked(orders: &[OrderRows], tracked: &HashMap<RowKey, ContentHash>) -> bool {
    orders
        .iter()
        .flat_map(|o| &o.rows)
        .all(|row| tracked.get(&row.key) == Some(&row.hash))
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
