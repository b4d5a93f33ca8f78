//! The ways a bulk operation goes wrong in the emulator, as Shopify's do: another operation in
//! progress, cancelation (by the app and by the shop), failure with partial data, expired URLs,
//! downloads cut half way or answered 5xx, slow operations on the virtual clock, missing scopes.

mod shopify_support;

use std::time::Duration;

use serde_json::json;
use shopify_support::bulk::*;
use shopsync::sandbox::shopify::{BulkErrorCode, BulkFault, DownloadFault};

const SEVEN_DAYS: Duration = Duration::from_secs(7 * 24 * 3600);

fn in_progress(payload: &serde_json::Value) -> String {
    assert!(payload["bulkOperation"].is_null(), "{payload}");
    let error = &payload["userErrors"][0];
    assert_eq!(error["code"], "OPERATION_IN_PROGRESS", "{payload}");
    assert!(error["field"].is_null());
    error["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_run_while_the_limit_is_reached_is_answered_operation_in_progress() {
    let rig = rig_with(10, |c| c.bulk.max_concurrent = 1).await;
    // A run the client started before it was killed.
    let earlier = rig.emu.start_bulk_query(ORDERS_WITH_LINES).unwrap();
    let message = in_progress(&rig.run(ORDERS_WITH_LINES).await);
    assert_eq!(
        message,
        format!("A bulk query operation for this app and shop is already in progress: {earlier}.")
    );
    // Once it has finished, a new one starts.
    assert_eq!(rig.settle(&earlier).await["status"], "COMPLETED");
    rig.start(ORDERS_WITH_LINES).await;
}

#[tokio::test]
async fn five_query_operations_run_at_once_and_the_sixth_waits() {
    let rig = rig(5).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(rig.start(ORDERS_WITH_LINES).await);
    }
    let message = in_progress(&rig.run(ORDERS_WITH_LINES).await);
    assert!(
        message.ends_with(&format!("{}.", ids.join(", "))),
        "{message}"
    );
    rig.cancel(&ids[0]).await;
    // CANCELING still counts; CANCELED frees the slot.
    in_progress(&rig.run(ORDERS_WITH_LINES).await);
    rig.settle(&ids[0]).await;
    rig.start(ORDERS_WITH_LINES).await;
}

#[tokio::test]
async fn an_injected_in_progress_names_an_operation_the_client_can_find() {
    let rig = rig(5).await;
    rig.emu.inject_bulk(1, BulkFault::InProgress);
    let message = in_progress(&rig.run(ORDERS_WITH_LINES).await);
    let other = message.rsplit(' ').next().unwrap().trim_end_matches('.');
    assert_eq!(rig.poll(other).await["status"], "RUNNING");
    assert_eq!(
        rig.cancel(other).await["bulkOperation"]["status"],
        "CANCELING"
    );
    // The second run is not faulted.
    rig.start(ORDERS_WITH_LINES).await;
    assert_eq!(rig.emu.stats().bulk.runs, 2);
}

#[tokio::test]
async fn a_run_can_be_answered_limit_reached() {
    let rig = rig(5).await;
    rig.emu.inject_bulk(1, BulkFault::LimitReached);
    let payload = rig.run(ORDERS_WITH_LINES).await;
    assert!(payload["bulkOperation"].is_null());
    assert_eq!(
        payload["userErrors"][0]["code"], "LIMIT_REACHED",
        "{payload}"
    );
    assert_eq!(rig.emu.stats().bulk.started, 0);
    rig.start(ORDERS_WITH_LINES).await;
}

#[tokio::test]
async fn a_cancel_goes_through_canceling_to_canceled() {
    let rig = rig_with(10, |c| c.bulk.polls = 3).await;
    let id = rig.start(ORDERS_WITH_LINES).await;
    assert_eq!(rig.poll(&id).await["status"], "RUNNING");
    let canceling = rig.cancel(&id).await;
    assert_eq!(canceling["userErrors"], json!([]));
    assert_eq!(canceling["bulkOperation"]["status"], "CANCELING");
    assert_eq!(rig.poll(&id).await["status"], "CANCELING");
    let canceled = rig.poll(&id).await;
    assert_eq!(canceled["status"], "CANCELED");
    assert!(canceled["fileSize"].is_null());
    assert!(canceled["completedAt"].is_null());
    let again = rig.cancel(&id).await;
    assert_eq!(again["bulkOperation"]["status"], "CANCELED");
    assert_eq!(
        again["userErrors"],
        json!([{ "field": null, "message": "A bulk operation cannot be canceled when it is canceled" }])
    );
    let unknown = rig.cancel("gid://shopify/BulkOperation/1").await;
    assert!(unknown["bulkOperation"].is_null());
    assert_eq!(
        unknown["userErrors"],
        json!([{ "field": ["id"], "message": "Bulk operation does not exist" }])
    );
    assert_eq!(rig.emu.stats().bulk.cancels, 1);
}

#[tokio::test]
async fn the_shop_can_cancel_an_operation_that_still_carries_a_url() {
    let rig = rig(10).await;
    rig.emu.inject_bulk(1, BulkFault::CanceledByShop);
    let id = rig.start(ORDERS_WITH_LINES).await;
    let op = rig.settle(&id).await;
    assert_eq!(op["status"], "CANCELED");
    // As in Shopify's recorded replies: a CANCELED operation may point at data; it is not a result.
    assert!(op["url"].is_string(), "{op}");
    assert!(op["fileSize"].is_null());
}

