//! `--help` of every command is snapshotted: a change to the docs shows up in review.

use crate::support::Sandbox;

/// Every sub-command a user can type (also what the completions and the man page must know).
pub const COMMANDS: [&str; 14] = [
    "sync",
    "status",
    "missing",
    "orders",
    "errors",
    "validate",
    "report",
    "export",
    "reset",
    "demo",
    "backup",
    "schedule",
    "completions",
    "man",
];

fn help(args: &[&str]) -> String {
    let out = Sandbox::new().cmd(args).output().expect("run shopsync");
    assert!(out.status.success(), "{args:?} failed: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8 help")
}

#[test]
fn top_level_help_lists_every_command_and_the_exit_codes() {
    let text = help(&["--help"]);
    for command in COMMANDS {
        assert!(text.contains(&format!("  {command} ")), "{command} missing");
    }
    insta::assert_snapshot!("help", text);
}

#[test]
fn every_command_has_help() {
    for command in COMMANDS {
        insta::assert_snapshot!(format!("help_{command}"), help(&[command, "--help"]));
    }
}

#[test]
fn version_prints_the_package_version() {
    let text = help(&["--version"]);
    assert_eq!(
        text.trim(),
        format!("shopsync {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_flags_are_usage_errors() {
    Sandbox::new()
        .cmd(&["sync", "--frobnicate"])
        .assert()
        .code(2);
}
