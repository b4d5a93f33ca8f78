//! Files that commands write for people (`export`, `backup`): written under a temporary name in
//! the target's directory, owner-only (they hold customer data), and moved into place only when
//! complete, so a failure leaves nothing half-written. Without `--force` an existing file is never
//! replaced, even one that appears while the file is being written.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::exit::UsageError;

/// The temporary file; removed on drop unless moved into place.
#[derive(Debug)]
pub struct Pending {
    path: PathBuf,
    placed: bool,
}

impl Pending {
    /// Creates an empty temporary file (mode 0600) beside `target`; `what` names the file in
    /// errors (`the export`).
    ///
    /// # Errors
    /// The directory does not exist or cannot be written.
    pub fn create(target: &Path, what: &str) -> anyhow::Result<(Self, File)> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| UsageError(format!("{} is not a file name", target.display())))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let path = dir.join(tmp_name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&path)
            .with_context(|| format!("cannot create {what} in {}", dir.display()))?;
        let pending = Self {
            path,
            placed: false,
        };
        Ok((pending, file))
    }

    /// The temporary file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the complete file (already flushed to disk by the caller) to `target`; without
    /// `force`, never over an existing file: `exists` is the error then.
    ///
    /// # Errors
    /// `exists()` when the target exists; the OS error when the move fails.
    pub fn place(
        mut self,
        target: &Path,
        force: bool,
        exists: impl Fn() -> anyhow::Error,
    ) -> anyhow::Result<()> {
        let context = || format!("cannot move the finished file to {}", target.display());
        if force {
            std::fs::rename(&self.path, target).with_context(context)?;
        } else {
            // A hard link fails when the target exists, so a file that appeared meanwhile is kept.
            match std::fs::hard_link(&self.path, target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists()),
                // Some file systems have no hard links: check, then rename.
                Err(_) if target.symlink_metadata().is_ok() => return Err(exists()),
                Err(_) => std::fs::rename(&self.path, target).with_context(context)?,
            }
        }
        self.placed = true;
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
