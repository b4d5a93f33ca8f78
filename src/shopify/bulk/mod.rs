//! Bulk exports of orders (SHOPIFY-API.md section 4): start a `bulkOperationRunQuery` of the
//! orders updated in a window, poll `bulkOperation(id:)` with backoff until it ends, download the
//! JSONL result into a staging database (`stage`) and hand back orders with their line items,
//! the same [`Order`](crate::order::Order)s the paged stream produces.
//!
//! A run killed while its operation runs leaves it running at Shopify; the next run finds it
//! among the shop's recent operations (by its query text, which names the window) and either
//! adopts it (same window) or cancels it before starting its own, so one store never has two
//! exports of shopsync's running.

mod stage;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::json;
use tracing::{debug, info, instrument, warn};

use super::client::ShopifyClient;
use super::error::ShopifyError;
use super::orders::{OrdersCount, window_query};
use super::queries;

#[cfg(feature = "fuzzing")]
pub(crate) use stage::Staging;
pub use stage::{BulkBatches, StageStats};

/// Points a bulk mutation and a poll cost (Shopify's recorded replies: 10 and 1).
const RUN_COST: f64 = 10.0;
const POLL_COST: f64 = 1.0;

/// First wait between polls, growth per poll, and the longest wait.
const POLL_FIRST: Duration = Duration::from_millis(200);
const POLL_GROWTH: f64 = 1.5;
const POLL_MAX: Duration = Duration::from_secs(10);

/// How many times a run answered `OPERATION_IN_PROGRESS` or `LIMIT_REACHED` is tried again, and
/// the wait before each (Airbyte waits 30 s; a backfill that cannot start soon pages instead).
const BUSY_RETRIES: u32 = 4;
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// `BulkOperationStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BulkStatus {
    /// Accepted, not started.
    Created,
    /// Exporting.
    Running,
    /// Done: `url` has the result (null when nothing matched).
    Completed,
    /// Being canceled.
    Canceling,
    /// Canceled.
    Canceled,
    /// Stopped with an `errorCode`; `partialDataUrl` may have what was exported.
    Failed,
    /// The result expired before it was downloaded.
    Expired,
}

impl BulkStatus {
    /// Whether the operation will not change any more.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Canceled | Self::Failed | Self::Expired
        )
    }
}

/// What Shopify says about one bulk operation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperation {
    /// `gid://shopify/BulkOperation/<n>`.
    pub id: String,
    /// Where it stands.
    pub status: BulkStatus,
    /// Why it FAILED (`ACCESS_DENIED`, `INTERNAL_SERVER_ERROR`, `TIMEOUT`).
    pub error_code: Option<String>,
    /// Objects (orders and line items) exported so far.
    #[serde(deserialize_with = "uint64")]
    pub object_count: u64,
    /// Orders exported so far.
    #[serde(deserialize_with = "uint64")]
    pub root_object_count: u64,
    /// Size of the result in bytes, once there is one.
    #[serde(default, deserialize_with = "opt_uint64")]
    pub file_size: Option<u64>,
    /// The result, when COMPLETED with data.
    pub url: Option<String>,
    /// What was exported before a failure.
    pub partial_data_url: Option<String>,
}

/// `UnsignedInt64` is a JSON string.
fn uint64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

