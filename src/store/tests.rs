//! Tests of opening, refusing and migrating database files, and of the run, state and error
//! round trips. Tracking and report queries are tested in `tests_tracking.rs`.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::*;
use crate::clock::ManualClock;
use crate::sync::fixtures::at;

fn file_digest(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn dir_listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn schema_dump(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap()
}

/// Builds a file with another program's idea of a database, in rollback-journal mode so every byte
/// is in the file itself.
fn raw_db(path: &Path, sql: &str) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

/// The value of `PRAGMA name` on the store's connection.
fn pragma(store: &Store, name: &str) -> i64 {
    store
        .conn
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn open_creates_an_owner_only_file_marked_as_shopsync() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopify_sync.db");
    let store = Store::open(&db).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the DB must be created owner-only");
    }
    let app_id: i64 = store
        .conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, APPLICATION_ID);
    let health = store.health().unwrap();
    assert!(health.ok, "{health:?}");
    assert_eq!(health.schema_version, SCHEMA_VERSION);
    assert_eq!(health.journal_mode, "wal");
    // NORMAL (1), not the default FULL (2): WAL commits are not synced one by one.
    assert_eq!(pragma(&store, "synchronous"), 1);
    // MEMORY (2): statement journals never go to temporary files.
    assert_eq!(pragma(&store, "temp_store"), 2);
    assert_eq!(pragma(&store, "page_size"), 65_536);
    assert_eq!(pragma(&store, "wal_autocheckpoint"), 256, "16 MiB of WAL");
}

#[test]
fn a_database_made_before_keeps_its_pages_and_checkpoints_by_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopify_sync.db");
    {
        let mut conn = Connection::open(&db).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;")
            .unwrap();
        migrations::migrate(&mut conn, &db).unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(pragma(&store, "page_size"), 4096);
    assert_eq!(pragma(&store, "wal_autocheckpoint"), 4096);
    assert!(store.health().unwrap().ok);
}

#[test]
fn migrations_run_twice_are_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let mut store = Store::open(&db).unwrap();
    store.advance_cursor(at("2026-01-01T00:00:00Z")).unwrap();
    let before = schema_dump(&store.conn);
    migrations::migrate(&mut store.conn, &db).unwrap();
    assert_eq!(schema_dump(&store.conn), before);
    drop(store);
    let store = Store::open(&db).unwrap();
    assert_eq!(schema_dump(&store.conn), before);
    assert_eq!(store.cursor().unwrap(), Some(at("2026-01-01T00:00:00Z")));
    let version: i64 = store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn refused_files_are_left_byte_for_byte_untouched() {
    type Make = Box<dyn Fn(&Path)>;
    type Check = fn(&StoreError) -> bool;
    let cases: Vec<(&str, Make, Check)> = vec![
        (
            "garbage",
            Box::new(|p| std::fs::write(p, b"order,total\n1001,10.00\n".repeat(20)).unwrap()),
            |e| matches!(e, StoreError::NotSqlite { .. }),
        ),
        (
            "short garbage",
            Box::new(|p| std::fs::write(p, b"hello").unwrap()),
            |e| matches!(e, StoreError::NotSqlite { .. }),
        ),
        (
            "sqlite magic, garbage after",
            Box::new(|p| {
                let mut bytes = b"SQLite format 3\0".to_vec();
                bytes.extend(std::iter::repeat_n(0xAB_u8, 4096));
                std::fs::write(p, bytes).unwrap();
            }),
            |e| matches!(e, StoreError::NotSqlite { .. } | StoreError::Corrupt { .. }),
        ),
        (
            "prior python tool",
            Box::new(|p| {
                raw_db(
                    p,
                    "CREATE TABLE order_tracking (order_id TEXT PRIMARY KEY, order_number TEXT, \
                     order_hash TEXT, last_synced TIMESTAMP);
                     CREATE TABLE sync_history (id INTEGER PRIMARY KEY, sync_time TIMESTAMP);
                     CREATE TABLE sync_errors (id INTEGER PRIMARY KEY, order_id TEXT, error TEXT);
                     INSERT INTO order_tracking VALUES ('1', '#1001', 'abc', '2024-01-01');",
                );
            }),
            |e| matches!(e, StoreError::PriorTool { .. }),
        ),
        (
            "another app (tables)",
            Box::new(|p| {
                raw_db(
                    p,
                    "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);",
                );
            }),
            |e| matches!(e, StoreError::Foreign { detail, .. } if detail.contains("moz_places")),
        ),
        (
            "another app (application id)",
            Box::new(|p| raw_db(p, "PRAGMA application_id = 1234; CREATE TABLE t (x);")),
            |e| matches!(e, StoreError::Foreign { .. }),
        ),
        (
            "newer shopsync",
            Box::new(|p| {
                drop(Store::open(p).unwrap());
                let conn = Connection::open(p).unwrap();
                conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                    .unwrap();
                conn.pragma_update(None, "journal_mode", "delete").unwrap();
            }),
            |e| matches!(e, StoreError::Newer { found, .. } if *found == SCHEMA_VERSION + 1),
        ),
    ];
    for (name, make, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shopify_sync.db");
        make(&db);
        let digest = file_digest(&db);
        let listing = dir_listing(dir.path());
        for read_only in [false, true] {
            let result = if read_only {
                Store::open_read_only(&db)
            } else {
                Store::open(&db)
            };
            let err = result.expect_err(name);
            assert!(
                expected(&err),
                "{name} (read_only {read_only}): got {err:?}"
            );
            let message = err.to_string();
            assert!(
                message.contains("SHOPSYNC_DB") && message.contains("database_path"),
                "{name}: {message}"
            );
            assert!(!message.contains('\n'), "{name}: one line: {message}");
            assert_eq!(file_digest(&db), digest, "{name}: the file was modified");
            assert_eq!(dir_listing(dir.path()), listing, "{name}: files appeared");
        }
    }
}

