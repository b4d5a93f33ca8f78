//! Bulk query operations, as Shopify runs them: `bulkOperationRunQuery` validates the inner query
//! (the same validation every document gets, then Shopify's bulk rules), an export runs in the
//! background, polls see CREATED → RUNNING → COMPLETED (or FAILED, CANCELING → CANCELED, EXPIRED),
//! and the JSONL result is served on a second loopback port standing in for Google Cloud Storage.
//!
//! Written from `SHOPIFY-API.md` section 4, the 2026-04 schema and Shopify's recorded 2026-04
//! replies (message texts, five concurrent query operations, a canceled operation that still carries
//! a `url`, costs of 10 per mutation and 1 per poll); never from a client. Where Shopify's behaviour
//! is not known the emulator is the stricter of the choices and says so in its message ("The Shopify
//! emulator …").
//!
//! Status is a function of what the client observed: an operation answers RUNNING for
//! [`BulkConfig::polls`] reads and until [`BulkConfig::run_time`] has passed on the emulator's
//! clock, then its outcome. A poll that is due to see the outcome waits (a few seconds at most) for
//! the export to finish, so tests are deterministic and a slow export looks slow.

mod export;
mod handle;
mod operation;
pub(crate) mod resolve;
mod rules;
pub(crate) mod storage;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Field, SelectionSet};
use apollo_compiler::response::JsonMap;

use self::operation::{Operation, OperationView, Schedule, Status, Work};
use super::lock;
use super::store::{Store, Visibility};
use crate::clock::SharedClock;

pub use self::resolve::SDL;

/// Shopify stops a bulk query that has not finished after ten days and marks it FAILED.
/// See: shopify.dev/docs/api/usage/bulk-operations/queries ("Limitations").
const MAX_RUN_TIME: chrono::Duration = chrono::Duration::days(10);

/// How long a poll that is due to see an outcome waits for the export before answering RUNNING.
const SETTLE_WAIT: Duration = Duration::from_secs(5);

/// How the emulator runs bulk operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkConfig {
    /// Reads of an operation that answer RUNNING before it may finish (each poll is a read).
    pub polls: u32,
    /// Time on the emulator's clock an operation runs at least, counted from `createdAt`.
    pub run_time: Duration,
    /// How long `url` and `partialDataUrl` stay valid. See: the schema ("expire after seven days").
    pub url_lifetime: Duration,
    /// Query operations one app may run at once on a shop: five from API version 2026-01 (the
    /// bulk guide and Shopify's recorded OPERATION_IN_PROGRESS naming five running operations).
    pub max_concurrent: usize,
    /// Whether the JSONL escapes `/` as `\/`, as Shopify's files do (`"gid:\/\/shopify\/Order\/1"`):
    /// a client that matches substrings instead of parsing JSON fails on it.
    pub escape_slashes: bool,
    /// Seed of the order in which child lines interleave with later parents.
    pub seed: u64,
}

impl Default for BulkConfig {
    fn default() -> Self {
        Self {
            polls: 1,
            run_time: Duration::ZERO,
            url_lifetime: Duration::from_secs(7 * 24 * 3600),
            max_concurrent: 5,
            escape_slashes: true,
            seed: 0x0b01_c0de,
        }
    }
}

/// `BulkOperationErrorCode`: why an operation FAILED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkErrorCode {
    /// `ACCESS_DENIED`: the query needs a scope the token lacks.
    AccessDenied,
    /// `INTERNAL_SERVER_ERROR`: Shopify failed part way.
    InternalServerError,
    /// `TIMEOUT`: the query timed out part way.
    Timeout,
}

impl BulkErrorCode {
    /// The enum value as Shopify spells it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "ACCESS_DENIED",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
            Self::Timeout => "TIMEOUT",
        }
    }
}

/// A way for one `bulkOperationRunQuery` (counted from 1, rejected runs included) to go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkFault {
    /// Another process of the same app starts an operation just before: the run is answered
    /// OPERATION_IN_PROGRESS naming it (and any others running), whatever the concurrency limit.
    InProgress,
    /// The run is answered LIMIT_REACHED (the schema's "Bulk operations limit reached. Please try
    /// again later."); when Shopify answers it is not documented further.
    LimitReached,
    /// The export stops after `after_objects` objects and the operation FAILED with `code`; what
    /// was exported is served at `partialDataUrl` (null when nothing was).
    Fail {
        /// The `errorCode`.
        code: BulkErrorCode,
        /// Objects exported before the failure.
        after_objects: u64,
    },
    /// The shop cancels the operation when it would have completed: CANCELING, then CANCELED.
    CanceledByShop,
    /// The result URL expires the moment the operation completes: the download answers Google's
    /// 400 `ExpiredToken` and the next poll says EXPIRED.
    ExpireBeforeDownload,
    /// The operation answers RUNNING for `polls` reads and at least `run_time` on the clock.
    Slow {
        /// RUNNING reads.
        polls: u32,
        /// Minimum run time on the emulator's clock.
        run_time: Duration,
    },
}

