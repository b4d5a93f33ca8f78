//! The demo's sandbox: both emulators on loopback with a seeded store and an empty spreadsheet,
//! the config that points shopsync at them, and the changes "customers and staff" make in the
//! store between two syncs.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::Value;

use super::folder::KEY_FILE;
use crate::clock::{SharedClock, SystemClock};
use crate::order::format_money;
use crate::sandbox::data::{OrderData, StoreSpec, generate, minor_digits};
use crate::sandbox::google::SandboxOptions;
use crate::sandbox::shopify::BucketConfig;
use crate::sandbox::world::Emulators;

/// The seed of the demo's store: every demo shows the same shop.
pub const SEED: u64 = 2026;
/// Orders in the demo's store.
pub const ORDERS: usize = 300;
/// Every this-many-th order is a big one (a wholesale order of many line items); not the last
/// order, which new orders are copied from.
const BIG_ORDER_EVERY: usize = 90;
/// Line items of a big order: more than one page of line items, as big real orders have.
const BIG_ORDER_LINES: usize = 120;
/// The spreadsheet's title.
pub const SPREADSHEET_TITLE: &str = "Shop Orders (sandbox)";
/// The tab the demo syncs to (the default).
pub const TAB: &str = "Orders";
/// The store name written to config.json.
pub const STORE_NAME: &str = "sandbox-store";

/// Both emulators and the spreadsheet, running on `runtime` for as long as this lives.
pub struct World {
    /// The emulators and the spreadsheet.
    pub emulators: Emulators,
    /// The shop's name.
    pub shop_name: String,
}

impl std::ops::Deref for World {
    type Target = Emulators;

    fn deref(&self) -> &Emulators {
        &self.emulators
    }
}

impl World {
    /// Generates a store of `orders` orders from `seed` and starts both emulators on `runtime`.
    ///
    /// # Errors
    /// A loopback port cannot be bound.
    pub fn start(
        runtime: &tokio::runtime::Runtime,
        seed: u64,
        orders: usize,
    ) -> anyhow::Result<Self> {
        let clock: SharedClock = Arc::new(SystemClock);
        // The newest order is an hour old, as between two hourly runs, and the oldest is well inside
        // the first sync's 30 days, so the backfill takes the whole store.
        let end = Utc::now() - chrono::Duration::hours(1);
        let mut spec = StoreSpec::new(seed, orders, end);
        spec.start = end - chrono::Duration::days(25);
        spec.big_order_every = BIG_ORDER_EVERY;
        spec.big_order_lines = BIG_ORDER_LINES;
        let mut data = generate(&spec);
        // Long notes are rare in real shops (and in the generator); the demo wants a few, to show
        // how shopsync handles a cell past the sheet's 50,000-character limit.
        let long_note: Arc<str> = Arc::from("A very long gift message. ".repeat(2_500));
        for order in data.orders.iter_mut().skip(40).step_by(90).take(3) {
            order.note = Some(long_note.clone());
        }
        let shop_name = data.shop.name.clone();
        // Shopify's real bucket (2000 points, 100 per second) would make the backfill wait on
        // THROTTLED replies for a few seconds, which teaches a newcomer nothing and makes the
        // demo slow; pacing is tested elsewhere. The demo's store never throttles.
        // Requests are checked against Google's discovery documents (the extracts compiled in),
        // as in the tests. Google's real per-minute quotas stay on; the demo's few requests are
        // well under them.
        let options = SandboxOptions {
            clock,
            ..SandboxOptions::default()
        };
        let emulators = Emulators::start(
            runtime,
            data,
            |config| config.bucket = BucketConfig::unlimited(),
            options,
            SPREADSHEET_TITLE,
        )?;
        Ok(Self {
            emulators,
            shop_name,
        })
    }

