//! `shopsync demo`: the real commands against the built-in sandbox, explained step by step.
//!
//! The demo starts both emulators in this process (on 127.0.0.1, on a runtime kept for the whole
//! demo), writes a config for them into its folder, and runs the real `shopsync` commands there as
//! child processes of this same binary, so what the user sees is exactly what those commands print.
//! What a folder must be for the demo to use it is in `folder.rs`.

mod folder;
mod preview;
mod serve;
mod world;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use anyhow::Context as _;

use crate::cli::Context;
use crate::cli::exit::{Outcome, StepFailed, UsageError};
use crate::cli::logging::Verbosity;
use crate::cli::output::Output;
use world::World;

/// Steps the demo walks through (for "step N of STEPS").
const STEPS: usize = 6;
/// The demo's own text is wrapped to this many characters: a terminal's classic width.
const WIDTH: usize = 80;

/// Start a sandbox Shopify store and Google Sheet on this machine, and run the real commands
/// against them in a folder, explaining each step. No accounts needed; nothing leaves this machine.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to run the demo in: created if missing. An existing folder must be empty, or one
    /// an earlier demo made (it holds a .shopsync-demo file), whose demo files are then replaced
    /// and nothing else touched.
    #[arg(long, value_name = "PATH", default_value = "shopsync-demo")]
    pub dir: PathBuf,
    /// Shadows the global `--config` so that `demo --help` does not offer it: the demo writes its
    /// own config.json into its folder. Refused when given.
    #[arg(long, hide = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Shadows the global `-q`, hidden for the same reason: the demo exists to show what it does.
    /// Refused when given.
    #[arg(short, long, hide = true)]
    pub quiet: bool,
    /// Run no steps: seed the sandbox, keep both emulators running, print the environment that
    /// points shopsync (or gspread, google-auth, Shopify's libraries) at them, stop on Ctrl-C.
    #[arg(long)]
    pub serve: bool,
    /// With --serve: orders in the sandbox store.
    #[arg(long, value_name = "N", requires = "serve", value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub orders: Option<u32>,
    /// With --serve: the seed the store is generated from.
    #[arg(long, value_name = "S", requires = "serve")]
    pub seed: Option<u64>,
}

/// Runs the command.
///
/// # Errors
/// The folder cannot be used (exit 2), the sandbox cannot start, or a step failed (its exit code).
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    if args.config.is_some() || ctx.config_flag {
        return Err(UsageError(
            "demo takes no --config: it writes its own config.json, for the sandbox, into --dir"
                .to_owned(),
        )
        .into());
    }
    if args.quiet || ctx.verbosity.quiet {
        return Err(UsageError(
            "demo takes no -q: it is there to show each step (for a quiet run, use `shopsync -q \
             sync` in the demo's folder afterwards)"
                .to_owned(),
        )
        .into());
    }
    let exe = std::env::current_exe().context("cannot find the shopsync program to run")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the sandbox's runtime")?;
    let stop = watch_signals(&runtime);
    let replaced = folder::prepare(&args.dir)?;
    if args.serve {
        let orders = args.orders.map_or(world::ORDERS, |n| n as usize);
        let world = World::start(&runtime, args.seed.unwrap_or(world::SEED), orders)?;
        world.write_config(&args.dir)?;
        let outcome = serve::serve(&Output::detect(false), &world, &args.dir, &stop);
        drop(world);
        drop(runtime);
        return outcome;
    }
    let demo = Demo {
        out: Output::detect(false),
        exe,
        dir: args.dir.clone(),
        verbosity: ctx.verbosity,
        stop,
    };
    let outcome = demo.run(&runtime, replaced);
    // The emulators stop before their runtime does.
    drop(runtime);
    outcome
}

/// What every step needs.
struct Demo {
    out: Output,
    exe: PathBuf,
    dir: PathBuf,
    verbosity: Verbosity,
    stop: Arc<AtomicU8>,
}

