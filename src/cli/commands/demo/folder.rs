//! The demo's folder: which folders the demo may use, and clearing what a previous demo left there.
//!
//! The rule: the demo writes into a folder that does not exist yet (it is created), an empty folder,
//! or a folder a previous demo made (it holds the marker file [`MARKER`]). In a previous demo's
//! folder it replaces only the files it makes itself ([`DEMO_FILES`]); anything else there (an
//! export, a note of the user's) is left alone. Every other folder is refused, untouched.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::exit::UsageError;

/// The marker that says "a demo made this folder".
pub const MARKER: &str = ".shopsync-demo";

/// The sandbox's service-account key file, written beside `config.json`.
pub const KEY_FILE: &str = "sandbox_service_account.json";

/// What the marker file says, for a person who finds it.
const MARKER_TEXT: &str = "\
This folder was made by `shopsync demo`. Running the demo again here replaces config.json,
sandbox_service_account.json, shopify_sync.db (with its -wal, -shm and .lock files) and
shopify_sync.log; it leaves every other file alone.
";

/// Every file the demo writes (and so may replace on a later demo in the same folder).
pub const DEMO_FILES: [&str; 8] = [
    MARKER,
    "config.json",
    KEY_FILE,
    "shopify_sync.db",
    "shopify_sync.db-wal",
    "shopify_sync.db-shm",
    "shopify_sync.db.lock",
    "shopify_sync.log",
];

/// Makes `dir` ready for a demo: created if missing, or cleared of a previous demo's files.
/// Returns whether a previous demo's files were replaced.
///
/// # Errors
/// A [`UsageError`] (exit 2) when the folder is not one the demo may use; an I/O error when it
/// cannot be created or cleared.
pub fn prepare(dir: &Path) -> anyhow::Result<bool> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder {}", dir.display()))?;
            write_marker(dir)?;
            return Ok(false);
        }
        Err(_) if dir.exists() && !dir.is_dir() => {
            return Err(UsageError(format!(
                "{} is a file, not a folder; choose a folder with --dir PATH",
                dir.display()
            ))
            .into());
        }
        Err(err) => {
            return Err(err).with_context(|| format!("cannot read the folder {}", dir.display()));
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read the folder {}", dir.display()))?;
        names.push(entry.file_name());
    }
    if names.is_empty() {
        write_marker(dir)?;
        return Ok(false);
    }
    if !names.iter().any(|n| n == MARKER) {
        return Err(UsageError(format!(
            "{} is not empty and was not made by `shopsync demo`, so the demo will not write \
             there; choose an empty or new folder with --dir PATH",
            dir.display()
        ))
        .into());
    }
    // A .env here would override the demo's config.json (it is a layer above it) and is not ours
    // to remove.
    if names.iter().any(|n| n == ".env") {
        return Err(UsageError(format!(
            "{} holds a .env file, which would override the demo's settings; move it away or \
             choose another folder with --dir PATH",
            dir.display()
        ))
        .into());
    }
    let ours: Vec<PathBuf> = DEMO_FILES
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.symlink_metadata().is_ok())
        .collect();
    // Check everything before removing anything, so a refusal leaves the folder as it was.
    if let Some(odd) = ours
        .iter()
        .find(|p| p.symlink_metadata().is_ok_and(|m| m.is_dir()))
    {
        return Err(UsageError(format!(
            "{} is a folder where the demo expects its own file; move it away or choose another \
             folder with --dir PATH",
            odd.display()
        ))
        .into());
    }
    for path in &ours {
        fs::remove_file(path)
            .with_context(|| format!("cannot replace the demo file {}", path.display()))?;
    }
    write_marker(dir)?;
    Ok(true)
}

fn write_marker(dir: &Path) -> anyhow::Result<()> {
    let path = dir.join(MARKER);
    fs::write(&path, MARKER_TEXT).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::exit::{Exit, classify};

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_folder_is_created_with_the_marker() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        assert!(!prepare(&dir).unwrap());
        assert_eq!(listing(&dir), [MARKER]);
    }

    #[test]
    fn an_empty_folder_is_used() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!prepare(tmp.path()).unwrap());
        assert_eq!(listing(tmp.path()), [MARKER]);
    }

    #[test]
    fn a_foreign_folder_is_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("config.json"), "{}").unwrap();
        let err = prepare(tmp.path()).unwrap_err();
        assert_eq!(classify(&err), Exit::Usage);
        assert!(
            err.to_string().contains("not made by `shopsync demo`"),
            "{err}"
        );
        assert_eq!(listing(tmp.path()), ["config.json"]);
        assert_eq!(
            fs::read_to_string(tmp.path().join("config.json")).unwrap(),
            "{}"
        );
    }

    #[test]
    fn a_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, "x").unwrap();
        let err = prepare(&file).unwrap_err();
        assert_eq!(classify(&err), Exit::Usage);
        assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    }

    #[test]
    fn a_previous_demo_loses_only_its_own_files() {
        let tmp = tempfile::tempdir().unwrap();
        for name in DEMO_FILES {
            fs::write(tmp.path().join(name), "old").unwrap();
        }
        fs::write(tmp.path().join("my-notes.txt"), "mine").unwrap();
        fs::create_dir(tmp.path().join("test_output")).unwrap();
        assert!(prepare(tmp.path()).unwrap());
        assert_eq!(listing(tmp.path()), [MARKER, "my-notes.txt", "test_output"]);
        assert_eq!(
            fs::read_to_string(tmp.path().join("my-notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_previous_demo_with_a_dot_env_or_an_odd_folder_is_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(MARKER), "old").unwrap();
        fs::write(tmp.path().join("config.json"), "old").unwrap();
        fs::write(tmp.path().join(".env"), "X=1").unwrap();
        assert_eq!(classify(&prepare(tmp.path()).unwrap_err()), Exit::Usage);
        assert_eq!(listing(tmp.path()), [".env", MARKER, "config.json"]);

        fs::remove_file(tmp.path().join(".env")).unwrap();
        fs::create_dir(tmp.path().join("shopify_sync.log")).unwrap();
        assert_eq!(classify(&prepare(tmp.path()).unwrap_err()), Exit::Usage);
        assert_eq!(
            listing(tmp.path()),
            [MARKER, "config.json", "shopify_sync.log"]
        );
    }
}
