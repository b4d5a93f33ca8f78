//! `sync_history`: one row per run (real sync, dry run, reconciliation), its counts and outcome.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store, get_opt_ts, get_ts, ts};

/// The id of a row in `sync_history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What kind of run a history row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// `sync`: writes the sheet and the tracking.
    Real,
    /// `sync --test`: a dry run, which changes no table but `sync_history`.
    Test,
    /// `missing`: reconciliation.
    Missing,
}

impl RunMode {
    /// The text stored in the `mode` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Real => "real",
            Self::Test => "test",
            Self::Missing => "missing",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Real, Self::Test, Self::Missing]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Everything it set out to do was done.
    Success,
    /// It completed, but some orders failed (recorded in `sync_errors`).
    Partial,
    /// A fatal error stopped it.
    Failed,
    /// SIGINT or SIGTERM stopped it after the write in flight.
    Interrupted,
    /// The process died without recording an outcome (kill -9, power loss); set by the next sync.
    Abandoned,
}

impl RunOutcome {
    /// The text stored in the `outcome` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Partial => "partial",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
            Self::Abandoned => "abandoned",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        [
            Self::Success,
            Self::Partial,
            Self::Failed,
            Self::Interrupted,
            Self::Abandoned,
        ]
        .into_iter()
        .find(|m| m.as_str() == text)
    }
}

/// What a run counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunCounts {
    /// Orders fetched from Shopify.
    pub fetched: i64,
    /// Orders written for the first time.
    pub new: i64,
    /// Orders whose rows were rewritten because they changed.
    pub updated: i64,
    /// Orders left alone because their hash matched.
    pub unchanged: i64,
    /// Sheet rows appended.
    pub rows_appended: i64,
    /// Sheet rows updated in place.
    pub rows_updated: i64,
    /// Orders that failed (recorded in `sync_errors`).
    pub failed: i64,
}

/// One row of `sync_history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    /// The run's id.
    pub id: RunId,
    /// Real sync, dry run or reconciliation.
    pub mode: RunMode,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished; `None` while it runs, or when it died without finishing.
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended; `None` when it has not finished.
    pub outcome: Option<RunOutcome>,
    /// What it counted.
    pub counts: RunCounts,
    /// The cursor when it started.
    pub cursor_before: Option<DateTime<Utc>>,
    /// The cursor when it finished.
    pub cursor_after: Option<DateTime<Utc>>,
    /// Its one-line summary or error.
    pub message: Option<String>,
}

const RUN_COLUMNS: &str = "id, mode, started_at, finished_at, outcome, orders_fetched, orders_new, \
     orders_updated, orders_unchanged, rows_appended, rows_updated, orders_failed, cursor_before, \
     cursor_after, message";

fn run_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let mode: String = row.get(1)?;
    let outcome: Option<String> = row.get(4)?;
    let bad = |idx: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown {what}").into(),
        )
    };
    Ok(RunRecord {
        id: RunId(row.get(0)?),
        mode: RunMode::parse(&mode).ok_or_else(|| bad(1, format!("run mode {mode:?}")))?,
        started_at: get_ts(row, 2)?,
        finished_at: get_opt_ts(row, 3)?,
        outcome: match outcome {
            None => None,
            Some(o) => Some(RunOutcome::parse(&o).ok_or_else(|| bad(4, format!("outcome {o:?}")))?),
        },
        counts: RunCounts {
            fetched: row.get(5)?,
            new: row.get(6)?,
            updated: row.get(7)?,
            unchanged: row.get(8)?,
            rows_appended: row.get(9)?,
            rows_updated: row.get(10)?,
            failed: row.get(11)?,
        },
        cursor_before: get_opt_ts(row, 12)?,
        cursor_after: get_opt_ts(row, 13)?,
        message: row.get(14)?,
    })
}

impl Store {
    /// Records the start of a run and returns its id.
    ///
    /// # Errors
    /// When the row cannot be written.
    pub fn start_run(
        &mut self,
        mode: RunMode,
        cursor_before: Option<DateTime<Utc>>,
    ) -> Result<RunId> {
        self.conn
            .execute(
                "INSERT INTO sync_history (mode, started_at, cursor_before) VALUES (?1, ?2, ?3)",
                params![mode.as_str(), ts(self.now()), cursor_before.map(ts)],
            )
            .map_err(|e| self.err(e))?;
        Ok(RunId(self.conn.last_insert_rowid()))
    }

    /// Records how a run ended, what it counted and the cursor it left.
    ///
    /// # Errors
    /// When the row cannot be written.
    pub fn finish_run(
        &mut self,
        id: RunId,
        outcome: RunOutcome,
        counts: &RunCounts,
        cursor_after: Option<DateTime<Utc>>,
        message: Option<&str>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE sync_history SET finished_at = ?2, outcome = ?3, orders_fetched = ?4, \
                 orders_new = ?5, orders_updated = ?6, orders_unchanged = ?7, rows_appended = ?8, \
                 rows_updated = ?9, orders_failed = ?10, cursor_after = ?11, message = ?12 \
                 WHERE id = ?1",
                params![
                    id.0,
                    ts(self.now()),
                    outcome.as_str(),
                    counts.fetched,
                    counts.new,
                    counts.updated,
                    counts.unchanged,
                    counts.rows_appended,
                    counts.rows_updated,
                    counts.failed,
                    cursor_after.map(ts),
                    message,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Marks real runs that never recorded an outcome as abandoned (their process died), and
    /// returns how many. Call it only while holding the sync lock, so no live run is marked.
    ///
    /// # Errors
    /// When the update fails.
    pub fn close_abandoned_runs(&mut self) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE sync_history SET outcome = 'abandoned', message = COALESCE(message, \
                 'the process ended without recording an outcome (killed?)') \
                 WHERE mode = 'real' AND outcome IS NULL",
                [],
            )
            .map_err(|e| self.err(e))
    }

    /// The latest `limit` runs of every mode, newest first.
    ///
    /// # Errors
    /// When the query fails.
    pub fn recent_runs(&self, limit: usize) -> Result<Vec<RunRecord>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM sync_history ORDER BY id DESC LIMIT ?1"
            ))
            .map_err(|e| self.err(e))?;
        stmt.query_map([limit], run_from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// The latest real sync (finished or not), which `status` judges the store's health by.
    ///
    /// # Errors
    /// When the query fails.
    pub fn last_real_run(&self) -> Result<Option<RunRecord>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM sync_history WHERE mode = 'real' ORDER BY id DESC LIMIT 1"
                ),
                [],
                run_from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The latest real sync that succeeded, which `status --max-age` judges freshness by.
    ///
    /// # Errors
    /// When the query fails.
    pub fn last_successful_run(&self) -> Result<Option<RunRecord>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM sync_history WHERE mode = 'real' \
                     AND outcome = 'success' ORDER BY id DESC LIMIT 1"
                ),
                [],
                run_from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Runs that started at or after `since`, oldest first.
    ///
    /// # Errors
    /// When the query fails.
    pub fn runs_since(&self, since: DateTime<Utc>) -> Result<Vec<RunRecord>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM sync_history WHERE started_at >= ?1 ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        stmt.query_map([ts(since)], run_from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }
}