impl Demo {
    fn run(&self, runtime: &tokio::runtime::Runtime, replaced: bool) -> anyhow::Result<Outcome> {
        let shown = shown_dir(&self.dir);
        self.say(
            "shopsync demo: the real shopsync commands, run against a sandbox Shopify store and \
             a sandbox Google Sheet that live on this computer only while the demo runs. No \
             accounts needed, and nothing is sent anywhere else.",
        )?;
        let world = World::start(runtime, world::SEED, world::ORDERS)?;
        world.write_config(&self.dir)?;
        self.out.line("")?;
        if replaced {
            self.out.line(format!(
                "Setting up in {shown} (replacing the files of the earlier demo there):"
            ))?;
        } else {
            self.out.line(format!("Setting up in {shown}:"))?;
        }
        self.bullet(&format!(
            "a store, \"{}\", with {} orders: a few big ones with many line items, customer \
             names in many scripts, and notes that look like spreadsheet formulas",
            world.shop_name,
            world::ORDERS
        ))?;
        self.bullet(&format!(
            "an empty spreadsheet, \"{}\"",
            world::SPREADSHEET_TITLE
        ))?;
        self.bullet(&format!(
            "config.json, which points shopsync at both, and {}, the sandbox's throwaway \
             Google service-account key",
            folder::KEY_FILE
        ))?;

        self.step(
            1,
            "The first sync copies every order of the last 30 days into the sheet, one row per \
             line item. A few orders have notes longer than a sheet's cell can hold: shopsync \
             shortens them, marks the cut, and warns about each.",
        )?;
        self.command(1, &["sync"])?;
        self.step(
            2,
            "Run it again, as cron would an hour later: nothing changed in the store, so nothing \
             is written.",
        )?;
        self.command(2, &["sync"])?;
        self.step(
            3,
            "Meanwhile, in the store, customers and staff change a few orders:",
        )?;
        let changes = world.change_orders();
        for change in &changes {
            self.bullet(&change.sentence)?;
        }
        self.stopped()?;
        self.step(
            4,
            "The next sync updates the changed orders' rows where they are, and adds rows for \
             the new line items at the end.",
        )?;
        self.command(4, &["sync"])?;
        self.step(
            5,
            "`shopsync status` shows the recent runs and what is tracked, from the local \
             database alone (shopify_sync.db).",
        )?;
        self.command(5, &["status"])?;
        self.step(
            6,
            "The sheet now, read straight from the sandbox: its first and last rows, a few of \
             its columns.",
        )?;
        let sound = self.show_sheet(&world, &changes)?;
        self.stopped()?;
        self.closing(&shown, sound)?;
        Ok(if sound {
            Outcome::Done
        } else {
            Outcome::Problems
        })
    }

    /// Prints the preview and what it proves; returns whether the sheet is as promised.
    fn show_sheet(&self, world: &World, changes: &[world::Change]) -> anyhow::Result<bool> {
        let rows = world.rows();
        self.out.line(preview::table(&self.out, &rows))?;
        let shown = preview::orders_shown(&rows);
        let hints: Vec<&str> = changes
            .iter()
            .filter(|c| c.orders.iter().all(|o| shown.contains(o)))
            .filter_map(|c| c.in_view.as_deref())
            .collect();
        if !hints.is_empty() {
            self.say(&format!(
                "Changed since the first sync: {}.",
                hints.join("; ")
            ))?;
        }
        let facts = preview::facts(&rows);
        let line_items = world.line_items();
        let exactly_once = facts.keyed_rows == line_items && facts.distinct_keys == line_items;
        if exactly_once {
            self.say(&format!(
                "{} rows for {line_items} line items: each line item exactly once.",
                facts.keyed_rows
            ))?;
        } else {
            self.say(&format!(
                "PROBLEM: {} rows ({} distinct) for {line_items} line items. This is a bug in \
                 shopsync; please report it.",
                facts.keyed_rows, facts.distinct_keys
            ))?;
        }
        let formulas = world.google.formulas(&world.spreadsheet, world::TAB);
        let looks_like: Vec<&str> = rows
            .iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .filter(|s| s.starts_with('='))
            .collect();
        if formulas.is_empty() {
            // The shortest makes the clearest example (a tag like "=1+1").
            if let Some(example) = looks_like.iter().min_by_key(|s| s.len()) {
                self.say(&format!(
                    "{} cells start with \"=\" (such as \"{}\"): they stayed plain text, not \
                     formulas.",
                    looks_like.len(),
                    preview::cut(example)
                ))?;
            }
        } else {
            self.say(&format!(
                "PROBLEM: {} cells became formulas. This is a bug in shopsync; please report it.",
                formulas.len()
            ))?;
        }
        Ok(exactly_once && formulas.is_empty())
    }

    fn closing(&self, shown: &str, sound: bool) -> anyhow::Result<()> {
        self.out.line("")?;
        if sound {
            self.say(&format!(
                "Done: every step worked. The demo's files stay in {shown}. The sandbox stopped \
                 with the demo, but `shopsync status`, `orders` and `report` still work there: \
                 they read only the database."
            ))?;
        }
        self.out.line("")?;
        self.out
            .line("To run the same commands against your real store:")?;
        for line in [
            "  1. Copy config_template.json (in the shopsync source folder) to config.json",
            "     in the folder you will run shopsync from, and fill in your store's name,",
            "     an Admin API access token with read_orders, your Google service account's",
            "     key file, and the spreadsheet (shared with that account's e-mail, as Editor).",
            "  2. shopsync validate      checks every setting and credential, with a fix for each",
            "  3. shopsync sync --test   a dry run: shows what it would write, writes nothing",
            "  4. shopsync sync          the first real sync",
            "  5. Then hourly from cron: 0 * * * * cd /path/to/that/folder && shopsync -q sync",
        ] {
            self.out.line(line)?;
        }
        Ok(())
    }

