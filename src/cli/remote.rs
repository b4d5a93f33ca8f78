//! Building the remote clients from the configuration, for the commands that reach Shopify and
//! Google (`sync`, `missing`, `validate`, `demo`), and the async runtime they run on.

use std::sync::Arc;

use crate::clock::{SharedClock, SystemClock};
use std::time::Duration;

use crate::config::{LocalConfig, RemoteConfig};
use crate::sheets::SheetsSettings;
use crate::shopify::{ShopifyClient, ShopifySettings};
use crate::store::{Store, SyncLock};
use crate::sync::{BulkChoice, Observer, RunKind, Services, StopSignal, SyncError, SyncOptions};

/// The clock every command uses.
#[must_use]
pub fn clock() -> SharedClock {
    Arc::new(SystemClock)
}

/// Runs a future to completion on a fresh current-thread runtime.
///
/// A sync waits on one request at a time, so worker threads would only add wake-ups and
/// hand-offs between them (futex traffic) to each reply.
///
/// # Errors
/// The runtime cannot start (out of file descriptors).
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(future))
}

/// The Shopify client for this configuration.
///
/// # Errors
/// The client cannot be built (TLS set-up).
pub fn shopify(config: &RemoteConfig, clock: SharedClock) -> anyhow::Result<ShopifyClient> {
    let auth = config.shopify_auth.clone();
    let mut settings = ShopifySettings::new(config.store.domain(), auth, clock);
    settings.base_url = Some(
        config
            .shopify_api_url
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
    );
    settings.base_url_origin = Some(config.shopify_api_url_origin.clone());
    settings.api_version.clone_from(&config.api_version);
    Ok(ShopifyClient::new(settings)?)
}

/// Settings for the Sheets client for this configuration.
#[must_use]
pub fn sheets(config: &RemoteConfig, clock: SharedClock) -> SheetsSettings {
    let mut settings = SheetsSettings::new(&config.service_account_file);
    settings.sheets_url = config
        .sheets_api_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    settings.drive_url = config
        .drive_api_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    settings.sheets_url_origin = Some(config.sheets_api_url_origin.clone());
    settings.drive_url_origin = Some(config.drive_api_url_origin.clone());
    settings.clock = clock;
    settings
}

/// A real run, or a dry run when `dry` (`sync --test`, `missing --dry-run`).
#[must_use]
pub fn run_kind(dry: bool) -> RunKind {
    if dry { RunKind::DryRun } else { RunKind::Real }
}

/// Builds the services `sync` and `missing` run on (the Shopify client, the Sheets settings, the
/// store, the clock, progress and stop requests) and runs `job` with them on a fresh runtime.
///
/// # Errors
/// The runtime cannot start (outer), or the Shopify client cannot be built or `job` failed (inner).
pub fn run_with_services<T>(
    config: &RemoteConfig,
    store: &mut Store,
    clock: &SharedClock,
    observer: &dyn Observer,
    stop: StopSignal,
    job: impl AsyncFnOnce(Services<'_>) -> Result<T, SyncError>,
) -> anyhow::Result<anyhow::Result<T>> {
    block_on(async {
        let shopify = shopify(config, clock.clone())?;
        let services = Services {
            shopify: &shopify,
            sheets: sheets(config, clock.clone()),
            store,
            clock: clock.clone(),
            observer,
            stop,
        };
        anyhow::Ok(job(services).await?)
    })
}

/// The sync's options for this configuration; dry runs leave their plan in `./test_output`.
#[must_use]
pub fn sync_options(
    config: &RemoteConfig,
    kind: RunKind,
    force: bool,
    since: Option<chrono::DateTime<chrono::Utc>>,
    bulk: BulkChoice,
) -> SyncOptions {
    SyncOptions {
        kind,
        force,
        bulk,
        since,
        lookback_days: config.lookback_days,
        overlap_minutes: config.overlap_minutes,
        target_spreadsheet: config.target_spreadsheet.clone(),
        worksheet: config.worksheet.clone(),
        shop_domain: config.store.domain(),
        test_output: "test_output".into(),
    }
}

/// How long a writing run waits for another run's lock before giving up with exit 5.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// What a run that may write holds while it works.
#[derive(Debug)]
pub struct Prepared {
    /// The sync lock; `None` for a dry run, which writes nothing another run could trample.
    pub lock: Option<SyncLock>,
    /// The tracking store, open and migrated, on the run's clock.
    pub store: Store,
    /// The run's clock.
    pub clock: SharedClock,
}

/// Takes the lock (real runs only, named `command` for `status`) and opens the store.
///
/// # Errors
/// The lock is held (exit 5) or the store cannot be opened (exit 4).
pub fn prepare(local: &LocalConfig, kind: RunKind, command: &str) -> anyhow::Result<Prepared> {
    let lock = match kind {
        RunKind::Real => Some(SyncLock::acquire(&local.database_path, command, LOCK_WAIT)?),
        RunKind::DryRun => None,
    };
    let clock = clock();
    let store = Store::open(&local.database_path)?.with_clock(clock.clone());
    Ok(Prepared { lock, store, clock })
}
