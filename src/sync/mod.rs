//! The sync (DESIGN.md section 4), in two halves that say which is which:
//!
//! - [`plan`]: the pure core. Orders become rows, the sheet's header and keys become an index, and
//!   a plan says which rows to append, which cells to update and what to leave alone, as
//!   rectangles of JSON values. Nothing under it does IO: it imports neither client, nor the
//!   store, nor `tokio`.
//! - [`run`]: the IO. A job fetches orders page by page, opens the sheet
//!   ([`run::sheet::SheetSide`]), builds each batch's plan once and hands it to the sheet side in
//!   a few large confirmed requests, records what the sheet confirmed, and moves the cursor; the
//!   dry run ([`run::dry_run`]) and reconciliation ([`run::reconcile`]) go through the same job.
//!
//! How a run uses the plan:
//!
//! 1. [`plan::rows::order_rows`] for each fetched order (with the shop's `chrono_tz::Tz`).
//! 2. In a normal run, [`plan::all_tracked`] against the DB's hashes: when true, nothing needs
//!    the sheet and the run sends no Google request.
//! 3. Read row 1 and judge the tab: [`plan::tab::judge`] says create, adopt (adding missing
//!    headers, located by [`plan::header::HeaderLayout`]) or refuse (a [`plan::tab::TabError`] is
//!    exit 2); `validate` asks the same function. Read the key columns the layout locates:
//!    [`plan::index::SheetIndex::from_key_columns`], with the first free row.
//! 4. For `--force` and `missing`, read the rows [`plan::index::SheetIndex::rows_holding`] the
//!    fetched keys into a [`plan::SheetCells`].
//! 5. [`plan::plan`] with [`plan::Compare::Hashes`] or [`plan::Compare::Cells`].
//! 6. Grow the grid to [`plan::Plan::grid_needed`]; cut the plan into requests
//!    ([`plan::rectangles::chunk_plan`]) and send each; after each confirmed chunk,
//!    [`plan::rectangles::OrderProgress::confirm`] each append and update it covered and record
//!    the orders that became complete (with [`plan::OrderPlan::row_hashes`]), and
//!    [`plan::index::SheetIndex::record_append`] the new rows.
//! 7. For a dry run, [`plan::cell_changes`] gives `update.csv` once the updated rows are read.

pub mod error;
pub mod plan;
pub mod run;

pub use error::SyncError;
pub use run::{
    BulkChoice, Observer, RunKind, Services, Silent, StopSignal, Summary, SyncOptions, sync,
};

#[cfg(test)]
pub(crate) mod fixtures;
