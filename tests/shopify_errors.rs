//! Every error class of the Shopify client against the emulator's faults, token refresh and version
//! fall-forward.

mod shopify_support;

use std::time::Duration;

use serde_json::json;
use shopify_support::{bucket, now, rig, rig_with};
use shopsync::clock::Clock;
use shopsync::config::Secret;
use shopsync::retry::{ConnectFailure, UNREACHABLE_ATTEMPTS};
use shopsync::sandbox::shopify::{BucketConfig, Fault, SANDBOX_TOKEN};
use shopsync::shopify::{Auth, ErrorKind, ShopifyClient, ShopifyError};

/// Streams the whole store; returns the order count.
async fn fetch_all(client: &ShopifyClient) -> Result<usize, ShopifyError> {
    let mut stream = client.orders_updated(now() - chrono::Duration::days(60), now());
    let mut n = 0;
    while let Some(page) = stream.next_page().await? {
        n += page.orders.len();
    }
    Ok(n)
}

fn status(code: u16, body: &str, retry_after: Option<&str>) -> Fault {
    Fault::Status {
        status: code,
        body: body.to_owned(),
        retry_after: retry_after.map(ToOwned::to_owned),
    }
}

#[tokio::test]
async fn non_retryable_statuses_fail_at_once_with_their_kind_and_a_hint() {
    let cases: [(Fault, ErrorKind, &str); 6] = [
        (
            Fault::status(402, "Unavailable Shop"),
            ErrorKind::ShopUnavailable,
            "bill",
        ),
        (
            Fault::status(
                403,
                "[API] This action requires merchant approval for read_orders scope.",
            ),
            ErrorKind::Permission,
            "Admin API access scopes",
        ),
        (
            Fault::status(404, "Not Found"),
            ErrorKind::NotFound,
            "shopify_store_name",
        ),
        (status(423, "", None), ErrorKind::ShopUnavailable, "locked"),
        (
            Fault::status(400, "Bad Request"),
            ErrorKind::Rejected,
            "HTTP 400",
        ),
        (
            Fault::status(430, "Security Rejection"),
            ErrorKind::Rejected,
            "HTTP 430",
        ),
    ];
    for (fault, kind, hint) in cases {
        let rig = rig().await;
        rig.emu.inject(1, fault.clone());
        let error = rig.client().shop().await.unwrap_err();
        assert_eq!(error.kind(), kind, "{fault:?}: {error}");
        assert!(error.to_string().contains(hint), "{error}");
        assert_eq!(rig.emu.stats().requests, 1, "{fault:?} must not be retried");
    }
}

#[tokio::test]
async fn a_wrong_static_token_is_unauthorized_without_retry() {
    let rig = rig().await;
    let client =
        ShopifyClient::new(rig.settings(Auth::Token(Secret::new("shpat_wrong_0123")))).unwrap();
    let error = client.shop().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    let text = error.to_string();
    assert!(text.contains("Invalid API key or access token"), "{text}");
    assert!(!text.contains("shpat_wrong_0123"));
    assert!(!format!("{error:?}").contains("shpat_wrong_0123"));
    assert_eq!(rig.emu.stats().requests, 1);
}

#[tokio::test]
async fn retryable_statuses_are_retried_and_retry_after_is_honoured() {
    for code in [429_u16, 500, 502, 503, 504, 540] {
        let rig = rig().await;
        let body = r#"{"errors":"Exceeded 2 calls per second for api client."}"#;
        rig.emu.inject(1, status(code, body, Some("2.5")));
        let start = rig.clock.now();
        let shop = rig.client().shop().await.unwrap();
        assert_eq!(shop.name, "Sandbox Store ✨");
        assert_eq!(rig.emu.stats().requests, 2, "HTTP {code}");
        assert!(
            rig.clock.now() - start >= chrono::Duration::milliseconds(2500),
            "HTTP {code}"
        );
    }
    // An HTML gateway page is fine too.
    let rig = rig().await;
    rig.emu
        .inject(1, status(502, "<html>Bad Gateway</html>", None));
    assert!(rig.client().shop().await.is_ok());
}

#[tokio::test]
async fn persistent_failures_exhaust_the_retries() {
    let rig = rig().await;
    rig.emu
        .inject_always(Fault::status(503, "Service Unavailable"));
    let error = rig.client().shop().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RetriesExhausted);
    let ShopifyError::RetriesExhausted { attempts, last } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*attempts, 4);
    assert!(matches!(**last, ShopifyError::Server { status: 503, .. }));
    assert_eq!(rig.emu.stats().requests, 4);
}

