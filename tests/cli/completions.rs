//! `completions` and `man`: generated for every shell, the bash script parsed by bash and asked
//! for completions as bash asks, the man page snapshotted and rendered by groff without a warning;
//! both know every sub-command.

use crate::help::COMMANDS;
use crate::support::{Sandbox, tool};

fn stdout(args: &[&str]) -> String {
    let out = Sandbox::new().cmd(args).output().expect("run shopsync");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn every_shell_gets_a_script_that_knows_every_command() {
    let markers = [
        ("bash", "complete -F _shopsync"),
        ("zsh", "#compdef shopsync"),
        ("fish", "complete -c shopsync"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[shopsync]"),
    ];
    for (shell, marker) in markers {
        let script = stdout(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell} misses {command}");
        }
        assert!(
            script.contains("every") && script.contains("systemd"),
            "{shell}"
        );
    }
    // fish's is one line per option: short enough to review in a snapshot.
    insta::assert_snapshot!("completions_fish", stdout(&["completions", "fish"]));

    let out = Sandbox::new()
        .cmd(&["completions", "tcsh"])
        .output()
        .expect("run shopsync");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn the_bash_script_parses_and_completes_commands_and_their_flags() {
    let sandbox = Sandbox::new();
    let script = sandbox.write("shopsync.bash", &stdout(&["completions", "bash"]));
    let parse = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash -n");
    assert!(parse.status.success(), "{parse:?}");
    // What bash's programmable completion does on <TAB>: set COMP_WORDS and call the function.
    let complete = |words: &str| {
        let probe = format!(
            "source {script:?}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _shopsync shopsync \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &probe])
            .output()
            .expect("bash");
        assert!(out.status.success(), "{words}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("shopsync sch").trim(), "schedule");
    assert_eq!(complete("shopsync ba").trim(), "backup");
    let flags = complete("shopsync schedule --");
    for flag in ["--every", "--cron", "--systemd", "--config"] {
        assert!(flags.lines().any(|l| l == flag), "{flag} missing: {flags}");
    }
    let shells = complete("shopsync completions ''");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(
            shells.lines().any(|l| l == shell),
            "{shell} missing: {shells}"
        );
    }
}

#[test]
fn the_man_page_holds_every_command_and_renders_cleanly() {
    let page = stdout(&["man"]);
    assert!(
        page.contains("\n.TH shopsync 1 "),
        "no title: {}",
        &page[..200]
    );
    for command in COMMANDS {
        assert!(
            page.contains(&format!(".SS \"shopsync {command}\"")),
            "no section for {command}"
        );
    }
    for section in [
        ".SH SYNOPSIS",
        ".SH COMMANDS",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    assert!(
        page.contains("SHOPSYNC_DB"),
        "the environment section lists the variables"
    );
    insta::assert_snapshot!("man", page);

    let Some(groff) = tool("groff") else { return };
    let sandbox = Sandbox::new();
    let file = sandbox.write("shopsync.1", &page);
    // -ww: every warning; -z: no output, only the diagnostics.
    let out = std::process::Command::new(groff)
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(&file)
        .output()
        .expect("groff");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "groff: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
