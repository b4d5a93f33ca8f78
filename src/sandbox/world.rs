//! Both emulators on loopback, a seeded store, an empty spreadsheet, and the `config.json`
//! settings that point shopsync at them: the one world the end-to-end tests, the benchmarks and
//! `shopsync demo` start (each adds what is its own: a working directory, quotas, notes).

use std::io;

use serde_json::{Map, Value};

use super::data::StoreData;
use super::google::{GoogleSandbox, SandboxOptions};
use super::shopify::{EmulatorConfig, SANDBOX_TOKEN, ShopifyEmulator};

/// An emulator could not start (a loopback port could not be bound).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The Shopify emulator.
    #[error("cannot start the sandbox Shopify store on 127.0.0.1")]
    Shopify(#[source] io::Error),
    /// The Google emulator.
    #[error("cannot start the sandbox Google Sheets on 127.0.0.1")]
    Google(#[source] io::Error),
}

/// Both emulators and one spreadsheet (tab `Sheet1`), running on the runtime they were started on.
pub struct Emulators {
    /// The Shopify Admin API emulator.
    pub shopify: ShopifyEmulator,
    /// The Google token, Drive and Sheets emulator.
    pub google: GoogleSandbox,
    /// The spreadsheet's ID.
    pub spreadsheet: String,
}

impl Emulators {
    /// Starts the Shopify emulator over `data` (its configuration adjusted by `adjust`) and the
    /// Google emulator with `google`, both on `google.clock`, and creates a spreadsheet titled
    /// `title`.
    ///
    /// # Errors
    /// An emulator cannot bind a loopback port.
    pub fn start(
        runtime: &tokio::runtime::Runtime,
        data: StoreData,
        adjust: impl FnOnce(&mut EmulatorConfig),
        google: SandboxOptions,
        title: &str,
    ) -> Result<Self, StartError> {
        let mut config = EmulatorConfig::new(data, google.clock.clone());
        adjust(&mut config);
        let shopify = runtime
            .block_on(ShopifyEmulator::start(config))
            .map_err(StartError::Shopify)?;
        let google = runtime
            .block_on(GoogleSandbox::start(google))
            .map_err(StartError::Google)?;
        let spreadsheet = google.create_spreadsheet(title, &["Sheet1"]);
        Ok(Self {
            shopify,
            google,
            spreadsheet,
        })
    }

    /// The `config.json` settings that point shopsync at the emulators: `store_name` with the
    /// sandbox's token, the key file (written by
    /// [`GoogleSandbox::write_service_account_file`]), the spreadsheet and `tab`, and the three
    /// API URLs.
    #[must_use]
    pub fn config(&self, store_name: &str, key_file: &str, tab: &str) -> Map<String, Value> {
        let settings = [
            ("shopify_store_name", store_name.to_owned()),
            ("shopify_access_token", SANDBOX_TOKEN.to_owned()),
            ("google_service_account_file", key_file.to_owned()),
            ("target_spreadsheet", self.spreadsheet.clone()),
            ("worksheet", tab.to_owned()),
            ("shopify_api_url", self.shopify.base_url().to_owned()),
            ("google_sheets_api_url", self.google.sheets_url()),
            ("google_drive_api_url", self.google.drive_url()),
        ];
        settings
            .into_iter()
            .map(|(key, value)| (key.to_owned(), Value::String(value)))
            .collect()
    }

    /// The cells of `tab` as the Google emulator holds them (unformatted values).
    #[must_use]
    pub fn rows(&self, tab: &str) -> Vec<Vec<Value>> {
        self.google.rows(&self.spreadsheet, tab)
    }

    /// The line item count of every order in the store now, in the store's order.
    #[must_use]
    pub fn line_counts(&self) -> Vec<usize> {
        self.shopify
            .with_store(|store, _| store.orders().map(|o| o.lines.len()).collect())
    }

    /// Line items in the store now: a synced sheet holds exactly one row for each.
    #[must_use]
    pub fn line_items(&self) -> usize {
        self.line_counts().iter().sum()
    }
}
