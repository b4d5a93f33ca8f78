//! The Sheets client under failure, against the Google emulator: every error class, retries,
//! ambiguous writes, token refresh and quota pacing.

mod sheets_support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sheets_support::*;
use shopsync::clock::Clock;
use shopsync::retry::{ConnectFailure, UNREACHABLE_ATTEMPTS};
use shopsync::sandbox::google::{Fault, SandboxOptions};
use shopsync::sheets::{ErrorKind, SheetsClient, SheetsError, SheetsSettings};

#[tokio::test]
async fn error_classes_carry_hints() {
    let env = env().await;
    let err = env
        .client
        .open("1NoSuchSpreadsheetxxxxxxxxxxxx")
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::NotFound { .. }), "{err}");

    let (book, _) = book_with_tab(&env).await;
    env.sandbox.set_shared(&book.id, false);
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(matches!(err, SheetsError::PermissionDenied { .. }), "{err}");
    assert!(err.to_string().contains(env.sandbox.client_email()));
    env.sandbox.set_shared(&book.id, true);

    env.sandbox
        .person_rename_tab(&book.id, "Orders", "Orders (old)");
    let err = env
        .client
        .read_columns(&book, "Orders", &[1])
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::BadRequest { .. }), "{err}");
    assert!(err.to_string().contains("Unable to parse range"), "{err}");
}

