//! The steps of a schedule, each drawn from the seeded generator: what Shopify does, what a person
//! does in the sheet, and how shopsync is run. Each step leaves the world quiet (no run in
//! flight, no planned fault pending) and is followed by the checks.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::time::Duration;

use serde_json::json;
use shopsync::sandbox::google::{Fault, SandboxOptions};
use shopsync::sandbox::shopify::{AppCredentials, EmulatorConfig};

use crate::checks::{self, Expect, is_owned};
use crate::runs::{self, Outcome, ReadOnly};
use crate::world::{HELD, TAB, World};

/// Orders in the store a schedule starts from.
const ORDERS: usize = 40;
/// The Shopify app's client secret, which no output may show.
const SECRET: &str = "chaos-secret-3b1f";
/// Steps remembered for the report of a failure.
const REMEMBERED: usize = 40;

/// Texts customers and staff put in notes: formulas, signs, leading zeros, newlines.
const HOSTILE: [&str; 8] = [
    "=HYPERLINK(\"http://x\",\"click\")",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
    "02134",
    "two\nlines",
    "'quoted",
];

/// What a schedule did, for the closing line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Steps taken.
    pub steps: usize,
    /// Runs of the binary.
    pub runs: usize,
    /// Runs ended by SIGKILL.
    pub kills: usize,
    /// Faults planned on the services (each a request that fails or stalls).
    pub faults: usize,
    /// Pairs of commands run at once.
    pub overlaps: usize,
    /// Runs on a read-only DB or a full disk.
    pub db_faults: usize,
    /// Runs on a full disk that stopped with exit 4 (the rest fit).
    pub full_disk_refusals: usize,
    /// Syncs that exited 0, each followed by the full checks.
    pub good_syncs: usize,
    /// Shopify changes and person's edits applied.
    pub edits: usize,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} runs of the binary, {} kills, {} faults, {} overlaps, {} read-only or full DB runs ({} stopped by the full disk), {} good syncs, {} edits",
            self.runs,
            self.kills,
            self.faults,
            self.overlaps,
            self.db_faults,
            self.full_disk_refusals,
            self.good_syncs,
            self.edits
        )
    }
}

/// A schedule in progress.
pub struct Chaos {
    world: World,
    rng: fastrand::Rng,
    seed: u64,
    expect: Expect,
    stats: Stats,
    recent: VecDeque<String>,
    /// Typical length of a sync, for killing one at a random instant.
    run_ms: u64,
    typed: usize,
    own_columns: usize,
    read_only_works: bool,
    /// `SHOPSYNC_CHAOS_TRACE` set: every step is printed as it ends, with its time.
    trace: bool,
}

impl Drop for Chaos {
    /// Names the seed, the failing step and the steps before it when a check failed.
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "chaos: FAILED at step {} of seed {} (replay: SHOPSYNC_CHAOS_SEED={} SHOPSYNC_CHAOS_STEPS={}); the last steps:",
                self.stats.steps + 1,
                self.seed,
                self.seed,
                self.stats.steps + 1
            );
            for line in &self.recent {
                eprintln!("  {line}");
            }
            runs::quiet(&self.world);
        }
    }
}

impl Chaos {
    /// A world of [`ORDERS`] orders drawn from `seed`, nothing synced yet.
    pub fn new(seed: u64) -> Self {
        // A schedule runs in minutes what cron runs over days: Google's per-minute quotas would
        // stand for hours that pass between real runs, so this emulator has none (the 429 it
        // answers when a quota is spent is among the planned faults).
        let google = SandboxOptions {
            read_quota: 0,
            write_quota: 0,
            ..SandboxOptions::default()
        };
        // Shopify through a client-credentials app whose tokens live seconds: runs renew them,
        // on expiry and after the 401 of one that died mid-run.
        let adjust = |config: &mut EmulatorConfig| {
            config.app = Some(AppCredentials {
                client_id: "chaos-client".to_owned(),
                client_secret: SECRET.to_owned(),
                scopes: vec!["read_orders".to_owned(), "read_all_orders".to_owned()],
                lifetime: Duration::from_secs(2),
            });
        };
        let mut world = World::build_with(seed, ORDERS, adjust, google);
        world.unlimited_bucket.set(true);
        world.set_config("shopify_access_token", serde_json::Value::Null);
        world.set_config("shopify_client_id", json!("chaos-client"));
        world.set_config("shopify_client_secret", json!(SECRET));
        let mut expect = Expect::default();
        expect.learn_keys(&world);
        Self {
            world,
            rng: fastrand::Rng::with_seed(seed),
            seed,
            expect,
            stats: Stats::default(),
            recent: VecDeque::new(),
            run_ms: 300,
            typed: 0,
            own_columns: 0,
            read_only_works: true,
            trace: std::env::var_os("SHOPSYNC_CHAOS_TRACE").is_some(),
        }
    }

