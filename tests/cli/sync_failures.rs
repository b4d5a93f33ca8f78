//! A sync that fails as a whole shows up where people look: `errors` and `errors --json` list it
//! (when, what failed, the fix), `status` counts it, the log file has an ERROR line, and the next
//! sync that completes resolves it. A held lock is none of these: the other run does the work.

use std::time::Duration;

use serde_json::Value;
use shopsync::sandbox::shopify::{Fault, SANDBOX_TOKEN};
use shopsync::store::SyncLock;

use crate::world::World;

/// `shopsync ARGS --json` in the world: the one JSON object it printed.
fn json(world: &World, args: &[&str]) -> Value {
    world.json(args).1
}

fn unresolved(world: &World) -> Vec<Value> {
    json(world, &["errors", "--json"])["errors"]
        .as_array()
        .expect("errors")
        .clone()
}

fn log(world: &World) -> String {
    std::fs::read_to_string(world.dir.file("shopify_sync.log")).expect("log file")
}

/// The log's lines that say a sync failed.
fn failure_lines(world: &World) -> Vec<String> {
    log(world)
        .lines()
        .filter(|l| l.contains("ERROR") && l.contains("sync failed: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_failed_sync_is_listed_counted_and_logged_until_a_sync_completes() {
    let world = World::fast(91, 8);
    world.sync_ok(&[]);

    // Shopify refuses the token.
    world.shopify.inject_always(Fault::status(
        401,
        "[API] Invalid API key or access token (unrecognized login or wrong password)",
    ));
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let errors = unresolved(&world);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(error["stage"], "run");
    assert_eq!(error["kind"], "shopify");
    assert_eq!(error["order_gid"], Value::Null);
    assert_eq!(error["attempts"], 1);
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains("shopify_access_token"),
        "no fix: {message}"
    );
    assert!(!message.contains(SANDBOX_TOKEN), "{message}");
    assert!(
        stderr.contains(message),
        "errors and stderr say the same: {stderr}"
    );
    let status = json(&world, &["status", "--json"]);
    assert_eq!(status["tracked"]["unresolved_errors"], 1);
    assert_eq!(status["last_sync_failed"], true);
    let lines = failure_lines(&world);
    assert_eq!(lines.len(), 1, "{}", log(&world));
    assert!(lines[0].contains(message), "{}", lines[0]);
    // `--json` answers with one object on failure too; the failure counts once more.
    let failed = json(&world, &["sync", "--json"]);
    assert_eq!(failed["error"]["kind"], "remote", "{failed}");
    assert_eq!(failed["error"]["exit_code"], 3, "{failed}");
    assert_eq!(failed["error"]["message"], message);
    assert_eq!(unresolved(&world)[0]["attempts"], 2);

    // Next hour Shopify is fine but the spreadsheet is no longer shared: still one open error,
    // now about the sheet, and the human listing says what to do.
    world.shopify.clear_faults();
    assert!(world.shopify.cancel(world.order_ids()[2]));
    world.google.set_shared(&world.spreadsheet, false);
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    let errors = unresolved(&world);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "sheets");
    assert_eq!(errors[0]["attempts"], 3);
    let message = errors[0]["message"].as_str().expect("message");
    assert!(message.contains(world.google.client_email()), "{message}");
    let out = world.cmd(&["errors"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(whole sync)"), "{text}");
    assert!(text.contains("failed 3 time(s) in a row"), "{text}");
    assert!(text.contains("shopsync validate"), "{text}");
    assert_eq!(failure_lines(&world).len(), 3);

    // Shared again: the sync completes and the error is resolved, kept in `errors --all`.
    world.google.set_shared(&world.spreadsheet, true);
    world.sync_ok(&[]);
    assert!(unresolved(&world).is_empty());
    let all = json(&world, &["errors", "--all", "--json"]);
    assert_eq!(all["errors"][0]["stage"], "run");
    assert!(all["errors"][0]["resolved_at"].is_string(), "{all}");
    let status = json(&world, &["status", "--json"]);
    assert_eq!(status["tracked"]["unresolved_errors"], 0);
    assert_eq!(status["last_sync_failed"], false);
}

#[test]
fn a_dry_run_that_fails_records_no_error() {
    let world = World::fast(92, 5);
    world.sync_ok(&[]);
    world
        .shopify
        .inject_always(Fault::status(401, "[API] Invalid API key"));
    let (code, stdout, stderr) = world.sync_code(&["--test"]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(unresolved(&world).is_empty());
    // The log still says what failed.
    assert_eq!(failure_lines(&world).len(), 1, "{}", log(&world));
}

#[test]
fn a_held_lock_is_a_warning_in_the_log_and_no_error() {
    let world = World::fast(93, 5);
    world.sync_ok(&[]);
    let lock = SyncLock::acquire(&world.db(), "sync", Duration::ZERO).expect("take the lock");
    let (code, stdout, stderr) = world.sync_code(&[]);
    drop(lock);
    assert_eq!(code, 5, "{stdout}{stderr}");
    assert!(unresolved(&world).is_empty());
    assert!(failure_lines(&world).is_empty(), "{}", log(&world));
    assert!(
        log(&world)
            .lines()
            .any(|l| l.contains("WARN") && l.contains("sync did not run: ")),
        "{}",
        log(&world)
    );
}

#[test]
fn a_db_bound_to_another_shop_is_a_listed_failure_and_asks_nothing_of_shopify() {
    let mut world = World::fast(94, 5);
    world.sync_ok(&[]);
    world.set_config("shopify_store_name", serde_json::json!("another-shop"));
    let before = world.shopify.stats().requests;
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(world.shopify.stats().requests, before);
    let errors = unresolved(&world);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["stage"], "run");
    let message = errors[0]["message"].as_str().expect("message");
    assert!(message.contains("SHOPSYNC_DB"), "{message}");
    assert_eq!(world.history().last().expect("run").1, "failed");
}
