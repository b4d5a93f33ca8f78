//! Shared setup for the Sheets client tests: the emulator checking requests against the discovery
//! documents (the extracts in `references/google`), a client pointed at it on a shared virtual
//! clock, and small row builders.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Value, json};
use shopsync::clock::ManualClock;
use shopsync::sandbox::google::{GoogleSandbox, SandboxOptions};
use shopsync::sheets::{
    RowCells, SheetsClient, SheetsError, SheetsSettings, SpreadsheetInfo, TabSpec, WriteReport,
};

pub const HEADERS: &[&str] = &["Order", "Order ID", "Line Item ID", "Product", "Quantity"];
pub const KEYS: &[&str] = &["Order ID", "Line Item ID"];

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

pub fn spec<'a>(headers: &'a [&'a str]) -> TabSpec<'a> {
    TabSpec {
        title: "Orders",
        headers,
        key_headers: KEYS,
        bound_sheet_id: None,
    }
}

pub async fn book_with_tab(env: &Env) -> (SpreadsheetInfo, Vec<u32>) {
    let id = env.sandbox.create_spreadsheet("Shop Orders", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
    (book, layout.columns)
}

/// Writes `cells` over row 2 of the tab "Orders" (one request, unless retried).
pub async fn write_row_2(
    env: &Env,
    book: &SpreadsheetInfo,
    columns: &[u32],
    cells: Vec<Value>,
) -> Result<WriteReport, SheetsError> {
    env.client
        .write_rows(book, "Orders", columns, vec![RowCells { row: 2, cells }])
        .await
}
