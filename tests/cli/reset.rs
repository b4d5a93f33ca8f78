//! `reset`: both number forms, what the next sync will do, unknown numbers (exit 1), bad input
//! (exit 2) and the sync lock (exit 5).

use std::time::Duration;

use shopsync::store::{RunOutcome, SyncLock};

use crate::fixture::populate;
use crate::local_commands::{json, run};
use crate::support::Sandbox;

fn pending(sandbox: &Sandbox, name: &str) -> bool {
    let listing = json(sandbox, &["orders", "--json"], 0);
    listing["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed"))["pending_rewrite"]
        .as_bool()
        .expect("bool")
}

#[test]
fn reset_accepts_both_forms_and_says_what_the_next_sync_does() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    assert!(!pending(&sandbox, "#1001"));
    let (code, stdout, stderr) = run(&sandbox, &["reset", "#1001"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("reset", stdout);
    assert!(pending(&sandbox, "#1001"));
    assert!(!pending(&sandbox, "#1004"));

    let (code, stdout, _) = run(&sandbox, &["reset", "1004"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("Reset #1004: "), "{stdout}");
    assert!(pending(&sandbox, "#1004"));
    let status = json(&sandbox, &["status", "--json"], 0);
    assert_eq!(
        status["tracked"]["pending_refetch"], 3,
        "#1001 and #1004 queued for a fetch by ID, besides the failed #1006"
    );
}

#[test]
fn an_unknown_number_is_exit_1_with_a_message() {
    let sandbox = Sandbox::new();
    let db = populate(&sandbox, RunOutcome::Success);
    let before = std::fs::read(&db).unwrap();
    let (code, stdout, stderr) = run(&sandbox, &["reset", "#9999"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no tracked order has number 9999"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn something_that_is_not_a_number_is_a_usage_error() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    let (code, _, stderr) = run(&sandbox, &["reset", "10O1"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("\"10O1\" is not an order number"),
        "{stderr}"
    );
}

#[test]
fn reset_while_a_sync_holds_the_lock_is_exit_5_naming_the_holder() {
    let sandbox = Sandbox::new();
    let db = populate(&sandbox, RunOutcome::Success);
    let lock = SyncLock::acquire(&db, "sync", Duration::ZERO).expect("take the lock");
    let (code, stdout, stderr) = run(&sandbox, &["reset", "1001"]);
    drop(lock);
    assert_eq!(code, 5, "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("pid {} on", std::process::id())),
        "{stderr}"
    );
    assert!(stderr.contains("running `shopsync sync`"), "{stderr}");
    assert!(!pending(&sandbox, "#1001"), "nothing was reset");
}
