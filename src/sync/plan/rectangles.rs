//! Plan entries turned into what a `values:batchUpdate` needs: rectangles of JSON values placed by
//! 1-based row number and 0-based column index, and the bookkeeping of which orders are fully
//! written.
//!
//! A1 strings are not built here: the Sheets client owns its A1 type and turns a [`RangeWrite`]'s
//! rows and columns into one.

use serde_json::Value;

use super::{Append, CellRun, Plan, RowWrite};
use crate::sheets::EncodedRectangle;

/// A rectangle of values to write with `RAW`: `values[i][j]` goes to row `row + i`, column
/// `column + j`. Every inner vector has the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeWrite {
    /// The 1-based first row.
    pub row: u32,
    /// The 0-based first column.
    pub column: usize,
    /// The values, row by row.
    pub values: Vec<Vec<Value>>,
}

impl RangeWrite {
    /// The 1-based last row the rectangle covers.
    #[must_use]
    pub fn last_row(&self) -> u32 {
        let height = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.row + height.saturating_sub(1)
    }

    /// The 0-based last column the rectangle covers (unit tests only).
    #[cfg(test)]
    #[must_use]
    pub fn last_column(&self) -> usize {
        self.column + self.values.first().map_or(1, Vec::len).saturating_sub(1)
    }

    /// The size of the values as JSON text, to chunk requests by bytes (about 2 MB each).
    #[must_use]
    pub fn json_len(&self) -> usize {
        serde_json::to_vec(&self.values).map_or(0, |bytes| bytes.len())
    }
}

impl CellRun {
    /// The size of [`Self::to_json`] as JSON text (`[a,b,…]`), counted without building it.
    #[must_use]
    pub fn json_len(&self) -> usize {
        let cells: usize = self.cells.iter().map(|(_, cell)| cell.json_len()).sum();
        2 + cells + self.cells.len().saturating_sub(1)
    }

    /// Appends the run's values to `out` as a JSON array (`[a,b,…]`), the text [`Self::to_json`]
    /// serializes to, without building the values.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, (_, cell)) in self.cells.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            cell.write_json(out);
        }
        out.push(b']');
    }

    /// The run's values as JSON for a `RAW` write.
    #[must_use]
    pub fn to_json(&self) -> Vec<Value> {
        self.cells.iter().map(|(_, cell)| cell.to_json()).collect()
    }

    fn width(&self) -> usize {
        self.cells.len()
    }
}

impl RowWrite {
    /// One single-row rectangle per run of adjacent columns.
    #[must_use]
    pub fn writes(&self) -> Vec<RangeWrite> {
        self.runs
            .iter()
            .map(|run| RangeWrite {
                row: self.row,
                column: run.column,
                values: vec![run.to_json()],
            })
            .collect()
    }
}

/// The rectangles for a slice of appends, merging consecutive rows whose runs have the same columns
/// into one rectangle per run (a backfill into the default layout becomes one rectangle).
#[must_use]
pub fn append_writes(appends: &[Append]) -> Vec<RangeWrite> {
    let mut out: Vec<RangeWrite> = Vec::new();
    let mut open: Vec<usize> = Vec::new(); // indexes in `out` of the previous row's rectangles
    let mut previous: Option<&Append> = None;
    for append in appends {
        let continues = previous.is_some_and(|p| p.row + 1 == append.row && same_shape(p, append));
        if continues {
            for (&i, run) in open.iter().zip(&append.runs) {
                out[i].values.push(run.to_json());
            }
        } else {
            open.clear();
            for write in append.writes() {
                open.push(out.len());
                out.push(write);
            }
        }
        previous = Some(append);
    }
    out
}

fn same_shape(a: &Append, b: &Append) -> bool {
    a.runs.len() == b.runs.len()
        && a.runs
            .iter()
            .zip(&b.runs)
            .all(|(x, y)| x.column == y.column && x.width() == y.width())
}

/// Counts the confirmed writes of each order, so an order is recorded in the DB only once every row
/// it needed is in the sheet (DESIGN.md section 4 step 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderProgress {
    remaining: Vec<usize>,
}

impl OrderProgress {
    /// Starts from the plan: each order waits for its appends and updates.
    #[must_use]
    pub fn new(plan: &Plan) -> OrderProgress {
        OrderProgress {
            remaining: plan.orders.iter().map(super::OrderPlan::writes).collect(),
        }
    }

    /// The orders with nothing to write: complete already (record them without any write).
    #[must_use]
    pub fn complete_without_writes(&self) -> Vec<usize> {
        (0..self.remaining.len())
            .filter(|&i| self.remaining[i] == 0)
            .collect()
    }

    /// Notes that one append or update of order `order` (its index in [`Plan::orders`]) was
    /// confirmed; returns true when that was the order's last pending write.
    pub fn confirm(&mut self, order: usize) -> bool {
        match self.remaining.get_mut(order) {
            Some(left) if *left > 0 => {
                *left -= 1;
                *left == 0
            }
            _ => false,
        }
    }

    /// Whether every write of `order` is confirmed (unit tests only).
    #[cfg(test)]
    #[must_use]
    pub fn is_complete(&self, order: usize) -> bool {
        self.remaining.get(order).is_some_and(|&left| left == 0)
    }

    /// The orders still waiting for a write (to record as failed if the run stops).
    #[must_use]
    pub fn incomplete(&self) -> Vec<usize> {
        (0..self.remaining.len())
            .filter(|&i| self.remaining[i] > 0)
            .collect()
    }
}

/// One request's worth of rectangles, and the plan entries it completes.
#[derive(Debug, Default)]
pub struct Chunk {
    size: usize,
    /// Indexes into `plan.appends` whose rows this chunk writes completely.
    pub appends: Vec<usize>,
    /// Indexes into `plan.updates` whose rows this chunk writes completely.
    pub updates: Vec<usize>,
}

