//! A benchmark world: both emulators in this process, a seeded store, a spreadsheet, and a
//! working directory whose config points the real `shopsync` binary at them.

use std::path::Path;

use chrono::Utc;
use serde_json::Value;
use shopsync::sandbox::data::{StoreSpec, generate};
use shopsync::sandbox::google::SandboxOptions;
use shopsync::sandbox::shopify::{BucketConfig, EmulatorConfig, Stats};
use shopsync::sandbox::world::Emulators;

use super::report::Report;

/// The tab the benchmark syncs to.
pub const TAB: &str = "Orders";

/// How to build a world.
pub struct Setup {
    /// Orders in the store.
    pub orders: usize,
    /// Shopify's bucket.
    pub bucket: BucketConfig,
    /// Google's per-minute read and write quotas (0 = none).
    pub google_quota: u32,
    /// Whether both emulators validate requests against Shopify's schema and Google's discovery
    /// documents (the extracts in `references/`).
    pub validate: bool,
}

/// Emulators, a spreadsheet and a configured working directory.
pub struct World {
    /// The working directory (config.json, key.json, the DB, the log).
    pub dir: tempfile::TempDir,
    /// Both emulators and the spreadsheet.
    pub emulators: Emulators,
    /// Whether requests are validated against the references.
    pub validating: bool,
    // Declared last: dropped after the emulators it runs.
    _runtime: tokio::runtime::Runtime,
}

impl std::ops::Deref for World {
    type Target = Emulators;

    fn deref(&self) -> &Emulators {
        &self.emulators
    }
}

impl World {
    /// Generates the store, starts both emulators and writes the config.
    pub fn new(setup: &Setup) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let validating = setup.validate;
        // The newest order is an hour old, so a run right after a sync has nothing in its window.
        let data = generate(&StoreSpec::new(
            0x5eed,
            setup.orders,
            Utc::now() - chrono::Duration::hours(1),
        ));
        let options = SandboxOptions {
            check_discovery: validating,
            read_quota: setup.google_quota,
            write_quota: setup.google_quota,
            ..SandboxOptions::default()
        };
        let adjust = |config: &mut EmulatorConfig| {
            config.bucket = setup.bucket;
            config.reference_schema = validating;
        };
        let emulators = Emulators::start(&runtime, data, adjust, options, "Shop Orders")
            .expect("start the emulators");
        let dir = tempfile::tempdir().expect("temp dir");
        emulators
            .google
            .write_service_account_file(&dir.path().join("key.json"))
            .expect("write the key file");
        let mut config = emulators.config("sandbox-shop", "key.json", TAB);
        // The store spans the 30 days before its newest order: look back a little further.
        config.insert("lookback_days".to_owned(), Value::from(40));
        std::fs::write(
            dir.path().join("config.json"),
            Value::Object(config).to_string(),
        )
        .expect("config");
        Self {
            dir,
            emulators,
            validating,
            _runtime: runtime,
        }
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Shopify's counters.
    pub fn shopify_stats(&self) -> Stats {
        self.shopify.stats()
    }

    /// Requests Google received, every method plus the token endpoint.
    pub fn google_requests(&self) -> u64 {
        let methods: u64 = self.google.counts().values().map(|c| c.requests).sum();
        methods + self.google.tokens_issued()
    }

    /// `values:batchUpdate` requests so far, and their body bytes.
    pub fn batch_updates(&self) -> (u64, u64) {
        self.google
            .counts()
            .get("spreadsheets.values.batchUpdate")
            .map_or((0, 0), |c| (c.requests, c.bytes))
    }

    /// Sheets write requests so far (every method that counts toward Google's per-minute write
    /// quota), and the breakdown by method: `spreadsheets.batchUpdate 1, …`.
    pub fn sheets_writes(&self) -> (u64, String) {
        let writes: Vec<(String, u64)> = self
            .google
            .counts()
            .into_iter()
            .filter(|(method, _)| {
                method.starts_with("spreadsheets.")
                    && !method.ends_with(".get")
                    && !method.ends_with(".batchGet")
            })
            .map(|(method, count)| (method, count.requests))
            .collect();
        let total = writes.iter().map(|(_, n)| n).sum();
        let each: Vec<String> = writes.iter().map(|(m, n)| format!("{m} {n}")).collect();
        (total, each.join(", "))
    }

    /// Checks promise 1 on the emulator's grid: one row per line item, each key once.
    pub fn check_exactly_once(&self, report: &mut Report, name: &str, line_items: usize) {
        let (rows, distinct) = self.sheet_rows();
        report.check(
            name,
            "sheet rows / distinct keys",
            format!("{rows} / {distinct}"),
            format!("{line_items} line items, each once"),
            rows == line_items && distinct == line_items,
        );
    }

    /// Data rows in the sheet and how many distinct keys they hold (read from the emulator's grid).
    pub fn sheet_rows(&self) -> (usize, usize) {
        let rows = self.emulators.rows(TAB);
        let Some(header) = rows.first() else {
            return (0, 0);
        };
        let col = |name: &str| header.iter().position(|v| v.as_str() == Some(name));
        let (Some(o), Some(l)) = (col("Order ID"), col("Line Item ID")) else {
            return (0, 0);
        };
        let mut keys = std::collections::HashSet::new();
        let mut count = 0;
        for row in &rows[1..] {
            let get = |i: usize| row.get(i).map(cell_text).unwrap_or_default();
            let key = (get(o), get(l));
            if key.0.is_empty() {
                continue;
            }
            count += 1;
            keys.insert(key);
        }
        (count, keys.len())
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
