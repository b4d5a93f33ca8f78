//! The `report` query: per shop-local day, by `createdAt` (DST days are 23 or 25 hours), with the
//! same stretch of time just before the period beside it.
//!
//! Revenue has three figures. **Gross**: the orders' line totals after line discounts, at the
//! quantities ordered. **Net**: the orders' current totals, after refunds, removed items and
//! cancellations (Shopify's `currentTotalPriceSet`). **Refunds**: gross minus net, what refunds,
//! edits and cancellations took off.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Result, RunMode, RunOutcome, Store, get_decimal, get_ts, ts};

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
    /// Gross revenue per currency (sorted by currency).
    pub gross: Vec<CurrencyAmount>,
    /// Refunds per currency: gross minus net.
    pub refunds: Vec<CurrencyAmount>,
    /// Net revenue per currency: the orders' current totals, summed exactly.
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

/// Sums over a stretch of time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PeriodTotals {
    /// The stretch's start.
    pub since: DateTime<Utc>,
    /// Its end (orders created before it count).
    pub until: DateTime<Utc>,
    /// Orders (test and deleted orders excluded).
    pub orders: i64,
    /// Their line items.
    pub line_items: i64,
    /// Gross revenue per currency.
    pub gross: Vec<CurrencyAmount>,
    /// Refunds per currency (gross minus net).
    pub refunds: Vec<CurrencyAmount>,
    /// Net revenue per currency.
    pub revenue: Vec<CurrencyAmount>,
}

/// What `report` shows for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The time zone days are counted in.
    pub timezone: String,
    /// The shop's currency, as the last sync was told (`None` before the first sync).
    pub currency: Option<String>,
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
    /// Gross revenue over the period per currency.
    pub total_gross: Vec<CurrencyAmount>,
    /// Refunds over the period per currency.
    pub total_refunds: Vec<CurrencyAmount>,
    /// Net revenue over the period per currency.
    pub total_revenue: Vec<CurrencyAmount>,
    /// The same stretch of time just before the period (as many days, up to the same hour).
    pub previous: PeriodTotals,
    /// Runs started in the period, by mode and outcome.
    pub runs: Vec<OutcomeCount>,
    /// Errors that happened in the period (first or again).
    pub errors_in_period: i64,
    /// Errors unresolved now.
    pub errors_unresolved: i64,
    /// The best-selling products of the period.
    pub top_products: Vec<TopProduct>,
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

/// Money per currency while summing.
type Sums = BTreeMap<String, Decimal>;

#[derive(Default)]
struct Acc {
    orders: i64,
    test_orders: i64,
    line_items: i64,
    gross: Sums,
    net: Sums,
}

impl Acc {
    fn add(&mut self, other: &Self) {
        self.orders += other.orders;
        self.line_items += other.line_items;
        add_sums(&mut self.gross, &other.gross);
        add_sums(&mut self.net, &other.net);
    }

    fn gross(&self) -> Vec<CurrencyAmount> {
        amounts(&self.gross)
    }

    fn refunds(&self) -> Vec<CurrencyAmount> {
        let mut refunds = self.gross.clone();
        for (currency, net) in &self.net {
            *refunds.entry(currency.clone()).or_default() -= *net;
        }
        amounts(&refunds)
    }

    fn net(&self) -> Vec<CurrencyAmount> {
        amounts(&self.net)
    }
}

fn add_sums(into: &mut Sums, from: &Sums) {
    for (currency, amount) in from {
        *into.entry(currency.clone()).or_default() += *amount;
    }
}

fn amounts(map: &Sums) -> Vec<CurrencyAmount> {
    map.iter()
        .map(|(currency, amount)| CurrencyAmount {
            currency: currency.clone(),
            amount: *amount,
        })
        .collect()
}

/// Which bucket an order created at an instant falls in.
type Bucket<'a, K> = &'a dyn Fn(DateTime<Utc>) -> K;

