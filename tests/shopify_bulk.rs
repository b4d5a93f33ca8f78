//! The Shopify emulator's bulk operations seen from the outside, with plain HTTP: the lifecycle,
//! Shopify's JSONL (children after their parent but not next to it, escaped slashes), the rules a
//! bulk query must follow, costs, and the ways to find an operation again.

mod shopify_support;

use std::collections::HashMap;

use serde_json::{Value, json};
use shopify_support::bulk::*;

#[tokio::test]
async fn an_export_runs_completes_and_serves_shopifys_jsonl() {
    let rig = rig(60).await;
    let payload = rig.run(ORDERS_WITH_LINES).await;
    assert_eq!(payload["userErrors"], json!([]));
    let created = &payload["bulkOperation"];
    assert_eq!(created["status"], "CREATED");
    assert_eq!(created["objectCount"], "0");
    assert!(created["url"].is_null());
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("gid://shopify/BulkOperation/"), "{id}");

    let running = rig.poll(id).await;
    assert_eq!(running["status"], "RUNNING");
    let done = rig.poll(id).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["type"], "QUERY");
    assert_eq!(done["query"], ORDERS_WITH_LINES);
    assert!(done["completedAt"].is_string());
    assert!(done["errorCode"].is_null() && done["partialDataUrl"].is_null());

    let url = done["url"].as_str().unwrap();
    assert!(url.starts_with(rig.emu.storage_url()), "{url}");
    assert!(
        !url.starts_with(rig.emu.base_url()),
        "results live on another origin"
    );
    let (status, body) = rig.download(url).await;
    assert_eq!(status, 200);
    assert_eq!(done["fileSize"], body.len().to_string());
    let lines = lines(&body);
    assert_eq!(done["objectCount"], lines.len().to_string());

    // What the shop holds, from the emulator's own store.
    let (orders, line_items) = rig.emu.with_store(|store, _| {
        let orders = store.len();
        let lines: usize = store.orders().map(|o| o.lines.len()).sum();
        (orders, lines)
    });
    assert_eq!(done["rootObjectCount"], orders.to_string());
    assert_eq!(lines.len(), orders + line_items);

    let mut seen_orders = HashMap::new();
    for (index, line) in lines.iter().enumerate() {
        let id = line["id"].as_str().unwrap();
        if id.starts_with("gid://shopify/Order/") {
            assert!(line.get("__parentId").is_none());
            assert!(
                line.get("lineItems").is_none(),
                "connections leave their parent's line"
            );
            assert!(line["currentTotalPriceSet"]["shopMoney"]["amount"].is_string());
            seen_orders.insert(id.to_owned(), index);
        } else {
            assert!(id.starts_with("gid://shopify/LineItem/"), "{line}");
            let parent = line["__parentId"].as_str().unwrap();
            assert!(
                seen_orders.contains_key(parent),
                "a child before its parent: {line}"
            );
        }
    }
    assert_eq!(seen_orders.len(), orders);
    // `__parentId` is the last key, as in Shopify's files.
    for raw in body.lines().filter(|l| l.contains("__parentId")) {
        assert!(
            raw.rsplit(',')
                .next()
                .unwrap()
                .starts_with(r#""__parentId":"#),
            "{raw}"
        );
    }
    // Not next to it: some line item comes after a later order's line.
    let interleaved = lines.iter().enumerate().any(|(index, line)| {
        line["__parentId"].as_str().is_some_and(|parent| {
            lines[seen_orders[parent]..index].iter().any(|l| {
                l["id"]
                    .as_str()
                    .is_some_and(|i| i.contains("/Order/") && i != parent)
            })
        })
    });
    assert!(interleaved, "every child sat right after its parent");
    let stats = rig.emu.stats().bulk;
    assert_eq!((stats.runs, stats.started, stats.polls), (1, 1, 2));
    assert_eq!(stats.downloads, 1);
    assert_eq!(stats.bytes_served, body.len() as u64);
    assert_eq!(stats.downloads_with_token, 0);
}

