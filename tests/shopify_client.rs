//! The Shopify client against the Shopify emulator: streaming with nested pagination, every
//! operation, every error class, token refresh, and pacing under a small bucket on a virtual clock.

mod shopify_support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use shopify_support::{Rig, bucket, now, rig_over, spec};
use shopsync::clock::Clock;
use shopsync::config::Secret;
use shopsync::order::Order;
use shopsync::sandbox::data::{self, OrderData, StoreData, StoreSpec};
use shopsync::sandbox::shopify::{SANDBOX_TOKEN, ShopifyEmulator};
use shopsync::shopify::{Auth, ShopifyClient};

fn store(orders: usize, big_every: usize) -> StoreData {
    let mut spec = spec(42, orders);
    spec.big_order_every = big_every;
    data::generate(&spec)
}

async fn rig(data: StoreData) -> Rig {
    rig_over(data, |_| {}).await
}

async fn stream_all(client: &ShopifyClient, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Order> {
    let mut stream = client.orders_updated(from, to);
    let mut all = Vec::new();
    while let Some(page) = stream.next_page().await.unwrap() {
        assert_eq!(page.shop.is_some(), page.pages == 1);
        all.extend(page.orders);
    }
    all
}

fn money(minor: i64, currency: &str) -> Decimal {
    Decimal::new(minor, data::minor_digits(currency))
}

fn check_order(order: &Order, want: &OrderData, emu: &ShopifyEmulator) {
    emu.with_store(|store, _| {
        assert_eq!(order.gid, format!("gid://shopify/Order/{}", want.id));
        assert_eq!(order.legacy_id, want.id.to_string());
        assert_eq!(order.name, format!("#{}", want.number));
        assert_eq!(order.number, want.number);
        assert_eq!(order.updated_at.timestamp(), want.updated_at);
        assert_eq!(order.created_at.timestamp(), want.created_at);
        assert_eq!(order.cancelled_at.map(|t| t.timestamp()), want.cancelled_at);
        assert_eq!(order.financial_status.as_deref(), want.financial_status);
        assert_eq!(order.test, want.test);
        assert_eq!(order.note.as_deref(), want.note.as_deref());
        // Order.currencyCode is the shop's currency, whatever the customer paid in.
        assert_eq!(order.currency_code, store.data.shop.currency);
        assert_eq!(order.current_total.currency, store.data.shop.currency);
        assert_eq!(order.customer.is_some(), want.customer.is_some());
        if let (Some(c), Some(i)) = (&order.customer, want.customer) {
            let wc = &store.data.customers[i as usize];
            assert_eq!(c.first_name.as_deref(), wc.first_name.as_deref());
        }
        if let (Some(a), Some(i)) = (&order.shipping_address, want.shipping) {
            assert_eq!(
                a.zip.as_deref(),
                store.data.addresses[i as usize].zip.as_deref()
            );
        }
        assert_eq!(order.shipping_address.is_some(), want.shipping.is_some());
        assert_eq!(
            order.current_total.amount,
            money(want.current_total_minor(), &store.data.shop.currency)
        );
        assert_eq!(order.line_items.len(), want.lines.len(), "{}", order.name);
        for (line, wl) in order.line_items.iter().zip(&want.lines) {
            assert_eq!(line.legacy_id(), wl.id.to_string());
            assert_eq!(line.quantity, i64::from(wl.quantity));
            assert_eq!(line.current_quantity, i64::from(wl.current_quantity));
            assert_eq!(
                line.unit_price.amount,
                money(wl.unit_minor, &store.data.shop.currency)
            );
            assert_eq!(
                line.discounted_total.amount,
                money(wl.discounted_minor, &store.data.shop.currency)
            );
        }
    });
}

#[tokio::test]
async fn streams_every_order_of_a_2000_order_store_with_300_line_orders() {
    let rig = rig(store(2_000, 400)).await;
    let client = rig.client();
    let all = stream_all(&client, now() - chrono::Duration::days(40), now()).await;
    let want: Vec<OrderData> = rig.emu.with_store(|s, _| s.orders().cloned().collect());
    assert_eq!(all.len(), want.len());
    let mut by_id = std::collections::HashMap::new();
    for order in &all {
        assert!(
            by_id.insert(order.legacy_id.clone(), order).is_none(),
            "duplicate {}",
            order.name
        );
    }
    for w in &want {
        check_order(by_id[&w.id.to_string()], w, &rig.emu);
    }
    assert!(all.windows(2).all(|w| w[0].updated_at <= w[1].updated_at));
    assert_eq!(all.iter().filter(|o| o.line_items.len() == 300).count(), 5);
    assert!(all.iter().any(|o| o.customer.is_none()));
    assert!(
        all.iter()
            .any(|o| o.note.as_ref().is_some_and(|n| n.starts_with('=')))
    );
    let stats = rig.emu.stats();
    assert_eq!(stats.throttled, 0);
    assert_eq!(stats.max_cost_exceeded, 0);
    assert_eq!(client.stats().requests, stats.requests);
    // The client's cost model and the emulator's apply Shopify's rules independently: they agree.
    assert_eq!(client.stats().estimated_cost, stats.requested_cost as f64);
    assert_eq!(client.stats().requested_cost, stats.requested_cost as f64);
    println!(
        "2000-order stream: {} requests, {} throttled, requested {} actual {} points",
        stats.requests, stats.throttled, stats.requested_cost, stats.actual_cost
    );
}

#[tokio::test]
async fn an_hourly_run_with_nothing_new_costs_one_request() {
    let rig = rig(store(50, 0)).await;
    let client = rig.client();
    let mut stream = client.orders_updated(now(), now() + chrono::Duration::hours(1));
    let page = stream.next_page().await.unwrap().unwrap();
    assert!(page.orders.is_empty());
    assert!(!page.has_more);
    let shop = page.shop.unwrap();
    assert_eq!(shop.myshopify_domain, "sandbox-store.myshopify.com");
    assert_eq!(shop.order_number_prefix, "#");
    assert!(stream.next_page().await.unwrap().is_none());
    assert_eq!(rig.emu.stats().requests, 1);
}

#[tokio::test]
async fn pacing_stays_within_15_percent_of_the_restore_bound_without_throttling() {
    for (maximum, restore_rate) in [(1000.0, 50.0), (2000.0, 100.0)] {
        let bucket = bucket(maximum, restore_rate);
        let rig = rig_over(store(2_000, 400), |c| c.bucket = bucket).await;
        let client = rig.client();
        let start = rig.clock.now();
        let all = stream_all(&client, now() - chrono::Duration::days(40), now()).await;
        assert_eq!(all.len(), 2_000);
        let elapsed = (rig.clock.now() - start).as_seconds_f64();
        let stats = rig.emu.stats();
        let bound = (stats.actual_cost as f64 - maximum) / restore_rate;
        println!(
            "pacing (bucket {maximum}, {restore_rate}/s): {} requests, {} THROTTLED, virtual \
             {elapsed:.1} s vs bound {bound:.1} s ({:+.1}%), actual cost {}",
            stats.requests,
            stats.throttled,
            (elapsed / bound - 1.0) * 100.0,
            stats.actual_cost
        );
        assert_eq!(stats.throttled, 0, "no THROTTLED reply expected");
        assert_eq!(client.stats().throttled, 0);
        assert!(
            bound > 100.0,
            "the run must be long enough to measure: {bound}"
        );
        assert!(elapsed <= bound * 1.15, "{elapsed} s vs bound {bound} s");
        assert!(elapsed >= bound * 0.85, "{elapsed} s vs bound {bound} s");
    }
}

#[tokio::test]
async fn by_ids_by_number_count_scopes_and_shop() {
    let rig = rig(store(300, 100)).await;
    let client = rig.client();
    let orders: Vec<OrderData> = rig.emu.with_store(|s, _| s.orders().cloned().collect());
    let big = orders.iter().find(|o| o.lines.len() == 300).unwrap();
    let deleted = orders[5].id;
    assert!(rig.emu.delete(deleted));
    let gids: Vec<String> = [orders[1].id, big.id, deleted, 1]
        .iter()
        .map(|id| format!("gid://shopify/Order/{id}"))
        .collect();
    let fetched = client.orders_by_ids(&gids).await.unwrap();
    assert_eq!(fetched.len(), 2);
    check_order(&fetched[0], &orders[1], &rig.emu);
    check_order(&fetched[1], big, &rig.emu);

    let shop = client.shop().await.unwrap();
    let found = client
        .orders_by_number(orders[3].number, &shop)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].number, orders[3].number);
    let gap = orders
        .windows(2)
        .find(|w| w[1].number > w[0].number + 1)
        .map(|w| w[0].number + 1)
        .unwrap();
    assert!(
        client
            .orders_by_number(gap, &shop)
            .await
            .unwrap()
            .is_empty()
    );
    let deleted_number = orders[5].number;
    assert!(
        client
            .orders_by_number(deleted_number, &shop)
            .await
            .unwrap()
            .is_empty()
    );

    let from = now() - chrono::Duration::days(10);
    let count = client.orders_count_created(from, now()).await.unwrap();
    let want = orders
        .iter()
        .filter(|o| o.id != deleted && o.created_at >= from.timestamp())
        .count() as u64;
    assert_eq!(count.count, want);
    assert!(count.exact);
    let mut created = client.orders_created(from, now());
    let mut n = 0;
    while let Some(page) = created.next_page().await.unwrap() {
        assert!(page.orders.iter().all(|o| o.created_at >= from));
        n += page.orders.len() as u64;
    }
    assert_eq!(n, want);

    let scopes = client.access_scopes().await.unwrap();
    assert_eq!(scopes, ["read_orders", "read_all_orders"]);
}

