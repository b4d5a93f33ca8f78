//! Runs the real release `shopsync` binary as a child process, timing it and sampling its peak RSS.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How often `/proc/<pid>/status` is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// What one run of the binary did.
pub struct Run {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// The last `VmHWM` read (a high-water mark, so the peak), in KiB.
    pub peak_rss_kib: u64,
    /// CPU time (user + system) the child had used at the last sample.
    pub cpu: Duration,
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// `shopsync ARGS` in `dir`, with nothing inherited from the environment but PATH.
///
/// `SHOPSYNC_BENCH_WRAPPER` (a command and its arguments, split on spaces) runs the child under a
/// profiler: `SHOPSYNC_BENCH_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p"`
/// or `"perf record -g -o /tmp/perf.data"`. The figures then include the profiler's own cost.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    let out_path = dir.join("bench.stdout");
    let err_path = dir.join("bench.stderr");
    let stdout = std::fs::File::create(&out_path).expect("stdout file");
    let stderr = std::fs::File::create(&err_path).expect("stderr file");
    let started = Instant::now();
    let wrapper = std::env::var("SHOPSYNC_BENCH_WRAPPER").unwrap_or_default();
    let mut words = wrapper.split_whitespace();
    let mut command = match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(env!("CARGO_BIN_EXE_shopsync"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_shopsync")),
    };
    let mut child = command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("spawn shopsync");
    let status_file = format!("/proc/{}/status", child.id());
    let stat_file = format!("/proc/{}/stat", child.id());
    let ticks = clock_ticks();
    let mut peak_rss_kib = 0;
    let mut cpu_ticks = 0;
    let status = loop {
        // Read before reaping: once waited for, the process and its status are gone.
        if let Some(kib) = vm_hwm_kib(&status_file) {
            peak_rss_kib = peak_rss_kib.max(kib);
        }
        if let Some(t) = cpu_ticks_of(&stat_file) {
            cpu_ticks = cpu_ticks.max(t);
        }
        if let Some(status) = child.try_wait().expect("wait for shopsync") {
            break status;
        }
        std::thread::sleep(SAMPLE_EVERY);
    };
    let wall = started.elapsed();
    Run {
        wall,
        peak_rss_kib,
        cpu: Duration::from_secs_f64(cpu_ticks as f64 / ticks as f64),
        code: status.code(),
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// `VmHWM` from a `/proc/<pid>/status` file, in KiB (absent for a zombie).
fn vm_hwm_kib(path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `utime + stime` from a `/proc/<pid>/stat` file, in clock ticks.
fn cpu_ticks_of(path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when that cannot run).
fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}
