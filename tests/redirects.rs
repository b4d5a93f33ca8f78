//! No client follows a redirect (issue 11, finding 1): a 3xx from either service is an error that
//! names the `Location`, and the host it points to never sees the token, the client secret or the
//! request body.

#[path = "sheets_support/mod.rs"]
mod sheets_support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use chrono::Utc;
use shopsync::clock::ManualClock;
use shopsync::config::Secret;
use shopsync::sandbox::google::SandboxOptions;
use shopsync::sheets::SheetsError;
use shopsync::shopify::{Auth, ErrorKind, ShopifyClient, ShopifyError, ShopifySettings};

/// Everything the trap host received: each request's headers and body, as text.
type Seen = Arc<Mutex<Vec<String>>>;

/// Starts a server on loopback that records every request, and returns its address.
async fn trap() -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = Router::new().fallback(move |headers: HeaderMap, body: String| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(format!("{headers:?} {body}"));
            "{}"
        }
    });
    (serve(app).await, seen)
}

/// Starts a server that answers every request with `status` pointing at `target`.
async fn redirector(status: StatusCode, target: SocketAddr) -> SocketAddr {
    let location = format!("http://{target}/stolen");
    let app = Router::new().fallback(move || {
        let location = location.clone();
        async move { (status, [(header::LOCATION, location)]).into_response() }
    });
    serve(app).await
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn shopify(base: SocketAddr, auth: Auth) -> ShopifyClient {
    let clock = ManualClock::new(Utc::now());
    let mut settings = ShopifySettings::new("acme", auth, Arc::new(clock));
    settings.base_url = Some(format!("http://{base}"));
    settings.base_url_origin = Some("shopify_api_url from config.json".to_owned());
    ShopifyClient::new(settings).unwrap()
}

#[tokio::test]
async fn shopify_redirects_are_errors_and_the_token_stays_home() {
    for status in [
        StatusCode::MOVED_PERMANENTLY,
        StatusCode::FOUND,
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        let (trap, seen) = trap().await;
        let base = redirector(status, trap).await;
        let client = shopify(base, Auth::Token(Secret::new("shpat_canary_redirect")));
        let mut stream = client.orders_updated(Utc::now() - chrono::Duration::days(1), Utc::now());
        let err = stream.next_page().await.unwrap_err();
        assert!(
            matches!(&err, ShopifyError::Redirected { status: s, .. } if *s == status.as_u16()),
            "{status}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains(&format!("http://{trap}/stolen")), "{text}");
        assert!(text.contains("shopify_api_url from config.json"), "{text}");
        assert_eq!(err.kind(), ErrorKind::Rejected);
        assert!(
            seen.lock().unwrap().is_empty(),
            "{status}: the trap host was reached"
        );
    }
}

#[tokio::test]
async fn the_client_secret_is_not_replayed_to_a_redirect_target() {
    let (trap, seen) = trap().await;
    let base = redirector(StatusCode::TEMPORARY_REDIRECT, trap).await;
    let client = shopify(
        base,
        Auth::ClientCredentials {
            client_id: "client-id".to_owned(),
            client_secret: Secret::new("shpss_canary_secret"),
        },
    );
    let mut stream = client.orders_updated(Utc::now() - chrono::Duration::days(1), Utc::now());
    let err = stream.next_page().await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("redirecting to"), "{text}");
    assert!(!text.contains("shpss_canary_secret"), "{text}");
    assert!(seen.lock().unwrap().is_empty(), "the trap host was reached");
}

#[tokio::test]
async fn sheets_and_drive_redirects_are_errors_and_the_token_stays_home() {
    let (trap, seen) = trap().await;
    let base = redirector(StatusCode::TEMPORARY_REDIRECT, trap).await;
    let env = sheets_support::env_with(SandboxOptions::default(), |s| {
        s.sheets_url = format!("http://{base}");
        s.drive_url = format!("http://{base}");
    })
    .await;
    let err = env
        .client
        .open("1abcdefghijklmnopqrstuvwxyz")
        .await
        .unwrap_err();
    assert!(
        matches!(err, SheetsError::Redirected { status: 307, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!("http://{trap}/stolen")),
        "{err}"
    );
    let err = env
        .client
        .resolve_spreadsheet("Orders 2026")
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::Redirected { .. }), "{err:?}");
    assert!(seen.lock().unwrap().is_empty(), "the trap host was reached");
}
