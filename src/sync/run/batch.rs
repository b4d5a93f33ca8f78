//! Writing a batch: plan it against the sheet's keys, send it in few large requests, record each
//! order once the sheet confirmed all of its rows, and re-plan after a write whose outcome is
//! unknown.

use super::*;

impl Job<'_, '_> {
    /// Plans and writes the buffered orders.
    pub(super) async fn flush(&mut self) -> Result<(), SyncError> {
        if self.buffer.is_empty() {
            self.covered = self.pending_cover.or(self.covered);
            return Ok(());
        }
        // The next batch is about as large: its buffers start with this one's room.
        let room = self.buffer.len();
        let orders = std::mem::replace(&mut self.buffer, Vec::with_capacity(room));
        let rows = std::mem::replace(&mut self.buffered, Vec::with_capacity(room));
        self.batch.reset(self.services.clock.now());
        let result = self.write_orders(&orders, rows).await;
        if let Ok(false) = result {
            // Stopped by a signal between two writes: the cursor must not pass what is unwritten.
            return Ok(());
        }
        if result.is_err() && self.sheet.is_none() {
            return result.map(|_| ());
        }
        if let Err(err) = &result
            && self.real()
        {
            // What the sheet did not confirm is queued, so the next run fetches it again. When
            // the sheet could not even be opened (wrong spreadsheet, binding, permissions), the
            // failure is the run's, not the orders': nothing is recorded against them and the
            // cursor stays put; the run's own error says what failed (`note_run_outcome`).
            let message = err.to_string();
            let recorded = self.recorded_gids(&orders)?;
            let open = orders
                .iter()
                .filter(|o| !recorded.contains(&o.gid) && !self.refused.contains(&o.gid));
            for order in open {
                self.services.store.record_error(&NewError {
                    run: Some(self.run),
                    order_gid: Some(&order.gid),
                    order_name: Some(&order.name),
                    stage: "write",
                    kind: error_kind(err),
                    message: &message,
                })?;
                self.counts.failed += 1;
            }
        }
        // Every fetched order is now written or queued in sync_errors, so even a failed run may
        // move the cursor past them: one bad batch cannot pin it.
        self.covered = self.pending_cover.or(self.covered);
        result?;
        self.release_held();
        Ok(())
    }

    /// The gids among `orders` whose current content the DB already records (written this run).
    pub(super) fn recorded_gids(&self, orders: &[Order]) -> Result<BTreeSet<String>, SyncError> {
        let gids: Vec<&str> = orders.iter().map(|o| o.gid.as_str()).collect();
        let tracked = self.services.store.tracked_hashes_for(&gids)?;
        Ok(orders
            .iter()
            .filter(|o| {
                let rows = order_rows(o, self.tz);
                let hashes = row_hashes(&rows, tracked.get(&o.gid));
                rows.rows
                    .iter()
                    .all(|r| hashes.get(&r.key) == Some(&r.hash))
            })
            .map(|o| o.gid.clone())
            .collect())
    }