/// A way for one result download (counted from 1) to go wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadFault {
    /// Sends half of the body, then drops the connection.
    CutHalfway,
    /// Answers this status with Google Cloud Storage's XML error body.
    Status(u16),
}

/// Bulk counters tests and benchmarks read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkStats {
    /// `bulkOperationRunQuery` mutations received.
    pub runs: u64,
    /// Operations started (including those started by [`BulkFault::InProgress`] and
    /// [`ShopifyEmulator::start_bulk_query`](crate::sandbox::shopify::ShopifyEmulator::start_bulk_query)).
    pub started: u64,
    /// Runs answered with `userErrors`.
    pub rejected: u64,
    /// Reads of an operation's state (`bulkOperation`, `node`, `currentBulkOperation`,
    /// `bulkOperations`): the client's polls.
    pub polls: u64,
    /// `bulkOperationCancel` mutations that started a cancelation.
    pub cancels: u64,
    /// GET requests on result URLs.
    pub downloads: u64,
    /// Body bytes sent on them.
    pub bytes_served: u64,
    /// Downloads that carried an `X-Shopify-Access-Token`: the client sent its Shopify secret to
    /// the storage host, which needs none.
    pub downloads_with_token: u64,
}

/// The fields of `set`, fragments flattened (a bulk query has no variables to skip on).
fn selected<'d>(doc: &'d ExecutableDocument, set: &'d SelectionSet) -> Vec<&'d Field> {
    let mut out = Vec::new();
    super::cost::fields(doc, set, &JsonMap::new(), &mut out);
    out
}

/// A `userErrors` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserErrorView {
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: Option<&'static str>,
}

impl UserErrorView {
    fn invalid(message: String) -> Self {
        Self {
            field: Some(vec!["query".to_owned()]),
            message,
            code: Some("INVALID"),
        }
    }
}

/// What the shop's bulk operations look like to a request.
#[derive(Debug, Default)]
struct Registry {
    operations: Vec<Operation>,
    faults: HashMap<u64, BulkFault>,
    download_faults: HashMap<u64, DownloadFault>,
    stats: BulkStats,
}

/// What a request that reads or runs bulk operations needs besides the store.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub vis: Visibility,
    pub scopes: &'a [String],
    pub protected: bool,
}

/// The shop's bulk operations.
#[derive(Debug)]
pub(crate) struct Bulk {
    config: BulkConfig,
    clock: SharedClock,
    store: Arc<Mutex<Store>>,
    /// Whether bulk queries are validated against the extract of Shopify's schema first.
    reference_schema: bool,
    signer: storage::Signer,
    /// Distinguishes this emulator's result files from other emulators' in the same process.
    instance: u64,
    state: Mutex<Registry>,
}

impl Bulk {
    pub fn new(
        config: BulkConfig,
        clock: SharedClock,
        store: Arc<Mutex<Store>>,
        reference_schema: bool,
        storage_url: String,
    ) -> Self {
        static INSTANCES: AtomicU64 = AtomicU64::new(0);
        let instance = INSTANCES.fetch_add(1, Ordering::Relaxed);
        Self {
            signer: storage::Signer::new(storage_url, config.seed ^ instance),
            config,
            clock,
            store,
            reference_schema,
            instance,
            state: Mutex::default(),
        }
    }

    pub fn stats(&self) -> BulkStats {
        lock(&self.state).stats.clone()
    }

    pub fn clear_faults(&self) {
        let mut state = lock(&self.state);
        state.faults.clear();
        state.download_faults.clear();
    }

    /// `bulkOperationRunQuery(query:, groupObjects:)`, from a request holding the store.
    pub fn run(
        &self,
        caller: Caller<'_>,
        query: &str,
        group: bool,
    ) -> (Option<OperationView>, Vec<UserErrorView>) {
        let mut state = lock(&self.state);
        state.stats.runs += 1;
        let attempt = state.stats.runs;
        let fault = state.faults.remove(&attempt);
        let doc = match rules::prepare(self.reference_schema, query) {
            Ok(doc) => doc,
            Err(messages) => {
                state.stats.rejected += 1;
                return (
                    None,
                    messages.into_iter().map(UserErrorView::invalid).collect(),
                );
            }
        };
        if fault == Some(BulkFault::LimitReached) {
            state.stats.rejected += 1;
            let error = UserErrorView {
                field: None,
                message: "Bulk operations limit reached. Please try again later.".to_owned(),
                code: Some("LIMIT_REACHED"),
            };
            return (None, vec![error]);
        }
        if fault == Some(BulkFault::InProgress) {
            self.create(&mut state, caller, query, doc.clone(), group, None);
        }
        let running: Vec<String> = state
            .operations
            .iter()
            .filter(|op| op.in_progress())
            .map(Operation::gid)
            .collect();
        if fault == Some(BulkFault::InProgress) || running.len() >= self.config.max_concurrent {
            state.stats.rejected += 1;
            let message = format!(
                "A bulk query operation for this app and shop is already in progress: {}.",
                running.join(", ")
            );
            let error = UserErrorView {
                field: None,
                message,
                code: Some("OPERATION_IN_PROGRESS"),
            };
            return (None, vec![error]);
        }
        let number = self.create(&mut state, caller, query, doc, group, fault);
        let view = state.operations[number - 1].view(&self.signer);
        (Some(view), Vec::new())
    }

