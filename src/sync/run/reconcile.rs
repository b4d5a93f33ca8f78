//! Reconciliation (`shopsync missing`, DESIGN.md section 5): three comparisons, each finding
//! classified rather than shouted, then one repair run that writes back what is missing.
//!
//! - Order numbers: numbers between the lowest and highest tracked that are not tracked are looked
//!   up in Shopify by name; what exists is synced, what Shopify confirms absent is remembered as
//!   explained (numbers are not guaranteed consecutive).
//! - Tracking vs sheet: tracked line items whose row is gone from the sheet are written back.
//! - Shopify vs tracking: per shop-local day, Shopify's order count against the tracked count;
//!   a day that differs is fetched again.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Job, RunKind, Services, Summary, SyncOptions};
use crate::order::Order;
use crate::store::{GapClass, RunMode, StoreError, local_day_start};
use crate::sync::error::SyncError;
use crate::sync::plan::rows::RowKey;

/// At most this many missing numbers are looked up per run (one request each); the rest wait for
/// the next run, so a store with a huge gap is not hammered.
const MAX_NUMBER_LOOKUPS: usize = 200;

/// Shopify shows orders created in the last this many days without `read_all_orders`.
const DEFAULT_WINDOW_DAYS: i64 = crate::shopify::DEFAULT_ORDER_WINDOW_DAYS as i64;

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingClass {
    /// Missing from the sheet or the tracking store, and written now (or, in a dry run, would be).
    SyncedNow,
    /// Deleted in Shopify; its rows stay in the sheet.
    Deleted,
    /// Created more than 60 days ago: Shopify hides it without `read_all_orders`.
    OutsideWindow,
    /// Shopify has no order with that number: numbers are not guaranteed consecutive.
    Absent,
    /// Something that still needs a person: a duplicated row, a number not looked up yet.
    Unresolved,
}

impl FindingClass {
    /// Whether the finding still needs attention (exit 1).
    #[must_use]
    pub fn is_problem(self) -> bool {
        self == Self::Unresolved
    }
}

/// One thing reconciliation found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Its class.
    pub class: FindingClass,
    /// What it is about, in a sentence.
    pub detail: String,
}

/// Everything reconciliation found, and the repair run.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    /// The findings, numbers first, then the sheet, then the days.
    pub findings: Vec<Finding>,
    /// The repair run (or the dry run's plan).
    pub run: Summary,
}

impl Reconciliation {
    /// Whether anything is left that needs a person: unresolved findings, or, in a dry run,
    /// differences that were not repaired.
    #[must_use]
    pub fn has_problems(&self) -> bool {
        let unrepaired = self.run.kind == RunKind::DryRun
            && self
                .findings
                .iter()
                .any(|f| f.class == FindingClass::SyncedNow);
        unrepaired || self.findings.iter().any(|f| f.class.is_problem())
    }
}

/// Runs the three comparisons and repairs what they find (a dry run only plans the repair).
///
/// `options.force` should be true: rows are compared with the sheet's cells, not the DB's hashes.
///
/// # Errors
/// Any fatal error of the services; the repair run is recorded as failed.
pub async fn reconcile(
    services: Services<'_>,
    options: &SyncOptions,
) -> Result<Reconciliation, SyncError> {
    let (mut job, window_from) = Job::begin(services, options, RunMode::Missing)?;
    let mut findings = Vec::new();
    let result = compare_and_repair(&mut job, options, &mut findings).await;
    let run = job.finish(result, window_from).await?;
    Ok(Reconciliation { findings, run })
}

