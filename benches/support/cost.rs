//! The fewest Shopify requests the 1000-point cap on a query's *requested* cost allows.
//!
//! A query's requested cost is fixed before it runs by the `first` arguments: an orders page asking
//! for `n` orders with `l` line items each costs `2 + n × (order + l × line)` whatever the orders
//! hold, and an order with more than `l` line items needs follow-up `lineItems` pages costing
//! `3 + k × line`. A client cannot know an order's line count before fetching it, so the best it can
//! do is one `l` for the whole run; the minimum is that count of requests at the best `l`, computed
//! here from the store's actual line counts (so with perfect knowledge of the shop).
//!
//! The per-node costs are those of the fields shopsync selects (Shopify's rules: objects 1, money
//! bags 2, connections 2 + `first` × node): an order node 7 without its line items, a line item 6.
//! The benchmark checks them against the emulator's own count of actual cost.

/// Shopify's cap on one query's requested cost.
pub const MAX_QUERY_COST: u64 = 1000;
/// Most items one connection page returns.
const MAX_PAGE: u64 = 250;
/// Requested cost of one order node without its line items.
pub const ORDER_NODE: u64 = 7;
/// Requested cost of one line item node.
pub const LINE_NODE: u64 = 6;
/// The orders connection's own cost.
const PAGE_OVERHEAD: u64 = 2;
/// A `lineItems` follow-up's own cost (the order node and its connection).
const FOLLOW_UP_OVERHEAD: u64 = 3;

/// The fewest requests that fetch orders with these line counts, and the `l` that achieves it.
pub fn minimum_requests(line_counts: &[usize]) -> (u64, u64) {
    let orders = line_counts.len() as u64;
    let lines_per_follow_up = ((MAX_QUERY_COST - FOLLOW_UP_OVERHEAD) / LINE_NODE).min(MAX_PAGE);
    (1..=MAX_PAGE)
        .filter_map(|l| {
            let per_page =
                ((MAX_QUERY_COST - PAGE_OVERHEAD) / (ORDER_NODE + l * LINE_NODE)).min(MAX_PAGE);
            (per_page > 0).then(|| {
                let follow_ups: u64 = line_counts
                    .iter()
                    .map(|&n| (n as u64).saturating_sub(l).div_ceil(lines_per_follow_up))
                    .sum();
                (orders.div_ceil(per_page) + follow_ups, l)
            })
        })
        .min()
        .unwrap_or((0, 0))
}

/// The actual cost of returning every order and line item once, at the per-node costs above.
pub fn content_cost(line_counts: &[usize]) -> u64 {
    line_counts
        .iter()
        .map(|&n| ORDER_NODE + n as u64 * LINE_NODE)
        .sum()
}
