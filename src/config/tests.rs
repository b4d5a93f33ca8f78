//! Tests of layering and validation, table-driven where the cases repeat.

use std::path::{Path, PathBuf};

use super::*;

const KEY_JSON: &str = r#"{"type":"service_account","client_email":"sync@proj.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n","token_uri":"https://oauth2.googleapis.com/token"}"#;

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key.json"), KEY_JSON).unwrap();
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> &Self {
        std::fs::write(self.path().join(name), text).unwrap();
        self
    }

    fn inputs(&self, env: &[(&str, &str)]) -> Inputs {
        Inputs {
            config_flag: None,
            cwd: self.path().to_path_buf(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            not_unicode: Vec::new(),
        }
    }
}

fn complete_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SHOPIFY_STORE_NAME", "acme"),
        ("SHOPIFY_ACCESS_TOKEN", "shpat_env_secret_123"),
        ("GOOGLE_SERVICE_ACCOUNT_FILE", "key.json"),
        ("TARGET_SPREADSHEET", "Customer Orders"),
    ]
}

/// (config.json, .env, environment) values, the winner, and words of its source.
type Case = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    &'static str,
);

#[test]
fn each_layer_beats_the_one_below() {
    // (config.json, .env, environment) values of database_path; the winner is the highest set.
    let cases: [Case; 4] = [
        (None, None, None, "shopify_sync.db", "default"),
        (Some("file.db"), None, None, "file.db", "config.json"),
        (
            Some("file.db"),
            Some("dotenv.db"),
            None,
            "dotenv.db",
            ".env",
        ),
        (
            Some("file.db"),
            Some("dotenv.db"),
            Some("env.db"),
            "env.db",
            "environment",
        ),
    ];
    for (file, dotenv, env, want, want_source) in cases {
        let dir = Dir::new();
        if let Some(file) = file {
            dir.write("config.json", &format!(r#"{{"database_path": "{file}"}}"#));
        }
        if let Some(dotenv) = dotenv {
            dir.write(".env", &format!("SHOPSYNC_DB={dotenv}\n"));
        }
        let env: Vec<(&str, &str)> = env.map(|e| ("SHOPSYNC_DB", e)).into_iter().collect();
        let loaded = Loaded::read(&dir.inputs(&env));
        let local = loaded.local().unwrap();
        assert!(local.database_path.ends_with(want), "{want}: {local:?}");
        assert!(local.database_path.is_absolute() || file.is_none() && dotenv.is_none());
        let origin = loaded
            .origins()
            .into_iter()
            .find(|o| o.key == "database_path")
            .unwrap();
        assert!(
            origin.source.as_deref().unwrap().contains(want_source),
            "{want_source}: {origin:?}"
        );
    }
}

#[test]
fn a_complete_configuration_resolves_with_defaults() {
    let dir = Dir::new();
    let (local, remote) = Loaded::read(&dir.inputs(&complete_env())).remote().unwrap();
    assert_eq!(local.database_path, PathBuf::from("shopify_sync.db"));
    assert_eq!(local.log_file, PathBuf::from("shopify_sync.log"));
    assert_eq!(remote.store.domain(), "acme.myshopify.com");
    assert_eq!(
        remote.shopify_api_url.as_str(),
        "https://acme.myshopify.com/"
    );
    assert_eq!(remote.api_version, "2026-04");
    assert_eq!(remote.worksheet, "Orders");
    assert_eq!(remote.lookback_days, 30);
    assert_eq!(remote.overlap_minutes, 10);
    assert_eq!(
        remote.service_account_email,
        "sync@proj.iam.gserviceaccount.com"
    );
    assert_eq!(
        remote.sheets_api_url.as_str(),
        "https://sheets.googleapis.com/"
    );
    assert!(matches!(remote.shopify_auth, ShopifyAuth::Token(_)));
}

#[test]
fn each_api_url_says_where_it_came_from() {
    let dir = Dir::new();
    let remote = |env: &[(&'static str, &'static str)]| {
        let mut all = complete_env();
        all.extend_from_slice(env);
        Loaded::read(&dir.inputs(&all)).remote().unwrap().1
    };
    let defaults = remote(&[]);
    assert_eq!(
        defaults.shopify_api_url_origin,
        "the default built from shopify_store_name"
    );
    assert!(
        defaults
            .sheets_api_url_origin
            .contains("google_sheets_api_url is not set"),
        "{}",
        defaults.sheets_api_url_origin
    );
    let from_env = remote(&[("SHOPIFY_API_URL", "https://proxy.example")]);
    assert_eq!(
        from_env.shopify_api_url_origin,
        "SHOPIFY_API_URL from the environment"
    );
    dir.write(
        "config.json",
        r#"{"google_drive_api_url": "http://127.0.0.1:9"}"#,
    );
    dir.write(".env", "GOOGLE_SHEETS_API_URL=http://127.0.0.1:8\n");
    let files = remote(&[]);
    assert_eq!(
        files.drive_api_url_origin,
        format!(
            "google_drive_api_url from {}",
            dir.path().join("config.json").display()
        )
    );
    assert_eq!(
        files.sheets_api_url_origin,
        format!(
            "GOOGLE_SHEETS_API_URL from {}",
            dir.path().join(".env").display()
        )
    );
}

#[test]
fn every_problem_is_reported_together() {
    let dir = Dir::new();
    let env = [
        ("SHOPIFY_STORE_NAME", "not a store"),
        ("LOOKBACK_DAYS", "thirty"),
        ("SHOPIFY_API_URL", "ftp://proxy"),
        ("SHOPIFY_API_VERSION", "2026-05"),
        ("GOOGLE_SERVICE_ACCOUNT_FILE", "missing.json"),
    ];
    let err = Loaded::read(&dir.inputs(&env)).remote().unwrap_err();
    let text = err.to_string();
    for needle in [
        "shopify_store_name",
        "shopify_access_token is not set",
        "lookback_days",
        "shopify_api_url",
        "shopify_api_version",
        "missing.json",
        "target_spreadsheet is not set",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    assert_eq!(err.problems.len(), 7, "{text}");
}

#[test]
fn local_commands_need_only_the_database_path() {
    let dir = Dir::new();
    let loaded = Loaded::read(&dir.inputs(&[("LOOKBACK_DAYS", "thirty")]));
    assert!(loaded.local().is_ok());
    assert!(loaded.remote().is_err());
}

#[test]
fn config_file_problems_are_reported_with_their_line() {
    let dir = Dir::new();
    dir.write("config.json", "{\n  \"lookback_days\": 30,\n  oops\n}");
    let err = Loaded::read(&dir.inputs(&[])).local().unwrap_err();
    assert!(err.to_string().contains("line 3"), "{err}");

    dir.write(
        "config.json",
        r#"{"lookback_day": 30, "//lookback_days": "a comment"}"#,
    );
    let err = Loaded::read(&dir.inputs(&[])).local().unwrap_err();
    assert!(
        err.to_string().contains("unknown key \"lookback_day\" in ")
            && err
                .to_string()
                .contains(": did you mean \"lookback_days\"?"),
        "{err}"
    );
}

#[test]
fn a_missing_config_flag_file_is_an_error() {
    let dir = Dir::new();
    let mut inputs = dir.inputs(&[]);
    inputs.config_flag = Some(dir.path().join("nope.json"));
    let err = Loaded::read(&inputs).local().unwrap_err();
    assert!(err.to_string().contains("nope.json"), "{err}");
}

#[test]
fn config_file_paths_are_relative_to_the_file() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path().join("etc")).unwrap();
    std::fs::write(dir.path().join("etc/key.json"), KEY_JSON).unwrap();
    dir.write(
        "etc/config.json",
        r#"{"shopify_store_name": "acme", "shopify_access_token": "t", "target_spreadsheet": "x",
            "google_service_account_file": "key.json", "database_path": "state.db", "lookback_days": 45}"#,
    );
    let mut inputs = dir.inputs(&[]);
    inputs.config_flag = Some(dir.path().join("etc/config.json"));
    let (local, remote) = Loaded::read(&inputs).remote().unwrap();
    assert_eq!(local.database_path, dir.path().join("etc/state.db"));
    assert_eq!(remote.service_account_file, dir.path().join("etc/key.json"));
    assert_eq!(remote.lookback_days, 45);
}

