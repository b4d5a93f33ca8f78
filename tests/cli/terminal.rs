//! What a sync leaves on a terminal: the real binary runs under a pseudo-terminal against the
//! emulators, and the final screen is rendered with a terminal emulator (`vt100`), `\r` and erase
//! sequences applied, as a person would see it. Warnings stand on their own lines, no progress bar
//! is left above the summary; without a terminal there are no bars at all.

use std::io::Read as _;

use crate::world::World;

/// The terminal's size: wide enough that no line of the run wraps.
const ROWS: u16 = 40;
const COLS: u16 = 250;

/// A world whose first sync warns mid-run: one order's note is over the cell limit.
fn world_with_a_long_note(seed: u64) -> (World, String) {
    let world = World::fast(seed, 8);
    let id = world.order_ids()[0];
    let note = "n".repeat(60_000);
    world.shopify.with_store(|s, now| {
        s.update(id, now.timestamp(), |o| o.note = Some(note.as_str().into()));
    });
    let name = world.order_name(id);
    (world, name)
}

/// What a program left on a terminal.
struct Terminal {
    code: i32,
    /// Everything it wrote, control sequences included.
    transcript: String,
    /// The screen once it has exited, one string per row.
    screen: Vec<String>,
}

/// Runs `shopsync ARGS` in the world's directory on a pseudo-terminal, with `NO_COLOR` set.
fn on_a_terminal(world: &World, args: &[&str]) -> Terminal {
    on_a_terminal_with(world, args, true)
}

/// Like [`on_a_terminal`], with `NO_COLOR` set or not.
fn on_a_terminal_with(world: &World, args: &[&str], no_color: bool) -> Terminal {
    world.refill_bucket();
    let (mut pty, pts) = pty_process::blocking::open().expect("open a pty");
    pty.resize(pty_process::Size::new(ROWS, COLS))
        .expect("size the pty");
    let mut command = pty_process::blocking::Command::new(env!("CARGO_BIN_EXE_shopsync"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color");
    if no_color {
        command = command.env("NO_COLOR", "1");
    }
    let mut child = command
        .current_dir(world.dir.path())
        .args(args)
        .spawn(pts)
        .expect("spawn shopsync on the pty");
    let mut transcript = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match pty.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => transcript.extend_from_slice(&buf[..n]),
            // Linux answers EIO once the last process holding the terminal has exited.
            Err(e) if e.raw_os_error() == Some(5) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("reading the pty: {e}"),
        }
    }
    let code = child.wait().expect("wait").code().unwrap_or(-1);
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("a terminal size");
    let mut parser = vt100::Parser::new(size(ROWS), size(COLS), 0);
    parser.process(&transcript);
    let screen = parser
        .screen()
        .rows(0, COLS)
        .map(|row| row.trim_end().to_owned())
        .collect();
    Terminal {
        code,
        transcript: String::from_utf8_lossy(&transcript).into_owned(),
        screen,
    }
}

#[test]
fn the_final_screen_holds_the_warning_and_the_summary_and_no_bar() {
    let (world, order) = world_with_a_long_note(91);
    let run = on_a_terminal(&world, &["sync"]);
    let shown: Vec<&String> = run.screen.iter().filter(|r| !r.is_empty()).collect();
    assert_eq!(run.code, 0, "{shown:#?}");
    // The bars were there while it worked (so their absence below is their clearing).
    assert!(
        run.transcript.contains("fetching orders"),
        "no bar was drawn: {:?}",
        run.transcript
    );
    for bar in ["fetching orders", "writing rows"] {
        assert!(
            !shown.iter().any(|r| r.contains(bar)),
            "a {bar:?} bar is left on the screen: {shown:#?}"
        );
    }
    // The warning is a line of its own: it starts the row and is not glued to a bar.
    let warning = shown
        .iter()
        .position(|r| r.contains(&order) && r.contains("truncated"))
        .unwrap_or_else(|| panic!("no warning for {order}: {shown:#?}"));
    assert!(
        shown[warning].trim_start().starts_with("WARN"),
        "{:?}",
        shown[warning]
    );
    // The summary is the last thing on the screen, below the warning.
    let summary = shown.last().expect("something on the screen");
    assert!(summary.starts_with("ok: synced 8 orders"), "{shown:#?}");
    assert_eq!(shown.len(), warning + 2, "{shown:#?}");
}

#[test]
fn without_a_terminal_there_are_no_bars_and_no_control_sequences() {
    let (world, order) = world_with_a_long_note(92);
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains(&order), "the warning is missing: {stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains("fetching orders"), "{text}");
        assert!(
            !text.contains('\r') && !text.contains('\u{1b}'),
            "control sequences: {text:?}"
        );
    }
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stdout.starts_with("synced 8 orders"), "{stdout}");
}

#[test]
fn the_report_chart_is_coloured_only_on_a_terminal_without_no_color() {
    let world = World::fast(133, 8);
    world.sync_ok(&[]);
    let coloured = on_a_terminal_with(&world, &["report"], false);
    assert_eq!(coloured.code, 0, "{}", coloured.transcript);
    assert!(
        coloured.transcript.contains("\x1b[32m█"),
        "green revenue bars"
    );
    assert!(
        coloured.transcript.contains("\x1b[33m█"),
        "yellow order bars"
    );
    let plain = on_a_terminal(&world, &["report"]);
    assert!(
        !plain.transcript.contains("\x1b[3"),
        "NO_COLOR: {}",
        plain.transcript
    );
    // The bars are there either way, and the screens (the report's last rows) are the same.
    assert!(plain.transcript.contains("█"), "{}", plain.transcript);
    assert_eq!(coloured.screen, plain.screen);
    // Piped: the same bars, no escape codes.
    let piped = world
        .cmd(&["report"])
        .env_remove("NO_COLOR")
        .output()
        .expect("report");
    let piped = String::from_utf8(piped.stdout).expect("utf-8");
    assert!(piped.contains('█') && !piped.contains('\x1b'), "{piped}");
}