    /// What the schedule did so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    fn note(&mut self, what: impl Into<String>) {
        let what: String = what.into();
        if self.recent.len() == REMEMBERED {
            self.recent.pop_front();
        }
        self.recent
            .push_back(format!("step {}: {what}", self.stats.steps + 1));
    }

    /// Adds how a run ended to the step's line, after checking it printed no secret.
    fn ended(&mut self, out: &Outcome) {
        assert!(
            !out.stderr.contains(SECRET),
            "promise 7: the client secret on stderr:\n{}",
            out.stderr
        );
        if let Some(line) = self.recent.back_mut() {
            let first = out.stderr.lines().next().unwrap_or("");
            line.push_str(&format!(" -> {:?}/{:?} {first}", out.code, out.signal));
        }
    }

    /// One step, then the checks.
    pub fn step(&mut self) {
        let started = std::time::Instant::now();
        match self.rng.u32(0..100) {
            0..=34 => self.shopify_changes(),
            35..=64 => self.person_edits(),
            65..=76 => self.sync(),
            77..=79 => self.dry_run(),
            80..=82 => self.missing(),
            83..=84 => self.reset(),
            85..=89 => self.kill(),
            90..=92 => self.overlap(),
            93..=95 => self.token_expiry(),
            96..=97 => self.read_only(),
            _ => self.full_disk(),
        }
        let ran = started.elapsed();
        self.expect.always(&self.world);
        if (self.stats.steps + 1).is_multiple_of(500) {
            eprintln!("chaos: {} steps, {}", self.stats.steps + 1, self.stats);
        }
        if self.trace {
            eprintln!(
                "chaos: {} ({} ms, checks {} ms)",
                self.recent.back().map_or("", String::as_str),
                ran.as_millis(),
                (started.elapsed() - ran).as_millis()
            );
        }
        self.stats.steps += 1;
    }

    /// A last clean sync and `missing`: everything must be whole.
    pub fn finish(&mut self) {
        self.note("final sync and missing".to_owned());
        let out = self.run(&["sync"]);
        out.expect("sync", &[0]);
        self.expect.after_sync(&self.world);
        let out = self.run(&["missing"]);
        out.expect("missing", &[0]);
        self.expect.after_missing(&self.world);
        self.expect.always(&self.world);
        let log = std::fs::read_to_string(self.world.dir.file("shopify_sync.log")).expect("log");
        assert!(
            !log.contains(SECRET),
            "promise 7: the client secret in the log"
        );
    }

    fn run(&mut self, args: &[&str]) -> Outcome {
        self.stats.runs += 1;
        let out = runs::run(&self.world, args);
        self.ended(&out);
        out
    }

    fn synced(&self) -> bool {
        self.world.db().exists() && checks::rows(&self.world).is_some()
    }

    fn pick_order(&mut self) -> Option<u64> {
        let ids = self.world.order_ids();
        (!ids.is_empty()).then(|| ids[self.rng.usize(..ids.len())])
    }

    // --- Shopify -------------------------------------------------------------------------------

    fn shopify_changes(&mut self) {
        self.stats.edits += 1;
        let id = self.pick_order();
        let shopify = &self.world.shopify;
        let what = match self.rng.u32(0..20) {
            0..=3 => {
                let n = self.rng.usize(1..=3);
                format!("shopify: {n} new orders {:?}", shopify.add_orders(n))
            }
            4..=6 => {
                id.map(|id| shopify.touch(id));
                format!("shopify: order {id:?} updated")
            }
            7..=8 => {
                id.map(|id| shopify.cancel(id));
                format!("shopify: order {id:?} cancelled")
            }
            9..=10 => {
                let minor = self.rng.i64(100..5_000);
                id.map(|id| shopify.refund(id, minor));
                format!("shopify: order {id:?} refunded {minor}")
            }
            11..=12 => {
                let index = self.rng.usize(0..3);
                let done = id.is_some_and(|id| shopify.edit_lines(id, index));
                format!("shopify: order {id:?} edited, line {index} removed, one added: {done}")
            }
            13 => {
                id.map(|id| shopify.delete(id));
                format!("shopify: order {id:?} deleted")
            }
            14..=16 => {
                let note = HOSTILE[self.rng.usize(..HOSTILE.len())];
                id.map(|id| {
                    shopify.with_store(|s, now| {
                        s.update(id, now.timestamp(), |o| o.note = Some(note.into()))
                    })
                });
                format!("shopify: order {id:?} note {note:?}")
            }
            _ => {
                // A bulk edit: many orders, one updatedAt.
                let ids = self.world.order_ids();
                let n = self.rng.usize(2..=ids.len().clamp(2, 30));
                let chosen: Vec<u64> = (0..n).map(|_| ids[self.rng.usize(..ids.len())]).collect();
                let tag = format!("burst {}", self.stats.steps);
                shopify.with_store(|s, now| {
                    for id in &chosen {
                        s.update(*id, now.timestamp(), |o| o.tags.push(tag.as_str().into()));
                    }
                });
                format!("shopify: burst of {n} updates with one updatedAt")
            }
        };
        self.note(what);
        self.expect.learn_keys(&self.world);
    }

    // --- A person in the sheet -----------------------------------------------------------------

    fn person_edits(&mut self) {
        let Some(rows) = checks::rows(&self.world) else {
            self.note("person: no tab yet".to_owned());
            return;
        };
        let header = checks::header(&rows);
        if header.is_empty() {
            self.note("person: no header yet".to_owned());
            return;
        }
        self.stats.edits += 1;
        let width = u32::try_from(header.len()).expect("width");
        let used = u32::try_from(rows.len()).expect("rows");
        let sheet = self.world.spreadsheet.clone();
        let google = &self.world.google;
        let what = match self.rng.u32(0..20) {
            0..=2 => {
                let col = self.rng.u32(0..width);
                let descending = self.rng.bool();
                google.person_sort_rows(&sheet, TAB, col, descending);
                format!(
                    "person: sorted by {:?}, descending {descending}",
                    header[col as usize]
                )
            }
            3..=4 => {
                let at = self.rng.u32(2..=used + 1);
                let n = self.rng.u32(1..=3);
                google.person_insert_blank_rows(&sheet, TAB, at, n);
                format!("person: {n} blank rows before row {at}")
            }
            5..=6 => {
                self.typed += 1;
                let marker = format!("typed {}", self.typed);
                let mut values = vec![json!(""); header.len()];
                let mut record = BTreeMap::new();
                let mut free: Vec<usize> = (0..header.len())
                    .filter(|c| !["Order ID", "Line Item ID"].contains(&header[*c].as_str()))
                    .collect();
                self.rng.shuffle(&mut free);
                for (k, c) in free.into_iter().take(self.rng.usize(1..=3)).enumerate() {
                    let text = if k == 0 {
                        marker.clone()
                    } else {
                        format!("{marker}/{k}")
                    };
                    values[c] = json!(text);
                    record.insert(header[c].clone(), text);
                }
                let at = self.rng.u32(2..=used + 1);
                google.person_insert_typed_row(&sheet, TAB, at, &values);
                self.expect.typed.insert(marker.clone(), record);
                format!("person: typed row {marker:?} before row {at}")
            }
            7..=8 if self.own_columns < 3 => {
                self.own_columns += 1;
                let name = format!("Mine {}", self.own_columns);
                let at = self.rng.u32(0..=width);
                google.person_add_column(&sheet, TAB, at, &name);
                format!("person: own column {name:?} at {at}")
            }
            9..=10 => {
                let from = self.rng.u32(0..width);
                let to = self.rng.u32(0..width);
                google.person_move_column(&sheet, TAB, from, to);
                format!(
                    "person: moved column {:?} from {from} to {to}",
                    header[from as usize]
                )
            }
            11 => {
                let keyed = checks::keyed(&rows);
                let Some((key, (row, _))) = keyed.iter().nth(self.rng.usize(..keyed.len().max(1)))
                else {
                    return self.note("person: no row to delete".to_owned());
                };
                google.person_delete_row(&sheet, TAB, *row);
                self.expect.cells.retain(|(k, _), _| k != key);
                self.expect.gone.insert(key.clone());
                format!("person: deleted row {row} of {key:?}")
            }
            _ => {
                let keyed = checks::keyed(&rows);
                let own: Vec<usize> = (0..header.len())
                    .filter(|c| !header[*c].is_empty() && !is_owned(&header[*c]))
                    .collect();
                let Some((key, (row, _))) = keyed.iter().nth(self.rng.usize(..keyed.len().max(1)))
                else {
                    return self.note("person: no row to write in".to_owned());
                };
                if own.is_empty() {
                    return self.note("person: no column of their own yet".to_owned());
                }
                let c = own[self.rng.usize(..own.len())];
                let text = if self.rng.u32(0..5) == 0 {
                    String::new()
                } else {
                    format!("mine {}", self.stats.steps)
                };
                google.person_edit_cell(
                    &sheet,
                    TAB,
                    *row,
                    u32::try_from(c).expect("col"),
                    &json!(text),
                );
                self.expect
                    .cells
                    .insert((key.clone(), header[c].clone()), text.clone());
                format!("person: {:?} of {key:?} (row {row}) = {text:?}", header[c])
            }
        };
        self.note(what);
    }

    // --- Runs ----------------------------------------------------------------------------------

    fn sync(&mut self) {
        let n = if self.rng.bool() {
            0
        } else {
            self.rng.usize(1..=2)
        };
        let planned = runs::plan_faults(&self.world, &mut self.rng, n);
        self.stats.faults += planned.len();
        self.note(format!("sync with faults {planned:?}"));
        let out = self.run(&["sync"]);
        runs::quiet(&self.world);
        out.expect("sync", &[0]);
        self.run_ms = (self.run_ms * 3 + u64::try_from(out.took.as_millis()).unwrap_or(0)) / 4;
        self.good_sync();
    }

    fn good_sync(&mut self) {
        self.stats.good_syncs += 1;
        self.expect.after_sync(&self.world);
    }

    fn dry_run(&mut self) {
        let n = self.rng.usize(0..=2);
        let planned = runs::plan_faults(&self.world, &mut self.rng, n);
        self.stats.faults += planned.len();
        self.note(format!("sync --test with faults {planned:?}"));
        let rows = checks::rows(&self.world);
        let db = self
            .world
            .db()
            .exists()
            .then(|| self.world.dump_db(&["sync_history", "sqlite_sequence"]));
        let out = self.run(&["sync", "--test"]);
        runs::quiet(&self.world);
        out.expect("sync --test", &[0]);
        assert_eq!(
            checks::rows(&self.world),
            rows,
            "promise 6: a dry run changed the sheet"
        );
        if let Some(db) = db {
            self.world
                .assert_db_unchanged(&db, &["sync_history", "sqlite_sequence"]);
        }
    }

    fn missing(&mut self) {
        self.note("missing".to_owned());
        let out = self.run(&["missing"]);
        if !self.synced() {
            // Before the first sync there is nothing to reconcile: a clear refusal.
            return out.expect("missing before any sync", &[0, 2, 4]);
        }
        out.expect("missing", &[0]);
        self.expect.after_missing(&self.world);
    }

    fn reset(&mut self) {
        let Some(id) = self.pick_order() else {
            return self.note("reset: no order".to_owned());
        };
        let name = self.world.order_name(id);
        let number = name.trim_start_matches('#').to_owned();
        let tracked = self.world.db().exists()
            && self
                .world
                .dump_db(&[])
                .get("order_tracking")
                .is_some_and(|rows| {
                    rows.iter()
                        .any(|r| r.starts_with(&format!("gid://shopify/Order/{id}|")))
                });
        self.note(format!("reset {number} (tracked: {tracked})"));
        let out = self.run(&["reset", &number]);
        if tracked {
            out.expect("reset", &[0]);
        } else {
            out.expect("reset of an untracked number", &[1, 4]);
        }
    }

    fn kill(&mut self) {
        // Something to do, so the run writes.
        if let Some(id) = self.pick_order() {
            self.world.shopify.touch(id);
        }
        self.world.shopify.add_orders(self.rng.usize(0..=2));
        self.expect.learn_keys(&self.world);
        self.stats.runs += 1;
        let out = if self.rng.bool() {
            let delay = self.rng.u64(0..=(self.run_ms * 3 / 2).min(3_000));
            self.note(format!("sync killed after {delay} ms"));
            let (child, started) = runs::spawn(&self.world, &["sync"]);
            std::thread::sleep(Duration::from_millis(delay));
            runs::kill_9(child, started)
        } else {
            let method = [
                "spreadsheets.values.batchUpdate",
                "spreadsheets.values.batchGet",
                "spreadsheets.batchUpdate",
                "spreadsheets.get",
            ][self.rng.usize(..4)];
            let skip = self.rng.u64(0..3);
            self.note(format!("sync killed while {method} (after {skip}) stalls"));
            self.world.google.inject(method, skip, Fault::Stall(HELD));
            let (mut child, started) = runs::spawn(&self.world, &["sync"]);
            let stalled = self.world.google.stalls().stalled();
            let google = &self.world.google;
            runs::wait_until_held(&mut child, || google.stalls().stalled() > stalled);
            runs::kill_9(child, started)
        };
        runs::quiet(&self.world);
        if out.signal == Some(9) {
            self.stats.kills += 1;
        } else {
            out.expect("sync (finished before the kill)", &[0]);
            self.good_sync();
        }
    }

    fn overlap(&mut self) {
        self.stats.overlaps += 1;
        self.stats.runs += 2;
        if let Some(id) = self.pick_order() {
            self.world.shopify.touch(id);
        }
        let other: Vec<String> = match self.rng.u32(0..4) {
            0 => vec!["sync".into()],
            1 => vec!["sync".into(), "--test".into()],
            2 => vec!["missing".into()],
            _ => {
                let id = self.pick_order().expect("an order");
                vec![
                    "reset".into(),
                    self.world.order_name(id).trim_start_matches('#').to_owned(),
                ]
            }
        };
        let hold = self.rng.u64(0..400);
        self.world.google.inject(
            "spreadsheets.values.batchGet",
            0,
            Fault::Stall(Duration::from_millis(hold)),
        );
        let delay = self.rng.u64(0..=self.run_ms);
        self.note(format!("sync, and {other:?} {delay} ms later"));
        let synced = self.synced();
        let (first, started) = runs::spawn(&self.world, &["sync"]);
        std::thread::sleep(Duration::from_millis(delay));
        let args: Vec<&str> = other.iter().map(String::as_str).collect();
        let second = runs::run(&self.world, &args);
        let first = runs::finish(first, started);
        runs::quiet(&self.world);
        first.expect("sync (overlapped)", &[0, 5]);
        let allowed: &[i32] = match args[0] {
            "reset" => &[0, 1, 4, 5],
            "missing" if !synced => &[0, 2, 4, 5],
            _ if args.len() == 2 => &[0],
            _ => &[0, 5],
        };
        second.expect(&other.join(" "), allowed);
        if first.code == Some(0) || (args == ["sync"] && second.code == Some(0)) {
            self.good_sync();
        }
    }

    fn token_expiry(&mut self) {
        // The run's Google token dies while a read of the sheet stalls: one refresh saves it.
        if !self.synced() {
            return self.sync();
        }
        if let Some(id) = self.pick_order() {
            self.world.shopify.touch(id);
        }
        self.note("sync, its Google token revoked mid-run".to_owned());
        self.stats.runs += 1;
        self.stats.faults += 1;
        self.world
            .google
            .inject("spreadsheets.values.batchGet", 0, Fault::Stall(HELD));
        let stalled = self.world.google.stalls().stalled();
        let (mut child, started) = runs::spawn(&self.world, &["sync"]);
        let google = &self.world.google;
        if runs::wait_until_held(&mut child, || google.stalls().stalled() > stalled) {
            google.revoke_tokens();
            google.stalls().release();
        }
        let out = runs::finish(child, started);
        runs::quiet(&self.world);
        out.expect("sync with its token revoked", &[0]);
        self.good_sync();
    }

    fn read_only(&mut self) {
        if !self.synced() || !self.read_only_works {
            return self.sync();
        }
        let Some(guard) = ReadOnly::new(&self.world) else {
            eprintln!(
                "chaos: cannot make a file read-only here; read-only steps run syncs instead"
            );
            self.read_only_works = false;
            return self.sync();
        };
        self.stats.db_faults += 1;
        if let Some(id) = self.pick_order() {
            self.world.shopify.touch(id);
        }
        self.note("sync on a read-only DB".to_owned());
        let before = self.world.dump_db(&[]);
        let out = self.run(&["sync"]);
        drop(guard);
        runs::quiet(&self.world);
        out.expect("sync on a read-only DB", &[4]);
        self.world.assert_db_unchanged(&before, &[]);
    }

    fn full_disk(&mut self) {
        if !self.synced() {
            return self.sync();
        }
        self.stats.db_faults += 1;
        self.stats.runs += 1;
        if let Some(id) = self.pick_order() {
            self.world.shopify.touch(id);
        }
        self.world.shopify.add_orders(self.rng.usize(0..=3));
        self.expect.learn_keys(&self.world);
        let size = |suffix: &str| {
            std::fs::metadata(self.world.dir.file(&format!("shopify_sync.db{suffix}")))
                .map_or(0, |m| m.len() / 1024)
        };
        let largest = size("").max(size("-wal"));
        let limit = self.rng.u64(4..=largest + 64);
        self.note(format!(
            "sync on a disk that fills at {limit} KiB per file (DB {largest} KiB)"
        ));
        let out = runs::run_on_full_disk(&self.world, &["sync"], limit);
        self.ended(&out);
        runs::quiet(&self.world);
        out.expect("sync on a full disk", &[0, 4]);
        if out.code == Some(0) {
            self.good_sync();
        } else {
            self.stats.full_disk_refusals += 1;
        }
    }
}
