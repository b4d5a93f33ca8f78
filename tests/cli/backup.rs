//! `backup`: a copy taken while a sync holds the lock opens, passes `integrity_check` and has the
//! committed rows; owner-only; never over an existing file (or the database) without `--force`;
//! nothing to copy, corrupt and foreign databases refused with their exit codes.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use shopsync::sandbox::google::Fault;
use shopsync::store::RunOutcome;

use crate::fixture::{DB, populate};
use crate::local_commands::run;
use crate::support::{Sandbox, mode};
use crate::world::{HELD, VALUES_WRITE, World, wait_for};

/// `PRAGMA integrity_check` of the file, and its (orders, line items, runs, unfinished runs).
fn check(path: &Path) -> (String, [i64; 4]) {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    let counts = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM order_tracking), \
             (SELECT COUNT(*) FROM line_item_tracking), (SELECT COUNT(*) FROM sync_history), \
             (SELECT COUNT(*) FROM sync_history WHERE finished_at IS NULL)",
            [],
            |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
        )
        .expect("counts");
    (integrity, counts)
}

/// Whether another process holds the sync lock on `<db>.lock`.
fn lock_is_held(db: &Path) -> bool {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let file = std::fs::File::open(name).expect("the lock file");
    matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}

#[test]
fn a_backup_taken_while_a_sync_holds_the_lock_has_every_committed_row() {
    let world = World::fast(41, 300);
    // Long notes make the backfill several write requests, so some are committed when one stalls.
    let note: std::sync::Arc<str> = std::sync::Arc::from("A very long note. ".repeat(3_500));
    for id in world.order_ids().into_iter().step_by(10) {
        world.shopify.with_store(|store, now| {
            store.update(id, now.timestamp(), |order| order.note = Some(note.clone()));
        });
    }
    // The header was the first values write; the third chunk of rows stalls.
    world.google.inject(VALUES_WRITE, 3, Fault::Stall(HELD));
    let mut sync = world.spawn(&["sync"]);
    // Held until the backup is taken, so a slow machine cannot let the sync finish meanwhile.
    wait_for("the stalled write", || world.google.stalls().stalled() >= 1);
    assert!(lock_is_held(&world.db()), "the sync does not hold the lock");

    let (_, before) = check(&world.db());
    let out = world
        .cmd(&["backup", "during.db"])
        .output()
        .expect("backup");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout.contains("integrity check ok"), "{stdout}");
    assert!(lock_is_held(&world.db()), "the sync lost the lock");
    let (_, after) = check(&world.db());

    let copy = world.dir.file("during.db");
    assert_eq!(mode(&copy), 0o600);
    let (integrity, counts) = check(&copy);
    assert_eq!(integrity, "ok");
    assert!(counts[0] > 0, "no committed order in the copy: {counts:?}");
    for i in 0..3 {
        assert!(
            before[i] <= counts[i] && counts[i] <= after[i],
            "the copy {counts:?} is not between {before:?} and {after:?}"
        );
    }
    // The run in progress is in the copy, as committed: started, not finished.
    assert_eq!(counts[3], 1, "{counts:?}");
    assert!(
        stdout.contains(&format!(
            "{} order(s), {} line item(s)",
            counts[0], counts[1]
        )),
        "{stdout}"
    );
    // The copy is one file, and shopsync reads it as its own.
    assert!(!world.dir.file("during.db-wal").exists());
    let status = world
        .cmd(&["status", "--json"])
        .env("SHOPSYNC_DB", "during.db")
        .output()
        .expect("status");
    assert!(
        status.status.code() == Some(0) || status.status.code() == Some(1),
        "{status:?}"
    );

    // The sync was not disturbed.
    world.google.stalls().release();
    assert!(sync.wait().expect("reap").success(), "the sync failed");
    world.assert_exactly_once();
}

