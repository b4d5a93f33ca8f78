//! Promise 1 (exactly once) under the worst: kill -9 while a write stalls before or after Google
//! applied it, writes applied but answered 503, two syncs at once and a deleted tracking DB. After
//! each, a new run ends with exactly one row per line item.

use std::process::Child;

use shopsync::sandbox::google::Fault;
use shopsync::sandbox::shopify::Fault as ShopifyFault;

use crate::world::{HELD, VALUES_WRITE, World, wait_for};

const KEY_READ: &str = "spreadsheets.values.batchGet";

/// Orders in the large-ish store: enough rows for several 2 MB write requests.
const LARGE: usize = 1_200;

/// A world with a large-ish store whose backfill needs several write requests.
fn large(seed: u64) -> World {
    let world = World::fast(seed, LARGE);
    // Long notes on a dozen orders make the backfill several ~2 MB write requests.
    let note: std::sync::Arc<str> = std::sync::Arc::from("A very long note. ".repeat(3_500));
    for id in world.order_ids().into_iter().step_by(100) {
        world.shopify.with_store(|store, now| {
            store.update(id, now.timestamp(), |order| order.note = Some(note.clone()))
        });
    }
    world
}

/// SIGKILLs `child` (no chance to clean up) and reaps it.
fn kill_9(mut child: Child) {
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reap");
    assert!(!status.success(), "the sync finished before it was killed");
}

/// Ends the stalled Google request the killed process left behind and waits until the emulator
/// has finished with it, so it is quiet before the next run (whether it then applied the write or
/// not, the next run must cope).
fn let_google_stall_pass(world: &World) {
    world.google.stalls().release();
    wait_for("the stalled Google request to finish", || {
        world.google.stalls().in_flight() == 0
    });
}

/// Runs `sync` in the background, waits until the stall planned for `method` holds a request,
/// kills the process, and reruns `sync` to completion.
fn kill_at(world: &World, method: &str) {
    let stalled = world.google.stalls().stalled();
    let child = world.spawn(&["sync"]);
    wait_for(&format!("the stalled {method}"), || {
        world.google.stalls().stalled() > stalled
    });
    kill_9(child);
    let_google_stall_pass(world);
    world.sync_ok(&[]);
    world.assert_exactly_once();
}

#[test]
fn kill_9_while_a_write_stalls_before_it_is_applied_then_rerun() {
    let world = large(31);
    // The backfill's second chunk stalls (the header was the first values write): the first chunk
    // is in the sheet and recorded.
    world.google.inject(VALUES_WRITE, 2, Fault::Stall(HELD));
    kill_at(&world, VALUES_WRITE);
    assert!(
        world.google_requests(VALUES_WRITE) >= 4,
        "the backfill was not written in several requests"
    );

    // Orders change and new ones arrive; the run is killed while its first write stalls.
    for id in world.order_ids().iter().step_by(50) {
        assert!(world.shopify.cancel(*id));
    }
    world.shopify.add_orders(30);
    world.google.inject(VALUES_WRITE, 0, Fault::Stall(HELD));
    kill_at(&world, VALUES_WRITE);
    for id in world.order_ids().iter().step_by(50).take(5) {
        assert_eq!(
            world.cell(&world.keys_of(*id)[0], "Financial Status"),
            "VOIDED"
        );
    }
}

#[test]
fn kill_9_after_a_write_was_applied_but_before_it_was_confirmed_then_rerun() {
    let world = large(32);
    // Chunk 2 (values write 3, after the header and chunk 1) is applied but its reply is lost;
    // shopsync re-reads the keys and its next write stalls, and the process dies there: the rows
    // are in the sheet, the DB does not know.
    world.google.inject(VALUES_WRITE, 2, Fault::ApplyThenDrop);
    world.google.inject(VALUES_WRITE, 3, Fault::Stall(HELD));
    let reads = world.google_requests(KEY_READ);
    let child = world.spawn(&["sync"]);
    wait_for("the write after the lost reply", || {
        world.google.stalls().stalled() >= 1
    });
    kill_9(child);
    assert_eq!(world.google_requests(VALUES_WRITE), 4);
    assert!(
        world.google_requests(KEY_READ) >= reads + 2,
        "the keys were not read again after the lost reply"
    );
    let_google_stall_pass(&world);
    world.sync_ok(&[]);
    world.assert_exactly_once();
}

#[test]
fn kill_9_while_fetching_or_growing_the_grid_then_rerun() {
    let world = World::fast(33, 300);
    // Shopify's second page stalls: nothing was written yet.
    world.shopify.inject(2, ShopifyFault::Stall(HELD));
    let child = world.spawn(&["sync"]);
    wait_for("the stalled Shopify request", || {
        world.shopify.stalls().stalled() >= 1
    });
    kill_9(child);
    world.shopify.clear_faults();
    world.shopify.stalls().release();
    wait_for("the stalled Shopify request to finish", || {
        world.shopify.stalls().in_flight() == 0
    });
    // Now the structural request (tab, header, grid growth) stalls.
    world
        .google
        .inject("spreadsheets.batchUpdate", 0, Fault::Stall(HELD));
    kill_at(&world, "spreadsheets.batchUpdate");
}

