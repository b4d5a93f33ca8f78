//! Shared setup for the Shopify tests: an emulator over a seeded store on a virtual clock
//! (validating every document against the extract of Shopify's schema, as every emulator does by
//! default), clients pointed at it, and plain HTTP posts for the tests that speak GraphQL directly.
//! `bulk` adds the bulk operation documents and steps.

#![allow(dead_code)]

pub mod bulk;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use shopsync::clock::ManualClock;
use shopsync::config::Secret;
use shopsync::retry::Backoff;
use shopsync::sandbox::data::{self, StoreData, StoreSpec};
use shopsync::sandbox::shopify::{
    AppCredentials, BucketConfig, EmulatorConfig, SANDBOX_TOKEN, ShopifyEmulator,
};
use shopsync::shopify::{Auth, ShopifyClient, ShopifySettings};

/// The virtual clock's start.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 11, 0, 0).unwrap()
}

/// A store of `orders` generated orders from `seed`, the newest a minute old.
pub fn spec(seed: u64, orders: usize) -> StoreSpec {
    StoreSpec::new(seed, orders, now() - chrono::Duration::minutes(1))
}

/// The client-credentials app the default rig knows (`client-id` / `client-secret`).
pub fn app() -> AppCredentials {
    AppCredentials {
        client_id: "client-id".to_owned(),
        client_secret: "client-secret".to_owned(),
        scopes: vec!["read_orders".to_owned()],
        lifetime: Duration::from_secs(3600),
    }
}

/// A cost bucket of `maximum` points restoring `restore_rate` a second (Shopify's: 2000 and 100).
pub fn bucket(maximum: f64, restore_rate: f64) -> BucketConfig {
    BucketConfig {
        maximum,
        restore_rate,
        unlimited: false,
    }
}

pub struct Rig {
    pub emu: ShopifyEmulator,
    pub clock: ManualClock,
    http: reqwest::Client,
}

/// An emulator over `data`, its configuration adjusted by `edit`.
pub async fn rig_over(data: StoreData, edit: impl FnOnce(&mut EmulatorConfig)) -> Rig {
    shopsync::http::install_tls_provider();
    let clock = ManualClock::new(now());
    let mut config = EmulatorConfig::new(data, Arc::new(clock.clone()));
    edit(&mut config);
    Rig {
        emu: ShopifyEmulator::start(config).await.unwrap(),
        clock,
        http: reqwest::Client::new(),
    }
}

/// The default rig: 40 orders from seed 9 and the [`app`], adjusted by `edit`.
pub async fn rig_with(edit: impl FnOnce(&mut EmulatorConfig)) -> Rig {
    rig_over(data::generate(&spec(9, 40)), |config| {
        config.app = Some(app());
        edit(config);
    })
    .await
}

/// The default rig as it is.
pub async fn rig() -> Rig {
    rig_with(|_| {}).await
}

impl Rig {
    /// Client settings for the emulator: a 10 s timeout, four attempts from 500 ms.
    pub fn settings(&self, auth: Auth) -> ShopifySettings {
        let mut settings =
            ShopifySettings::new("sandbox-store", auth, Arc::new(self.clock.clone()));
        settings.base_url = Some(self.emu.base_url().to_owned());
        settings.timeout = Duration::from_secs(10);
        settings.backoff = Backoff {
            max_attempts: 4,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        };
        settings
    }

    /// A client with the sandbox's token.
    pub fn client(&self) -> ShopifyClient {
        ShopifyClient::new(self.settings(Auth::Token(Secret::new(SANDBOX_TOKEN)))).unwrap()
    }

    /// A client of the [`app`] with `secret`.
    pub fn app_client(&self, secret: &str) -> ShopifyClient {
        ShopifyClient::new(self.settings(Auth::ClientCredentials {
            client_id: "client-id".to_owned(),
            client_secret: Secret::new(secret),
        }))
        .unwrap()
    }

    /// Posts a raw GraphQL body with `token`: the status and the reply.
    pub async fn post_body(&self, token: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!(
                "{}/admin/api/2026-04/graphql.json",
                self.emu.base_url()
            ))
            .header("X-Shopify-Access-Token", token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Posts a GraphQL document with `token`; the reply, which must be a 200.
    pub async fn post_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, reply) = self
            .post_body(token, &json!({ "query": query, "variables": variables }))
            .await;
        assert_eq!(status, 200, "{reply}");
        reply
    }

    /// Posts a GraphQL document with the sandbox token; the reply, which must be a 200.
    pub async fn post(&self, query: &str, variables: Value) -> Value {
        self.post_as(SANDBOX_TOKEN, query, variables).await
    }

    /// GETs a URL as a client should: no Shopify token.
    pub async fn download(&self, url: &str) -> (u16, String) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}
