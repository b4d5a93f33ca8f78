//! The sheet side of a run: finding the spreadsheet and tab, indexing the keys, and applying a
//! plan in few large `values:batchUpdate` requests, each confirmed before its orders count as
//! written.
//!
//! Rows are found by key when the plan is made, never by remembered row numbers; after a write
//! whose outcome is unknown the caller re-reads the keys ([`SheetSide::reread_keys`]) and plans
//! again, so a retry rewrites rows in place instead of appending them twice.

use tracing::{debug, info};

use crate::sheets::{
    BODY_HEAD_BYTES, MAX_REQUEST_BYTES, SheetsClient, SheetsError, SpreadsheetInfo, range_bytes,
};
use crate::store::{Binding, StoreError};
use crate::sync::plan::columns::Column;
use crate::sync::plan::index::SheetIndex;
use crate::sync::plan::rectangles::{Chunk, chunk_plan};
use crate::sync::plan::tab::{BoundTab, TabFacts, TabRead, TabVerdict, judge, needs_rows_below};
use crate::sync::plan::{Plan, SheetCells};

use crate::sync::error::SyncError;

/// The most blank rows a growth adds beyond what the writes need.
const GROW_AHEAD_MAX: u32 = 100_000;

/// The spreadsheet and tab of a run, and what is known of their keyed rows.
#[derive(Debug)]
pub struct SheetSide {
    client: SheetsClient,
    book: SpreadsheetInfo,
    title: String,
    index: SheetIndex,
    /// Requests and bytes of `values:batchUpdate` sent by this run.
    pub writes: WriteStats,
}

/// What the run sent to the sheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteStats {
    /// `values:batchUpdate` requests confirmed.
    pub requests: u64,
    /// Their body bytes.
    pub bytes: u64,
    /// Rows appended.
    pub rows_appended: u64,
    /// Rows rewritten in place.
    pub rows_updated: u64,
}

impl SheetSide {
    /// Finds the spreadsheet and tab and indexes the keys. In a real run the tab is created, or its
    /// missing owned headers added; a dry run changes nothing and plans against what is there.
    ///
    /// `binding` is what the DB recorded on the first sync: a different spreadsheet is refused, and
    /// a missing tab is a rename or deletion, never re-created. `rows` is how many rows the run
    /// expects to append (a bulk export knows; 0 otherwise): a tab it creates is made that tall at
    /// once (within the cell limit), so the backfill needs no `appendDimension`.
    ///
    /// # Errors
    /// Google's errors, a foreign or duplicated header, or a binding mismatch.
    pub async fn open(
        client: SheetsClient,
        target: &str,
        title: &str,
        binding: Option<&Binding>,
        db_path: &std::path::Path,
        dry_run: bool,
        rows: u32,
    ) -> Result<Self, SyncError> {
        let id = client.resolve_spreadsheet(target).await?;
        if let Some(bound) = binding
            && bound.spreadsheet_id != id
        {
            return Err(StoreError::BindingMismatch {
                path: db_path.to_path_buf(),
                field: "spreadsheet",
                stored: bound.spreadsheet_id.clone(),
                given: id,
            }
            .into());
        }
        let mut book = client.open(&id).await?;
        let read = read_tab(&client, &book, title).await?;
        let verdict = judge(&TabFacts {
            title,
            read: read.as_ref(),
            bound: bound_tab(&book, binding.map(|b| b.sheet_id)),
        })?;
        // A dry run asks the same question as a real run, only without the writes: the tab is
        // created or its missing headers added in the real run, and imagined so in the dry run
        // (an empty or missing tab plans every row as an append from row 2).
        if !dry_run {
            apply_verdict(&client, &mut book, title, &verdict, rows).await?;
        }
        let mut layout = verdict.layout().clone();
        layout.commit_additions();
        let mut side = Self {
            client,
            book,
            title: title.to_owned(),
            index: SheetIndex::empty(layout, 2),
            writes: WriteStats::default(),
        };
        if side.book.tab(title).is_some() {
            side.reread_keys().await?;
        }
        Ok(side)
    }

