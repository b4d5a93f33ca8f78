//! `missing`: gaps explained and remembered, rows a person deleted written back, dry runs dry (no
//! Google write, no tracking change, the plan in `test_output/`).

use predicates::prelude::*;

use crate::world::{TAB, World, planned_appends};

#[test]
fn gaps_are_explained_once_and_deleted_rows_come_back() {
    let world = World::fast(11, 40);
    // Two numbers in the middle are gone from Shopify before the first sync, so there are gaps
    // whatever numbers the generator skipped.
    let ids = world.order_ids();
    let gone: Vec<String> = [ids[10], ids[20]]
        .into_iter()
        .map(|id| {
            let name = world.order_name(id);
            assert!(world.shopify.delete(id));
            name
        })
        .collect();
    world.cmd(&["sync"]).assert().success();
    let before = world.keys();

    // Numbers Shopify does not have are absent: explained, not errors.
    world.refill_bucket();
    let requests = world.shopify.stats().requests;
    let (code, first) = world.json(&["missing", "--json"]);
    let first_requests = world.shopify.stats().requests - requests;
    assert_eq!(code, 0, "{first:#}");
    let findings = first["findings"].as_array().expect("findings");
    for name in &gone {
        let detail = format!("order number {name} is not in Shopify");
        assert!(
            findings
                .iter()
                .any(|f| f["class"] == "absent" && f["detail"] == detail.as_str()),
            "{name} is not explained: {first:#}"
        );
    }
    assert!(
        findings.iter().all(|f| f["class"] == "absent"),
        "unexpected findings: {first:#}"
    );

    // Explained gaps are remembered: the next run looks none of them up again (one Shopify
    // request per number fewer), and says so.
    world.refill_bucket();
    let requests = world.shopify.stats().requests;
    let second = world.cmd(&["missing"]).assert().success();
    let lookups = u64::try_from(findings.len()).expect("count");
    assert_eq!(
        world.shopify.stats().requests - requests + lookups,
        first_requests,
        "the second run looked numbers up again"
    );
    second.stdout(predicate::str::contains("nothing missing"));

    // A person deletes two rows; a dry run reports them and writes nothing.
    world.google.person_delete_row(&world.spreadsheet, TAB, 5);
    world.google.person_delete_row(&world.spreadsheet, TAB, 2);
    let damaged = world.keys();
    assert_eq!(damaged.len(), before.len() - 2);
    world.refill_bucket();
    let skip = ["sync_history", "sqlite_sequence"];
    let tables = world.dump_db(&skip);
    let history = world.history();
    world.google.reset_counts();
    let (code, dry) = world.json(&["missing", "--dry-run", "--json"]);
    assert_eq!(code, 1, "unrepaired differences exit 1: {dry:#}");
    assert_eq!(world.keys(), damaged, "the dry run wrote to the sheet");
    world.assert_no_google_write();
    world.assert_db_unchanged(&tables, &skip);
    let history_now = world.history();
    assert_eq!(history_now[..history.len()], history[..]);
    assert_eq!(history_now.len(), history.len() + 1, "{history_now:?}");
    // Its plan is on disk: the two deleted rows, to be written back.
    let dirs = world.dry_run_dirs();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let planned = planned_appends(&dirs[0]);
    let mut gone: Vec<(String, String)> = before
        .iter()
        .filter(|k| !damaged.contains(k))
        .cloned()
        .collect();
    gone.sort();
    assert_eq!(planned, gone, "{dry:#}");

    // The real run writes them back, exactly once each.
    world.refill_bucket();
    let (code, fixed) = world.json(&["missing", "--json"]);
    assert_eq!(code, 0, "{fixed:#}");
    let mut after = world.keys();
    after.sort();
    let mut want = before.clone();
    want.sort();
    assert_eq!(after, want);
}

#[test]
fn an_order_deleted_in_shopify_after_its_sync_is_explained_and_keeps_its_rows() {
    let world = World::new(12, 30);
    world.cmd(&["sync"]).assert().success();
    let rows_before = world.keys();
    let victim = world
        .shopify
        .with_store(|store, _| store.orders().nth(3).map(|o| o.id))
        .expect("an order");
    assert!(world.shopify.delete(victim));

    world.refill_bucket();
    let (code, found) = world.json(&["missing", "--json"]);
    assert_eq!(code, 0, "a deletion is explained, not a problem: {found:#}");
    let deleted: Vec<&serde_json::Value> = found["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["class"] == "deleted")
        .collect();
    assert_eq!(deleted.len(), 1, "{found:#}");
    assert_eq!(
        world.keys(),
        rows_before,
        "the deleted order's rows must stay"
    );

    // Remembered: the next run finds nothing new to say about it.
    world.refill_bucket();
    let (code, again) = world.json(&["missing", "--json"]);
    assert_eq!(code, 0, "{again:#}");
    assert!(
        again["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["class"] != "deleted"),
        "{again:#}"
    );
}

#[test]
fn rows_of_an_order_deleted_in_shopify_and_in_the_sheet_are_explained_once() {
    let world = World::fast(13, 30);
    world.cmd(&["sync"]).assert().success();
    let before = world.keys();
    // A person deletes the first order's rows in the sheet; the order is deleted in Shopify too.
    let victim = world.order_ids()[0];
    let name = world.order_name(victim);
    let victim_keys = world.keys_of(victim);
    for _ in &victim_keys {
        let rows = world.keys();
        let at = rows
            .iter()
            .position(|k| k.0 == victim.to_string())
            .expect("a row of the victim");
        world
            .google
            .person_delete_row(&world.spreadsheet, TAB, u32::try_from(at).unwrap() + 2);
    }
    assert!(world.shopify.delete(victim));
    let damaged = world.keys();
    assert_eq!(damaged.len(), before.len() - victim_keys.len());

    // Nothing is left to write back: the order is explained as deleted (exit 0), not reported
    // as a row `missing` failed to restore, and the sheet is left as it is.
    world.refill_bucket();
    let (code, found) = world.json(&["missing", "--json"]);
    assert_eq!(code, 0, "{found:#}");
    let findings = found["findings"].as_array().expect("findings");
    let deleted: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["class"] == "deleted")
        .collect();
    assert_eq!(deleted.len(), 1, "{found:#}");
    assert!(
        deleted[0]["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with(&format!("order {name} is no longer in Shopify"))),
        "{found:#}"
    );
    assert!(
        findings.iter().all(|f| f["class"] == "deleted"),
        "{found:#}"
    );
    assert_eq!(world.keys(), damaged);
    let status: Vec<String> = world.dump_db(&[])["order_tracking"]
        .iter()
        .filter(|r| r.starts_with(&format!("gid://shopify/Order/{victim}|")))
        .cloned()
        .collect();
    assert_eq!(status.len(), 1);
    assert!(status[0].contains("|deleted|"), "{status:?}");

    // Remembered: the next run has nothing to say.
    world.refill_bucket();
    let (code, again) = world.json(&["missing", "--json"]);
    assert_eq!(code, 0, "{again:#}");
    assert_eq!(again["findings"], serde_json::json!([]), "{again:#}");
}
