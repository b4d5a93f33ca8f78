//! Promise 6 end to end: `sync --test` reads both services, sends no write to Google, changes no
//! tracking table (one `sync_history` row with mode `test`), and leaves its plan in `test_output/`.
//! Before the first sync: `sync_first_tab`.

use crate::support::read_csv;
use crate::world::World;

#[test]
fn a_dry_run_writes_nothing_but_its_plan_and_one_history_row() {
    let world = World::fast(21, 25);
    world.sync_ok(&[]);
    let ids = world.order_ids();
    let cancelled = ids[5];
    let noted = ids[9];
    assert!(world.shopify.cancel(cancelled));
    world
        .shopify
        .with_store(|s, now| s.update(noted, now.timestamp(), |o| o.note = Some("=1+2".into())));
    let added = world.shopify.add_orders(1)[0];

    let tables = world.dump_db(&["sync_history", "sqlite_sequence"]);
    let history = world.history();
    let sheet = world.rows();
    world.google.reset_counts();
    let stdout = world.sync_ok(&["--test"]);
    assert!(stdout.contains("nothing was written"), "{stdout}");
    #[cfg(unix)]
    {
        // test_output/ itself is owner-only, not only the run folders inside it (issue 11, 13).
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(world.dir.file("test_output"))
            .expect("test_output/")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "test_output/ is {mode:o}");
    }

    let counts = world.google.counts();
    assert!(
        counts
            .keys()
            .any(|m| m.contains("values.batchGet") || m.contains("values.get"))
    );
    world.assert_no_google_write();
    assert_eq!(world.rows(), sheet, "the sheet changed");
    world.assert_db_unchanged(&tables, &["sync_history", "sqlite_sequence"]);
    let history_after = world.history();
    assert_eq!(history_after.len(), history.len() + 1);
    assert_eq!(history_after[..history.len()], history[..]);
    assert_eq!(history_after.last().expect("row").0, "test");

    let dirs = world.dry_run_dirs();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let dir = &dirs[0];
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("summary is JSON");
    assert_eq!(summary["kind"], "dry_run");
    assert_eq!(
        summary["counts"]["rows_appended"],
        world.keys_of(added).len()
    );

    let appends = read_csv(&dir.join("append.csv")).1;
    let added_keys = world.keys_of(added);
    assert_eq!(appends.len(), added_keys.len(), "{appends:?}");
    let first_free = u32::try_from(sheet.len() + 1).expect("rows");
    for (record, (order, line)) in appends.iter().zip(&added_keys) {
        // Sheet Row, then the default columns: Order, Order ID, Line Item ID, ...
        assert_eq!(&record[2], order);
        assert_eq!(&record[3], line);
        assert!(record[0].parse::<u32>().expect("row") >= first_free);
    }

    let updates = read_csv(&dir.join("update.csv")).1;
    let cancelled_id = cancelled.to_string();
    let cancelled_rows: Vec<_> = updates.iter().filter(|r| r[0] == cancelled_id).collect();
    assert!(
        cancelled_rows
            .iter()
            .any(|r| r[3] == "Financial Status" && r[5] == "VOIDED"),
        "{cancelled_rows:?}"
    );
    assert!(
        cancelled_rows
            .iter()
            .any(|r| r[3] == "Cancelled At" && r[4].is_empty())
    );
    let note = updates
        .iter()
        .find(|r| r[0] == noted.to_string() && r[3] == "Note")
        .expect("the note change is planned");
    assert_eq!(note[5], "'=1+2", "formula cell not neutralised in the CSV");
    assert!(
        updates.iter().all(|r| r[0] != added.to_string()),
        "appended rows are not updates"
    );

    // Nothing was recorded, so a real run still has the whole job to do.
    world.sync_ok(&[]);
    world.assert_exactly_once();
    assert_eq!(
        world.cell(&world.keys_of(cancelled)[0], "Financial Status"),
        "VOIDED"
    );
}