    /// The spreadsheet's ID.
    #[must_use]
    pub fn spreadsheet_id(&self) -> &str {
        &self.book.id
    }

    /// The tab's `sheetId`, once the tab exists.
    #[must_use]
    pub fn sheet_id(&self) -> Option<i64> {
        self.book.tab(&self.title).map(|t| t.sheet_id)
    }

    /// The key index.
    #[must_use]
    pub fn index(&self) -> &SheetIndex {
        &self.index
    }

    /// The spreadsheet's cells left under Google's 10,000,000-cell limit.
    #[must_use]
    pub fn cell_headroom(&self) -> u64 {
        self.book.cell_headroom()
    }

    /// Reads the key columns again (after an ambiguous write, or at the start).
    ///
    /// # Errors
    /// Google's errors.
    pub async fn reread_keys(&mut self) -> Result<(), SyncError> {
        let layout = self.index.layout().clone();
        let columns = [
            column_u32(layout.index_of(Column::OrderId)),
            column_u32(layout.index_of(Column::LineItemId)),
        ];
        let read = self
            .client
            .read_columns(&self.book, &self.title, &columns)
            .await?;
        let empty = Vec::new();
        self.index = SheetIndex::from_key_columns(
            layout,
            1,
            read.columns.first().unwrap_or(&empty),
            read.columns.get(1).unwrap_or(&empty),
            read.first_free_row,
        );
        debug!(
            keys = self.index.key_count(),
            first_free_row = self.index.first_free_row(),
            "indexed the sheet"
        );
        Ok(())
    }

    /// Reads the owned cells of `rows`, for `--force`, reconciliation and the dry run's
    /// before/after.
    ///
    /// # Errors
    /// Google's errors.
    pub async fn read_cells(&self, rows: &[u32]) -> Result<SheetCells, SyncError> {
        let mut cells = SheetCells::new();
        if rows.is_empty() || self.book.tab(&self.title).is_none() {
            return Ok(cells);
        }
        let width = self.index.layout().width();
        let columns: Vec<u32> = (0..width).map(column_u32).collect();
        let read = self
            .client
            .read_columns(&self.book, &self.title, &columns)
            .await?;
        for &row in rows {
            let values = (0..width).map(|c| read.cell(c, row).clone()).collect();
            cells.insert_row(row, 0, values);
        }
        Ok(cells)
    }

    /// Grows the grid for `plan` and cuts its writes into requests of at most about 2 MB, never
    /// splitting one row's cells across requests.
    ///
    /// `more` is how many rows the run expects to append after this plan, when it knows (a bulk
    /// export staged them) or can estimate (a paged backfill that knows the window's order
    /// count): the grid is then grown once for all of them. Otherwise it is grown ahead by as
    /// many rows again as the plan needs (at most 100,000). Either is kept within the cell
    /// limit, falling back to the rows this plan needs.
    ///
    /// # Errors
    /// The 10,000,000-cell limit, or Google's errors while growing the grid.
    pub async fn prepare(
        &mut self,
        plan: &Plan,
        more: Option<u32>,
    ) -> Result<Vec<Chunk>, SyncError> {
        let (rows, _) = plan.grid_needed();
        let tab = self.book.tab(&self.title);
        let (current, columns) = tab.map_or((0, 0), |t| (t.row_count, t.column_count));
        let mut target = rows;
        if rows > current {
            // Each growth is a write request, and Google allows 60 a minute: a backfill grows the
            // grid once (bulk) or a handful of times (paged), not once per batch.
            // An estimate of `more` that fell short still grows by a tenth as much at least.
            let doubled = rows.min(GROW_AHEAD_MAX);
            let ahead = more.map_or(doubled, |more| more.max(doubled / 10));
            let wanted = rows.saturating_add(ahead);
            let extra = u64::from(wanted - current) * u64::from(columns.max(1));
            if self.book.check_growth(extra).is_ok() {
                target = wanted;
            }
        }
        self.client
            .grow_rows(&mut self.book, &self.title, target)
            .await?;
        Ok(chunk_plan(
            plan,
            MAX_REQUEST_BYTES - BODY_HEAD_BYTES,
            range_bytes(&self.title),
        ))
    }

