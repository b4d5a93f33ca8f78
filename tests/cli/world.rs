//! A world for end-to-end tests: both emulators on loopback (validating every request against
//! Shopify's schema and Google's discovery documents, through the extracts in `references/`), a
//! seeded store, a spreadsheet, and a working directory whose config points `shopsync` at them.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;
use shopsync::sandbox::data::{StoreSpec, generate};
use shopsync::sandbox::google::SandboxOptions;
use shopsync::sandbox::shopify::{
    BucketConfig, EmulatorConfig, Fault as ShopifyFault, SANDBOX_TOKEN,
};
use shopsync::sandbox::world::Emulators;

use crate::support::{Sandbox, read_csv};

/// The tab the tests sync to.
pub const TAB: &str = "Orders";

/// The method a sync writes rows with (`values:batchUpdate`), as faults and counts name it.
pub const VALUES_WRITE: &str = "spreadsheets.values.batchUpdate";

/// Google methods that change a spreadsheet.
pub const GOOGLE_WRITES: [&str; 6] = [
    "spreadsheets.batchUpdate",
    "spreadsheets.values.batchUpdate",
    "spreadsheets.values.update",
    "spreadsheets.values.append",
    "spreadsheets.values.clear",
    "spreadsheets.values.batchClear",
];

/// A stall longer than any test: a test that injects one ends it with `stalls().release()` once it
/// did its part (waiting for `stalled()` to see it begin).
pub const HELD: Duration = Duration::from_secs(120);

/// Emulators, a spreadsheet and a configured working directory.
pub struct World {
    pub dir: Sandbox,
    /// Both emulators and the spreadsheet (`world.shopify`, `world.google`, `world.spreadsheet`).
    pub emulators: Emulators,
    /// The `config.json` written for shopsync, so tests can change one value.
    pub config: Value,
    /// Whether Shopify's cost bucket never throttles (large stores, where pacing is not the point).
    pub unlimited_bucket: std::cell::Cell<bool>,
    // Declared last: dropped after the emulators it runs.
    _runtime: tokio::runtime::Runtime,
}

impl Drop for World {
    /// Every request shopsync sent to Google in the test must conform to the discovery documents:
    /// a request the emulator refused as malformed would otherwise pass for the failure a test
    /// expects (as the Sheets client's own tests check).
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_eq!(
                self.google.violations(),
                0,
                "shopsync sent Google a request that breaks its discovery documents"
            );
        }
    }
}

impl std::ops::Deref for World {
    type Target = Emulators;

    fn deref(&self) -> &Emulators {
        &self.emulators
    }
}

impl std::ops::DerefMut for World {
    fn deref_mut(&mut self) -> &mut Emulators {
        &mut self.emulators
    }
}

impl World {
    /// A store of `orders` orders from `seed`, and an empty spreadsheet titled "Shop Orders".
    pub fn new(seed: u64, orders: usize) -> Self {
        Self::build(seed, orders, |_| {})
    }

    /// Like [`World::new`], with a Shopify cost bucket that never throttles: for tests whose
    /// point is not pacing, so that they run in seconds.
    pub fn fast(seed: u64, orders: usize) -> Self {
        let world = Self::new(seed, orders);
        world.unlimited_bucket.set(true);
        world
    }

    /// Like [`World::new`], with the Shopify emulator's configuration adjusted by `adjust`.
    pub fn build(seed: u64, orders: usize, adjust: impl FnOnce(&mut EmulatorConfig)) -> Self {
        Self::build_with(seed, orders, adjust, SandboxOptions::default())
    }

