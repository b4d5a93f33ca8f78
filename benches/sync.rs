//! Whole-sync benchmark of DESIGN.md section 8's budgets: the real release binary against both
//! emulators, run in this process.
//!
//! `cargo bench --bench sync` runs every scenario at full size; a quick run:
//! `cargo bench --bench sync -- --orders 20000 --rate-orders 300`. Scenarios:
//! `--scenario backfill` (the unlimited-bucket backfill, then the hourly no-op run),
//! `--scenario rate` (a paged backfill under Shopify's real rate limits), `--scenario bulk` (the
//! backfill as a bulk export, with an unlimited bucket and under the real one), `--scenario cpu`
//! (CPU per order at 10k, 50k and 100k orders), `--scenario hourly` (50 changed orders on a
//! 100,000-row sheet), or `all` (the default). `backfill`, `rate` and `cpu` page (`--no-bulk`):
//! they measure the paged path.
//! With `--check` it exits 1 when a budget is missed (otherwise it only reports); 2 on a bad
//! argument. Without `--bench` (which `cargo bench` passes; `cargo test --all-targets` does not)
//! it does nothing.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use shopsync::sandbox::shopify::BucketConfig;

use support::child::{self, Run};
use support::cost;
use support::report::Report;
use support::scenarios;
use support::world::{Setup, World};

/// Orders in the unlimited backfill (DESIGN.md: 100,000 orders, about 250,000 rows).
const BACKFILL_ORDERS: usize = 100_000;
/// Orders under real rate limits: about 24 points each, so about 4 minutes at 100 points/s.
const RATE_ORDERS: usize = 1_000;
/// Budget: wall time of the backfill.
const BACKFILL_SECONDS: f64 = 60.0;
/// Budget: peak RSS of the backfill, in MiB (DESIGN.md section 8: under 100 MB at 100,000 orders).
const PEAK_RSS_MIB: f64 = 100.0;
/// Budget: Shopify requests over the minimum the cost cap allows.
const REQUESTS_SLACK: f64 = 1.10;
/// Budget: rows per `values:batchUpdate` request, at least.
const ROWS_PER_WRITE: f64 = 5_000.0;
/// Budget: wall time over the restore-rate bound.
const RATE_SLACK: f64 = 1.15;

struct Args {
    scenario: String,
    orders: usize,
    rate_orders: usize,
    cpu_sizes: Vec<usize>,
    hourly_rows: usize,
    validate: bool,
    check: bool,
}