#[test]
fn read_only_open_never_creates_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopify_sync.db");
    let err = Store::open_read_only(&db).unwrap_err();
    assert!(matches!(err, StoreError::Missing { .. }), "{err:?}");
    assert!(err.is_not_created_yet());
    assert!(err.to_string().contains(&db.display().to_string()));
    assert!(!db.exists(), "a read-only open must never create the file");

    std::fs::write(&db, b"").unwrap();
    let err = Store::open_read_only(&db).unwrap_err();
    assert!(matches!(err, StoreError::Uninitialized { .. }), "{err:?}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0);

    // An empty file (a sync that died right after creating it) is initialised by the next sync.
    let mut writer = Store::open(&db).unwrap();
    writer.advance_cursor(at("2026-02-01T00:00:00Z")).unwrap();
    let mut reader = Store::open_read_only(&db).unwrap();
    assert_eq!(reader.cursor().unwrap(), Some(at("2026-02-01T00:00:00Z")));
    let err = reader.start_run(RunMode::Real, None).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
}

#[test]
fn older_schema_is_upgraded_by_open_but_refused_by_read_only_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    // Shopsync's id at a lower version: an older shopsync's file, which only `open` may upgrade.
    raw_db(&db, &format!("PRAGMA application_id = {APPLICATION_ID};"));
    let err = Store::open_read_only(&db).unwrap_err();
    assert!(
        matches!(err, StoreError::NeedsUpgrade { found: 0, .. }),
        "{err:?}"
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.health().unwrap().schema_version, SCHEMA_VERSION);
}

#[test]
fn cursor_never_moves_back() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.cursor().unwrap(), None);
    let t1 = at("2026-03-01T12:00:00Z");
    let t0 = at("2026-02-28T12:00:00Z");
    let t2 = at("2026-03-01T12:00:00.5Z");
    assert_eq!(store.advance_cursor(t1).unwrap(), t1);
    assert_eq!(store.advance_cursor(t0).unwrap(), t1);
    assert_eq!(store.cursor().unwrap(), Some(t1));
    assert_eq!(store.advance_cursor(t2).unwrap(), t2);
    assert_eq!(store.cursor().unwrap(), Some(t2));
}

#[test]
fn runs_round_trip_and_the_last_real_run_is_found() {
    let clock = ManualClock::new(at("2026-05-01T10:00:00Z"));
    let mut store = Store::open_in_memory()
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    let real = store.start_run(RunMode::Real, None).unwrap();
    clock.advance(std::time::Duration::from_secs(90));
    let counts = RunCounts {
        fetched: 3,
        new: 2,
        updated: 1,
        rows_appended: 5,
        rows_updated: 1,
        ..RunCounts::default()
    };
    let after = at("2026-05-01T10:00:00Z");
    store
        .finish_run(real, RunOutcome::Success, &counts, Some(after), Some("ok"))
        .unwrap();
    let dry = store.start_run(RunMode::Test, Some(after)).unwrap();

    let runs = store.recent_runs(10).unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![dry, real]
    );
    assert_eq!(runs[0].outcome, None);
    assert_eq!(runs[0].cursor_before, Some(after));
    let last = store.last_real_run().unwrap().unwrap();
    assert_eq!(last.id, real);
    assert_eq!(last.counts, counts);
    assert_eq!(last.started_at, at("2026-05-01T10:00:00Z"));
    assert_eq!(last.finished_at, Some(at("2026-05-01T10:01:30Z")));
    assert_eq!(last.outcome, Some(RunOutcome::Success));
    assert_eq!(last.message.as_deref(), Some("ok"));
    assert_eq!(store.recent_runs(1).unwrap().len(), 1);

    // A real run that died without finishing is closed by the next sync; dry runs are left alone.
    let died = store.start_run(RunMode::Real, None).unwrap();
    assert_eq!(store.close_abandoned_runs().unwrap(), 1);
    let runs = store.recent_runs(10).unwrap();
    let died = runs.iter().find(|r| r.id == died).unwrap();
    assert_eq!(died.outcome, Some(RunOutcome::Abandoned));
    assert_eq!(died.finished_at, None);
    assert_eq!(runs.iter().find(|r| r.id == dry).unwrap().outcome, None);
    // The last good sync is the successful real run, not the abandoned one after it.
    let good = store.last_successful_run().unwrap().expect("a good sync");
    assert_eq!(good.id, real);
    assert_eq!(good.id.to_string(), real.0.to_string());
    assert_eq!(RunId(42).to_string(), "42");
}

