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

pub mod cell;
pub mod columns;
pub mod hash;
pub mod header;
pub mod index;
pub mod plan;
pub mod rows;
pub mod writes;

#[cfg(test)]
mod fixtures;
