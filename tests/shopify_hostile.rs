//! A hostile or broken Shopify (issue 11, findings 5, 6 and 12): replies with absurd numbers never
//! panic, a bucket that refills too slowly ends the call instead of sleeping for days, and a
//! cursor that does not move stops the pagination with an error instead of looping forever.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, TimeZone, Utc};
use shopsync::clock::{Clock, ManualClock};
use shopsync::config::Secret;
use shopsync::shopify::{Auth, ErrorKind, ShopifyClient, ShopifyError, ShopifySettings};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 11, 0, 0).unwrap()
}

/// One scripted reply: status, `Retry-After` (if any) and body.
type Scripted = (StatusCode, Option<&'static str>, String);

/// Serves `replies` in order, repeating the last; returns the base URL and the request count.
async fn scripted(replies: Vec<Scripted>) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let replies = Arc::new(replies);
    let app = Router::new().fallback(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let (status, retry_after, body) = replies[n.min(replies.len() - 1)].clone();
        async move {
            let mut response = (status, body).into_response();
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", value.parse().unwrap());
            }
            response
                .headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), count)
}

fn client(base: &str, clock: &ManualClock) -> ShopifyClient {
    let mut settings = ShopifySettings::new(
        "acme",
        Auth::Token(Secret::new("shpat_x")),
        Arc::new(clock.clone()),
    );
    settings.base_url = Some(base.to_owned());
    ShopifyClient::new(settings).unwrap()
}

fn cost(currently_available: &str, restore_rate: &str) -> String {
    format!(
        r#"{{"cost":{{"requestedQueryCost":100,"actualQueryCost":10,"throttleStatus":
        {{"maximumAvailable":1000.0,"currentlyAvailable":{currently_available},"restoreRate":{restore_rate}}}}}}}"#
    )
}

/// An orders page of one order; `lines_next` is the line items' `(hasNextPage, endCursor)`.
fn orders_page(has_next: bool, cursor: &str, lines_next: (bool, &str), extensions: &str) -> String {
    let (lines_more, lines_cursor) = lines_next;
    format!(
        r##"{{"data":{{"orders":{{"pageInfo":{{"hasNextPage":{has_next},"endCursor":{cursor}}},
        "nodes":[{{"id":"gid://shopify/Order/5501","legacyResourceId":"5501","name":"#1003",
          "number":1003,"createdAt":"2026-11-02T10:04:55Z","updatedAt":"2026-11-02T10:05:41Z",
          "cancelledAt":null,"displayFinancialStatus":"PAID","displayFulfillmentStatus":"UNFULFILLED",
          "email":null,"phone":null,"test":false,"tags":[],"note":null,"currencyCode":"USD",
          "customer":null,"shippingAddress":null,
          "currentTotalPriceSet":{{"shopMoney":{{"amount":"25.00","currencyCode":"USD"}}}},
          "lineItems":{{"pageInfo":{{"hasNextPage":{lines_more},"endCursor":{lines_cursor}}},
            "nodes":[{{"id":"gid://shopify/LineItem/1301","title":"Gift Card","variantTitle":null,
              "sku":null,"quantity":1,"currentQuantity":1,
              "originalUnitPriceSet":{{"shopMoney":{{"amount":"25.00","currencyCode":"USD"}}}},
              "discountedTotalSet":{{"shopMoney":{{"amount":"25.00","currencyCode":"USD"}}}},
              "product":null}}]}}}}]}}}},"extensions":{extensions}}}"##
    )
}

