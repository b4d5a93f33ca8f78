//! `status`, `orders`, `errors` and `report` on a store populated through the store's own API:
//! human output snapshotted, `--json` parsed and checked field by field.

use predicates::prelude::*;
use serde_json::Value;
use shopsync::store::RunOutcome;

use crate::fixture::{self, DB, masked, populate};
use crate::support::{Sandbox, run_json};

/// Runs `shopsync ARGS` against the fixture DB and returns (exit code, stdout, stderr).
pub fn run(sandbox: &Sandbox, args: &[&str]) -> (i32, String, String) {
    let out = sandbox
        .cmd(args)
        .env("SHOPSYNC_DB", DB)
        .output()
        .expect("run shopsync");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

/// Runs with `--json` and parses stdout as the one JSON object it must be.
pub fn json(sandbox: &Sandbox, args: &[&str], code: i32) -> Value {
    let (got, value) = run_json(sandbox.cmd(args).env("SHOPSYNC_DB", DB), args);
    assert_eq!(got, code, "{args:?}: {value}");
    value
}

#[test]
fn status_shows_runs_counts_binding_lock_and_config_sources() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let (code, stdout, stderr) = run(&sandbox, &["status"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.is_empty(), "stderr: {stderr}");
    masked(&sandbox, || insta::assert_snapshot!("status", stdout));

    let status = json(&sandbox, &["status", "--json"], 0);
    assert_eq!(status["last_sync_failed"], false);
    assert_eq!(status["database"]["state"], "ready");
    assert_eq!(status["last_sync"]["id"], 3);
    assert_eq!(status["last_sync"]["outcome"], "success");
    let ids: Vec<i64> = status["recent_runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [3, 2, 1], "newest first");
    assert_eq!(status["recent_runs"][1]["mode"], "test");
    let tracked = &status["tracked"];
    assert_eq!(tracked["orders"], 4);
    assert_eq!(tracked["deleted_orders"], 1);
    assert_eq!(tracked["line_items"], 7);
    assert_eq!(tracked["unresolved_errors"], 1);
    assert_eq!(tracked["pending_refetch"], 1);
    assert!(status["cursor"].is_string());
    assert_eq!(status["binding"]["spreadsheet_id"], "1AbCdEfGhIjKlMnOp");
    assert_eq!(status["binding"]["sheet_title"], "Orders");
    assert_eq!(status["shop"]["iana_timezone"], "America/New_York");
    assert_eq!(status["timezone"], "America/New_York");
    assert_eq!(status["lock"]["state"], "free");
    let db = status["config"]
        .as_array()
        .expect("config")
        .iter()
        .find(|o| o["key"] == "database_path")
        .expect("database_path listed");
    assert_eq!(db["value"], DB);
    assert_eq!(db["source"], "environment SHOPSYNC_DB");
}

#[test]
fn status_exits_1_when_the_last_real_sync_did_not_succeed() {
    for outcome in [
        RunOutcome::Partial,
        RunOutcome::Failed,
        RunOutcome::Interrupted,
        RunOutcome::Abandoned,
    ] {
        let sandbox = Sandbox::new();
        populate(&sandbox, outcome);
        let (code, stdout, _) = run(&sandbox, &["status"]);
        assert_eq!(code, 1, "{outcome:?}: {stdout}");
        assert!(
            stdout.contains(&format!(
                "ended {}: 1 order failed (#1006)",
                outcome.as_str()
            )),
            "{outcome:?}: {stdout}"
        );
        let status = json(&sandbox, &["status", "--json"], 1);
        assert_eq!(status["last_sync_failed"], true, "{outcome:?}");
        assert_eq!(status["last_sync"]["outcome"], outcome.as_str());
    }
}

#[test]
fn quiet_status_is_silent_when_well_and_one_line_on_stderr_when_not() {
    let well = Sandbox::new();
    populate(&well, RunOutcome::Success);
    let (code, stdout, stderr) = run(&well, &["-q", "status"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));

    let failing = Sandbox::new();
    populate(&failing, RunOutcome::Partial);
    let (code, stdout, stderr) = run(&failing, &["-q", "status"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("the last sync (run 3"), "{stderr}");
}

#[test]
fn status_names_the_lock_holder_without_taking_the_lock() {
    let sandbox = Sandbox::new();
    let db = populate(&sandbox, RunOutcome::Success);
    let lock = shopsync::store::SyncLock::acquire(&db, "sync", std::time::Duration::ZERO)
        .expect("take the lock");
    let status = json(&sandbox, &["status", "--json"], 0);
    assert_eq!(status["lock"]["state"], "held");
    assert_eq!(status["lock"]["holder"]["pid"], std::process::id());
    assert_eq!(status["lock"]["holder"]["command"], "sync");
    let (_, stdout, _) = run(&sandbox, &["status"]);
    assert!(
        stdout.contains(&format!("held by pid {} on", std::process::id())),
        "{stdout}"
    );
    drop(lock);
}

#[test]
fn orders_lists_the_newest_first_in_shop_time() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let (code, stdout, stderr) = run(&sandbox, &["orders"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("2026-03-08 01:30 -05:00"),
        "#1005 in New York time: {stdout}"
    );
    masked(&sandbox, || insta::assert_snapshot!("orders", stdout));

    let listing = json(&sandbox, &["orders", "--json"], 0);
    let names: Vec<&str> = listing["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| o["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["#1004", "#1003", "#1002", "#1001", "#1005"]);
    let o1005 = &listing["orders"][4];
    assert_eq!(o1005["status"], "deleted");
    assert_eq!(o1005["created_at"], fixture::OLD_ORDER_AT);
    assert_eq!(o1005["total"], "99.99", "money stays exact text");
    assert_eq!(listing["orders"][1]["test"], true);
    assert_eq!(listing["orders"][0]["line_item_count"], 2);

    let two = json(&sandbox, &["orders", "--limit", "2", "--json"], 0);
    assert_eq!(two["orders"].as_array().expect("orders").len(), 2);
}

#[test]
fn errors_lists_unresolved_and_with_all_the_resolved_too() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Partial);
    let (code, stdout, _) = run(&sandbox, &["errors"]);
    assert_eq!(code, 0);
    masked(&sandbox, || insta::assert_snapshot!("errors", stdout));
    let (_, all_text, _) = run(&sandbox, &["errors", "--all"]);
    masked(&sandbox, || insta::assert_snapshot!("errors_all", all_text));

    let open = json(&sandbox, &["errors", "--json"], 0);
    let open = open["errors"].as_array().expect("errors");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["order_name"], "#1006");
    assert_eq!(open[0]["stage"], "write");
    assert_eq!(open[0]["kind"], "http_500");
    assert_eq!(open[0]["attempts"], 1);
    assert!(open[0]["resolved_at"].is_null());

    let all = json(&sandbox, &["errors", "--all", "--json"], 0);
    let all = all["errors"].as_array().expect("errors");
    assert_eq!(all.len(), 2);
    let resolved = all
        .iter()
        .find(|e| e["order_name"] == "#1002")
        .expect("#1002's error");
    assert!(resolved["resolved_at"].is_string(), "{resolved}");
}

