//! The command line: clap definitions, the one dispatch `match`, and turning outcomes into exit
//! codes. Each sub-command lives in its own file under `commands/`.

mod alerts;
pub mod commands;
mod context;
pub mod exit;
mod failure;
pub mod logging;
pub mod output;
pub mod placing;
pub mod progress;
pub mod reading;
pub mod remote;
pub mod times;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use context::Context;
use exit::{EXIT_CODES_HELP, Exit, Outcome};

/// Keeps a Google Sheet of a Shopify store's orders complete and current: one row per line item,
/// exactly once, updated in place when an order changes.
#[derive(Debug, Parser)]
#[command(name = "shopsync", version, after_help = EXIT_CODES_HELP, propagate_version = true)]
pub struct Cli {
    /// Read settings from this config.json (must exist) instead of ./config.json.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Say more on stderr (-vv for even more); the log file always gets the details.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Print nothing on success (output asked for with --json still prints); warnings and errors
    /// still go to stderr, so cron mails only on trouble.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch changed orders from Shopify and write them to the sheet (the hourly job).
    Sync(commands::sync::Args),
    /// Show the last runs, the cursor, what is tracked, errors, the lock and config sources.
    Status(commands::status::Args),
    /// Find orders missing from the sheet or the tracking store, and repair them.
    Missing(commands::missing::Args),
    /// List recently synced orders.
    Orders(commands::orders::Args),
    /// List sync errors that are not resolved yet.
    Errors(commands::errors::Args),
    /// Check the configuration, credentials, spreadsheet and database, with a fix for each problem.
    Validate(commands::validate::Args),
    /// Summarise orders, revenue, runs and errors per day.
    Report(commands::report::Args),
    /// Write the tracking data to a CSV (or JSON) file.
    Export(commands::export::Args),
    /// Forget one order's tracking so the next sync rewrites its rows in place.
    Reset(commands::reset::Args),
    /// Run the real sync against a built-in sandbox store and sheet, with no accounts needed.
    Demo(commands::demo::Args),
    /// Write a consistent, verified copy of the tracking database (safe while a sync runs).
    Backup(commands::backup::Args),
    /// Print a crontab line or systemd units that run `sync` here; installs nothing.
    Schedule(commands::schedule::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::Args),
    /// Print the man page.
    Man(commands::man::Args),
}

impl Command {
    /// The sub-command's name, as typed.
    fn name(&self) -> &'static str {
        match self {
            Self::Sync(_) => "sync",
            Self::Status(_) => "status",
            Self::Missing(_) => "missing",
            Self::Orders(_) => "orders",
            Self::Errors(_) => "errors",
            Self::Validate(_) => "validate",
            Self::Report(_) => "report",
            Self::Export(_) => "export",
            Self::Reset(_) => "reset",
            Self::Demo(_) => "demo",
            Self::Backup(_) => "backup",
            Self::Schedule(_) => "schedule",
            Self::Completions(_) => "completions",
            Self::Man(_) => "man",
        }
    }

    /// Whether `--json` was given: then even a failure prints one JSON object on stdout.
    fn json(&self) -> bool {
        match self {
            Self::Sync(a) => a.json,
            Self::Status(a) => a.json,
            Self::Missing(a) => a.json,
            Self::Orders(a) => a.json,
            Self::Errors(a) => a.json,
            Self::Validate(a) => a.json,
            Self::Report(a) => a.json,
            Self::Export(_)
            | Self::Reset(_)
            | Self::Demo(_)
            | Self::Backup(_)
            | Self::Schedule(_)
            | Self::Completions(_)
            | Self::Man(_) => false,
        }
    }

    /// Whether the command writes state, and so keeps a log file; read commands never create one.
    fn keeps_log(&self) -> bool {
        matches!(
            self,
            Self::Sync(_) | Self::Missing(_) | Self::Validate(_) | Self::Reset(_)
        )
    }
}

/// Runs the parsed command line and returns the process exit code; prints the error, if any, as
/// one line on stderr.
#[must_use]
pub fn main(cli: Cli) -> u8 {
    let (name, json) = (cli.command.name(), cli.command.json());
    let exit = match run(cli) {
        Ok(Outcome::Done) => Exit::Ok,
        Ok(Outcome::Problems) => Exit::Problems,
        Ok(Outcome::Stopped(signal)) => Exit::Interrupted(128 + signal),
        Err(err) => {
            let exit = exit::classify(&err);
            if exit != Exit::Ok {
                failure::report(name, json, exit, &one_line(&err));
                eprintln!("error: {}", one_line(&err));
            }
            exit
        }
    };
    exit.code()
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let ctx = Context::from_process(&cli)?;
    match ctx.local() {
        Ok(local) if cli.command.keeps_log() => {
            logging::init(ctx.verbosity, Some(&local.log_file))?;
        }
        // `validate` reports a broken configuration as failed checks, so it must get to run.
        Err(err) if !matches!(cli.command, Command::Validate(_)) && cli.command.keeps_log() => {
            // A command that needs every setting lists every problem, as `validate` does, not
            // only the config file's.
            if matches!(cli.command, Command::Sync(_) | Command::Missing(_))
                && let Err(all) = ctx.remote()
            {
                return Err(all);
            }
            return Err(err);
        }
        _ => logging::init(ctx.verbosity, None)?,
    }
    match cli.command {
        Command::Sync(args) => commands::sync::run(&ctx, &args),
        Command::Status(args) => commands::status::run(&ctx, &args),
        Command::Missing(args) => commands::missing::run(&ctx, &args),
        Command::Orders(args) => commands::orders::run(&ctx, &args),
        Command::Errors(args) => commands::errors::run(&ctx, &args),
        Command::Validate(args) => commands::validate::run(&ctx, &args),
        Command::Report(args) => commands::report::run(&ctx, &args),
        Command::Export(args) => commands::export::run(&ctx, &args),
        Command::Reset(args) => commands::reset::run(&ctx, &args),
        Command::Demo(args) => commands::demo::run(&ctx, &args),
        Command::Backup(args) => commands::backup::run(&ctx, &args),
        Command::Schedule(args) => commands::schedule::run(&ctx, &args, cli.config.as_deref()),
        Command::Completions(args) => commands::completions::run(&args),
        Command::Man(args) => commands::man::run(&args),
    }
}

/// The error and its causes on one line, each cause once (context often repeats its source).
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
