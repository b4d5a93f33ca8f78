//! Running the binary the ways a schedule needs: plainly, with faults planned on both services,
//! killed with SIGKILL, overlapped with another command, on a read-only DB and on a disk that fills.

use std::os::unix::process::ExitStatusExt as _;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use shopsync::sandbox::google::Fault;
use shopsync::sandbox::shopify::Fault as ShopifyFault;

use crate::world::{World, throttled};

/// How one run of the binary ended.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
    /// Its stderr (empty for runs started in the background).
    pub stderr: String,
    /// How long it ran.
    pub took: Duration,
}

impl Outcome {
    fn new(status: ExitStatus, stderr: String, took: Duration) -> Self {
        Self {
            code: status.code(),
            signal: status.signal(),
            stderr,
            took,
        }
    }

    /// Asserts the run exited with one of `codes`, naming what it printed otherwise.
    pub fn expect(&self, what: &str, codes: &[i32]) {
        assert!(
            self.code.is_some_and(|c| codes.contains(&c)),
            "`{what}` ended with {:?} (signal {:?}), expected one of {codes:?}; stderr:\n{}",
            self.code,
            self.signal,
            self.stderr
        );
    }
}

/// The binary under test: `SHOPSYNC_CHAOS_BIN` when set (a copy, so that a soak keeps running
/// the binary it started with while the tree is rebuilt), else the one cargo built. A relative
/// path is taken from where the test started (the checkout), not from a world's directory.
pub fn binary() -> std::path::PathBuf {
    binary_from(std::env::var_os("SHOPSYNC_CHAOS_BIN"))
}

/// [`binary`] from the value of `SHOPSYNC_CHAOS_BIN`.
pub fn binary_from(var: Option<std::ffi::OsString>) -> std::path::PathBuf {
    var.map_or_else(
        || env!("CARGO_BIN_EXE_shopsync").into(),
        |path| std::path::absolute(path).expect("SHOPSYNC_CHAOS_BIN as an absolute path"),
    )
}

/// `shopsync ARGS` in the world's directory, with nothing inherited from the environment but
/// PATH.
fn command(world: &World, program: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .current_dir(world.dir.path())
        .stdin(Stdio::null());
    cmd
}

