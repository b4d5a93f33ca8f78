//! The bulk backfill scenarios: the same store exported with a bulk operation, once with an
//! unlimited bucket and once under Shopify's real 2,000-point bucket at 100 points/s (which a bulk
//! export does not depend on), measured by the emulators' counters and the child's rusage.

use shopsync::sandbox::shopify::BucketConfig;

use super::child::Run;
use super::report::Report;
use super::world::{Setup, World};

/// Budget: wall time of the bulk backfill under the real bucket (issue 10: under three minutes
/// where paging would need hours).
const BULK_RATE_SECONDS: f64 = 180.0;

/// Sheets write requests a minute the client allows itself (`SheetsSettings::writes_per_minute`).
const PACED_WRITES_PER_MINUTE: u64 = 55;

/// Runs `shopsync sync --json --bulk` on a store of `orders` orders under `bucket`.
pub fn bulk_backfill(orders: usize, bucket: BucketConfig, validate: bool, report: &mut Report) {
    let limited = !bucket.unlimited;
    let name = if limited {
        format!("bulk backfill {orders}, real bucket")
    } else {
        format!("bulk backfill {orders}")
    };
    eprintln!("{name}: generating the store and starting the emulators…");
    let world = World::new(&Setup {
        orders,
        bucket,
        google_quota: 0,
        validate,
    });
    let line_items: usize = world.line_counts().iter().sum();
    eprintln!("{name}: {line_items} line items; running shopsync sync --bulk…");
    let run: Run = crate::run_checked(&world, report, &name, &["sync", "--json", "--bulk"]);
    let paged_instead = run.stdout.contains("paged instead");
    report.check(
        &name,
        "fetched by the bulk export",
        if paged_instead {
            "paged instead"
        } else {
            "bulk"
        }
        .to_owned(),
        "bulk".to_owned(),
        !paged_instead,
    );
    let secs = run.wall.as_secs_f64();
    if limited {
        report.check(
            &name,
            "wall time",
            format!("{secs:.1} s"),
            format!("< {BULK_RATE_SECONDS} s"),
            secs < BULK_RATE_SECONDS,
        );
    } else {
        report.info(&name, "wall time", format!("{secs:.1} s"));
    }
    report.info(
        &name,
        "CPU time of the child (user + system)",
        format!("{:.1} s", run.cpu.as_secs_f64()),
    );
    report.info(
        &name,
        "peak RSS (VmHWM)",
        format!("{:.1} MiB", run.peak_rss_kib as f64 / 1024.0),
    );
    let stats = world.shopify_stats();
    report.info(
        &name,
        "Shopify requests (GraphQL) / bulk polls / downloads",
        format!(
            "{} / {} / {}",
            stats.requests, stats.bulk.polls, stats.bulk.downloads
        ),
    );
    report.info(
        &name,
        "bulk result bytes downloaded",
        format!("{:.1} MB", stats.bulk.bytes_served as f64 / 1e6),
    );
    let (writes, bytes) = world.batch_updates();
    report.info(
        &name,
        "values:batchUpdate requests / MB sent",
        format!("{writes} / {:.1}", bytes as f64 / 1e6),
    );
    let (all_writes, by_method) = world.sheets_writes();
    report.info(&name, "Sheets write requests, by method", by_method);
    // The client paces writes at 55 a minute (Google allows 60): the (55k+1)th write cannot go
    // sooner than k minutes after the first.
    report.info(
        &name,
        "wall time the write pacer alone forces",
        format!(
            "{} s ({all_writes} writes at {PACED_WRITES_PER_MINUTE} a minute)",
            all_writes.saturating_sub(1) / PACED_WRITES_PER_MINUTE * 60
        ),
    );
    world.check_exactly_once(report, &name, line_items);
}
