//! The bulk export client against the Shopify emulator: the same orders as paging, every way an
//! operation ends, busy answers, a download cut half way, and a killed run's operation found again.

mod shopify_support;

use std::time::Duration;

use shopify_support::bulk::{Rig, now, rig, rig_with};
use shopsync::config::Secret;
use shopsync::order::Order;
use shopsync::retry::Backoff;
use shopsync::sandbox::shopify::{BulkErrorCode, BulkFault, DownloadFault, SANDBOX_TOKEN};
use shopsync::shopify::bulk::{BulkError, BulkStatus, export_query};
use shopsync::shopify::{Auth, ShopifyClient};

fn client(rig: &Rig) -> ShopifyClient {
    let mut settings = rig.settings(Auth::Token(Secret::new(SANDBOX_TOKEN)));
    settings.backoff = Backoff {
        max_attempts: 3,
        base: Duration::from_millis(100),
        cap: Duration::from_secs(1),
    };
    ShopifyClient::new(settings).unwrap()
}

fn window() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    (now() - chrono::Duration::days(3650), now())
}

async fn paged(client: &ShopifyClient) -> Vec<Order> {
    let (from, to) = window();
    let mut stream = client.orders_updated(from, to);
    let mut all = Vec::new();
    while let Some(page) = stream.next_page().await.unwrap() {
        all.extend(page.orders);
    }
    all
}

async fn bulk(client: &ShopifyClient) -> Result<(Vec<Order>, bool), BulkError> {
    let (from, to) = window();
    let mut export = client.bulk_orders(from, to).await?;
    let mut all = Vec::new();
    while let Some(batch) = export.batches.next_batch(7)? {
        assert!(batch.len() <= 7);
        all.extend(batch);
    }
    let stats = export.batches.stats();
    assert_eq!(stats.orders, all.len() as u64);
    Ok((all, export.adopted))
}

#[tokio::test]
async fn a_bulk_export_yields_exactly_the_orders_paging_does() {
    let rig = rig(40).await;
    let client = client(&rig);
    let (bulk, adopted) = bulk(&client).await.unwrap();
    assert!(!adopted);
    let paged = paged(&client).await;
    assert_eq!(bulk.len(), 40);
    // Same orders, same line items in the same order, field for field.
    assert_eq!(bulk, paged);
    let stats = rig.emu.stats().bulk;
    assert_eq!(stats.started, 1);
    assert_eq!(stats.downloads, 1);
    assert_eq!(
        stats.downloads_with_token, 0,
        "the storage host gets no token"
    );
}

#[tokio::test]
async fn an_empty_window_has_no_file_and_no_orders() {
    let rig = rig(5).await;
    let client = client(&rig);
    let far = now() - chrono::Duration::days(20_000);
    let mut export = client
        .bulk_orders(far, far + chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(export.operation.status, BulkStatus::Completed);
    assert!(export.operation.url.is_none(), "{:?}", export.operation);
    assert!(export.batches.next_batch(10).unwrap().is_none());
    assert_eq!(rig.emu.stats().bulk.downloads, 0);
}

#[tokio::test]
async fn a_failed_export_with_partial_data_is_an_error_not_a_short_result() {
    let rig = rig(30).await;
    rig.emu.inject_bulk(
        1,
        BulkFault::Fail {
            code: BulkErrorCode::Timeout,
            after_objects: 10,
        },
    );
    let client = client(&rig);
    match bulk(&client).await {
        Err(BulkError::Failed { code, partial, .. }) => {
            assert_eq!(code, "TIMEOUT");
            assert!(partial);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rig.emu.stats().bulk.downloads,
        0,
        "partial data is not used"
    );
}

#[tokio::test]
async fn canceled_and_expired_exports_are_errors() {
    let rig = rig(10).await;
    rig.emu.inject_bulk(1, BulkFault::CanceledByShop);
    rig.emu.inject_bulk(2, BulkFault::ExpireBeforeDownload);
    let client = client(&rig);
    assert!(matches!(bulk(&client).await, Err(BulkError::Canceled)));
    assert!(matches!(bulk(&client).await, Err(BulkError::Expired)));
}

#[tokio::test]
async fn busy_answers_are_waited_out_and_limits_reported() {
    let rig = rig(10).await;
    rig.emu.inject_bulk(1, BulkFault::LimitReached);
    let client = client(&rig);
    let (orders, _) = bulk(&client).await.unwrap();
    assert_eq!(orders.len(), 10);
    assert_eq!(rig.emu.stats().bulk.runs, 2);
    for run in 3..=8 {
        rig.emu.inject_bulk(run, BulkFault::LimitReached);
    }
    match bulk(&client).await {
        Err(BulkError::Refused { code, .. }) => assert_eq!(code, "LIMIT_REACHED"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_download_cut_half_way_is_downloaded_again_then_reported() {
    let rig = rig(30).await;
    rig.emu.inject_download(1, DownloadFault::CutHalfway);
    let client = client(&rig);
    let (orders, _) = bulk(&client).await.unwrap();
    assert_eq!(orders.len(), 30);
    assert_eq!(rig.emu.stats().bulk.downloads, 2);

    rig.emu.inject_download(3, DownloadFault::CutHalfway);
    rig.emu.inject_download(4, DownloadFault::CutHalfway);
    assert!(matches!(bulk(&client).await, Err(BulkError::Download(_))));
}

#[tokio::test]
async fn a_killed_runs_export_is_adopted_for_its_window_and_canceled_for_another() {
    let rig = rig_with(12, |c| {
        c.bulk.polls = 3;
    })
    .await;
    let client = client(&rig);
    let (from, to) = window();
    // What a run killed after starting its export leaves behind.
    let left = rig.emu.start_bulk_query(&export_query(from, to)).unwrap();
    let (orders, adopted) = bulk(&client).await.unwrap();
    assert!(adopted);
    assert_eq!(orders.len(), 12);
    assert_eq!(rig.emu.stats().bulk.started, 1, "no second export: {left}");

    let other = rig
        .emu
        .start_bulk_query(&export_query(from, to - chrono::Duration::hours(1)))
        .unwrap();
    let (orders, adopted) = bulk(&client).await.unwrap();
    assert!(!adopted);
    assert_eq!(orders.len(), 12);
    let stats = rig.emu.stats().bulk;
    assert_eq!(stats.cancels, 1, "{other} is canceled");
    assert_eq!(stats.started, 3);
}
