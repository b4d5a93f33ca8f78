//! One bulk operation's life: its status machine (advanced by the client's reads and the clock),
//! the export's shared progress, and the view a reply shows.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::storage::Signer;
use super::{BulkErrorCode, BulkFault, MAX_RUN_TIME};
use crate::sandbox::shopify::lock;

/// Numeric IDs of bulk operations: the first is this, the next this plus [`ID_STEP`] (real IDs
/// are 13 digits, 32,768 apart in Shopify's recorded replies).
const ID_BASE: u64 = 7_933_223_797_042;
const ID_STEP: u64 = 32_768;
const GID_PREFIX: &str = "gid://shopify/BulkOperation/";

/// The numeric ID of operation `number`.
fn id_of(number: u64) -> u64 {
    ID_BASE + (number - 1) * ID_STEP
}

/// The gid of operation `number`.
fn gid_of(number: u64) -> String {
    format!("{GID_PREFIX}{}", id_of(number))
}

/// The operation number behind a `gid://shopify/BulkOperation/<n>`.
pub(super) fn number_of(gid: &str) -> Option<u64> {
    let id: u64 = gid.strip_prefix(GID_PREFIX)?.parse().ok()?;
    let offset = id.checked_sub(ID_BASE)?;
    (offset % ID_STEP == 0).then_some(offset / ID_STEP + 1)
}

/// Whether `gid` names a bulk operation (known or not).
pub(crate) fn is_gid(gid: &str) -> bool {
    gid.starts_with(GID_PREFIX)
}

/// `BulkOperationStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Running,
    Canceling,
    Canceled,
    Completed,
    Failed,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Running => "RUNNING",
            Self::Canceling => "CANCELING",
            Self::Canceled => "CANCELED",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
            Self::Expired => "EXPIRED",
        }
    }
}

/// How long an operation answers RUNNING.
#[derive(Debug, Clone, Copy)]
pub(super) struct Schedule {
    pub polls: u32,
    pub run_time: Duration,
}

/// How an export stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Finished,
    Canceled,
    Failed(BulkErrorCode),
}

/// The export's progress, shared with its thread. Dropping it removes the result file.
#[derive(Debug)]
pub(super) struct Work {
    pub objects: AtomicU64,
    pub roots: AtomicU64,
    pub bytes: AtomicU64,
    pub cancel: AtomicBool,
    pub path: PathBuf,
    outcome: Mutex<Option<Outcome>>,
    done: tokio::sync::watch::Sender<bool>,
}

impl Work {
    pub fn new(path: PathBuf) -> Self {
        Self {
            objects: AtomicU64::new(0),
            roots: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
            path,
            outcome: Mutex::new(None),
            done: tokio::sync::watch::Sender::new(false),
        }
    }

    pub fn finish(&self, outcome: Outcome) {
        *lock(&self.outcome) = Some(outcome);
        self.done.send_replace(true);
    }

    pub fn outcome(&self) -> Option<Outcome> {
        *lock(&self.outcome)
    }

