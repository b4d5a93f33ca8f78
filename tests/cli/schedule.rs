//! `schedule`: the crontab line and the systemd units, snapshotted; the printed line run the way
//! cron runs it (from `/`, a bare environment, `%` handled as crontab(5) says) in a folder whose
//! name needs quoting, syncing for real; the units checked by `systemd-analyze` when it is there;
//! intervals cron cannot repeat refused with exit 2; warnings about what a scheduler misses.

use std::path::{Path, PathBuf};

use crate::support::{Sandbox, mode, tool};
use crate::world::World;

const BIN: &str = env!("CARGO_BIN_EXE_shopsync");

/// `binary ARGS` in `dir` with nothing inherited but PATH: (exit code, stdout, stderr).
fn schedule(
    binary: &Path,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let out = std::process::Command::new(binary)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .current_dir(dir)
        .arg("schedule")
        .args(args)
        .output()
        .expect("run shopsync");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

/// The output with this machine's paths replaced, for snapshots.
fn filtered(text: &str, dir: &Path) -> String {
    text.replace(BIN, "[BIN]")
        .replace(&dir.display().to_string(), "[DIR]")
}

/// A folder with a config naming the shop `acme`, complete enough that nothing is warned about.
fn configured() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("key.json", crate::support::KEY_JSON);
    sandbox.write(
        "config.json",
        r#"{"shopify_store_name": "acme", "shopify_access_token": "shpat_x",
            "google_service_account_file": "key.json", "target_spreadsheet": "Orders 2026"}"#,
    );
    sandbox
}

/// The command part of a crontab job line, as cron hands it to `/bin/sh`: after the five time
/// fields, `\%` becomes `%`, and an unescaped `%` would end the command (crontab(5)).
fn cron_command(line: &str) -> String {
    let mut rest = line;
    for _ in 0..5 {
        let (_, after) = rest.split_once(' ').expect("five time fields");
        rest = after;
    }
    let mut command = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'%') => command.push(chars.next().unwrap()),
            '%' => panic!("an unescaped % would cut the command: {line}"),
            c => command.push(c),
        }
    }
    command
}

/// The job line: the only line that is not a comment.
fn job_line(crontab: &str) -> &str {
    let lines: Vec<&str> = crontab.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 1, "{crontab}");
    lines[0]
}

/// The units of `systemd` output, as (file name, text), split at their `# ~/.config/…` headers.
fn units(text: &str) -> Vec<(String, String)> {
    let mut units: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("# ~/.config/systemd/user/") {
            units.push((path.to_owned(), String::new()));
        } else if let Some((_, body)) = units.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    units
}