    /// Like [`World::build`], with the Google emulator started with `google`.
    pub fn build_with(
        seed: u64,
        orders: usize,
        adjust: impl FnOnce(&mut EmulatorConfig),
        google: SandboxOptions,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        // The newest order is an hour old, so a run right after a sync has nothing in its overlap window.
        let data = generate(&StoreSpec::new(
            seed,
            orders,
            Utc::now() - chrono::Duration::hours(1),
        ));
        let emulators =
            Emulators::start(&runtime, data, adjust, google, "Shop Orders").expect("start");
        let dir = Sandbox::new();
        emulators
            .google
            .write_service_account_file(&dir.file("key.json"))
            .expect("write the key file");
        let config = Value::Object(emulators.config("sandbox-shop", "key.json", TAB));
        dir.write("config.json", &config.to_string());
        Self {
            dir,
            emulators,
            config,
            unlimited_bucket: std::cell::Cell::new(false),
            _runtime: runtime,
        }
    }

    /// `shopsync ARGS` in the world's directory.
    pub fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        self.dir.cmd(args)
    }

    /// `shopsync ARGS` (a `--json` command) in the world's directory: its exit code and the one
    /// JSON object it printed.
    pub fn json(&self, args: &[&str]) -> (i32, Value) {
        self.dir.json(args)
    }

    /// What no output may hold: the sandbox's Shopify token, a Google access token's prefix, the
    /// service-account key's PEM markers and a line of its body.
    pub fn secrets(&self) -> Vec<String> {
        let key: Value = serde_json::from_str(
            &std::fs::read_to_string(self.dir.file("key.json")).expect("key file"),
        )
        .expect("key JSON");
        let pem_line = key["private_key"]
            .as_str()
            .and_then(|pem| pem.lines().nth(1))
            .expect("a PEM body line")
            .to_owned();
        vec![
            SANDBOX_TOKEN.to_owned(),
            "ya29.".to_owned(),
            "PRIVATE KEY".to_owned(),
            pem_line,
        ]
    }

    /// The tab's cells, read from the emulator's grid (never through shopsync's client).
    pub fn rows(&self) -> Vec<Vec<Value>> {
        self.emulators.rows(TAB)
    }

    /// The (Order ID, Line Item ID) of every data row, in sheet order.
    pub fn keys(&self) -> Vec<(String, String)> {
        let rows = self.rows();
        let (o, l) = (
            column(&rows[0], "Order ID"),
            column(&rows[0], "Line Item ID"),
        );
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
        self.shopify.set_bucket(if self.unlimited_bucket.get() {
            BucketConfig::unlimited()
        } else {
            BucketConfig::default()
        });
    }

    /// The keys of every line item Shopify holds now, sorted.
    pub fn shopify_keys(&self) -> Vec<(String, String)> {
        let mut keys: Vec<(String, String)> = self
            .order_ids()
            .into_iter()
            .flat_map(|id| self.keys_of(id))
            .collect();
        keys.sort();
        keys
    }

    /// Sets one `config.json` value (`null` removes it) and rewrites the file.
    pub fn set_config(&mut self, key: &str, value: Value) {
        let object = self.config.as_object_mut().expect("config object");
        if value.is_null() {
            object.remove(key);
        } else {
            object.insert(key.to_owned(), value);
        }
        self.dir.write("config.json", &self.config.to_string());
    }

    /// `shopsync sync ARGS` with a full cost bucket; asserts exit 0 and returns stdout.
    pub fn sync_ok(&self, args: &[&str]) -> String {
        self.refill_bucket();
        let mut all = vec!["sync"];
        all.extend_from_slice(args);
        let out = self.cmd(&all).output().expect("run shopsync");
        assert!(
            out.status.success(),
            "sync {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `shopsync sync ARGS`: (exit code, stdout, stderr).
    pub fn sync_code(&self, args: &[&str]) -> (i32, String, String) {
        self.refill_bucket();
        let mut all = vec!["sync"];
        all.extend_from_slice(args);
        let out = self.cmd(&all).output().expect("run shopsync");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `shopsync ARGS` started in the background (a plain child process, so a test can kill it).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.refill_bucket();
        self.spawn_as_is(args)
    }

    /// Like [`World::spawn`], with the cost bucket left as it is.
    pub fn spawn_as_is(&self, args: &[&str]) -> std::process::Child {
        std::process::Command::new(env!("CARGO_BIN_EXE_shopsync"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path())
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn shopsync")
    }

    /// Requests of one Google method so far (`spreadsheets.values.batchUpdate`, …).
    pub fn google_requests(&self, method: &str) -> u64 {
        self.google.counts().get(method).map_or(0, |c| c.requests)
    }

    /// Runs `sync` and asserts it had nothing to do: one Shopify request (shop and orders page),
    /// none to Google, as an hourly run with nothing new must.
    pub fn assert_sync_has_nothing_to_do(&self) -> String {
        self.google.reset_counts();
        let requests = self.shopify.stats().requests;
        let stdout = self.sync_ok(&[]);
        assert_eq!(self.shopify.stats().requests - requests, 1, "{stdout}");
        assert!(
            self.google.counts().is_empty(),
            "{:?}",
            self.google.counts()
        );
        stdout
    }

    /// Asserts no request that changes a spreadsheet reached Google since the counts were reset.
    pub fn assert_no_google_write(&self) {
        let counts = self.google.counts();
        for method in GOOGLE_WRITES {
            assert!(
                !counts.contains_key(method),
                "{method} was sent: {counts:?}"
            );
        }
    }

    /// The folders dry runs left under `test_output/`, oldest first.
    pub fn dry_run_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(self.dir.file("test_output"))
            .expect("test_output exists")
            .map(|e| e.expect("entry").path())
            .collect();
        dirs.sort();
        dirs
    }

    /// The zero-based column of an owned header.
    pub fn col(&self, name: &str) -> usize {
        column(&self.rows()[0], name)
    }

    /// Every keyed data row by key, with its 1-based sheet row.
    pub fn rows_by_key(&self) -> BTreeMap<(String, String), (u32, Vec<Value>)> {
        let rows = self.rows();
        let (o, l) = (
            column(&rows[0], "Order ID"),
            column(&rows[0], "Line Item ID"),
        );
        let mut out = BTreeMap::new();
        for (i, row) in rows.iter().enumerate().skip(1) {
            let get = |c: usize| row.get(c).and_then(Value::as_str).unwrap_or("").to_owned();
            let key = (get(o), get(l));
            if key.0.is_empty() {
                continue;
            }
            let number = u32::try_from(i + 1).expect("row number");
            assert!(
                out.insert(key.clone(), (number, row.clone())).is_none(),
                "key {key:?} on more than one row"
            );
        }
        out
    }

    /// A cell of a data row, by header name (`Null` past the row's end).
    pub fn cell(&self, key: &(String, String), name: &str) -> Value {
        let col = self.col(name);
        let rows = self.rows_by_key();
        let (_, row) = rows
            .get(key)
            .unwrap_or_else(|| panic!("no row for {key:?}"));
        row.get(col).cloned().unwrap_or(Value::Null)
    }

    /// The order IDs in the Shopify store, ascending.
    pub fn order_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .shopify
            .with_store(|store, _| store.orders().map(|o| o.id).collect());
        ids.sort_unstable();
        ids
    }

    /// The sheet keys of one order's line items, as Shopify holds them now.
    pub fn keys_of(&self, order: u64) -> Vec<(String, String)> {
        self.shopify.with_store(|store, _| {
            store
                .get(order)
                .map(|o| {
                    o.lines
                        .iter()
                        .map(|l| (order.to_string(), l.id.to_string()))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// The order's name (`#1001`).
    pub fn order_name(&self, order: u64) -> String {
        self.shopify
            .with_store(|store, _| format!("#{}", store.get(order).expect("order exists").number))
    }

    /// Asserts promise 1: one row per line item Shopify holds, each key once.
    pub fn assert_exactly_once(&self) {
        let keys = self.keys();
        let unique: HashSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "duplicate rows in the sheet");
        let expected: HashSet<(String, String)> = self
            .order_ids()
            .into_iter()
            .flat_map(|id| self.keys_of(id))
            .collect();
        assert_eq!(
            unique,
            expected.iter().collect(),
            "the sheet's keys differ from Shopify's line items"
        );
    }

    /// The tracking DB's path.
    pub fn db(&self) -> PathBuf {
        self.dir.file("shopify_sync.db")
    }

    /// Every table of the tracking DB but `skip`, as text, for before/after comparisons.
    pub fn dump_db(&self, skip: &[&str]) -> BTreeMap<String, Vec<String>> {
        let db = rusqlite::Connection::open_with_flags(
            self.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the DB");
        let tables: Vec<String> = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("list tables")
            .query_map([], |r| r.get(0))
            .expect("list tables")
            .collect::<Result<_, _>>()
            .expect("list tables");
        let mut out = BTreeMap::new();
        for table in tables.into_iter().filter(|t| !skip.contains(&t.as_str())) {
            let mut stmt = db
                .prepare(&format!("SELECT * FROM \"{table}\""))
                .expect("select");
            let width = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    let cells: Vec<String> = (0..width)
                        .map(|i| match r.get_ref(i).expect("cell") {
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            other => format!("{other:?}"),
                        })
                        .collect();
                    Ok(cells.join("|"))
                })
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("rows");
            rows.sort();
            out.insert(table, rows);
        }
        out
    }

    /// `(mode, outcome)` of every `sync_history` row, oldest first.
    pub fn history(&self) -> Vec<(String, String)> {
        let db = rusqlite::Connection::open_with_flags(
            self.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the DB");
        db.prepare("SELECT mode, outcome FROM sync_history ORDER BY id")
            .expect("history")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("history")
            .collect::<Result<_, _>>()
            .expect("history")
    }

    /// Asserts the tracking DB's tables but `skip` still equal `before`, naming what changed.
    pub fn assert_db_unchanged(&self, before: &BTreeMap<String, Vec<String>>, skip: &[&str]) {
        let after = self.dump_db(skip);
        let mut diffs = Vec::new();
        for (table, rows) in before {
            let now = after.get(table).cloned().unwrap_or_default();
            for row in rows.iter().filter(|r| !now.contains(r)) {
                diffs.push(format!("{table}: - {row}"));
            }
            for row in now.iter().filter(|r| !rows.contains(r)) {
                diffs.push(format!("{table}: + {row}"));
            }
        }
        for table in after.keys().filter(|t| !before.contains_key(*t)) {
            diffs.push(format!("new table {table}"));
        }
        assert!(diffs.is_empty(), "the DB changed:\n{}", diffs.join("\n"));
    }
}

/// The zero-based column of `name` in row 1 (`header`).
fn column(header: &[Value], name: &str) -> usize {
    header
        .iter()
        .position(|v| v.as_str() == Some(name))
        .unwrap_or_else(|| panic!("no {name} header in {header:?}"))
}

/// A THROTTLED reply as Shopify sends it: HTTP 200, an error with the code, and the bucket
/// (`available` of `maximum` points, restoring `restore` a second) that could not pay `requested`.
pub fn throttled(requested: u32, available: u32, maximum: u32, restore: u32) -> ShopifyFault {
    ShopifyFault::Status {
        status: 200,
        body: serde_json::json!({
            "errors": [{ "message": "Throttled", "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits" } }],
            "extensions": { "cost": {
                "requestedQueryCost": requested, "actualQueryCost": null,
                "throttleStatus": {
                    "maximumAvailable": f64::from(maximum),
                    "currentlyAvailable": available,
                    "restoreRate": f64::from(restore) } } }
        })
        .to_string(),
        retry_after: None,
    }
}

/// Waits until `done` holds (polling), failing the test after a generous minute.
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "gave up waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The keys (Order ID, Line Item ID) of the rows a dry run's `append.csv` in `dir` plans, sorted.
pub fn planned_appends(dir: &std::path::Path) -> Vec<(String, String)> {
    // Sheet Row, Order, then Order ID and Line Item ID.
    let mut keys: Vec<(String, String)> = read_csv(&dir.join("append.csv"))
        .1
        .into_iter()
        .map(|r| (r[2].clone(), r[3].clone()))
        .collect();
    keys.sort();
    keys
}
