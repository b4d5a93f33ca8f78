//! `sync_errors` (one open row per failing order, its attempts counted; one open row for a sync that
//! failed as a whole) and `refetch_queue` (orders to fetch again by ID: those that failed, and those
//! `reset` forgot).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, RunId, Store, StoreError, get_opt_ts, get_ts, ts};

/// The `stage` of an error about a whole sync rather than one order: Shopify unreachable, the
/// sheet not shared, a token revoked. Such a row has no order.
pub const RUN_STAGE: &str = "run";

/// A failure to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewError<'a> {
    /// The run it happened in.
    pub run: Option<RunId>,
    /// The order's gid, when the failure is about one order.
    pub order_gid: Option<&'a str>,
    /// The order's name (`#1001`), when known.
    pub order_name: Option<&'a str>,
    /// Where it failed, such as `fetch`, `rows`, `write`, `record`.
    pub stage: &'a str,
    /// What kind of failure, such as `throttled`, `invalid_data`, `http_500`.
    pub kind: &'a str,
    /// The one-line error message (never a secret).
    pub message: &'a str,
}

/// One row of `sync_errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRecord {
    /// The row's id.
    pub id: i64,
    /// When it first happened.
    pub first_seen_at: DateTime<Utc>,
    /// When it last happened.
    pub last_seen_at: DateTime<Utc>,
    /// The run it last happened in.
    pub run: Option<RunId>,
    /// The order's gid.
    pub order_gid: Option<String>,
    /// The order's name.
    pub order_name: Option<String>,
    /// Where it failed.
    pub stage: String,
    /// What kind of failure.
    pub kind: String,
    /// The last message.
    pub message: String,
    /// How many times it happened.
    pub attempts: i64,
    /// When the order finally synced (or `None` while unresolved).
    pub resolved_at: Option<DateTime<Utc>>,
}

impl ErrorRecord {
    /// Whether the error is about a whole sync (see [`RUN_STAGE`]) rather than one order.
    #[must_use]
    pub fn is_run_failure(&self) -> bool {
        self.order_gid.is_none() && self.stage == RUN_STAGE
    }
}

const ERROR_COLUMNS: &str = "id, first_seen_at, last_seen_at, run_id, order_gid, order_name, stage, \
     kind, message, attempts, resolved_at";

fn error_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ErrorRecord> {
    Ok(ErrorRecord {
        id: row.get(0)?,
        first_seen_at: get_ts(row, 1)?,
        last_seen_at: get_ts(row, 2)?,
        run: row.get::<_, Option<i64>>(3)?.map(RunId),
        order_gid: row.get(4)?,
        order_name: row.get(5)?,
        stage: row.get(6)?,
        kind: row.get(7)?,
        message: row.get(8)?,
        attempts: row.get(9)?,
        resolved_at: get_opt_ts(row, 10)?,
    })
}