/// The scenarios `--scenario` takes.
const SCENARIOS: [&str; 6] = ["all", "backfill", "rate", "bulk", "cpu", "hourly"];

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        scenario: "all".to_owned(),
        orders: BACKFILL_ORDERS,
        rate_orders: RATE_ORDERS,
        cpu_sizes: scenarios::CPU_SIZES.to_vec(),
        hourly_rows: scenarios::HOURLY_ROWS,
        validate: true,
        check: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            // cargo bench passes --bench to every benchmark binary.
            "--bench" => {}
            "--scenario" => args.scenario = value("--scenario")?,
            "--orders" => args.orders = number(&value("--orders")?)?,
            "--rate-orders" => args.rate_orders = number(&value("--rate-orders")?)?,
            "--cpu-sizes" => {
                args.cpu_sizes = value("--cpu-sizes")?
                    .split(',')
                    .map(number)
                    .collect::<Result<_, _>>()?;
            }
            "--hourly-rows" => args.hourly_rows = number(&value("--hourly-rows")?)?,
            "--no-validate" => args.validate = false,
            "--check" => args.check = true,
            "--help" | "-h" => {
                return Err(
                    "usage: cargo bench --bench sync -- [--scenario all|backfill|rate|bulk|cpu|hourly] \
                            [--orders N] [--rate-orders N] [--cpu-sizes N,N,…] [--hourly-rows N] \
                            [--no-validate] [--check]"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if !SCENARIOS.contains(&args.scenario.as_str()) {
        return Err(format!("unknown scenario {:?}", args.scenario));
    }
    Ok(args)
}

fn number(text: &str) -> Result<usize, String> {
    text.replace('_', "")
        .parse()
        .map_err(|_| format!("not a number: {text:?}"))
}

fn main() -> ExitCode {
    // `cargo test --all-targets` (or `--benches`) runs this binary without `--bench`: the
    // benchmark takes minutes, so it only compiles there and runs under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("the sync benchmark runs under `cargo bench --bench sync`; skipped");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut report = Report::default();
    let wanted = |name: &str| args.scenario == "all" || args.scenario == name;
    if wanted("backfill") {
        backfill(&args, &mut report);
    }
    if wanted("rate") {
        rate_limited(&args, &mut report);
    }
    if wanted("cpu") {
        scenarios::cpu_per_order(&args.cpu_sizes, args.validate, &mut report);
    }
    if wanted("hourly") {
        scenarios::hourly_changes(args.hourly_rows, args.validate, &mut report);
    }
    if wanted("bulk") {
        support::bulk::bulk_backfill(
            args.orders,
            BucketConfig::unlimited(),
            args.validate,
            &mut report,
        );
        support::bulk::bulk_backfill(
            args.orders,
            BucketConfig::default(),
            args.validate,
            &mut report,
        );
    }
    println!("\n{}", report.table());
    println!("machine: {}", support::machine());
    if report.all_met() {
        println!("every budget met");
        ExitCode::SUCCESS
    } else if args.check {
        println!("BUDGET MISSED");
        ExitCode::FAILURE
    } else {
        println!("BUDGET MISSED (reported only; --check makes this exit 1)");
        ExitCode::SUCCESS
    }
}

/// Runs `shopsync sync --json --no-bulk` (these scenarios measure paging); a failed run is
/// reported and counts as a missed budget.
pub(crate) fn sync(world: &World, report: &mut Report, scenario: &str) -> Run {
    run_checked(world, report, scenario, &["sync", "--json", "--no-bulk"])
}

/// Runs `shopsync ARGS` in the world; a failed run is reported (with its output) and counts as a
/// missed budget.
pub(crate) fn run_checked(
    world: &World,
    report: &mut Report,
    scenario: &str,
    args: &[&str],
) -> Run {
    let run = child::run(world.path(), args);
    report.check(
        scenario,
        "exit code",
        format!("{:?}", run.code),
        "Some(0)".to_owned(),
        run.code == Some(0),
    );
    if run.code != Some(0) {
        eprintln!("shopsync failed:\n{}\n{}", run.stdout, run.stderr);
    }
    run
}

fn backfill(args: &Args, report: &mut Report) {
    let name = format!("backfill {}", args.orders);
    eprintln!("{name}: generating the store and starting the emulators…");
    let world = World::new(&Setup {
        orders: args.orders,
        bucket: BucketConfig::unlimited(),
        google_quota: 0,
        validate: args.validate,
    });
    report.info(
        &name,
        "requests validated against the references",
        world.validating.to_string(),
    );
    let lines = world.line_counts();
    let line_items: usize = lines.iter().sum();
    eprintln!("{name}: {line_items} line items; running shopsync sync…");
    let run = sync(&world, report, &name);
    eprintln!("{name}: {}", run.stdout.trim());
    let secs = run.wall.as_secs_f64();
    report.check(
        &name,
        "wall time",
        format!("{secs:.1} s"),
        format!("< {BACKFILL_SECONDS} s"),
        secs < BACKFILL_SECONDS,
    );
    report.info(
        &name,
        "CPU time of the child (user + system)",
        format!("{:.1} s", run.cpu.as_secs_f64()),
    );
    let rss = run.peak_rss_kib as f64 / 1024.0;
    report.check(
        &name,
        "peak RSS (VmHWM)",
        format!("{rss:.1} MiB"),
        format!("< {PEAK_RSS_MIB} MiB"),
        rss < PEAK_RSS_MIB,
    );

    let stats = world.shopify_stats();
    let (minimum, best_lines) = cost::minimum_requests(&lines);
    report.check(
        &name,
        "Shopify requests",
        stats.requests.to_string(),
        format!(
            "<= {:.0} (min {minimum}, {best_lines} lines/order, +10%)",
            minimum as f64 * REQUESTS_SLACK
        ),
        stats.requests as f64 <= minimum as f64 * REQUESTS_SLACK,
    );
    let content = cost::content_cost(&lines);
    report.info(
        &name,
        "Shopify actual cost (emulator) / content at 7+6/line",
        format!("{} / {content}", stats.actual_cost),
    );
    report.info(
        &name,
        "Shopify requested cost / floor of actual÷1000",
        format!(
            "{} / {}",
            stats.requested_cost,
            stats.actual_cost.div_ceil(cost::MAX_QUERY_COST)
        ),
    );

    let (writes, bytes) = world.batch_updates();
    let allowed = (line_items as f64 / ROWS_PER_WRITE).ceil().max(1.0);
    report.check(
        &name,
        "values:batchUpdate requests",
        format!(
            "{writes} ({:.0} rows, {:.2} MB each)",
            line_items as f64 / writes.max(1) as f64,
            bytes as f64 / 1e6 / writes.max(1) as f64
        ),
        format!("<= {allowed:.0} (1 per 5,000 rows)"),
        writes as f64 <= allowed,
    );
    report.info(
        &name,
        "batchUpdate requests the 2 MB request cap forces",
        format!(
            "{} ({:.1} MB sent in all)",
            bytes.div_ceil(2_000_000),
            bytes as f64 / 1e6
        ),
    );
    report.info(
        &name,
        "Google requests (all methods + tokens)",
        world.google_requests().to_string(),
    );
    // Past 55 write requests (the client's pace, under Google's 60 a minute) a backfill waits
    // out the rest of the minute.
    let (_, by_method) = world.sheets_writes();
    report.info(&name, "Sheets write requests, by method", by_method);

    world.check_exactly_once(report, &name, line_items);

    no_op(&world, report);
}

/// The hourly run with nothing new, right after the backfill.
fn no_op(world: &World, report: &mut Report) {
    let name = "hourly no-op";
    let shopify_before = world.shopify_stats().requests;
    let google_before = world.google_requests();
    let run = sync(world, report, name);
    eprintln!("{name}: {}", run.stdout.trim());
    let shopify = world.shopify_stats().requests - shopify_before;
    let google = world.google_requests() - google_before;
    report.check(
        name,
        "Shopify requests",
        shopify.to_string(),
        "1".to_owned(),
        shopify == 1,
    );
    report.check(
        name,
        "Google requests",
        google.to_string(),
        "0".to_owned(),
        google == 0,
    );
    report.info(
        name,
        "wall time",
        format!("{:.2} s", run.wall.as_secs_f64()),
    );
}

fn rate_limited(args: &Args, report: &mut Report) {
    let name = format!("rate-limited {}", args.rate_orders);
    eprintln!("{name}: generating the store and starting the emulators…");
    let bucket = BucketConfig::default();
    let world = World::new(&Setup {
        orders: args.rate_orders,
        bucket,
        // Google's real per-minute quotas too: the run must stay well under them.
        google_quota: 60,
        validate: args.validate,
    });
    let line_items: usize = world.line_counts().iter().sum();
    let content = cost::content_cost(&world.line_counts());
    eprintln!(
        "{name}: {line_items} line items, about {content} points; the run takes about {:.0} s…",
        content.saturating_sub(2000) as f64 / bucket.restore_rate
    );
    let run = sync(&world, report, &name);
    eprintln!("{name}: {}", run.stdout.trim());
    let stats = world.shopify_stats();
    let beyond = (stats.actual_cost as f64 - bucket.maximum).max(0.0);
    let bound = Duration::from_secs_f64(beyond / bucket.restore_rate);
    let secs = run.wall.as_secs_f64();
    report.check(
        &name,
        "wall time",
        format!("{secs:.1} s"),
        format!(
            "<= {:.1} s (bound {:.1} s = ({} - {}) / {} points/s, +15%)",
            bound.as_secs_f64() * RATE_SLACK,
            bound.as_secs_f64(),
            stats.actual_cost,
            bucket.maximum,
            bucket.restore_rate
        ),
        secs <= bound.as_secs_f64() * RATE_SLACK,
    );
    report.info(
        &name,
        "CPU time of the child (user + system)",
        format!("{:.1} s", run.cpu.as_secs_f64()),
    );
    report.check(
        &name,
        "THROTTLED replies",
        stats.throttled.to_string(),
        "0 (the pacer waits before sending)".to_owned(),
        stats.throttled == 0,
    );
    report.info(&name, "Shopify requests", stats.requests.to_string());
    report.info(
        &name,
        "Google 429 replies",
        world.google.quota_rejections().to_string(),
    );
    world.check_exactly_once(report, &name, line_items);
}
