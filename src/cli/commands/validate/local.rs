//! The checks that need no network: the configuration problems, the key file when the rest of the
//! configuration is incomplete, the database (opened read-only, never created) and its binding.

use std::path::Path;

use super::{Check, Status, remote};
use crate::cli::Context;
use crate::config::{ConfigError, Problem, RemoteConfig, keys};
use crate::store::{Binding, Store, StoreError};

/// The configuration problems as failed checks; a key file that cannot be used is its own check.
pub(super) fn config_checks(err: &ConfigError) -> Vec<Check> {
    let (key_file, other): (Vec<&Problem>, Vec<&Problem>) = err.problems.iter().partition(|p| {
        p.key == Some(keys::SERVICE_ACCOUNT_FILE) && p.message.starts_with("is unusable")
    });
    let mut checks: Vec<Check> = err
        .note
        .iter()
        .map(|note| {
            Check::fail(
                "config",
                note.clone(),
                "`shopsync schedule` prints a crontab line that changes to this folder first",
            )
        })
        .collect();
    checks.extend(
        other
            .iter()
            .map(|p| Check::fail("config", p.to_string(), config_hint(p))),
    );
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
pub(super) fn key_file_read(ctx: &Context) -> Check {
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
pub(super) struct Database {
    pub(super) check: Check,
    /// What the database is bound to; `None` before the first sync or when it cannot be read.
    pub(super) binding: Option<Binding>,
    /// Whether a file shopsync can use (or will create) is there: the binding can be judged.
    pub(super) usable: bool,
}

/// Opens the database read-only (never creating it) and checks its integrity and schema version.
pub(super) fn open_database(path: &Path) -> Database {
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
pub(super) fn binding_check(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_problem_is_its_own_check_and_the_rest_fail_config() {
        let err = ConfigError::new(vec![
            Problem {
                key: Some(keys::SERVICE_ACCOUNT_FILE),
                source: None,
                message: "is unusable: cannot read the service-account key file k.json".to_owned(),
            },
            Problem {
                key: Some(keys::STORE_NAME),
                source: None,
                message: "is not set".to_owned(),
            },
        ]);
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