#[test]
fn client_credentials_need_both_halves() {
    let dir = Dir::new();
    let mut env = complete_env();
    env.retain(|(k, _)| *k != "SHOPIFY_ACCESS_TOKEN");
    env.push(("SHOPIFY_CLIENT_ID", "abc"));
    let err = Loaded::read(&dir.inputs(&env)).remote().unwrap_err();
    assert!(
        err.to_string().contains("shopify_client_secret is not set"),
        "{err}"
    );
    env.push(("SHOPIFY_CLIENT_SECRET", "shpss_secret"));
    let (_, remote) = Loaded::read(&dir.inputs(&env)).remote().unwrap();
    assert!(matches!(
        remote.shopify_auth,
        ShopifyAuth::ClientCredentials { .. }
    ));
}

#[test]
fn empty_values_do_not_shadow_lower_layers() {
    let dir = Dir::new();
    dir.write(".env", "SHOPSYNC_WORKSHEET=Sales\n");
    let mut env = complete_env();
    env.push(("SHOPSYNC_WORKSHEET", ""));
    let (_, remote) = Loaded::read(&dir.inputs(&env)).remote().unwrap();
    assert_eq!(remote.worksheet, "Sales");
}

#[test]
fn secrets_are_redacted_in_origins_and_errors() {
    let dir = Dir::new();
    let mut env = complete_env();
    env.push(("SHOPIFY_CLIENT_SECRET", "shpss_very_secret"));
    let loaded = Loaded::read(&dir.inputs(&env));
    let shown = format!("{:?} {:?}", loaded.origins(), loaded.remote());
    assert!(!shown.contains("shpat_env_secret_123"), "{shown}");
    assert!(!shown.contains("shpss_very_secret"), "{shown}");
}

