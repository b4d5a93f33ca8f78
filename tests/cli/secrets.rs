//! No secret reaches any output of the local commands; `status` shows secrets as redacted.

use shopsync::store::RunOutcome;

use crate::fixture::{DB, populate};
use crate::support::Sandbox;

const CANARY: &str = "shpat_canary_0123456789abcdef";
const CANARY_SECRET: &str = "canary-client-secret-9876";

#[test]
fn no_local_command_prints_a_secret() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Partial);
    sandbox.write(".env", &format!("SHOPIFY_CLIENT_SECRET={CANARY_SECRET}\n"));
    let commands: [&[&str]; 10] = [
        &["status"],
        &["status", "--json"],
        &["-v", "orders"],
        &["orders", "--json"],
        &["errors", "--all"],
        &["report", "--json"],
        &["export", "-o", "x.csv"],
        &["export", "-o", "x.json"],
        &["reset", "1001"],
        &["reset", "9999"],
    ];
    for args in commands {
        let out = sandbox
            .cmd(args)
            .env("SHOPSYNC_DB", DB)
            .env("SHOPIFY_ACCESS_TOKEN", CANARY)
            .output()
            .expect("run shopsync");
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(CANARY), "{args:?} {stream}: {text}");
            assert!(!text.contains(CANARY_SECRET), "{args:?} {stream}: {text}");
        }
    }
    for file in ["x.csv", "x.json", "shopify_sync.log"] {
        if let Ok(text) = std::fs::read_to_string(sandbox.file(file)) {
            assert!(
                !text.contains(CANARY) && !text.contains(CANARY_SECRET),
                "{file}"
            );
        }
    }

    let out = sandbox
        .cmd(&["status", "--json"])
        .env("SHOPSYNC_DB", DB)
        .env("SHOPIFY_ACCESS_TOKEN", CANARY)
        .output()
        .expect("run");
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let config = status["config"].as_array().expect("config");
    let token = config
        .iter()
        .find(|o| o["key"] == "shopify_access_token")
        .expect("token listed");
    assert_eq!(token["value"], "(redacted)");
    assert_eq!(token["source"], "environment SHOPIFY_ACCESS_TOKEN");
    let secret = config
        .iter()
        .find(|o| o["key"] == "shopify_client_secret")
        .expect("client secret listed");
    assert_eq!(secret["value"], "(redacted)");
}
