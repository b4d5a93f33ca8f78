//! Cost-aware pacing: a local model of Shopify's leaky bucket, the requested cost of each document
//! shopsync sends (by Shopify's published rules), and page sizes that keep queries under the cap.
//!
//! The pacer waits *before* sending when the next query would not fit in the bucket, so THROTTLED
//! is the exception rather than the pacing mechanism.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::wire::ThrottleStatus;

/// Shopify rejects queries requesting more than this many points.
/// See: SHOPIFY-API.md section 3 ("A single query to the API cannot exceed a cost of 1000").
pub const MAX_QUERY_COST: f64 = 1000.0;

/// The longest shopsync waits for the cost bucket before one query. A standard bucket refills
/// from empty in 20 s (1000 points at 50 a second); a reply implying more than this (a restore
/// rate near zero) ends the run rather than sleeping for days holding the lock.
/// See: SHOPIFY-API.md section 3 (the bucket's size and restore rate per plan).
pub const MAX_PACING_WAIT: Duration = Duration::from_secs(300);

/// Connections return at most this many items per page.
/// See: shopify.dev/docs/api/usage/pagination-graphql.
pub const MAX_PAGE_SIZE: u32 = 250;

/// Line items asked for with each order until the shop's orders have been seen; orders with more
/// are completed with follow-up queries.
pub const FIRST_PAGE_LINES: u32 = 10;

/// The most line items asked for with each order, however large the shop's orders are.
pub const MAX_FIRST_PAGE_LINES: u32 = 50;

/// Orders seen before the line items per order adapt to the shop.
const ORDERS_BEFORE_ADAPTING: u64 = 20;

/// Cost of one `Line` fragment node: the line item 1, two money bags of 2, the product 1.
pub const LINE_NODE_COST: f64 = 6.0;

/// Cost of one `OrderFields` node without its line items: the order 1, customer 1, shipping
/// address 1, current total money bag 2, and the line item connection's own 2.
pub const ORDER_NODE_BASE_COST: f64 = 7.0;

/// Requested cost of one order node asking for `lines` line items.
#[must_use]
pub fn order_node_cost(lines: u32) -> f64 {
    ORDER_NODE_BASE_COST + f64::from(lines) * LINE_NODE_COST
}

/// Requested cost of an `OrdersPage` query.
#[must_use]
pub fn orders_page_cost(first: u32, lines: u32, with_shop: bool) -> f64 {
    2.0 + f64::from(first) * order_node_cost(lines) + if with_shop { 1.0 } else { 0.0 }
}

/// Requested cost of an `OrderLineItems` query.
#[must_use]
pub fn line_items_cost(first: u32) -> f64 {
    3.0 + f64::from(first) * LINE_NODE_COST
}

/// Requested cost of an `OrdersById` query.
#[must_use]
pub fn orders_by_id_cost(ids: u32, lines: u32) -> f64 {
    f64::from(ids) * order_node_cost(lines)
}

/// The local model of the bucket and what has been learned about costs.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    bucket: Option<(ThrottleStatus, DateTime<Utc>)>,
    /// Observed requested cost over our estimate (1.0 when Shopify counts as we do).
    pub factor: f64,
    /// How many orders had each line item count (the last slot: that many or more).
    line_counts: Vec<u64>,
    orders_seen: u64,
}

impl Default for Pacer {
    fn default() -> Self {
        Self {
            bucket: None,
            factor: 1.0,
            line_counts: vec![0; MAX_PAGE_SIZE as usize + 1],
            orders_seen: 0,
        }
    }
}

impl Pacer {
    /// The most a query may request now: Shopify's cap, or the bucket size when smaller.
    pub fn budget(&self) -> f64 {
        let max = self.bucket.map_or(MAX_QUERY_COST, |(s, _)| {
            s.maximum_available.min(MAX_QUERY_COST)
        });
        max / self.factor
    }

