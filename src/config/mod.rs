//! Layered configuration.
//!
//! Precedence, lowest first: built-in defaults < `config.json` (from `--config`, which must exist;
//! else `./config.json` if present) < `./.env` (read as a layer of its own, never into the process
//! environment) < the process environment. No flag sets a value: `--config` only picks the file.
//!
//! Two stages, as ripgrep and tealdeer do it: [`Layers::read`] gathers raw text with its source, then
//! [`Loaded::local`] or [`Loaded::remote`] interprets it, collecting *every* problem before failing,
//! so a user fixes their configuration in one pass and no network call is made on bad input.

mod checker;
pub mod keys;
mod layers;
mod problem;
mod secret;
pub mod url_rule;
pub(crate) mod values;

use std::path::PathBuf;

use url::Url;

use checker::Checker;
pub use keys::Key;
pub use layers::{
    Inputs, Layers, MAX_CONFIG_BYTES, RawValue, Source, is_comment_key, parse_config_text,
    parse_dotenv,
};
pub use problem::{ConfigError, Problem};
pub use secret::Secret;
pub use url_rule::is_loopback;
pub use values::{
    ServiceAccountSummary, StoreDomain, non_rsa_key, number_in, redact, service_account_text,
};

/// Default Admin API version: the one whose schema the queries are validated against.
pub const DEFAULT_API_VERSION: &str = "2026-04";
/// Default tab name.
pub const DEFAULT_WORKSHEET: &str = "Orders";
/// Default first-sync window, in days.
pub const DEFAULT_LOOKBACK_DAYS: u32 = 30;
/// Default overlap before the cursor, in minutes (Shopify's search index lags and is second-granular).
pub const DEFAULT_OVERLAP_MINUTES: u32 = 10;
/// Default tracking store, the prior tool's file name.
pub const DEFAULT_DATABASE_PATH: &str = "shopify_sync.db";
/// Default log file, the prior tool's file name.
pub const DEFAULT_LOG_FILE: &str = "shopify_sync.log";
/// Default Sheets API base.
pub const DEFAULT_SHEETS_API_URL: &str = "https://sheets.googleapis.com";
/// Default Drive API base.
pub const DEFAULT_DRIVE_API_URL: &str = "https://www.googleapis.com";

/// How shopsync authenticates to Shopify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopifyAuth {
    /// A static Admin API access token.
    Token(Secret),
    /// The client-credentials grant of a Dev Dashboard app.
    ClientCredentials {
        /// The app's client ID.
        client_id: String,
        /// The app's client secret.
        client_secret: Secret,
    },
}

/// What every command needs: where the store and the log are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalConfig {
    /// The SQLite tracking store.
    pub database_path: PathBuf,
    /// The log file.
    pub log_file: PathBuf,
}

/// What the commands that talk to Shopify and Google need besides [`LocalConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// The store.
    pub store: StoreDomain,
    /// How to authenticate to Shopify.
    pub shopify_auth: ShopifyAuth,
    /// The Admin API version.
    pub api_version: String,
    /// Scheme and host of the Admin API (`https://{store}.myshopify.com` unless overridden).
    pub shopify_api_url: Url,
    /// The service-account key file.
    pub service_account_file: PathBuf,
    /// The service account's e-mail address, read from the key file.
    pub service_account_email: String,
    /// The spreadsheet as the user named it: an ID, a URL or a title.
    pub target_spreadsheet: String,
    /// The tab's title.
    pub worksheet: String,
    /// How far back the first sync reaches, in days.
    pub lookback_days: u32,
    /// How far before the cursor each sync reaches, in minutes.
    pub overlap_minutes: u32,
    /// Scheme and host of the Sheets API.
    pub sheets_api_url: Url,
    /// Scheme and host of the Drive API.
    pub drive_api_url: Url,
    /// Where `shopify_api_url` came from, as connection errors name it
    /// (`shopify_api_url from /srv/shop/config.json`, `the default built from shopify_store_name`).
    pub shopify_api_url_origin: String,
    /// Where `sheets_api_url` came from, likewise.
    pub sheets_api_url_origin: String,
    /// Where `drive_api_url` came from, likewise.
    pub drive_api_url_origin: String,
    /// Pinged when a sync starts (`/start`), succeeds and fails (`/fail`); none when unset.
    pub healthcheck_url: Option<Url>,
    /// Sent a JSON POST when a sync fails; none when unset.
    pub alert_webhook_url: Option<Url>,
}

/// One line of "where each value came from", for `status` and `validate`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    /// The `config.json` key.
    pub key: &'static str,
    /// The value as shown: secrets as `(redacted)`, unset values as `None`.
    pub value: Option<String>,
    /// Where it came from (`default` for defaults, `None` when unset).
    pub source: Option<String>,
}

/// The configuration layers as read, ready to be interpreted for what a command needs.
#[derive(Debug, Clone)]
pub struct Loaded {
    layers: Layers,
    file_problems: Vec<Problem>,
}