impl Store {
    /// The report for orders created in `[since, until]`, counted per local day of `tz`.
    ///
    /// Callers choose `since` as a local day start (see [`local_day_start`]) so the first day is
    /// whole. Test and deleted orders are left out of orders, line items and revenue.
    ///
    /// # Errors
    /// When a query fails.
    pub fn report(&self, since: DateTime<Utc>, until: DateTime<Utc>, tz: Tz) -> Result<Report> {
        let mut days: BTreeMap<NaiveDate, Acc> = BTreeMap::new();
        let mut date = since.with_timezone(&tz).date_naive();
        while date <= until.with_timezone(&tz).date_naive() {
            days.insert(date, Acc::default());
            date = date + Days::new(1);
        }
        let day_of = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive();
        self.sum_orders(since, until, &mut days, &day_of)?;
        let mut total = Acc::default();
        let day_reports = days
            .into_iter()
            .map(|(date, acc)| {
                total.add(&acc);
                day_report(date, &acc, tz)
            })
            .collect();
        Ok(Report {
            timezone: tz.name().to_owned(),
            currency: self.shop_info()?.currency,
            since,
            until,
            days: day_reports,
            total_orders: total.orders,
            total_line_items: total.line_items,
            total_gross: total.gross(),
            total_refunds: total.refunds(),
            total_revenue: total.net(),
            previous: self.previous_period(since, until, tz)?,
            runs: self.outcome_counts(since, until)?,
            errors_in_period: self.errors_between(since, until)?,
            errors_unresolved: self.errors_open()?,
            top_products: self.top_products(since, until)?,
        })
    }

    /// Totals of the stretch just before `[since, until]`: as many local days before `since`, up
    /// to the same time of day as `until` (so a partial today compares with a partial day).
    fn previous_period(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        tz: Tz,
    ) -> Result<PeriodTotals> {
        let first = since.with_timezone(&tz).date_naive();
        let days = (until.with_timezone(&tz).date_naive() - first).num_days() + 1;
        let start = first
            .checked_sub_days(Days::new(u64::try_from(days).unwrap_or(1)))
            .map_or(since, |d| local_day_start(d, tz));
        let end = start + (until - since);
        let mut one: BTreeMap<(), Acc> = BTreeMap::from([((), Acc::default())]);
        // Orders created at `since` belong to the period itself.
        let end_before_since = end.min(since - chrono::Duration::microseconds(1));
        self.sum_orders(start, end_before_since, &mut one, &|_| ())?;
        let acc = one.remove(&()).unwrap_or_default();
        Ok(PeriodTotals {
            since: start,
            until: end,
            orders: acc.orders,
            line_items: acc.line_items,
            gross: acc.gross(),
            refunds: acc.refunds(),
            revenue: acc.net(),
        })
    }

    /// Adds the orders created in `[since, until]` to the bucket `bucket` picks for each (test
    /// orders only counted), then their line totals to the gross.
    fn sum_orders<K: Ord>(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        buckets: &mut BTreeMap<K, Acc>,
        bucket: Bucket<'_, K>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT created_at, total_amount, currency, line_item_count, test FROM order_tracking \
                 WHERE status = 'active' AND created_at >= ?1 AND created_at <= ?2",
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
            let acc = buckets.entry(bucket(created)).or_default();
            if test {
                acc.test_orders += 1;
                continue;
            }
            acc.orders += 1;
            acc.line_items += items;
            *acc.net.entry(currency).or_default() += total;
        }
        drop(rows);
        drop(stmt);
        self.sum_gross(since, until, buckets, bucket)
    }

    /// Adds the line totals (as ordered) of the orders created in `[since, until]` to the gross.
    fn sum_gross<K: Ord>(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        buckets: &mut BTreeMap<K, Acc>,
        bucket: Bucket<'_, K>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT o.created_at, l.line_total, l.currency FROM line_item_tracking l \
                 JOIN order_tracking o USING (order_gid) WHERE o.status = 'active' AND o.test = 0 \
                 AND o.created_at >= ?1 AND o.created_at <= ?2",
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
                ))
            };
            let (created, line_total, currency) = read().map_err(|e| self.err(e))?;
            let acc = buckets.entry(bucket(created)).or_default();
            *acc.gross.entry(currency).or_default() += line_total;
        }
        Ok(())
    }

    fn outcome_counts(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutcomeCount>> {
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
        Ok(runs)
    }

    fn errors_between(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM sync_errors WHERE last_seen_at >= ?1 AND first_seen_at <= ?2",
                [ts(since), ts(until)],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    fn errors_open(&self) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM sync_errors WHERE resolved_at IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
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
}

fn day_report(date: NaiveDate, acc: &Acc, tz: Tz) -> DayReport {
    let start = local_day_start(date, tz);
    let end = local_day_start(date + Days::new(1), tz);
    DayReport {
        date,
        start: start.with_timezone(&tz).fixed_offset(),
        length_minutes: (end - start).num_minutes(),
        orders: acc.orders,
        test_orders: acc.test_orders,
        line_items: acc.line_items,
        gross: acc.gross(),
        refunds: acc.refunds(),
        revenue: acc.net(),
    }
}
