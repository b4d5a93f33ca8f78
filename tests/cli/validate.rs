//! `shopsync validate` against both emulators: every check passes on a good world, each broken
//! piece fails its own check with a fix (exit 1), the rest is still reported, and nothing is
//! written anywhere: only read requests reach the emulators and the database is never created.

use serde_json::{Value, json};

use crate::fixture::masked;
use crate::support::assert_no_secret;
use crate::world::{TAB, World};

/// Google methods that only read.
const GOOGLE_READS: [&str; 5] = [
    "files.get",
    "files.list",
    "spreadsheets.get",
    "spreadsheets.values.get",
    "spreadsheets.values.batchGet",
];

/// Changes `config.json` of the world: each `(key, value)` set, `null` removes the key.
fn configure(world: &World, changes: &[(&str, Value)]) {
    let path = world.dir.file("config.json");
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for (key, value) in changes {
        if value.is_null() {
            config.as_object_mut().unwrap().remove(*key);
        } else {
            config[*key] = value.clone();
        }
    }
    std::fs::write(path, config.to_string()).unwrap();
}

/// `validate --json`: its exit code and report.
fn validate_json(world: &World) -> (i32, Value) {
    world.json(&["validate", "--json"])
}

/// The one check named `name` (panics when it is missing or repeated).
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    let found: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "one check {name} in {report:#}");
    found[0]
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Only reads reached Google, and Shopify answered every request it got.
fn assert_nothing_written(world: &World) {
    let counts = world.google.counts();
    for method in counts.keys() {
        assert!(
            GOOGLE_READS.contains(&method.as_str()),
            "validate sent {method} to Google: {counts:?}"
        );
    }
    let stats = world.shopify.stats();
    assert_eq!(stats.token_requests, 0, "{stats:?}");
    assert!(
        !world.dir.file("shopify_sync.db").exists(),
        "a database was created"
    );
}

#[test]
fn a_good_world_passes_every_check_and_writes_nothing() {
    let world = World::new(11, 5);
    // The tab as the first sync leaves it, without syncing: the header row only.
    let header: Vec<Value> = shopsync::sync::plan::columns::Column::ALL
        .iter()
        .map(|c| json!(c.name()))
        .collect();
    configure(&world, &[("worksheet", json!("Sheet1"))]);
    world
        .google
        .person_set_row(&world.spreadsheet, "Sheet1", 1, &header);
    let cells_before = world.google.cell_count(&world.spreadsheet);
    world.google.reset_counts();

    let output = world.cmd(&["validate"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert_no_secret("validate's output", &stdout, &world.secrets());
    let mut settings = insta::Settings::clone_current();
    // Ports differ in length between runs; so would the padding after them.
    settings.add_filter(r"127\.0\.0\.1:\d+ +from", "127.0.0.1:[PORT]  from");
    settings.add_filter(&world.spreadsheet, "[SPREADSHEET]");
    settings.bind(|| {
        masked(&world.dir, || {
            insta::assert_snapshot!("validate_good_world", stdout);
        });
    });

    assert_nothing_written(&world);
    assert_eq!(world.shopify.stats().requests, 2, "shop and scopes only");
    assert_eq!(world.google.cell_count(&world.spreadsheet), cells_before);
    assert_eq!(world.google.tab_titles(&world.spreadsheet), ["Sheet1"]);
}

#[test]
fn json_has_one_object_with_checks_and_ok() {
    let world = World::new(12, 3);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    let names: Vec<String> = statuses(&report).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "config",
            "key_file",
            "google_token",
            "spreadsheet",
            "edit_permission",
            "tab",
            "sheet_headroom",
            "shopify_token",
            "scopes",
            "api_version",
            "database",
            "binding",
        ]
    );
    for check in report["checks"].as_array().unwrap() {
        let fields: Vec<&String> = check.as_object().unwrap().keys().collect();
        assert_eq!(fields, ["detail", "hint", "name", "status"], "{check}");
    }
    // The world has no tab "Orders" yet: a warning, not a failure.
    assert_eq!(check(&report, "tab")["status"], "warn");
    assert!(
        check(&report, "tab")["hint"]
            .as_str()
            .unwrap()
            .contains("creates it")
    );
    let text = report.to_string();
    assert_no_secret("validate's report", &text, &world.secrets());
    assert!(text.contains("(redacted)"), "the token is listed, redacted");
    assert_nothing_written(&world);
    assert!(world.google.tab_titles(&world.spreadsheet) == ["Sheet1"]);
}

#[test]
fn a_revoked_shopify_token_fails_its_check() {
    let world = World::new(13, 3);
    world.shopify.revoke_tokens();
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["ok"], false);
    let token = check(&report, "shopify_token");
    assert_eq!(token["status"], "fail", "{token}");
    assert!(
        token["hint"]
            .as_str()
            .unwrap()
            .contains("shopify_access_token")
    );
    assert_eq!(check(&report, "scopes")["status"], "skip");
    // Google's side is unaffected and still reported.
    assert_eq!(check(&report, "spreadsheet")["status"], "pass");
}