#[tokio::test]
async fn reads_retry_5xx_429_and_drive_rate_limits() {
    let env = env().await;
    let (book, _) = book_with_tab(&env).await;
    env.sandbox
        .inject("spreadsheets.get", 0, Fault::Status(500));
    env.sandbox
        .inject("spreadsheets.get", 0, Fault::Status(503));
    env.sandbox.inject("spreadsheets.get", 0, Fault::Quota);
    let before = env.sandbox.counts()["spreadsheets.get"].requests;
    env.client.open(&book.id).await.unwrap();
    assert_eq!(
        env.sandbox.counts()["spreadsheets.get"].requests - before,
        4
    );

    env.sandbox.inject("files.list", 0, Fault::DriveRateLimit);
    assert_eq!(
        env.client.resolve_spreadsheet("Shop Orders").await.unwrap(),
        book.id
    );

    for _ in 0..6 {
        env.sandbox
            .inject("spreadsheets.get", 0, Fault::Status(503));
    }
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(
        matches!(
            err,
            SheetsError::Server {
                status: 503,
                attempts: 6,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_unreachable_after_the_short_budget() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    drop(listener);
    let env = env_with(SandboxOptions::default(), |s| {
        s.sheets_url = format!("http://{address}");
        s.sheets_url_origin = Some("google_sheets_api_url from config.json".to_owned());
    })
    .await;
    let err = env
        .client
        .open("1abcdefghijklmnopqrstuvwxyz")
        .await
        .unwrap_err();
    let SheetsError::Unreachable {
        service,
        endpoint,
        origin,
        failure,
        attempts,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*service, "Google Sheets");
    assert_eq!(endpoint, &address);
    assert_eq!(origin, "google_sheets_api_url from config.json");
    assert_eq!(*failure, ConnectFailure::Refused);
    assert_eq!(*attempts, UNREACHABLE_ATTEMPTS);
    assert_eq!(env.client.traffic().0, u64::from(UNREACHABLE_ATTEMPTS));
    assert_eq!(err.kind(), ErrorKind::Unreachable);
}

// Tokio's time is paused (here and in the read test below), so the client's timeout can only
// fire while nothing but the stalled request is pending: a loaded machine cannot time out another.
#[tokio::test(start_paused = true)]
async fn writes_with_unknown_outcome_are_ambiguous_and_were_applied() {
    let env = env_with(SandboxOptions::default(), |s| {
        s.write_timeout = Duration::from_secs(30);
    })
    .await;
    let (mut book, columns) = book_with_tab(&env).await;
    let id = book.id.clone();
    let faults = [
        Fault::ApplyThen503,
        Fault::ApplyThenDrop,
        Fault::Status(500),
        Fault::Stall(Duration::from_secs(300)),
    ];
    for (i, fault) in faults.into_iter().enumerate() {
        env.sandbox
            .inject("spreadsheets.values.batchUpdate", 0, fault);
        let n = u64::try_from(i).unwrap();
        let err = write_row_2(&env, &book, &columns, row(1000 + n, n, "Mug", 1))
            .await
            .unwrap_err();
        assert!(err.is_ambiguous(), "{fault:?}: {err}");
    }
    // The two apply-then-fail faults did write: the caller must re-read, not assume "not written".
    append_rows(&env, &mut book, &columns, 3, vec![row(9, 9, "Hat", 1)])
        .await
        .unwrap();
    let grid = env.sandbox.rows(&id, "Orders");
    assert_eq!(grid[1][1], json!("1001"));
    assert_eq!(grid[2][1], json!("9"));

    // A 429 on a write is known not to be applied: retried, not ambiguous.
    env.sandbox
        .inject("spreadsheets.values.batchUpdate", 0, Fault::Quota);
    write_row_2(&env, &book, &columns, row(7, 7, "Cap", 1))
        .await
        .unwrap();
    assert_eq!(env.sandbox.rows(&id, "Orders")[1][1], json!("7"));
}

#[tokio::test]
async fn tokens_refresh_after_a_401_and_on_expiry() {
    let env = env().await;
    let (book, _) = book_with_tab(&env).await;
    let issued = env.sandbox.tokens_issued();
    env.sandbox.revoke_tokens();
    env.client.open(&book.id).await.unwrap();
    assert_eq!(env.sandbox.tokens_issued(), issued + 1);

    // Tokens that live under yup-oauth2's one-minute margin are renewed before every call.
    env.sandbox.set_token_lifetime(Duration::from_secs(30));
    env.sandbox.revoke_tokens();
    for _ in 0..3 {
        env.client.open(&book.id).await.unwrap();
    }
    assert!(env.sandbox.tokens_issued() >= issued + 4);

    // A token that is refused even when fresh: an auth error, not a loop.
    env.sandbox.set_token_lifetime(Duration::ZERO);
    env.sandbox.revoke_tokens();
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(matches!(err, SheetsError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn a_429_backs_off_exponentially_from_about_a_second_not_a_quota_minute() {
    let env = env().await;
    let (book, columns) = book_with_tab(&env).await;
    for _ in 0..3 {
        env.sandbox
            .inject("spreadsheets.values.batchUpdate", 0, Fault::Quota);
    }
    let start = env.clock.now();
    write_row_2(&env, &book, &columns, row(3, 3, "Cap", 1))
        .await
        .unwrap();
    // Google's 2^n seconds plus up to a second of jitter: 1, 2 and 4 s, never the minute.
    let waited = (env.clock.now() - start).to_std().unwrap();
    assert!(
        waited >= Duration::from_secs(7) && waited <= Duration::from_secs(10),
        "{waited:?}"
    );
    assert_eq!(env.sandbox.rows(&book.id, "Orders")[1][1], json!("3"));
}

#[tokio::test]
async fn a_burst_of_writes_is_paced_under_the_quota() {
    let env = env().await;
    let (book, columns) = book_with_tab(&env).await;
    let start = env.clock.now();
    for i in 0..130u64 {
        write_row_2(&env, &book, &columns, row(i, i, "x", 1))
            .await
            .unwrap();
    }
    assert_eq!(env.sandbox.quota_rejections(), 0);
    assert!(env.clock.now() - start >= chrono::Duration::seconds(120));
}

#[tokio::test]
async fn a_429_from_a_shared_quota_is_recovered_from() {
    let env = env_with(
        SandboxOptions {
            write_quota: 20,
            ..SandboxOptions::default()
        },
        |_| {},
    )
    .await;
    let (book, columns) = book_with_tab(&env).await;
    for i in 0..70u64 {
        write_row_2(&env, &book, &columns, row(i, i, "x", 1))
            .await
            .unwrap();
    }
    assert!(env.sandbox.quota_rejections() > 0);
    assert_eq!(env.sandbox.rows(&book.id, "Orders")[1][1], json!("69"));
}

#[tokio::test(start_paused = true)]
async fn reads_survive_a_stall_and_a_reset_and_report_exhausted_quota() {
    let env = env_with(SandboxOptions::default(), |s| {
        s.read_timeout = Duration::from_secs(30);
    })
    .await;
    let (book, _) = book_with_tab(&env).await;
    env.sandbox.inject(
        "spreadsheets.get",
        0,
        Fault::Stall(Duration::from_secs(300)),
    );
    env.client.open(&book.id).await.unwrap();
    env.sandbox
        .inject("spreadsheets.get", 0, Fault::ApplyThenDrop);
    env.client.open(&book.id).await.unwrap();
    // A 429 gets eight attempts (about 95 s of backoff, more than a quota minute).
    for _ in 0..8 {
        env.sandbox.inject("spreadsheets.get", 0, Fault::Quota);
    }
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(
        matches!(err, SheetsError::Quota { attempts: 8, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("wait a minute"), "{err}");
}

#[tokio::test]
async fn a_key_the_token_endpoint_refuses_is_an_auth_error() {
    let env = env().await;
    let mut key: Value = serde_json::from_str(&env.sandbox.service_account_json()).unwrap();
    key["client_email"] = json!("someone-else@other-project.iam.gserviceaccount.com");
    let path = env.dir.path().join("other.json");
    std::fs::write(&path, key.to_string()).unwrap();
    let mut settings = SheetsSettings::new(&path);
    settings.sheets_url = env.sandbox.sheets_url();
    settings.drive_url = env.sandbox.drive_url();
    let client = SheetsClient::new(settings).await.unwrap();
    let id = env.sandbox.create_spreadsheet("Shop Orders", &[]);
    let err = client.open(&id).await.unwrap_err();
    assert!(matches!(err, SheetsError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
}

/// Drive handing back a `nextPageToken` already followed would page forever (issue 11, finding 12).
#[tokio::test]
async fn a_drive_page_token_that_repeats_stops_the_lookup() {
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = served.clone();
    let app = axum::Router::new().fallback(move || {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move {
            let token = if n.is_multiple_of(2) { "t1" } else { "t2" };
            axum::Json(json!({ "nextPageToken": token, "files": [] }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let env = env_with(SandboxOptions::default(), |s| {
        s.drive_url = format!("http://{address}");
    })
    .await;
    let lookup = env.client.resolve_spreadsheet("Orders 2026");
    let err = tokio::time::timeout(Duration::from_secs(20), lookup)
        .await
        .expect("the lookup looped")
        .unwrap_err();
    assert!(matches!(err, SheetsError::Protocol { .. }), "{err:?}");
    assert!(err.to_string().contains("nextPageToken"), "{err}");
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 3);
}
