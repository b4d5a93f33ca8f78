//! Promise 2 at the window's edges: a change Shopify stamped inside the overlap before the last
//! run's start is still fetched (one stamped before the overlap is not: the window is
//! [cursor − overlap, run start]), and a run over an empty window moves the cursor to its start.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::world::World;

fn summary(world: &World) -> Value {
    serde_json::from_str(&world.sync_ok(&["--json"])).expect("--json prints one object")
}

fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .unwrap_or_else(|| panic!("{value} is not a time"))
        .with_timezone(&Utc)
}

/// Equal to the microsecond the DB keeps.
fn assert_same(a: DateTime<Utc>, b: DateTime<Utc>, context: &Value) {
    assert!(
        (a - b).abs() < Duration::microseconds(1),
        "{a} != {b}: {context:#}"
    );
}

#[test]
fn a_change_stamped_inside_the_overlap_is_fetched_and_one_before_it_is_not() {
    let world = World::fast(91, 20);
    let cursor = time(&summary(&world)["cursor_after"]);
    let ids = world.order_ids();
    let (inside, before) = (ids[2], ids[5]);
    // Shopify stamps a change when it happens but may show it a little later, after a run that
    // started meanwhile: the default overlap is 10 minutes.
    world.shopify.with_store(|s, _| {
        let stamp = |minutes: i64| (cursor - Duration::minutes(minutes)).timestamp();
        s.update(inside, stamp(5), |o| {
            o.note = Some("stamped 5 min early".into());
        });
        s.update(before, stamp(15), |o| {
            o.note = Some("stamped 15 min early".into());
        });
    });
    let run = summary(&world);
    assert_same(
        time(&run["window_from"]),
        cursor - Duration::minutes(10),
        &run,
    );
    assert_eq!(run["counts"]["updated"], 1, "{run:#}");
    for key in world.keys_of(inside) {
        assert_eq!(world.cell(&key, "Note"), "stamped 5 min early");
    }
    for key in world.keys_of(before) {
        assert_ne!(world.cell(&key, "Note"), "stamped 15 min early");
    }
    world.assert_exactly_once();
}

#[test]
fn a_run_over_an_empty_window_moves_the_cursor_to_its_start() {
    let world = World::fast(92, 10);
    let first = summary(&world);
    let cursor = time(&first["cursor_after"]);
    assert_same(cursor, time(&first["started_at"]), &first);
    let second = summary(&world);
    assert_eq!(second["counts"]["fetched"], 0, "{second:#}");
    assert_same(time(&second["cursor_before"]), cursor, &second);
    let moved = time(&second["cursor_after"]);
    assert_same(moved, time(&second["started_at"]), &second);
    assert!(moved > cursor, "{second:#}");
    // The next window starts from there.
    let third = summary(&world);
    assert_same(
        time(&third["window_from"]),
        moved - Duration::minutes(10),
        &third,
    );
}
