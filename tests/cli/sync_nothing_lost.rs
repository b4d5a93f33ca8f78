//! Promise 4 end to end: an order whose rows Google refuses fails alone; the run writes the rest,
//! exits 1 and lists the order in `errors`; the next run fetches it again by ID (it is outside the
//! next window) and resolves it. The cursor never waits on it.

use serde_json::Value;

use crate::world::World;

fn errors_json(world: &World, args: &[&str]) -> Vec<Value> {
    let (code, listing) = world.json(args);
    assert_eq!(code, 0, "{listing}");
    listing["errors"].as_array().expect("errors").clone()
}

#[test]
fn an_order_google_refuses_fails_alone_and_the_next_run_fetches_it_by_id() {
    let world = World::fast(81, 30);
    let victim = world.order_ids()[7];
    let name = world.order_name(victim);
    // Google refuses any write that holds the victim's Order ID cell.
    world.google.refuse_value(&victim.to_string());

    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(
        code, 1,
        "some orders failed in a completed run: {stdout}{stderr}"
    );
    assert!(stdout.contains(" 1 failed"), "{stdout}");
    assert!(stdout.contains("shopsync errors"), "{stdout}");
    // Every other order is in the sheet, exactly once; the victim is not.
    let mut keys = world.keys();
    keys.sort();
    let mut others: Vec<_> = world
        .order_ids()
        .into_iter()
        .filter(|id| *id != victim)
        .flat_map(|id| world.keys_of(id))
        .collect();
    others.sort();
    assert_eq!(keys, others);
    assert_eq!(world.history().last().expect("run").1, "partial");

    let open = errors_json(&world, &["errors", "--json"]);
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["order_name"], name.as_str());
    assert_eq!(open[0]["stage"], "write");

    // Google takes it now. The victim was updated an hour ago, before the next window: only the
    // fetch by ID can bring it.
    world.google.clear_refusals();
    let stdout = world.sync_ok(&[]);
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    world.assert_exactly_once();
    assert!(errors_json(&world, &["errors", "--json"]).is_empty());
    let all = errors_json(&world, &["errors", "--all", "--json"]);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(!all[0]["resolved_at"].is_null(), "{all:?}");

    // Resolved for good: the run after has nothing to fetch by ID.
    world.assert_sync_has_nothing_to_do();
}
