//! The operations the sync calls: stream orders updated in a window page by page (each order
//! complete with all its line items), fetch orders by ID, find them by number, count them, and read
//! the shop and the granted scopes.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use tracing::{debug, instrument};

use super::client::{ShopifyClient, lock};
use super::cost::{FIRST_PAGE_LINES, line_items_cost, orders_by_id_cost, orders_page_cost};
use super::error::ShopifyError;
use super::queries;
use super::wire::{
    CountData, MaybeOrder, NodesData, OrderLinesData, OrdersOnly, OrdersPageData, ScopesData,
    ShopData, WireOrder,
};
use crate::order::{Order, Shop};

/// How many times a page is shrunk after `MAX_COST_EXCEEDED` before giving up.
const MAX_SHRINKS: u32 = 4;

/// One page of a stream of orders.
#[derive(Debug, Clone)]
pub struct OrdersPage {
    /// The orders, each with every line item.
    pub orders: Vec<Order>,
    /// The shop, on the first page only.
    pub shop: Option<Shop>,
    /// Whether more pages follow.
    pub has_more: bool,
    /// Pages fetched so far in this stream, this one included.
    pub pages: u32,
    /// Orders returned so far in this stream, these included.
    pub orders_so_far: u64,
    /// Orders of this page left out because the caller knows them current (see
    /// [`OrderStream::next_page_skipping`]).
    pub unchanged: u64,
}

/// Orders updated in a window, fetched one page at a time so memory stays flat.
///
/// A page that fails keeps the stream where it was: calling [`OrderStream::next_page`] again
/// retries the same page.
#[derive(Debug)]
pub struct OrderStream<'c> {
    client: &'c ShopifyClient,
    query: String,
    cursor: Option<String>,
    /// Every cursor followed so far: a server that hands one back again would loop forever.
    seen: HashSet<String>,
    done: bool,
    pages: u32,
    orders: u64,
}

/// The error for a page whose cursor does not move: `hasNextPage` with no cursor, or a cursor
/// already followed. Trusting it would page forever.
fn stuck(operation: &'static str, cursor: Option<&str>) -> ShopifyError {
    ShopifyError::Decode {
        operation,
        message: match cursor {
            None => {
                "hasNextPage is true but endCursor is null: the pagination cannot go on".to_owned()
            }
            Some(_) => "the endCursor repeats one already followed: the pagination does not \
                        move, so shopsync stops rather than loop"
                .to_owned(),
        },
        retryable: false,
    }
}

