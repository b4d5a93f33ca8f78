//! The spreadsheet and its tabs: `spreadsheets.get` with a field mask, the cell-count limit, and
//! making sure the tab exists with shopsync's header (created, frozen and bold when missing; owned
//! headers that are missing added at the right; a person's columns never reordered).

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

/// The tab shopsync writes to, and what it must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabSpec<'a> {
    /// The tab title (`worksheet`).
    pub title: &'a str,
    /// Every header shopsync owns, in the order the caller wants their columns reported.
    pub headers: &'a [&'a str],
    /// The headers a tab with data must already have (the row key), else it is another tool's.
    pub key_headers: &'a [&'a str],
    /// The `sheetId` the tracking DB is bound to, once rows were written: then a missing tab is
    /// an error (renamed or deleted), never re-created.
    pub bound_sheet_id: Option<i64>,
}

/// Where shopsync's columns are on a tab, after [`SheetsClient::ensure_tab`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabLayout {
    /// The tab.
    pub tab: TabInfo,
    /// Row 1 as it now reads (trimmed), person's headers included.
    pub header: Vec<String>,
    /// For each requested header, in the order given, its zero-based column.
    pub columns: Vec<u32>,
    /// Whether the tab was created now.
    pub created: bool,
    /// Owned headers added at the right now.
    pub added: Vec<String>,
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

