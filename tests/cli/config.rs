//! Bad configuration: exit 2, every problem in one message, nothing created.

use predicates::prelude::*;

use crate::support::{KEY_JSON, Sandbox};

#[test]
fn a_missing_configuration_lists_every_required_key() {
    let sandbox = Sandbox::new();
    sandbox
        .cmd(&["sync"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shopify_store_name is not set"))
        .stderr(predicate::str::contains("shopify_access_token is not set"))
        .stderr(predicate::str::contains(
            "google_service_account_file is not set",
        ))
        .stderr(predicate::str::contains("target_spreadsheet is not set"))
        // Where it looked, for a cron job started in the home folder instead of beside the file.
        .stderr(predicate::str::contains(format!(
            "no config.json or .env in {}",
            sandbox.path().display()
        )))
        .stderr(predicate::str::contains("config_template.json"));
    sandbox
        .cmd(&["validate"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no config.json or .env in"))
        .stdout(predicate::str::contains(
            "`shopsync schedule` prints a crontab line",
        ));
    assert!(
        !sandbox.file("shopify_sync.db").exists(),
        "a DB was created"
    );
    // With a config.json, even an incomplete one, the problems speak for themselves.
    sandbox.write("config.json", r#"{"shopify_store_name": "acme"}"#);
    sandbox
        .cmd(&["sync"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shopify_access_token is not set"))
        .stderr(predicate::str::contains("no config.json").not());
}

#[test]
fn malformed_values_and_key_files_are_reported_together() {
    let sandbox = Sandbox::new();
    sandbox.write("key.json", "{\n \"type\": \"service_account\",\n oops }");
    sandbox
        .cmd(&["sync"])
        .env("SHOPIFY_STORE_NAME", "https://acme.myshopify.com/")
        .env("SHOPIFY_ACCESS_TOKEN", "shpat_canary_token_123")
        .env("GOOGLE_SERVICE_ACCOUNT_FILE", "key.json")
        .env("TARGET_SPREADSHEET", "Orders 2026")
        .env("LOOKBACK_DAYS", "thirty")
        .env("GOOGLE_SHEETS_API_URL", "sheets.example.com")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("3 problems"))
        .stderr(predicate::str::contains(
            "key.json is not valid JSON (line 3",
        ))
        .stderr(predicate::str::contains(
            "lookback_days (from environment LOOKBACK_DAYS)",
        ))
        .stderr(predicate::str::contains("google_sheets_api_url"))
        .stderr(predicate::str::contains("shpat_canary_token_123").not());
}

#[test]
fn a_config_flag_naming_a_missing_file_is_an_error() {
    Sandbox::new()
        .cmd(&["--config", "nope.json", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nope.json given with --config does not exist",
        ));
}

#[test]
fn dotenv_is_read_from_the_working_directory() {
    let sandbox = Sandbox::new();
    sandbox.write("key.json", KEY_JSON);
    sandbox.write(
        ".env",
        "SHOPIFY_STORE_NAME=acme\nSHOPIFY_ACCESS_TOKEN=shpat_x\nGOOGLE_SERVICE_ACCOUNT_FILE=key.json\n",
    );
    // Everything but the spreadsheet comes from .env: exactly one problem remains.
    sandbox
        .cmd(&["sync"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "configuration: target_spreadsheet is not set",
        ))
        .stderr(predicate::str::contains("no config.json").not());
}

#[test]
fn plain_http_to_a_remote_host_is_refused_for_every_url_naming_the_key() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "key.json",
        &KEY_JSON.replace("https://oauth2.googleapis.com", "http://oauth2.example.com"),
    );
    sandbox
        .cmd(&["sync"])
        .env("SHOPIFY_STORE_NAME", "acme")
        .env("SHOPIFY_ACCESS_TOKEN", "shpat_canary_token_123")
        .env("GOOGLE_SERVICE_ACCOUNT_FILE", "key.json")
        .env("TARGET_SPREADSHEET", "Orders 2026")
        .env("SHOPIFY_API_URL", "http://proxy.example.com")
        .env("GOOGLE_SHEETS_API_URL", "http://10.1.2.3:8080")
        .env(
            "GOOGLE_DRIVE_API_URL",
            "https://user:hunter2@www.googleapis.com",
        )
        .assert()
        .code(2)
        .stderr(predicate::str::contains("4 problems"))
        .stderr(predicate::str::contains(
            "shopify_api_url (from environment SHOPIFY_API_URL)",
        ))
        .stderr(predicate::str::contains(
            "google_sheets_api_url (from environment",
        ))
        .stderr(predicate::str::contains(
            "google_drive_api_url (from environment",
        ))
        .stderr(predicate::str::contains("key.json must use https"))
        .stderr(predicate::str::contains("hunter2").not())
        .stderr(predicate::str::contains("shpat_canary_token_123").not());
}

#[cfg(unix)]
#[test]
fn a_database_path_that_is_not_utf8_is_refused_not_replaced_by_the_default() {
    use std::os::unix::ffi::OsStrExt as _;
    let sandbox = Sandbox::new();
    sandbox
        .cmd(&["status"])
        .env(
            "SHOPSYNC_DB",
            std::ffi::OsStr::from_bytes(b"tracking-\xff.db"),
        )
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SHOPSYNC_DB is not valid UTF-8"));
    assert!(
        !sandbox.file("shopify_sync.db").exists(),
        "the default DB was used"
    );
}