    /// How long to wait before a query estimated at `cost` fits the bucket.
    pub fn wait_for(&self, cost: f64, now: DateTime<Utc>) -> Duration {
        let Some((status, at)) = self.bucket else {
            return Duration::ZERO;
        };
        let cost = (cost * self.factor).min(status.maximum_available);
        let elapsed = (now - at).as_seconds_f64().max(0.0);
        let available = (status.currently_available + elapsed * status.restore_rate)
            .min(status.maximum_available);
        if available >= cost || status.restore_rate <= 0.0 {
            return Duration::ZERO;
        }
        // Rounded up to the millisecond so the bucket has surely refilled; a wait past what a
        // Duration holds (a restore rate near zero) is "longer than any run waits".
        let secs = (cost - available) / status.restore_rate;
        Duration::try_from_secs_f64(secs + 0.001).unwrap_or(Duration::MAX)
    }

    /// The restore rate last reported, for messages.
    pub fn restore_rate(&self) -> f64 {
        self.bucket.map_or(f64::NAN, |(s, _)| s.restore_rate)
    }

    /// Records a reply's throttle status and requested cost against our estimate.
    pub fn observe(
        &mut self,
        status: Option<ThrottleStatus>,
        requested: Option<f64>,
        estimate: f64,
        now: DateTime<Utc>,
    ) {
        if let Some(status) = status {
            self.bucket = Some((status, now));
        }
        if let Some(requested) = requested
            && estimate > 0.0
            && requested > estimate * self.factor
        {
            self.factor = requested / estimate;
        }
    }

    /// Records how many line items an order had.
    pub fn record_lines(&mut self, lines: usize) {
        let slot = lines.min(self.line_counts.len() - 1);
        self.line_counts[slot] += 1;
        self.orders_seen += 1;
    }

    /// Line items to ask for with each order: the count that minimises the expected requests per
    /// order (page share plus follow-ups) over the orders seen so far.
    ///
    /// Asking for fewer fits more orders in a page; asking for more saves follow-up requests for
    /// large orders. Only the request count is at stake: actual cost, and so time under the rate
    /// limit, is the same either way.
    pub fn first_page_lines(&self) -> u32 {
        if self.orders_seen < ORDERS_BEFORE_ADAPTING {
            return FIRST_PAGE_LINES;
        }
        let per_follow_up = u64::from(self.lines_per_page());
        let total = self.orders_seen as f64;
        // Only the counts some order had, and only those over the fewest lines asked for, can
        // need a follow-up: a store has a few dozen of them, not all 251 slots (this runs before
        // every page).
        let counts: Vec<(u64, u64)> = (0u64..)
            .zip(&self.line_counts)
            .skip(2)
            .filter(|&(_, &orders)| orders > 0)
            .map(|(count, &orders)| (count, orders))
            .collect();
        let expected = |lines: u32| {
            let page_share = 1.0 / f64::from(self.orders_per_page(lines));
            let follow_ups: u64 = counts
                .iter()
                .map(|&(count, orders)| {
                    let rest = count.saturating_sub(u64::from(lines));
                    orders * rest.div_ceil(per_follow_up)
                })
                .sum();
            page_share + follow_ups as f64 / total
        };
        (1..=MAX_FIRST_PAGE_LINES)
            .min_by(|a, b| expected(*a).total_cmp(&expected(*b)))
            .unwrap_or(FIRST_PAGE_LINES)
    }

    /// Orders per page so a page's requested cost stays within the budget.
    pub fn orders_per_page(&self, lines: u32) -> u32 {
        let fit = ((self.budget() - 3.0) / order_node_cost(lines)).floor();
        (fit as u32).clamp(1, MAX_PAGE_SIZE)
    }

    /// Line items per follow-up page.
    pub fn lines_per_page(&self) -> u32 {
        let fit = ((self.budget() - 3.0) / LINE_NODE_COST).floor();
        (fit as u32).clamp(1, MAX_PAGE_SIZE)
    }