#[tokio::test]
async fn store_mutations_show_up_in_the_next_window() {
    let rig = rig(store(100, 0)).await;
    let client = rig.client();
    let ids: Vec<u64> = rig
        .emu
        .with_store(|s, _| s.orders().map(|o| o.id).collect());
    rig.clock.advance(Duration::from_secs(3600));
    let from = rig.clock.now();
    assert!(rig.emu.cancel(ids[0]));
    assert!(rig.emu.refund(ids[1], 100));
    assert!(rig.emu.edit_lines(ids[2], 0));
    assert!(rig.emu.touch(ids[3]));
    let added = rig.emu.add_orders(2);
    let changed = stream_all(&client, from, rig.clock.now()).await;
    assert_eq!(changed.len(), 6);
    let get = |id: u64| {
        changed
            .iter()
            .find(|o| o.legacy_id == id.to_string())
            .unwrap()
    };
    assert!(get(ids[0]).cancelled_at.is_some());
    assert_eq!(get(ids[2]).line_items[0].current_quantity, 0);
    assert!(get(added[1]).number > get(added[0]).number);
}

#[tokio::test]
async fn without_read_all_orders_only_the_last_60_days_are_visible() {
    let mut spec = StoreSpec::new(3, 200, now());
    spec.start = now() - chrono::Duration::days(120);
    let rig = rig_over(data::generate(&spec), |c| {
        c.tokens = vec![("shpat_recent".to_owned(), vec!["read_orders".to_owned()])];
    })
    .await;
    let client =
        ShopifyClient::new(rig.settings(Auth::Token(Secret::new("shpat_recent")))).unwrap();
    let all = stream_all(&client, now() - chrono::Duration::days(200), now()).await;
    let cutoff = now() - chrono::Duration::days(60);
    assert!(!all.is_empty());
    assert!(all.iter().all(|o| o.created_at >= cutoff));
    let hidden = rig.emu.with_store(|s, _| {
        s.orders()
            .filter(|o| o.created_at < cutoff.timestamp())
            .count()
    });
    assert!(hidden > 0);
    assert_eq!(all.len() + hidden, 200);
}

