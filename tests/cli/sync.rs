//! The sync end to end: the real binary against both emulators; assertions read the emulators.

use crate::support::assert_no_secret;
use crate::world::World;

#[test]
fn backfill_then_an_hourly_run_with_nothing_new() {
    let world = World::new(7, 60);
    world.cmd(&["sync"]).assert().success();
    world.assert_exactly_once();
    assert_eq!(world.rows()[0][0], "Order");

    // An hour later (the cost bucket full again) nothing is new.
    let stdout = world.assert_sync_has_nothing_to_do();
    assert!(stdout.contains("0 rows appended"), "{stdout}");
    world.assert_exactly_once();
}

#[test]
fn an_hourly_run_sends_one_request_even_when_a_recent_order_has_more_line_items_than_a_page() {
    let world = World::fast(7, 30);
    let big = world.order_ids()[5];
    // Updated seconds ago, so inside the next run's overlap window, with more line items than
    // any first page asks for (at most 50): the backfill completes it with follow-up requests.
    // (Not in the backfill's own second, nor the one before it: a change then could carry the
    // same stamp, so the next run completes such an order once more; `Store::is_current` also
    // moves the run's start back by the up to a second the `Date` header leaves uncertain.)
    world.shopify.with_store(|s, now| {
        let template = s.get(big).expect("order").lines[0].clone();
        let lines: Vec<_> = (0..80).map(|_| s.new_line_like(&template)).collect();
        s.update(big, now.timestamp() - 4, |o| o.lines.extend(lines))
    });
    let before = world.shopify.stats().requests;
    world.sync_ok(&[]);
    world.assert_exactly_once();
    assert!(
        world.shopify.stats().requests - before >= 2,
        "the backfill needs a follow-up page for the big order"
    );
    // Its `updatedAt` is the one recorded, so its first page says enough: no follow-up.
    let stdout = world.assert_sync_has_nothing_to_do();
    assert!(stdout.contains("0 rows appended"), "{stdout}");
    world.assert_exactly_once();
    // With --force every fetched order is compared with the sheet, so it is fetched whole.
    let before = world.shopify.stats().requests;
    world.sync_ok(&["--force"]);
    assert!(world.shopify.stats().requests - before >= 2);
    world.assert_exactly_once();
}

#[test]
fn no_secret_reaches_stderr_or_the_log_even_at_trace() {
    no_secret_reaches_stderr_or_the_log_with("trace");
}

/// A directive more specific than the cap (`yup_oauth2=warn`) must not lift it: the muzzled
/// crates are filtered per event, whatever `RUST_LOG` says (issue 11, finding 3).
#[test]
fn no_secret_reaches_stderr_or_the_log_with_directives_naming_the_modules() {
    no_secret_reaches_stderr_or_the_log_with(
        "yup_oauth2::service_account=debug,yup_oauth2::authenticator=debug,\
         yup_oauth2::client=trace,hyper_util::client=trace,reqwest::connect=trace,shopsync=trace",
    );
}

fn no_secret_reaches_stderr_or_the_log_with(rust_log: &str) {
    let world = World::new(3, 5);
    let out = world
        .cmd(&["sync", "-vv"])
        .env("RUST_LOG", rust_log)
        .output()
        .expect("run shopsync");
    assert!(out.status.success(), "{out:?}");
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).expect("log file");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("sync finished"), "the log says nothing: {log}");
    let mut secrets = world.secrets();
    secrets.extend(["assertion".to_owned(), "access_token".to_owned()]);
    for (what, text) in [("the log", &*log), ("stderr", &stderr), ("stdout", &stdout)] {
        assert_no_secret(what, text, &secrets);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for file in ["shopify_sync.log", "shopify_sync.db"] {
            let mode = std::fs::metadata(world.dir.file(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file} is {mode:o}");
        }
    }
}

#[test]
fn an_hourly_run_sizes_its_pages_by_the_line_items_the_shop_has_had() {
    let world = World::fast(11, 120);
    world.sync_ok(&[]);
    // Forty orders change, all inside the next run's window.
    let ids = world.order_ids();
    let changed: Vec<u64> = ids.iter().step_by(3).take(40).copied().collect();
    let lines = world.shopify.with_store(|s, now| {
        changed
            .iter()
            .map(|&id| {
                s.update(id, now.timestamp(), |o| o.note = Some("changed".into()));
                s.get(id).map_or(0, |o| o.lines.len())
            })
            .max()
            .unwrap_or(0)
    });
    assert!(
        lines <= 10,
        "every changed order fits a first page: {lines}"
    );
    let before = world.shopify.stats().requests;
    world.sync_ok(&[]);
    world.assert_exactly_once();
    // A process that had not learned the shop asks for 10 line items an order, 14 orders a
    // page: three pages. Learned from the tracked orders (a few line items each), a page asks
    // for fewer line items and holds twice the orders: two pages (one would have to ask for at
    // most 2 line items an order, and the larger orders would need follow-ups).
    let requests = world.shopify.stats().requests - before;
    assert!(
        requests <= 2,
        "{requests} Shopify requests for 40 changed orders"
    );
}
