//! The first run on each kind of tab a newcomer may have: none, an empty one they made by hand, one
//! holding only the header, and one whose row 1 is blank but whose rows below hold data. `sync
//! --test` plans against each exactly as `sync` would run (every row an append, nothing sent, no
//! tab created), and the headerless tab with data is another tool's layout for both (exit 2).

use serde_json::{Value, json};

use crate::support::read_csv;
use crate::world::{TAB, World, planned_appends};

/// A world whose spreadsheet holds `tabs` (a fresh one, so nothing is bound yet).
fn world_with_tabs(seed: u64, tabs: &[&str]) -> World {
    let mut world = World::fast(seed, 6);
    let id = world.google.create_spreadsheet("First Orders", tabs);
    world.set_config("target_spreadsheet", json!(id.clone()));
    world.spreadsheet = id;
    world
}

/// `sync --test` exits 0, sends no write and creates no tab, and plans every line item as an
/// append from row `first_row` down, in `append.csv` and `summary.json`.
fn assert_plans_every_row_as_an_append(world: &World, first_row: u32) {
    let tabs = world.google.tab_titles(&world.spreadsheet);
    let tab = |world: &World| {
        let exists = world.google.tab(&world.spreadsheet, TAB).is_some();
        exists.then(|| world.rows())
    };
    let before = tab(world);
    world.google.reset_counts();
    let stdout = world.sync_ok(&["--test"]);
    assert!(stdout.contains("nothing was written"), "{stdout}");
    world.assert_no_google_write();
    assert_eq!(world.google.tab_titles(&world.spreadsheet), tabs);
    assert_eq!(tab(world), before, "the tab changed");

    let dirs = world.dry_run_dirs();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let dir = &dirs[0];
    let lines = world.line_items();
    let appends = read_csv(&dir.join("append.csv")).1;
    assert_eq!(appends.len(), lines, "{appends:?}");
    assert_eq!(
        planned_appends(dir),
        world.shopify_keys(),
        "the plan does not append every line item once"
    );
    let rows: Vec<u32> = appends.iter().map(|r| r[0].parse().expect("row")).collect();
    let expected: Vec<u32> = (first_row..).take(lines).collect();
    assert_eq!(rows, expected);
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("summary.json")).expect("summary.json"),
    )
    .expect("JSON");
    assert_eq!(summary["counts"]["rows_appended"], lines);
    assert_eq!(summary["counts"]["rows_updated"], 0);
    assert_eq!(summary["counts"]["new"], summary["counts"]["fetched"]);
    // No tracking: the DB holds the dry run's own history row, and the state row the migration
    // made, still blank (no cursor, no binding, no shop).
    for (table, rows) in world.dump_db(&["sync_history", "sqlite_sequence"]) {
        let blank_state = table == "sync_state"
            && rows.len() == 1
            && rows[0].split('|').skip(1).all(|cell| cell == "Null");
        assert!(rows.is_empty() || blank_state, "{table} holds {rows:?}");
    }
    assert_eq!(world.history(), [("test".to_owned(), "success".to_owned())]);
}

/// A real `sync` then fills the tab, header in row 1, each line item once.
fn assert_real_sync_fills_the_tab(world: &World) {
    world.sync_ok(&[]);
    let rows = world.rows();
    assert_eq!(rows[0][0], "Order");
    assert_eq!(rows.len(), world.line_items() + 1);
    world.assert_exactly_once();
}

#[test]
fn no_tab_yet() {
    let world = world_with_tabs(81, &["Sheet1"]);
    assert_plans_every_row_as_an_append(&world, 2);
    assert_eq!(world.google.tab_titles(&world.spreadsheet), ["Sheet1"]);
    assert_real_sync_fills_the_tab(&world);
}

#[test]
fn an_empty_tab_made_by_hand() {
    let world = world_with_tabs(82, &[TAB]);
    assert_plans_every_row_as_an_append(&world, 2);
    assert_real_sync_fills_the_tab(&world);
}

#[test]
fn a_tab_holding_only_the_header() {
    let world = world_with_tabs(83, &[TAB]);
    let header: Vec<Value> = shopsync::sync::plan::columns::Column::ALL
        .iter()
        .map(|c| json!(c.name()))
        .collect();
    world
        .google
        .person_set_row(&world.spreadsheet, TAB, 1, &header);
    assert_plans_every_row_as_an_append(&world, 2);
    assert_real_sync_fills_the_tab(&world);
}

#[test]
fn a_blank_row_1_above_data_is_another_layout_for_both_runs() {
    let world = world_with_tabs(84, &[TAB]);
    let theirs = [json!("1001"), json!("Widget"), json!("2")];
    world
        .google
        .person_set_row(&world.spreadsheet, TAB, 3, &theirs);
    let sheet = world.rows();
    for args in [&["--test"][..], &[]] {
        world.google.reset_counts();
        let (code, stdout, stderr) = world.sync_code(args);
        assert_eq!(code, 2, "sync {args:?}: {stdout}{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(TAB) && stderr.contains("Order ID"),
            "{stderr}"
        );
        world.assert_no_google_write();
        assert_eq!(world.rows(), sheet, "sync {args:?} changed the tab");
    }
}