impl Loaded {
    /// Reads every layer. Problems are kept until a command asks for the values it needs.
    #[must_use]
    pub fn read(inputs: &Inputs) -> Self {
        let mut file_problems = Vec::new();
        let layers = Layers::read(inputs, &mut file_problems);
        Self {
            layers,
            file_problems,
        }
    }

    /// The settings every command needs (the DB and the log file).
    ///
    /// # Errors
    /// Every problem with the config files or these settings.
    pub fn local(&self) -> Result<LocalConfig, ConfigError> {
        if self.file_problems.is_empty() {
            Ok(self.resolve_local())
        } else {
            Err(ConfigError::new(self.file_problems.clone()))
        }
    }

    /// Every setting, for the commands that talk to Shopify and Google.
    ///
    /// # Errors
    /// Every problem found, all at once.
    pub fn remote(&self) -> Result<(LocalConfig, RemoteConfig), ConfigError> {
        self.remote_reading_key(true)
    }

    /// Every setting but the key file's contents, which are not read: `service_account_email` is
    /// empty. For `validate`, which judges the key file on its own and still checks Shopify when
    /// the key file is the only problem.
    ///
    /// # Errors
    /// Every problem found but the key file's, all at once.
    pub fn remote_except_key_file(&self) -> Result<(LocalConfig, RemoteConfig), ConfigError> {
        self.remote_reading_key(false)
    }

    fn remote_reading_key(
        &self,
        read_key: bool,
    ) -> Result<(LocalConfig, RemoteConfig), ConfigError> {
        let mut problems = self.file_problems.clone();
        let local = self.resolve_local();
        let remote = self.resolve_remote(&mut problems, read_key);
        match remote {
            Some(remote) if problems.is_empty() => Ok((local, remote)),
            _ => {
                let note = self.no_config_file_note(&problems);
                Err(ConfigError { problems, note })
            }
        }
    }

    /// When settings are missing and neither `config.json` nor `.env` was found, where shopsync
    /// looked: a run from cron starts in the home folder, so the file beside it goes unread.
    fn no_config_file_note(&self, problems: &[Problem]) -> Option<String> {
        let layers = &self.layers;
        let unread = layers.config_file.is_none() && layers.dotenv_file.is_none();
        (unread && problems.iter().any(Problem::is_missing)).then(|| {
            format!(
                "no config.json or .env in {}, the folder shopsync started in: cd to the folder \
                 that holds them (cron starts in the home folder) or pass --config PATH; to start \
                 one, copy config_template.json to config.json",
                layers.cwd.display()
            )
        })
    }

    /// Where each effective value came from, secrets redacted.
    #[must_use]
    pub fn origins(&self) -> Vec<Origin> {
        keys::ALL
            .into_iter()
            .map(|key| match self.layers.get(key) {
                Some(raw) => Origin {
                    key: key.json,
                    value: Some(if key.secret {
                        "(redacted)".to_owned()
                    } else {
                        raw.text.clone()
                    }),
                    source: Some(raw.source.to_string()),
                },
                None => Origin {
                    key: key.json,
                    value: default_text(key).map(str::to_owned),
                    source: default_text(key).map(|_| "default".to_owned()),
                },
            })
            .collect()
    }

    /// The store, when `shopify_store_name` is set to a valid name (for labels that need no other
    /// setting, such as `schedule`'s unit name).
    #[must_use]
    pub fn store_domain(&self) -> Option<StoreDomain> {
        StoreDomain::parse(&self.layers.get(keys::STORE_NAME)?.text).ok()
    }