/// `value` quoted for Shopify's search syntax: in single quotes, with `\` and `'` escaped by a
/// backslash (an unescaped `\` in an order prefix would eat the next character, and the order
/// would be looked up under another name and reported absent).
/// See: shopify.dev/docs/api/usage/search-syntax ("Escaping special characters").
#[must_use]
pub fn quote_search_value(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The order count for a query, and whether it is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrdersCount {
    /// The count.
    pub count: u64,
    /// `false` when Shopify says the count is a lower bound (`AT_LEAST`).
    pub exact: bool,
}

/// Formats an instant as Shopify's search syntax wants it: UTC with `Z`, quoted.
fn search_time(at: DateTime<Utc>) -> String {
    format!("'{}'", at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The search query for orders whose `field` lies in `[from, to]`.
#[must_use]
pub fn window_query(field: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!(
        "{field}:>={} AND {field}:<={}",
        search_time(from),
        search_time(to)
    )
}

impl<'c> OrderStream<'c> {
    /// The next page, or `None` when the window is exhausted.
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries; the stream stays on the same page.
    pub async fn next_page(&mut self) -> Result<Option<OrdersPage>, ShopifyError> {
        self.next_page_skipping(|_| false).await
    }

    /// The next page like [`Self::next_page`], except that an order whose line items continue
    /// past the first page and for which `current` says `true` (the caller holds it as it is,
    /// the same `updatedAt`) is left out instead of completed: its follow-up requests are saved.
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries; the stream stays on the same page.
    #[instrument(skip_all)]
    pub async fn next_page_skipping<F>(
        &mut self,
        current: F,
    ) -> Result<Option<OrdersPage>, ShopifyError>
    where
        F: Fn(&Order) -> bool,
    {
        if self.done {
            return Ok(None);
        }
        let with_shop = self.pages == 0;
        let mut shrinks = 0;
        let data: OrdersPageData = loop {
            let (first, lines) = {
                let pacer = lock(&self.client.pacer);
                let lines = pacer.first_page_lines();
                (pacer.orders_per_page(lines), lines)
            };
            let vars = json!({
                "first": first,
                "after": self.cursor,
                "query": self.query,
                "lines": lines,
                "withShop": with_shop,
            });
            let estimate = orders_page_cost(first, lines, with_shop);
            match self.client.run(queries::ORDERS_PAGE, vars, estimate).await {
                Ok(data) => break data,
                Err(ShopifyError::MaxCostExceeded { requested, .. }) if shrinks < MAX_SHRINKS => {
                    shrinks += 1;
                    self.client.learn_cost(requested, estimate);
                }
                Err(e) => return Err(e),
            }
        };
        let page_info = data.orders.page_info;
        let has_more = page_info.as_ref().is_some_and(|p| p.has_next_page);
        let next = page_info.and_then(|p| p.end_cursor);
        if has_more {
            match &next {
                Some(cursor) if !self.seen.contains(cursor) => {}
                other => return Err(stuck(queries::ORDERS_PAGE.name, other.as_deref())),
            }
        }
        let returned = data.orders.nodes.len() as u64;
        let orders = self.client.complete(data.orders.nodes, current).await?;
        let unchanged = returned - orders.len() as u64;
        self.pages += 1;
        self.orders += orders.len() as u64;
        if has_more {
            self.cursor = next;
            self.seen.extend(self.cursor.clone());
        }
        self.done = !has_more;
        debug!(pages = self.pages, orders = self.orders, "orders page");
        Ok(Some(OrdersPage {
            orders,
            shop: data.shop.map(Into::into),
            has_more,
            pages: self.pages,
            orders_so_far: self.orders,
            unchanged,
        }))
    }
}

impl ShopifyClient {
    /// Streams orders with `updatedAt` in `[from, to]`, oldest update first.
    ///
    /// The first page's request also asks for the shop, so a window with nothing new costs
    /// exactly one request.
    #[must_use]
    pub fn orders_updated(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> OrderStream<'_> {
        OrderStream {
            client: self,
            query: window_query("updated_at", from, to),
            cursor: None,
            seen: HashSet::new(),
            done: false,
            pages: 0,
            orders: 0,
        }
    }

    /// Streams orders with `createdAt` in `[from, to]` (reconciliation of one day's orders), in
    /// `updatedAt` order like [`Self::orders_updated`].
    #[must_use]
    pub fn orders_created(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> OrderStream<'_> {
        OrderStream {
            client: self,
            query: window_query("created_at", from, to),
            cursor: None,
            seen: HashSet::new(),
            done: false,
            pages: 0,
            orders: 0,
        }
    }

    pub(crate) fn learn_cost(&self, requested: f64, estimate: f64) {
        let mut pacer = lock(&self.pacer);
        let observed = if requested.is_finite() {
            requested
        } else {
            estimate * pacer.factor * 1.5
        };
        pacer.observe(None, Some(observed * 1.01), estimate, self.clock.now());
    }

    /// Turns wire orders into domain orders, fetching the line items beyond the first page, except
    /// for orders `current` says are held as they are, which are left out.
    async fn complete<F>(
        &self,
        wire: Vec<WireOrder>,
        current: F,
    ) -> Result<Vec<Order>, ShopifyError>
    where
        F: Fn(&Order) -> bool,
    {
        let mut orders = Vec::with_capacity(wire.len());
        for w in wire {
            let (mut order, mut cursor) = w.into_order();
            if cursor.is_some() && current(&order) {
                continue;
            }
            let mut seen = HashSet::new();
            while let Some(after) = cursor {
                if !seen.insert(after.clone()) {
                    return Err(stuck(queries::ORDER_LINE_ITEMS.name, Some(&after)));
                }
                cursor = self.more_line_items(&mut order, after).await?;
            }
            lock(&self.pacer).record_lines(order.line_items.len());
            orders.push(order);
        }
        Ok(orders)
    }

    async fn more_line_items(
        &self,
        order: &mut Order,
        after: String,
    ) -> Result<Option<String>, ShopifyError> {
        let mut shrinks = 0;
        loop {
            let first = lock(&self.pacer).lines_per_page();
            let estimate = line_items_cost(first);
            let vars = json!({ "id": order.gid, "first": first, "after": after });
            match self
                .run::<OrderLinesData>(queries::ORDER_LINE_ITEMS, vars, estimate)
                .await
            {
                Ok(data) => {
                    // An order deleted between the two requests keeps what was read.
                    let Some(found) = data.order else {
                        return Ok(None);
                    };
                    let conn = found.line_items;
                    order
                        .line_items
                        .extend(conn.nodes.into_iter().map(Into::into));
                    return match conn.page_info {
                        Some(p) if p.has_next_page && p.end_cursor.is_none() => {
                            Err(stuck(queries::ORDER_LINE_ITEMS.name, None))
                        }
                        Some(p) if p.has_next_page => Ok(p.end_cursor),
                        _ => Ok(None),
                    };
                }
                Err(ShopifyError::MaxCostExceeded { requested, .. }) if shrinks < MAX_SHRINKS => {
                    shrinks += 1;
                    self.learn_cost(requested, estimate);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Fetches orders by global ID (`gid://shopify/Order/…`), complete with line items.
    ///
    /// Orders Shopify no longer shows (deleted, outside the 60-day window) are absent from the
    /// result.
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries.
    #[instrument(skip_all, fields(ids = gids.len()))]
    pub async fn orders_by_ids(&self, gids: &[String]) -> Result<Vec<Order>, ShopifyError> {
        let mut orders = Vec::with_capacity(gids.len());
        let mut rest = gids;
        while !rest.is_empty() {
            let (n, lines) = {
                let pacer = lock(&self.pacer);
                let lines = pacer.first_page_lines();
                (pacer.ids_per_query(lines) as usize, lines)
            };
            let n = n.min(rest.len());
            let (chunk, tail) = rest.split_at(n);
            let estimate = orders_by_id_cost(n as u32, lines);
            let vars = json!({ "ids": chunk, "lines": lines });
            match self
                .run::<NodesData>(queries::ORDERS_BY_ID, vars, estimate)
                .await
            {
                Ok(data) => {
                    let wire = data
                        .nodes
                        .into_iter()
                        .filter_map(|n| match n {
                            Some(MaybeOrder::Order(o)) => Some(*o),
                            _ => None,
                        })
                        .collect();
                    orders.extend(self.complete(wire, |_| false).await?);
                    rest = tail;
                }
                Err(ShopifyError::MaxCostExceeded { requested, .. }) if n > 1 => {
                    self.learn_cost(requested, estimate);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(orders)
    }

    /// Finds the orders named `{prefix}{number}{suffix}` (0..n: names are not unique).
    ///
    /// Shopify's name search is tokenised, so the match is confirmed here exactly.
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries.
    #[instrument(skip_all, fields(number))]
    pub async fn orders_by_number(
        &self,
        number: i64,
        shop: &Shop,
    ) -> Result<Vec<Order>, ShopifyError> {
        let name = format!(
            "{}{number}{}",
            shop.order_number_prefix, shop.order_number_suffix
        );
        let first = 10;
        let vars = json!({
            "first": first,
            "query": format!("name:{}", quote_search_value(&name)),
            "lines": FIRST_PAGE_LINES,
        });
        let estimate = orders_page_cost(first, FIRST_PAGE_LINES, false);
        let data: OrdersOnly = self.run(queries::ORDERS_BY_NAME, vars, estimate).await?;
        let exact = data
            .orders
            .nodes
            .into_iter()
            .filter(|o| o.name == name)
            .collect();
        self.complete(exact, |_| false).await
    }

    /// Counts orders whose `createdAt` lies in `[from, to]` (per-day reconciliation).
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries.
    #[instrument(skip_all)]
    pub async fn orders_count_created(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<OrdersCount, ShopifyError> {
        self.orders_count("created_at", from, to).await
    }

    /// Counts orders whose `field` (`created_at` or `updated_at`) lies in `[from, to]`.
    pub(super) async fn orders_count(
        &self,
        field: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<OrdersCount, ShopifyError> {
        let vars = json!({ "query": window_query(field, from, to) });
        let data: CountData = self.run(queries::ORDERS_COUNT, vars, 1.0).await?;
        let count = data.orders_count.ok_or_else(|| ShopifyError::Decode {
            operation: queries::ORDERS_COUNT.name,
            message: "ordersCount was null".to_owned(),
            retryable: false,
        })?;
        Ok(OrdersCount {
            count: count.count,
            exact: count.precision == "EXACT",
        })
    }

    /// The access scopes granted to the token (`read_orders`, `read_all_orders`, …).
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries.
    #[instrument(skip_all)]
    pub async fn access_scopes(&self) -> Result<Vec<String>, ShopifyError> {
        let data: ScopesData = self.run(queries::ACCESS_SCOPES, json!({}), 2.0).await?;
        Ok(data
            .current_app_installation
            .access_scopes
            .into_iter()
            .map(|s| s.handle)
            .collect())
    }

    /// The shop's name, domain, time zone, currency and order-name prefix and suffix.
    ///
    /// # Errors
    /// Any [`ShopifyError`] after retries.
    #[instrument(skip_all)]
    pub async fn shop(&self) -> Result<Shop, ShopifyError> {
        let data: ShopData = self.run(queries::SHOP, json!({}), 1.0).await?;
        Ok(data.shop.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::config::Secret;
    use crate::shopify::{Auth, ShopifySettings};
    use std::sync::Arc;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn the_client_and_its_futures_can_move_between_threads_and_never_print_the_token() {
        let settings = ShopifySettings::new(
            "acme",
            Auth::Token(Secret::new("shpat_secret_value")),
            Arc::new(SystemClock),
        );
        assert!(!format!("{settings:?}").contains("shpat_secret_value"));
        let client = ShopifyClient::new(settings).unwrap();
        assert_eq!(client.shop_domain(), "acme.myshopify.com");
        assert!(!format!("{client:?}").contains("shpat_secret_value"));
        let mut stream = client.orders_updated(Utc::now(), Utc::now());
        assert_send(&stream.next_page());
        assert_send(&stream.next_page_skipping(|_| true));
        assert_send(&client.orders_by_ids(&[]));
        assert_send(&client.shop());
    }

    #[test]
    fn window_queries_use_quoted_utc_times() {
        let from = DateTime::parse_from_rfc3339("2026-11-02T04:50:00-05:00")
            .unwrap()
            .with_timezone(&Utc);
        let to = from + chrono::Duration::minutes(70);
        assert_eq!(
            window_query("updated_at", from, to),
            "updated_at:>='2026-11-02T09:50:00Z' AND updated_at:<='2026-11-02T11:00:00Z'"
        );
    }
}
