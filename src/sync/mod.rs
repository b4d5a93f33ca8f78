//! The sync's pure heart: orders become rows, the sheet's header and keys become an index, and a
//! plan says which rows to append, which cells to update and what to leave alone.
//!
//! Nothing here does IO (no network, no SQLite, no files): the pipeline of DESIGN.md section 4 reads
//! the sheet and the DB, hands what it read to these functions, and applies the [`plan::Plan`]
//! they return.
//!
//! - [`columns`]: the 23 default columns and the field behind each.
//! - [`cell`]: one cell's value, its JSON for `RAW` writes, and the 50,000-character limit.
//! - [`hash`]: the content hash that decides whether a row changed.
//! - [`rows`]: an order becomes one row per line item.
//! - [`header`]: row 1 analysed: where each owned column is, which are missing, foreign layouts.
//! - [`index`]: the key columns read back: which physical rows hold which key.
//! - [`plan`]: appends, updates and skips, as a pure function.
//! - [`writes`]: plan entries as rectangles of JSON values at row numbers and column indexes.
//!
//! How a run uses them:
//!
//! 1. [`rows::order_rows`] for each fetched order (with the shop's `chrono_tz::Tz`).
//! 2. In a normal run, [`plan::all_tracked`] against the DB's hashes: when true, nothing needs
//!    the sheet and the run sends no Google request.
//! 3. Read row 1: [`header::HeaderLayout::analyze`] (a [`header::LayoutError`] is exit 2). Read the
//!    key columns it locates: [`index::SheetIndex::from_key_columns`] or
//!    [`index::SheetIndex::from_rows`], with the first free row.
//! 4. For `--force` and `missing`, read the rows [`index::SheetIndex::rows_holding`] the fetched
//!    keys into a [`plan::SheetCells`].
//! 5. [`plan::plan`] with [`plan::Compare::Hashes`] or [`plan::Compare::Cells`].
//! 6. Grow the grid to [`plan::Plan::grid_needed`]; write [`writes::header_write`], then
//!    [`writes::append_writes`] and [`plan::Update::writes`], chunked by
//!    [`writes::RangeWrite::json_len`]; after each confirmed chunk, [`writes::OrderProgress::confirm`]
//!    each append and update it covered and record the orders that became complete (with
//!    [`plan::OrderPlan::row_hashes`]), and [`index::SheetIndex::record_append`] the new rows.
//! 7. For a dry run, [`plan::cell_changes`] gives `update.csv` once the updated rows are read.

pub mod cell;
pub mod columns;
pub mod dry_run;
pub mod error;
pub mod hash;
pub mod header;
pub mod index;
pub mod plan;
pub mod reconcile;
pub mod rows;
pub mod run;
pub mod sheet;
pub mod writes;

pub use error::SyncError;
pub use run::{Observer, RunKind, Services, Silent, StopSignal, Summary, SyncOptions, sync};

#[cfg(test)]
mod fixtures;