#[tokio::test]
async fn escaped_slashes_parse_to_the_same_ids_the_paged_query_returns() {
    let rig = rig(12).await;
    let id = rig.start(ORDERS_WITH_LINES).await;
    let done = rig.settle(&id).await;
    let (_, body) = rig.download(done["url"].as_str().unwrap()).await;
    // Shopify's files escape slashes: a substring match on `gid://` finds nothing.
    assert!(body.contains(r#""id":"gid:\/\/shopify\/Order\/"#), "{body}");
    assert!(!body.contains("gid://"));
    let mut bulk_ids: Vec<String> = lines(&body)
        .iter()
        .filter_map(|l| {
            l["id"]
                .as_str()
                .filter(|i| i.contains("/Order/"))
                .map(str::to_owned)
        })
        .collect();
    let paged = rig
        .post("{ orders(first: 50) { nodes { id } } }", json!({}))
        .await;
    let mut paged_ids: Vec<String> = paged["data"]["orders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    bulk_ids.sort();
    paged_ids.sort();
    assert_eq!(bulk_ids, paged_ids);
    assert!(bulk_ids[0].starts_with("gid://shopify/Order/"));

    let plain = rig_with(12, |c| c.bulk.escape_slashes = false).await;
    let id = plain.start(ORDERS_WITH_LINES).await;
    let done = plain.settle(&id).await;
    let (_, body) = plain.download(done["url"].as_str().unwrap()).await;
    assert!(body.contains(r#""id":"gid://shopify/Order/"#));
}

#[tokio::test]
async fn grouped_objects_put_children_right_after_their_parent() {
    let rig = rig(30).await;
    let payload = rig.run_grouped(ORDERS_WITH_LINES, true).await;
    let id = payload["bulkOperation"]["id"].as_str().unwrap().to_owned();
    let done = rig.settle(&id).await;
    let (_, body) = rig.download(done["url"].as_str().unwrap()).await;
    let mut current = String::new();
    for line in lines(&body) {
        match line["__parentId"].as_str() {
            Some(parent) => assert_eq!(parent, current, "{line}"),
            None => current = line["id"].as_str().unwrap().to_owned(),
        }
    }
}

#[tokio::test]
async fn an_empty_result_completes_with_a_null_url() {
    let rig = rig(10).await;
    let id = rig
        .start(
            r#"{ orders(query: "updated_at:<'2001-01-01T00:00:00Z'") { edges { node { id } } } }"#,
        )
        .await;
    let done = rig.settle(&id).await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["objectCount"], "0");
    assert_eq!(done["rootObjectCount"], "0");
    assert!(done["url"].is_null(), "{done}");
    assert!(done["fileSize"].is_null());
}

async fn user_errors(rig: &Rig, inner: &str) -> Vec<String> {
    let payload = rig.run(inner).await;
    assert!(payload["bulkOperation"].is_null(), "{payload}");
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["code"], "INVALID", "{e}");
            assert_eq!(e["field"], json!(["query"]), "{e}");
            e["message"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn bulk_queries_are_held_to_shopifys_rules() {
    let rig = rig(5).await;
    let cases: &[(&str, &str)] = &[
        (
            "{ shop { id } }",
            "Bulk queries must contain at least one connection.",
        ),
        (
            "{ orders { nodes { id } } }",
            "All connection fields in a bulk query must select their contents using 'edges' > \
             'node', e.g: 'orders { edges { node {'. Selecting via 'nodes' is not supported. \
             Invalid connection fields: 'orders'.",
        ),
        (
            r#"{ node(id: "gid://shopify/Order/1") { id } }"#,
            "Bulk queries cannot contain a top level `node` field.",
        ),
        (
            "mutation { bulkOperationCancel(id: \"x\") { userErrors { message } } }",
            "Invalid operation type. Only `query` operations are supported.",
        ),
        (
            "{ orders { edges { node { name lineItems { edges { node { id } } } } } } }",
            "The parent 'node' field for a nested connection must select the 'id' field without \
             an alias and must be of 'ID' return type. Connection fields without 'id': orders.",
        ),
        (
            "{ collections { edges { node { id products { edges { node { id variants { edges { \
             node { id metafields { edges { node { id } } } } } } } } } } } } }",
            "Bulk queries cannot contain connections with a nesting depth greater than 2.",
        ),
        (
            "{ orders { edges { node { id fulfillments { events { edges { node { id } } } } } } } }",
            "Queries that contain a connection field within a list field are not currently supported.",
        ),
    ];
    for (inner, message) in cases {
        let errors = user_errors(&rig, inner).await;
        assert!(errors.iter().any(|e| e == message), "{inner}: {errors:?}");
    }
    let node = user_errors(&rig, r#"{ node(id: "gid://shopify/Order/1") { id } }"#).await;
    assert_eq!(node.len(), 2, "no connection either: {node:?}");
    let syntax = user_errors(&rig, "").await;
    assert!(syntax[0].starts_with("Invalid bulk query: "), "{syntax:?}");
    let unknown = user_errors(&rig, "{ orders { edges { node { id nope } } } }").await;
    assert_eq!(
        unknown,
        ["Invalid bulk query: Field 'nope' doesn't exist on type 'Order'"]
    );
    // Valid for Shopify, but not what the emulator exports or how it pages: said, never ignored.
    for inner in [
        "{ orders(first: 10) { edges { node { id } } } }",
        "{ orders { pageInfo { hasNextPage } edges { node { id } } } }",
        "{ orders { edges { cursor node { id } } } }",
        "{ orders { edges { node { id lineItems(first: 5) { edges { node { id } } } } } } }",
        "{ products { edges { node { id } } } }",
    ] {
        let errors = user_errors(&rig, inner).await;
        assert!(
            errors[0].contains("Shopify emulator"),
            "{inner}: {errors:?}"
        );
    }
    assert_eq!(rig.emu.stats().bulk.started, 0);
    assert_eq!(rig.emu.stats().bulk.rejected, 15);
}

#[tokio::test]
async fn the_mutation_costs_ten_points_and_a_poll_one() {
    let rig = rig_with(5, |c| {
        c.bucket = bucket(15.0, 1.0);
    })
    .await;
    let reply = rig
        .post(RUN, json!({ "query": ORDERS_WITH_LINES, "group": false }))
        .await;
    let cost = &reply["extensions"]["cost"];
    assert_eq!(cost["requestedQueryCost"], 10);
    assert_eq!(cost["actualQueryCost"], 10);
    assert_eq!(cost["throttleStatus"]["currentlyAvailable"], 5);
    let id = reply["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let poll = rig.post(POLL, json!({ "id": id })).await;
    assert_eq!(poll["extensions"]["cost"]["requestedQueryCost"], 1);
    assert_eq!(
        poll["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        4
    );
    // Four points left: the next run is throttled, as under Shopify's real bucket.
    let throttled = rig
        .post(RUN, json!({ "query": ORDERS_WITH_LINES, "group": false }))
        .await;
    assert_eq!(throttled["errors"][0]["extensions"]["code"], "THROTTLED");
    assert_eq!(rig.emu.stats().bulk.runs, 1);
}

#[tokio::test]
async fn an_operation_is_found_again_by_node_current_and_list() {
    let rig = rig_with(8, |c| c.bulk.polls = 5).await;
    let first = rig.start(ORDERS_WITH_LINES).await;
    rig.settle(&first).await;
    let second = rig.start(ORDERS_WITH_LINES).await;
    let node = rig
        .post(
            "query($id: ID!) { node(id: $id) { ... on BulkOperation { id status } } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(node["data"]["node"]["id"], second);
    assert_eq!(node["data"]["node"]["status"], "RUNNING");
    let current = rig
        .post("{ currentBulkOperation { id status } }", json!({}))
        .await;
    assert_eq!(current["data"]["currentBulkOperation"]["id"], second);
    let running = rig
        .post(
            r#"{ bulkOperations(first: 5, query: "status:running") { nodes { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        running["data"]["bulkOperations"]["nodes"],
        json!([{ "id": second }])
    );
    let all = rig
        .post(
            "{ bulkOperations(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    let page = &all["data"]["bulkOperations"];
    assert_eq!(page["edges"][0]["node"]["id"], second, "newest first");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor = page["edges"][0]["cursor"].as_str().unwrap();
    let next = rig
        .post(
            "query($after: String) { bulkOperations(first: 5, after: $after) { nodes { id status } } }",
            json!({ "after": cursor }),
        )
        .await;
    assert_eq!(
        next["data"]["bulkOperations"]["nodes"],
        json!([{ "id": first, "status": "COMPLETED" }])
    );
    let unknown = rig.poll("gid://shopify/BulkOperation/0").await;
    assert_eq!(unknown, Value::Null);
}