fn repo_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn config_template_lists_every_key_with_a_comment_and_nothing_else() {
    let template: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&repo_file("config_template.json")).unwrap();
    let listed: Vec<&str> = template
        .keys()
        .map(String::as_str)
        .filter(|k| !is_comment_key(k))
        .collect();
    let known: Vec<&str> = keys::ALL.iter().map(|k| k.json).collect();
    for key in &known {
        assert!(listed.contains(key), "config_template.json lacks {key}");
        assert!(
            template.contains_key(&format!("//{key}")),
            "config_template.json has no comment for {key}"
        );
    }
    for key in &listed {
        assert!(
            known.contains(key),
            "config_template.json has unknown key {key}"
        );
    }
}

#[test]
fn env_template_lists_every_variable_and_nothing_else() {
    let text = repo_file(".env.template");
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('='))
        .filter_map(|l| l.split('=').next())
        .collect();
    let known: Vec<&str> = keys::ALL.iter().map(|k| k.env).collect();
    for var in &known {
        assert!(listed.contains(var), ".env.template lacks {var}");
    }
    for var in &listed {
        assert!(
            known.contains(var),
            ".env.template has unknown variable {var}"
        );
    }
}

#[test]
fn the_config_template_parses_as_a_config_file() {
    let dir = Dir::new();
    dir.write("config.json", &repo_file("config_template.json"));
    let loaded = Loaded::read(&dir.inputs(&[]));
    let local = loaded.local().unwrap();
    assert!(local.database_path.ends_with("shopify_sync.db"));
    // The placeholders are values of the right shape; only the key file is (rightly) not found.
    let err = loaded.remote().unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(err.to_string().contains("/path/to/key.json"), "{err}");
}

#[test]
fn values_from_the_process_environment_are_named_for_schedulers() {
    let dir = Dir::new();
    dir.write(
        "config.json",
        r#"{"shopify_store_name": "https://Acme-Two.myshopify.com/", "lookback_days": 7}"#,
    )
    .write(".env", "SHOPSYNC_DB=dotenv.db\n");
    let env = [
        ("SHOPIFY_ACCESS_TOKEN", "shpat_x"),
        ("LOOKBACK_DAYS", "9"),
        ("HOME", "/root"),
    ];
    let loaded = Loaded::read(&dir.inputs(&env));
    // Only what the environment decides: not .env, not a variable shopsync does not read.
    assert_eq!(
        loaded.from_process_environment(),
        ["SHOPIFY_ACCESS_TOKEN", "LOOKBACK_DAYS"]
    );
    assert_eq!(
        loaded.store_domain().map(|s| s.domain()),
        Some("acme-two.myshopify.com".to_owned())
    );
    let none = Loaded::read(&Dir::new().inputs(&[("SHOPIFY_STORE_NAME", "not a shop!")]));
    assert_eq!(none.store_domain(), None);
}