// Tokio's time is paused, so the client's timeout can only fire while nothing but the stalled
// request is pending: a loaded machine cannot time out the others and change the count.
#[tokio::test(start_paused = true)]
async fn malformed_bodies_resets_and_stalls_are_retried() {
    let rig = rig().await;
    rig.emu.inject(1, Fault::Malformed);
    rig.emu.inject(2, Fault::Reset);
    rig.emu.inject(3, Fault::Stall(Duration::from_secs(300)));
    let mut settings = rig.settings(Auth::Token(Secret::new(SANDBOX_TOKEN)));
    settings.timeout = Duration::from_secs(10);
    let client = ShopifyClient::new(settings).unwrap();
    assert_eq!(fetch_all(&client).await.unwrap(), 40);
    // Three pages of 14 orders, plus the three failed attempts.
    assert_eq!(rig.emu.stats().requests, 6);
    assert_eq!(client.stats().retries, 3);
}

#[tokio::test]
async fn a_refused_connection_gets_the_short_budget_and_names_the_address() {
    let rig = rig().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    drop(listener);
    let mut settings = rig.settings(Auth::Token(Secret::new(SANDBOX_TOKEN)));
    settings.base_url = Some(format!("http://{address}"));
    settings.base_url_origin = Some("shopify_api_url from config.json".to_owned());
    let client = ShopifyClient::new(settings).unwrap();
    let error = client.shop().await.unwrap_err();
    let ShopifyError::Unreachable {
        endpoint,
        origin,
        failure,
        attempts,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(endpoint, &address);
    assert_eq!(origin, "shopify_api_url from config.json");
    assert_eq!(*failure, ConnectFailure::Refused);
    // Fewer than the four the rig's backoff allows for a failure that may clear.
    assert_eq!(*attempts, UNREACHABLE_ATTEMPTS);
    assert_eq!(client.stats().requests, u64::from(UNREACHABLE_ATTEMPTS));
    assert_eq!(error.kind(), ErrorKind::Unreachable);
    let text = error.to_string();
    assert!(
        text.contains(&address) && text.contains("config.json"),
        "{text}"
    );
    assert!(!text.contains("shopify_access_token"), "{text}");
}

#[tokio::test]
async fn a_refused_token_endpoint_is_unreachable_not_rejected_credentials() {
    let rig = rig().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    drop(listener);
    let mut settings = rig.settings(Auth::ClientCredentials {
        client_id: "client-id".to_owned(),
        client_secret: Secret::new("client-secret"),
    });
    settings.base_url = Some(format!("http://{address}"));
    let client = ShopifyClient::new(settings).unwrap();
    let error = client.shop().await.unwrap_err();
    assert!(
        matches!(&error, ShopifyError::Unreachable { attempts, .. } if *attempts == UNREACHABLE_ATTEMPTS),
        "{error:?}"
    );
    // No origin given: the default address, named as such.
    assert!(
        error
            .to_string()
            .contains("the default address of sandbox-store.myshopify.com"),
        "{error}"
    );
}

#[tokio::test]
async fn a_throttled_reply_is_waited_out_and_retried() {
    let rig = rig_with(|c| {
        c.bucket = bucket(1000.0, 50.0);
    })
    .await;
    // Another client drains the bucket; ours has no model of it yet.
    let other = rig.client();
    other
        .orders_updated(now() - chrono::Duration::days(60), now())
        .next_page()
        .await
        .unwrap();
    let client = rig.client();
    assert_eq!(fetch_all(&client).await.unwrap(), 40);
    assert_eq!(client.stats().throttled, 1);
    assert_eq!(rig.emu.stats().throttled, 1);
}

#[tokio::test]
async fn max_cost_exceeded_shrinks_the_page() {
    let rig = rig().await;
    let body = json!({"errors": [{"message": "Query cost is 1500, which exceeds the single query max cost limit (1000).",
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": 1500, "maxCost": 1000}}]});
    rig.emu.inject(1, status(200, &body.to_string(), None));
    let client = rig.client();
    assert_eq!(fetch_all(&client).await.unwrap(), 40);
    // Pages shrank: 40 orders took more pages than the 3 of an unshrunk run.
    assert!(rig.emu.stats().requests >= 5, "{:?}", rig.emu.stats());
}

#[tokio::test]
async fn a_missing_scope_is_access_denied() {
    let rig = rig_with(|c| {
        c.tokens = vec![("shpat_noscope".to_owned(), vec!["read_products".to_owned()])];
    })
    .await;
    let client =
        ShopifyClient::new(rig.settings(Auth::Token(Secret::new("shpat_noscope")))).unwrap();
    let error = fetch_all(&client).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Permission);
    assert!(error.to_string().contains("read_orders"), "{error}");
    assert_eq!(client.access_scopes().await.unwrap(), ["read_products"]);
}

#[tokio::test]
async fn graphql_internal_errors_are_retried() {
    let rig = rig().await;
    let body = json!({"errors": [{"message": "Internal error. Looks like something went wrong on our end.\nRequest ID: abc-123",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "abc-123"}}]});
    rig.emu.inject(1, status(200, &body.to_string(), None));
    assert!(rig.client().shop().await.is_ok());
    assert_eq!(rig.emu.stats().requests, 2);
}

#[tokio::test]
async fn client_credentials_tokens_are_cached_refreshed_on_expiry_and_after_401() {
    let rig = rig().await;
    let client = rig.app_client("client-secret");
    client.shop().await.unwrap();
    client.shop().await.unwrap();
    assert_eq!(rig.emu.stats().token_requests, 1, "the token is cached");
    // Inside the renewal margin but before Shopify's expiry: only the client's own clock can
    // tell it is time (a 401 would not come yet).
    rig.clock.advance(Duration::from_secs(3600 - 30));
    client.shop().await.unwrap();
    assert_eq!(
        rig.emu.stats().token_requests,
        2,
        "a token about to expire is renewed before it is used"
    );
    rig.emu.revoke_tokens();
    client.shop().await.unwrap();
    assert_eq!(rig.emu.stats().token_requests, 3, "a 401 refreshes once");
    assert!(!format!("{client:?}").contains("shpua_"));
}

#[tokio::test]
async fn a_persistent_401_after_one_refresh_is_unauthorized() {
    let rig = rig().await;
    rig.emu.inject_always(Fault::status(
        401,
        "[API] Invalid API key or access token (unrecognized login or wrong password)",
    ));
    let error = rig.app_client("client-secret").shop().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_eq!(rig.emu.stats().token_requests, 2);
    assert_eq!(rig.emu.stats().requests, 2);
}

#[tokio::test]
async fn wrong_client_credentials_are_rejected() {
    let rig = rig().await;
    let error = rig.app_client("wrong-secret").shop().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(error.to_string().contains("invalid_client"), "{error}");
    assert!(!error.to_string().contains("wrong-secret"));
    assert_eq!(rig.emu.stats().requests, 0);
}

#[tokio::test]
async fn an_unsupported_version_falls_forward_and_is_noticed() {
    let rig = rig().await;
    let mut settings = rig.settings(Auth::Token(Secret::new(SANDBOX_TOKEN)));
    settings.api_version = "2024-07".to_owned();
    let client = ShopifyClient::new(settings).unwrap();
    client.shop().await.unwrap();
    assert_eq!(client.served_api_version().as_deref(), Some("2026-01"));
    let client = rig.client();
    client.shop().await.unwrap();
    assert_eq!(client.served_api_version().as_deref(), Some("2026-04"));
}

#[tokio::test]
async fn a_503_after_the_query_ran_is_retried_and_the_bucket_was_charged() {
    let rig = rig().await;
    rig.emu.inject(1, Fault::ServerErrorAfterApply);
    let client = rig.client();
    assert_eq!(fetch_all(&client).await.unwrap(), 40);
    let stats = rig.emu.stats();
    // Four answered queries (one of them lost to the 503) for three pages.
    assert_eq!(stats.answered, 4);
    assert_eq!(stats.requests, 4);
}

#[tokio::test]
async fn a_bucket_smaller_than_a_page_shrinks_the_page() {
    let rig = rig_with(|c| {
        c.bucket = bucket(400.0, 20.0);
    })
    .await;
    let client = rig.client();
    assert_eq!(fetch_all(&client).await.unwrap(), 40);
    // The first page was sized for a 1000-point cap and could never fit: one THROTTLED, then
    // pages sized for the 400-point bucket.
    assert_eq!(rig.emu.stats().throttled, 1);
}

#[tokio::test]
async fn an_unlimited_bucket_never_throttles() {
    let rig = rig_with(|c| c.bucket = BucketConfig::unlimited()).await;
    let client = rig.client();
    for _ in 0..5 {
        assert_eq!(fetch_all(&client).await.unwrap(), 40);
    }
    assert_eq!(rig.emu.stats().throttled, 0);
    assert_eq!(client.stats().paced_secs, 0.0);
}

#[tokio::test]
async fn requests_carry_the_user_agent_gzip_and_the_version_path() {
    let rig = rig().await;
    rig.client().shop().await.unwrap();
    let headers = rig.emu.last_request_headers();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        get("user-agent"),
        concat!("shopsync/", env!("CARGO_PKG_VERSION"))
    );
    assert!(get("accept-encoding").contains("gzip"), "{headers:?}");
    assert!(get("content-type").starts_with("application/json"));
    assert!(headers.iter().all(|(n, _)| n != "x-shopify-access-token"));
    // The emulator compresses as Shopify does when asked.
    shopsync::http::install_tls_provider();
    let response = reqwest::Client::builder()
        .no_gzip()
        .build()
        .unwrap()
        .post(format!(
            "{}/admin/api/2026-04/graphql.json",
            rig.emu.base_url()
        ))
        .header("X-Shopify-Access-Token", SANDBOX_TOKEN)
        .header("Accept-Encoding", "gzip")
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
}