#[test]
fn the_default_backup_sits_beside_the_database_and_says_what_it_holds() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.file("data")).unwrap();
    let db = sandbox.file("data/shop.db");
    std::fs::rename(populate(&sandbox, RunOutcome::Success), &db).unwrap();
    let out = sandbox
        .cmd(&["backup"])
        .env("SHOPSYNC_DB", "data/shop.db")
        .output()
        .expect("backup");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let names: Vec<String> = std::fs::read_dir(sandbox.file("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("shop-backup-"))
        .collect();
    let [name] = names.as_slice() else {
        panic!("one backup expected: {names:?}")
    };
    assert_eq!(
        name.len(),
        "shop-backup-20260412T103000Z.db".len(),
        "{name}"
    );
    assert!(stdout.contains(&format!("data/{name}")), "{stdout}");
    assert!(
        stdout.contains("5 order(s), 7 line item(s), 3 run(s)"),
        "{stdout}"
    );
    let (integrity, counts) = check(&sandbox.file(&format!("data/{name}")));
    assert_eq!((integrity.as_str(), counts[0]), ("ok", 5));

    // -q: the copy is made, nothing is printed.
    let out = sandbox
        .cmd(&["-q", "backup", "quiet.db"])
        .env("SHOPSYNC_DB", "data/shop.db")
        .output()
        .expect("backup");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    assert!(sandbox.file("quiet.db").exists());
}

#[test]
fn an_existing_file_is_kept_without_force_and_the_database_never_overwritten() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    sandbox.write("copy.db", "precious");
    let (code, stdout, stderr) = run(&sandbox, &["backup", "copy.db"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("copy.db already exists; pass --force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.file("copy.db")).unwrap(),
        "precious"
    );

    let (code, _, stderr) = run(&sandbox, &["backup", "copy.db", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(mode(&sandbox.file("copy.db")), 0o600);
    assert_eq!(check(&sandbox.file("copy.db")).0, "ok");

    let db = std::fs::read(sandbox.file(DB)).unwrap();
    for target in [
        DB.to_owned(),
        format!("./{DB}"),
        format!("{DB}-wal"),
        format!("{DB}.lock"),
    ] {
        let (code, _, stderr) = run(&sandbox, &["backup", &target, "--force"]);
        assert_eq!(code, 2, "{target}: {stderr}");
        assert!(
            stderr.contains("is the tracking database or one of its files"),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read(sandbox.file(DB)).unwrap(), db);
    // No temporary file is left behind by any refusal.
    let leftovers: Vec<String> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_copy_that_cannot_be_written_is_exit_4_and_leaves_nothing() {
    let sandbox = Sandbox::new();
    populate(&sandbox, RunOutcome::Success);
    // A file size limit of 40 KiB (room for the source's 32 KiB `-shm`) makes the writes of the
    // 72 KiB copy fail, as a full disk would.
    let out = std::process::Command::new("bash")
        .args(["-c", r#"ulimit -f 40; trap "" XFSZ; exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_shopsync"))
        .args(["backup", "copy.db"])
        .env_clear()
        .env("SHOPSYNC_DB", DB)
        .current_dir(sandbox.path())
        .output()
        .expect("run shopsync");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot write the backup copy.db: "),
        "{stderr}"
    );
    let names: Vec<String> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(DB))
        .collect();
    assert!(names.is_empty(), "left behind: {names:?}");
}

#[test]
fn nothing_to_copy_a_corrupt_and_a_foreign_database_are_exit_4() {
    let sandbox = Sandbox::new();
    let (code, _, stderr) = run(&sandbox, &["backup", "copy.db"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("no sync has run yet"), "{stderr}");
    assert!(!sandbox.file(DB).exists(), "backup created the database");

    // A shopsync database whose pages are damaged past its header.
    let path = populate(&sandbox, RunOutcome::Success);
    let mut bytes = std::fs::read(&path).unwrap();
    // The page size is bytes 16-17 of the header, big-endian, 1 standing for 65,536.
    let page = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536,
        size => usize::from(size),
    };
    assert!(bytes.len() > 2 * page, "the fixture is too small to damage");
    for b in &mut bytes[page..2 * page] {
        *b = 0x55;
    }
    std::fs::write(&path, &bytes).unwrap();
    let (code, _, stderr) = run(&sandbox, &["backup", "copy.db"]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("the copy of {}", path.display())),
        "{stderr}"
    );
    assert!(
        !stderr.contains(".copy.db."),
        "the temporary file is nobody's business: {stderr}"
    );
    assert!(!sandbox.file("copy.db").exists(), "a damaged copy was kept");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the source changed");

    // Damage only SQLite's full check sees: an index whose entries do not match its definition.
    // Every query works, and the backup API copies pages as they are.
    std::fs::remove_file(&path).unwrap();
    let path = populate(&sandbox, RunOutcome::Success);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_master SET sql = 'CREATE INDEX order_tracking_number ON order_tracking (created_at)'
         WHERE name = 'order_tracking_number';",
    )
    .unwrap();
    drop(conn);
    let bytes = std::fs::read(&path).unwrap();
    let (code, _, stderr) = run(&sandbox, &["status"]);
    assert_eq!(code, 0, "the damage is not visible to queries: {stderr}");
    let (code, stdout, stderr) = run(&sandbox, &["backup", "copy.db"]);
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(
        stderr.contains("failed SQLite's integrity check"),
        "{stderr}"
    );
    assert!(!sandbox.file("copy.db").exists(), "a damaged copy was kept");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the source changed");

    // Another application's database.
    std::fs::remove_file(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE moz_places (id INTEGER);")
        .unwrap();
    drop(conn);
    let (code, _, stderr) = run(&sandbox, &["backup", "copy.db"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("another application's SQLite database"),
        "{stderr}"
    );
    assert!(!sandbox.file("copy.db").exists());
}