/// A cell value as the header text it holds.
fn header_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
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
                body: Some(body),
                what: what.to_owned(),
            })
            .await?;
        Ok(reply["replies"].as_array().cloned().unwrap_or_default())
    }

    /// Makes sure tab `title` exists with the `headers` shopsync owns, and says where they are.
    ///
    /// A missing tab is created (`addSheet`, frozen row 1), its header written and made bold. On
    /// an existing tab, headers are found by (trimmed) name; missing ones are added after the
    /// last used header column, growing the grid if needed; nothing is moved. A tab that holds
    /// data but lacks one of `key_headers` is another tool's: refused. When the tracking DB is
    /// bound to a tab (`bound_sheet_id`), a missing title is a rename or a deletion: refused.
    ///
    /// # Errors
    /// [`SheetsError::DuplicateHeader`], [`SheetsError::ForeignLayout`],
    /// [`SheetsError::TabRenamed`], [`SheetsError::TabGone`], [`SheetsError::CellLimit`], or any
    /// request error (writes may be ambiguous).
    pub async fn ensure_tab(
        &self,
        book: &mut SpreadsheetInfo,
        spec: &TabSpec<'_>,
    ) -> Result<TabLayout, SheetsError> {
        self.layout(book, spec, true).await
    }

    /// What [`Self::ensure_tab`] would find and do, without writing (for dry runs).
    ///
    /// When the tab does not exist, the layout has `created: true`, a `tab` with `sheet_id` -1
    /// and no rows, and the columns the new tab would have; `added` lists headers that would be
    /// added.
    ///
    /// # Errors
    /// As [`Self::ensure_tab`], minus the write errors.
    pub async fn inspect_tab(
        &self,
        book: &SpreadsheetInfo,
        spec: &TabSpec<'_>,
    ) -> Result<TabLayout, SheetsError> {
        let mut copy = book.clone();
        self.layout(&mut copy, spec, false).await
    }

    async fn layout(
        &self,
        book: &mut SpreadsheetInfo,
        spec: &TabSpec<'_>,
        write: bool,
    ) -> Result<TabLayout, SheetsError> {
        let TabSpec {
            title,
            headers,
            key_headers,
            bound_sheet_id,
        } = *spec;
        if book.tab(title).is_none() {
            if let Some(bound) = bound_sheet_id {
                return Err(match book.tab_by_id(bound) {
                    Some(renamed) => SheetsError::TabRenamed {
                        tab: title.to_owned(),
                        now: renamed.title.clone(),
                    },
                    None => SheetsError::TabGone {
                        tab: title.to_owned(),
                    },
                });
            }
            if write {
                return self.create_tab(book, title, headers).await;
            }
            let header: Vec<String> = headers.iter().map(|s| (*s).to_owned()).collect();
            return Ok(TabLayout {
                tab: TabInfo {
                    sheet_id: -1,
                    title: title.to_owned(),
                    index: u32::try_from(book.tabs.len()).unwrap_or(u32::MAX),
                    row_count: 0,
                    column_count: 0,
                    frozen_rows: 0,
                },
                columns: positions(&header, headers),
                added: header.clone(),
                header,
                created: true,
            });
        }
        let row1 = self.read_header(&book.id, title).await?;
        let mut header: Vec<String> = row1.iter().map(header_text).collect();
        for name in headers {
            if header.iter().filter(|h| h.as_str() == *name).count() > 1 {
                return Err(SheetsError::DuplicateHeader {
                    tab: title.to_owned(),
                    header: (*name).to_owned(),
                });
            }
        }
        let has_header = header.iter().any(|h| !h.is_empty());
        // Without the key columns, rows below the header belong to some other layout.
        if let Some(missing) = key_headers.iter().find(|k| !header.iter().any(|h| h == *k))
            && self.has_rows_below_header(book, title).await?
        {
            return Err(SheetsError::ForeignLayout {
                tab: title.to_owned(),
                missing: (*missing).to_owned(),
            });
        }
        let missing: Vec<&str> = headers
            .iter()
            .copied()
            .filter(|h| !header.iter().any(|x| x == h))
            .collect();
        if !missing.is_empty() {
            let start = u32::try_from(
                header
                    .iter()
                    .rposition(|h| !h.is_empty())
                    .map_or(0, |i| i + 1),
            )
            .unwrap_or(u32::MAX);
            if write {
                // An empty tab gets the header row frozen as a new one would.
                let freeze = !has_header;
                self.add_header_cells(book, title, start, &missing, freeze)
                    .await?;
            }
            header.truncate(start as usize);
            header.extend(missing.iter().map(|s| (*s).to_owned()));
        }
        let tab = book.tab_mut(title)?.clone();
        Ok(TabLayout {
            columns: positions(&header, headers),
            tab,
            header,
            created: false,
            added: missing.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    async fn create_tab(
        &self,
        book: &mut SpreadsheetInfo,
        title: &str,
        headers: &[&str],
    ) -> Result<TabLayout, SheetsError> {
        let width = u32::try_from(headers.len())
            .unwrap_or(u32::MAX)
            .max(NEW_TAB_COLUMNS);
        book.check_growth(u64::from(NEW_TAB_ROWS) * u64::from(width))?;
        let replies = self
            .structure(
                &book.id,
                vec![json!({"addSheet": {"properties": {
                    "title": title, "sheetType": "GRID",
                    "gridProperties": {"rowCount": NEW_TAB_ROWS, "columnCount": width, "frozenRowCount": 1},
                }}})],
                &format!("creating tab {title}"),
            )
            .await?;
        let tab =
            tab_from_json(&replies.first().cloned().unwrap_or_default()["addSheet"]["properties"])?;
        book.tabs.push(tab.clone());
        let mut layout = TabLayout {
            tab,
            header: Vec::new(),
            columns: Vec::new(),
            created: true,
            added: Vec::new(),
        };
        self.add_header_cells(book, title, 0, headers, false)
            .await?;
        layout.header = headers.iter().map(|s| (*s).to_owned()).collect();
        layout.columns = positions(&layout.header, headers);
        layout.added = layout.header.clone();
        layout.tab = book.tab_mut(title)?.clone();
        Ok(layout)
    }
}

/// Zero-based column of each wanted header.
fn positions(header: &[String], wanted: &[&str]) -> Vec<u32> {
    wanted
        .iter()
        .map(|w| {
            header
                .iter()
                .position(|h| h == w)
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(u32::MAX)
        })
        .collect()
}