    /// The variables whose effective value comes from the process environment, which a scheduler
    /// (cron, systemd) does not pass on.
    #[must_use]
    pub fn from_process_environment(&self) -> Vec<&'static str> {
        keys::ALL
            .into_iter()
            .filter_map(|key| match self.layers.get(key)?.source {
                Source::Env(var) => Some(var),
                _ => None,
            })
            .collect()
    }

    /// The config file that was read, if any.
    #[must_use]
    pub fn config_file(&self) -> Option<&PathBuf> {
        self.layers.config_file.as_ref()
    }

    fn resolve_local(&self) -> LocalConfig {
        let path = |key: Key, default: &str| {
            self.layers.get(key).map_or_else(
                || PathBuf::from(default),
                |raw| raw.as_path(&self.layers.cwd),
            )
        };
        LocalConfig {
            database_path: path(keys::DATABASE_PATH, DEFAULT_DATABASE_PATH),
            log_file: path(keys::LOG_FILE, DEFAULT_LOG_FILE),
        }
    }

    fn resolve_remote(&self, problems: &mut Vec<Problem>, read_key: bool) -> Option<RemoteConfig> {
        let mut check = Checker {
            layers: &self.layers,
            problems,
        };
        let store = check.required(keys::STORE_NAME, "", StoreDomain::parse);
        let shopify_auth = check.shopify_auth();
        let api_version = check
            .optional(keys::API_VERSION, values::api_version)
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        let key_file = check.required(
            keys::SERVICE_ACCOUNT_FILE,
            " (the JSON key of a Google service account)",
            |text| Ok(PathBuf::from(text)),
        );
        let key_file = key_file.map(|_| {
            self.layers
                .get(keys::SERVICE_ACCOUNT_FILE)
                .map(|raw| raw.as_path(&self.layers.cwd))
                .unwrap_or_default()
        });
        let summary = key_file.as_ref().and_then(|path| {
            if !read_key {
                return Some(ServiceAccountSummary {
                    client_email: String::new(),
                });
            }
            values::service_account(path)
                .map_err(|message| {
                    let source = self
                        .layers
                        .get(keys::SERVICE_ACCOUNT_FILE)
                        .map(|r| r.source.clone());
                    check.problems.push(Problem {
                        key: Some(keys::SERVICE_ACCOUNT_FILE),
                        source,
                        message: format!("is unusable: {message}"),
                    });
                })
                .ok()
        });
        let target = check.required(
            keys::TARGET_SPREADSHEET,
            " (the spreadsheet's ID, URL or exact title)",
            |text| Ok(text.to_owned()),
        );
        let worksheet = check
            .optional(keys::WORKSHEET, |text| Ok(text.to_owned()))
            .unwrap_or_else(|| DEFAULT_WORKSHEET.to_owned());
        let lookback_days = check
            .optional(keys::LOOKBACK_DAYS, |t| values::number_in(t, 1, 36_500))
            .unwrap_or(DEFAULT_LOOKBACK_DAYS);
        let overlap_minutes = check
            .optional(keys::OVERLAP_MINUTES, |t| values::number_in(t, 0, 1_440))
            .unwrap_or(DEFAULT_OVERLAP_MINUTES);
        let shopify_api_url = check.optional(keys::SHOPIFY_API_URL, values::base_url);
        let sheets_api_url = check
            .optional(keys::SHEETS_API_URL, values::base_url)
            .unwrap_or_else(|| Url::parse(DEFAULT_SHEETS_API_URL).expect("valid default URL"));
        let drive_api_url = check
            .optional(keys::DRIVE_API_URL, values::base_url)
            .unwrap_or_else(|| Url::parse(DEFAULT_DRIVE_API_URL).expect("valid default URL"));
        let healthcheck_url =
            check.optional(keys::HEALTHCHECK_URL, |t| values::alert_url(t, false));
        let alert_webhook_url =
            check.optional(keys::ALERT_WEBHOOK_URL, |t| values::alert_url(t, true));

        let store = store?;
        let shopify_api_url = match shopify_api_url {
            Some(url) => url,
            None => Url::parse(&format!("https://{}", store.domain())).ok()?,
        };
        Some(RemoteConfig {
            store,
            shopify_auth: shopify_auth?,
            api_version,
            shopify_api_url,
            service_account_file: key_file?,
            service_account_email: summary?.client_email,
            target_spreadsheet: target?,
            worksheet,
            lookback_days,
            overlap_minutes,
            sheets_api_url,
            drive_api_url,
            shopify_api_url_origin: self.origin_of(
                keys::SHOPIFY_API_URL,
                "the default built from shopify_store_name",
            ),
            sheets_api_url_origin: self.origin_of(
                keys::SHEETS_API_URL,
                "the default (google_sheets_api_url is not set)",
            ),
            drive_api_url_origin: self.origin_of(
                keys::DRIVE_API_URL,
                "the default (google_drive_api_url is not set)",
            ),
            healthcheck_url,
            alert_webhook_url,
        })
    }

    /// Where the value of `key` came from, in the words of a message about that value:
    /// `shopify_api_url from ./config.json`, `SHOPIFY_API_URL from the environment`, or `default`
    /// when no layer sets it.
    fn origin_of(&self, key: Key, default: &str) -> String {
        match self.layers.get(key).map(|raw| &raw.source) {
            Some(Source::ConfigFile(path)) => format!("{} from {}", key.json, path.display()),
            Some(Source::DotEnv(path)) => format!("{} from {}", key.env, path.display()),
            Some(Source::Env(var)) => format!("{var} from the environment"),
            Some(Source::Default) | None => default.to_owned(),
        }
    }
}

/// The built-in default of a key, as text, for `status`.
fn default_text(key: Key) -> Option<&'static str> {
    Some(match key.json {
        "shopify_api_version" => DEFAULT_API_VERSION,
        "worksheet" => DEFAULT_WORKSHEET,
        "lookback_days" => "30",
        "database_path" => DEFAULT_DATABASE_PATH,
        "log_file" => DEFAULT_LOG_FILE,
        "google_sheets_api_url" => DEFAULT_SHEETS_API_URL,
        "google_drive_api_url" => DEFAULT_DRIVE_API_URL,
        "overlap_minutes" => "10",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
