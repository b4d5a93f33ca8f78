//! `shopsync demo` end to end: the real binary starts the sandbox and runs the real commands as a
//! newcomer would, with a cleared environment and no `../shared`.

use std::fs;

use crate::support::{Sandbox, listing};

/// What one `sync` summary line said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Synced {
    orders: u64,
    new: u64,
    appended: u64,
    updated: u64,
}

/// The number written just before `label` in `line` (`12 rows appended`).
fn number_before(line: &str, label: &str) -> u64 {
    let head = &line[..line
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in {line:?}"))];
    let digits: String = head
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number before {label:?} in {line:?}"))
}

/// Every sync summary line of the demo's output, in order.
fn syncs(stdout: &str) -> Vec<Synced> {
    stdout
        .lines()
        .filter(|l| l.starts_with("synced "))
        .map(|l| Synced {
            orders: number_before(l, " orders ("),
            new: number_before(l, " new,"),
            appended: number_before(l, " rows appended"),
            updated: number_before(l, " rows updated"),
        })
        .collect()
}

#[test]
fn the_demo_runs_every_step_and_ends_with_the_real_store_instructions() {
    let sandbox = Sandbox::new();
    let dir = sandbox.file("demo");
    let out = sandbox
        .cmd(&["demo", "--dir", dir.to_str().expect("utf-8 path")])
        .output()
        .expect("run shopsync demo");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

    // Each step is explained before it runs, and the real commands ran in order.
    let mut at = 0;
    for expected in [
        "Step 1 of 6. The first sync",
        "$ shopsync sync",
        "Step 2 of 6.",
        "$ shopsync sync",
        "Step 3 of 6.",
        "came in as new orders.",
        "Step 4 of 6.",
        "$ shopsync sync",
        "Step 5 of 6.",
        "$ shopsync status",
        "Last sync  succeeded",
        "Step 6 of 6.",
        "Line Item ID",
        "Changed since the first sync:",
        "each line item exactly once.",
        "Done: every step worked.",
        "To run the same commands against your real store:",
        "config_template.json",
        "shopsync validate",
        "shopsync sync --test",
    ] {
        let found = stdout[at..]
            .find(expected)
            .unwrap_or_else(|| panic!("{expected:?} missing after byte {at} of:\n{stdout}"));
        at += found + expected.len();
    }
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
    assert!(
        last.is_some_and(|l| l.contains("0 * * * *") && l.contains("shopsync -q sync")),
        "the demo does not end with the cron line: {last:?}"
    );

    // The sandbox itself prints nothing: stderr holds only the syncs' own warnings (long notes).
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            line.trim_start().starts_with("WARN"),
            "noise on stderr: {line:?}"
        );
    }

    // The three syncs said what they did.
    let runs = syncs(&stdout);
    assert_eq!(runs.len(), 3, "{stdout}");
    let (backfill, again, changes) = (runs[0], runs[1], runs[2]);
    assert!(backfill.orders >= 200, "{backfill:?}");
    assert!(backfill.appended >= backfill.orders, "{backfill:?}");
    assert_eq!(backfill.updated, 0, "{backfill:?}");
    assert_eq!(
        again,
        Synced {
            orders: 0,
            new: 0,
            appended: 0,
            updated: 0
        }
    );
    assert_eq!(changes.new, 2, "{changes:?}");
    assert!(changes.updated > 0, "{changes:?}");
    // The two new orders' rows, and the line item the edit added.
    assert!(changes.appended >= 3, "{changes:?}");

    // The folder holds what a user needs to look around afterwards.
    let names = listing(&dir, |_| true);
    for name in [
        ".shopsync-demo",
        "config.json",
        "sandbox_service_account.json",
        "shopify_sync.db",
        "shopify_sync.log",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
    }
    let config: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("config.json")).expect("config.json"))
            .expect("config.json is JSON");
    for key in [
        "shopify_api_url",
        "google_sheets_api_url",
        "google_drive_api_url",
    ] {
        let url = config[key].as_str().unwrap_or_default();
        assert!(url.starts_with("http://127.0.0.1:"), "{key} = {url:?}");
    }

    // After the demo, the local commands still work there from the database alone.
    let status = sandbox
        .cmd(&["status"])
        .current_dir(&dir)
        .output()
        .expect("run shopsync status");
    assert_eq!(status.status.code(), Some(0), "{status:?}");

    // A second demo in the same folder replaces its own files and nothing else.
    fs::write(dir.join("my-notes.txt"), "mine").expect("write a note");
    sandbox
        .cmd(&["demo", "--dir", dir.to_str().expect("utf-8 path")])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "replacing the files of the earlier demo there",
        ));
    assert_eq!(
        fs::read_to_string(dir.join("my-notes.txt")).expect("note kept"),
        "mine"
    );
}

#[test]
fn a_folder_the_demo_did_not_make_is_refused_untouched() {
    let sandbox = Sandbox::new();
    // The default folder, ./shopsync-demo, already holding someone's files.
    let dir = sandbox.file("shopsync-demo");
    fs::create_dir(&dir).expect("create the folder");
    fs::write(dir.join("config.json"), "{\"mine\": true}").expect("write a file");
    let out = sandbox.cmd(&["demo"]).output().expect("run shopsync demo");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("shopsync-demo") && stderr.contains("--dir"),
        "{stderr}"
    );
    assert_eq!(listing(&dir, |_| true), ["config.json"]);
    assert_eq!(
        fs::read_to_string(dir.join("config.json")).expect("file kept"),
        "{\"mine\": true}"
    );
    assert!(out.stdout.is_empty(), "the demo started: {out:?}");
}
