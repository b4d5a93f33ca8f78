//! Flaky services end to end: tokens that expire or are revoked mid-run on both sides, and bursts
//! of THROTTLED, 429 and 5xx replies. Each run completes, and every line item is in the sheet
//! exactly once.

use std::time::Duration;

use serde_json::json;
use shopsync::sandbox::google::Fault;
use shopsync::sandbox::shopify::{AppCredentials, Fault as ShopifyFault};

use crate::world::{HELD, VALUES_WRITE, World, throttled, wait_for};

#[test]
fn a_google_token_revoked_mid_run_is_renewed_once() {
    // Tokens live an hour, so the client still believes in its token when Google stops taking it:
    // only the refresh after a 401 can save the run.
    let world = World::fast(51, 40);
    world
        .google
        .inject("spreadsheets.values.batchGet", 0, Fault::Stall(HELD));
    let child = world.spawn(&["sync"]);
    wait_for("the stalled read", || world.google.stalls().stalled() >= 1);
    let issued = world.google.tokens_issued();
    assert!(issued >= 1, "the run read the sheet without a token");
    world.google.revoke_tokens();
    world.google.stalls().release();
    let status = wait_child(child);
    assert!(status.success(), "{status:?}");
    assert_eq!(
        world.google.tokens_issued(),
        issued + 1,
        "one new token after the 401, then cached"
    );
    world.assert_exactly_once();
}

#[test]
fn a_shopify_client_credentials_token_revoked_mid_run_is_renewed_once() {
    let mut world = World::build(52, 40, |config| {
        config.app = Some(AppCredentials {
            client_id: "sandbox-client".to_owned(),
            client_secret: "sandbox-secret".to_owned(),
            scopes: vec!["read_orders".to_owned(), "read_all_orders".to_owned()],
            lifetime: Duration::from_secs(3600),
        });
    });
    world.unlimited_bucket.set(true);
    world.set_config("shopify_access_token", serde_json::Value::Null);
    world.set_config("shopify_client_id", json!("sandbox-client"));
    world.set_config("shopify_client_secret", json!("sandbox-secret"));
    // The second request stalls; meanwhile its token (an hour from expiry) dies.
    world.shopify.inject(2, ShopifyFault::Stall(HELD));
    world.refill_bucket();
    let child = world.spawn(&["sync"]);
    wait_for("the stalled request", || {
        world.shopify.stalls().stalled() >= 1
    });
    assert_eq!(world.shopify.stats().token_requests, 1);
    world.shopify.revoke_tokens();
    world.shopify.stalls().release();
    let status = wait_child(child);
    assert!(status.success(), "{status:?}");
    world.assert_exactly_once();
    assert_eq!(
        world.shopify.stats().token_requests,
        2,
        "one new token after the 401, then cached: {:?}",
        world.shopify.stats()
    );
}

#[test]
fn throttled_429_and_5xx_bursts_on_both_sides_end_exactly_once() {
    let world = World::fast(53, 40);
    let retry = |status: u16| {
        ShopifyFault::Status {
        status,
        body: json!({ "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }).to_string(),
        retry_after: Some("1.0".to_owned()),
    }
    };
    world.shopify.inject(1, throttled(900, 750, 2000, 100));
    world.shopify.inject(2, retry(429));
    world
        .shopify
        .inject(3, ShopifyFault::status(503, "Service Unavailable"));
    world
        .shopify
        .inject(5, ShopifyFault::status(502, "Bad Gateway"));
    world.shopify.inject(6, ShopifyFault::Reset);
    // Sheets' 429 has its own test below.
    for (method, fault) in [
        ("spreadsheets.get", Fault::Status(503)),
        ("spreadsheets.get", Fault::Status(500)),
        ("spreadsheets.values.batchGet", Fault::Status(502)),
        ("spreadsheets.values.batchGet", Fault::Status(503)),
        (VALUES_WRITE, Fault::Status(503)),
        (VALUES_WRITE, Fault::Status(500)),
    ] {
        world.google.inject(method, 0, fault);
    }
    world.sync_ok(&[]);
    world.assert_exactly_once();
    assert!(
        world.shopify.stats().requests >= 8,
        "{:?}",
        world.shopify.stats()
    );

    // Again for an incremental run with updates and appends.
    let ids = world.order_ids();
    for id in ids.iter().step_by(5) {
        assert!(world.shopify.cancel(*id));
    }
    world.shopify.add_orders(4);
    let n = world.shopify.stats().requests;
    world.shopify.inject(n + 1, retry(429));
    world.shopify.inject(n + 2, throttled(900, 750, 2000, 100));
    world
        .google
        .inject("spreadsheets.values.batchGet", 0, Fault::Status(500));
    for fault in [Fault::Status(503), Fault::Status(500)] {
        world.google.inject(VALUES_WRITE, 0, fault);
    }
    world.sync_ok(&[]);
    world.assert_exactly_once();
    for id in ids.iter().step_by(5) {
        assert_eq!(
            world.cell(&world.keys_of(*id)[0], "Financial Status"),
            "VOIDED"
        );
    }
}

#[test]
fn a_burst_of_sheets_429s_is_backed_off_from_a_second_and_survived() {
    // Google's backoff, not the quota minute: two 429s on one write and one on a read cost the run
    // a few seconds.
    let world = World::fast(54, 20);
    world.google.inject(VALUES_WRITE, 1, Fault::Quota);
    world.google.inject(VALUES_WRITE, 1, Fault::Quota);
    world
        .google
        .inject("spreadsheets.values.batchGet", 0, Fault::Quota);
    let started = std::time::Instant::now();
    world.sync_ok(&[]);
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "the run waited for the quota minute: {:?}",
        started.elapsed()
    );
    world.assert_exactly_once();
    // The header, then the rows' write twice refused and once taken.
    assert_eq!(
        world.google_requests(VALUES_WRITE),
        4,
        "{:?}",
        world.google.counts()
    );
}

fn wait_child(mut child: std::process::Child) -> std::process::ExitStatus {
    child.wait().expect("wait for shopsync")
}
