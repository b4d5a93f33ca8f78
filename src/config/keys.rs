//! The catalogue of configuration keys: one row per setting, naming its `config.json` key, its
//! environment variable and what it means.
//!
//! Everything that lists keys (validation, `status`, the template tests) reads this table, so a new
//! setting is added in one place.

/// One configuration setting as the user spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key in `config.json`.
    pub json: &'static str,
    /// The environment variable (also read from `.env`).
    pub env: &'static str,
    /// Whether the value is a secret that must never be shown.
    pub secret: bool,
}

const fn key(json: &'static str, env: &'static str) -> Key {
    Key {
        json,
        env,
        secret: false,
    }
}

const fn secret(json: &'static str, env: &'static str) -> Key {
    Key {
        json,
        env,
        secret: true,
    }
}

/// `shopify_store_name`: the store, in any of the forms Shopify shows it.
pub const STORE_NAME: Key = key("shopify_store_name", "SHOPIFY_STORE_NAME");
/// `shopify_access_token`: an Admin API access token.
pub const ACCESS_TOKEN: Key = secret("shopify_access_token", "SHOPIFY_ACCESS_TOKEN");
/// `shopify_client_id`: a Dev Dashboard app's client ID (client-credentials grant).
pub const CLIENT_ID: Key = key("shopify_client_id", "SHOPIFY_CLIENT_ID");
/// `shopify_client_secret`: a Dev Dashboard app's client secret.
pub const CLIENT_SECRET: Key = secret("shopify_client_secret", "SHOPIFY_CLIENT_SECRET");
/// `shopify_api_version`: the Admin API version, such as `2026-04`.
pub const API_VERSION: Key = key("shopify_api_version", "SHOPIFY_API_VERSION");
/// `google_service_account_file`: the service account's JSON key file.
pub const SERVICE_ACCOUNT_FILE: Key =
    key("google_service_account_file", "GOOGLE_SERVICE_ACCOUNT_FILE");
/// `target_spreadsheet`: a spreadsheet ID, its URL, or its exact title.
pub const TARGET_SPREADSHEET: Key = key("target_spreadsheet", "TARGET_SPREADSHEET");
/// `worksheet`: the tab the orders go to.
pub const WORKSHEET: Key = key("worksheet", "SHOPSYNC_WORKSHEET");
/// `lookback_days`: how far back the first sync reaches.
pub const LOOKBACK_DAYS: Key = key("lookback_days", "LOOKBACK_DAYS");
/// `database_path`: the SQLite tracking store.
pub const DATABASE_PATH: Key = key("database_path", "SHOPSYNC_DB");
/// `log_file`: where the detailed log goes.
pub const LOG_FILE: Key = key("log_file", "SHOPSYNC_LOG_FILE");
/// `shopify_api_url`: scheme and host of the Admin API, to reach a proxy or the sandbox.
pub const SHOPIFY_API_URL: Key = key("shopify_api_url", "SHOPIFY_API_URL");
/// `google_sheets_api_url`: scheme and host of the Sheets API.
pub const SHEETS_API_URL: Key = key("google_sheets_api_url", "GOOGLE_SHEETS_API_URL");
/// `google_drive_api_url`: scheme and host of the Drive API.
pub const DRIVE_API_URL: Key = key("google_drive_api_url", "GOOGLE_DRIVE_API_URL");
/// `overlap_minutes`: how far each sync reaches back before the cursor.
pub const OVERLAP_MINUTES: Key = key("overlap_minutes", "SHOPSYNC_OVERLAP_MINUTES");

/// `healthcheck_url`: pinged when a sync starts, succeeds (`<url>`) or fails (`<url>/fail`). Shown
/// redacted: whoever has it can ping it.
pub const HEALTHCHECK_URL: Key = secret("healthcheck_url", "SHOPSYNC_HEALTHCHECK_URL");
/// `alert_webhook_url`: sent a JSON POST when a sync fails. Shown redacted: chat webhooks carry
/// their credential in the URL.
pub const ALERT_WEBHOOK_URL: Key = secret("alert_webhook_url", "SHOPSYNC_ALERT_WEBHOOK_URL");

/// Every setting, in the order `status`, `validate` and the templates list them.
pub const ALL: [Key; 17] = [
    STORE_NAME,
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    API_VERSION,
    SERVICE_ACCOUNT_FILE,
    TARGET_SPREADSHEET,
    WORKSHEET,
    LOOKBACK_DAYS,
    DATABASE_PATH,
    LOG_FILE,
    SHOPIFY_API_URL,
    SHEETS_API_URL,
    DRIVE_API_URL,
    OVERLAP_MINUTES,
    HEALTHCHECK_URL,
    ALERT_WEBHOOK_URL,
];

/// The setting whose `config.json` key is `json`.
#[must_use]
pub fn by_json(json: &str) -> Option<Key> {
    ALL.into_iter().find(|k| k.json == json)
}

/// How alike (Jaro-Winkler, 0 to 1) an unknown name must be to a key to be suggested; the bar
/// clap sets for its own "did you mean" is about as high.
const SUGGESTION_SIMILARITY: f64 = 0.8;

/// The setting an unknown `config.json` key was probably meant to be: the most alike by its JSON
/// key or its environment variable (people paste `SHOPIFY_ACCESS_TOKEN` into JSON), if alike enough.
#[must_use]
pub fn closest(name: &str) -> Option<Key> {
    let name = name.trim().to_ascii_lowercase();
    ALL.into_iter()
        .map(|key| {
            let env = key.env.to_ascii_lowercase();
            let score =
                strsim::jaro_winkler(&name, key.json).max(strsim::jaro_winkler(&name, &env));
            (score, key)
        })
        .filter(|(score, _)| *score >= SUGGESTION_SIMILARITY)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, key)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_matched_to_the_key_it_resembles_or_to_none() {
        let cases = [
            ("shopify_acess_token", Some("shopify_access_token")),
            ("lookback_dayz", Some("lookback_days")),
            ("SHOPIFY_ACCESS_TOKEN", Some("shopify_access_token")),
            ("SHOPSYNC_DB", Some("database_path")),
            ("worksheet_name", Some("worksheet")),
            (
                "google_service_account",
                Some("google_service_account_file"),
            ),
            ("shopify_store", Some("shopify_store_name")),
            ("colour", None),
            ("healthcheck", Some("healthcheck_url")),
            ("webhook", None),
        ];
        for (name, want) in cases {
            assert_eq!(closest(name).map(|k| k.json), want, "{name}");
        }
    }
}
