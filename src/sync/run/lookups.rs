//! What reconciliation ([`super::reconcile`]) asks of a job, each question named for what it
//! answers: the store and Shopify are reached here, so the comparisons read as comparisons.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::Job;
use crate::order::{Order, Shop};
use crate::store::{GapClass, NumberRange, OrderStatus, StoreError, local_day_start};
use crate::sync::error::SyncError;
use crate::sync::plan::index::SheetIndex;
use crate::sync::plan::rows::RowKey;

/// One shop-local day: how many orders Shopify has, and how many the DB tracks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DayCount {
    /// The local date.
    pub date: NaiveDate,
    /// Its first instant.
    pub start: DateTime<Utc>,
    /// Its last second (at most now).
    pub end: DateTime<Utc>,
    /// Tracked orders created that day (test orders included, as Shopify counts them).
    pub tracked: u64,
}

impl Job<'_, '_> {
    /// The shop, adopted for the run (its time zone for dates), and whether the app may read
    /// orders older than Shopify's 60-day window (`read_all_orders`).
    pub(super) async fn shop_and_reach(&mut self) -> Result<(Shop, bool), SyncError> {
        let shopify = self.services.shopify;
        let shop = shopify.shop().await?;
        self.learn_shop(&shop)?;
        let scopes = shopify.access_scopes().await?;
        Ok((shop, scopes.iter().any(|s| s == "read_all_orders")))
    }

    /// The run's clock.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.services.clock.now()
    }

    /// Ranges of order numbers between the lowest and highest tracked that are not tracked and
    /// not explained yet.
    pub(super) fn number_gaps(&self) -> Result<Vec<NumberRange>, SyncError> {
        Ok(self.services.store.unexplained_gaps()?)
    }

    /// The orders Shopify has with this number (by name, with the shop's prefix and suffix).
    pub(super) async fn orders_numbered(
        &self,
        number: i64,
        shop: &Shop,
    ) -> Result<Vec<Order>, SyncError> {
        Ok(self.services.shopify.orders_by_number(number, shop).await?)
    }

    /// When the tracked order with this number was created, if one is tracked.
    pub(super) fn created_at_of(&self, number: i64) -> Result<Option<DateTime<Utc>>, SyncError> {
        Ok(self
            .services
            .store
            .order_by_number(number)?
            .map(|o| o.created_at))
    }

    /// Remembers numbers Shopify confirmed absent, so they are not looked up again.
    pub(super) fn record_explained_gaps(
        &mut self,
        explained: &[(i64, GapClass)],
    ) -> Result<(), SyncError> {
        Ok(self.services.store.record_explained_gaps(explained)?)
    }

    /// The orders (global ID, name) with a tracked line item whose row `index` lacks, and how many
    /// such rows; orders found deleted in Shopify are left out.
    pub(super) fn tracked_rows_missing_from(
        &self,
        index: &SheetIndex,
    ) -> Result<(Vec<(String, String)>, usize), SyncError> {
        let mut gone: Vec<(String, String)> = Vec::new();
        let mut rows = 0usize;
        self.services
            .store
            .each_tracked_line_item(|item| -> Result<(), StoreError> {
                // An order found deleted in Shopify has nothing to write back.
                if item.order_status == OrderStatus::Deleted {
                    return Ok(());
                }
                let key = RowKey::new(item.order_legacy_id.clone(), item.line_item_id.clone());
                if !index.contains(&key) {
                    rows += 1;
                    // Line items come order by order.
                    if gone.last().is_none_or(|(gid, _)| *gid != item.order_gid) {
                        gone.push((item.order_gid, item.order_name));
                    }
                }
                Ok(())
            })?;
        Ok((gone, rows))
    }

    /// The orders with these global IDs that Shopify still has.
    pub(super) async fn orders_by_ids(&self, gids: &[String]) -> Result<Vec<Order>, SyncError> {
        Ok(self.services.shopify.orders_by_ids(gids).await?)
    }

    /// The tracked count of every shop-local day of the last `lookback_days`, oldest first.
    pub(super) fn tracked_days(&self, lookback_days: u32) -> Result<Vec<DayCount>, SyncError> {
        let store = &*self.services.store;
        let tz = store.shop_timezone()?.unwrap_or(chrono_tz::UTC);
        let now = self.now();
        let today = now.with_timezone(&tz).date_naive();
        let since = local_day_start(today - Duration::days(i64::from(lookback_days) - 1), tz);
        let report = store.report(since, now, tz)?;
        Ok(report
            .days
            .iter()
            .map(|day| {
                let start = day.start.with_timezone(&Utc);
                let end = start + Duration::minutes(day.length_minutes) - Duration::seconds(1);
                DayCount {
                    date: day.date,
                    start,
                    end: end.min(now),
                    tracked: u64::try_from(day.orders + day.test_orders).unwrap_or(0),
                }
            })
            .collect())
    }

    /// How many orders Shopify has created on `day`.
    pub(super) async fn shopify_count(&self, day: &DayCount) -> Result<u64, SyncError> {
        let count = self
            .services
            .shopify
            .orders_count_created(day.start, day.end)
            .await?;
        Ok(count.count)
    }

    /// Every order Shopify has created on `day`.
    pub(super) async fn orders_created(&self, day: &DayCount) -> Result<Vec<Order>, SyncError> {
        let mut stream = self.services.shopify.orders_created(day.start, day.end);
        let mut out = Vec::new();
        while let Some(page) = stream.next_page().await? {
            out.extend(page.orders);
        }
        Ok(out)
    }

    /// The tracked, active orders created on `day` that Shopify no longer has: `(gid, name)`.
    pub(super) async fn deleted_on(
        &self,
        day: &DayCount,
    ) -> Result<Vec<(String, String)>, SyncError> {
        let ours = self
            .services
            .store
            .active_orders_created_between(day.start, day.end)?;
        let gids: Vec<String> = ours.iter().map(|(gid, _)| gid.clone()).collect();
        let present: BTreeSet<String> = self
            .orders_by_ids(&gids)
            .await?
            .into_iter()
            .map(|o| o.gid)
            .collect();
        Ok(ours
            .into_iter()
            .filter(|(gid, _)| !present.contains(gid))
            .collect())
    }

    /// Marks orders deleted in Shopify, so they are not counted again; their rows stay.
    pub(super) fn mark_deleted(&mut self, gids: &[&str]) -> Result<(), SyncError> {
        Ok(self.services.store.mark_orders_deleted(gids)?)
    }

    /// Plans and writes the given orders (the repair), comparing with the sheet's cells when the
    /// options say `force`.
    pub(super) async fn repair(&mut self, orders: Vec<Order>) -> Result<(), SyncError> {
        self.counts.fetched += i64::try_from(orders.len()).unwrap_or(i64::MAX);
        for order in orders {
            self.push(order).await?;
        }
        self.flush_all().await
    }
}
