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
use crate::order::{Order, Shop};
use crate::store::{GapClass, RunMode};
use crate::sync::error::SyncError;

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

/// What the comparisons found so far: the findings, and the orders to write back (each once).
struct Found<'f> {
    findings: &'f mut Vec<Finding>,
    repair: Vec<Order>,
    queued: BTreeSet<String>,
}

impl Found<'_> {
    fn note(&mut self, class: FindingClass, detail: String) {
        self.findings.push(Finding { class, detail });
    }

    /// Queues `order` for the repair unless it is queued already.
    fn queue(&mut self, order: Order) {
        if self.queued.insert(order.gid.clone()) {
            self.repair.push(order);
        }
    }
}

/// The shop and what the app may see of it.
struct Reach {
    shop: Shop,
    all_orders: bool,
    now: DateTime<Utc>,
    real: bool,
}

impl Reach {
    /// Whether `at` is older than Shopify's window while the app lacks `read_all_orders`.
    fn out_of_sight(&self, at: DateTime<Utc>) -> bool {
        !self.all_orders && self.now - at > Duration::days(DEFAULT_WINDOW_DAYS)
    }
}

async fn compare_and_repair(
    job: &mut Job<'_, '_>,
    options: &SyncOptions,
    findings: &mut Vec<Finding>,
) -> Result<(), SyncError> {
    let (shop, all_orders) = job.shop_and_reach().await?;
    let reach = Reach {
        shop,
        all_orders,
        now: job.now(),
        real: options.kind == RunKind::Real,
    };
    let mut found = Found {
        findings,
        repair: Vec::new(),
        queued: BTreeSet::new(),
    };
    number_gaps(job, &reach, &mut found).await?;
    rows_gone(job, &reach, &mut found).await?;
    day_counts(job, &reach, options.lookback_days, &mut found).await?;
    // Repair: the found orders, compared with the sheet's cells and written in place.
    job.repair(found.repair).await
}

/// Step 1, gaps in the order numbers: looked up by name; what Shopify has is queued, what it confirms
/// absent is remembered as explained.
async fn number_gaps(
    job: &mut Job<'_, '_>,
    reach: &Reach,
    found: &mut Found<'_>,
) -> Result<(), SyncError> {
    let shop = &reach.shop;
    let numbers: Vec<(i64, i64)> = job
        .number_gaps()?
        .iter()
        .flat_map(|range| (range.first..=range.last).map(move |n| (n, range.first - 1)))
        .collect();
    let mut explained = Vec::new();
    for &(number, before) in numbers.iter().take(MAX_NUMBER_LOOKUPS) {
        let orders = job.orders_numbered(number, shop).await?;
        if !orders.is_empty() {
            for order in orders {
                found.note(
                    FindingClass::SyncedNow,
                    format!("order {} was never synced", order.name),
                );
                found.queue(order);
            }
            continue;
        }
        let old = job
            .created_at_of(before)?
            .is_some_and(|at| reach.out_of_sight(at));
        let (gap, class) = if old {
            (GapClass::OutsideWindow, FindingClass::OutsideWindow)
        } else {
            (GapClass::Absent, FindingClass::Absent)
        };
        explained.push((number, gap));
        found.note(
            class,
            format!(
                "order number {}{number}{} is not in Shopify",
                shop.order_number_prefix, shop.order_number_suffix
            ),
        );
    }
    if numbers.len() > MAX_NUMBER_LOOKUPS {
        found.note(
            FindingClass::Unresolved,
            format!(
                "{} more missing order numbers were not looked up yet; run `shopsync missing` again",
                numbers.len() - MAX_NUMBER_LOOKUPS
            ),
        );
    }
    if reach.real {
        job.record_explained_gaps(&explained)?;
    }
    Ok(())
}

/// Step 2, tracked rows gone from the sheet: their orders are fetched again and queued, and those
/// Shopify no longer shows are marked deleted (nothing is left to write back); keys on more than one
/// row are reported for a person to resolve.
async fn rows_gone(
    job: &mut Job<'_, '_>,
    reach: &Reach,
    found: &mut Found<'_>,
) -> Result<(), SyncError> {
    let index = job.sheet_mut().await?.index().clone();
    let (gone, gone_rows) = job.tracked_rows_missing_from(&index)?;
    for dup in index.duplicates() {
        found.note(
            FindingClass::Unresolved,
            format!("{dup}: delete the copies you do not want"),
        );
    }
    if !gone.is_empty() {
        let gids: Vec<String> = gone.iter().map(|(gid, _)| gid.clone()).collect();
        let fetched = job.orders_by_ids(&gids).await?;
        if !fetched.is_empty() {
            found.note(
                FindingClass::SyncedNow,
                format!(
                    "{gone_rows} tracked rows of {} orders were gone from the sheet",
                    gone.len()
                ),
            );
        }
        let present: BTreeSet<&str> = fetched.iter().map(|o| o.gid.as_str()).collect();
        let vanished: Vec<&(String, String)> = gone
            .iter()
            .filter(|(gid, _)| !present.contains(gid.as_str()))
            .collect();
        for (_, name) in &vanished {
            found.note(
                FindingClass::Deleted,
                format!(
                    "order {name} is no longer in Shopify (deleted, or outside the 60-day window \
                     without read_all_orders) and its rows are gone from the sheet: nothing is \
                     left to write back"
                ),
            );
        }
        if reach.real && !vanished.is_empty() {
            let gids: Vec<&str> = vanished.iter().map(|(gid, _)| gid.as_str()).collect();
            job.mark_deleted(&gids)?;
        }
        for order in fetched {
            found.queue(order);
        }
    }
    Ok(())
}

/// Step 3, per-day counts over the lookback window: a day where Shopify has more is fetched again; a
/// day where it has fewer holds orders deleted after they were synced.
async fn day_counts(
    job: &mut Job<'_, '_>,
    reach: &Reach,
    lookback_days: u32,
    found: &mut Found<'_>,
) -> Result<(), SyncError> {
    for day in job.tracked_days(lookback_days)? {
        if reach.out_of_sight(day.start) {
            continue;
        }
        let count = job.shopify_count(&day).await?;
        let tracked = day.tracked;
        if count > tracked {
            let orders = job.orders_created(&day).await?;
            found.note(
                FindingClass::SyncedNow,
                format!(
                    "{}: Shopify has {count} orders, shopsync tracked {tracked}",
                    day.date
                ),
            );
            for order in orders {
                found.queue(order);
            }
        } else if count < tracked {
            // Their rows stay; the tracking marks them so they are not counted again.
            let gone = job.deleted_on(&day).await?;
            for (_, name) in &gone {
                found.note(
                    FindingClass::Deleted,
                    format!("order {name} was deleted in Shopify; its rows stay"),
                );
            }
            if gone.is_empty() {
                found.note(
                    FindingClass::Unresolved,
                    format!(
                        "{}: Shopify has {count} orders, shopsync tracked {tracked}, and every \
                         tracked one is still in Shopify",
                        day.date
                    ),
                );
            } else if reach.real {
                let gids: Vec<&str> = gone.iter().map(|(gid, _)| gid.as_str()).collect();
                job.mark_deleted(&gids)?;
            }
        }
    }
    Ok(())
}
