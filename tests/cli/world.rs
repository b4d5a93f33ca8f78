//! A world for end-to-end tests: both emulators on loopback (validating every request against the
//! real schema and discovery documents in `../shared`), a seeded store, a spreadsheet, and a
//! working directory whose config points `shopsync` at them.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;
use shopsync::clock::SystemClock;
use shopsync::sandbox::data::{StoreSpec, generate};
use shopsync::sandbox::google::{GoogleSandbox, SandboxOptions};
use shopsync::sandbox::shopify::{BucketConfig, EmulatorConfig, SANDBOX_TOKEN, ShopifyEmulator};

use crate::support::Sandbox;

/// The tab the tests sync to.
pub const TAB: &str = "Orders";

/// Emulators, a spreadsheet and a configured working directory.
pub struct World {
    pub dir: Sandbox,
    pub shopify: ShopifyEmulator,
    pub google: GoogleSandbox,
    pub spreadsheet: String,
    // Declared last: dropped after the emulators it runs.
    _runtime: tokio::runtime::Runtime,
}

impl World {
    /// A store of `orders` orders from `seed`, and an empty spreadsheet titled "Shop Orders".
    pub fn new(seed: u64, orders: usize) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let clock = Arc::new(SystemClock);
        let schema = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/shopify/admin_schema_2026-04.graphql"
        ));
        assert!(
            schema.exists(),
            "{} is missing: the tests need ../shared beside the checkout",
            schema.display()
        );
        // The newest order is an hour old, so a run right after a sync has nothing in its overlap window.
        let data = generate(&StoreSpec::new(
            seed,
            orders,
            Utc::now() - chrono::Duration::hours(1),
        ));
        let mut config = EmulatorConfig::new(data, clock.clone());
        config.schema_path = Some(schema);
        let shopify = runtime
            .block_on(ShopifyEmulator::start(config))
            .expect("start the Shopify emulator");
        let google = runtime
            .block_on(GoogleSandbox::start(SandboxOptions::with_shared_discovery()))
            .expect("start the Google emulator");
        let spreadsheet = google.create_spreadsheet("Shop Orders", &["Sheet1"]);
        let dir = Sandbox::new();
        google
            .write_service_account_file(&dir.file("key.json"))
            .expect("write the key file");
        let config = serde_json::json!({
            "shopify_store_name": "sandbox-shop",
            "shopify_access_token": SANDBOX_TOKEN,
            "google_service_account_file": "key.json",
            "target_spreadsheet": spreadsheet,
            "worksheet": TAB,
            "shopify_api_url": shopify.base_url(),
            "google_sheets_api_url": google.sheets_url(),
            "google_drive_api_url": google.drive_url(),
        });
        dir.write("config.json", &config.to_string());
        Self {
            dir,
            shopify,
            google,
            spreadsheet,
            _runtime: runtime,
        }
    }

    /// `shopsync ARGS` in the world's directory.
    pub fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        self.dir.cmd(args)
    }

    /// The tab's cells, read from the emulator's grid (never through shopsync's client).
    pub fn rows(&self) -> Vec<Vec<Value>> {
        self.google.rows(&self.spreadsheet, TAB)
    }

    /// The (Order ID, Line Item ID) of every data row, in sheet order.
    pub fn keys(&self) -> Vec<(String, String)> {
        let rows = self.rows();
        let header = &rows[0];
        let col = |name: &str| {
            header
                .iter()
                .position(|v| v.as_str() == Some(name))
                .unwrap_or_else(|| panic!("no {name} header in {header:?}"))
        };
        let (o, l) = (col("Order ID"), col("Line Item ID"));
        rows[1..]
            .iter()
            .filter_map(|r| {
                let get = |i: usize| r.get(i).and_then(Value::as_str).unwrap_or("").to_owned();
                let key = (get(o), get(l));
                (!key.0.is_empty()).then_some(key)
            })
            .collect()
    }

    /// Fills Shopify's cost bucket, as an hour between cron runs does.
    pub fn refill_bucket(&self) {
        self.shopify.set_bucket(BucketConfig::default());
    }

    /// Line items Shopify holds in the emulator now (each should have exactly one row).
    pub fn line_item_count(&self) -> usize {
        self.shopify
            .with_store(|store, _| store.orders().map(|o| o.lines.len()).sum())
    }
}
