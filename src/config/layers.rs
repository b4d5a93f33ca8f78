//! Reading the configuration layers: built-in defaults, `config.json`, `.env`, the process
//! environment, each value tagged with where it came from. No command-line flag sets a value
//! (DESIGN.md section 3, "Commands": the global flags are `--config`, `-v` and `-q`); `--config`
//! only chooses which `config.json` is read.
//!
//! Nothing here interprets values beyond "present and not empty"; [`super::resolve`] does that, so
//! every problem can be reported in one list.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::Problem;
use super::keys::{self, Key};

/// Where a configuration value came from, shown by `status` and `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// shopsync's built-in default.
    Default,
    /// A key in this `config.json`.
    ConfigFile(PathBuf),
    /// A line in this `.env` file.
    DotEnv(PathBuf),
    /// This process environment variable.
    Env(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::ConfigFile(path) | Self::DotEnv(path) => write!(f, "{}", path.display()),
            Self::Env(var) => write!(f, "environment {var}"),
        }
    }
}

/// A value as the user wrote it, before interpretation. Its `Debug` never shows the text, which
/// may be a token: [`Layers`]' `Debug` shows the values of keys that are not secret.
#[derive(Clone, PartialEq, Eq)]
pub struct RawValue {
    /// The text of the value (numbers in `config.json` are turned into their text).
    pub text: String,
    /// Where it came from.
    pub source: Source,
}

impl fmt::Debug for RawValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawValue")
            .field("text", &"(redacted)")
            .field("source", &self.source)
            .finish()
    }
}

impl RawValue {
    /// The value as a path. A relative path in `config.json` is taken relative to that file's
    /// folder, so a cron job started elsewhere still finds the key file next to its config; any
    /// other relative path is taken relative to the working directory `cwd`.
    #[must_use]
    pub fn as_path(&self, cwd: &Path) -> PathBuf {
        let path = PathBuf::from(&self.text);
        if path.is_absolute() {
            return path;
        }
        match &self.source {
            Source::ConfigFile(file) => file.parent().unwrap_or(cwd).join(path),
            _ => cwd.join(path),
        }
    }
}

/// What the layers are read from; the CLI fills it from the real process, tests from tables.
/// Its `Debug` names the variables but shows no value.
#[derive(Clone, Default)]
pub struct Inputs {
    /// `--config PATH`, which must exist when given.
    pub config_flag: Option<PathBuf>,
    /// The working directory, where `config.json` and `.env` are looked for.
    pub cwd: PathBuf,
    /// The process environment (only shopsync's variables are looked at).
    pub env: Vec<(String, String)>,
    /// Names of process variables whose value is not valid UTF-8 (shopsync's are refused, never
    /// silently replaced by their default).
    pub not_unicode: Vec<String>,
}

impl fmt::Debug for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(name, _)| name.clone()).collect()
        };
        f.debug_struct("Inputs")
            .field("config_flag", &self.config_flag)
            .field("cwd", &self.cwd)
            .field("env", &names(&self.env))
            .field("not_unicode", &self.not_unicode)
            .finish()
    }
}

/// The largest `config.json` or `.env` read: a real one is a few kilobytes; a huge file is a
/// mistake (a log or a dump named by accident), refused before it is parsed.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The merged layers: for each key, the value of the highest layer that sets it. Its `Debug`
/// shows secret keys' values as `(redacted)`.
#[derive(Clone, Default)]
pub struct Layers {
    values: BTreeMap<&'static str, RawValue>,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// The `.env` file that was read, if any.
    pub dotenv_file: Option<PathBuf>,
    /// The working directory relative paths are resolved against.
    pub cwd: PathBuf,
}

impl fmt::Debug for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values: BTreeMap<&str, (&str, String)> = self
            .values
            .iter()
            .map(|(name, raw)| {
                let secret = keys::by_json(name).is_none_or(|key| key.secret);
                let text = if secret {
                    "(redacted)"
                } else {
                    raw.text.as_str()
                };
                (*name, (text, raw.source.to_string()))
            })
            .collect();
        f.debug_struct("Layers")
            .field("values", &values)
            .field("config_file", &self.config_file)
            .field("dotenv_file", &self.dotenv_file)
            .field("cwd", &self.cwd)
            .finish()
    }
}

impl Layers {
    /// Reads every layer, lowest precedence first: `config.json` < `.env` < environment.
    ///
    /// Problems with the files themselves (a missing `--config` file, malformed JSON, an unknown
    /// key) are pushed to `problems`; reading goes on so that they are all reported together.
    pub fn read(inputs: &Inputs, problems: &mut Vec<Problem>) -> Self {
        let mut layers = Self {
            cwd: inputs.cwd.clone(),
            ..Self::default()
        };
        layers.read_config_file(inputs, problems);
        layers.read_dotenv(&inputs.cwd.join(".env"), problems);
        for name in &inputs.not_unicode {
            if let Some(key) = keys::ALL.into_iter().find(|k| k.env == name) {
                problems.push(Problem::file(format!(
                    "the environment variable {} is not valid UTF-8: shopsync reads its settings \
                     as text; rename the file or folder, or set {} (or \"{}\" in config.json) \
                     to a path in UTF-8",
                    key.env, key.env, key.json
                )));
            }
        }
        for (name, value) in &inputs.env {
            if let Some(key) = keys::ALL.into_iter().find(|k| k.env == name) {
                layers.set(key, value, Source::Env(key.env));
            }
        }
        layers
    }

    /// The value set for `key`, if any layer sets it.
    #[must_use]
    pub fn get(&self, key: Key) -> Option<&RawValue> {
        self.values.get(key.json)
    }