impl Store {
    /// Records a failure and returns its row id. A failure about an order that already has an
    /// unresolved error updates that row (attempts + 1) and queues the order for a fetch by ID.
    ///
    /// # Errors
    /// When the transaction fails.
    pub fn record_error(&mut self, error: &NewError<'_>) -> Result<i64> {
        let now = ts(self.now());
        let path = self.path.clone();
        let sql = |e| StoreError::from_sqlite(&path, e);
        let tx = self.write_transaction()?;
        let run = error.run.map(|r| r.0);
        let existing: Option<i64> = match error.order_gid {
            Some(gid) => tx
                .query_row(
                    "SELECT id FROM sync_errors WHERE order_gid = ?1 AND resolved_at IS NULL",
                    [gid],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql)?,
            None => None,
        };
        let id = if let Some(id) = existing {
            tx.execute(
                "UPDATE sync_errors SET last_seen_at = ?2, run_id = ?3, \
                 order_name = COALESCE(?4, order_name), stage = ?5, kind = ?6, message = ?7, \
                 attempts = attempts + 1 WHERE id = ?1",
                params![
                    id,
                    now,
                    run,
                    error.order_name,
                    error.stage,
                    error.kind,
                    error.message
                ],
            )
            .map_err(sql)?;
            id
        } else {
            tx.execute(
                "INSERT INTO sync_errors (first_seen_at, last_seen_at, run_id, order_gid, \
                 order_name, stage, kind, message) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    now,
                    run,
                    error.order_gid,
                    error.order_name,
                    error.stage,
                    error.kind,
                    error.message
                ],
            )
            .map_err(sql)?;
            tx.last_insert_rowid()
        };
        if let Some(gid) = error.order_gid {
            tx.execute(
                "INSERT INTO refetch_queue (order_gid, reason, queued_at) VALUES (?1, 'failed', ?2) \
                 ON CONFLICT (order_gid) DO NOTHING",
                params![gid, now],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    /// Records that a real sync failed as a whole, and returns the row's id. Until a sync
    /// completes, every later failure updates the same row (attempts + 1, the latest kind and
    /// message), so a cron job failing all day is one error with its first and last time.
    ///
    /// # Errors
    /// When the transaction fails.
    pub fn record_run_failure(&mut self, run: RunId, kind: &str, message: &str) -> Result<i64> {
        let now = ts(self.now());
        let path = self.path.clone();
        let sql = |e| StoreError::from_sqlite(&path, e);
        let tx = self.write_transaction()?;
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM sync_errors WHERE order_gid IS NULL AND stage = ?1 \
                 AND resolved_at IS NULL ORDER BY id DESC LIMIT 1",
                [RUN_STAGE],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        let id = if let Some(id) = existing {
            tx.execute(
                "UPDATE sync_errors SET last_seen_at = ?2, run_id = ?3, kind = ?4, message = ?5, \
                 attempts = attempts + 1 WHERE id = ?1",
                params![id, now, run.0, kind, message],
            )
            .map_err(sql)?;
            id
        } else {
            tx.execute(
                "INSERT INTO sync_errors (first_seen_at, last_seen_at, run_id, stage, kind, \
                 message) VALUES (?1, ?1, ?2, ?3, ?4, ?5)",
                params![now, run.0, RUN_STAGE, kind, message],
            )
            .map_err(sql)?;
            tx.last_insert_rowid()
        };
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    /// Marks the open failure of a whole sync resolved, because a sync completed; returns how
    /// many rows were (0 or 1).
    ///
    /// # Errors
    /// When the update fails.
    pub fn resolve_run_failure(&mut self) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE sync_errors SET resolved_at = ?2 WHERE resolved_at IS NULL \
                 AND order_gid IS NULL AND stage = ?1",
                params![RUN_STAGE, ts(self.now())],
            )
            .map_err(|e| self.err(e))
    }

    /// Marks the open errors of these orders resolved; returns how many were (unit tests only:
    /// [`Store::record_synced_orders`] does this for the orders it records).
    ///
    /// # Errors
    /// When the update fails.
    #[cfg(test)]
    pub fn resolve_errors_for<S: AsRef<str>>(&mut self, order_gids: &[S]) -> Result<usize> {
        let json = gid_list_json(order_gids);
        self.conn
            .execute(
                "UPDATE sync_errors SET resolved_at = ?2 WHERE resolved_at IS NULL \
                 AND order_gid IN (SELECT value FROM json_each(?1))",
                params![json, ts(self.now())],
            )
            .map_err(|e| self.err(e))
    }

    /// Unresolved errors, newest first.
    ///
    /// # Errors
    /// When the query fails.
    pub fn unresolved_errors(&self) -> Result<Vec<ErrorRecord>> {
        self.errors_where("resolved_at IS NULL")
    }

    /// Every error ever recorded, newest first.
    ///
    /// # Errors
    /// When the query fails.
    pub fn all_errors(&self) -> Result<Vec<ErrorRecord>> {
        self.errors_where("1")
    }

    fn errors_where(&self, condition: &str) -> Result<Vec<ErrorRecord>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ERROR_COLUMNS} FROM sync_errors WHERE {condition} \
                 ORDER BY last_seen_at DESC, id DESC"
            ))
            .map_err(|e| self.err(e))?;
        stmt.query_map([], error_from_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Gids of orders to fetch again by ID (failed or reset), oldest request first.
    ///
    /// # Errors
    /// When the query fails.
    pub fn pending_refetch(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT order_gid FROM refetch_queue ORDER BY queued_at, order_gid")
            .map_err(|e| self.err(e))?;
        stmt.query_map([], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| self.err(e))
    }

    /// Takes orders off the refetch queue (for example ones Shopify says no longer exist).
    ///
    /// [`Store::record_synced_orders`] already does this for the orders it records.
    ///
    /// # Errors
    /// When the delete fails.
    pub fn clear_refetch<S: AsRef<str>>(&mut self, order_gids: &[S]) -> Result<usize> {
        let json = gid_list_json(order_gids);
        self.conn
            .execute(
                "DELETE FROM refetch_queue WHERE order_gid IN (SELECT value FROM json_each(?1))",
                [json],
            )
            .map_err(|e| self.err(e))
    }
}

