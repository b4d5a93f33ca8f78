//! The spreadsheet and its tabs: `spreadsheets.get` with a field mask, the cell-count limit, and
//! creating a tab with a frozen, bold header. Whether a tab is created, adopted or refused is the
//! sync's policy (`sync::plan::tab`), not the client's.

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Call, Op, SheetsClient};
use super::error::SheetsError;

/// Google's limit on cells in one spreadsheet, all tabs together, blank or not.
///
/// See: <https://support.google.com/drive/answer/37603>
pub const MAX_CELLS: u64 = 10_000_000;

/// Below this many free cells under [`MAX_CELLS`], `sync` and `validate` warn.
pub const LOW_CELL_HEADROOM: u64 = 1_000_000;

/// Rows of a tab shopsync creates (Google's default for a new sheet).
const NEW_TAB_ROWS: u32 = 1000;
/// Columns of a tab shopsync creates, at least.
const NEW_TAB_COLUMNS: u32 = 26;

/// Only what shopsync reads from `spreadsheets.get` (no spaces: Sheets refuses them).
const OPEN_FIELDS: &str = "spreadsheetId,properties(title,locale,timeZone),sheets.properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount))";

/// One tab's properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabInfo {
    /// `sheetId` (stable across renames).
    pub sheet_id: i64,
    /// Title.
    pub title: String,
    /// Position among the tabs.
    pub index: u32,
    /// Grid rows.
    pub row_count: u32,
    /// Grid columns.
    pub column_count: u32,
    /// Frozen rows.
    pub frozen_rows: u32,
}

/// A spreadsheet as shopsync needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpreadsheetInfo {
    /// Spreadsheet ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// IANA time zone (`properties.timeZone`).
    pub time_zone: String,
    /// Locale.
    pub locale: String,
    /// Tabs in order.
    pub tabs: Vec<TabInfo>,
}

impl SpreadsheetInfo {
    /// The tab with this title.
    #[must_use]
    pub fn tab(&self, title: &str) -> Option<&TabInfo> {
        self.tabs.iter().find(|t| t.title == title)
    }

    /// The tab with this `sheetId` (to recognise a renamed tab).
    #[must_use]
    pub fn tab_by_id(&self, sheet_id: i64) -> Option<&TabInfo> {
        self.tabs.iter().find(|t| t.sheet_id == sheet_id)
    }

    pub(crate) fn tab_mut(&mut self, title: &str) -> Result<&mut TabInfo, SheetsError> {
        self.tabs
            .iter_mut()
            .find(|t| t.title == title)
            .ok_or_else(|| SheetsError::TabMissing {
                tab: title.to_owned(),
            })
    }

    /// Grid cells over all tabs.
    #[must_use]
    pub fn total_cells(&self) -> u64 {
        self.tabs
            .iter()
            .map(|t| u64::from(t.row_count) * u64::from(t.column_count))
            .sum()
    }

    /// Cells left before Google's 10,000,000 limit (for `status`).
    #[must_use]
    pub fn cell_headroom(&self) -> u64 {
        MAX_CELLS.saturating_sub(self.total_cells())
    }

    /// Refuses growth by `added` cells that would cross the limit.
    ///
    /// # Errors
    /// [`SheetsError::CellLimit`].
    pub fn check_growth(&self, added: u64) -> Result<(), SheetsError> {
        let current = self.total_cells();
        let would_be = current + added;
        if would_be > MAX_CELLS {
            return Err(SheetsError::CellLimit { current, would_be });
        }
        Ok(())
    }
}

