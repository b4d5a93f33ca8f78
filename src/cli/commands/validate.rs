//! `shopsync validate`: every check a sync depends on, one line each, with a fix for each failure.
//!
//! It writes nothing anywhere: the database is opened read-only (never created), no tab is
//! created, no lock is taken, and only read requests reach Shopify and Google. A failed check is
//! this command's answer, not its failure: configuration problems are reported as failed checks
//! (exit 1, not 2) and everything that can still run, runs. The checks live in `validate/local.rs`
//! (configuration, database, binding), `validate/remote.rs` (Google, Shopify) and `validate/alerts.rs`
//! (the alert URLs, which get a `/log` event and a test message); this file holds
//! the check type, their order and the rendering.

mod alerts;
mod local;
mod remote;

use std::io::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Color, Output};
use crate::config::Origin;
use local::{binding_check, config_checks, key_file_read, open_database};

/// Check the configuration, the key file, the Google token, the spreadsheet, its tab and header,
/// the Shopify token, scopes and API version, and the database, without writing anything anywhere;
/// a configured healthcheck URL gets a /log event and an alert webhook a test message. Exits 1 when
/// any check fails (warnings alone exit 0).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the checks as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    /// All good.
    Pass,
    /// Works, but deserves a look (a tab still to be created, a missing optional scope).
    Warn,
    /// A sync would fail or go wrong: exit 1.
    Fail,
    /// Could not run because an earlier check failed.
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
        }
    }
}

/// One check's result; also its `--json` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
    hint: Option<String>,
}

impl Check {
    fn pass(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            name,
            status: Status::Pass,
            detail: detail.into(),
            hint: None,
        }
    }

    fn warn(name: &'static str, detail: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            name,
            status: Status::Warn,
            detail: detail.into(),
            hint: Some(hint.into()),
        }
    }

    fn fail(name: &'static str, detail: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            name,
            status: Status::Fail,
            detail: detail.into(),
            hint: Some(hint.into()),
        }
    }

    fn skip(name: &'static str, why: &str) -> Self {
        Self {
            name,
            status: Status::Skip,
            detail: format!("not checked: {why}"),
            hint: None,
        }
    }

    /// A failure from an error whose text reads "what is wrong; what to do": the two halves become
    /// the detail and the hint (`fallback` when the text carries no advice).
    fn failed(name: &'static str, error: &str, fallback: &str) -> Self {
        let (detail, hint) = split_advice(error, fallback);
        Self::fail(name, detail, hint)
    }
}

/// Splits "what is wrong; what to do" at the first `"; "`.
fn split_advice(text: &str, fallback: &str) -> (String, String) {
    match text.split_once("; ") {
        Some((what, advice)) if !advice.trim().is_empty() => (what.to_owned(), advice.to_owned()),
        _ => (text.to_owned(), fallback.to_owned()),
    }
}

/// Everything `validate` prints with `--json`.
#[derive(Debug, Serialize)]
struct Report {
    checks: Vec<Check>,
    /// No check failed (warnings allowed).
    ok: bool,
    config_file: Option<PathBuf>,
    /// Where each setting came from, secrets redacted.
    config: Vec<Origin>,
}

/// Runs the command.
///
/// # Errors
/// Only when the output cannot be written or the async runtime cannot start; every problem
/// found is a failed check instead.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let out = Output::detect(args.json);
    let checks = gather(ctx)?;
    let ok = !checks.iter().any(|c| c.status == Status::Fail);
    // Into the log file (info never reaches stderr by default): the screen already has them.
    for check in &checks {
        tracing::info!(check = check.name, status = ?check.status, detail = %check.detail, "validate");
    }
    let report = Report {
        checks,
        ok,
        config_file: ctx.loaded.config_file().cloned(),
        config: ctx.loaded.origins(),
    };
    if args.json {
        out.print_json(&report)?;
    } else if ctx.verbosity.quiet {
        // Quiet: what needs a person, on stderr, as log lines are.
        let mut err = std::io::stderr().lock();
        for check in &report.checks {
            let level = match check.status {
                Status::Fail => "error",
                Status::Warn => "warning",
                Status::Pass | Status::Skip => continue,
            };
            writeln!(err, "{level}: {}: {}", label(check.name), check.detail)?;
        }
    } else {
        render(&out, &report)?;
    }
    Ok(if ok { Outcome::Done } else { Outcome::Problems })
}