/// A JSON array of gids, bound as one parameter and expanded with `json_each`.
pub(super) fn gid_list_json<S: AsRef<str>>(gids: &[S]) -> String {
    let gids: Vec<&str> = gids.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&gids).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone as _;

    use super::*;
    use crate::clock::ManualClock;
    use crate::store::RunMode;

    #[test]
    fn a_failing_sync_is_one_open_error_until_a_sync_completes() {
        let start = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        let mut store = Store::open_in_memory()
            .unwrap()
            .with_clock(Arc::new(clock.clone()));
        let order = NewError {
            run: None,
            order_gid: Some("gid://shopify/Order/1"),
            order_name: Some("#1001"),
            stage: "write",
            kind: "sheets",
            message: "503",
        };
        let order_error = store.record_error(&order).unwrap();

        let first = store.start_run(RunMode::Real, None).unwrap();
        let id = store
            .record_run_failure(first, "shopify", "Shopify refused the token")
            .unwrap();
        clock.advance(std::time::Duration::from_secs(3600));
        let second = store.start_run(RunMode::Real, None).unwrap();
        let again = store
            .record_run_failure(second, "sheets", "the sheet is not shared")
            .unwrap();
        assert_eq!(id, again, "one open row while the sync keeps failing");
        let open = store.unresolved_errors().unwrap();
        assert_eq!(open.len(), 2);
        let run = open.iter().find(|e| e.is_run_failure()).unwrap();
        assert_eq!(run.attempts, 2);
        assert_eq!(run.run, Some(second));
        assert_eq!(
            (run.kind.as_str(), run.stage.as_str()),
            ("sheets", RUN_STAGE)
        );
        assert_eq!(run.message, "the sheet is not shared");
        assert_eq!(run.first_seen_at, start);
        assert_eq!(run.last_seen_at, start + chrono::Duration::hours(1));
        assert!(run.order_gid.is_none() && run.order_name.is_none());
        assert!(
            !open
                .iter()
                .find(|e| e.id == order_error)
                .unwrap()
                .is_run_failure()
        );
        // A run failure queues nothing: there is no order to fetch again.
        assert_eq!(store.pending_refetch().unwrap(), ["gid://shopify/Order/1"]);

        assert_eq!(store.resolve_run_failure().unwrap(), 1);
        assert_eq!(store.resolve_run_failure().unwrap(), 0);
        let open = store.unresolved_errors().unwrap();
        assert_eq!(open.len(), 1, "the order's own error stays open");
        assert_eq!(open[0].id, order_error);

        let third = store.start_run(RunMode::Real, None).unwrap();
        let later = store.record_run_failure(third, "shopify", "x").unwrap();
        assert_ne!(later, id, "a failure after a good sync is a new error");
    }
}
