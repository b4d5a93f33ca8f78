//! The bulk operation tests' rig: the Shopify emulator driven with plain HTTP and GraphQL
//! documents written here.

use serde_json::{Value, json};
use shopsync::sandbox::data;
use shopsync::sandbox::shopify::EmulatorConfig;

use super::rig_over;
#[allow(unused_imports)]
pub use super::{Rig, bucket, now, spec};

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

/// An emulator over `orders` generated orders from seed 9, adjusted by `edit`.
pub async fn rig_with(orders: usize, edit: impl FnOnce(&mut EmulatorConfig)) -> Rig {
    let mut spec = spec(9, orders);
    // Small stores here: no order with hundreds of lines.
    spec.big_order_every = 0;
    rig_over(data::generate(&spec), edit).await
}

pub async fn rig(orders: usize) -> Rig {
    rig_with(orders, |_| {}).await
}

impl Rig {
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
}

/// The lines of a JSONL body, parsed.
pub fn lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}
