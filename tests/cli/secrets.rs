//! No secret reaches any output of the local commands, nor the `--json` of `sync` and `missing`;
//! `status` shows secrets as redacted.

use shopsync::store::RunOutcome;

use crate::fixture::{DB, populate};
use crate::support::{Sandbox, assert_no_secret, run_json};
use crate::world::World;

const CANARY: &str = "shpat_canary_0123456789abcdef";
const CANARY_SECRET: &str = "canary-client-secret-9876";
const CANARIES: [&str; 2] = [CANARY, CANARY_SECRET];

#[test]
fn no_local_command_prints_a_secret() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Partial);
    sandbox.write(".env", &format!("SHOPIFY_CLIENT_SECRET={CANARY_SECRET}\n"));
    // Each command with the exit code it must end with: a command that fails early prints
    // nothing worth scanning. The fixture's last run was partial (`status` exits 1) and #9999 is
    // not tracked (`reset` exits 1).
    let commands: [(&[&str], i32); 10] = [
        (&["status"], 1),
        (&["status", "--json"], 1),
        (&["-v", "orders"], 0),
        (&["orders", "--json"], 0),
        (&["errors", "--all"], 0),
        (&["report", "--json"], 0),
        (&["export", "-o", "x.csv"], 0),
        (&["export", "-o", "x.json"], 0),
        (&["reset", "1001"], 0),
        (&["reset", "9999"], 1),
    ];
    for (args, code) in commands {
        let out = sandbox
            .cmd(args)
            .env("SHOPSYNC_DB", DB)
            .env("SHOPIFY_ACCESS_TOKEN", CANARY)
            .output()
            .expect("run shopsync");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert_no_secret(&format!("{args:?} {stream}"), &text, &CANARIES);
        }
    }
    for file in ["x.csv", "x.json", "shopify_sync.log"] {
        let text = std::fs::read_to_string(sandbox.file(file))
            .unwrap_or_else(|e| panic!("{file} was not written: {e}"));
        assert_no_secret(file, &text, &CANARIES);
    }

    let args = ["status", "--json"];
    let mut cmd = sandbox.cmd(&args);
    cmd.env("SHOPSYNC_DB", DB)
        .env("SHOPIFY_ACCESS_TOKEN", CANARY);
    let (_, status) = run_json(&mut cmd, &args);
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

#[test]
fn no_secret_reaches_the_json_of_sync_and_missing() {
    let world = World::fast(4, 8);
    let secrets = world.secrets();
    for args in [
        &["sync", "--json"][..],
        &["missing", "--json"],
        &["sync", "--test", "--json"],
    ] {
        world.refill_bucket();
        let out = world.cmd(args).output().expect("run shopsync");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON object: {e}"));
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert_no_secret(&format!("{args:?} {stream}"), &text, &secrets);
        }
    }
}
