//! Google Sheets and Drive: service-account OAuth, finding the spreadsheet and its tabs, the
//! primitives of a tab's header, and reading and writing values with `RAW` explicit ranges.
//!
//! The sync layer builds one [`SheetsClient`] from [`SheetsSettings`], then calls
//! [`SheetsClient::resolve_spreadsheet`], [`SheetsClient::open`], the header primitives
//! ([`SheetsClient::read_header`], [`SheetsClient::has_rows_below_header`],
//! [`SheetsClient::create_tab`], [`SheetsClient::add_header_cells`]: which of them a run needs is
//! the sync's tab policy), [`SheetsClient::read_columns`], [`SheetsClient::grow_rows`] and
//! [`SheetsClient::write_ranges`] (one request of [`Rectangle`]s; the sync sizes and orders the
//! requests).
//! Cells cross this boundary as `serde_json::Value` (strings, numbers, booleans; `""` for empty).
//! A write whose outcome is unknown is [`SheetsError::Ambiguous`]: re-read the keys before retrying.
//!
//! This module never prints, never imports `shopify` or `store`, and chooses no exit code; the
//! caller maps [`SheetsError::kind`].

pub mod a1;
mod auth;
pub mod cells;
mod client;
pub mod drive;
pub mod error;
mod header;
mod pace;
pub mod spreadsheet;
pub mod values;
pub mod write;

pub use a1::{A1Range, column_index, column_letters};
pub use auth::SCOPES;
pub use cells::{MAX_CELL_CHARS, TRUNCATION_MARKER, cell_text, truncate_cell};
pub use client::{GOOGLE_PROCESSING_LIMIT, MAX_REQUEST_BYTES, SheetsClient, SheetsSettings};
pub use drive::{Target, parse_target};
pub use error::{ErrorKind, SheetsError};
pub use spreadsheet::{LOW_CELL_HEADROOM, MAX_CELLS, SpreadsheetInfo, TabInfo};
pub use values::ColumnsRead;
pub use write::{BODY_HEAD_BYTES, EncodedRectangle, Rectangle, range_bytes};
