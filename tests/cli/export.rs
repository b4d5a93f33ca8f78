//! `export`: CSV with a header and neutralised cells, JSON by extension, owner-only files, and never
//! over an existing file without `--force`.

use std::path::Path;

use shopsync::store::RunOutcome;

use crate::fixture::{FORMULA_TITLE, populate};
use crate::local_commands::run;
use crate::support::{self, Sandbox, mode, read_csv};

/// Every file in the directory, hidden temp files included, but the database's own (a read-only
/// open of a WAL database leaves its `-wal` and `-shm` files, which are SQLite's business).
fn listing(dir: &Path) -> Vec<String> {
    support::listing(dir, |name| !name.starts_with(crate::fixture::DB))
}

#[test]
fn the_default_export_is_a_dated_csv_with_neutralised_cells() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let (code, stdout, stderr) = run(&sandbox, &["export"]);
    assert_eq!(code, 0, "{stderr}");
    let name = listing(sandbox.path())
        .into_iter()
        .find(|n| n.starts_with("shopsync_export_"))
        .expect("an export file");
    assert!(
        name.len() == "shopsync_export_2026-01-01.csv".len() && name.ends_with(".csv"),
        "{name}"
    );
    assert_eq!(
        stdout,
        format!("Exported 7 line item(s) of 5 order(s) to {name}.\n")
    );
    let path = sandbox.file(&name);
    assert_eq!(mode(&path), 0o600, "customer data is owner-only");

    let (header, rows) = read_csv(&path);
    assert_eq!(
        header[..4],
        ["Order", "Order ID", "Line Item ID", "Created At"]
    );
    assert_eq!(rows.len(), 7);
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let gift = rows
        .iter()
        .find(|r| r[col("Line Item ID")] == "10011")
        .expect("#1001's second line");
    assert_eq!(gift[col("Product")], format!("'{FORMULA_TITLE}"));
    assert_eq!(gift[col("SKU")], "'-GIFT");
    assert_eq!(gift[col("Unit Price")], "0.00");
    let mug = &rows[0];
    assert_eq!(mug[col("Order")], "#1001");
    assert_eq!(
        mug[col("Unit Price")],
        "12.50",
        "amounts stay exact numbers"
    );
    assert_eq!(mug[col("Line Total")], "25.00");
    assert!(
        mug[col("Created At")].ends_with("-05:00") || mug[col("Created At")].ends_with("-04:00"),
        "times in the shop's zone: {}",
        mug[col("Created At")]
    );
    let old = rows
        .iter()
        .find(|r| r[col("Order")] == "#1005")
        .expect("#1005");
    assert_eq!(old[col("Created At")], "2026-03-08T01:30:00-05:00");
    assert_eq!(old[col("Order Status")], "deleted");
}

#[test]
fn an_existing_file_is_kept_unless_forced() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let target = sandbox.write("out.csv", "precious\n");
    let before = listing(sandbox.path());
    let (code, stdout, stderr) = run(&sandbox, &["export", "--output", "out.csv"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("out.csv already exists; pass --force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    assert_eq!(listing(sandbox.path()), before, "no temp file left behind");

    let (code, _, stderr) = run(&sandbox, &["export", "--output", "out.csv", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, rows) = read_csv(&target);
    assert_eq!(rows.len(), 7);
    assert_eq!(mode(&target), 0o600);
    assert_eq!(
        listing(sandbox.path()),
        before,
        "replaced in place, no temp file left"
    );
}

#[test]
fn a_json_file_name_gives_one_json_object_with_values_as_tracked() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let (code, stdout, stderr) = run(&sandbox, &["export", "-o", "tracking.JSON"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("to tracking.JSON as JSON"), "{stdout}");
    let text = std::fs::read_to_string(sandbox.file("tracking.JSON")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let rows = value["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 7);
    assert_eq!(value["timezone"], "America/New_York");
    assert!(
        rows.iter().any(|r| r["product"] == FORMULA_TITLE),
        "JSON keeps values as tracked"
    );
    assert_eq!(rows[0]["unit_price"], "12.50");
    assert_eq!(mode(&sandbox.file("tracking.JSON")), 0o600);
}

#[test]
fn an_export_into_a_missing_directory_fails_and_leaves_nothing() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let before = listing(sandbox.path());
    let (code, _, stderr) = run(&sandbox, &["export", "--output", "nope/out.csv"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nope"), "{stderr}");
    assert_eq!(listing(sandbox.path()), before);
}

#[test]
fn quiet_export_prints_nothing() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let (code, stdout, stderr) = run(&sandbox, &["-q", "export", "-o", "q.csv"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    assert!(sandbox.file("q.csv").exists());
}
