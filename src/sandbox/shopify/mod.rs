//! A faithful Shopify Admin GraphQL emulator on loopback, for tests, benchmarks and `demo`.
//!
//! An independent witness: written from the API notes and Shopify's schema, it imports nothing
//! from the `shopify` client. It validates every document against its served schema subset (and,
//! when configured, against Shopify's real schema file), computes query costs by Shopify's rules,
//! keeps a leaky bucket on the shared clock, and can be told to fail in the ways Shopify does.
//! It runs bulk query operations too, serving their JSONL from a second loopback port that stands
//! in for Google Cloud Storage ([`BulkConfig`], [`BulkFault`], [`DownloadFault`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use std::sync::Arc;
//! use shopsync::clock::{Clock, SystemClock};
//! use shopsync::sandbox::data::{StoreSpec, generate};
//! use shopsync::sandbox::shopify::{EmulatorConfig, Fault, ShopifyEmulator};
//!
//! let clock = Arc::new(SystemClock);
//! let data = generate(&StoreSpec::new(7, 2_000, clock.now()));
//! let emulator = ShopifyEmulator::start(EmulatorConfig::new(data, clock)).await?;
//! let base_url = emulator.base_url(); // use as `shopify_api_url`, token `SANDBOX_TOKEN`
//! emulator.inject(3, Fault::ServerErrorAfterApply); // the third request runs, then answers 503
//! emulator.add_orders(5);
//! println!("{base_url}: {:?}", emulator.stats());
//! # Ok(())
//! # }
//! ```

mod bucket;
mod bulk;
mod config;
mod cost;
mod resolve;
pub mod schema;
mod server;
pub mod store;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use apollo_compiler::ExecutableDocument;
use apollo_compiler::validation::Valid;
use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

pub use bucket::BucketConfig;
pub use bulk::{BulkConfig, BulkErrorCode, BulkFault, BulkStats, DownloadFault};
pub use config::{AppCredentials, EmulatorConfig, Fault, SANDBOX_TOKEN, Stats};
pub use server::{MAX_QUERY_COST, SUPPORTED_VERSIONS};
use store::Store;

use crate::clock::SharedClock;
use crate::sandbox::data::ORDER_ID_BASE;

#[derive(Debug, Default)]
struct Auth {
    tokens: HashMap<String, Vec<String>>,
    app: Option<AppCredentials>,
    issued: HashMap<String, (DateTime<Utc>, Vec<String>)>,
}

#[derive(Debug, Default)]
struct Faults {
    by_request: HashMap<u64, Fault>,
    always: Option<Fault>,
}

