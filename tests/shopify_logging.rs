//! What the Shopify client logs: the API-version fall-forward warned once, failed requests with
//! their `X-Request-Id`, and never a secret. Alone in its test binary because it installs a
//! tracing subscriber (callsite interest is process-wide, so parallel tests would race).

mod shopify_support;

use std::sync::Arc;

use shopify_support::{Rig, rig};
use shopsync::config::Secret;
use shopsync::sandbox::shopify::{Fault, SANDBOX_TOKEN};
use shopsync::shopify::{Auth, ShopifyClient, ShopifySettings};

fn client(rig: &Rig, auth: Auth, version: &str) -> ShopifyClient {
    let mut settings = ShopifySettings::new("sandbox-store", auth, Arc::new(rig.clock.clone()));
    settings.base_url = Some(rig.emu.base_url().to_owned());
    version.clone_into(&mut settings.api_version);
    ShopifyClient::new(settings).unwrap()
}

/// Every event the client logs, at every level, as text.
#[derive(Clone, Default)]
struct Events(Arc<std::sync::Mutex<Vec<(tracing::Level, String)>>>);

struct Text(String);

impl tracing::field::Visit for Text {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Events {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut text = Text(String::new());
        event.record(&mut text);
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), text.0));
    }
}

#[tokio::test]
async fn the_fall_forward_is_warned_once_and_no_log_line_holds_a_secret() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let events = Events::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(events.clone()));
    let rig = rig().await;
    let emu = &rig.emu;
    let old = client(&rig, Auth::Token(Secret::new(SANDBOX_TOKEN)), "2024-07");
    for _ in 0..3 {
        old.shop().await.unwrap();
    }
    emu.inject(4, Fault::status(503, "Service Unavailable"));
    old.shop().await.unwrap();
    let app = client(
        &rig,
        Auth::ClientCredentials {
            client_id: "client-id".to_owned(),
            client_secret: Secret::new("client-secret"),
        },
        "2026-04",
    );
    // Request 6 is the app's first: a 401 makes it refresh its token once.
    emu.inject(
        6,
        Fault::status(401, "[API] Invalid API key or access token"),
    );
    app.shop().await.unwrap();
    assert_eq!(emu.stats().token_requests, 2);
    let events = events.0.lock().unwrap().clone();
    let fall_forward = events
        .iter()
        .filter(|(level, text)| *level == tracing::Level::WARN && text.contains("2026-01"))
        .count();
    assert_eq!(fall_forward, 1, "{events:?}");
    assert!(
        events.iter().any(|(_, text)| text.contains("emu-00000004")),
        "the failed request's X-Request-Id is logged: {events:?}"
    );
    for (_, text) in &events {
        assert!(!text.contains(SANDBOX_TOKEN), "{text}");
        assert!(!text.contains("shpua_"), "{text}");
        assert!(!text.contains("client-secret"), "{text}");
    }
}
