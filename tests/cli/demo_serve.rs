//! `shopsync demo --serve`: the sandbox alone, found through the environment it prints, synced
//! against by a shopsync with no config file, and stopped by SIGINT with exit 0.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use crate::support::Sandbox;

#[test]
fn serve_prints_an_environment_a_sync_works_against_and_stops_on_sigint() {
    let home = Sandbox::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopsync"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .current_dir(home.path())
        .args([
            "demo", "--serve", "--orders", "40", "--seed", "5", "--dir", "sandbox",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn shopsync demo --serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut env = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("read the served environment");
        if line == "# ready" {
            break;
        }
        if let Some(assignment) = line.strip_prefix("export ") {
            let (name, value) = assignment.split_once('=').expect("NAME=value");
            env.push((name.to_owned(), value.trim_matches('\'').to_owned()));
        }
    }
    let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
    for needed in [
        "SHOPIFY_STORE_NAME",
        "SHOPIFY_ACCESS_TOKEN",
        "SHOPIFY_API_URL",
        "GOOGLE_SERVICE_ACCOUNT_FILE",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "TARGET_SPREADSHEET",
        "GOOGLE_SHEETS_API_URL",
    ] {
        assert!(names.contains(&needed), "{needed} missing from {names:?}");
    }

    // A shopsync elsewhere, configured by the environment alone.
    let client = Sandbox::new();
    let out = client.cmd(&["sync"]).envs(env.clone()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("synced 40 orders (40 new"), "{stdout}");

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(rest.iter().any(|l| l == "# stopped"), "{rest:?}");
}
