//! `shopsync validate`: every check a sync depends on, one line each, with a fix for each failure.
//!
//! It writes nothing anywhere: the database is opened read-only (never created), no tab is
//! created, no lock is taken, and only read requests reach Shopify and Google. A failed check is
//! this command's answer, not its failure: configuration problems are reported as failed checks
//! (exit 1, not 2) and everything that can still run, runs. The remote checks live in
//! `validate/remote.rs`; this file holds the local checks, the order and the rendering.

mod remote;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::Context;
use crate::cli::exit::Outcome;
use crate::cli::output::{Color, Output};
use crate::config::{ConfigError, Origin, Problem, RemoteConfig, keys};
use crate::store::{Binding, Store, StoreError};

/// Check the configuration, the key file, the Google token, the spreadsheet, its tab and header,
/// the Shopify token, scopes and API version, and the database, without writing anything anywhere.
/// Exits 1 when any check fails (warnings alone exit 0).
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
        let mut err = std::io::stderr().lock();
        for check in report.checks.iter().filter(|c| c.status == Status::Fail) {
            writeln!(err, "error: {}: {}", label(check.name), check.detail)?;
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
            for name in remote::NAMES.iter().skip(1) {
                checks.push(Check::skip(name, "the configuration is incomplete"));
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
    Ok(checks)
}

/// The configuration problems as failed checks; a key file that cannot be used is its own check.
fn config_checks(err: &ConfigError) -> Vec<Check> {
    let (key_file, other): (Vec<&Problem>, Vec<&Problem>) = err.problems.iter().partition(|p| {
        p.key == Some(keys::SERVICE_ACCOUNT_FILE) && p.message.starts_with("is unusable")
    });
    let mut checks: Vec<Check> = other
        .iter()
        .map(|p| Check::fail("config", p.to_string(), config_hint(p)))
        .collect();
    if checks.is_empty() {
        checks.push(Check::pass(
            "config",
            "every required setting is set and valid",
        ));
    }
    for problem in key_file {
        let text = problem.message.trim_start_matches("is unusable: ");
        checks.push(Check::fail(
            "key_file",
            text,
            "download a JSON key for the service account (IAM > Service accounts > Keys) and set \
             google_service_account_file to its path",
        ));
    }
    checks
}

/// The key file when the rest of the configuration is incomplete: the configuration step read it
/// (and found no problem) unless it is not set at all.
fn key_file_read(ctx: &Context) -> Check {
    let path = ctx
        .loaded
        .origins()
        .into_iter()
        .find(|o| o.key == keys::SERVICE_ACCOUNT_FILE.json)
        .and_then(|o| o.value);
    match path {
        Some(path) => Check::pass(
            "key_file",
            format!(
                "{path}: a service-account key (no token is asked for until the configuration \
                 is complete)"
            ),
        ),
        None => Check::skip("key_file", "google_service_account_file is not set"),
    }
}

fn config_hint(problem: &Problem) -> String {
    match (&problem.key, &problem.source) {
        (Some(key), Some(source)) => format!("correct {} in {source}", key.json),
        (Some(key), None) => format!(
            "set \"{}\" in config.json, or {} in .env or the environment",
            key.json, key.env
        ),
        _ => "fix the configuration file named above".to_owned(),
    }
}

/// The database as `validate` found it.
#[derive(Debug)]
struct Database {
    check: Check,
    /// What the database is bound to; `None` before the first sync or when it cannot be read.
    binding: Option<Binding>,
    /// Whether a file shopsync can use (or will create) is there: the binding can be judged.
    usable: bool,
}

/// Opens the database read-only (never creating it) and checks its integrity and schema version.
fn open_database(path: &Path) -> Database {
    const NAME: &str = "database";
    let shown = path.display();
    let store = match Store::open_read_only(path) {
        Ok(store) => store,
        Err(err) if err.is_not_created_yet() => {
            return Database {
                check: Check::pass(
                    NAME,
                    format!("{shown} does not exist yet: the first sync creates it"),
                ),
                binding: None,
                usable: true,
            };
        }
        Err(StoreError::NeedsUpgrade {
            found, supported, ..
        }) => {
            return Database {
                check: Check::warn(
                    NAME,
                    format!("{shown} has schema version {found}; this shopsync uses {supported}"),
                    "the next sync upgrades it in place; keep a copy of the file if you may go \
                     back to the older shopsync",
                ),
                binding: None,
                usable: false,
            };
        }
        Err(err) => {
            return Database {
                check: Check::failed(NAME, &err.to_string(), &db_fallback_hint()),
                binding: None,
                usable: false,
            };
        }
    };
    let check = match store.health() {
        Ok(health) if health.integrity_problems.is_empty() && health.ok => Check::pass(
            NAME,
            format!(
                "{shown}: integrity ok, schema version {}",
                health.schema_version
            ),
        ),
        Ok(health) if !health.integrity_problems.is_empty() => Check::fail(
            NAME,
            format!(
                "{shown} failed SQLite's integrity check: {}",
                health
                    .integrity_problems
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            db_fallback_hint(),
        ),
        Ok(health) => Check::fail(
            NAME,
            format!(
                "{shown} has schema version {}, but this shopsync uses {}",
                health.schema_version, health.supported_version
            ),
            "use the shopsync that wrote it, or point database_path (SHOPSYNC_DB) at a new file",
        ),
        Err(err) => Check::failed(NAME, &err.to_string(), &db_fallback_hint()),
    };
    let ok = check.status == Status::Pass;
    let binding = if ok {
        store.binding().ok().flatten()
    } else {
        None
    };
    Database {
        check,
        binding,
        usable: ok,
    }
}

fn db_fallback_hint() -> String {
    "restore the file from a backup, or move it aside and point database_path (SHOPSYNC_DB) at a \
     new file: the next sync starts a new one and finds the rows already in the sheet by key"
        .to_owned()
}

/// Whether the database belongs to the shop, spreadsheet and tab the configuration names.
fn binding_check(
    db: Option<&Database>,
    config: Option<&RemoteConfig>,
    sheet: Option<&remote::SheetFound>,
) -> Check {
    const NAME: &str = "binding";
    let Some(db) = db.filter(|d| d.usable) else {
        return Check::skip(NAME, "the database cannot be read");
    };
    let Some(config) = config else {
        return Check::skip(NAME, "the configuration is incomplete");
    };
    let shop = config.store.domain();
    let Some(bound) = &db.binding else {
        return Check::pass(
            NAME,
            format!(
                "not bound yet: the first sync binds the database to {shop}, this spreadsheet and \
                 tab \"{}\"",
                config.worksheet
            ),
        );
    };
    let mut differences = Vec::new();
    if !bound.shop_domain.eq_ignore_ascii_case(&shop) {
        differences.push(format!(
            "shop {:?} (configuration: {shop:?})",
            bound.shop_domain
        ));
    }
    if let Some(sheet) = sheet
        && sheet.spreadsheet_id != bound.spreadsheet_id
    {
        differences.push(format!(
            "spreadsheet {:?} (configuration: {:?})",
            bound.spreadsheet_id, sheet.spreadsheet_id
        ));
    }
    if bound.sheet_title != config.worksheet {
        differences.push(format!(
            "tab {:?} (configuration: {:?})",
            bound.sheet_title, config.worksheet
        ));
    } else if let Some(Some(sheet_id)) = sheet.map(|s| s.sheet_id)
        && sheet_id != bound.sheet_id
    {
        differences.push(format!(
            "tab id {} (the tab {:?} now has id {sheet_id}: it was deleted and made again)",
            bound.sheet_id, config.worksheet
        ));
    }
    if differences.is_empty() {
        let unverified = if sheet.is_none() {
            " (the spreadsheet could not be checked)"
        } else {
            ""
        };
        Check::pass(
            NAME,
            format!(
                "bound to {}, spreadsheet {} and tab \"{}\", as configured{unverified}",
                bound.shop_domain, bound.spreadsheet_id, bound.sheet_title
            ),
        )
    } else {
        Check::fail(
            NAME,
            format!("the database is bound to {}", differences.join(", ")),
            "change the configuration back, or point database_path (SHOPSYNC_DB) at a new file to \
             start a new database for the new shop or sheet",
        )
    }
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

    #[test]
    fn a_key_file_problem_is_its_own_check_and_the_rest_fail_config() {
        let err = ConfigError {
            problems: vec![
                Problem {
                    key: Some(keys::SERVICE_ACCOUNT_FILE),
                    source: None,
                    message: "is unusable: cannot read the service-account key file k.json"
                        .to_owned(),
                },
                Problem {
                    key: Some(keys::STORE_NAME),
                    source: None,
                    message: "is not set".to_owned(),
                },
            ],
        };
        let checks = config_checks(&err);
        let names: Vec<_> = checks.iter().map(|c| (c.name, c.status)).collect();
        assert_eq!(
            names,
            [("config", Status::Fail), ("key_file", Status::Fail)]
        );
        assert!(checks[1].detail.starts_with("cannot read"), "{checks:?}");
        assert!(
            checks[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("SHOPIFY_STORE_NAME")
        );
    }

    #[test]
    fn a_missing_database_passes_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shopify_sync.db");
        let db = open_database(&path);
        assert_eq!(db.check.status, Status::Pass, "{:?}", db.check);
        assert!(!path.exists());
    }

    #[test]
    fn a_garbage_database_fails_and_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shopify_sync.db");
        let garbage = vec![7u8; 4096];
        std::fs::write(&path, &garbage).unwrap();
        let db = open_database(&path);
        assert_eq!(db.check.status, Status::Fail, "{:?}", db.check);
        assert!(db.check.hint.is_some());
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
    }
}