    fn set(&mut self, key: Key, text: &str, source: Source) {
        // An empty value means "not set", so a template copied as is does not shadow a lower layer.
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.values.insert(
            key.json,
            RawValue {
                text: text.to_owned(),
                source,
            },
        );
    }

    fn read_config_file(&mut self, inputs: &Inputs, problems: &mut Vec<Problem>) {
        let path = match &inputs.config_flag {
            Some(path) if !path.exists() => {
                problems.push(Problem::file(format!(
                    "the config file {} given with --config does not exist",
                    path.display()
                )));
                return;
            }
            Some(path) => path.clone(),
            None => {
                let default = inputs.cwd.join("config.json");
                if !default.exists() {
                    return;
                }
                default
            }
        };
        let text = match read_capped(&path) {
            Ok(text) => text,
            Err(err) => {
                problems.push(Problem::file(format!(
                    "cannot read the config file {}: {err}",
                    path.display()
                )));
                return;
            }
        };
        let map = match parse_config_text(&text) {
            Ok(map) => map,
            Err(message) => {
                problems.push(Problem::file(format!(
                    "the config file {} {message}",
                    path.display()
                )));
                return;
            }
        };
        for (name, value) in map {
            if is_comment_key(&name) {
                continue;
            }
            let Some(key) = keys::by_json(&name) else {
                let guess = keys::closest(&name)
                    .map(|k| format!(": did you mean \"{}\"?", k.json))
                    .unwrap_or_default();
                problems.push(Problem::file(format!(
                    "unknown key \"{name}\" in {}{guess} (the keys are listed in \
                     config_template.json)",
                    path.display()
                )));
                continue;
            };
            let text = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    problems.push(Problem::at(
                        key,
                        Source::ConfigFile(path.clone()),
                        "must be a string or a number",
                    ));
                    continue;
                }
            };
            self.set(key, &text, Source::ConfigFile(path.clone()));
        }
        self.config_file = Some(path);
    }

    fn read_dotenv(&mut self, path: &Path, problems: &mut Vec<Problem>) {
        if !path.exists() {
            return;
        }
        let text = match read_capped(path) {
            Ok(text) => text,
            Err(err) => {
                problems.push(Problem::file(format!(
                    "cannot read {}: {err}",
                    path.display()
                )));
                return;
            }
        };
        match parse_dotenv(&text) {
            Ok(pairs) => {
                for (name, value) in pairs {
                    if let Some(key) = keys::ALL.into_iter().find(|k| k.env == name) {
                        self.set(key, &value, Source::DotEnv(path.to_path_buf()));
                    }
                }
                self.dotenv_file = Some(path.to_path_buf());
            }
            Err(message) => {
                problems.push(Problem::file(format!(
                    "cannot parse {}: {message}",
                    path.display()
                )));
            }
        }
    }
}

/// Reads a configuration file of at most [`MAX_CONFIG_BYTES`], as UTF-8.
fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} KiB, far more than any configuration",
            MAX_CONFIG_BYTES / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|_| std::io::Error::other("it is not text in UTF-8"))
}

/// Parses the text of a `config.json`: a JSON object. The message follows "the config file
/// PATH" and never quotes the file's content (a top-level string may be a pasted token).
///
/// # Errors
/// What is wrong, with the line and column for a syntax error.
pub fn parse_config_text(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    serde_json::from_str(text).map_err(|err| {
        let position = format!("line {}, column {}", err.line(), err.column());
        if err.is_data() {
            format!(
                "is not a JSON object ({position}): its top level must be {{ \"key\": \"value\", ... }}, \
                 as in config_template.json"
            )
        } else {
            format!(
                "is not a JSON object ({position}): {}",
                strip_position(&err.to_string())
            )
        }
    })
}

/// Parses the text of a `.env` file into its variables, in order. The message names the line
/// only: it never quotes the line, which may hold a secret.
///
/// # Errors
/// The number of the first line that does not parse.
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        match item {
            Ok(pair) => pairs.push(pair),
            Err(dotenvy::Error::LineParse(line, index)) => {
                let Some(number) = failing_line_number(text, &line) else {
                    return Err("it is not a .env file of NAME=value lines".to_owned());
                };
                return Err(format!(
                    "line {number} is not NAME=value (column {}); check its quotes",
                    index + 1
                ));
            }
            Err(_) => return Err("it is not a .env file of NAME=value lines".to_owned()),
        }
    }
    Ok(pairs)
}

/// The number of the line where the entry dotenvy could not parse starts. dotenvy names the
/// entry by its text (`failing`: the whole entry, or only its value), which may also appear
/// earlier: in a comment, inside a quoted value, in another line. The entry starts on the last
/// line that holds `failing` and before which the file parses: a later start would keep the
/// failing entry, whole or cut inside a quote, in front of it.
fn failing_line_number(text: &str, failing: &str) -> Option<usize> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    starts.iter().enumerate().rev().find_map(|(line, &start)| {
        let end = text[start..].find('\n').map_or(text.len(), |at| start + at);
        let holds = (start..=end)
            .filter(|&at| text.is_char_boundary(at))
            .any(|at| text[at..].starts_with(failing));
        let before_parses =
            || dotenvy::from_read_iter(&text.as_bytes()[..start]).all(|item| item.is_ok());
        (holds && before_parses()).then_some(line + 1)
    })
}

/// Keys that `config_template.json` uses for its comments (`"//worksheet": "…"`) and are ignored.
#[must_use]
pub fn is_comment_key(name: &str) -> bool {
    name.starts_with("//") || name.starts_with('_')
}

/// serde_json appends " at line L column C" to its messages; the position is reported separately.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}