/// Cuts a plan's writes into chunks whose request bodies come to at most `max_bytes` (a single row
/// larger than that still goes, alone), counting the values' text exactly and `range_bytes` for
/// each range (see [`crate::sheets::range_bytes`]). Consecutive appended rows of the same shape
/// share rectangles, as [`Chunk::encode`] builds them; updates are one rectangle per run each.
#[must_use]
pub fn chunk_plan(plan: &Plan, max_bytes: usize, range_bytes: usize) -> Vec<Chunk> {
    // A row of a rectangle is its runs' text and a comma or bracket each (counted when planned);
    // a rectangle also costs its range and its closing bracket.
    let row_bytes = |write: &RowWrite| {
        debug_assert_eq!(write.bytes, super::runs_bytes(&write.runs), "{write:?}");
        write.bytes
    };
    let opening = |runs: &[CellRun]| runs.len() * (range_bytes + 1);
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut current = Chunk::default();
    let mut previous: Option<&Append> = None;
    for (i, append) in plan.appends.iter().enumerate() {
        // A row that continues the rectangle of the row before it adds no range; the first row
        // of a new chunk is counted again below, with its own.
        let continues = previous.is_some_and(|p| p.row + 1 == append.row && same_shape(p, append));
        let bytes = row_bytes(append);
        let mut size = bytes + if continues { 0 } else { opening(&append.runs) };
        if current.size + size > max_bytes && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
            // The next request starts its own rectangles.
            size = bytes + opening(&append.runs);
        }
        current.size += size;
        current.appends.push(i);
        previous = Some(append);
    }
    for (i, update) in plan.updates.iter().enumerate() {
        let size = row_bytes(update) + opening(&update.runs);
        if current.size + size > max_bytes && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
        }
        current.size += size;
        current.updates.push(i);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

impl Chunk {
    fn is_empty(&self) -> bool {
        self.appends.is_empty() && self.updates.is_empty()
    }

    /// The chunk cut into two of about as many rows, or `None` for a single row: to find the row
    /// in a refused request.
    #[must_use]
    pub fn halves(&self) -> Option<(Chunk, Chunk)> {
        let rows = self.appends.len() + self.updates.len();
        if rows < 2 {
            return None;
        }
        let mid = rows / 2;
        let split = |range: std::ops::Range<usize>| Chunk {
            size: 0,
            appends: self
                .appends
                .iter()
                .enumerate()
                .filter(|(i, _)| range.contains(i))
                .map(|(_, &a)| a)
                .collect(),
            updates: self
                .updates
                .iter()
                .enumerate()
                .filter(|(i, _)| range.contains(&(i + self.appends.len())))
                .map(|(_, &u)| u)
                .collect(),
        };
        Some((split(0..mid), split(mid..rows)))
    }

    /// The chunk's rectangles with their values as JSON text, encoded straight from the plan's
    /// cells: the same rectangles as [`Chunk::writes`], without cloning a cell or building a
    /// [`Value`].
    #[must_use]
    pub fn encode(&self, plan: &Plan) -> Vec<EncodedRectangle> {
        let mut out: Vec<EncodedRectangle> = Vec::new();
        // Indexes in `out` of the previous row's rectangles, each still open (no closing `]`).
        let mut open: Vec<usize> = Vec::new();
        let mut previous: Option<&Append> = None;
        for (n, append) in self.appends.iter().map(|&i| &plan.appends[i]).enumerate() {
            let continues =
                previous.is_some_and(|p| p.row + 1 == append.row && same_shape(p, append));
            if continues {
                for (&i, run) in open.iter().zip(&append.runs) {
                    out[i].values.push(b',');
                    run.write_json(&mut out[i].values);
                    out[i].height += 1;
                }
            } else {
                open.clear();
                // Appended rows are consecutive, so the block usually runs to the chunk's end:
                // room for that many rows like this one, so the text is not copied as it grows.
                let rows_left = self.appends.len() - n;
                for run in &append.runs {
                    open.push(out.len());
                    let mut write = encoded_start(append.row, run);
                    let row_bytes = write.values.len();
                    write
                        .values
                        .reserve(row_bytes.saturating_mul(rows_left) / 16 * 17);
                    out.push(write);
                }
            }
            previous = Some(append);
        }
        for update in self.updates.iter().map(|&i| &plan.updates[i]) {
            out.extend(update.runs.iter().map(|run| encoded_start(update.row, run)));
        }
        for write in &mut out {
            write.values.push(b']');
        }
        out
    }

    /// The chunk's rectangles, built from the plan entries it holds (consecutive appended rows
    /// share rectangles; updates are one row each).
    #[must_use]
    pub fn writes(&self, plan: &Plan) -> Vec<RangeWrite> {
        let appends: Vec<_> = self
            .appends
            .iter()
            .map(|&i| plan.appends[i].clone())
            .collect();
        let mut writes = append_writes(&appends);
        for &i in &self.updates {
            writes.extend(plan.updates[i].writes());
        }
        writes
    }
}

/// A rectangle of one row of `run` at `row`, its outer array left open for more rows.
fn encoded_start(row: u32, run: &CellRun) -> EncodedRectangle {
    let mut values = Vec::with_capacity(run.json_len() + 2);
    values.push(b'[');
    run.write_json(&mut values);
    EncodedRectangle {
        row,
        column: u32::try_from(run.column).unwrap_or(u32::MAX),
        height: 1,
        width: u32::try_from(run.width()).unwrap_or(u32::MAX),
        values,
    }
}

#[cfg(test)]
#[path = "rectangles_tests.rs"]
mod tests;