    /// Writes a batch of orders and their rows (`rows[i]` of `orders[i]`); `Ok(false)` when a stop
    /// request cut it short between two writes.
    pub(super) async fn write_orders(
        &mut self,
        orders: &[Order],
        mut rows: Vec<OrderRows>,
    ) -> Result<bool, SyncError> {
        for order in &rows {
            if !order.truncated.is_empty() {
                let columns: Vec<&str> = order.truncated.iter().map(|c| c.name()).collect();
                self.warnings.add(format!(
                    "order {}: {} longer than the sheet's 50,000-character cell limit, truncated \
                     with a marker",
                    order.name,
                    columns.join(", ")
                ));
            }
            if order.customer_data_withheld {
                self.warnings.add(
                    "Shopify withholds customers' names, e-mails, phones and addresses from this \
                     app (protected customer data): those cells stay empty until the app is \
                     approved for them"
                        .to_owned(),
                );
            }
        }
        let mut attempts = 0;
        loop {
            let tracked = self.tracked_hashes(&rows)?;
            if !self.options.force && all_tracked(&rows, &tracked) {
                self.counts.unchanged += i64::try_from(rows.len()).unwrap_or(i64::MAX);
                return Ok(true);
            }
            let by_gid: HashMap<&str, &Order> =
                orders.iter().map(|o| (o.gid.as_str(), o)).collect();
            // Moved, not cloned: a batch's rows are its largest allocation. A retry builds the
            // rows of the orders still to write again from `orders`.
            let plan = self.plan(std::mem::take(&mut rows), &tracked).await?;
            // Later batches are sized for the runs of columns the sheet's layout gives a row.
            if let Some(first) = plan.appends.first() {
                self.batch.fit_runs(first.runs.len());
            }
            if attempts == 0 {
                // Counted on the first plan only: a retry re-plans what an unknown outcome left.
                for order in &plan.orders {
                    match order.outcome() {
                        OrderOutcome::New => self.counts.new += 1,
                        OrderOutcome::Updated => self.counts.updated += 1,
                        OrderOutcome::Unchanged => self.counts.unchanged += 1,
                    }
                }
            }
            match self.apply(&plan, &by_gid).await {
                Ok(complete) => return Ok(complete),
                Err(SyncError::Sheets(err)) if err.is_ambiguous() => {
                    attempts += 1;
                    if attempts > MAX_AMBIGUOUS_RETRIES {
                        return Err(SyncError::Unconfirmed {
                            attempts,
                            last: err.to_string(),
                        });
                    }
                    info!(
                        attempt = attempts,
                        "a write's outcome is unknown ({err}); re-reading the sheet's keys before \
                         retrying"
                    );
                    self.sheet_mut().await?.reread_keys().await?;
                    // Orders recorded before the failure are done; plan the rest again.
                    let recorded = self.recorded_gids(orders)?;
                    rows = orders
                        .iter()
                        .filter(|o| !recorded.contains(&o.gid) && !self.refused.contains(&o.gid))
                        .map(|o| order_rows(o, self.tz))
                        .collect();
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// The DB's row hashes for these orders, keyed as the sheet keys rows.
    pub(super) fn tracked_hashes(
        &self,
        rows: &[OrderRows],
    ) -> Result<HashMap<RowKey, ContentHash>, SyncError> {
        let gids: Vec<&str> = rows.iter().map(|o| o.order_gid.as_str()).collect();
        let tracked = self.services.store.tracked_hashes_for(&gids)?;
        let mut out = HashMap::new();
        for order in rows {
            out.extend(row_hashes(order, tracked.get(&order.order_gid)));
        }
        Ok(out)
    }

    /// The sheet, opened (and, in a real run, bound) on first use.
    pub(in crate::sync) async fn sheet_mut(&mut self) -> Result<&mut SheetSide, SyncError> {
        if self.sheet.is_none() {
            // Opening writes too (a new tab, missing headers). Those writes are idempotent, so
            // one whose outcome is unknown is retried by opening again, which reads the tab and
            // header afresh and writes only what is still missing.
            let mut attempts = 0;
            // A tab a backfill creates is made tall enough for every row it expects: those a bulk
            // export staged, or in a paged one those buffered so far (none yet written: the
            // sheet is opened for the first write) and those to come.
            let expected = self.bulk_rows_staged.or_else(|| {
                self.rows_expected_left()
                    .map(|left| self.seen_totals.1 + left)
            });
            let rows = u32::try_from(expected.unwrap_or(0)).unwrap_or(u32::MAX);
            let mut side = loop {
                let client = SheetsClient::new(self.services.sheets.clone()).await?;
                match SheetSide::open(
                    client,
                    &self.options.target_spreadsheet,
                    &self.options.worksheet,
                    self.binding.as_ref(),
                    self.services.store.path(),
                    !self.real(),
                    rows,
                )
                .await
                {
                    Ok(side) => break side,
                    Err(SyncError::Sheets(err))
                        if err.is_ambiguous() && attempts < MAX_AMBIGUOUS_RETRIES =>
                    {
                        attempts += 1;
                        warn!(
                            attempt = attempts,
                            "a write while opening the sheet has an unknown outcome ({err}); \
                             reading the sheet again"
                        );
                    }
                    Err(err) => return Err(err),
                }
            };
            if self.real()
                && let Some(sheet_id) = side.sheet_id()
            {
                let binding = Binding {
                    shop_domain: self.options.shop_domain.clone(),
                    spreadsheet_id: side.spreadsheet_id().to_owned(),
                    sheet_id,
                    sheet_title: self.options.worksheet.clone(),
                };
                self.services.store.bind(&binding)?;
                self.binding = Some(binding);
            }
            side.expect_appends(rows as usize);
            if side.cell_headroom() < crate::sheets::LOW_CELL_HEADROOM {
                self.warnings.add(format!(
                    "the spreadsheet has room for only {} more cells under Google's \
                     10,000,000-cell limit",
                    side.cell_headroom()
                ));
            }
            self.sheet = Some(side);
        }
        Ok(self.sheet.as_mut().expect("opened above"))
    }

    pub(super) async fn plan(
        &mut self,
        rows: Vec<OrderRows>,
        tracked: &HashMap<RowKey, ContentHash>,
    ) -> Result<Plan, SyncError> {
        let force = self.options.force;
        let sheet = self.sheet_mut().await?;
        let cells = if force {
            let keys: Vec<&RowKey> = rows
                .iter()
                .flat_map(|o| o.rows.iter().map(|r| &r.key))
                .collect();
            let holding = sheet.index().rows_holding(keys);
            sheet.read_cells(&holding).await?
        } else {
            SheetCells::new()
        };
        let compare = if force {
            Compare::Cells(&cells)
        } else {
            Compare::Hashes(tracked)
        };
        let plan = plan(rows, sheet.index(), compare);
        for dup in &plan.duplicates {
            self.duplicates.insert(dup.to_string());
        }
        Ok(plan)
    }

    /// Writes a plan (or, in a dry run, adds it to the plan on disk) and records each order once
    /// every one of its writes is confirmed. `Ok(false)` when a stop request cut it short.
    pub(super) async fn apply(
        &mut self,
        plan: &Plan,
        by_gid: &HashMap<&str, &Order>,
    ) -> Result<bool, SyncError> {
        if let Some(mut dry) = self.dry.take() {
            let result = self.plan_dry(plan, &mut dry).await;
            self.dry = Some(dry);
            return result.map(|()| true);
        }
        let mut progress = OrderProgress::new(plan);
        let done = progress.complete_without_writes();
        self.record(plan, &done, by_gid)?;
        let more = self.appends_expected_after(plan);
        let sheet = self.sheet_mut().await?;
        let chunks = sheet.prepare(plan, more).await?;
        let total: usize = chunks
            .iter()
            .map(|c| c.appends.len() + c.updates.len())
            .sum();
        self.services.observer.writing(total as u64);
        let mut written = 0u64;
        let mut search = MAX_ISOLATING_WRITES;
        for chunk in chunks {
            // A request Google refuses for what it holds (400) is sent again as halves, down to
            // the refused rows: one order Google will not take must not fail the orders beside
            // it. The search is bounded; past it the refusal is the run's error.
            let mut parts = vec![chunk];
            while let Some(part) = parts.pop() {
                match self.sheet_mut().await?.send(plan, &part).await {
                    Ok(()) => self.confirmed(plan, &part, &mut progress, by_gid, &mut written)?,
                    Err(SheetsError::BadRequest { message }) => match part.halves() {
                        Some((first, second)) if search >= 2 => {
                            search -= 2;
                            parts.extend([second, first]);
                        }
                        Some(_) => return Err(SheetsError::BadRequest { message }.into()),
                        None => self.refused_rows(plan, &part, &message)?,
                    },
                    Err(err) => return Err(err.into()),
                }
            }
            if self.stop_requested().is_some() {
                return Ok(progress.incomplete().is_empty());
            }
        }
        Ok(true)
    }

    /// Takes note of a part of a plan the sheet confirmed: its appended rows, the orders it
    /// completes (recorded now), the counts and the progress report.
    fn confirmed(
        &mut self,
        plan: &Plan,
        part: &Chunk,
        progress: &mut OrderProgress,
        by_gid: &HashMap<&str, &Order>,
        written: &mut u64,
    ) -> Result<(), SyncError> {
        if let Some(sheet) = self.sheet.as_mut() {
            sheet.record_appends(plan, &part.appends);
        }
        let orders = part
            .appends
            .iter()
            .map(|&i| plan.appends[i].order)
            .chain(part.updates.iter().map(|&i| plan.updates[i].order));
        let done: Vec<usize> = orders.filter(|&o| progress.confirm(o)).collect();
        self.record(plan, &done, by_gid)?;
        self.counts.rows_appended += i64::try_from(part.appends.len()).unwrap_or(0);
        self.counts.rows_updated += i64::try_from(part.updates.len()).unwrap_or(0);
        *written += (part.appends.len() + part.updates.len()) as u64;
        self.services.observer.wrote(*written);
        Ok(())
    }

    /// Records the order of a row Google refused in `sync_errors` (once per run), so the run goes
    /// on without it, ends with problems, and the next run fetches it again by ID.
    fn refused_rows(&mut self, plan: &Plan, part: &Chunk, message: &str) -> Result<(), SyncError> {
        let orders = part
            .appends
            .iter()
            .map(|&i| plan.appends[i].order)
            .chain(part.updates.iter().map(|&i| plan.updates[i].order));
        for index in orders {
            let order = &plan.orders[index];
            if !self.refused.insert(order.order_gid.clone()) {
                continue;
            }
            self.warnings.add(format!(
                "order {}: Google refused its rows ({message}); it is retried on the next sync",
                order.name
            ));
            self.services.store.record_error(&NewError {
                run: Some(self.run),
                order_gid: Some(&order.order_gid),
                order_name: Some(&order.name),
                stage: "write",
                kind: "sheets",
                message,
            })?;
            self.counts.failed += 1;
        }
        Ok(())
    }

    pub(super) async fn plan_dry(
        &mut self,
        plan: &Plan,
        dry: &mut DryRunOutput,
    ) -> Result<(), SyncError> {
        let sheet = self.sheet_mut().await?;
        let rows: Vec<u32> = plan.updates.iter().map(|u| u.row).collect();
        let before = sheet.read_cells(&rows).await?;
        let changes = cell_changes(&plan.updates, &before);
        // Later batches of this dry run must see these rows as if they were written.
        let all: Vec<usize> = (0..plan.appends.len()).collect();
        sheet.record_appends(plan, &all);
        self.counts.rows_appended += i64::try_from(plan.appends.len()).unwrap_or(0);
        self.counts.rows_updated += i64::try_from(plan.updates.len()).unwrap_or(0);
        dry.add(plan, &changes)
    }

    /// Records the given orders of `plan` (indexes into `plan.orders`) as synced.
    pub(super) fn record(
        &mut self,
        plan: &Plan,
        done: &[usize],
        by_gid: &HashMap<&str, &Order>,
    ) -> Result<(), SyncError> {
        if done.is_empty() || !self.real() {
            return Ok(());
        }
        let index = self.sheet.as_ref().map(SheetSide::index);
        let synced: Vec<SyncedOrder<'_>> = done
            .iter()
            .filter_map(|&i| {
                let order_plan = &plan.orders[i];
                let order = by_gid.get(order_plan.order_gid.as_str())?;
                let hashes: Vec<ContentHash> =
                    order_plan.row_hashes.iter().map(|(_, h)| *h).collect();
                Some(SyncedOrder {
                    order,
                    content_hash: order_hash(&hashes),
                    rows: order_plan
                        .row_hashes
                        .iter()
                        .map(|(key, hash)| SyncedRow {
                            line_item_id: key.line_item_id.clone(),
                            row_hash: hash.to_hex(),
                            sheet_row: index
                                .and_then(|ix| ix.rows_of(key).first())
                                .map(|&r| i64::from(r)),
                        })
                        .collect(),
                })
            })
            .collect();
        self.services
            .store
            .record_synced_orders(self.run, &synced)?;
        Ok(())
    }
}

/// The DB's row hashes of one order, keyed as rows are keyed.
pub(super) fn row_hashes(
    order: &OrderRows,
    tracked: Option<&crate::store::OrderHashes>,
) -> HashMap<RowKey, ContentHash> {
    let Some(tracked) = tracked else {
        return HashMap::new();
    };
    tracked
        .line_items
        .iter()
        .filter_map(|(line_item_id, item)| {
            let hash = ContentHash::from_hex(item.row_hash.as_deref()?)?;
            Some((
                RowKey::new(order.order_id.clone(), line_item_id.clone()),
                hash,
            ))
        })
        .collect()
}

/// An order's content hash: the hash of its rows' hashes, in order.
pub(super) fn order_hash(rows: &[ContentHash]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    for row in rows {
        hasher.update(row.0);
    }
    ContentHash(hasher.finalize().into()).to_hex()
}

/// A short kind for `sync_errors`.
pub(super) fn error_kind(err: &SyncError) -> &'static str {
    match err {
        SyncError::Shopify(_) => "shopify",
        SyncError::Sheets(_) | SyncError::Unconfirmed { .. } => "sheets",
        SyncError::Store(_) | SyncError::Lock(_) => "store",
        SyncError::Tab(_) => "layout",
        SyncError::DryRunOutput { .. } => "io",
    }
}
