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

    /// `shopsync ARGS` (a `--json` command) in this directory: its exit code and the one JSON
    /// object it printed.
    pub fn json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        run_json(&mut self.cmd(args), args)
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

/// The names of the files in `dir` that `keep` keeps, sorted.
pub fn listing(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| keep(name))
        .collect();
    names.sort();
    names
}

/// A CSV file's header and records.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Runs `cmd` (a `--json` command) and parses its stdout as the one JSON object it must print:
/// the exit code and the object.
pub fn run_json(cmd: &mut Command, args: &[&str]) -> (i32, serde_json::Value) {
    let out = cmd.output().expect("run shopsync");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no single JSON object ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(value.is_object(), "{args:?}: not an object: {value}");
    (out.status.code().unwrap_or(-1), value)
}

/// Asserts `text` (what `what` names) holds none of `secrets`.
pub fn assert_no_secret<S: AsRef<str>>(what: &str, text: &str, secrets: &[S]) {
    for secret in secrets {
        let secret = secret.as_ref();
        assert!(!text.contains(secret), "{what} holds {secret}: {text}");
    }
}