#[tokio::test]
async fn withheld_protected_customer_data_leaves_fields_empty_and_is_counted() {
    let rig = rig_over(store(60, 0), |c| c.protected_data_access = false).await;
    let client = rig.client();
    let all = stream_all(&client, now() - chrono::Duration::days(40), now()).await;
    assert_eq!(all.len(), 60);
    assert!(all.iter().all(|o| o.email.is_none() && o.phone.is_none()));
    assert!(
        all.iter()
            .filter_map(|o| o.customer.as_ref())
            .all(|c| c.first_name.is_none() && c.last_name.is_none())
    );
    let addresses: Vec<_> = all
        .iter()
        .filter_map(|o| o.shipping_address.as_ref())
        .collect();
    assert!(!addresses.is_empty());
    assert!(
        addresses
            .iter()
            .all(|a| a.zip.is_none() && a.city.is_some())
    );
    assert!(client.stats().withheld_fields > 0);
    // Granted again, the same orders come back whole.
    rig.emu.set_protected_data_access(true);
    let all = stream_all(&client, now() - chrono::Duration::days(40), now()).await;
    assert!(all.iter().any(|o| o.email.is_some()));
}

/// A shop whose order prefix and suffix hold `\` and `'`: the name search escapes both, so the
/// lookup finds the order instead of recording it absent for good (issue 11, finding 11).
#[tokio::test]
async fn orders_are_found_by_number_when_the_prefix_holds_a_backslash() {
    let mut spec = StoreSpec::new(42, 20, now() - chrono::Duration::minutes(1));
    spec.prefix = r"A\".to_owned();
    spec.suffix = r"'\b".to_owned();
    let rig = rig(data::generate(&spec)).await;
    let client = rig.client();
    let shop = client.shop().await.unwrap();
    assert_eq!(shop.order_number_prefix, r"A\");
    let orders: Vec<OrderData> = rig.emu.with_store(|s, _| s.orders().cloned().collect());
    for order in &orders[..3] {
        let found = client.orders_by_number(order.number, &shop).await.unwrap();
        assert_eq!(found.len(), 1, "order {} was not found", order.number);
        assert_eq!(found[0].name, format!(r"A\{}'\b", order.number));
    }
}

#[tokio::test]
async fn the_clock_ahead_of_shopifys_is_read_off_the_date_header() {
    let rig = rig(store(3, 0)).await;
    let same = rig.client();
    assert_eq!(
        same.clock_ahead(),
        chrono::Duration::zero(),
        "before any reply"
    );
    same.shop().await.unwrap();
    assert_eq!(
        same.clock_ahead(),
        chrono::Duration::zero(),
        "the same clock"
    );

    let mut settings = rig.settings(Auth::Token(Secret::new(SANDBOX_TOKEN)));
    settings.clock = std::sync::Arc::new(shopsync::clock::ManualClock::new(
        now() + chrono::Duration::milliseconds(3_500),
    ));
    let fast = ShopifyClient::new(settings.clone()).unwrap();
    fast.shop().await.unwrap();
    assert_eq!(fast.clock_ahead(), chrono::Duration::milliseconds(3_500));

    settings.clock = std::sync::Arc::new(shopsync::clock::ManualClock::new(
        now() - chrono::Duration::seconds(30),
    ));
    let slow = ShopifyClient::new(settings).unwrap();
    slow.shop().await.unwrap();
    assert_eq!(
        slow.clock_ahead(),
        chrono::Duration::zero(),
        "a clock behind"
    );
}
