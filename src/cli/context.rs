//! What every command starts from: the configuration layers as read, and how to print.

use anyhow::Context as _;

use super::Cli;
use super::logging::Verbosity;
use crate::config::{Inputs, Loaded, LocalConfig, RemoteConfig};

/// Shared set-up handed to each command.
#[derive(Debug)]
pub struct Context {
    /// The configuration layers, read but not yet interpreted.
    pub loaded: Loaded,
    /// `-v` / `-q`.
    pub verbosity: Verbosity,
    /// Whether `--config` was given (for `demo`, which refuses it).
    pub config_flag: bool,
}

impl Context {
    /// Reads the configuration layers from the real process: its working directory and environment.
    ///
    /// # Errors
    /// The working directory cannot be read.
    pub fn from_process(cli: &Cli) -> anyhow::Result<Self> {
        let cwd = std::env::current_dir().context("cannot read the working directory")?;
        let mut env = Vec::new();
        let mut not_unicode = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Ok(name) = name.into_string() else {
                continue;
            };
            match value.into_string() {
                Ok(value) => env.push((name, value)),
                Err(_) => not_unicode.push(name),
            }
        }
        let inputs = Inputs {
            config_flag: cli.config.clone(),
            cwd,
            env,
            not_unicode,
        };
        Ok(Self {
            loaded: Loaded::read(&inputs),
            verbosity: Verbosity {
                verbose: cli.verbose,
                quiet: cli.quiet,
            },
            config_flag: cli.config.is_some(),
        })
    }

    /// The settings every command needs.
    ///
    /// # Errors
    /// The configuration files or the database path are unusable.
    pub fn local(&self) -> anyhow::Result<LocalConfig> {
        Ok(self.loaded.local()?)
    }

    /// Every setting, for the commands that reach Shopify and Google.
    ///
    /// # Errors
    /// Every configuration problem, all at once.
    pub fn remote(&self) -> anyhow::Result<(LocalConfig, RemoteConfig)> {
        Ok(self.loaded.remote()?)
    }
}