#[test]
fn the_crontab_line_and_the_systemd_units_snapshot() {
    let sandbox = configured();
    let (code, cron, stderr) = schedule(Path::new(BIN), sandbox.path(), &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    insta::assert_snapshot!("schedule_cron", filtered(&cron, sandbox.path()));
    // Asked again, the same minute: the schedule is stable.
    assert_eq!(
        schedule(Path::new(BIN), sandbox.path(), &["--cron"], &[]).1,
        cron
    );

    std::fs::create_dir(sandbox.file("conf")).unwrap();
    std::fs::rename(sandbox.file("config.json"), sandbox.file("conf/shop.json")).unwrap();
    std::fs::rename(sandbox.file("key.json"), sandbox.file("conf/key.json")).unwrap();
    let args = [
        "--config",
        "conf/shop.json",
        "schedule",
        "--systemd",
        "--every",
        "15m",
    ];
    let out = sandbox.cmd(&args).output().expect("run shopsync");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    let systemd = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("schedule_systemd", filtered(&systemd, sandbox.path()));
    let config = sandbox.file("conf/shop.json").display().to_string();
    assert!(
        systemd.contains(&format!(" --config {config} -q sync\n")),
        "{systemd}"
    );
}

#[test]
fn each_interval_runs_at_the_same_times_in_cron_and_systemd() {
    let sandbox = configured();
    let analyze = tool("systemd-analyze");
    for every in ["5m", "15m", "30m", "1h", "3h", "12h", "1d"] {
        let (_, cron, _) = schedule(Path::new(BIN), sandbox.path(), &["--every", every], &[]);
        let fields: Vec<&str> = job_line(&cron).split(' ').take(5).collect();
        let (_, systemd, _) = schedule(
            Path::new(BIN),
            sandbox.path(),
            &["--every", every, "--systemd"],
            &[],
        );
        let calendar = systemd
            .lines()
            .find_map(|l| l.strip_prefix("OnCalendar="))
            .expect("OnCalendar");
        assert_eq!(&fields[2..], ["*", "*", "*"], "{every}: {cron}");
        assert!(fields[0] != "0", "{every}: runs at :00: {cron}");
        let Some(analyze) = &analyze else { continue };
        // systemd's next elapses, as (hour, minute), against the times cron's fields list.
        let out = std::process::Command::new(analyze)
            .args(["calendar", "--iterations=30", calendar])
            .env("TZ", "UTC")
            .output()
            .expect("systemd-analyze calendar");
        assert!(out.status.success(), "{calendar}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let in_list =
            |field: &str, n: u32| field == "*" || field.split(',').any(|f| f == n.to_string());
        let mut seen = 0;
        for time in text
            .split_whitespace()
            .filter(|w| w.len() == 8 && w.as_bytes()[2] == b':')
        {
            let hour: u32 = time[..2].parse().unwrap();
            let minute: u32 = time[3..5].parse().unwrap();
            assert!(
                in_list(fields[0], minute) && in_list(fields[1], hour),
                "{every}: systemd runs at {time}, cron at {fields:?}"
            );
            seen += 1;
        }
        assert!(seen >= 1, "{every}: no elapse in {text}");
    }
}

#[test]
fn the_printed_line_syncs_when_run_as_cron_runs_it_in_a_folder_that_needs_quoting() {
    let world = World::fast(42, 20);
    // Beside the binary, so that it can be hard-linked under a name that needs quoting too.
    let root = tempfile::Builder::new()
        .prefix("schedule")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir");
    let folder = root.path().join("Bob's 100% $shop");
    // `%z` is no specifier: systemd refuses the unit unless the `%` is doubled.
    let bin_dir = root.path().join("bin 50%z");
    for dir in [&folder, &bin_dir] {
        std::fs::create_dir(dir).unwrap();
    }
    for file in ["config.json", "key.json"] {
        std::fs::copy(world.dir.file(file), folder.join(file)).unwrap();
    }
    let binary = bin_dir.join("shop sync");
    std::fs::hard_link(BIN, &binary)
        .or_else(|_| std::fs::copy(BIN, &binary).map(|_| ()))
        .expect("link the binary");

    let (code, cron, stderr) = schedule(&binary, &folder, &[], &[]);
    assert_eq!(code, 0, "{stderr}");
    let command = cron_command(job_line(&cron));
    // cron's environment is nearly empty, and it starts in the user's home, not in the folder.
    let out = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(&command)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SHELL", "/bin/sh")
        .current_dir("/")
        .output()
        .expect("run /bin/sh");
    assert!(out.status.success(), "{command}: {out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    world.assert_exactly_once();
    let log = folder.join("shopify_sync.log");
    assert!(
        folder.join("shopify_sync.db").exists(),
        "no DB in the folder"
    );
    assert_eq!(mode(&log), 0o600, "umask 077 keeps the log owner-only");

    // A failing run leaves its error in the log, where the line sends the output.
    std::fs::write(folder.join("config.json"), "{").unwrap();
    let out = std::process::Command::new("/bin/sh")
        .args(["-c", &command])
        .env_clear()
        .current_dir("/")
        .output()
        .expect("run /bin/sh");
    assert!(!out.status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("\nerror: configuration"), "{text}");

    // The systemd units for the same folder and binary, with --config, as systemd reads them.
    std::fs::copy(world.dir.file("config.json"), folder.join("config.json")).unwrap();
    let config = folder.join("config.json").display().to_string();
    let out = std::process::Command::new(&binary)
        .env_clear()
        .current_dir(&folder)
        .args(["--config", &config, "schedule", "--systemd"])
        .output()
        .expect("run shopsync");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ExecStart=\"") && text.contains("%%"),
        "{text}"
    );
    let Some(analyze) = tool("systemd-analyze") else {
        return;
    };
    let unit_dir = root.path().join("units");
    std::fs::create_dir(&unit_dir).unwrap();
    let files: Vec<PathBuf> = units(&text)
        .into_iter()
        .map(|(name, body)| {
            let path = unit_dir.join(name);
            std::fs::write(&path, body).unwrap();
            path
        })
        .collect();
    assert_eq!(files.len(), 2, "{text}");
    let out = std::process::Command::new(analyze)
        .arg("verify")
        .args(&files)
        .output()
        .expect("systemd-analyze verify");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{text}\n{out:?}"
    );
}