async fn compare_and_repair(
    job: &mut Job<'_, '_>,
    options: &SyncOptions,
    findings: &mut Vec<Finding>,
) -> Result<(), SyncError> {
    let real = options.kind == RunKind::Real;
    let shopify = job.services.shopify;
    let shop = shopify.shop().await?;
    job.set_shop(&shop)?;
    let scopes = shopify.access_scopes().await?;
    let all_orders = scopes.iter().any(|s| s == "read_all_orders");
    let now = job.services.clock.now();
    let mut repair: Vec<Order> = Vec::new();
    let mut queued: BTreeSet<String> = BTreeSet::new();

    // 1. Gaps in the order numbers.
    let gaps = job.services.store.unexplained_gaps()?;
    let numbers: Vec<(i64, i64)> = gaps
        .iter()
        .flat_map(|range| (range.first..=range.last).map(move |n| (n, range.first - 1)))
        .collect();
    let mut explained = Vec::new();
    for &(number, before) in numbers.iter().take(MAX_NUMBER_LOOKUPS) {
        let found = shopify.orders_by_number(number, &shop).await?;
        if found.is_empty() {
            let neighbour = job.services.store.order_by_number(before)?;
            let old =
                neighbour.is_some_and(|o| now - o.created_at > Duration::days(DEFAULT_WINDOW_DAYS));
            let class = if !all_orders && old {
                GapClass::OutsideWindow
            } else {
                GapClass::Absent
            };
            explained.push((number, class));
            findings.push(Finding {
                class: match class {
                    GapClass::OutsideWindow => FindingClass::OutsideWindow,
                    _ => FindingClass::Absent,
                },
                detail: format!(
                    "order number {}{number}{} is not in Shopify",
                    shop.order_number_prefix, shop.order_number_suffix
                ),
            });
        } else {
            for order in found {
                findings.push(Finding {
                    class: FindingClass::SyncedNow,
                    detail: format!("order {} was never synced", order.name),
                });
                if queued.insert(order.gid.clone()) {
                    repair.push(order);
                }
            }
        }
    }
    if numbers.len() > MAX_NUMBER_LOOKUPS {
        findings.push(Finding {
            class: FindingClass::Unresolved,
            detail: format!(
                "{} more missing order numbers were not looked up yet; run `shopsync missing` again",
                numbers.len() - MAX_NUMBER_LOOKUPS
            ),
        });
    }
    if real {
        job.services.store.record_explained_gaps(&explained)?;
    }
    // 2. Tracked rows gone from the sheet.
    let sheet = job.sheet_mut().await?;
    let index = sheet.index().clone();
    let mut gone: Vec<String> = Vec::new();
    let mut gone_rows = 0usize;
    job.services
        .store
        .each_tracked_line_item(|item| -> Result<(), StoreError> {
            let key = RowKey::new(item.order_legacy_id.clone(), item.line_item_id.clone());
            if !index.contains(&key) {
                gone_rows += 1;
                if !gone.contains(&item.order_gid) {
                    gone.push(item.order_gid);
                }
            }
            Ok(())
        })?;
    for dup in index.duplicates() {
        findings.push(Finding {
            class: FindingClass::Unresolved,
            detail: format!(
                "order {} line item {} is on rows {}: delete the copies you do not want",
                dup.key.order_id,
                dup.key.line_item_id,
                dup.rows
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if !gone.is_empty() {
        let fetched = shopify.orders_by_ids(&gone).await?;
        findings.push(Finding {
            class: FindingClass::SyncedNow,
            detail: format!(
                "{gone_rows} tracked rows of {} orders were gone from the sheet",
                gone.len()
            ),
        });
        for order in fetched {
            if queued.insert(order.gid.clone()) {
                repair.push(order);
            }
        }
    }

    // 3. Per-day counts over the lookback window.
    let tz = job
        .services
        .store
        .shop_timezone()?
        .unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    let days = i64::from(options.lookback_days);
    let since = local_day_start(today - Duration::days(days - 1), tz);
    let report = job.services.store.report(since, now, tz)?;
    for day in &report.days {
        let start = day.start.with_timezone(&Utc);
        let end = start + Duration::minutes(day.length_minutes) - Duration::seconds(1);
        let end = end.min(now);
        if !all_orders && now - start > Duration::days(DEFAULT_WINDOW_DAYS) {
            continue;
        }
        let count = shopify.orders_count_created(start, end).await?;
        let tracked = u64::try_from(day.orders + day.test_orders).unwrap_or(0);
        if count.count > tracked {
            let orders = fetch_created(shopify, start, end).await?;
            let new: Vec<Order> = orders
                .into_iter()
                .filter(|o| !queued.contains(&o.gid))
                .collect();
            findings.push(Finding {
                class: FindingClass::SyncedNow,
                detail: format!(
                    "{}: Shopify has {} orders, shopsync tracked {tracked}",
                    day.date, count.count
                ),
            });
            for order in new {
                queued.insert(order.gid.clone());
                repair.push(order);
            }
        } else if count.count < tracked {
            // Fewer in Shopify than tracked: orders deleted after they were synced. Their rows
            // stay; the tracking marks them so they are not counted again.
            let ours = job
                .services
                .store
                .active_orders_created_between(start, end)?;
            let gids: Vec<String> = ours.iter().map(|(gid, _)| gid.clone()).collect();
            let present: BTreeSet<String> = shopify
                .orders_by_ids(&gids)
                .await?
                .into_iter()
                .map(|o| o.gid)
                .collect();
            let gone: Vec<&(String, String)> = ours
                .iter()
                .filter(|(gid, _)| !present.contains(gid))
                .collect();
            for (_, name) in &gone {
                findings.push(Finding {
                    class: FindingClass::Deleted,
                    detail: format!("order {name} was deleted in Shopify; its rows stay"),
                });
            }
            if gone.is_empty() {
                findings.push(Finding {
                    class: FindingClass::Unresolved,
                    detail: format!(
                        "{}: Shopify has {} orders, shopsync tracked {tracked}, and every tracked \
                         one is still in Shopify",
                        day.date, count.count
                    ),
                });
            } else if real {
                let gids: Vec<&str> = gone.iter().map(|(gid, _)| gid.as_str()).collect();
                job.services.store.mark_orders_deleted(&gids)?;
            }
        }
    }

    // Repair: the found orders, compared with the sheet's cells and written in place.
    job.sync_given(repair).await
}

async fn fetch_created(
    shopify: &crate::shopify::ShopifyClient,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Order>, SyncError> {
    let mut stream = shopify.orders_created(from, to);
    let mut out = Vec::new();
    while let Some(page) = stream.next_page().await? {
        out.extend(page.orders);
    }
    Ok(out)
}
