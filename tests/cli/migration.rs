//! Coming from the prior Python tool (the README's section): its commands run unchanged; its
//! database and its tab are refused untouched; a new database file and a new tab get going with the
//! three commands the README names, leaving the old files, log and tab as they were.

use serde_json::{Value, json};

use crate::world::{TAB, World};

/// The prior tool's tables, as its README names them, with a row.
const PRIOR_SCHEMA: &str = "\
    CREATE TABLE order_tracking (order_id TEXT PRIMARY KEY, order_number TEXT, order_hash TEXT, \
        last_synced TIMESTAMP);
    CREATE TABLE sync_history (id INTEGER PRIMARY KEY, sync_time TIMESTAMP, status TEXT);
    CREATE TABLE sync_errors (id INTEGER PRIMARY KEY, order_id TEXT, error TEXT);
    INSERT INTO order_tracking VALUES ('5001', '#1001', 'abc', '2024-01-01');";

/// `shopsync ARGS` in the world's folder: (exit code, stdout, stderr).
fn run(world: &World, args: &[&str]) -> (i32, String, String) {
    world.refill_bucket();
    let out = world.cmd(args).output().expect("run shopsync");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_prior_tools_command_lines_run_unchanged() {
    let world = World::fast(51, 30);
    let number = world.order_name(world.order_ids()[0]);
    let number = number.trim_start_matches('#');
    // Every command line of the prior README, `python sync_manager.py` or
    // `python shopify_sheets_sync.py` replaced by `shopsync`, in its order.
    let lines: [&[&str]; 12] = [
        &["sync", "--test"],
        &["sync"],
        &["status"],
        &["sync"],
        &["missing"],
        &["orders", "--limit", "20"],
        &["errors"],
        &["validate"],
        &["report", "--days", "7"],
        &["export", "--output", "orders_backup.csv"],
        &["reset", number],
        &["sync", "--force"],
    ];
    for args in lines {
        let (code, stdout, stderr) = run(&world, args);
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
    }
    assert!(world.dir.file("orders_backup.csv").exists());
    world.assert_exactly_once();
}

#[test]
fn its_database_and_tab_are_refused_untouched_and_a_new_file_and_tab_get_going() {
    let mut world = World::fast(52, 30);
    // The prior tool's files, in the folder it ran in.
    let db = world.dir.file("shopify_sync.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(PRIOR_SCHEMA).unwrap();
    drop(conn);
    let prior_db = std::fs::read(&db).unwrap();
    let prior_log = "2024-05-01 10:00:00 - INFO - Sync completed: 12 orders\n";
    world.dir.write("shopify_sync.log", prior_log);
    std::fs::create_dir(world.dir.file("test_output")).unwrap();
    world.dir.write("test_output/test_sync_20240501.json", "{}");
    // Its tab, in a layout of its own (the prior README does not list its columns; these are
    // the kind it had: no Order ID and Line Item ID, the keys shopsync finds rows by).
    let header = [
        "Order Number",
        "Date",
        "Customer",
        "Email",
        "Product",
        "Quantity",
        "Total",
    ];
    let header: Vec<Value> = header.iter().map(|h| json!(h)).collect();
    world
        .google
        .create_spreadsheet_with_id("prior", "Customer Orders-3-1", &[TAB]);
    world.google.person_set_row("prior", TAB, 1, &header);
    let row = [
        "#1001",
        "2024-05-01",
        "Ann",
        "ann@example.com",
        "Widget",
        "2",
        "20.00",
    ];
    let row: Vec<Value> = row.iter().map(|c| json!(c)).collect();
    world.google.person_set_row("prior", TAB, 2, &row);
    // Its configuration, spreadsheet by title, as the prior README shows it.
    world.set_config("target_spreadsheet", json!("Customer Orders-3-1"));
    let prior_tab = world.google.rows("prior", TAB);

    // 1. validate names both problems, and what to do about each.
    let (code, stdout, stderr) = run(&world, &["validate"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("prior Python sync tool"), "{stdout}");
    assert!(stdout.contains("SHOPSYNC_DB"), "{stdout}");
    assert!(
        stdout.contains("point `worksheet` at a new or empty tab"),
        "{stdout}"
    );

    // sync refuses the database, exit 4, before anything else.
    let (code, stdout, stderr) = run(&world, &["sync", "--test"]);
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(stderr.contains("prior Python sync tool"), "{stderr}");

    // A new database file: the refusal moves on to the tab, exit 2, naming it.
    world.dir.write(".env", "SHOPSYNC_DB=shopsync.db\n");
    for args in [&["sync", "--test"][..], &["sync"]] {
        let (code, stdout, stderr) = run(&world, args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(TAB) && stderr.contains("Order ID"),
            "{stderr}"
        );
    }

    // A new tab: the three commands of the README.
    world.set_config("worksheet", json!("Orders (shopsync)"));
    let (code, stdout, stderr) = run(&world, &["validate"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = run(&world, &["sync", "--test"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = run(&world, &["sync"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let rows = world.google.rows("prior", "Orders (shopsync)");
    assert_eq!(rows.len(), 1 + world.line_items(), "one row per line item");

    // What the prior tool left is as it was; its log goes on, appended to.
    assert_eq!(
        std::fs::read(&db).unwrap(),
        prior_db,
        "the prior DB changed"
    );
    assert_eq!(
        world.google.rows("prior", TAB),
        prior_tab,
        "the prior tab changed"
    );
    assert_eq!(
        std::fs::read_to_string(world.dir.file("test_output/test_sync_20240501.json")).unwrap(),
        "{}"
    );
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).unwrap();
    assert!(
        log.starts_with(prior_log) && log.len() > prior_log.len(),
        "{log}"
    );
    assert!(world.dir.file("shopsync.db").exists());
}