    /// Writes `config.json` and the sandbox's key file into `dir`.
    ///
    /// # Errors
    /// A file cannot be written.
    pub fn write_config(&self, dir: &Path) -> anyhow::Result<()> {
        let key = dir.join(KEY_FILE);
        self.google
            .write_service_account_file(&key)
            .with_context(|| format!("cannot write {}", key.display()))?;
        let mut config = self.config(STORE_NAME, KEY_FILE, TAB);
        config.insert(
            "//".to_owned(),
            Value::from(
                "Made by `shopsync demo`: points shopsync at the sandbox store and spreadsheet, \
                 which ran on this machine only while the demo ran. The token and key are the \
                 sandbox's own. For a real store, start from config_template.json.",
            ),
        );
        let path = dir.join("config.json");
        let text = serde_json::to_string_pretty(&config)? + "\n";
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The tab's cells as the sandbox holds them (unformatted values).
    #[must_use]
    pub fn rows(&self) -> Vec<Vec<Value>> {
        self.emulators.rows(TAB)
    }

    /// Changes a few orders the way a shop's day does, preferring orders near the top of the sheet
    /// so the preview shows them.
    pub fn change_orders(&self) -> Vec<Change> {
        let ids = self.order_ids_in_sheet_order();
        let mut used = HashSet::new();
        let mut pick = |test: &dyn Fn(&OrderData) -> bool| -> Option<(u64, String)> {
            let found = self.shopify.with_store(|store, _| {
                ids.iter()
                    .filter(|id| !used.contains(*id))
                    .filter_map(|id| store.get(*id))
                    .find(|o| o.cancelled_at.is_none() && !o.test && test(o))
                    .map(|o| (o.id, format!("#{}", o.number)))
            });
            if let Some((id, _)) = &found {
                used.insert(*id);
            }
            found
        };
        let mut changes = Vec::new();
        if let Some((id, name)) = pick(&|o| o.financial_status != Some("PAID")) {
            self.edit(id, |o| o.financial_status = Some("PAID"));
            changes.push(Change::new(
                &name,
                format!("{name} was paid."),
                Some(format!("{name} now PAID")),
            ));
        }
        if let Some((id, name)) = pick(&|o| o.fulfillment_status == "UNFULFILLED") {
            self.edit(id, |o| o.fulfillment_status = "FULFILLED");
            // Fulfillment Status is not among the preview's columns.
            changes.push(Change::new(
                &name,
                format!("{name} was shipped (fulfilled)."),
                None,
            ));
        }
        if let Some((id, name)) = pick(&|_| true) {
            self.shopify.cancel(id);
            changes.push(Change::new(
                &name,
                format!("{name} was cancelled."),
                Some(format!("{name} cancelled (VOIDED, total 0)")),
            ));
        }
        if let Some((id, name)) = pick(&|o| o.refunded_minor == 0 && o.lines.len() > 1) {
            let (minor, currency) = self
                .shopify
                .with_store(|s, _| {
                    s.get(id)
                        .map(|o| (o.total_minor() / 2, s.data.shop.currency.clone()))
                })
                .unwrap_or((0, "USD".to_owned()));
            self.shopify.refund(id, minor);
            changes.push(Change::new(
                &name,
                format!("{name} was partly refunded ({}).", money(minor, &currency)),
                Some(format!("{name} partly refunded (a lower total)")),
            ));
        }
        // The edit takes out the first line item and adds a copy of it: the generator already
        // took some first lines out, and a copy of one of those would show quantity 0.
        if let Some((id, name)) = pick(&|o| o.lines.len() > 1 && o.lines[0].current_quantity > 0) {
            self.shopify.edit_lines(id, 0);
            changes.push(Change::new(
                &name,
                format!("{name} was edited: one line item taken out, another one added."),
                Some(format!(
                    "{name} edited (the line item taken out keeps its row, with quantity 0; \
                     the one added is near the end)"
                )),
            ));
        }
        let new: Vec<String> = self
            .shopify
            .add_orders(2)
            .into_iter()
            .filter_map(|id| {
                self.shopify
                    .with_store(|s, _| s.get(id).map(|o| format!("#{}", o.number)))
            })
            .collect();
        if !new.is_empty() {
            let names = new.join(" and ");
            changes.push(Change {
                orders: new,
                sentence: format!("{names} came in as new orders."),
                in_view: Some(format!("the new orders {names} at the end")),
            });
        }
        changes
    }

    fn edit(&self, id: u64, change: impl FnOnce(&mut OrderData)) {
        self.shopify
            .with_store(|store, now| store.update(id, now.timestamp(), change));
    }

    /// The Order IDs of the sheet's data rows, each once, top to bottom.
    fn order_ids_in_sheet_order(&self) -> Vec<u64> {
        let rows = self.rows();
        let Some(column) = rows
            .first()
            .and_then(|h| h.iter().position(|v| v.as_str() == Some("Order ID")))
        else {
            return Vec::new();
        };
        let mut seen = HashSet::new();
        rows.iter()
            .skip(1)
            .filter_map(|r| r.get(column).and_then(Value::as_str))
            .filter_map(|id| id.parse::<u64>().ok())
            .filter(|id| seen.insert(*id))
            .collect()
    }
}

/// One change made in the store between two syncs.
#[derive(Debug, Clone)]
pub struct Change {
    /// The orders it touched (`#1004`).
    pub orders: Vec<String>,
    /// What happened, as a sentence.
    pub sentence: String,
    /// What to look for in the preview when these orders are in it.
    pub in_view: Option<String>,
}

impl Change {
    fn new(order: &str, sentence: String, in_view: Option<String>) -> Self {
        Self {
            orders: vec![order.to_owned()],
            sentence,
            in_view,
        }
    }
}

/// Minor units as money is printed everywhere (`1234` USD is `12.34 USD`).
fn money(minor: i64, currency: &str) -> String {
    format_money(Decimal::new(minor, minor_digits(currency)), currency)
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_is_shown_in_major_units() {
        assert_eq!(money(1234, "USD"), "12.34 USD");
        assert_eq!(money(5, "EUR"), "0.05 EUR");
        assert_eq!(money(1234, "JPY"), "1234 JPY");
    }
}