#[test]
fn binding_is_recorded_once_and_mismatches_are_refused() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.binding().unwrap(), None);
    let binding = Binding {
        shop_domain: "acme.myshopify.com".into(),
        spreadsheet_id: "1AbC".into(),
        sheet_id: 0,
        sheet_title: "Orders".into(),
    };
    assert_eq!(store.bind(&binding).unwrap(), BindOutcome::NewlyBound);
    let same_shop_other_case = Binding {
        shop_domain: "ACME.myshopify.com".into(),
        ..binding.clone()
    };
    assert_eq!(
        store.bind(&same_shop_other_case).unwrap(),
        BindOutcome::AlreadyBound
    );
    let other_sheet = Binding {
        spreadsheet_id: "9Zz".into(),
        ..binding.clone()
    };
    let err = store.bind(&other_sheet).unwrap_err();
    assert!(
        matches!(&err, StoreError::BindingMismatch { field: "spreadsheet", stored, given, .. }
            if stored == "1AbC" && given == "9Zz"),
        "{err:?}"
    );
    assert!(err.to_string().contains("SHOPSYNC_DB"));
    let renamed = Binding {
        sheet_title: "Orders 2".into(),
        ..binding.clone()
    };
    assert!(matches!(
        store.bind(&renamed),
        Err(StoreError::BindingMismatch { field: "tab", .. })
    ));
    assert_eq!(store.binding().unwrap(), Some(binding));
}

#[test]
fn shop_details_are_kept_and_the_time_zone_parsed() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.shop_timezone().unwrap(), None);
    let shop = crate::order::Shop {
        name: "Acme".into(),
        myshopify_domain: "acme.myshopify.com".into(),
        iana_timezone: "America/New_York".into(),
        currency_code: "USD".into(),
        order_number_prefix: "#".into(),
        order_number_suffix: String::new(),
    };
    store.record_shop(&shop).unwrap();
    assert_eq!(
        store.shop_timezone().unwrap(),
        Some(chrono_tz::America::New_York)
    );
    let info = store.shop_info().unwrap();
    assert_eq!(info.currency.as_deref(), Some("USD"));
    assert_eq!(info.order_number_prefix.as_deref(), Some("#"));
}

#[test]
fn errors_are_upserted_per_order_and_queue_a_refetch() {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap());
    let mut store = Store::open_in_memory()
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    let run = store.start_run(RunMode::Real, None).unwrap();
    let error = NewError {
        run: Some(run),
        order_gid: Some("gid://shopify/Order/1"),
        order_name: Some("#1001"),
        stage: "rows",
        kind: "invalid_data",
        message: "line item without a price",
    };
    let first = store.record_error(&error).unwrap();
    clock.advance(std::time::Duration::from_secs(3600));
    let again = store
        .record_error(&NewError {
            message: "still no price",
            ..error
        })
        .unwrap();
    assert_eq!(first, again, "one open row per order");
    let run_level = store
        .record_error(&NewError {
            order_gid: None,
            order_name: None,
            stage: "fetch",
            kind: "http_503",
            message: "Shopify unavailable",
            ..error
        })
        .unwrap();
    assert_ne!(run_level, first);

    let open = store.unresolved_errors().unwrap();
    assert_eq!(open.len(), 2);
    let order_error = open.iter().find(|e| e.id == first).unwrap();
    assert_eq!(order_error.attempts, 2);
    assert_eq!(order_error.message, "still no price");
    assert_eq!(order_error.first_seen_at, at("2026-06-01T00:00:00Z"));
    assert_eq!(order_error.last_seen_at, at("2026-06-01T01:00:00Z"));
    assert_eq!(
        store.pending_refetch().unwrap(),
        vec!["gid://shopify/Order/1"]
    );

    assert_eq!(
        store
            .resolve_errors_for(&["gid://shopify/Order/1"])
            .unwrap(),
        1
    );
    assert_eq!(store.unresolved_errors().unwrap().len(), 1);
    assert_eq!(store.all_errors().unwrap().len(), 2);
    assert_eq!(store.clear_refetch(&["gid://shopify/Order/1"]).unwrap(), 1);
    assert!(store.pending_refetch().unwrap().is_empty());

    // A new failure after resolution opens a new row.
    let later = store.record_error(&error).unwrap();
    assert_ne!(later, first);
}

