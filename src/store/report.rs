//! The `report` query (per shop-local day, by `createdAt`; DST days are 23 or 25 hours) and the
//! `export` rows (one per tracked line item with its order's fields).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{
    OrderStatus, Result, RunMode, RunOutcome, Store, StoreError, get_decimal, get_opt_ts, get_ts,
    ts,
};

/// How many products the report ranks.
const TOP_PRODUCTS: i64 = 10;

/// An exact amount in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrencyAmount {
    /// ISO 4217 code.
    pub currency: String,
    /// The exact sum.
    pub amount: Decimal,
}

/// One shop-local day of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayReport {
    /// The local date.
    pub date: NaiveDate,
    /// When the day starts, with the shop's offset on that day.
    pub start: DateTime<FixedOffset>,
    /// The day's length in minutes (1380 or 1500 on DST change days).
    pub length_minutes: i64,
    /// Orders created that day (test and deleted orders excluded).
    pub orders: i64,
    /// Test orders created that day (counted apart).
    pub test_orders: i64,
    /// Line items of those orders.
    pub line_items: i64,
    /// Their current totals, summed exactly per currency (sorted by currency).
    pub revenue: Vec<CurrencyAmount>,
}

/// How many runs of one mode ended one way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeCount {
    /// The runs' mode.
    pub mode: RunMode,
    /// Their outcome (`None`: not finished, still running or killed).
    pub outcome: Option<RunOutcome>,
    /// How many.
    pub runs: i64,
}

/// A product ranked by quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopProduct {
    /// The product title.
    pub title: String,
    /// The SKU, when it has one.
    pub sku: Option<String>,
    /// Units sold (current quantities, after refunds and edits).
    pub quantity: i64,
    /// Orders it appears in.
    pub orders: i64,
}

/// What `report` shows for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The time zone days are counted in.
    pub timezone: String,
    /// The period's start.
    pub since: DateTime<Utc>,
    /// The period's end.
    pub until: DateTime<Utc>,
    /// Every local day of the period, oldest first, including days without orders.
    pub days: Vec<DayReport>,
    /// Sums over the period.
    pub total_orders: i64,
    /// Line items over the period.
    pub total_line_items: i64,
    /// Revenue over the period per currency.
    pub total_revenue: Vec<CurrencyAmount>,
    /// Runs started in the period, by mode and outcome.
    pub runs: Vec<OutcomeCount>,
    /// Errors that happened in the period (first or again).
    pub errors_in_period: i64,
    /// Errors unresolved now.
    pub errors_unresolved: i64,
    /// The best-selling products of the period.
    pub top_products: Vec<TopProduct>,
}

/// One tracked line item with its order's fields: a row of `export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    /// `#1001`.
    pub order: String,
    /// The sheet's `Order ID`.
    pub order_id: String,
    /// The sheet's `Line Item ID`.
    pub line_item_id: String,
    /// When the order was placed (UTC).
    pub created_at: DateTime<Utc>,
    /// When Shopify last changed it (UTC), as last synced.
    pub updated_at: DateTime<Utc>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// `displayFinancialStatus`.
    pub financial_status: Option<String>,
    /// `displayFulfillmentStatus`.
    pub fulfillment_status: String,
    /// Product title.
    pub product: String,
    /// Variant title.
    pub variant: Option<String>,
    /// SKU.
    pub sku: Option<String>,
    /// Quantity now (the sheet's `Quantity`).
    pub quantity: i64,
    /// Quantity ordered, including refunded and removed units.
    pub original_quantity: i64,
    /// Unit price before discounts.
    pub unit_price: Decimal,
    /// Line total after discounts.
    pub line_total: Decimal,
    /// The order's current total.
    pub order_total: Decimal,
    /// Currency of the amounts.
    pub currency: String,
    /// A test order.
    pub test: bool,
    /// Active or deleted in Shopify.
    pub order_status: OrderStatus,
    /// Last known sheet row (a hint).
    pub sheet_row: Option<i64>,
    /// When the order was last written.
    pub last_synced_at: DateTime<Utc>,
}

/// When the local day `date` starts in `tz`, as a UTC instant.
///
/// Where midnight does not exist (a DST jump at 00:00), the day starts at the first instant after
/// the jump.
#[must_use]
pub fn local_day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut time = date.and_time(NaiveTime::MIN);
    // DST jumps are at most a few hours; step forward until the local time exists.
    for _ in 0..48 {
        if let Some(t) = tz.from_local_datetime(&time).earliest() {
            return t.with_timezone(&Utc);
        }
        time += chrono::Duration::minutes(30);
    }
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
}

/// Whole minutes between two instants.
fn minutes_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_minutes()
}

#[derive(Default)]
struct DayAcc {
    orders: i64,
    test_orders: i64,
    line_items: i64,
    revenue: BTreeMap<String, Decimal>,
}

fn amounts(map: BTreeMap<String, Decimal>) -> Vec<CurrencyAmount> {
    map.into_iter()
        .map(|(currency, amount)| CurrencyAmount { currency, amount })
        .collect()
}

