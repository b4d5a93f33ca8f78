//! The files shopsync keeps beside the user's (the lock file, the log, the tracking DB): created
//! owner-only, never opened through a symbolic link, and only when they are regular files; an
//! existing one that group or others may read is warned about (DESIGN.md section 2, promise 7).
//!
//! A symlinked `shopify_sync.db.lock` once had its target overwritten by `reset`: opening with
//! `O_NOFOLLOW` (and refusing FIFOs, devices and directories) makes that impossible.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` with `options` (for appending or writing) as a private file: mode 0600 when
/// created, never through a symbolic link, and only if it is a regular file.
///
/// # Errors
/// The OS error, or one saying that the path is a symbolic link or not a regular file.
pub fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(io::Error::other(
                "it is a symbolic link, which shopsync does not write through; point the setting \
                 at the real file instead",
            ));
        }
        Ok(meta) if !meta.is_file() => return Err(not_regular()),
        _ => {}
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|err| {
        #[cfg(unix)]
        if err.raw_os_error() == Some(libc::ELOOP) {
            return io::Error::other(
                "it is a symbolic link, which shopsync does not write through; point the setting \
                 at the real file instead",
            );
        }
        err
    })?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

fn not_regular() -> io::Error {
    io::Error::other("it is not a regular file (a folder, a device or a pipe)")
}

/// Group and other permission bits of the existing file at `path`, when any are set.
#[must_use]
pub fn shared_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Warns (once per call) when the existing file at `path`, `what` it is, may be read by group or
/// others.
pub fn warn_if_shared(path: &Path, what: &str) {
    if let Some(mode) = shared_mode(path) {
        tracing::warn!(
            "the {what} {} may be read by others (mode {mode:o}); it holds your shop's data: \
             run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn append() -> OpenOptions {
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        options
    }

    #[test]
    fn a_new_file_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        open(&path, &mut append()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(shared_mode(&path), None);
    }

    #[test]
    fn a_symlink_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious.txt");
        std::fs::write(&target, "keep me").unwrap();
        let link = dir.path().join("x.lock");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut truncate = OpenOptions::new();
        truncate.write(true).create(true).truncate(true);
        let err = open(&link, &mut truncate).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        // A dangling link is refused too, and creates nothing.
        let dangling = dir.path().join("y.lock");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(open(&dangling, &mut append()).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn folders_and_pipes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = open(dir.path(), &mut append()).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = open(&fifo, &mut append()).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }

    #[test]
    fn group_or_other_bits_are_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(shared_mode(&path), Some(0o644));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(shared_mode(&path), None);
    }
}