#[test]
fn a_write_applied_then_answered_503_is_neither_duplicated_nor_lost() {
    let world = World::fast(34, 40);
    // An append chunk (the header was the first values write).
    world.google.inject(VALUES_WRITE, 1, Fault::ApplyThen503);
    world.sync_ok(&[]);
    world.assert_exactly_once();

    // An update chunk.
    let ids = world.order_ids();
    for id in ids.iter().step_by(4) {
        assert!(world.shopify.cancel(*id));
    }
    let before = world.rows_by_key();
    world.google.inject(VALUES_WRITE, 0, Fault::ApplyThen503);
    world.sync_ok(&[]);
    world.assert_exactly_once();
    let after = world.rows_by_key();
    for (key, (row, _)) in &before {
        assert_eq!(after[key].0, *row, "{key:?} moved");
    }
    for id in ids.iter().step_by(4) {
        for key in world.keys_of(*id) {
            assert_eq!(world.cell(&key, "Financial Status"), "VOIDED");
        }
    }

    // Both: an update and appends in one chunk.
    world.shopify.add_orders(3);
    assert!(world.shopify.cancel(ids[1]));
    world.google.inject(VALUES_WRITE, 0, Fault::ApplyThen503);
    world.sync_ok(&[]);
    world.assert_exactly_once();
}

#[test]
fn a_header_write_applied_then_answered_503_is_retried_after_reading_again() {
    let world = World::fast(36, 10);
    world.google.inject(VALUES_WRITE, 0, Fault::ApplyThen503);
    world
        .google
        .inject("spreadsheets.batchUpdate", 0, Fault::ApplyThen503);
    world.sync_ok(&[]);
    world.assert_exactly_once();
    assert_eq!(world.rows()[0][0], "Order");
    assert_eq!(
        world.google.tab_titles(&world.spreadsheet),
        ["Sheet1", "Orders"]
    );
}

#[test]
fn two_syncs_at_once_one_exits_5_naming_the_holder_and_no_row_is_doubled() {
    let world = World::fast(35, 40);
    world.google.inject(VALUES_WRITE, 0, Fault::Stall(HELD));
    let mut first = world.spawn(&["sync"]);
    // The first run holds the lock while its write is held; the second runs meanwhile.
    wait_for("the first run's write", || {
        world.google.stalls().stalled() >= 1
    });
    let (code, stdout, stderr) = world.sync_code(&[]);
    world.google.stalls().release();
    assert_eq!(code, 5, "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", first.id())) && stderr.contains("shopsync sync"),
        "{stderr}"
    );
    let status = first.wait().expect("first run");
    assert!(status.success(), "{status:?}");
    world.assert_exactly_once();
}

#[test]
fn a_deleted_tracking_db_duplicates_nothing_the_rows_are_found_by_key() {
    let world = World::fast(37, 40);
    world.sync_ok(&[]);
    // A person sorted the sheet, so the rows are no longer in the order a fetch returns them.
    let product = u32::try_from(world.col("Product")).expect("col");
    world
        .google
        .person_sort_rows(&world.spreadsheet, crate::world::TAB, product, false);
    let before = world.rows_by_key();
    for suffix in ["", "-wal", "-shm"] {
        let file = world.dir.file(&format!("shopify_sync.db{suffix}"));
        if file.exists() {
            std::fs::remove_file(&file).expect("delete the DB");
        }
    }
    // Meanwhile an order changes and two arrive.
    let cancelled = world.order_ids()[6];
    assert!(world.shopify.cancel(cancelled));
    let added = world.shopify.add_orders(2);

    // The new DB knows nothing: the run fetches the lookback window and finds every row by key.
    world.sync_ok(&[]);
    world.assert_exactly_once();
    let after = world.rows_by_key();
    for (key, (row, cells)) in &before {
        assert_eq!(after[key].0, *row, "{key:?} moved");
        if key.0 != cancelled.to_string() {
            assert_eq!(
                &after[key].1, cells,
                "{key:?} changed though its order did not"
            );
        }
    }
    for key in world.keys_of(cancelled) {
        assert_eq!(world.cell(&key, "Financial Status"), "VOIDED");
    }
    let last = before.values().map(|(r, _)| *r).max().expect("rows");
    for key in added.iter().flat_map(|id| world.keys_of(*id)) {
        assert!(after[&key].0 > last, "{key:?} was not appended");
    }

    // Tracking is whole again: the next hourly run has nothing to do.
    world.assert_sync_has_nothing_to_do();
}

/// SIGTERM wakes a sync that waits for Shopify's cost bucket: it stops with 143 at once instead of
/// holding the lock until the bucket refills (issue 11, finding 6), and the next run completes.
#[cfg(unix)]
#[test]
fn sigterm_wakes_a_sync_waiting_for_the_cost_bucket() {
    use shopsync::sandbox::shopify::BucketConfig;
    let world = World::build(11, 100, |config| {
        // A bucket of one full query that refills slowly: the second page waits about a minute.
        config.bucket = BucketConfig {
            maximum: 1000.0,
            restore_rate: 2.0,
            unlimited: false,
        };
    });
    let mut child = world.spawn_as_is(&["sync"]);
    wait_for("the first orders page", || {
        world.shopify.stats().answered >= 1
    });
    // Long enough for the second page's wait to have begun.
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "the sync did not wait");
    let asked = world.shopify.stats().requests;
    let signalled = std::time::Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let status = child.wait().expect("reap");
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert!(
        signalled.elapsed() < std::time::Duration::from_secs(30),
        "the sync slept on for {:?} after SIGTERM",
        signalled.elapsed()
    );
    assert!(world.shopify.stats().requests <= asked + 1);
    world.unlimited_bucket.set(true);
    world.sync_ok(&[]);
    world.assert_exactly_once();
}