fn uint(v: &Value) -> u32 {
    v.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

fn tab_from_json(props: &Value) -> Result<TabInfo, SheetsError> {
    let grid = &props["gridProperties"];
    Ok(TabInfo {
        sheet_id: props["sheetId"].as_i64().unwrap_or(0),
        title: props["title"]
            .as_str()
            .ok_or_else(|| SheetsError::Protocol {
                message: "a sheet without a title".to_owned(),
            })?
            .to_owned(),
        index: uint(&props["index"]),
        row_count: uint(&grid["rowCount"]),
        column_count: uint(&grid["columnCount"]),
        frozen_rows: uint(&grid["frozenRowCount"]),
    })
}

impl SheetsClient {
    /// `spreadsheets.get`: titles, IDs, grid sizes and the time zone.
    ///
    /// # Errors
    /// [`SheetsError::NotFound`] / [`SheetsError::PermissionDenied`] (both naming `client_email`),
    /// or any request error.
    pub async fn open(&self, spreadsheet_id: &str) -> Result<SpreadsheetInfo, SheetsError> {
        let reply = self
            .call(Call {
                op: Op::Read,
                method: Method::GET,
                url: self.sheets_endpoint(spreadsheet_id, ""),
                query: vec![("fields", OPEN_FIELDS.to_owned())],
                body: None,
                what: format!("spreadsheets.get {spreadsheet_id}"),
            })
            .await?;
        let props = &reply["properties"];
        let tabs = reply["sheets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| tab_from_json(&s["properties"]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SpreadsheetInfo {
            id: spreadsheet_id.to_owned(),
            title: props["title"].as_str().unwrap_or("").to_owned(),
            time_zone: props["timeZone"].as_str().unwrap_or("Etc/UTC").to_owned(),
            locale: props["locale"].as_str().unwrap_or("").to_owned(),
            tabs,
        })
    }

    /// `spreadsheets.batchUpdate` with `requests`; returns the replies.
    pub(crate) async fn structure(
        &self,
        spreadsheet_id: &str,
        requests: Vec<Value>,
        what: &str,
    ) -> Result<Vec<Value>, SheetsError> {
        let body = serde_json::to_vec(&json!({ "requests": requests })).unwrap_or_default();
        let reply = self
            .call(Call {
                op: Op::Write,
                method: Method::POST,
                url: self.sheets_endpoint(spreadsheet_id, ":batchUpdate"),
                query: Vec::new(),
                body: Some(body.into()),
                what: what.to_owned(),
            })
            .await?;
        Ok(reply["replies"].as_array().cloned().unwrap_or_default())
    }

    /// Creates tab `title` (`addSheet`, at least 26 columns, row 1 frozen), writes `headers`
    /// into row 1 and makes them bold; the tab is added to `book`.
    ///
    /// # Errors
    /// [`SheetsError::CellLimit`], or any request error (writes may be ambiguous).
    pub async fn create_tab(
        &self,
        book: &mut SpreadsheetInfo,
        title: &str,
        headers: &[&str],
    ) -> Result<TabInfo, SheetsError> {
        self.create_tab_with_rows(book, title, headers, NEW_TAB_ROWS)
            .await
    }

    /// [`SheetsClient::create_tab`] with a grid of `rows` rows (at least Google's 1,000) when the
    /// cell limit allows, else 1,000: a tab made for a backfill whose size is known needs no
    /// `appendDimension` after it. The tab and its bold header are one `spreadsheets.batchUpdate`
    /// (the tab's `sheetId` chosen here, so the formatting can name it), the header's text a
    /// `values:batchUpdate`: two of Google's 60 writes a minute instead of three.
    ///
    /// # Errors
    /// [`SheetsError::CellLimit`], or any request error (writes may be ambiguous).
    pub async fn create_tab_with_rows(
        &self,
        book: &mut SpreadsheetInfo,
        title: &str,
        headers: &[&str],
        rows: u32,
    ) -> Result<TabInfo, SheetsError> {
        let width = u32::try_from(headers.len())
            .unwrap_or(u32::MAX)
            .max(NEW_TAB_COLUMNS);
        book.check_growth(u64::from(NEW_TAB_ROWS) * u64::from(width))?;
        let rows = rows.max(NEW_TAB_ROWS);
        let rows = if book
            .check_growth(u64::from(rows) * u64::from(width))
            .is_ok()
        {
            rows
        } else {
            NEW_TAB_ROWS
        };
        let sheet_id = unused_sheet_id(book);
        let count = u32::try_from(headers.len()).unwrap_or(u32::MAX);
        let replies = self
            .structure(
                &book.id,
                vec![
                    json!({"addSheet": {"properties": {
                        "sheetId": sheet_id, "title": title, "sheetType": "GRID",
                        "gridProperties": {"rowCount": rows, "columnCount": width, "frozenRowCount": 1},
                    }}}),
                    super::header::bold_header(sheet_id, 0, count),
                ],
                &format!("creating tab {title}"),
            )
            .await?;
        let tab =
            tab_from_json(&replies.first().cloned().unwrap_or_default()["addSheet"]["properties"])?;
        book.tabs.push(tab);
        self.write_header_text(book, title, 0, headers).await?;
        Ok(book.tab_mut(title)?.clone())
    }
}

/// A `sheetId` no tab of `book` has (Google's are non-negative 31-bit numbers).
fn unused_sheet_id(book: &SpreadsheetInfo) -> i64 {
    loop {
        let id = i64::from(fastrand::i32(1..));
        if book.tab_by_id(id).is_none() {
            return id;
        }
    }
}