fn opt_uint64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// Why a bulk export did not deliver; the sync falls back to paging on any of these.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// A request failed after its retries.
    #[error(transparent)]
    Shopify(#[from] ShopifyError),
    /// `bulkOperationRunQuery` answered `userErrors` (after waiting out busy answers).
    #[error("Shopify refused the bulk export ({code}): {message}")]
    Refused {
        /// `OPERATION_IN_PROGRESS`, `INVALID`, `LIMIT_REACHED` or `UNKNOWN`.
        code: String,
        /// Shopify's message.
        message: String,
    },
    /// The operation FAILED; `partial` says whether a partial result existed.
    #[error("the bulk export failed ({code}) after {objects} objects")]
    Failed {
        /// The `errorCode`.
        code: String,
        /// Objects exported before the failure.
        objects: u64,
        /// Whether `partialDataUrl` had data (never used: the window is paged instead).
        partial: bool,
    },
    /// The operation was canceled (by the shop or another process).
    #[error("the bulk export was canceled")]
    Canceled,
    /// The result expired before it was downloaded.
    #[error("the bulk export's result expired before it was downloaded")]
    Expired,
    /// Shopify no longer knows the operation.
    #[error("Shopify no longer knows bulk operation {0}")]
    Vanished(String),
    /// The download failed or was cut short.
    #[error("downloading the bulk export failed: {0}")]
    Download(String),
    /// A line of the result was not what the query asks for.
    #[error("the bulk export's line {line} is not an order or line item: {reason}")]
    Malformed {
        /// 1-based line number.
        line: u64,
        /// What was wrong.
        reason: String,
    },
    /// The staging database failed.
    #[error("staging the bulk export failed: {0}")]
    Stage(#[from] rusqlite::Error),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserError {
    message: String,
    code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunPayload {
    bulk_operation: Option<BulkOperation>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunData {
    bulk_operation_run_query: Option<RunPayload>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PollData {
    bulk_operation: Option<BulkOperation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelPayload {
    bulk_operation: Option<BulkOperation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelData {
    bulk_operation_cancel: Option<CancelPayload>,
}

#[derive(Debug, Deserialize)]
struct Listed {
    query: String,
    #[serde(flatten)]
    operation: BulkOperation,
}

#[derive(Debug, Deserialize)]
struct ListedNodes {
    nodes: Vec<Listed>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecentData {
    bulk_operations: ListedNodes,
}

/// The bulk query for orders with `updatedAt` in `[from, to]`.
#[must_use]
pub fn export_query(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let window =
        serde_json::to_string(&window_query("updated_at", from, to)).expect("a string serializes");
    queries::BULK_ORDERS.text.replacen("\"WINDOW\"", &window, 1)
}

/// Whether `query` is one of shopsync's order exports (of any window).
fn is_ours(query: &str) -> bool {
    query.contains("query BulkOrders {")
}

/// A finished export: the operation as it ended and its staged orders.
#[derive(Debug)]
pub struct BulkExport {
    /// The operation as it ended (COMPLETED).
    pub operation: BulkOperation,
    /// Whether the operation was one a previous run had started.
    pub adopted: bool,
    /// The orders, in batches.
    pub batches: BulkBatches,
}

impl ShopifyClient {
    /// How many orders have `updatedAt` in `[from, to]`: sizes a backfill before choosing bulk.
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries.
    pub async fn orders_count_updated(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<OrdersCount, ShopifyError> {
        self.orders_count("updated_at", from, to).await
    }

    /// Starts a bulk query of `query`; busy answers are waited out a few times.
    async fn bulk_start(&self, query: &str) -> Result<BulkOperation, BulkError> {
        let mut busy = 0;
        loop {
            let data: RunData = self
                .run(queries::BULK_RUN, json!({ "query": query }), RUN_COST)
                .await?;
            let payload = data
                .bulk_operation_run_query
                .ok_or_else(|| BulkError::Refused {
                    code: "UNKNOWN".into(),
                    message: "bulkOperationRunQuery answered null".into(),
                })?;
            if let Some(op) = payload.bulk_operation
                && payload.user_errors.is_empty()
            {
                info!(id = %op.id, "bulk export started");
                return Ok(op);
            }
            let error = payload.user_errors.into_iter().next();
            let code = error
                .as_ref()
                .and_then(|e| e.code.clone())
                .unwrap_or_else(|| "UNKNOWN".into());
            let message = error.map(|e| e.message).unwrap_or_default();
            let retry = matches!(code.as_str(), "OPERATION_IN_PROGRESS" | "LIMIT_REACHED");
            if !retry || busy >= BUSY_RETRIES {
                return Err(BulkError::Refused { code, message });
            }
            busy += 1;
            info!(%code, %message, attempt = busy, "bulk export cannot start yet; waiting");
            self.clock.sleep(BUSY_WAIT).await;
        }
    }

    /// The operation's state, or `None` when Shopify does not know it.
    ///
    /// # Errors
    /// A [`ShopifyError`] after retries.
    pub async fn bulk_operation(&self, id: &str) -> Result<Option<BulkOperation>, ShopifyError> {
        let data: PollData = self
            .run(queries::BULK_POLL, json!({ "id": id }), POLL_COST)
            .await?;
        Ok(data.bulk_operation)
    }

    /// Asks Shopify to cancel the operation; its state after the request.
    ///
    /// # Errors
    /// A [`ShopifyError`] after retries.
    pub async fn bulk_cancel(&self, id: &str) -> Result<Option<BulkOperation>, ShopifyError> {
        let data: CancelData = self
            .run(queries::BULK_CANCEL, json!({ "id": id }), RUN_COST)
            .await?;
        Ok(data.bulk_operation_cancel.and_then(|p| p.bulk_operation))
    }

    /// shopsync's unfinished exports among the shop's recent operations, with their query.
    async fn bulk_unfinished(&self) -> Result<Vec<(String, BulkOperation)>, ShopifyError> {
        let data: RecentData = self.run(queries::BULK_RECENT, json!({}), POLL_COST).await?;
        Ok(data
            .bulk_operations
            .nodes
            .into_iter()
            .filter(|l| !l.operation.status.is_final() && is_ours(&l.query))
            .map(|l| (l.query, l.operation))
            .collect())
    }

    /// Polls `id` with backoff until it ends.
    async fn bulk_wait(&self, id: &str) -> Result<BulkOperation, BulkError> {
        let mut wait = POLL_FIRST;
        loop {
            let op = self
                .bulk_operation(id)
                .await?
                .ok_or_else(|| BulkError::Vanished(id.to_owned()))?;
            debug!(status = ?op.status, objects = op.object_count, "bulk export poll");
            if op.status.is_final() {
                return Ok(op);
            }
            self.clock.sleep(wait).await;
            wait = wait.mul_f64(POLL_GROWTH).min(POLL_MAX);
        }
    }

    /// Exports the orders with `updatedAt` in `[from, to]` as a bulk operation and stages them.
    ///
    /// An unfinished export of the same window (a killed run's) is adopted; one of another window
    /// is canceled first.
    ///
    /// # Errors
    /// A [`BulkError`]: the caller pages the window instead.
    #[instrument(skip_all)]
    pub async fn bulk_orders(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<BulkExport, BulkError> {
        let query = export_query(from, to);
        let mut adopted = None;
        for (their_query, op) in self.bulk_unfinished().await? {
            if their_query == query && adopted.is_none() {
                info!(id = %op.id, "adopting the bulk export a previous run started");
                adopted = Some(op);
            } else {
                warn!(id = %op.id, "canceling a bulk export a previous run left running");
                self.bulk_cancel(&op.id).await?;
            }
        }
        let was_adopted = adopted.is_some();
        let started = match adopted {
            Some(op) => op,
            None => self.bulk_start(&query).await?,
        };
        let op = self.bulk_wait(&started.id).await?;
        match op.status {
            BulkStatus::Completed => {}
            BulkStatus::Canceled | BulkStatus::Canceling => return Err(BulkError::Canceled),
            BulkStatus::Expired => return Err(BulkError::Expired),
            BulkStatus::Failed | BulkStatus::Created | BulkStatus::Running => {
                return Err(BulkError::Failed {
                    code: op.error_code.clone().unwrap_or_else(|| "UNKNOWN".into()),
                    objects: op.object_count,
                    partial: op.partial_data_url.is_some(),
                });
            }
        }
        let batches = match &op.url {
            // Nothing matched: Shopify gives no file.
            None => BulkBatches::empty()?,
            Some(url) => stage::download(&self.http, url, op.file_size).await?,
        };
        Ok(BulkExport {
            operation: op,
            adopted: was_adopted,
            batches,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_export_query_carries_the_window_as_one_string_literal() {
        let from = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let query = export_query(from, to);
        assert!(!query.contains("WINDOW\""), "{query}");
        assert!(query.contains(
            r#"orders(query: "updated_at:>='2026-10-01T00:00:00Z' AND updated_at:<='2026-11-01T00:00:00Z'", sortKey: UPDATED_AT)"#
        ), "{query}");
        assert!(is_ours(&query));
        assert!(!is_ours("{ orders { edges { node { id } } } }"));
        // No paging arguments or page info (`firstName` is a field, not the `first:` argument).
        for paging in ["first:", "after:", "pageInfo {"] {
            assert!(!query.contains(paging), "{paging} in {query}");
        }
    }
}