/// Runs every check, in the order they are shown.
fn gather(ctx: &Context) -> anyhow::Result<Vec<Check>> {
    let mut checks = Vec::new();
    let remote = match ctx.loaded.remote() {
        Ok((_, remote)) => {
            checks.push(Check::pass(
                "config",
                "every required setting is set and valid",
            ));
            Some(remote)
        }
        Err(err) => {
            checks.extend(config_checks(&err));
            None
        }
    };
    // The database path needs only the config files; it is checked even when other settings fail.
    let db_path = ctx.loaded.local().ok().map(|l| l.database_path);
    let db = db_path.as_deref().map(open_database);

    let bound = db.as_ref().and_then(|d| d.binding.clone());
    let found = match &remote {
        Some(config) => {
            let found = crate::cli::remote::block_on(remote::run(config, bound.as_ref()))?;
            checks.extend(found.checks.iter().cloned());
            Some(found)
        }
        None => {
            if !checks.iter().any(|c| c.name == "key_file") {
                checks.push(key_file_read(ctx));
            }
            for name in &remote::NAMES[1..remote::FIRST_SHOPIFY] {
                checks.push(Check::skip(name, "the configuration is incomplete"));
            }
            // Shopify needs no key file: when the key is the only problem, Shopify is still asked.
            match ctx.loaded.remote_except_key_file() {
                Ok((_, config)) => checks.extend(crate::cli::remote::block_on(
                    remote::shopify_checks(&config),
                )?),
                Err(_) => {
                    for name in &remote::NAMES[remote::FIRST_SHOPIFY..] {
                        checks.push(Check::skip(name, "the configuration is incomplete"));
                    }
                }
            }
            None
        }
    };

    match &db {
        Some(db) => checks.push(db.check.clone()),
        None => checks.push(Check::skip(
            "database",
            "the configuration files cannot be read",
        )),
    }
    checks.push(binding_check(
        db.as_ref(),
        remote.as_ref(),
        found.as_ref().and_then(|f| f.sheet.as_ref()),
    ));
    if let Some(config) = &remote {
        checks.extend(crate::cli::remote::block_on(alerts::checks(config))?);
    }
    Ok(checks)
}

/// The name as people read it.
fn label(name: &str) -> String {
    name.replace('_', " ")
}

fn render(out: &Output, report: &Report) -> std::io::Result<()> {
    let mut checks = report.checks.iter().peekable();
    while let Some(check) = checks.next() {
        let next = checks.peek();
        let color = match check.status {
            Status::Pass => Color::Green,
            Status::Warn | Status::Skip => Color::Yellow,
            Status::Fail => Color::Red,
        };
        out.line(format!(
            "{}  {:<16} {}",
            out.paint(check.status.label(), color),
            label(check.name),
            check.detail
        ))?;
        if let Some(hint) = &check.hint {
            out.line(format!("      fix: {hint}"))?;
        }
        if check.name == "config" && next.is_none_or(|n| n.name != "config") {
            render_sources(out, report)?;
        }
    }
    let count = |status| report.checks.iter().filter(|c| c.status == status).count();
    let (failed, warned, skipped) = (
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Skip),
    );
    out.line("")?;
    let verdict = if failed == 0 {
        out.paint("ready to sync", Color::Green)
    } else {
        out.paint("not ready to sync", Color::Red)
    };
    out.line(format!(
        "{} checks: {} passed, {warned} warned, {failed} failed, {skipped} skipped: {verdict}",
        report.checks.len(),
        count(Status::Pass),
    ))
}

/// Where each setting that is set came from, under the configuration check.
fn render_sources(out: &Output, report: &Report) -> std::io::Result<()> {
    let file = report
        .config_file
        .as_ref()
        .map_or_else(|| "none".to_owned(), |p| p.display().to_string());
    out.line(format!("      config file: {file}"))?;
    let set: Vec<(&str, &str, &str)> = report
        .config
        .iter()
        .filter_map(|o| Some((o.key, o.value.as_deref()?, o.source.as_deref()?)))
        .collect();
    let key_width = set.iter().map(|s| s.0.len()).max().unwrap_or(0);
    let value_width = set.iter().map(|s| s.1.chars().count()).max().unwrap_or(0);
    for (key, value, source) in set {
        out.line(format!(
            "      {key:<key_width$}  {value:<value_width$}  from {source}"
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_is_split_from_the_error_once() {
        assert_eq!(
            split_advice("it broke; do this; and that", "x"),
            ("it broke".to_owned(), "do this; and that".to_owned())
        );
        assert_eq!(
            split_advice("it broke", "fallback"),
            ("it broke".to_owned(), "fallback".to_owned())
        );
    }
}
