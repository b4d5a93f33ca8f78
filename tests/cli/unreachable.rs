//! Services that cannot be reached (a closed port, a host name that does not resolve) on every
//! address shopsync calls: Shopify, Sheets, Drive and the token endpoint. Each ends in one line on
//! stderr naming the address and where it came from, exit 3, the retries in the log file only,
//! and a few attempts rather than a minute of them. `validate` says the credentials were never
//! tried instead of blaming them.

use serde_json::{Value, json};

use crate::world::World;

/// Attempts shopsync makes at an address that refuses connections or does not resolve.
const SHORT_BUDGET: usize = 3;

/// `http://127.0.0.1:PORT` where nothing listens: a port bound, read, and released.
fn closed_port() -> (String, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    drop(listener);
    (format!("http://{address}"), address)
}

/// Asserts the log file shows the requests to `address` were retried, within the short budget.
fn assert_few_attempts(world: &World, address: &str) {
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).unwrap_or_default();
    let retried = log
        .lines()
        .filter(|l| l.contains(address) && l.contains("retrying"))
        .count();
    // Each retry follows a failed attempt, and one more attempt failed last.
    let attempts = retried + 1;
    assert!(
        (2..=SHORT_BUDGET).contains(&attempts),
        "{attempts} attempts logged:\n{log}"
    );
}

/// `validate --json` (asserting exit 1) and its check named `name`.
fn failed_validate_check(world: &World, name: &str) -> (Value, Value) {
    let (code, report) = world.json(&["validate", "--json"]);
    assert_eq!(code, 1);
    let check = check_named(&report, name).clone();
    assert_eq!(check["status"], "fail", "{check}");
    (report, check)
}

/// The check named `name` in a `validate --json` report.
fn check_named<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

/// Asserts a failed sync's stderr is one line naming every word of `words`, and exit 3.
fn assert_one_line(code: i32, stdout: &str, stderr: &str, words: &[&str]) {
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "not one line:\n{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for word in words {
        assert!(stderr.contains(word), "no {word:?} in: {stderr}");
    }
}

#[test]
fn a_closed_shopify_port_is_one_line_naming_the_address_and_its_source() {
    let mut world = World::fast(71, 4);
    let (url, address) = closed_port();
    world.set_config("shopify_api_url", json!(url));
    let (code, stdout, stderr) = world.sync_code(&[]);
    let config = world.dir.file("config.json");
    assert_one_line(
        code,
        &stdout,
        &stderr,
        &[
            &format!("cannot connect to Shopify at {address}"),
            &format!("shopify_api_url from {}", config.display()),
            "connection refused",
        ],
    );
    assert!(!stderr.contains("shopify_access_token"), "{stderr}");
    assert_few_attempts(&world, &address);
    assert!(world.google.counts().is_empty(), "Google was called");
}

#[test]
fn an_unknown_shopify_host_from_the_environment_gives_up_after_a_few_attempts() {
    let mut world = World::fast(72, 4);
    world.set_config("shopify_api_url", Value::Null);
    // RFC 6761: a name under `.invalid` never resolves, and asks about no real host.
    let output = world
        .cmd(&["sync"])
        .env("SHOPIFY_API_URL", "https://shopsync-test.invalid")
        .output()
        .expect("run shopsync");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_one_line(
        output.status.code().unwrap_or(-1),
        &String::from_utf8_lossy(&output.stdout),
        &stderr,
        &[
            "cannot connect to Shopify at shopsync-test.invalid:443",
            "SHOPIFY_API_URL from the environment",
            "unknown host",
        ],
    );
    assert_few_attempts(&world, "shopsync-test.invalid");
}

#[test]
fn a_closed_sheets_port_is_one_line_naming_the_sheets_address() {
    let mut world = World::fast(73, 4);
    let (url, address) = closed_port();
    world.set_config("google_sheets_api_url", json!(url));
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_one_line(
        code,
        &stdout,
        &stderr,
        &[
            &format!("cannot connect to Google Sheets at {address}"),
            "google_sheets_api_url from ",
            "connection refused",
        ],
    );
    assert_few_attempts(&world, &address);
    assert!(world.shopify.stats().requests > 0, "Shopify was not asked");
}

#[test]
fn a_closed_drive_port_is_one_line_naming_the_drive_address() {
    let mut world = World::fast(74, 4);
    let (url, address) = closed_port();
    world.set_config("google_drive_api_url", json!(url));
    // A title is looked up in Drive.
    world.set_config("target_spreadsheet", json!("Shop Orders"));
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_one_line(
        code,
        &stdout,
        &stderr,
        &[
            &format!("cannot connect to Google Drive at {address}"),
            "google_drive_api_url from ",
        ],
    );
    assert_few_attempts(&world, &address);
}

#[test]
fn a_closed_token_endpoint_is_one_line_naming_the_key_file() {
    let world = World::fast(75, 4);
    let (url, address) = closed_port();
    let key_path = world.dir.file("key.json");
    let mut key: Value =
        serde_json::from_str(&std::fs::read_to_string(&key_path).expect("key")).expect("JSON");
    key["token_uri"] = json!(format!("{url}/token"));
    std::fs::write(&key_path, key.to_string()).expect("write key");
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_one_line(
        code,
        &stdout,
        &stderr,
        &[
            &format!("cannot connect to Google's token endpoint at {address}"),
            &format!("token_uri in {}", key_path.display()),
        ],
    );
    assert_few_attempts(&world, &address);
    assert!(world.google.counts().is_empty(), "an API call went out");
}

#[test]
fn validate_says_the_shopify_token_was_not_tried_when_shopify_cannot_be_reached() {
    let mut world = World::fast(76, 3);
    let (url, address) = closed_port();
    world.set_config("shopify_api_url", json!(url));
    let (report, token) = failed_validate_check(&world, "shopify_token");
    let check = |name: &str| check_named(&report, name);
    let detail = token["detail"].as_str().expect("detail");
    let hint = token["hint"].as_str().expect("hint");
    assert!(detail.contains("not tried"), "{detail}");
    assert!(detail.contains(&address), "{detail}");
    assert!(detail.contains("shopify_api_url from"), "{detail}");
    assert!(!hint.contains("shopify_access_token"), "{hint}");
    assert!(hint.contains("address"), "{hint}");
    assert_eq!(check("scopes")["status"], "skip");
    assert!(
        check("scopes")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("could not be reached")),
        "{}",
        check("scopes")
    );
    // Google's side is unaffected.
    assert_eq!(check("spreadsheet")["status"], "pass");
}

#[test]
fn validate_says_the_spreadsheet_was_not_tried_when_sheets_cannot_be_reached() {
    let mut world = World::fast(77, 3);
    let (url, address) = closed_port();
    world.set_config("google_sheets_api_url", json!(url));
    let (_, spreadsheet) = failed_validate_check(&world, "spreadsheet");
    let detail = spreadsheet["detail"].as_str().expect("detail");
    let hint = spreadsheet["hint"].as_str().expect("hint");
    assert!(detail.contains("not tried"), "{detail}");
    assert!(
        detail.contains(&format!("Google Sheets at {address}")),
        "{detail}"
    );
    assert!(!hint.contains("share the spreadsheet"), "{hint}");
}