    /// Registers an operation and starts its export; returns its number.
    fn create(
        &self,
        state: &mut Registry,
        caller: Caller<'_>,
        query: &str,
        doc: rules::Prepared,
        group: bool,
        fault: Option<BulkFault>,
    ) -> usize {
        let number = state.operations.len() + 1;
        let path = std::env::temp_dir().join(format!(
            "shopsync-emulator-bulk-{}-{}-{number}.jsonl",
            std::process::id(),
            self.instance
        ));
        let work = Arc::new(Work::new(path));
        let schedule = match &fault {
            Some(BulkFault::Slow { polls, run_time }) => Schedule {
                polls: *polls,
                run_time: *run_time,
            },
            _ => Schedule {
                polls: self.config.polls,
                run_time: self.config.run_time,
            },
        };
        let fail = match fault {
            Some(BulkFault::Fail {
                code,
                after_objects,
            }) => Some((code, after_objects)),
            _ => None,
        };
        let job = export::Job {
            store: self.store.clone(),
            doc,
            vis: caller.vis,
            scopes: caller.scopes.to_vec(),
            protected: caller.protected,
            group,
            escape_slashes: self.config.escape_slashes,
            seed: self.config.seed ^ number as u64,
            fail,
            work: work.clone(),
        };
        export::start(job);
        state.stats.started += 1;
        state.operations.push(Operation::new(
            number as u64,
            query,
            self.clock.now(),
            schedule,
            fault,
            work,
        ));
        number
    }

    /// One read of operation `gid` (a poll), advancing its state.
    pub fn read(&self, gid: &str) -> Option<OperationView> {
        let number = operation::number_of(gid)?;
        let mut state = lock(&self.state);
        self.observe(&mut state, number)
    }

    /// A read of the most recent query operation (`currentBulkOperation(type: QUERY)`).
    pub fn read_current(&self) -> Option<OperationView> {
        let mut state = lock(&self.state);
        let number = state.operations.len() as u64;
        self.observe(&mut state, number)
    }

    /// Reads of every operation, newest first, as `bulkOperations` lists them before its filter.
    pub fn read_all(&self) -> Vec<OperationView> {
        let mut state = lock(&self.state);
        (1..=state.operations.len() as u64)
            .rev()
            .filter_map(|n| self.observe(&mut state, n))
            .collect()
    }

    fn observe(&self, state: &mut Registry, number: u64) -> Option<OperationView> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        let now = self.clock.now();
        let op = state.operations.get_mut(index)?;
        op.observe(now, self.config.url_lifetime);
        let view = op.view(&self.signer);
        state.stats.polls += 1;
        Some(view)
    }

    /// `bulkOperationCancel(id:)`.
    pub fn cancel(&self, gid: &str) -> (Option<OperationView>, Vec<UserErrorView>) {
        let mut state = lock(&self.state);
        let op = operation::number_of(gid)
            .and_then(|n| usize::try_from(n).ok()?.checked_sub(1))
            .and_then(|index| state.operations.get_mut(index));
        let Some(op) = op else {
            let error = UserErrorView {
                field: Some(vec!["id".to_owned()]),
                message: "Bulk operation does not exist".to_owned(),
                code: None,
            };
            return (None, vec![error]);
        };
        let error = match op.status() {
            Status::Created | Status::Running => {
                op.cancel();
                None
            }
            Status::Canceling => None,
            terminal => Some(UserErrorView {
                field: None,
                message: format!(
                    "A bulk operation cannot be canceled when it is {}",
                    terminal.as_str().to_ascii_lowercase()
                ),
                code: None,
            }),
        };
        let view = op.view(&self.signer);
        if error.is_none() && view.status == Status::Canceling {
            state.stats.cancels += 1;
        }
        (Some(view), error.into_iter().collect())
    }

    /// Waits (briefly) for the exports of operations whose next read is due to see their outcome,
    /// so that read sees it whatever the machine's speed.
    pub async fn settle(&self) {
        let now = self.clock.now();
        let due: Vec<Arc<Work>> = lock(&self.state)
            .operations
            .iter()
            .filter(|op| op.due(now))
            .map(Operation::work)
            .collect();
        for work in due {
            let _ = tokio::time::timeout(SETTLE_WAIT, work.finished()).await;
        }
    }

    /// Counts a download and returns its fault, if one was injected for it.
    fn count_download(&self, with_token: bool) -> Option<DownloadFault> {
        let mut state = lock(&self.state);
        state.stats.downloads += 1;
        if with_token {
            state.stats.downloads_with_token += 1;
        }
        let n = state.stats.downloads;
        state.download_faults.remove(&n)
    }

    fn count_bytes(&self, n: u64) {
        lock(&self.state).stats.bytes_served += n;
    }

    /// The result file behind object `name`, while its operation has one.
    fn result(&self, name: &str) -> Option<operation::ResultFile> {
        lock(&self.state)
            .operations
            .iter()
            .find_map(|op| op.result_named(name))
    }
}
