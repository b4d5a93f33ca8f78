//! A loopback emulator of Google's token endpoint, Drive `files.list` and the Sheets v4 API.
//!
//! An independent witness (DESIGN.md section 7): written from SHEETS-API.md, the discovery
//! documents and recorded traffic; it imports nothing from `crate::sheets`. Tests start it, point
//! the client at [`GoogleSandbox::sheets_url`] with the key from
//! [`GoogleSandbox::service_account_json`], and assert on the grid read directly from here.

mod a1;
mod discovery;
mod drive;
mod errors;
mod grid;
mod input;
mod person;
mod server;
mod shared;
mod state;
mod structure;
mod token;
mod values;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

pub use grid::{MAX_CELL_CHARS, MAX_CELLS};
pub use state::{Fault, MethodCount};

use crate::clock::{SharedClock, SystemClock};
use grid::{Render, Sheet, Spreadsheet};
use shared::Shared;
use state::{FaultRule, Inner};

/// How to start the emulator.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Whether every request is checked against the extracts of Google's discovery documents
    /// (`references/google`) and refused as Google would refuse it. On by default.
    pub check_discovery: bool,
    /// Time for the per-minute quota windows.
    pub clock: SharedClock,
    /// Sheets read requests allowed per minute (0 = no limit). Google: 60 per user.
    pub read_quota: u32,
    /// Sheets write requests allowed per minute (0 = no limit). Google: 60 per user.
    pub write_quota: u32,
    /// How long issued tokens live (and the `expires_in` reported).
    pub token_lifetime: Duration,
    /// The service account's e-mail.
    pub client_email: String,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            check_discovery: true,
            clock: Arc::new(SystemClock),
            read_quota: 60,
            write_quota: 60,
            token_lifetime: Duration::from_secs(3600),
            client_email: "shopsync@shopsync-sandbox.iam.gserviceaccount.com".to_owned(),
        }
    }
}

/// A tab as seen from outside, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabSnapshot {
    /// `sheetId`.
    pub sheet_id: i64,
    /// Grid rows.
    pub row_count: u32,
    /// Grid columns.
    pub column_count: u32,
    /// Frozen rows.
    pub frozen_rows: u32,
}

