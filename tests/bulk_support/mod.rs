//! A Shopify emulator on a virtual clock, driven with plain HTTP and GraphQL documents written here,
//! for the bulk operation tests.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use shopsync::clock::ManualClock;
use shopsync::sandbox::data::{self, StoreSpec};
use shopsync::sandbox::shopify::{EmulatorConfig, SANDBOX_TOKEN, ShopifyEmulator};

/// The export the tests run: orders with their line items, as the sync would ask.
pub const ORDERS_WITH_LINES: &str = r#"{
  orders(query: "status:any", sortKey: UPDATED_AT) {
    edges {
      node {
        id
        name
        updatedAt
        currentTotalPriceSet { shopMoney { amount currencyCode } }
        lineItems {
          edges { node { id sku quantity } }
        }
      }
    }
  }
}"#;

/// The mutation that starts a bulk query.
pub const RUN: &str = "mutation Run($query: String!, $group: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $group) {
    bulkOperation { id status createdAt objectCount url }
    userErrors { field message code }
  }
}";

/// The poll.
pub const POLL: &str = "query Poll($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url
    partialDataUrl query type
  }
}";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 11, 0, 0).unwrap()
}

pub struct Rig {
    pub emu: ShopifyEmulator,
    pub clock: ManualClock,
    http: reqwest::Client,
}

/// An emulator over `orders` generated orders, validating against (the extract of) Shopify's
/// schema, as every emulator does by default.
pub async fn rig_with(orders: usize, edit: impl FnOnce(&mut EmulatorConfig)) -> Rig {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let clock = ManualClock::new(now());
    let mut spec = StoreSpec::new(9, orders, now() - chrono::Duration::minutes(1));
    // Small stores here: no order with hundreds of lines.
    spec.big_order_every = 0;
    let mut config = EmulatorConfig::new(data::generate(&spec), Arc::new(clock.clone()));
    edit(&mut config);
    Rig {
        emu: ShopifyEmulator::start(config).await.unwrap(),
        clock,
        http: reqwest::Client::new(),
    }
}

pub async fn rig(orders: usize) -> Rig {
    rig_with(orders, |_| {}).await
}

impl Rig {
    /// Posts a GraphQL document with the sandbox token; the whole reply.
    pub async fn post(&self, query: &str, variables: Value) -> Value {
        self.post_as(SANDBOX_TOKEN, query, variables).await
    }

    pub async fn post_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(format!(
                "{}/admin/api/2026-04/graphql.json",
                self.emu.base_url()
            ))
            .header("X-Shopify-Access-Token", token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Runs `bulkOperationRunQuery`; its payload.
    pub async fn run(&self, inner: &str) -> Value {
        self.run_grouped(inner, false).await
    }

    pub async fn run_grouped(&self, inner: &str, group: bool) -> Value {
        let reply = self
            .post(RUN, json!({ "query": inner, "group": group }))
            .await;
        reply["data"]["bulkOperationRunQuery"].clone()
    }

    /// Runs a bulk query that must be accepted; its gid.
    pub async fn start(&self, inner: &str) -> String {
        let payload = self.run(inner).await;
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
        assert_eq!(payload["bulkOperation"]["status"], "CREATED");
        payload["bulkOperation"]["id"].as_str().unwrap().to_owned()
    }

    /// One poll of `id`.
    pub async fn poll(&self, id: &str) -> Value {
        self.post(POLL, json!({ "id": id })).await["data"]["bulkOperation"].clone()
    }

    /// Polls until the status is neither CREATED nor RUNNING nor CANCELING (at most 20 polls).
    pub async fn settle(&self, id: &str) -> Value {
        for _ in 0..20 {
            let op = self.poll(id).await;
            if !matches!(
                op["status"].as_str(),
                Some("CREATED" | "RUNNING" | "CANCELING")
            ) {
                return op;
            }
        }
        panic!("{id} never finished");
    }

    /// Cancels `id`; the payload.
    pub async fn cancel(&self, id: &str) -> Value {
        let reply = self
            .post(
                "mutation Cancel($id: ID!) { bulkOperationCancel(id: $id) { \
                 bulkOperation { id status url } userErrors { field message } } }",
                json!({ "id": id }),
            )
            .await;
        reply["data"]["bulkOperationCancel"].clone()
    }

    /// GETs a result URL as a client should: no Shopify token.
    pub async fn download(&self, url: &str) -> (u16, String) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}

/// The lines of a JSONL body, parsed.
pub fn lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}
