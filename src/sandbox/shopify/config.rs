//! How an emulator is started and told to fail, and the counters it keeps.

use std::time::Duration;

use super::{BucketConfig, BulkConfig, BulkStats};
use crate::clock::SharedClock;
use crate::sandbox::data::StoreData;

/// The static token [`EmulatorConfig::new`] grants (`read_orders`, `read_all_orders`).
pub const SANDBOX_TOKEN: &str = "shpat_sandbox_token";

/// A way to fail one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and body (JSON or not) and optionally `Retry-After`.
    Status {
        /// HTTP status.
        status: u16,
        /// Body text.
        body: String,
        /// `Retry-After` header value, such as `2.0`.
        retry_after: Option<String>,
    },
    /// Wait this long (real time), or until released, before answering: the client's timeout
    /// fires first.
    Stall(Duration),
    /// Start the body, then drop the connection.
    Reset,
    /// A 200 whose body is cut off mid-JSON.
    Malformed,
    /// Run the query (charging the bucket), then answer 503.
    ServerErrorAfterApply,
}

impl Fault {
    /// A status reply with Shopify's JSON `errors` string.
    #[must_use]
    pub fn status(status: u16, errors: &str) -> Self {
        Self::Status {
            status,
            body: serde_json::json!({ "errors": errors }).to_string(),
            retry_after: None,
        }
    }
}

/// Counters tests and benchmarks read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// GraphQL requests received (faulted ones included).
    pub requests: u64,
    /// GraphQL requests executed and answered with data.
    pub answered: u64,
    /// THROTTLED replies.
    pub throttled: u64,
    /// MAX_COST_EXCEEDED replies.
    pub max_cost_exceeded: u64,
    /// Token endpoint requests.
    pub token_requests: u64,
    /// Sum of requested costs of answered queries.
    pub requested_cost: u64,
    /// Sum of actual costs of answered queries.
    pub actual_cost: u64,
    /// Bulk operations: runs, polls, downloads, bytes served.
    pub bulk: BulkStats,
}

/// Client-credentials app registered with the emulator.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// Scopes its tokens carry.
    pub scopes: Vec<String>,
    /// Token lifetime.
    pub lifetime: Duration,
}

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The shop's data.
    pub data: StoreData,
    /// The clock for the bucket, token expiry and the 60-day window.
    pub clock: SharedClock,
    /// Bucket size and restore rate.
    pub bucket: BucketConfig,
    /// Whether every document is validated against the extract of Shopify's own schema
    /// (`references/shopify`) before the served subset, so what Shopify would refuse is refused
    /// in Shopify's words. On by default.
    pub reference_schema: bool,
    /// Static tokens and their scopes.
    pub tokens: Vec<(String, Vec<String>)>,
    /// A client-credentials app.
    pub app: Option<AppCredentials>,
    /// Whether the app may read protected customer data; when not, those fields come back null
    /// with `ACCESS_DENIED` errors beside the data, as Shopify answers unapproved apps.
    pub protected_data_access: bool,
    /// How bulk operations run.
    pub bulk: BulkConfig,
}

impl EmulatorConfig {
    /// A config with [`SANDBOX_TOKEN`] granted `read_orders` and `read_all_orders`, the default
    /// bucket and validation against Shopify's schema.
    #[must_use]
    pub fn new(data: StoreData, clock: SharedClock) -> Self {
        Self {
            data,
            clock,
            bucket: BucketConfig::default(),
            reference_schema: true,
            tokens: vec![(
                SANDBOX_TOKEN.to_owned(),
                vec!["read_orders".to_owned(), "read_all_orders".to_owned()],
            )],
            app: None,
            protected_data_access: true,
            bulk: BulkConfig::default(),
        }
    }
}