    /// Sends one chunk of `plan`; on success the sheet confirmed every range in it. The chunk's
    /// cells are built here, one chunk at a time, so a batch's values are never all in memory.
    ///
    /// # Errors
    /// [`SheetsError::Ambiguous`] (inside [`SyncError::Sheets`]) when the outcome is unknown.
    pub async fn send(&mut self, plan: &Plan, chunk: &Chunk) -> Result<(), SheetsError> {
        let ranges = chunk.encode(plan);
        let bytes = self
            .client
            .write_encoded(&self.book.id, &self.title, ranges)
            .await?;
        self.writes.requests += 1;
        self.writes.bytes += bytes;
        self.writes.rows_appended += chunk.appends.len() as u64;
        self.writes.rows_updated += chunk.updates.len() as u64;
        Ok(())
    }

    /// Makes room in the key index for `rows` rows the run expects to append to a tab that holds
    /// no keyed row yet (a tab that holds some, whose rows the run may only update, is left to
    /// grow as needed).
    pub fn expect_appends(&mut self, rows: usize) {
        if self.index.key_count() == 0 {
            self.index.reserve(rows);
        }
    }

    /// Notes rows the sheet confirmed appending, so later plans of the run see them.
    pub fn record_appends(&mut self, plan: &Plan, appends: &[usize]) {
        for &i in appends {
            let append = &plan.appends[i];
            self.index.record_append(append.key.clone(), append.row);
        }
    }

    /// Requests sent to Google (reads and writes) and bytes, for summaries.
    #[must_use]
    pub fn traffic(&self) -> (u64, u64) {
        self.client.traffic()
    }
}

/// Reads what the tab policy needs of tab `title`: row 1, and whether rows lie below it when
/// that matters; `None` when the spreadsheet has no such tab. Reads only (`validate` uses it too).
///
/// # Errors
/// Google's errors.
pub async fn read_tab(
    client: &SheetsClient,
    book: &SpreadsheetInfo,
    title: &str,
) -> Result<Option<TabRead>, SheetsError> {
    if book.tab(title).is_none() {
        return Ok(None);
    }
    let row1 = client.read_header(&book.id, title).await?;
    let rows_below = needs_rows_below(&row1) && client.has_rows_below_header(book, title).await?;
    Ok(Some(TabRead { row1, rows_below }))
}

/// The tab the DB is bound to (by `sheetId`), as `book` has it now.
#[must_use]
pub fn bound_tab(book: &SpreadsheetInfo, sheet_id: Option<i64>) -> BoundTab<'_> {
    match sheet_id.map(|id| book.tab_by_id(id)) {
        None => BoundTab::Unbound,
        Some(Some(tab)) => BoundTab::Titled(&tab.title),
        Some(None) => BoundTab::Gone,
    }
}

/// Does what the verdict says: creates the tab with every owned header (and room for `rows` rows
/// below it), or writes the missing owned headers at the right of row 1 (freezing it when it was
/// blank).
async fn apply_verdict(
    client: &SheetsClient,
    book: &mut SpreadsheetInfo,
    title: &str,
    verdict: &TabVerdict,
    rows: u32,
) -> Result<(), SheetsError> {
    let layout = verdict.layout();
    let names: Vec<&str> = layout.additions().iter().map(|a| a.column.name()).collect();
    match verdict {
        TabVerdict::Create(_) => {
            client
                .create_tab_with_rows(book, title, &names, rows.saturating_add(1))
                .await?;
            info!(tab = title, "created the tab with its header");
        }
        TabVerdict::Adopt { blank, .. } => {
            if let Some(first) = layout.additions().first() {
                let start = column_u32(first.index);
                client
                    .add_header_cells(book, title, start, &names, *blank)
                    .await?;
            }
        }
    }
    Ok(())
}

fn column_u32(column: usize) -> u32 {
    u32::try_from(column).unwrap_or(u32::MAX)
}
