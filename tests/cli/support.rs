//! The harness: a temp working directory and a `shopsync` command with a cleared environment.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A temp working directory for one test.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, text).expect("write file");
        path
    }

    /// `shopsync ARGS` in this directory, with nothing inherited from the environment but PATH.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shopsync"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .current_dir(self.path())
            .args(args);
        cmd
    }
}

/// The permission bits of a file (`0o600` for owner-only).
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// A program on PATH, when this machine has it; `None` (with a note on stderr) when not, for the
/// checks that need a tool beside cargo. CI (`SHOPSYNC_CI`, set by `.ci/run`, which installs them)
/// must have it, so there the checks never skip.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("SHOPSYNC_CI").is_none(),
            "CI must have {name} (.ci/run installs it)"
        );
        eprintln!("{name} is not installed: skipped the checks that need it");
    }
    found
}

/// A service-account key file shaped like Google's (the key itself is a placeholder).
pub const KEY_JSON: &str = r#"{"type":"service_account","project_id":"p","private_key_id":"k","private_key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n","client_email":"shopsync@p.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token"}"#;