#[tokio::test]
async fn a_failed_operation_serves_its_partial_data() {
    let rig = rig(40).await;
    rig.emu.inject_bulk(
        1,
        BulkFault::Fail {
            code: BulkErrorCode::InternalServerError,
            after_objects: 25,
        },
    );
    let id = rig.start(ORDERS_WITH_LINES).await;
    let failed = rig.settle(&id).await;
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["errorCode"], "INTERNAL_SERVER_ERROR");
    assert!(failed["url"].is_null() && failed["fileSize"].is_null());
    let (status, body) = rig
        .download(failed["partialDataUrl"].as_str().unwrap())
        .await;
    assert_eq!(status, 200);
    let partial = lines(&body);
    assert_eq!(failed["objectCount"], partial.len().to_string());
    assert!((25..40).contains(&partial.len()), "{}", partial.len());

    rig.emu.inject_bulk(
        2,
        BulkFault::Fail {
            code: BulkErrorCode::Timeout,
            after_objects: 0,
        },
    );
    let id = rig.start(ORDERS_WITH_LINES).await;
    let nothing = rig.settle(&id).await;
    assert_eq!(nothing["errorCode"], "TIMEOUT");
    assert!(nothing["partialDataUrl"].is_null(), "no data, no URL");
}

#[tokio::test]
async fn urls_expire_after_seven_days_on_the_clock() {
    let rig = rig(10).await;
    let id = rig.start(ORDERS_WITH_LINES).await;
    let done = rig.settle(&id).await;
    let url = done["url"].as_str().unwrap().to_owned();
    rig.advance(SEVEN_DAYS - Duration::from_secs(1));
    assert_eq!(rig.download(&url).await.0, 200);
    rig.advance(Duration::from_secs(1));
    let (status, body) = rig.download(&url).await;
    assert_eq!(status, 400);
    assert!(body.contains("<Code>ExpiredToken</Code>"), "{body}");
    let expired = rig.poll(&id).await;
    assert_eq!(expired["status"], "EXPIRED");
    assert!(expired["url"].is_null());
    // A tampered URL is refused, expired or not.
    let tampered = url.replace("Expires=", "Expires=9");
    assert_eq!(rig.download(&tampered).await.0, 403);
}

#[tokio::test]
async fn a_url_can_expire_before_the_client_downloads_it() {
    let rig = rig(10).await;
    rig.emu.inject_bulk(1, BulkFault::ExpireBeforeDownload);
    let id = rig.start(ORDERS_WITH_LINES).await;
    let done = rig.settle(&id).await;
    assert_eq!(done["status"], "COMPLETED");
    let (status, _) = rig.download(done["url"].as_str().unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(rig.poll(&id).await["status"], "EXPIRED");
}

#[tokio::test]
async fn a_download_can_be_cut_half_way_or_fail_and_then_succeed() {
    let rig = rig(30).await;
    let id = rig.start(ORDERS_WITH_LINES).await;
    let done = rig.settle(&id).await;
    let url = done["url"].as_str().unwrap();
    let size: u64 = done["fileSize"].as_str().unwrap().parse().unwrap();
    rig.emu.inject_download(1, DownloadFault::CutHalfway);
    rig.emu.inject_download(2, DownloadFault::Status(503));
    let cut = reqwest::get(url).await.unwrap();
    assert_eq!(cut.status(), 200);
    assert_eq!(cut.content_length(), Some(size));
    assert!(
        cut.bytes().await.is_err(),
        "a cut body must not read as complete"
    );
    let (status, body) = rig.download(url).await;
    assert_eq!(status, 503);
    assert!(body.contains("<Code>InternalError</Code>"));
    let (status, body) = rig.download(url).await;
    assert_eq!(status, 200);
    assert_eq!(body.len() as u64, size);
    // A client may resume from where the cut left it.
    let resumed = reqwest::Client::new()
        .get(url)
        .header("Range", format!("bytes={}-", size / 2))
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 206);
    assert_eq!(resumed.text().await.unwrap(), body[(size / 2) as usize..]);
    let stats = rig.emu.stats().bulk;
    assert_eq!(stats.downloads, 4);
    assert_eq!(stats.bytes_served, size / 2 + size + (size - size / 2));
}

#[tokio::test]
async fn a_slow_operation_runs_for_its_polls_and_its_time_on_the_clock() {
    let rig = rig(10).await;
    rig.emu.inject_bulk(
        1,
        BulkFault::Slow {
            polls: 3,
            run_time: Duration::from_secs(120),
        },
    );
    let id = rig.start(ORDERS_WITH_LINES).await;
    for _ in 0..3 {
        assert_eq!(rig.poll(&id).await["status"], "RUNNING");
        rig.advance(Duration::from_secs(30));
    }
    // Three polls done, but only 90 s have passed.
    assert_eq!(rig.poll(&id).await["status"], "RUNNING");
    rig.advance(Duration::from_secs(30));
    assert_eq!(rig.poll(&id).await["status"], "COMPLETED");
}

#[tokio::test]
async fn a_token_without_read_orders_fails_the_operation_access_denied() {
    let rig = rig(10).await;
    rig.emu.add_token("shpat_products_only", &["read_products"]);
    let reply = rig
        .post_as(
            "shpat_products_only",
            RUN,
            json!({ "query": ORDERS_WITH_LINES, "group": false }),
        )
        .await;
    let id = reply["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let failed = rig.settle(&id).await;
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["errorCode"], "ACCESS_DENIED");
    assert!(failed["partialDataUrl"].is_null());
}

#[tokio::test]
async fn a_download_that_sends_the_shopify_token_is_counted() {
    let rig = rig(5).await;
    let id = rig.start(ORDERS_WITH_LINES).await;
    let done = rig.settle(&id).await;
    let response = reqwest::Client::new()
        .get(done["url"].as_str().unwrap())
        .header("X-Shopify-Access-Token", "shpat_sandbox_token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "storage ignores it, as Google does");
    assert_eq!(rig.emu.stats().bulk.downloads_with_token, 1);
}