    pub async fn finished(&self) {
        let mut done = self.done.subscribe();
        let _ = done.wait_for(|d| *d).await;
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A result file as the storage serves it.
#[derive(Debug, Clone)]
pub(super) struct ResultFile {
    pub work: Arc<Work>,
    pub size: u64,
    /// The operation's numeric ID (the file is `bulk-<id>.jsonl`).
    pub id: u64,
}

/// The link to an operation's data: `url` (complete) or `partialDataUrl` (failed part way).
#[derive(Debug, Clone)]
struct Link {
    object: String,
    expires_at: DateTime<Utc>,
}

/// One operation.
#[derive(Debug)]
pub(super) struct Operation {
    number: u64,
    query: Arc<str>,
    created_at: DateTime<Utc>,
    schedule: Schedule,
    fault: Option<BulkFault>,
    status: Status,
    /// Reads so far (each poll of this operation is one).
    reads: u32,
    /// The read count when CANCELING was first reported; one more read answers CANCELING.
    canceling_since: u32,
    completed_at: Option<DateTime<Utc>>,
    error_code: Option<BulkErrorCode>,
    link: Option<Link>,
    work: Arc<Work>,
}

/// The operation as a reply shows it.
#[derive(Debug, Clone)]
pub(crate) struct OperationView {
    pub gid: String,
    pub status: Status,
    pub error_code: Option<BulkErrorCode>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub object_count: u64,
    pub root_object_count: u64,
    pub file_size: Option<u64>,
    pub url: Option<String>,
    pub partial_data_url: Option<String>,
    pub query: Arc<str>,
}

impl Operation {
    pub fn new(
        number: u64,
        query: &str,
        now: DateTime<Utc>,
        schedule: Schedule,
        fault: Option<BulkFault>,
        work: Arc<Work>,
    ) -> Self {
        Self {
            number,
            query: Arc::from(query),
            created_at: now,
            schedule,
            fault,
            status: Status::Created,
            reads: 0,
            canceling_since: 0,
            completed_at: None,
            error_code: None,
            link: None,
            work,
        }
    }

    pub fn gid(&self) -> String {
        gid_of(self.number)
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn work(&self) -> Arc<Work> {
        self.work.clone()
    }

    /// Whether it counts against the concurrency limit.
    pub fn in_progress(&self) -> bool {
        matches!(
            self.status,
            Status::Created | Status::Running | Status::Canceling
        )
    }

    fn run_time_over(&self, now: DateTime<Utc>) -> bool {
        let run_time =
            chrono::Duration::from_std(self.schedule.run_time).unwrap_or(chrono::Duration::MAX);
        now >= self.created_at + run_time
    }

    /// Whether the next read is due to see the export's outcome.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        let due = match self.status {
            Status::Created | Status::Running => {
                self.reads >= self.schedule.polls && self.run_time_over(now)
            }
            Status::Canceling => self.reads > self.canceling_since,
            _ => false,
        };
        due && self.work.outcome().is_none()
    }

    /// Starts the cancelation (the caller checked the status allows it).
    pub fn cancel(&mut self) {
        self.work.cancel.store(true, Ordering::Relaxed);
        self.status = Status::Canceling;
        self.canceling_since = self.reads;
    }

    /// One read at `now`: the status moves on as far as the reads, the clock and the export allow.
    pub fn observe(&mut self, now: DateTime<Utc>, lifetime: Duration) {
        self.reads += 1;
        let outcome = self.work.outcome();
        match self.status {
            Status::Created | Status::Running => {
                if self.reads > self.schedule.polls
                    && self.run_time_over(now)
                    && let Some(outcome) = outcome
                {
                    self.finish(outcome, now, lifetime);
                } else if now >= self.created_at + MAX_RUN_TIME {
                    self.work.cancel.store(true, Ordering::Relaxed);
                    self.fail(BulkErrorCode::Timeout, now, lifetime);
                } else {
                    self.status = Status::Running;
                }
            }
            Status::Canceling => {
                if self.reads > self.canceling_since + 1 && outcome.is_some() {
                    self.status = Status::Canceled;
                    self.link = self.new_link(now, lifetime);
                }
            }
            Status::Completed | Status::Failed | Status::Canceled => {
                if self.link.as_ref().is_some_and(|l| now >= l.expires_at) {
                    self.link = None;
                    if self.status == Status::Completed {
                        self.status = Status::Expired;
                    }
                }
            }
            Status::Expired => {}
        }
    }

    fn finish(&mut self, outcome: Outcome, now: DateTime<Utc>, lifetime: Duration) {
        match outcome {
            Outcome::Failed(code) => self.fail(code, now, lifetime),
            Outcome::Canceled => {
                self.status = Status::Canceled;
                self.link = self.new_link(now, lifetime);
            }
            Outcome::Finished if self.fault == Some(BulkFault::CanceledByShop) => {
                self.status = Status::Canceling;
                self.canceling_since = self.reads;
            }
            Outcome::Finished => {
                self.status = Status::Completed;
                self.completed_at = Some(now);
                let lifetime = if self.fault == Some(BulkFault::ExpireBeforeDownload) {
                    Duration::ZERO
                } else {
                    lifetime
                };
                self.link = self.new_link(now, lifetime);
            }
        }
    }

    fn fail(&mut self, code: BulkErrorCode, now: DateTime<Utc>, lifetime: Duration) {
        self.status = Status::Failed;
        self.error_code = Some(code);
        self.link = self.new_link(now, lifetime);
    }

    /// A link to what the export wrote, or none when it wrote nothing (an empty result has a null
    /// `url`).
    fn new_link(&self, now: DateTime<Utc>, lifetime: Duration) -> Option<Link> {
        if self.work.objects.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let lifetime = chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::MAX);
        Some(Link {
            object: format!("{}-{}", object_token(self.number), self.status.as_str()),
            expires_at: now + lifetime,
        })
    }

    /// The file behind `name`, if it is this operation's live link.
    pub fn result_named(&self, name: &str) -> Option<ResultFile> {
        self.link.as_ref().filter(|l| l.object == name)?;
        Some(ResultFile {
            work: self.work.clone(),
            size: self.work.bytes.load(Ordering::Relaxed),
            id: id_of(self.number),
        })
    }

    pub fn view(&self, signer: &Signer) -> OperationView {
        let status = self.status;
        let (objects, roots) = if status == Status::Created {
            (0, 0)
        } else {
            (
                self.work.objects.load(Ordering::Relaxed),
                self.work.roots.load(Ordering::Relaxed),
            )
        };
        let url = self
            .link
            .as_ref()
            .map(|l| signer.url(&l.object, id_of(self.number), l.expires_at.timestamp()));
        let (url, partial_data_url) = match status {
            Status::Failed => (None, url),
            _ => (url, None),
        };
        OperationView {
            gid: self.gid(),
            status,
            error_code: self.error_code,
            created_at: self.created_at,
            completed_at: self.completed_at,
            object_count: objects,
            root_object_count: roots,
            // "File size in bytes of the file in the `url` field": only a complete result's.
            file_size: (status == Status::Completed && url.is_some())
                .then(|| self.work.bytes.load(Ordering::Relaxed)),
            url,
            partial_data_url,
            query: self.query.clone(),
        }
    }
}

/// The storage object name of operation `number`'s result: opaque, like Shopify's.
fn object_token(number: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(number.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    (0..28)
        .map(|_| {
            let n = rng.u8(0..36);
            char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gids_round_trip_and_reject_strangers() {
        assert_eq!(number_of(&gid_of(1)), Some(1));
        assert_eq!(number_of(&gid_of(42)), Some(42));
        assert_eq!(number_of("gid://shopify/BulkOperation/7933223797043"), None);
        assert_eq!(number_of("gid://shopify/BulkOperation/12"), None);
        assert_eq!(number_of("gid://shopify/Order/7933223797042"), None);
    }
}