#[test]
fn without_read_all_orders_a_long_lookback_fails() {
    let world = World::new(14, 3);
    world
        .shopify
        .add_token("shpat_recent_only", &["read_orders"]);
    configure(
        &world,
        &[("shopify_access_token", json!("shpat_recent_only"))],
    );
    let (code, report) = validate_json(&world);
    assert_eq!(code, 0, "a warning only: {report:#}");
    assert_eq!(check(&report, "scopes")["status"], "warn");

    configure(&world, &[("lookback_days", json!(90))]);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    let scopes = check(&report, "scopes");
    assert_eq!(scopes["status"], "fail");
    assert!(
        scopes["detail"].as_str().unwrap().contains("90"),
        "{scopes}"
    );
    assert!(
        scopes["hint"].as_str().unwrap().contains("read_all_orders"),
        "{scopes}"
    );
    assert!(!report.to_string().contains("shpat_recent_only"));
}

#[test]
fn a_spreadsheet_not_shared_fails_naming_the_service_account() {
    let world = World::new(15, 3);
    world.google.set_shared(&world.spreadsheet, false);
    let output = world.cmd(&["validate"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .skip_while(|l| !l.starts_with("FAIL  spreadsheet"))
        .take(2)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(line.contains(world.google.client_email()), "{stdout}");
    assert!(stdout.contains("SKIP  tab"), "{stdout}");
}

#[test]
fn a_wrong_title_fails_the_spreadsheet_check() {
    let world = World::new(16, 3);
    configure(&world, &[("target_spreadsheet", json!("No Such Sheet"))]);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1);
    let sheet = check(&report, "spreadsheet");
    assert_eq!(sheet["status"], "fail");
    assert!(
        sheet["detail"].as_str().unwrap().contains("No Such Sheet"),
        "{sheet}"
    );
    assert!(
        sheet["hint"]
            .as_str()
            .unwrap()
            .contains(world.google.client_email()),
        "{sheet}"
    );

    configure(&world, &[("target_spreadsheet", json!("Shop Orders"))]);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 0, "found by title: {report:#}");
    assert!(
        check(&report, "spreadsheet")["detail"]
            .as_str()
            .unwrap()
            .contains("by title")
    );
}

#[test]
fn a_foreign_tab_layout_fails() {
    let world = World::new(17, 3);
    configure(&world, &[("worksheet", json!("Sheet1"))]);
    world.google.person_set_row(
        &world.spreadsheet,
        "Sheet1",
        1,
        &[json!("Name"), json!("Total")],
    );
    world
        .google
        .person_set_row(&world.spreadsheet, "Sheet1", 2, &[json!("Ann"), json!(12)]);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    let tab = check(&report, "tab");
    assert_eq!(tab["status"], "fail", "{tab}");
    assert!(
        tab["detail"].as_str().unwrap().contains("Order ID"),
        "{tab}"
    );
    assert_eq!(world.google.rows(&world.spreadsheet, "Sheet1").len(), 2);
    assert_nothing_written(&world);
}

#[test]
fn a_header_only_tab_of_a_persons_own_warns_as_the_sync_adopts_it() {
    // The sync's tab policy: without data rows a tab is not another layout; the sync adds
    // shopsync's headers at the right, so validate warns rather than fails.
    let world = World::new(26, 3);
    configure(&world, &[("worksheet", json!("Sheet1"))]);
    world.google.person_set_row(
        &world.spreadsheet,
        "Sheet1",
        1,
        &[json!("Name"), json!("Total")],
    );
    let (code, report) = validate_json(&world);
    assert_eq!(code, 0, "{report:#}");
    let tab = check(&report, "tab");
    assert_eq!(tab["status"], "warn", "{tab}");
    assert!(
        tab["detail"].as_str().unwrap().contains("Order ID"),
        "{tab}"
    );
    assert_nothing_written(&world);
}

#[test]
fn a_garbage_database_fails_and_is_left_untouched() {
    let world = World::new(18, 3);
    let garbage = b"this is not a database, it is a shopping list\n".repeat(100);
    let db = world.dir.file("shopify_sync.db");
    std::fs::write(&db, &garbage).unwrap();
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    let database = check(&report, "database");
    assert_eq!(database["status"], "fail", "{database}");
    assert!(database["hint"].as_str().is_some_and(|h| !h.is_empty()));
    assert_eq!(check(&report, "binding")["status"], "skip");
    assert_eq!(check(&report, "shopify_token")["status"], "pass");
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
    for suffix in ["-wal", "-shm", ".lock"] {
        assert!(
            !world.dir.file(&format!("shopify_sync.db{suffix}")).exists(),
            "{suffix} created"
        );
    }
}

