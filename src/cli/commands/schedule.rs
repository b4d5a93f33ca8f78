//! `shopsync schedule`: the crontab line or systemd units that run `sync` here; installs nothing.
//!
//! The text is the library's ([`crate::schedule`]); this file gathers what it needs from the
//! running process (its binary, folder and `--config`) and the configuration (the log file, the
//! shop), and warns on stderr about what a scheduler would not see.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::Context;
use crate::cli::exit::{Outcome, UsageError};
use crate::cli::output::Output;
use crate::schedule::{Every, Job, Slot};

/// Print a crontab line (the default) or a systemd service and timer that run `shopsync -q sync`
/// in this folder, with this configuration, at a fixed interval. Nothing is installed: the output
/// says where it goes.
///
/// The job runs at a minute taken from a hash of the shop's name (of the folder before a shop is
/// configured), so it is the same every time you ask and shops do not all call Shopify at :00.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How often: minutes that divide an hour (1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m),
    /// hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h) or 1d.
    #[arg(long, default_value = "1h", value_name = "INTERVAL", value_parser = Every::parse)]
    pub every: Every,
    /// Print a crontab line (the default).
    #[arg(long, conflicts_with = "systemd")]
    pub cron: bool,
    /// Print a systemd user service and timer instead.
    #[arg(long)]
    pub systemd: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args, config_flag: Option<&Path>) -> anyhow::Result<Outcome> {
    let local = ctx.local()?;
    let folder = std::env::current_dir().context("cannot read the working directory")?;
    let binary = std::env::current_exe().context("cannot tell where this shopsync binary is")?;
    let shop = ctx.loaded.store_domain();
    let seed = shop.as_ref().map_or_else(
        || folder.display().to_string(),
        crate::config::StoreDomain::domain,
    );
    let job = Job {
        slot: Slot::spread(args.every, &seed),
        config: config_flag.map(|path| absolute(&folder, path)),
        log_file: absolute(&folder, &local.log_file),
        shop: shop.map(|s| s.handle().to_owned()),
        binary,
        folder,
    };
    let text = if args.systemd {
        crate::schedule::units(&job)
    } else {
        crate::schedule::crontab(&job)
    }
    .map_err(|err| UsageError(err.to_string()))?;
    warn_about_what_the_scheduler_misses(ctx, args.systemd);
    // The text is what was asked for, so -q does not hide it (as it does not hide --json).
    Output::detect(false).line(text.trim_end())?;
    Ok(Outcome::Done)
}

/// `path` made absolute against `folder` (the scheduler starts elsewhere).
fn absolute(folder: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        folder.join(path)
    }
}

/// Warns when settings come from this shell's environment, which cron and systemd do not pass
/// on, and when the configuration is not complete yet.
fn warn_about_what_the_scheduler_misses(ctx: &Context, systemd: bool) {
    let scheduler = if systemd { "systemd" } else { "cron" };
    let from_env = ctx.loaded.from_process_environment();
    if !from_env.is_empty() {
        tracing::warn!(
            "{} {} set in this shell's environment, which {scheduler} does not pass on: put {} \
             in ./.env or config.json, or the scheduled sync will not see {}",
            from_env.join(", "),
            if from_env.len() == 1 { "is" } else { "are" },
            if from_env.len() == 1 { "it" } else { "them" },
            if from_env.len() == 1 { "it" } else { "them" },
        );
    }
    if let Err(err) = ctx.loaded.remote() {
        let count = err.problems.len();
        tracing::warn!(
            "the configuration is not complete yet ({count} problem{}), so the scheduled sync \
             would fail: `shopsync validate` lists {}",
            if count == 1 { "" } else { "s" },
            if count == 1 { "it" } else { "them" },
        );
    }
}