    /// Orders per `nodes(ids:)` query.
    pub fn ids_per_query(&self, lines: u32) -> u32 {
        let fit = (self.budget() / order_node_cost(lines)).floor();
        (fit as u32).clamp(1, MAX_PAGE_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn page_sizes_stay_under_the_cap() {
        let pacer = Pacer::default();
        let first = pacer.orders_per_page(FIRST_PAGE_LINES);
        assert!(orders_page_cost(first, FIRST_PAGE_LINES, true) <= MAX_QUERY_COST);
        assert!(orders_page_cost(first + 1, FIRST_PAGE_LINES, true) > MAX_QUERY_COST);
        let lines = pacer.lines_per_page();
        assert!(line_items_cost(lines) <= MAX_QUERY_COST);
        assert!(line_items_cost(lines + 1) > MAX_QUERY_COST);
    }

    #[test]
    fn the_pacer_waits_for_the_bucket_to_refill() {
        let mut pacer = Pacer::default();
        assert_eq!(pacer.wait_for(900.0, t0()), Duration::ZERO);
        let status = ThrottleStatus {
            maximum_available: 1000.0,
            currently_available: 400.0,
            restore_rate: 50.0,
        };
        pacer.observe(Some(status), Some(900.0), 900.0, t0());
        // 500 points short at 50 per second: 10 s.
        let wait = pacer.wait_for(900.0, t0());
        assert!(wait >= Duration::from_secs(10) && wait < Duration::from_millis(10_010));
        let later = t0() + chrono::Duration::seconds(4);
        assert!(pacer.wait_for(900.0, later) <= Duration::from_millis(6_002));
        assert_eq!(pacer.wait_for(300.0, t0()), Duration::ZERO);
    }

    #[test]
    fn line_items_per_order_adapt_to_the_shop() {
        let mut small = Pacer::default();
        assert_eq!(small.first_page_lines(), FIRST_PAGE_LINES);
        for i in 0..100 {
            small.record_lines(1 + i % 3);
        }
        let lines = small.first_page_lines();
        assert_eq!(lines, 3, "every order fits in 3 lines");
        assert!(small.orders_per_page(lines) > Pacer::default().orders_per_page(FIRST_PAGE_LINES));
        let mut large = Pacer::default();
        for i in 0..100 {
            large.record_lines(20 + i % 10);
        }
        assert!(large.first_page_lines() >= 20);
        let mut mixed = Pacer::default();
        for i in 0..1000 {
            mixed.record_lines(if i % 200 == 0 { 300 } else { 2 });
        }
        // A rare huge order is cheaper to complete with follow-ups than to size every page for.
        assert!(mixed.first_page_lines() <= 3);
    }

    #[test]
    fn line_items_per_order_are_chosen_over_every_count_seen() {
        // The expected requests per order written out over every slot, as the choice is defined.
        fn chosen(pacer: &Pacer) -> u32 {
            let per_follow_up = u64::from(pacer.lines_per_page());
            let expected = |lines: u32| {
                let follow_ups: u64 = (0u64..)
                    .zip(&pacer.line_counts)
                    .map(|(count, &orders)| {
                        orders
                            * count
                                .saturating_sub(u64::from(lines))
                                .div_ceil(per_follow_up)
                    })
                    .sum();
                1.0 / f64::from(pacer.orders_per_page(lines))
                    + follow_ups as f64 / pacer.orders_seen as f64
            };
            (1..=MAX_FIRST_PAGE_LINES)
                .min_by(|a, b| expected(*a).total_cmp(&expected(*b)))
                .unwrap_or(FIRST_PAGE_LINES)
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for shape in 0..40 {
            let mut pacer = Pacer::default();
            for _ in 0..200 + shape * 25 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Mostly small orders, some large, a few past the last slot.
                let lines = match seed % 20 {
                    0 => (seed >> 8) % 400,
                    1..=4 => 10 + (seed >> 8) % 60,
                    _ => (seed >> 8) % (2 + shape as u64 % 9),
                };
                pacer.record_lines(lines as usize);
            }
            assert_eq!(pacer.first_page_lines(), chosen(&pacer), "shape {shape}");
        }
    }

    #[test]
    fn a_higher_observed_cost_shrinks_pages() {
        let mut pacer = Pacer::default();
        let before = pacer.orders_per_page(FIRST_PAGE_LINES);
        pacer.observe(None, Some(1.5 * 600.0), 600.0, t0());
        assert!(pacer.orders_per_page(FIRST_PAGE_LINES) < before);
        assert!(
            orders_page_cost(
                pacer.orders_per_page(FIRST_PAGE_LINES),
                FIRST_PAGE_LINES,
                true
            ) * 1.5
                <= MAX_QUERY_COST
        );
    }
}