#[test]
fn a_missing_setting_fails_config_with_exit_1_and_the_rest_is_reported() {
    let world = World::new(19, 3);
    configure(&world, &[("shopify_store_name", Value::Null)]);
    let output = world.cmd(&["validate"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL  config"), "{stdout}");
    assert!(stdout.contains("SHOPIFY_STORE_NAME"), "{stdout}");
    assert!(stdout.contains("PASS  database"), "{stdout}");
    assert!(stdout.contains("SKIP  shopify token"), "{stdout}");
    assert!(world.shopify.stats().requests == 0 && world.google.counts().is_empty());
}

#[test]
fn an_api_version_that_fell_forward_fails() {
    let world = World::new(20, 3);
    configure(&world, &[("shopify_api_version", json!("2025-10"))]);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    let version = check(&report, "api_version");
    assert_eq!(version["status"], "fail", "{version}");
    assert!(version["detail"].as_str().unwrap().contains("2025-10"));
}

#[test]
fn a_renamed_tab_and_another_spreadsheet_fail_after_a_sync() {
    let world = World::new(21, 3);
    world.cmd(&["sync"]).assert().success();
    let (code, report) = validate_json(&world);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(check(&report, "tab")["status"], "pass");
    assert_eq!(check(&report, "binding")["status"], "pass");

    // A person renames the tab: the database knows its id, so validate says what happened.
    world
        .google
        .person_rename_tab(&world.spreadsheet, TAB, "Orders 2026");
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    let tab = check(&report, "tab");
    assert_eq!(tab["status"], "fail", "{tab}");
    assert!(
        tab["hint"].as_str().unwrap().contains("Orders 2026"),
        "{tab}"
    );
    world
        .google
        .person_rename_tab(&world.spreadsheet, "Orders 2026", TAB);

    let other = world.google.create_spreadsheet("Other Orders", &[TAB]);
    configure(&world, &[("target_spreadsheet", json!(other))]);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    let binding = check(&report, "binding");
    assert_eq!(binding["status"], "fail", "{binding}");
    assert!(
        binding["detail"]
            .as_str()
            .unwrap()
            .contains(&world.spreadsheet)
    );
    assert!(binding["hint"].as_str().unwrap().contains("SHOPSYNC_DB"));
}

#[test]
fn a_key_file_that_is_not_a_service_account_fails_its_own_check() {
    let world = World::new(22, 3);
    world.dir.write("key.json", r#"{"type":"authorized_user"}"#);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(check(&report, "config")["status"], "pass", "{report:#}");
    let key = check(&report, "key_file");
    assert_eq!(key["status"], "fail", "{key}");
    assert!(
        key["detail"].as_str().unwrap().contains("key.json"),
        "{key}"
    );
    assert_eq!(check(&report, "google_token")["status"], "skip");
    assert_eq!(check(&report, "database")["status"], "pass");
}

#[test]
fn dead_services_give_failed_checks_not_a_hang() {
    let world = World::new(23, 3);
    // A port nobody listens on: bound, then released.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    configure(
        &world,
        &[
            ("shopify_api_url", json!(closed)),
            ("google_sheets_api_url", json!(closed)),
            ("google_drive_api_url", json!(closed)),
        ],
    );
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    // The token comes from the key's token_uri, which still answers.
    assert_eq!(check(&report, "google_token")["status"], "pass");
    assert_eq!(
        check(&report, "spreadsheet")["status"],
        "fail",
        "{report:#}"
    );
    assert_eq!(
        check(&report, "shopify_token")["status"],
        "fail",
        "{report:#}"
    );
    assert_eq!(check(&report, "database")["status"], "pass");
}

#[test]
fn the_log_file_holds_no_secret() {
    let world = World::new(24, 3);
    world.shopify.revoke_tokens();
    world.cmd(&["-vv", "validate"]).assert().code(1);
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).expect("a log file");
    assert!(
        !log.is_empty(),
        "the log says something, or this test checks nothing"
    );
    assert_no_secret("the log", &log, &world.secrets());
}

#[test]
fn a_viewer_share_fails_the_edit_check() {
    let world = World::new(25, 3);
    world.google.set_editable(&world.spreadsheet, false);
    let (code, report) = validate_json(&world);
    assert_eq!(code, 1, "{report:#}");
    let edit = check(&report, "edit_permission");
    assert_eq!(edit["status"], "fail", "{edit}");
    assert!(
        edit["hint"]
            .as_str()
            .unwrap()
            .contains(world.google.client_email()),
        "{edit}"
    );
    assert_eq!(check(&report, "tab")["status"], "warn");
    assert_nothing_written(&world);
}