/// A running emulator; dropping it stops the server.
#[derive(Debug)]
pub struct GoogleSandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for GoogleSandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl GoogleSandbox {
    /// Binds 127.0.0.1:0 and serves.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(options: SandboxOptions) -> std::io::Result<Self> {
        let discovery = options
            .check_discovery
            .then(discovery::Discovery::reference);
        let key = token::PublicKey::from_private_pem(token::SANDBOX_KEY_PEM)
            .map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner::default()),
            discovery,
            clock: options.clock.clone(),
            key,
            client_email: options.client_email.clone(),
            token_uri: format!("http://{addr}/token"),
            read_quota: options.read_quota,
            write_quota: options.write_quota,
            token_lifetime: options.token_lifetime,
            stalls: crate::sandbox::Stalls::default(),
        });
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "google sandbox stopped");
            }
        });
        Ok(Self { shared, addr, task })
    }

    /// Base URL for the Sheets API (`google_sheets_api_url`).
    #[must_use]
    pub fn sheets_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL for the Drive API (`google_drive_api_url`).
    #[must_use]
    pub fn drive_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token endpoint (the key's `token_uri`).
    #[must_use]
    pub fn token_uri(&self) -> String {
        self.shared.token_uri.clone()
    }

    /// The service account's e-mail.
    #[must_use]
    pub fn client_email(&self) -> &str {
        &self.shared.client_email
    }

    /// A service-account key JSON whose `token_uri` points here (the key is the sandbox's own).
    #[must_use]
    pub fn service_account_json(&self) -> String {
        json!({
            "type": "service_account",
            "project_id": "shopsync-sandbox",
            "private_key_id": "sandbox-key",
            "private_key": token::sandbox_key_pem_block(),
            "client_email": self.shared.client_email,
            "client_id": "100000000000000000000",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.shared.token_uri,
        })
        .to_string()
    }

    /// Writes [`Self::service_account_json`] to `path`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_service_account_file(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.service_account_json())
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self.shared.lock())
    }

    fn with_sheet<R>(&self, id: &str, tab: &str, f: impl FnOnce(&mut Sheet) -> R) -> R {
        self.with(|inner| {
            let book = inner
                .books
                .get_mut(id)
                .unwrap_or_else(|| panic!("no spreadsheet {id}"));
            let index = book
                .sheet_by_title(tab)
                .unwrap_or_else(|| panic!("no tab {tab} in {id}"));
            f(&mut book.sheets[index])
        })
    }

    /// Creates a spreadsheet shared with the service account; returns its ID.
    pub fn create_spreadsheet(&self, title: &str, tabs: &[&str]) -> String {
        let id = format!("1sandbox{:016x}xYz-_", fastrand::u64(..));
        self.create_spreadsheet_with_id(&id, title, tabs);
        id
    }

    /// Creates a spreadsheet with a chosen ID.
    pub fn create_spreadsheet_with_id(&self, id: &str, title: &str, tabs: &[&str]) {
        let tabs: Vec<&str> = if tabs.is_empty() {
            vec!["Sheet1"]
        } else {
            tabs.to_vec()
        };
        let sheets = tabs
            .iter()
            .enumerate()
            .map(|(i, t)| Sheet::new(if i == 0 { 0 } else { 1000 + i as i64 }, t))
            .collect();
        let book = Spreadsheet {
            id: id.to_owned(),
            title: title.to_owned(),
            time_zone: "America/New_York".to_owned(),
            locale: "en_US".to_owned(),
            sheets,
            shared: true,
            editable: true,
            trashed: false,
            next_sheet_id: 1_877_059_582,
        };
        self.with(|inner| inner.books.insert(id.to_owned(), book));
    }

    /// Whether the file is shared with the service account (else 403 and invisible in Drive).
    pub fn set_shared(&self, id: &str, shared: bool) {
        self.with(|inner| {
            if let Some(book) = inner.books.get_mut(id) {
                book.shared = shared;
            }
        });
    }

    /// Whether the service account is an Editor (`true`) or only a Viewer.
    pub fn set_editable(&self, id: &str, editable: bool) {
        self.with(|inner| {
            if let Some(book) = inner.books.get_mut(id) {
                book.editable = editable;
            }
        });
    }

    /// Moves the file to or from the trash.
    pub fn set_trashed(&self, id: &str, trashed: bool) {
        self.with(|inner| {
            if let Some(book) = inner.books.get_mut(id) {
                book.trashed = trashed;
            }
        });
    }

    /// Tab titles in order.
    #[must_use]
    pub fn tab_titles(&self, id: &str) -> Vec<String> {
        self.with(|inner| {
            inner
                .books
                .get(id)
                .map(|b| b.sheets.iter().map(|s| s.title.clone()).collect())
                .unwrap_or_default()
        })
    }

    /// A tab's grid properties, if it exists.
    #[must_use]
    pub fn tab(&self, id: &str, tab: &str) -> Option<TabSnapshot> {
        self.with(|inner| {
            let book = inner.books.get(id)?;
            let sheet = &book.sheets[book.sheet_by_title(tab)?];
            Some(TabSnapshot {
                sheet_id: sheet.sheet_id,
                row_count: sheet.row_count,
                column_count: sheet.column_count,
                frozen_rows: sheet.frozen_rows,
            })
        })
    }

    /// Cells over all tabs of the spreadsheet.
    #[must_use]
    pub fn cell_count(&self, id: &str) -> u64 {
        self.with(|inner| inner.books.get(id).map_or(0, Spreadsheet::cell_count))
    }

    /// The tab's values (unformatted, dates as serials), rows trimmed of trailing blanks.
    #[must_use]
    pub fn rows(&self, id: &str, tab: &str) -> Vec<Vec<Value>> {
        self.with_sheet(id, tab, |s| s.rows_as_json(Render::Unformatted))
    }

    /// The tab's formulas as typed (`=…`), to prove nothing was written as a formula.
    #[must_use]
    pub fn formulas(&self, id: &str, tab: &str) -> Vec<String> {
        self.with_sheet(id, tab, |s| {
            s.cells
                .iter()
                .flatten()
                .filter_map(|c| match c {
                    grid::Cell::Formula(text, _) => Some(text.clone()),
                    _ => None,
                })
                .collect()
        })
    }

    /// The `userEnteredFormat` set on a cell (zero-based), if any.
    #[must_use]
    pub fn cell_format(&self, id: &str, tab: &str, row: u32, col: u32) -> Option<Value> {
        self.with_sheet(id, tab, |s| s.formats.get(&(row, col)).cloned())
    }

    /// Plans `fault` for the request of `method` (`spreadsheets.values.batchUpdate`, `files.list`,
    /// or `*`) after `skip` matching requests have passed.
    pub fn inject(&self, method: &str, skip: u64, fault: Fault) {
        self.with(|inner| {
            inner.faults.push(FaultRule {
                method: method.to_owned(),
                skip,
                fault,
            });
        });
    }

    /// Drops every planned fault that has not fired yet (what a schedule planned for a run that
    /// ended before reaching it must not hit the next run).
    pub fn clear_faults(&self) {
        self.with(|inner| inner.faults.clear());
    }

    /// Refuses every values write holding a cell equal to `value` with 400 `INVALID_ARGUMENT`
    /// (as Google refuses a value it cannot take), applying nothing, until
    /// [`Self::clear_refusals`]: so one order's rows can fail while the rest are written.
    pub fn refuse_value(&self, value: &str) {
        self.with(|inner| inner.refused_values.push(value.to_owned()));
    }

    /// Takes back every value [`Self::refuse_value`] listed.
    pub fn clear_refusals(&self) {
        self.with(|inner| inner.refused_values.clear());
    }

    /// Requests and request bytes received, by method (`spreadsheets.values.batchUpdate`, …).
    #[must_use]
    pub fn counts(&self) -> BTreeMap<String, MethodCount> {
        self.with(|inner| inner.counts.clone())
    }

    /// Forgets the counters.
    pub fn reset_counts(&self) {
        self.with(|inner| inner.counts.clear());
    }

    /// Tokens minted so far.
    #[must_use]
    pub fn tokens_issued(&self) -> u64 {
        self.with(|inner| inner.tokens_issued)
    }

    /// Invalidates every issued token (the next call answers 401).
    pub fn revoke_tokens(&self) {
        self.with(|inner| inner.tokens.clear());
    }

    /// Changes the lifetime of tokens minted from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.with(|inner| inner.token_lifetime = Some(lifetime));
    }

    /// Its [`Fault::Stall`]s (to wait until one holds a request, and to end it) and the requests
    /// it is handling.
    #[must_use]
    pub fn stalls(&self) -> &crate::sandbox::Stalls {
        &self.shared.stalls
    }

    /// Requests refused for breaking the discovery documents.
    #[must_use]
    pub fn violations(&self) -> u64 {
        self.with(|inner| inner.violations)
    }

    /// Requests the per-minute quota answered with 429.
    #[must_use]
    pub fn quota_rejections(&self) -> u64 {
        self.with(|inner| inner.quota_rejections)
    }
}
