//! The sync end to end: the real binary against both emulators; assertions read the emulators.

use std::collections::HashSet;

use predicates::prelude::*;

use crate::world::World;

fn assert_exactly_once(world: &World) {
    let keys = world.keys();
    let unique: HashSet<_> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "duplicate rows in the sheet");
    assert_eq!(keys.len(), world.line_item_count(), "rows != line items");
}

#[test]
fn backfill_then_an_hourly_run_with_nothing_new() {
    let world = World::new(7, 60);
    world.cmd(&["sync"]).assert().success();
    assert_exactly_once(&world);
    assert_eq!(world.rows()[0][0], "Order");

    // An hour later the cost bucket is full again.
    world.refill_bucket();
    let shopify_before = world.shopify.stats().requests;
    world.google.reset_counts();
    world
        .cmd(&["sync"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 rows appended"));
    assert_eq!(world.shopify.stats().requests - shopify_before, 1);
    assert!(
        world.google.counts().is_empty(),
        "{:?}",
        world.google.counts()
    );
    assert_exactly_once(&world);
}
