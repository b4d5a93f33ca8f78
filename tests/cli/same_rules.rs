//! The same rules for every command: `-q` prints nothing on success but never hides a warning or
//! an error; every `--json` command answers with one JSON object, failure included; numbers out of
//! range, unknown config keys and unknown export formats are named as such.

use serde_json::Value;
use shopsync::store::RunOutcome;

use crate::fixture::populate;
use crate::local_commands::run;
use crate::support::Sandbox;
use crate::world::World;

/// `shopsync ARGS` in the world: (exit code, stdout, stderr).
fn world_run(world: &World, args: &[&str]) -> (i32, String, String) {
    world.refill_bucket();
    let out = world.cmd(args).output().expect("run shopsync");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn quiet_remote_commands_print_nothing_on_success_but_every_warning() {
    let world = World::fast(101, 6);
    for args in [
        &["-q", "sync"][..],
        &["-q", "sync"],
        &["-q", "sync", "--test"],
        &["-q", "missing"],
        &["-q", "validate"],
    ] {
        let (code, stdout, stderr) = world_run(&world, args);
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert_eq!(stderr, "", "{args:?}");
    }

    let id = world.order_ids()[1];
    let note = "n".repeat(60_000);
    world.shopify.with_store(|s, now| {
        s.update(id, now.timestamp(), |o| o.note = Some(note.as_str().into()))
    });
    let (code, stdout, stderr) = world_run(&world, &["-q", "sync"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("truncated") && stderr.contains(&world.order_name(id)),
        "the truncation warning is for cron to mail: {stderr}"
    );
    // What was asked for explicitly is still printed.
    let (code, stdout, _) = world_run(&world, &["-q", "sync", "--json"]);
    assert_eq!(code, 0);
    serde_json::from_str::<Value>(&stdout).expect("--json under -q");
}

#[test]
fn quiet_local_commands_print_nothing_on_success_and_what_needs_a_person_otherwise() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    for args in [
        &["-q", "status"][..],
        &["-q", "orders"],
        &["-q", "report"],
        &["-q", "export", "-o", "out.csv"],
    ] {
        let (code, stdout, stderr) = run(&sandbox, args);
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert_eq!(stderr, "", "{args:?}");
    }
    assert!(sandbox.file("out.csv").exists());
    let (_, stdout, _) = run(&sandbox, &["-q", "orders", "--json"]);
    serde_json::from_str::<Value>(&stdout).expect("--json under -q");
    // The fixture has an unresolved error: that is what `-q errors` is run for.
    let (code, stdout, _) = run(&sandbox, &["-q", "errors"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("#1006"), "{stdout}");

    let failed = Sandbox::new();
    populate(&failed, RunOutcome::Failed);
    let (code, stdout, stderr) = run(&failed, &["-q", "status"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.starts_with("error: the last sync"), "{stderr}");
}

#[test]
fn every_json_command_fails_with_one_json_object() {
    let sandbox = Sandbox::new();
    sandbox.write("config.json", r#"{"lookback_dayz": 30}"#);
    for args in [
        &["sync", "--json"][..],
        &["missing", "--json"],
        &["status", "--json"],
        &["orders", "--json"],
        &["errors", "--json"],
        &["report", "--json"],
    ] {
        let out = sandbox.cmd(args).output().expect("run shopsync");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let value: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: no JSON object ({e})"));
        assert_eq!(value["error"]["kind"], "usage", "{args:?}: {value}");
        assert_eq!(value["error"]["exit_code"], 2, "{args:?}: {value}");
        let message = value["error"]["message"].as_str().expect("message");
        assert!(
            message.contains("unknown key \"lookback_dayz\"")
                && message.contains("did you mean \"lookback_days\"?"),
            "{args:?}: {message}"
        );
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn a_negative_count_is_out_of_range_not_an_unknown_argument() {
    let sandbox = Sandbox::new();
    for args in [
        &["report", "--days", "-3"][..],
        &["report", "--days=-3"],
        &["report", "--days", "0"],
        &["orders", "--limit", "-1"],
        &["orders", "--limit", "0"],
    ] {
        let out = sandbox.cmd(args).output().expect("run shopsync");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        let value = args
            .last()
            .and_then(|a| a.rsplit('=').next())
            .expect("value");
        assert!(
            stderr.contains(&format!("\"{value}\" must be a whole number from 1 to")),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("unexpected argument"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn sync_lists_every_configuration_problem_validate_finds() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "config.json",
        r#"{"shopify_store_name": "acme", "google_service_account_file": "nokey.json",
            "target_spreadsheet": "x", "lookback_days": "abc", "shopify_acess_token": "t"}"#,
    );
    let (_, report) = sandbox.json(&["validate", "--json"]);
    let failed: Vec<String> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["detail"].as_str().expect("detail").to_owned())
        .collect();
    assert_eq!(failed.len(), 4, "{report}");
    for args in [&["sync"][..], &["missing"]] {
        let out = sandbox.cmd(args).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("  - ")).count(),
            failed.len(),
            "{args:?}: {stderr}"
        );
        for detail in &failed {
            assert!(
                stderr.contains(detail.as_str()),
                "{args:?} misses {detail}: {stderr}"
            );
        }
    }
}

#[test]
fn validate_still_asks_shopify_when_only_the_key_file_is_broken() {
    let mut world = World::fast(102, 3);
    world.set_config(
        "google_service_account_file",
        serde_json::json!("gone.json"),
    );
    let (code, stdout, stderr) = world_run(&world, &["validate", "--json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    let status = |name: &str| {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .map_or_else(
                || panic!("no {name} check: {report}"),
                |c| c["status"].as_str().expect("status").to_owned(),
            )
    };
    assert_eq!(status("config"), "pass", "{report}");
    assert_eq!(status("key_file"), "fail");
    assert_eq!(status("google_token"), "skip");
    assert_eq!(status("shopify_token"), "pass", "{report}");
    assert_eq!(status("scopes"), "pass");
    assert_eq!(status("api_version"), "pass");
    assert!(world.shopify.stats().requests > 0);
}

#[test]
fn export_refuses_a_format_it_does_not_write_naming_the_ones_it_does() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    for name in ["orders.xlsx", "orders", "orders.csv.gz"] {
        let (code, stdout, stderr) = run(&sandbox, &["export", "--output", name]);
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(name) && stderr.contains(".csv") && stderr.contains(".json"),
            "{name}: {stderr}"
        );
        assert!(!sandbox.file(name).exists(), "{name} was written");
    }
    let (code, _, stderr) = run(&sandbox, &["export", "--output", "orders.CSV"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn demo_refuses_the_global_options_that_mean_nothing_to_it() {
    let sandbox = Sandbox::new();
    sandbox.write("config.json", "{}");
    for args in [
        &["demo", "--config", "config.json"][..],
        &["--config", "config.json", "demo"],
        &["demo", "-q"],
        &["-q", "demo"],
    ] {
        let out = sandbox.cmd(args).output().expect("run shopsync");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: demo takes no "),
            "{args:?}: {stderr}"
        );
        assert!(
            !sandbox.file("shopsync-demo").exists(),
            "{args:?} ran the demo"
        );
    }
    let help = sandbox.cmd(&["demo", "--help"]).output().expect("run");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        !help.contains("--config") && !help.contains("--quiet"),
        "{help}"
    );
}
