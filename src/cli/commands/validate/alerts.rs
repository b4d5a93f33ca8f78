//! The alert URLs: each configured one is asked once and must answer (they are optional, so an
//! unset one adds no check).

use super::Check;
use crate::cli::alerts::{Alerts, Answer, FailureAlert};
use crate::config::RemoteConfig;

/// One check per configured alert URL.
pub(super) async fn checks(config: &RemoteConfig) -> Vec<Check> {
    let alerts = Alerts::new(config, false);
    let test = FailureAlert {
        event: "validate_test",
        text: format!(
            "shopsync validate: a test of the alert webhook for {} (nothing failed)",
            config.store.domain()
        ),
        run_id: None,
        exit_code: 0,
        error_kind: "ok",
        error_message: "a test message from shopsync validate; nothing failed".to_owned(),
        counts: None,
        shop: config.store.domain(),
        spreadsheet_id: config.target_spreadsheet.clone(),
    };
    alerts
        .probe(&test)
        .await
        .into_iter()
        .map(|(key, shown, answer)| check(key, &shown, &answer))
        .collect()
}

fn check(key: &'static str, shown: &str, answer: &Answer) -> Check {
    let (name, sent) = if key == "healthcheck_url" {
        ("healthcheck", "a /log event")
    } else {
        ("alert_webhook", "a test message")
    };
    match answer {
        Answer::Ok(status) => Check::pass(name, format!("{shown} answered {status} to {sent}")),
        Answer::Status(status) if (300..400).contains(status) => Check::fail(
            name,
            format!("{shown} answered {status}, a redirect, to {sent}"),
            format!("set {key} to the address it redirects to: shopsync follows no redirect"),
        ),
        Answer::Status(status) => Check::warn(
            name,
            format!("{shown} answered {status} to {sent}"),
            format!("check {key}: the server is there but did not accept the request"),
        ),
        Answer::Unreachable(why) => Check::fail(
            name,
            format!("{shown} did not answer: {why}"),
            format!("check {key} and that this machine can reach it; a sync still runs without it"),
        ),
    }
}