    /// Runs `shopsync ARGS` in the demo's folder as the user would, its output on our terminal.
    fn command(&self, step: usize, args: &[&str]) -> anyhow::Result<()> {
        let shown = format!("shopsync {}", args.join(" "));
        // A shell prompt that names the folder, since that is where the command runs.
        self.out
            .line(format!("{}$ {shown}", shown_dir(&self.dir)))?;
        std::io::stdout().flush()?;
        let mut command = Command::new(&self.exe);
        for _ in 0..self.verbosity.verbose {
            command.arg("-v");
        }
        command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        // The user's own settings must not steer the demo's commands to a real store or sheet.
        for key in crate::config::keys::ALL {
            command.env_remove(key.env);
        }
        // Nor may a proxy set for the real internet catch the sandbox's loopback traffic.
        for name in ["NO_PROXY", "no_proxy"] {
            let theirs = std::env::var(name).unwrap_or_default();
            let ours = if theirs.trim().is_empty() {
                "127.0.0.1,localhost".to_owned()
            } else {
                format!("127.0.0.1,localhost,{theirs}")
            };
            command.env(name, ours);
        }
        let status = command
            .status()
            .with_context(|| format!("cannot run {}", self.exe.display()))?;
        let failed = |code: u8| StepFailed {
            step: format!("step {step} of {STEPS} (`{shown}`)"),
            code,
        };
        if let Some(code) = status.code() {
            if code != 0 {
                return Err(failed(u8::try_from(code).unwrap_or(u8::MAX)).into());
            }
        } else {
            return Err(failed(128 + signal_of(status)).into());
        }
        self.stopped()
    }

    /// The demo's own stop: a Ctrl-C between two steps ends it there, as 128 + the signal.
    fn stopped(&self) -> anyhow::Result<()> {
        match self.stop.load(Ordering::SeqCst) {
            0 => Ok(()),
            signal => Err(StepFailed {
                step: "the user's request".to_owned(),
                code: 128 + signal,
            }
            .into()),
        }
    }

    fn step(&self, n: usize, text: &str) -> anyhow::Result<()> {
        self.out.line("")?;
        self.say(&format!("Step {n} of {STEPS}. {text}"))
    }

    /// Prints a paragraph wrapped for a terminal.
    fn say(&self, text: &str) -> anyhow::Result<()> {
        for line in wrap(text, WIDTH) {
            self.out.line(line)?;
        }
        Ok(())
    }

    /// Prints an indented list item wrapped for a terminal.
    fn bullet(&self, text: &str) -> anyhow::Result<()> {
        for (i, line) in wrap(text, WIDTH - 4).into_iter().enumerate() {
            let mark = if i == 0 { "  · " } else { "    " };
            self.out.line(format!("{mark}{line}"))?;
        }
        Ok(())
    }
}

/// The folder as the user named it, with a trailing slash to say "folder".
fn shown_dir(dir: &Path) -> String {
    let text = dir.display().to_string();
    if text.ends_with('/') {
        text
    } else {
        format!("{text}/")
    }
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(unix)]
fn signal_of(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt as _;
    status
        .signal()
        .and_then(|s| u8::try_from(s).ok())
        .unwrap_or(0)
}

#[cfg(not(unix))]
fn signal_of(_status: std::process::ExitStatus) -> u8 {
    0
}

/// Keeps SIGINT and SIGTERM from killing the demo (and its sandbox) while a step runs: the step,
/// in the same process group, gets the signal too, finishes its write in flight and exits 130 or
/// 143, which the demo then passes on. Returns the number of the first signal received.
fn watch_signals(runtime: &tokio::runtime::Runtime) -> Arc<AtomicU8> {
    let stop = Arc::new(AtomicU8::new(0));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Registered here, before any step starts, not lazily inside the task.
        let _guard = runtime.enter();
        if let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            let stop = stop.clone();
            runtime.spawn(async move {
                let number = tokio::select! {
                    _ = int.recv() => 2,
                    _ = term.recv() => 15,
                };
                stop.store(number, Ordering::SeqCst);
            });
        }
    }
    #[cfg(not(unix))]
    {
        let _ = runtime;
    }
    stop
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("a  b", 80), ["a b"]);
        assert!(wrap("", 10).is_empty());
    }

    #[test]
    fn the_folder_is_shown_as_a_folder() {
        assert_eq!(shown_dir(Path::new("shopsync-demo")), "shopsync-demo/");
        assert_eq!(shown_dir(Path::new("/tmp/x/")), "/tmp/x/");
    }
}