#[test]
fn report_counts_shop_local_days_currencies_runs_and_products() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let (code, stdout, stderr) = run(&sandbox, &["report"]);
    assert_eq!(code, 0, "{stderr}");
    masked(&sandbox, || insta::assert_snapshot!("report", stdout));

    let report = json(&sandbox, &["report", "--json"], 0);
    assert_eq!(report["timezone"], "America/New_York");
    assert_eq!(report["timezone_source"], "shop");
    assert_eq!(report["days"].as_array().expect("days").len(), 7);
    assert_eq!(
        report["total_orders"], 3,
        "test and deleted orders excluded"
    );
    assert_eq!(report["total_line_items"], 5);
    assert_eq!(
        report["total_revenue"],
        serde_json::json!([
            {"currency": "EUR", "amount": "21.00"},
            {"currency": "USD", "amount": "81.50"}
        ])
    );
    let by_day: Vec<(i64, i64)> = report["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| {
            (
                d["orders"].as_i64().unwrap(),
                d["test_orders"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_day,
        [(0, 0), (0, 0), (0, 0), (1, 0), (1, 0), (1, 1), (0, 0)],
        "#1001 three days ago, #1002 two, #1004 and test #1003 yesterday"
    );
    let top: Vec<(&str, i64)> = report["top_products"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| {
            (
                p["title"].as_str().unwrap(),
                p["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top[..3],
        [("Red Mug", 4), ("Blue Mug", 3), ("Tea Towel", 3)],
        "by quantity, ties by title"
    );
    assert_eq!(report["errors_in_period"], 2);
    assert_eq!(report["errors_unresolved"], 1);
    let runs: u64 = report["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["runs"].as_u64().unwrap())
        .sum();
    assert_eq!(runs, 3);

    let today = json(&sandbox, &["report", "--days", "1", "--json"], 0);
    assert_eq!(today["days"].as_array().expect("days").len(), 1);
    assert_eq!(today["total_orders"], 0);
}

#[test]
fn status_max_age_exits_1_when_the_last_good_sync_is_older_or_missing() {
    let sandbox = Sandbox::new();
    // No database yet: nothing ever succeeded, so any monitor must hear about it.
    let (code, stdout, stderr) = run(&sandbox, &["-q", "status", "--max-age", "1h"]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert!(stderr.contains("no sync has succeeded yet"), "{stderr}");

    // The fixture's last real sync (run 3) succeeded about 22 hours ago.
    populate(&sandbox, RunOutcome::Success);
    let fresh = json(&sandbox, &["status", "--max-age", "2d", "--json"], 0);
    assert_eq!(fresh["too_old"], false);
    assert_eq!(fresh["max_age_seconds"], 2 * 86_400);
    assert_eq!(fresh["last_good_sync"]["id"], 3);
    let age = fresh["last_good_sync"]["age_seconds"]
        .as_i64()
        .expect("age");
    assert!((20 * 3600..24 * 3600).contains(&age), "{age}");
    let stale = json(&sandbox, &["status", "--max-age", "2h", "--json"], 1);
    assert_eq!(stale["too_old"], true);
    assert_eq!(stale["last_sync_failed"], false, "only too old");
    let (code, stdout, stderr) = run(&sandbox, &["-q", "status", "--max-age", "1h30m"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(
        stderr.contains("the last successful sync (run 3) finished 2")
            && stderr.contains("ago, longer than --max-age 1h 30m"),
        "{stderr}"
    );
    let (code, stdout, _) = run(&sandbox, &["status", "--max-age", "2h"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("Last good  the last successful sync (run 3)"),
        "{stdout}"
    );
    let (code, _, _) = run(&sandbox, &["status", "--max-age", "25h"]);
    assert_eq!(code, 0);

    // A failed last sync: the good one is run 1, and the failure still exits 1 on its own.
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Failed);
    let status = json(&sandbox, &["status", "--max-age", "2d", "--json"], 1);
    assert_eq!(status["last_good_sync"]["id"], 1);
    assert_eq!(
        (
            status["too_old"].clone(),
            status["last_sync_failed"].clone()
        ),
        (false.into(), true.into())
    );
}

#[test]
fn read_commands_reject_bad_flags_with_exit_2() {
    let sandbox = Sandbox::new();
    for args in [
        &["orders", "--limit", "0"][..],
        &["report", "--days", "0"],
        &["report", "--days", "many"],
        &["status", "--max-age", "2"],
        &["status", "--max-age", "soon"],
        &["status", "--max-age", "0m"],
    ] {
        sandbox
            .cmd(args)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty());
    }
}

#[test]
fn a_closed_pipe_ends_a_listing_quietly_with_exit_0() {
    let sandbox = Sandbox::new();
    let db = populate(&sandbox, RunOutcome::Success);
    // Far more than a pipe buffer holds, so writing must fail once the reader is gone.
    fixture::add_orders(&db, 1500);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shopsync"))
        .args(["orders", "--limit", "2000"])
        .env_clear()
        .env("SHOPSYNC_DB", DB)
        .current_dir(sandbox.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn shopsync");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "quiet on a broken pipe"
    );
}
