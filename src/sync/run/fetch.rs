//! Fetching the window page by page and buffering its orders' rows, written whenever a batch is
//! due (see [`super::flush`]), and estimating the rows still to come (to size the grid once).

use super::*;

impl Job<'_, '_> {
    /// Fetches the orders updated in `[from, to]` page by page (the queued refetches after the
    /// first page), buffering them and writing each batch as it falls due.
    pub(super) async fn run(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(), SyncError> {
        let refetch = self.services.store.pending_refetch()?;
        let shopify = self.services.shopify;
        if self.bulk_forced() {
            let shop = shopify.shop().await?;
            self.learn_shop(&shop)?;
            if self.run_bulk(from, to, &refetch).await? {
                return Ok(());
            }
        }
        let mut stream = shopify.orders_updated(from, to);
        let mut first = true;
        loop {
            // An order recorded at the `updatedAt` Shopify shows is current: with `--force` aside,
            // its line items past the first page are not fetched (an hourly run's overlap window
            // stays one request), and it is counted unchanged.
            let store = &*self.services.store;
            let force = self.options.force;
            let current = |o: &Order| {
                !force
                    && store
                        .is_current(&o.gid, o.updated_at, shopify.clock_ahead())
                        .unwrap_or(false)
            };
            let Some(page) = stream.next_page_skipping(current).await? else {
                break;
            };
            if let Some(shop) = &page.shop {
                self.learn_shop(shop)?;
            }
            if first
                && page.has_more
                && self.bulk_after_first_page(&page, from, to).await?
                && self.run_bulk(from, to, &refetch).await?
            {
                return Ok(());
            }
            // Orders skipped as current are seen, with no rows, for the estimate of rows to come.
            self.seen_totals.0 += page.unchanged;
            let unchanged = i64::try_from(page.unchanged).unwrap_or(i64::MAX);
            self.counts.fetched += i64::try_from(page.orders.len()).unwrap_or(i64::MAX) + unchanged;
            self.counts.unchanged += unchanged;
            self.services.observer.fetched(page.orders_so_far);
            if first && !refetch.is_empty() {
                self.refetch(&refetch).await?;
            }
            first = false;
            if self.take(page.orders).await? {
                // Stop now: what is buffered is neither written nor recorded, so the cursor stays
                // before it and the next run fetches it again.
                return Ok(());
            }
        }
        self.flush_all().await
    }

    /// Buffers a page (or a bulk batch) of orders, writes the batch when it falls due, and says
    /// whether a stop was requested.
    pub(super) async fn take(&mut self, orders: Vec<Order>) -> Result<bool, SyncError> {
        for order in orders {
            let updated = order.updated_at;
            // A write this push makes first covers the orders before this one.
            self.push(order).await?;
            self.taken_up_to = Some(updated);
            // An order held for the next batch is not written with this one: until it is
            // buffered again, the cover stays before it.
            if self.held.is_none() {
                self.pending_cover = Some(updated);
            }
        }
        if self.batch.due(self.services.clock.now()) {
            self.flush().await?;
        }
        Ok(self.stop_requested().is_some())
    }

    /// Takes the shop's time zone and records the shop.
    pub(super) fn learn_shop(&mut self, shop: &Shop) -> Result<(), SyncError> {
        match shop.iana_timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => self.tz = tz,
            Err(_) => self.warnings.add(format!(
                "the shop's time zone {:?} is unknown to shopsync; dates are written in UTC",
                shop.iana_timezone
            )),
        }
        if self.real() {
            self.services.store.record_shop(shop)?;
        }
        Ok(())
    }