#[test]
fn intervals_cron_cannot_repeat_and_conflicting_formats_are_exit_2() {
    let sandbox = configured();
    for (args, says) in [
        (
            &["--every", "45m"][..],
            "cron cannot run a job every 45m evenly",
        ),
        (&["--every", "5h"], "cron cannot run a job every 5h evenly"),
        (&["--every", "2d"], "cron cannot run a job every 2d evenly"),
        (&["--every", "1w"], "is not an interval"),
        (
            &["--every", "0m"],
            "is not an interval of at least one minute",
        ),
        (&["--cron", "--systemd"], "cannot be used with"),
    ] {
        let (code, stdout, stderr) = schedule(Path::new(BIN), sandbox.path(), args, &[]);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(
            stderr.lines().next().unwrap().contains(says),
            "{args:?}: {stderr}"
        );
    }
    // A configuration that cannot be read at all gets no schedule.
    sandbox.write("config.json", "{");
    let (code, stdout, stderr) = schedule(Path::new(BIN), sandbox.path(), &[], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stdout.is_empty() && stderr.contains("config.json"),
        "{stderr}"
    );
}

#[test]
fn what_the_scheduler_would_not_see_is_warned_about_on_stderr() {
    let sandbox = configured();
    let env = [
        ("SHOPIFY_ACCESS_TOKEN", "shpat_from_shell"),
        ("LOOKBACK_DAYS", "7"),
    ];
    let (code, stdout, stderr) = schedule(Path::new(BIN), sandbox.path(), &[], &env);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(" -q sync >>"), "{stdout}");
    assert!(
        stderr.contains("SHOPIFY_ACCESS_TOKEN, LOOKBACK_DAYS are set in this shell's environment, which cron does not pass on"),
        "{stderr}"
    );
    assert!(!stderr.contains("shpat_from_shell"), "{stderr}");

    // Before the configuration is complete: still printed, with a warning; no shop, so the minute
    // comes from the folder.
    let bare = Sandbox::new();
    let (code, stdout, stderr) = schedule(Path::new(BIN), bare.path(), &["--systemd"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("the configuration is not complete yet"),
        "{stderr}"
    );
    assert!(stdout.contains("a hash of the folder's path"), "{stdout}");
    assert!(stdout.contains("Run shopsync-"), "{stdout}");
    // -q hides neither the text asked for nor the warning.
    let out = bare
        .cmd(&["-q", "schedule"])
        .output()
        .expect("run shopsync");
    assert!(!out.stdout.is_empty() && !out.stderr.is_empty(), "{out:?}");
}

#[test]
fn the_readme_shows_what_schedule_prints() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let sandbox = configured();
    let as_in_readme = |text: &str| {
        text.replace(BIN, "/usr/local/bin/shopsync")
            .replace(&sandbox.path().display().to_string(), "/srv/shop")
    };
    let (_, cron, _) = schedule(Path::new(BIN), sandbox.path(), &[], &[]);
    let shown = format!(
        "$ cd /srv/shop && shopsync schedule\n{}```",
        as_in_readme(&cron)
    );
    assert!(
        readme.contains(&shown),
        "README's sample differs from:\n{shown}"
    );
    let (_, systemd, _) = schedule(Path::new(BIN), sandbox.path(), &["--systemd"], &[]);
    let units = as_in_readme(&systemd);
    let units = &units[units.find("# ~/.config").expect("units")..];
    assert!(
        readme.contains(units),
        "README's units differ from:\n{units}"
    );
}