#[test]
fn opening_an_up_to_date_database_does_not_wait_for_a_running_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    drop(Store::open(&db).unwrap());
    let mut writer = Store::open(&db).unwrap();
    let tx = writer
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    tx.execute("UPDATE sync_state SET shop_name = 'busy' WHERE id = 1", [])
        .unwrap();
    // With the write lock held elsewhere, a second open must not need it (reset, status, a
    // second sync that will then meet the sync lock).
    let other = Store::open(&db).unwrap();
    assert_eq!(
        other.shop_info().unwrap().name,
        None,
        "uncommitted data is invisible"
    );
    tx.commit().unwrap();
    assert_eq!(other.shop_info().unwrap().name.as_deref(), Some("busy"));
}

#[test]
fn sqlite_and_io_failures_map_to_variants_the_cli_can_branch_on() {
    use rusqlite::ffi;
    let p = Path::new("x.db");
    let sqlite = |code| {
        StoreError::from_sqlite(
            p,
            rusqlite::Error::SqliteFailure(ffi::Error::new(code), None),
        )
    };
    assert!(matches!(
        sqlite(ffi::SQLITE_READONLY),
        StoreError::ReadOnly { .. }
    ));
    assert!(matches!(
        sqlite(ffi::SQLITE_FULL),
        StoreError::DiskFull { .. }
    ));
    assert!(matches!(sqlite(ffi::SQLITE_BUSY), StoreError::Busy { .. }));
    assert!(matches!(
        sqlite(ffi::SQLITE_LOCKED),
        StoreError::Busy { .. }
    ));
    assert!(matches!(
        sqlite(ffi::SQLITE_NOTADB),
        StoreError::NotSqlite { .. }
    ));
    assert!(matches!(
        sqlite(ffi::SQLITE_CORRUPT),
        StoreError::Corrupt { .. }
    ));
    // A write past a file-size limit (EFBIG) or a failing disk: IOERR and its extended codes.
    for code in [
        ffi::SQLITE_IOERR,
        ffi::SQLITE_IOERR_WRITE,
        ffi::SQLITE_IOERR_SHMSIZE,
    ] {
        assert!(
            matches!(sqlite(code), StoreError::DiskIo { .. }),
            "{code}: {:?}",
            sqlite(code)
        );
    }
    assert!(matches!(
        sqlite(ffi::SQLITE_MISUSE),
        StoreError::Sqlite { .. }
    ));
    let io = |kind| StoreError::from_io(p, std::io::Error::from(kind));
    assert!(matches!(
        io(std::io::ErrorKind::StorageFull),
        StoreError::DiskFull { .. }
    ));
    assert!(matches!(
        io(std::io::ErrorKind::PermissionDenied),
        StoreError::ReadOnly { .. }
    ));
    assert!(matches!(
        io(std::io::ErrorKind::NotFound),
        StoreError::Io { .. }
    ));
    for err in [
        sqlite(ffi::SQLITE_FULL),
        sqlite(ffi::SQLITE_READONLY),
        sqlite(ffi::SQLITE_BUSY),
        sqlite(ffi::SQLITE_IOERR_WRITE),
    ] {
        let message = err.to_string();
        assert!(
            message.contains("x.db") && !message.contains('\n'),
            "{message}"
        );
    }
}

#[test]
fn a_database_left_with_its_wal_by_a_dead_process_opens_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let mut store = Store::open(&db).unwrap();
    store.advance_cursor(at("2026-07-01T00:00:00Z")).unwrap();
    // Never closed, as after kill -9: the data lives in the -wal file, not yet in the main file.
    std::mem::forget(store);
    assert!(dir.path().join("shop.db-wal").exists());
    let reader = Store::open_read_only(&db).unwrap();
    assert_eq!(reader.cursor().unwrap(), Some(at("2026-07-01T00:00:00Z")));
    let writer = Store::open(&db).unwrap();
    assert_eq!(writer.cursor().unwrap(), Some(at("2026-07-01T00:00:00Z")));
}

#[test]
fn store_and_lock_can_move_into_async_tasks() {
    fn is_send<T: Send>(_: &T) -> bool {
        true
    }
    let store = Store::open_in_memory().unwrap();
    assert!(is_send(&store));
    let dir = tempfile::tempdir().unwrap();
    let lock =
        SyncLock::acquire(&dir.path().join("x.db"), "sync", std::time::Duration::ZERO).unwrap();
    assert!(is_send(&lock));
}