#[test]
fn a_dotenv_parse_error_names_the_line_but_never_quotes_it() {
    let dir = Dir::new();
    dir.write(
        ".env",
        "SHOPIFY_STORE_NAME=acme\n# a comment\nSHOPIFY_ACCESS_TOKEN=\"shpat_dotenv_canary\nSHOPSYNC_DB=x.db\n",
    );
    let err = Loaded::read(&dir.inputs(&[])).local().unwrap_err();
    let text = err.to_string();
    assert!(text.contains(".env: line 3 is not NAME=value"), "{text}");
    assert!(!text.contains("shpat_dotenv_canary"), "{text}");
    assert!(!text.contains("SHOPIFY_ACCESS_TOKEN"), "{text}");
}

#[test]
fn a_config_file_that_is_not_an_object_is_not_echoed() {
    let dir = Dir::new();
    for text in [
        r#""shpat_config_canary""#,
        r#"["shpat_config_canary"]"#,
        "12345678901234",
    ] {
        dir.write("config.json", text);
        let err = Loaded::read(&dir.inputs(&[])).local().unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("is not a JSON object (line 1"),
            "{message}"
        );
        assert!(message.contains("top level must be"), "{message}");
        assert!(!message.contains("shpat_config_canary"), "{message}");
        assert!(!message.contains("12345678901234"), "{message}");
    }
}

#[test]
fn config_files_larger_than_the_cap_are_refused_before_parsing() {
    let dir = Dir::new();
    let big = format!(
        "{{\"worksheet\": \"{}\"}}",
        "x".repeat(usize::try_from(MAX_CONFIG_BYTES).unwrap())
    );
    dir.write("config.json", &big)
        .write(".env", &format!("X={big}\n"));
    let err = Loaded::read(&dir.inputs(&[])).local().unwrap_err();
    assert_eq!(err.problems.len(), 2, "{err}");
    for problem in &err.problems {
        assert!(problem.message.contains("larger than 1024 KiB"), "{err}");
    }
}

#[test]
fn a_path_variable_that_is_not_utf8_is_an_error_naming_it() {
    let dir = Dir::new();
    let mut inputs = dir.inputs(&[]);
    inputs.not_unicode = vec!["SHOPSYNC_DB".to_owned(), "SOME_OTHER_TOOLS_VAR".to_owned()];
    let err = Loaded::read(&inputs).local().unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        err.to_string().contains("SHOPSYNC_DB is not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn debug_prints_of_the_layers_never_show_a_secret() {
    let dir = Dir::new();
    dir.write(
        "config.json",
        r#"{"shopify_client_secret": "shpss_config_canary", "worksheet": "Tab"}"#,
    )
    .write(".env", "SHOPIFY_CLIENT_ID=client-id\n");
    let inputs = dir.inputs(&[
        ("SHOPIFY_ACCESS_TOKEN", "shpat_env_canary"),
        ("HOME", "/root"),
    ]);
    let loaded = Loaded::read(&inputs);
    let raw = loaded.layers.get(keys::ACCESS_TOKEN).unwrap().clone();
    for text in [
        format!("{inputs:?}"),
        format!("{loaded:?}"),
        format!("{:?}", loaded.layers),
        format!("{raw:?}"),
        format!("{loaded:#?}"),
    ] {
        assert!(!text.contains("shpat_env_canary"), "{text}");
        assert!(!text.contains("shpss_config_canary"), "{text}");
    }
    // What is not secret still helps whoever debugs.
    assert!(format!("{loaded:?}").contains("Tab"));
    assert!(format!("{inputs:?}").contains("SHOPIFY_ACCESS_TOKEN"));
}

/// Found by the `dotenv` fuzz target: the failing line's text also stood earlier (here inside a
/// quoted value that spans lines), and the message named that earlier line.
#[test]
fn a_dotenv_parse_error_names_the_failing_line_even_when_its_text_came_before() {
    for (text, line) in [
        ("A=\"\nn\"\nn", 3),
        ("#B C\nA=1\nB C\n", 3),
        ("A=\"x\nB C\n\"\nB C\n", 4),
        ("X=B C\nB C", 1),
        ("A=1\r\nB C\r\n", 2),
        ("A=1\nB=\"open\n", 2),
    ] {
        let message = parse_dotenv(text).unwrap_err();
        assert!(
            message.starts_with(&format!("line {line} is not NAME=value")),
            "{text:?}: {message}"
        );
    }
}