    /// Fetches the orders queued by earlier failures and `reset`, by ID.
    pub(super) async fn refetch(&mut self, gids: &[String]) -> Result<(), SyncError> {
        let orders = self.services.shopify.orders_by_ids(gids).await?;
        let found: BTreeSet<&str> = orders.iter().map(|o| o.gid.as_str()).collect();
        let gone: Vec<&String> = gids
            .iter()
            .filter(|g| !found.contains(g.as_str()))
            .collect();
        if !gone.is_empty() {
            self.warnings.add(format!(
                "{} queued order(s) are no longer visible in Shopify (deleted, or outside the 60-day \
                 window without read_all_orders); their rows stay in the sheet",
                gone.len()
            ));
            if self.real() {
                self.services.store.mark_orders_deleted(&gone)?;
                self.services.store.clear_refetch(&gone)?;
            }
        }
        for order in orders {
            self.push(order).await?;
        }
        Ok(())
    }

    /// Buffers an order's rows for the next write; writes the batch first when this order would
    /// overflow its request. An order that would overflow a batch with a large gap left (one with
    /// a note of 50,000 characters on each of its rows) is held for the next batch instead, and
    /// the orders after it fill the gap: each request is filled to within a few kB of the limit.
    pub(super) async fn push(&mut self, order: Order) -> Result<(), SyncError> {
        let rows = order_rows(&order, self.tz);
        let bytes = flush::rows_json_bytes(&rows);
        if self.batch.would_overflow(rows.rows.len(), bytes) {
            if self.held.is_none() && self.batch.room() >= flush::HOLD_FOR_GAP {
                self.held = Some((order, rows, bytes));
                return Ok(());
            }
            // The write buffers the held order again, first in the next batch.
            self.flush().await?;
            if self.batch.would_overflow(rows.rows.len(), bytes) {
                self.flush().await?;
            }
        }
        self.buffer_order(order, rows, bytes);
        Ok(())
    }

    /// Adds an order and its rows to the batch.
    pub(super) fn buffer_order(&mut self, order: Order, rows: OrderRows, bytes: usize) {
        self.batch.add(rows.rows.len().max(1), bytes);
        if let Some(left) = &mut self.bulk_rows_left {
            *left = left.saturating_sub(rows.rows.len() as u64);
        }
        self.seen_totals.0 += 1;
        self.seen_totals.1 += rows.rows.len() as u64;
        self.buffer.push(order);
        self.buffered.push(rows);
    }

    /// During a backfill, about how many rows the batches still to come will append: the rows
    /// still to come ([`Job::rows_expected_left`]), in the proportion of this plan's rows that
    /// are appends (all of them on a first backfill, few when the window re-reads orders the
    /// sheet holds). `None` where nothing says how many rows are to come.
    pub(super) fn appends_expected_after(&self, plan: &Plan) -> Option<u32> {
        let left = self.rows_expected_left()?;
        let planned = (plan.appends.len() + plan.updates.len() + plan.unchanged).max(1) as u64;
        let expected = left.saturating_mul(plan.appends.len() as u64) / planned;
        Some(u32::try_from(expected).unwrap_or(u32::MAX))
    }

    /// Rows the run has yet to buffer: a bulk export's staged line items not yet buffered, or in
    /// a paged backfill the window's orders not yet seen at the rows per order seen so far, 3%
    /// over (a grid grown short needs one more write request; one grown long only blank rows).
    /// `None` when nothing says, or the estimate is used up.
    pub(super) fn rows_expected_left(&self) -> Option<u64> {
        if let Some(left) = self.bulk_rows_left {
            return Some(left);
        }
        let (seen, rows) = self.seen_totals;
        let left = self.window_orders?.saturating_sub(seen);
        if left == 0 || seen == 0 {
            return None;
        }
        let per_order = rows as f64 / seen as f64;
        Some((left as f64 * per_order * 1.03).ceil() as u64)
    }

    /// Buffers the order held back from the batch just written, which covers every order taken
    /// so far once the new batch is written.
    pub(super) fn release_held(&mut self) {
        if let Some((order, rows, bytes)) = self.held.take() {
            self.buffer_order(order, rows, bytes);
            self.pending_cover = self.taken_up_to;
        }
    }

    /// Writes everything buffered, the held order included: the end of a fetch.
    pub(super) async fn flush_all(&mut self) -> Result<(), SyncError> {
        self.flush().await?;
        self.flush().await
    }
}