/// `shopsync ARGS` to the end, with a full cost bucket.
pub fn run(world: &World, args: &[&str]) -> Outcome {
    world.refill_bucket();
    let started = Instant::now();
    let out = command(world, &binary())
        .args(args)
        .output()
        .expect("run shopsync");
    Outcome::new(
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

/// `shopsync ARGS` in the background, stderr kept for [`finish`].
pub fn spawn(world: &World, args: &[&str]) -> (Child, Instant) {
    world.refill_bucket();
    let child = command(world, &binary())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn shopsync");
    (child, Instant::now())
}

/// Waits for a background run to end.
pub fn finish(child: Child, started: Instant) -> Outcome {
    let out = child.wait_with_output().expect("wait for shopsync");
    Outcome::new(
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

/// SIGKILLs a background run (no chance to clean up); whether it had already finished is in the
/// outcome's `signal`.
pub fn kill_9(mut child: Child, started: Instant) -> Outcome {
    // An error means it had already exited and been reaped: nothing to kill.
    let _ = child.kill();
    finish(child, started)
}

/// Waits until `held` says a planned stall holds a request, or the run ends first (it never
/// reached the planned request); true in the first case.
pub fn wait_until_held(child: &mut Child, held: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if held() {
            return true;
        }
        if child.try_wait().expect("poll shopsync").is_some() {
            return held();
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "a run neither reached its stall nor ended in two minutes"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Ends every stall, waits until both emulators have finished the requests a killed run left, and
/// drops every fault no run reached: the next step starts on quiet services.
pub fn quiet(world: &World) {
    world.google.stalls().release();
    world.shopify.stalls().release();
    let start = Instant::now();
    while world.google.stalls().in_flight() > 0 || world.shopify.stalls().in_flight() > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the emulators did not finish a killed run's requests"
        );
        std::thread::sleep(Duration::from_millis(5));
        world.google.stalls().release();
        world.shopify.stalls().release();
    }
    world.google.clear_faults();
    world.shopify.clear_faults();
}

/// Google methods a sync calls, for planning faults.
const GOOGLE_METHODS: [&str; 4] = [
    "spreadsheets.get",
    "spreadsheets.values.batchGet",
    "spreadsheets.values.batchUpdate",
    "spreadsheets.batchUpdate",
];

/// Plans up to `n` faults a run survives (each retried within its budget) on the next requests
/// of both services; returns what was planned.
pub fn plan_faults(world: &World, rng: &mut fastrand::Rng, n: usize) -> Vec<String> {
    let base = world.shopify.stats().requests;
    let mut planned = Vec::new();
    for _ in 0..n {
        if rng.bool() {
            let at = base + rng.u64(1..=3);
            let (name, fault) = match rng.u32(0..8) {
                // A Shopify Plus bucket (20,000 points, 1,000 a second), so the wait it asks
                // for is short.
                0 => ("THROTTLED", throttled(1200, 700, 20_000, 1000)),
                1 => (
                    "429",
                    ShopifyFault::Status {
                        status: 429,
                        body: json!({ "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }).to_string(),
                        retry_after: Some("0.5".to_owned()),
                    },
                ),
                2 => {
                    let status = [500, 502, 503, 504][rng.usize(..4)];
                    ("5xx", ShopifyFault::status(status, "Service Unavailable"))
                }
                3 => ("reset", ShopifyFault::Reset),
                4 => (
                    "stall",
                    ShopifyFault::Stall(Duration::from_millis(rng.u64(20..600))),
                ),
                5 => ("malformed", ShopifyFault::Malformed),
                _ => ("applied-then-503", ShopifyFault::ServerErrorAfterApply),
            };
            world.shopify.inject(at, fault);
            planned.push(format!("shopify {name} at request {at}"));
        } else {
            let method = GOOGLE_METHODS[rng.usize(..GOOGLE_METHODS.len())];
            let skip = rng.u64(0..2);
            let fault = match rng.u32(0..7) {
                0 => Fault::Status([500, 502, 503][rng.usize(..3)]),
                1 => Fault::Quota,
                2 => Fault::Stall(Duration::from_millis(rng.u64(20..600))),
                3 | 4 => Fault::ApplyThen503,
                _ => Fault::ApplyThenDrop,
            };
            world.google.inject(method, skip, fault);
            planned.push(format!("google {fault:?} on {method} after {skip}"));
        }
    }
    planned
}

/// Makes the DB file read-only for as long as it lives: `chattr +i` as root (whom file modes do
/// not stop), mode 0444 otherwise.
pub struct ReadOnly {
    path: std::path::PathBuf,
    immutable: bool,
}

impl ReadOnly {
    /// `None` when this machine cannot make the file read-only for root (no `chattr`, or a file
    /// system without the immutable flag).
    pub fn new(world: &World) -> Option<Self> {
        use std::os::unix::fs::PermissionsExt as _;
        let path = world.db();
        if is_root() {
            let ok = std::process::Command::new("chattr")
                .arg("+i")
                .arg(&path)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            return ok.then_some(Self {
                path,
                immutable: true,
            });
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
        Some(Self {
            path,
            immutable: false,
        })
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt as _;
        if self.immutable {
            let status = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.path)
                .status();
            assert!(status.is_ok_and(|s| s.success()), "chattr -i failed");
        } else {
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
        }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .is_some_and(|l| l.split_whitespace().nth(2) == Some("0"))
    })
}

/// `shopsync ARGS` with every file it writes capped at `limit_kib` (`ulimit -f`, `SIGXFSZ`
/// ignored, so a write past it fails as on a full disk).
pub fn run_on_full_disk(world: &World, args: &[&str], limit_kib: u64) -> Outcome {
    world.refill_bucket();
    let started = Instant::now();
    let out = command(world, std::path::Path::new("bash"))
        .arg("-c")
        .arg(format!(
            "ulimit -f {limit_kib} && trap '' XFSZ && exec \"$@\""
        ))
        .arg("shopsync")
        .arg(binary())
        .args(args)
        .output()
        .expect("run shopsync under ulimit");
    Outcome::new(
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}