async fn first_pages(base: &str, clock: &ManualClock, pages: usize) -> Result<(), ShopifyError> {
    let client = client(base, clock);
    let mut stream = client.orders_updated(now() - chrono::Duration::days(1), now());
    for _ in 0..pages {
        stream.next_page().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_retry_after_beyond_any_duration_is_capped_not_a_panic() {
    for value in ["1e20", "1e400", "18446744073709551616"] {
        let (base, count) = scripted(vec![(
            StatusCode::TOO_MANY_REQUESTS,
            Some(value),
            r#"{"errors":"Exceeded 2 calls per second"}"#.to_owned(),
        )])
        .await;
        let clock = ManualClock::new(now());
        let err = first_pages(&base, &clock, 1).await.unwrap_err();
        assert!(
            matches!(err, ShopifyError::RetriesExhausted { .. }),
            "{value}: {err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::RetriesExhausted);
        assert_eq!(count.load(Ordering::SeqCst), 6, "{value}");
        // Every wait was capped at the backoff's cap (32 s), five of them.
        assert!(
            clock.now() - now() <= chrono::Duration::seconds(5 * 32),
            "{value}"
        );
    }
}

#[tokio::test]
async fn a_throttled_reply_with_absurd_numbers_ends_the_call_not_a_panic() {
    for available in ["-1e25", "-1.7976931348623157e308"] {
        let body = format!(
            r#"{{"errors":[{{"message":"Throttled","extensions":{{"code":"THROTTLED"}}}}],
            "extensions":{}}}"#,
            cost(available, "50.0")
        );
        let (base, count) = scripted(vec![(StatusCode::OK, None, body)]).await;
        let clock = ManualClock::new(now());
        let err = first_pages(&base, &clock, 1).await.unwrap_err();
        // The bucket as reported would take ages to refill: the call ends at once, exit 3.
        assert!(
            matches!(err, ShopifyError::WaitTooLong { .. }),
            "{available}: {err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::RetriesExhausted);
        assert!(count.load(Ordering::SeqCst) <= 2);
        assert!(clock.now() - now() <= chrono::Duration::seconds(32));
    }
}

#[tokio::test]
async fn a_bucket_refilling_for_days_ends_the_call_instead_of_sleeping() {
    let (base, count) = scripted(vec![(
        StatusCode::OK,
        None,
        orders_page(true, r#""c1""#, (false, "null"), &cost("0", "0.0001")),
    )])
    .await;
    let clock = ManualClock::new(now());
    let err = first_pages(&base, &clock, 2).await.unwrap_err();
    assert!(matches!(err, ShopifyError::WaitTooLong { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::RetriesExhausted);
    let text = err.to_string();
    assert!(text.contains("restore rate of 0.0001"), "{text}");
    assert!(text.contains("waits at most 300 s"), "{text}");
    assert_eq!(count.load(Ordering::SeqCst), 1, "the second page was sent");
    assert_eq!(clock.now(), now(), "the client slept");
}

#[tokio::test]
async fn an_orders_cursor_that_does_not_move_stops_the_pagination() {
    let healthy = cost("900", "50.0");
    for (label, pages) in [
        (
            "null cursor",
            vec![orders_page(true, "null", (false, "null"), &healthy)],
        ),
        (
            "repeated cursor",
            vec![orders_page(true, r#""c1""#, (false, "null"), &healthy)],
        ),
        (
            "a cycle of two",
            vec![
                orders_page(true, r#""c1""#, (false, "null"), &healthy),
                orders_page(true, r#""c2""#, (false, "null"), &healthy),
                orders_page(true, r#""c1""#, (false, "null"), &healthy),
            ],
        ),
    ] {
        let replies = pages
            .into_iter()
            .map(|b| (StatusCode::OK, None, b))
            .collect();
        let (base, count) = scripted(replies).await;
        let clock = ManualClock::new(now());
        let err = first_pages(&base, &clock, 10).await.unwrap_err();
        assert!(
            matches!(
                &err,
                ShopifyError::Decode {
                    retryable: false,
                    ..
                }
            ),
            "{label}: {err:?}"
        );
        assert!(err.to_string().contains("endCursor"), "{label}: {err}");
        assert!(count.load(Ordering::SeqCst) <= 3, "{label}");
    }
}

#[tokio::test]
async fn a_line_item_cursor_that_does_not_move_stops_the_pagination() {
    let healthy = cost("900", "50.0");
    for lines_cursor in ["null", r#""L1""#] {
        let lines = format!(
            r#"{{"data":{{"order":{{"lineItems":{{"pageInfo":{{"hasNextPage":true,
            "endCursor":{lines_cursor}}},"nodes":[]}}}}}},"extensions":{healthy}}}"#
        );
        let (base, count) = scripted(vec![
            (
                StatusCode::OK,
                None,
                orders_page(false, "null", (true, r#""L1""#), &healthy),
            ),
            (StatusCode::OK, None, lines),
        ])
        .await;
        let clock = ManualClock::new(now());
        let err = tokio::time::timeout(Duration::from_secs(20), first_pages(&base, &clock, 1))
            .await
            .expect("the pagination looped")
            .unwrap_err();
        assert!(
            matches!(
                &err,
                ShopifyError::Decode {
                    retryable: false,
                    ..
                }
            ),
            "{lines_cursor}: {err:?}"
        );
        assert!(count.load(Ordering::SeqCst) <= 3, "{lines_cursor}");
    }
}