impl Store {
    /// The report for orders created in `[since, until]`, counted per local day of `tz`.
    ///
    /// Callers choose `since` as a local day start (see [`local_day_start`]) so the first day is
    /// whole. Test and deleted orders are left out of orders, line items and revenue.
    ///
    /// # Errors
    /// When a query fails.
    pub fn report(&self, since: DateTime<Utc>, until: DateTime<Utc>, tz: Tz) -> Result<Report> {
        let mut days: BTreeMap<NaiveDate, DayAcc> = BTreeMap::new();
        let first = since.with_timezone(&tz).date_naive();
        let last = until.with_timezone(&tz).date_naive();
        let mut date = first;
        while date <= last {
            days.insert(date, DayAcc::default());
            date = date + Days::new(1);
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT created_at, total_amount, currency, line_item_count, test \
                 FROM order_tracking WHERE status = 'active' AND created_at >= ?1 AND created_at <= ?2",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt
            .query([ts(since), ts(until)])
            .map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<_> {
                Ok((
                    get_ts(row, 0)?,
                    get_decimal(row, 1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, bool>(4)?,
                ))
            };
            let (created, total, currency, items, test) = read().map_err(|e| self.err(e))?;
            let day = days
                .entry(created.with_timezone(&tz).date_naive())
                .or_default();
            if test {
                day.test_orders += 1;
                continue;
            }
            day.orders += 1;
            day.line_items += items;
            *day.revenue.entry(currency).or_default() += total;
        }
        drop(rows);
        drop(stmt);

        let mut total_orders = 0;
        let mut total_line_items = 0;
        let mut total_revenue: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut day_reports = Vec::with_capacity(days.len());
        for (date, acc) in days {
            let start = local_day_start(date, tz);
            let end = local_day_start(date + Days::new(1), tz);
            total_orders += acc.orders;
            total_line_items += acc.line_items;
            for (currency, amount) in &acc.revenue {
                *total_revenue.entry(currency.clone()).or_default() += *amount;
            }
            day_reports.push(DayReport {
                date,
                start: start.with_timezone(&tz).fixed_offset(),
                length_minutes: minutes_between(start, end),
                orders: acc.orders,
                test_orders: acc.test_orders,
                line_items: acc.line_items,
                revenue: amounts(acc.revenue),
            });
        }

        let mut outcomes: HashMap<(RunMode, Option<RunOutcome>), i64> = HashMap::new();
        for run in self.runs_since(since)? {
            if run.started_at <= until {
                *outcomes.entry((run.mode, run.outcome)).or_default() += 1;
            }
        }
        let mut runs: Vec<OutcomeCount> = outcomes
            .into_iter()
            .map(|((mode, outcome), runs)| OutcomeCount {
                mode,
                outcome,
                runs,
            })
            .collect();
        runs.sort_by_key(|c| (c.mode.as_str(), c.outcome.map(RunOutcome::as_str)));

        let (errors_in_period, errors_unresolved) = self
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM sync_errors WHERE last_seen_at >= ?1 AND first_seen_at <= ?2), \
                 (SELECT COUNT(*) FROM sync_errors WHERE resolved_at IS NULL)",
                [ts(since), ts(until)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))?;

        Ok(Report {
            timezone: tz.name().to_owned(),
            since,
            until,
            days: day_reports,
            total_orders,
            total_line_items,
            total_revenue: amounts(total_revenue),
            runs,
            errors_in_period,
            errors_unresolved,
            top_products: self.top_products(since, until)?,
        })
    }

    fn top_products(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<TopProduct>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT l.title, l.sku, SUM(l.current_quantity) AS units, \
                 COUNT(DISTINCT l.order_gid) FROM line_item_tracking l \
                 JOIN order_tracking o USING (order_gid) \
                 WHERE o.status = 'active' AND o.test = 0 AND o.created_at >= ?1 \
                 AND o.created_at <= ?2 GROUP BY l.title, l.sku HAVING units > 0 \
                 ORDER BY units DESC, l.title, l.sku LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        stmt.query_map(rusqlite::params![ts(since), ts(until), TOP_PRODUCTS], |r| {
            Ok(TopProduct {
                title: r.get(0)?,
                sku: r.get(1)?,
                quantity: r.get(2)?,
                orders: r.get(3)?,
            })
        })
        .map_err(|e| self.err(e))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| self.err(e))
    }

    /// Calls `f` with every export row, ordered by order number then line item, without loading them
    /// all at once.
    ///
    /// # Errors
    /// The first error of the query or of `f`.
    pub fn each_export_row<E, F>(&self, mut f: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(ExportRow) -> Result<(), E>,
    {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.name, o.legacy_id, l.line_item_id, o.created_at, o.updated_at, \
                 o.cancelled_at, o.financial_status, o.fulfillment_status, l.title, \
                 l.variant_title, l.sku, l.current_quantity, l.quantity, l.unit_price, \
                 l.line_total, o.total_amount, l.currency, o.test, o.status, l.sheet_row, \
                 o.last_synced_at FROM line_item_tracking l JOIN order_tracking o USING (order_gid) \
                 ORDER BY o.number, o.order_gid, CAST(l.line_item_id AS INTEGER), l.line_item_id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let read = || -> rusqlite::Result<ExportRow> {
                Ok(ExportRow {
                    order: row.get(0)?,
                    order_id: row.get(1)?,
                    line_item_id: row.get(2)?,
                    created_at: get_ts(row, 3)?,
                    updated_at: get_ts(row, 4)?,
                    cancelled_at: get_opt_ts(row, 5)?,
                    financial_status: row.get(6)?,
                    fulfillment_status: row.get(7)?,
                    product: row.get(8)?,
                    variant: row.get(9)?,
                    sku: row.get(10)?,
                    quantity: row.get(11)?,
                    original_quantity: row.get(12)?,
                    unit_price: get_decimal(row, 13)?,
                    line_total: get_decimal(row, 14)?,
                    order_total: get_decimal(row, 15)?,
                    currency: row.get(16)?,
                    test: row.get(17)?,
                    order_status: if row.get::<_, String>(18)? == "deleted" {
                        OrderStatus::Deleted
                    } else {
                        OrderStatus::Active
                    },
                    sheet_row: row.get(19)?,
                    last_synced_at: get_ts(row, 20)?,
                })
            };
            f(read().map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }
}