/// State shared by the handlers and the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    clock: SharedClock,
    /// Shared with bulk exports, which read it a chunk at a time on their own threads.
    store: Arc<Mutex<Store>>,
    bucket: Mutex<bucket::Bucket>,
    auth: Mutex<Auth>,
    faults: Mutex<Faults>,
    stats: Mutex<Stats>,
    reference_schema: bool,
    window_days: i64,
    /// Documents already validated, by their text: clients send the same few again and again.
    documents: Mutex<HashMap<String, Arc<Valid<ExecutableDocument>>>>,
    /// Headers of the last GraphQL request, the access token left out.
    last_headers: Mutex<Vec<(String, String)>>,
    /// Whether protected customer data is served.
    protected_data: AtomicBool,
    /// Stalled and in-flight requests.
    stalls: crate::sandbox::Stalls,
    /// Bulk operations and their results.
    bulk: bulk::Bulk,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn cached_document(&self, query: &str) -> Option<Arc<Valid<ExecutableDocument>>> {
        lock(&self.documents).get(query).cloned()
    }

    fn cache_document(&self, query: String, doc: Arc<Valid<ExecutableDocument>>) {
        let mut documents = lock(&self.documents);
        // Bounded: a client that builds documents dynamically must not grow this forever.
        if documents.len() >= 64 {
            documents.clear();
        }
        documents.insert(query, doc);
    }

    fn record_headers(&self, headers: &HeaderMap) {
        *lock(&self.last_headers) = headers
            .iter()
            .filter(|(name, _)| name.as_str() != "x-shopify-access-token")
            .map(|(name, value)| {
                (
                    name.to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
    }

    fn count_request(&self) -> u64 {
        let mut stats = lock(&self.stats);
        stats.requests += 1;
        stats.requests
    }

    fn fault_for(&self, request: u64) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        faults
            .by_request
            .remove(&request)
            .or_else(|| faults.always.clone())
    }

    fn stats_mut(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut lock(&self.stats));
    }

    fn bucket_config(&self) -> BucketConfig {
        lock(&self.bucket).config
    }

    fn bucket_take(&self, now: DateTime<Utc>, cost: f64) -> (bool, f64) {
        let mut bucket = lock(&self.bucket);
        let taken = bucket.take(now, cost);
        (taken, bucket.available(now))
    }

    fn bucket_refund(&self, now: DateTime<Utc>, points: f64) -> f64 {
        let mut bucket = lock(&self.bucket);
        bucket.refund(points);
        bucket.available(now)
    }

    fn authenticate(&self, headers: &HeaderMap) -> Option<Vec<String>> {
        let token = headers.get("x-shopify-access-token")?.to_str().ok()?;
        let auth = lock(&self.auth);
        if let Some(scopes) = auth.tokens.get(token) {
            return Some(scopes.clone());
        }
        let (expires, scopes) = auth.issued.get(token)?;
        (self.clock.now() < *expires).then(|| scopes.clone())
    }

    fn issue_token(&self, id: &str, secret: &str) -> Option<(String, String, u64)> {
        let mut auth = lock(&self.auth);
        let app = auth.app.clone()?;
        if app.client_id != id || app.client_secret != secret {
            return None;
        }
        let token = format!("shpua_emulated_{:04}", auth.issued.len() + 1);
        let expires = self.clock.now()
            + chrono::Duration::from_std(app.lifetime).unwrap_or(chrono::Duration::MAX);
        auth.issued
            .insert(token.clone(), (expires, app.scopes.clone()));
        Some((token, app.scopes.join(","), app.lifetime.as_secs()))
    }
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct ShopifyEmulator {
    base_url: String,
    shared: Arc<Shared>,
    /// Stops both servers (GraphQL and result storage) when set or dropped.
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Drop for ShopifyEmulator {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

impl ShopifyEmulator {
    /// Starts the emulator on `127.0.0.1:0` in the current tokio runtime.
    ///
    /// # Errors
    /// When the loopback port cannot be bound.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Self> {
        let auth = Auth {
            tokens: config.tokens.into_iter().collect(),
            app: config.app,
            issued: HashMap::new(),
        };
        // Results are served on a port of their own: another origin, as Google Cloud Storage is.
        let storage_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let storage_url = format!("http://{}", storage_listener.local_addr()?);
        let store = Arc::new(Mutex::new(Store::new(config.data)));
        let bulk = bulk::Bulk::new(
            config.bulk,
            config.clock.clone(),
            store.clone(),
            config.reference_schema,
            storage_url,
        );
        let shared = Arc::new(Shared {
            clock: config.clock,
            store,
            bucket: Mutex::new(bucket::Bucket::new(config.bucket)),
            auth: Mutex::new(auth),
            faults: Mutex::default(),
            stats: Mutex::default(),
            reference_schema: config.reference_schema,
            window_days: store::DEFAULT_WINDOW_DAYS,
            documents: Mutex::default(),
            last_headers: Mutex::default(),
            protected_data: AtomicBool::new(config.protected_data_access),
            stalls: crate::sandbox::Stalls::default(),
            bulk,
        });
        let app = Router::new()
            .route("/admin/api/{version}/graphql.json", post(server::graphql))
            .route("/admin/oauth/access_token", post(server::access_token))
            .with_state(shared.clone());
        let storage = Router::new()
            .route(
                "/{bucket}/bulk-operation-outputs/{object}",
                get(bulk::storage::download),
            )
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        for (listener, router) in [(listener, app), (storage_listener, storage)] {
            let mut stop = rx.clone();
            tokio::spawn(async move {
                let _ = axum::serve(listener, router)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|stop| *stop).await;
                    })
                    .await;
            });
        }
        Ok(Self {
            base_url: format!("http://{addr}"),
            shared,
            shutdown: tx,
        })
    }

    /// `http://127.0.0.1:PORT`, to use as the Shopify base URL.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The counters so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let mut stats = lock(&self.shared.stats).clone();
        stats.bulk = self.shared.bulk.stats();
        stats
    }

    /// Headers of the last GraphQL request (names lower-case), the access token left out.
    #[must_use]
    pub fn last_request_headers(&self) -> Vec<(String, String)> {
        lock(&self.shared.last_headers).clone()
    }

    /// Fails GraphQL request number `request` (1-based, counting every GraphQL request).
    pub fn inject(&self, request: u64, fault: Fault) {
        lock(&self.shared.faults).by_request.insert(request, fault);
    }

    /// Fails every GraphQL request from now on (until [`Self::clear_faults`]).
    pub fn inject_always(&self, fault: Fault) {
        lock(&self.shared.faults).always = Some(fault);
    }

    /// Removes every injected fault (bulk and download faults included).
    pub fn clear_faults(&self) {
        *lock(&self.shared.faults) = Faults::default();
        self.shared.bulk.clear_faults();
    }

    /// Changes the bucket (it starts full).
    pub fn set_bucket(&self, config: BucketConfig) {
        *lock(&self.shared.bucket) = bucket::Bucket::new(config);
    }

    /// Grants or withholds protected customer data from now on.
    pub fn set_protected_data_access(&self, granted: bool) {
        self.shared.protected_data.store(granted, Ordering::Relaxed);
    }

    /// Grants a static token these scopes.
    pub fn add_token(&self, token: &str, scopes: &[&str]) {
        lock(&self.shared.auth).tokens.insert(
            token.to_owned(),
            scopes.iter().map(|s| (*s).to_owned()).collect(),
        );
    }

    /// Its [`Fault::Stall`]s (to wait until one holds a request, and to end it) and the requests
    /// it is handling.
    #[must_use]
    pub fn stalls(&self) -> &crate::sandbox::Stalls {
        &self.shared.stalls
    }

    /// Revokes every token (static and issued): the next request gets 401.
    pub fn revoke_tokens(&self) {
        let mut auth = lock(&self.shared.auth);
        auth.tokens.clear();
        auth.issued.clear();
    }

    /// Reads or changes the store. `now` is the emulator clock's time, for stamping updates.
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store, DateTime<Utc>) -> R) -> R {
        let now = self.shared.clock.now();
        f(&mut lock(&self.shared.store), now)
    }

    /// Adds `n` new orders created now, numbered after the highest number; returns their IDs.
    pub fn add_orders(&self, n: usize) -> Vec<u64> {
        self.with_store(|store, now| {
            let Some(template) = store.orders().max_by_key(|o| o.number).cloned() else {
                return Vec::new();
            };
            (1..=n as i64)
                .map(|k| {
                    let mut order = template.clone();
                    order.number = template.number + k;
                    order.id = ORDER_ID_BASE + u64::try_from(order.number).unwrap_or(0) * 7;
                    order.created_at = now.timestamp();
                    order.updated_at = now.timestamp();
                    order.cancelled_at = None;
                    for i in 0..order.lines.len() {
                        order.lines[i].id = store.next_line_id();
                    }
                    let id = order.id;
                    store.insert(order);
                    id
                })
                .collect()
        })
    }

    /// Touches an order (bumps `updatedAt` to now).
    pub fn touch(&self, id: u64) -> bool {
        self.with_store(|s, now| s.update(id, now.timestamp(), |_| {}))
    }

    /// Cancels an order.
    pub fn cancel(&self, id: u64) -> bool {
        self.with_store(|s, now| {
            s.update(id, now.timestamp(), |o| {
                o.cancelled_at = Some(now.timestamp());
                o.financial_status = Some("VOIDED");
            })
        })
    }

    /// Refunds `minor` units of an order.
    pub fn refund(&self, id: u64, minor: i64) -> bool {
        self.with_store(|s, now| {
            s.update(id, now.timestamp(), |o| {
                o.refunded_minor += minor;
                o.financial_status = Some(if o.refunded_minor >= o.total_minor() {
                    "REFUNDED"
                } else {
                    "PARTIALLY_REFUNDED"
                });
            })
        })
    }

    /// Edits an order: removes line `index` (current quantity 0) and adds a copy of it as a new line.
    pub fn edit_lines(&self, id: u64, index: usize) -> bool {
        self.with_store(|s, now| {
            let Some(template) = s.get(id).and_then(|o| o.lines.get(index)).cloned() else {
                return false;
            };
            let new_line = s.new_line_like(&template);
            s.update(id, now.timestamp(), |o| {
                o.lines[index].current_quantity = 0;
                o.lines.push(new_line);
            })
        })
    }

    /// Deletes an order.
    pub fn delete(&self, id: u64) -> bool {
        self.with_store(|s, _| s.delete(id))
    }
}
