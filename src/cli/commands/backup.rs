//! `shopsync backup`: a consistent copy of the tracking database, verified before it is kept.
//!
//! The copying and the check are the store's ([`crate::store::backup`], which says why no lock is
//! taken); this file picks the file name, refuses to replace a file without `--force` or to
//! overwrite the database itself, and places the copy ([`crate::cli::placing`]).

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::cli::Context;
use crate::cli::exit::{Outcome, UsageError};
use crate::cli::output::Output;
use crate::cli::placing::Pending;
use crate::store::BackupSummary;

/// Write a consistent copy of the tracking database with SQLite's online backup API, check it
/// with `PRAGMA integrity_check`, and keep it only if it passes (owner-only, mode 0600).
///
/// Use it instead of `cp`: the database is in WAL mode, and a copy of its main file can miss what
/// is still in `-wal`. It may run while a sync does (it takes no lock; the copy is the database as
/// of the last commit before it started).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the copy (default: `<database name>-backup-<UTC time>.db` next to the
    /// database, such as `shopify_sync-backup-20260412T103000Z.db`).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
///
/// # Errors
/// Any fatal error; its kind decides the exit code.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<Outcome> {
    let source = ctx.local()?.database_path;
    let target = args.file.clone().unwrap_or_else(|| default_target(&source));
    refuse_database_files(&source, &target)?;
    if !args.force && target.symlink_metadata().is_ok() {
        return Err(exists(&target));
    }
    let (pending, file) = Pending::create(&target, "the backup")?;
    // SQLite writes the copy through its own connection; the empty file only fixes the mode.
    drop(file);
    let summary = crate::store::backup(&source, pending.path()).map_err(|err| {
        // A failure writing the copy names the temporary file: say which backup it was.
        if err.path() == pending.path() {
            anyhow::Error::new(err).context(format!("cannot write the backup {}", target.display()))
        } else {
            err.into()
        }
    })?;
    pending.place(&target, args.force, || exists(&target))?;
    if !ctx.verbosity.quiet {
        Output::detect(false).line(describe(&source, &target, &summary))?;
    }
    Ok(Outcome::Done)
}

/// `shopify_sync-backup-20260412T103000Z.db` beside `shopify_sync.db`.
fn default_target(source: &Path) -> PathBuf {
    let stem = source
        .file_stem()
        .map_or_else(|| "shopify_sync".into(), |s| s.to_string_lossy());
    let name = format!("{stem}-backup-{}.db", Utc::now().format("%Y%m%dT%H%M%SZ"));
    source.with_file_name(name)
}

/// Refuses a target that is the database or one of its companion files, which `--force` would
/// otherwise replace under a running sync.
fn refuse_database_files(source: &Path, target: &Path) -> anyhow::Result<()> {
    let Some(target_real) = canonical(target) else {
        return Ok(());
    };
    let source_real = canonical(source).unwrap_or_else(|| source.to_path_buf());
    let companions = ["", "-wal", "-shm", "-journal", ".lock"].map(|suffix| {
        let mut name = source_real.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    });
    if companions.contains(&target_real) {
        return Err(UsageError(format!(
            "{} is the tracking database or one of its files; name another file for the backup",
            target.display()
        ))
        .into());
    }
    Ok(())
}

/// The path with its directory resolved (the file itself need not exist).
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Some(real);
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(path.file_name()?))
}

fn exists(target: &Path) -> anyhow::Error {
    UsageError(format!(
        "{} already exists; pass --force to overwrite it, or name another file",
        target.display()
    ))
    .into()
}

fn describe(source: &Path, target: &Path, summary: &BackupSummary) -> String {
    format!(
        "Backed up {} to {}: {} order(s), {} line item(s), {} run(s), {}; integrity check ok.",
        source.display(),
        target.display(),
        summary.orders,
        summary.line_items,
        summary.runs,
        size(summary.bytes)
    )
}

/// A file size for people: `612 KiB`, `48.3 MiB`.
fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = KIB * 1024;
    if bytes >= MIB {
        #[allow(clippy::cast_precision_loss)] // one decimal of a file size
        let mib = bytes as f64 / MIB as f64;
        format!("{mib:.1} MiB")
    } else {
        format!("{} KiB", bytes.div_ceil(KIB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(0), "0 KiB");
        assert_eq!(size(4096), "4 KiB");
        assert_eq!(size(4097), "5 KiB");
        assert_eq!(size(50_659_328), "48.3 MiB");
    }

    #[test]
    fn the_default_name_sits_beside_the_database() {
        let target = default_target(Path::new("/srv/shop/shopify_sync.db"));
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(target.parent(), Some(Path::new("/srv/shop")));
        assert!(name.starts_with("shopify_sync-backup-"), "{name}");
        assert!(name.ends_with("Z.db"), "{name}");
        assert_eq!(name.len(), "shopify_sync-backup-20260412T103000Z.db".len());
    }
}
