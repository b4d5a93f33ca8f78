//! The local commands before the first sync and on files that are not shopsync's: nothing is
//! created or modified, and each refusal is one line with its documented exit code.

use std::path::Path;

use crate::local_commands::json;
use crate::support::{self, Sandbox};

/// Every local command, as run against each bad file.
const COMMANDS: [&[&str]; 8] = [
    &["status"],
    &["status", "--json"],
    &["orders"],
    &["errors", "--all"],
    &["report"],
    &["export", "-o", "out.csv"],
    &["reset", "1001"],
    &["backup", "copy.db"],
];

/// The files in the directory, but the log file `reset` keeps (it records attempts to change state).
fn listing(dir: &Path) -> Vec<String> {
    support::listing(dir, |name| name != "shopify_sync.log")
}

/// Runs every command on the sandbox's default `shopify_sync.db` and checks exit 4, one line on
/// stderr containing `says`, nothing on stdout, and the file and directory untouched.
fn refused_everywhere(sandbox: &Sandbox, says: &str) {
    let db = sandbox.file("shopify_sync.db");
    let bytes = std::fs::read(&db).expect("the bad file");
    let files = listing(sandbox.path());
    for args in COMMANDS {
        let out = sandbox.cmd(args).output().expect("run shopsync");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {stderr}");
        if args.contains(&"--json") {
            // One JSON object on stdout, failure or not, saying what stderr says.
            let value: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("one JSON object");
            assert_eq!(value["error"]["kind"], "store", "{value}");
            assert_eq!(value["error"]["exit_code"], 4, "{value}");
            let message = value["error"]["message"].as_str().expect("message");
            assert!(stderr.contains(message), "{args:?}: {value}");
        } else {
            assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        }
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            stderr.contains("SHOPSYNC_DB"),
            "{args:?} says how to point elsewhere: {stderr}"
        );
        assert_eq!(
            std::fs::read(&db).unwrap(),
            bytes,
            "{args:?} changed the file"
        );
        assert_eq!(listing(sandbox.path()), files, "{args:?} created a file");
    }
}

#[test]
fn a_garbage_database_file_is_exit_4_and_left_untouched() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.file("shopify_sync.db"),
        b"order,total\n1001,10.00\n".repeat(50),
    )
    .unwrap();
    refused_everywhere(&sandbox, "is not an SQLite database");
}

#[test]
fn the_prior_tools_database_is_exit_4_and_left_untouched() {
    let sandbox = Sandbox::new();
    let conn = rusqlite::Connection::open(sandbox.file("shopify_sync.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE order_tracking (order_id TEXT PRIMARY KEY, order_number TEXT, \
         order_hash TEXT, last_synced TIMESTAMP);
         CREATE TABLE sync_history (id INTEGER PRIMARY KEY, sync_time TIMESTAMP, status TEXT);
         CREATE TABLE sync_errors (id INTEGER PRIMARY KEY, order_id TEXT, error TEXT);
         INSERT INTO order_tracking VALUES ('1', '#1001', 'abc', '2024-01-01');",
    )
    .unwrap();
    drop(conn);
    refused_everywhere(&sandbox, "prior Python sync tool");
}

#[test]
fn before_the_first_sync_nothing_is_created_and_status_says_so() {
    let sandbox = Sandbox::new();
    for args in [
        &["status"][..],
        &["orders"],
        &["errors"],
        &["report"],
        &["orders", "--json"],
        &["errors", "--json"],
    ] {
        let out = sandbox.cmd(args).output().expect("run shopsync");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        if !args.contains(&"--json") {
            assert!(stdout.contains("no sync has run yet"), "{args:?}: {stdout}");
        }
        assert!(
            listing(sandbox.path()).is_empty(),
            "{args:?} created a file"
        );
    }

    let status = json(&sandbox, &["status", "--json"], 0);
    assert_eq!(status["database"]["state"], "not_created");
    assert_eq!(status["last_sync_failed"], false);
    assert_eq!(status["lock"]["state"], "free");
    assert!(status["config"].as_array().is_some_and(|c| !c.is_empty()));

    let orders = json(&sandbox, &["orders", "--json"], 0);
    assert_eq!(orders["orders"], serde_json::json!([]));
    assert!(
        orders["note"]
            .as_str()
            .is_some_and(|n| n.contains("no sync has run yet")),
        "{orders}"
    );

    let out = sandbox.cmd(&["reset", "#1001"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sync has run yet"));
    assert!(listing(sandbox.path()).is_empty(), "reset created a file");
}

#[test]
fn report_before_the_first_sync_uses_utc_and_says_so() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .cmd(&["report", "--days", "3"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Days are in UTC (the shop's time zone is not known"),
        "{stdout}"
    );
    let report = json(&sandbox, &["report", "--days", "3", "--json"], 0);
    assert_eq!(report["timezone"], "UTC");
    assert_eq!(report["timezone_source"], "utc");
    assert_eq!(report["days"].as_array().expect("days").len(), 3);
    assert_eq!(report["total_orders"], 0);
    assert!(listing(sandbox.path()).is_empty());
}

#[test]
fn an_export_before_the_first_sync_is_a_header_only_file() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .cmd(&["export", "-o", "empty.csv"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exported 0 line item(s)"));
    let text = std::fs::read_to_string(sandbox.file("empty.csv")).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("Order,Order ID,Line Item ID,"), "{text}");
    assert_eq!(
        listing(sandbox.path()),
        ["empty.csv"],
        "no database created"
    );
}
