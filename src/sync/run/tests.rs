//! The run's pure decisions: the window it fetches, where the cursor goes, the hashes it compares
//! and records, and warnings said once.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::Duration;

use super::batch::{error_kind, order_hash, row_hashes};
use super::*;
use crate::store::{LineItemHashes, OrderHashes};
use crate::sync::fixtures::{TZ, at, key, order};
use crate::sync::plan::hash::ContentHash;

fn options(overlap_minutes: u32, lookback_days: u32, since: Option<&str>) -> SyncOptions {
    SyncOptions {
        kind: RunKind::Real,
        force: false,
        bulk: super::BulkChoice::Auto,
        since: since.map(at),
        lookback_days,
        overlap_minutes,
        target_spreadsheet: "1abc".to_owned(),
        worksheet: "Orders".to_owned(),
        shop_domain: "acme.myshopify.com".to_owned(),
        test_output: PathBuf::from("test_output"),
    }
}

#[test]
fn the_window_starts_an_overlap_before_the_cursor_or_a_lookback_before_the_first_run() {
    let started = at("2026-11-02T11:00:00Z");
    let cursor = at("2026-11-02T10:00:00Z");
    assert_eq!(
        window_start(Some(cursor), started, &options(10, 30, None)),
        at("2026-11-02T09:50:00Z")
    );
    assert_eq!(
        window_start(Some(cursor), started, &options(0, 30, None)),
        cursor
    );
    assert_eq!(
        window_start(None, started, &options(10, 30, None)),
        started - Duration::days(30)
    );
    // --since widens the window, never narrows it.
    assert_eq!(
        window_start(
            Some(cursor),
            started,
            &options(10, 30, Some("2026-10-01T00:00:00Z"))
        ),
        at("2026-10-01T00:00:00Z")
    );
    assert_eq!(
        window_start(
            Some(cursor),
            started,
            &options(10, 30, Some("2026-11-02T10:30:00Z"))
        ),
        at("2026-11-02T09:50:00Z")
    );
}

#[test]
fn a_complete_run_moves_the_cursor_to_its_start_and_a_cut_run_to_what_it_covered() {
    let started = at("2026-11-02T11:00:00Z");
    let covered = Some(at("2026-11-02T10:41:00Z"));
    // Even an empty window (nothing covered) moves the cursor on a complete run.
    for outcome in [RunOutcome::Success, RunOutcome::Partial] {
        assert_eq!(cursor_target(outcome, started, None), Some(started));
        assert_eq!(cursor_target(outcome, started, covered), Some(started));
    }
    for outcome in [
        RunOutcome::Failed,
        RunOutcome::Interrupted,
        RunOutcome::Abandoned,
    ] {
        assert_eq!(cursor_target(outcome, started, covered), covered);
        assert_eq!(cursor_target(outcome, started, None), None);
    }
}

#[test]
fn tracked_hashes_are_keyed_as_the_sheet_keys_rows_and_unconfirmed_rows_have_none() {
    let o = order(5501, 1001);
    let rows = order_rows(&o, TZ);
    let written = rows.rows[0].hash;
    let tracked = OrderHashes {
        content_hash: Some("h".to_owned()),
        line_items: HashMap::from([
            (
                "55011".to_owned(),
                LineItemHashes {
                    row_hash: Some(written.to_hex()),
                    sheet_row: Some(2),
                },
            ),
            // Reset, or never confirmed: the next sync rewrites it.
            ("55012".to_owned(), LineItemHashes::default()),
            (
                "55013".to_owned(),
                LineItemHashes {
                    row_hash: Some("not hex".to_owned()),
                    sheet_row: None,
                },
            ),
        ]),
    };
    let hashes = row_hashes(&rows, Some(&tracked));
    assert_eq!(hashes, HashMap::from([(key(5501, 55011), written)]));
    assert!(row_hashes(&rows, None).is_empty());
}

#[test]
fn the_order_hash_covers_every_row_hash_in_order() {
    let a = ContentHash::of_cells(&[crate::sync::plan::cell::Cell::text("a")]);
    let b = ContentHash::of_cells(&[crate::sync::plan::cell::Cell::text("b")]);
    let ab = order_hash(&[a, b]);
    assert_eq!(ab.len(), 64);
    assert_eq!(ab, order_hash(&[a, b]));
    assert_ne!(ab, order_hash(&[b, a]));
    assert_ne!(ab, order_hash(&[a]));
}

#[test]
fn errors_are_recorded_by_the_service_that_failed() {
    let unconfirmed = SyncError::Unconfirmed {
        attempts: 4,
        last: "503".to_owned(),
    };
    assert_eq!(error_kind(&unconfirmed), "sheets");
    let io = SyncError::DryRunOutput {
        path: PathBuf::from("test_output"),
        source: std::io::Error::other("disk full"),
    };
    assert_eq!(error_kind(&io), "io");
}

#[test]
fn a_warning_is_said_once() {
    let mut warnings = Warnings::default();
    warnings.add("order #1001: truncated".to_owned());
    warnings.add("order #1002: truncated".to_owned());
    warnings.add("order #1001: truncated".to_owned());
    assert_eq!(
        warnings.0,
        ["order #1001: truncated", "order #1002: truncated"]
    );
}
