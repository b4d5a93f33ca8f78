//! Shared setup for the Sheets client tests: the emulator checking requests against the discovery
//! documents (the extracts in `references/google`), a client pointed at it on a shared virtual
//! clock, small row builders, and row writes through [`SheetsClient::write_ranges`] (the path the
//! sync uses).

#![allow(dead_code)]

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Value, json};
use shopsync::clock::ManualClock;
use shopsync::sandbox::google::{GoogleSandbox, SandboxOptions};
use shopsync::sheets::{Rectangle, SheetsClient, SheetsError, SheetsSettings, SpreadsheetInfo};
use shopsync::store::Binding;
use shopsync::sync::SyncError;
use shopsync::sync::run::sheet::SheetSide;

pub const HEADERS: &[&str] = &["Order", "Order ID", "Line Item ID", "Product", "Quantity"];

pub struct Env {
    pub sandbox: GoogleSandbox,
    pub client: SheetsClient,
    pub clock: ManualClock,
    pub dir: tempfile::TempDir,
}

impl Drop for Env {
    /// Every request the client sent in the test must conform to the discovery documents.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_eq!(
                self.sandbox.violations(),
                0,
                "the client sent a request that breaks Google's discovery documents"
            );
        }
    }
}

pub async fn env_with(options: SandboxOptions, tweak: impl FnOnce(&mut SheetsSettings)) -> Env {
    let clock = ManualClock::new(Utc::now());
    let sandbox = GoogleSandbox::start(SandboxOptions {
        clock: Arc::new(clock.clone()),
        ..options
    })
    .await
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key.json");
    sandbox.write_service_account_file(&key).unwrap();
    let mut settings = SheetsSettings::new(&key);
    settings.sheets_url = sandbox.sheets_url();
    settings.drive_url = sandbox.drive_url();
    settings.clock = Arc::new(clock.clone());
    tweak(&mut settings);
    let client = SheetsClient::new(settings).await.unwrap();
    Env {
        sandbox,
        client,
        clock,
        dir: tmp,
    }
}

pub async fn env() -> Env {
    env_with(SandboxOptions::default(), |_| {}).await
}

pub fn row(order: u64, line: u64, product: &str, qty: u64) -> Vec<Value> {
    vec![
        json!(format!("#{order}")),
        json!(order.to_string()),
        json!(line.to_string()),
        json!(product),
        json!(qty),
    ]
}

/// A spreadsheet with tab "Orders" created holding [`HEADERS`], and their columns.
pub async fn book_with_tab(env: &Env) -> (SpreadsheetInfo, Vec<u32>) {
    let id = env.sandbox.create_spreadsheet("Shop Orders", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    env.client
        .create_tab(&mut book, "Orders", HEADERS)
        .await
        .unwrap();
    (book, (0..5).collect())
}

/// Zero-based column of each of `wanted` in `header` (row 1 as read), `u32::MAX` when absent.
pub fn positions(header: &[Value], wanted: &[&str]) -> Vec<u32> {
    wanted
        .iter()
        .map(|w| {
            header
                .iter()
                .position(|h| h.as_str().map(str::trim) == Some(*w))
                .map_or(u32::MAX, |i| u32::try_from(i).unwrap())
        })
        .collect()
}

/// Opens tab "Orders" of spreadsheet `id` as a sync does (its tab policy: create, adopt or
/// refuse; then the key index), with a second client on the same emulator and clock; with
/// `bound_sheet_id`, as if a DB bound to that tab had written rows.
pub async fn open_as_sync(
    env: &Env,
    id: &str,
    bound_sheet_id: Option<i64>,
    dry_run: bool,
) -> Result<SheetSide, SyncError> {
    let mut settings = SheetsSettings::new(env.dir.path().join("key.json"));
    settings.sheets_url = env.sandbox.sheets_url();
    settings.drive_url = env.sandbox.drive_url();
    settings.clock = Arc::new(env.clock.clone());
    let client = SheetsClient::new(settings).await.unwrap();
    let binding = bound_sheet_id.map(|sheet_id| Binding {
        shop_domain: "acme.myshopify.com".to_owned(),
        spreadsheet_id: id.to_owned(),
        sheet_id,
        sheet_title: "Orders".to_owned(),
    });
    let db = env.dir.path().join("shopsync.db");
    SheetSide::open(client, id, "Orders", binding.as_ref(), &db, dry_run, 0).await
}

/// Writes `cells` over row 2 of the tab "Orders" (one request, unless retried).
pub async fn write_row_2(
    env: &Env,
    book: &SpreadsheetInfo,
    columns: &[u32],
    cells: Vec<Value>,
) -> Result<u64, SheetsError> {
    write_rows(env, book, columns, vec![(2, cells)]).await
}

/// Writes rows of the tab "Orders" in one `values:batchUpdate`: each `(row, cells)` puts
/// `cells[i]` in sheet column `columns[i]`, one rectangle per row and run of adjacent columns (a
/// person's column between owned ones is skipped); returns the request's size.
pub async fn write_rows(
    env: &Env,
    book: &SpreadsheetInfo,
    columns: &[u32],
    rows: Vec<(u32, Vec<Value>)>,
) -> Result<u64, SheetsError> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|i| columns[*i]);
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match runs.last_mut() {
            Some(run) if columns[run[run.len() - 1]] + 1 == columns[i] => run.push(i),
            _ => runs.push(vec![i]),
        }
    }
    let mut blocks: Vec<(u32, u32, Vec<Vec<Value>>)> = Vec::new();
    for (row, cells) in &rows {
        assert_eq!(cells.len(), columns.len(), "row {row}");
        for run in &runs {
            let values = run.iter().map(|i| cells[*i].clone()).collect();
            blocks.push((*row, columns[run[0]], vec![values]));
        }
    }
    let rectangles: Vec<Rectangle<'_>> = blocks
        .iter()
        .map(|(row, column, values)| Rectangle {
            row: *row,
            column: *column,
            values,
        })
        .collect();
    env.client
        .write_ranges(&book.id, "Orders", &rectangles)
        .await
}

/// Writes new rows from `first_row` down after growing the grid to hold them (as the sync does).
pub async fn append_rows(
    env: &Env,
    book: &mut SpreadsheetInfo,
    columns: &[u32],
    first_row: u32,
    rows: Vec<Vec<Value>>,
) -> Result<u64, SheetsError> {
    let count = u32::try_from(rows.len()).unwrap();
    env.client
        .grow_rows(book, "Orders", first_row + count - 1)
        .await?;
    let rows = (first_row..).zip(rows).collect();
    write_rows(env, book, columns, rows).await
}
