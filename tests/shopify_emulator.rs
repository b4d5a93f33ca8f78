//! The Shopify emulator seen from the outside, with a plain HTTP client: it rejects what Shopify
//! would reject, throttles in Shopify's exact shape, reports costs, and accepts raw GraphQL bodies.

mod shopify_support;

use serde_json::{Value, json};
use shopify_support::{Rig, bucket, rig, rig_with};
use shopsync::sandbox::shopify::SANDBOX_TOKEN;

async fn post_raw(rig: &Rig, body: Value) -> (u16, Value) {
    rig.post_body(SANDBOX_TOKEN, &body).await
}

#[tokio::test]
async fn the_emulator_rejects_what_shopify_would_reject() {
    let rig = rig().await;
    let (code, body) = post_raw(&rig, json!({"query": "{ shop { name notAField } }"})).await;
    assert_eq!(code, 200);
    assert!(body.get("data").is_none());
    assert_eq!(
        body["errors"][0]["message"],
        "Field 'notAField' doesn't exist on type 'Shop'"
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "undefinedField");
    assert!(body["errors"][0]["locations"].is_array());
    let (_, body) = post_raw(
        &rig,
        json!({"query": "{ orders(first: \"ten\") { nodes { id } } }"}),
    )
    .await;
    assert!(body["errors"][0]["message"].is_string(), "{body}");
    // Valid for Shopify but outside what the emulator serves: also an error, never silence.
    let (_, body) = post_raw(&rig, json!({"query": "{ shop { email } }"})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("emulator")
    );
    let (_, body) = post_raw(
        &rig,
        json!({"query": "{ orders(first: 251) { nodes { id } } }"}),
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("The maximum number of items per page is 250"),
        "{message}"
    );
}

#[tokio::test]
async fn the_emulator_throttles_in_shopifys_shape_and_reports_costs() {
    let rig = rig_with(|c| {
        c.bucket = bucket(1000.0, 50.0);
    })
    .await;
    let query = "{ orders(first: 70) { nodes { id lineItems(first: 10) { nodes { id } } } } }";
    let (_, first) = post_raw(&rig, json!({ "query": query })).await;
    let cost = &first["extensions"]["cost"];
    assert_eq!(cost["requestedQueryCost"], 912);
    assert!(cost["actualQueryCost"].as_u64().unwrap() < 912);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 1000.0);
    assert!(cost["throttleStatus"]["currentlyAvailable"].is_u64());
    let (code, second) = post_raw(&rig, json!({ "query": query })).await;
    assert_eq!(code, 200);
    assert_eq!(second["errors"][0]["extensions"]["code"], "THROTTLED");
    assert!(second["extensions"]["cost"]["actualQueryCost"].is_null());
    assert!(second.get("data").is_none());
    let (_, capped) = post_raw(&rig, json!({"query": "{ orders(first: 250) { nodes { id lineItems(first: 10) { nodes { id } } } } }"})).await;
    assert_eq!(
        capped["errors"][0]["extensions"]["code"],
        "MAX_COST_EXCEEDED"
    );
}

#[tokio::test]
async fn the_emulator_accepts_raw_graphql_bodies() {
    let rig = rig().await;
    shopsync::http::install_tls_provider();
    let response = reqwest::Client::new()
        .post(format!(
            "{}/admin/api/2026-04/graphql.json",
            rig.emu.base_url()
        ))
        .header("X-Shopify-Access-Token", SANDBOX_TOKEN)
        .header("Content-Type", "application/graphql")
        .body("{ shop { name } }")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-shopify-api-version"], "2026-04");
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["shop"]["name"], "Sandbox Store ✨");
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 1);
}

#[tokio::test]
async fn orders_count_is_capped_by_its_limit_and_says_so() {
    let rig = rig().await;
    let (_, capped) = post_raw(
        &rig,
        json!({"query": "{ ordersCount(limit: 5) { count precision } }"}),
    )
    .await;
    assert_eq!(
        capped["data"]["ordersCount"],
        json!({"count": 5, "precision": "AT_LEAST"})
    );
    let (_, all) = post_raw(
        &rig,
        json!({"query": "{ ordersCount(limit: null) { count precision } }"}),
    )
    .await;
    assert_eq!(
        all["data"]["ordersCount"],
        json!({"count": 40, "precision": "EXACT"})
    );
    let (_, default) = post_raw(
        &rig,
        json!({"query": "{ ordersCount { count precision } }"}),
    )
    .await;
    assert_eq!(default["data"]["ordersCount"]["precision"], "EXACT");
}

#[tokio::test]
async fn orders_are_in_the_shop_currency_and_keep_the_customers_as_presentment() {
    let rig = rig().await;
    let query = "{ shop { currencyCode } orders(first: 40) { nodes { currencyCode \
                 presentmentCurrencyCode totalPriceSet { shopMoney { amount currencyCode } \
                 presentmentMoney { amount currencyCode } } } } }";
    let (code, body) = post_raw(&rig, json!({ "query": query })).await;
    assert_eq!(code, 200, "{body}");
    let shop = body["data"]["shop"]["currencyCode"].as_str().unwrap();
    assert_eq!(shop, "USD");
    let orders = body["data"]["orders"]["nodes"].as_array().unwrap();
    let mut presentment = std::collections::BTreeSet::new();
    for order in orders {
        assert_eq!(
            order["currencyCode"], shop,
            "one shop, one currency: {order}"
        );
        let total = &order["totalPriceSet"];
        assert_eq!(total["shopMoney"]["currencyCode"], shop);
        let paid_in = order["presentmentCurrencyCode"].as_str().unwrap();
        assert_eq!(total["presentmentMoney"]["currencyCode"], paid_in);
        let amount = |m: &Value| m["amount"].as_str().unwrap().parse::<f64>().unwrap();
        let (usd, theirs) = (
            amount(&total["shopMoney"]),
            amount(&total["presentmentMoney"]),
        );
        let rate = match paid_in {
            "USD" => 1.0,
            "EUR" => 0.92,
            "GBP" => 0.79,
            "CAD" => 1.36,
            "JPY" => 150.0,
            other => panic!("{other}"),
        };
        assert!(
            (usd * rate - theirs).abs() <= 1.0,
            "{paid_in}: {usd} USD is {theirs}"
        );
        presentment.insert(paid_in.to_owned());
    }
    assert!(
        presentment.len() > 1,
        "customers pay in several currencies: {presentment:?}"
    );
}
