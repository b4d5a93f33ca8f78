//! Tests of the sync lock: contention, release, stale text, and a holder killed with kill -9.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::*;

#[test]
fn lock_file_sits_next_to_the_database() {
    assert_eq!(
        lock_path(Path::new("/tmp/x/shopify_sync.db")),
        Path::new("/tmp/x/shopify_sync.db.lock")
    );
}

#[test]
fn a_second_acquire_is_refused_naming_the_holder_and_succeeds_after_release() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    assert_eq!(lock_holder(&db).unwrap(), LockState::Free);
    assert!(
        !lock_path(&db).exists(),
        "status must not create the lock file"
    );

    let first = SyncLock::acquire(&db, "sync", Duration::ZERO).unwrap();
    assert_eq!(first.holder().pid, std::process::id());
    match SyncLock::acquire(&db, "reset", Duration::from_millis(120)) {
        Err(LockError::Held {
            holder: Some(h), ..
        }) => {
            assert_eq!(h, *first.holder());
            let message = LockError::Held {
                path: lock_path(&db),
                holder: Some(h.clone()),
            }
            .to_string();
            assert!(message.contains(&format!("pid {}", h.pid)), "{message}");
            assert!(message.contains("shopsync sync"), "{message}");
            assert!(message.contains(&h.started_at.format("%Y-%m-%dT%H:%M:%S").to_string()));
        }
        other => panic!("expected Held, got {other:?}"),
    }
    assert_eq!(
        lock_holder(&db).unwrap(),
        LockState::Held {
            holder: Some(first.holder().clone())
        }
    );

    drop(first);
    assert_eq!(lock_holder(&db).unwrap(), LockState::Free);
    let second = SyncLock::acquire(&db, "reset", Duration::ZERO).unwrap();
    assert_eq!(second.holder().command, "reset");
    assert!(lock_path(&db).exists(), "the lock file is never unlinked");
}

#[test]
fn stale_text_in_a_free_lock_file_is_ignored_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let stale = r#"{"pid":1,"started_at":"2020-01-01T00:00:00Z","command":"sync","host":"gone","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    std::fs::write(lock_path(&db), stale).unwrap();
    assert_eq!(lock_holder(&db).unwrap(), LockState::Free);
    let lock = SyncLock::acquire(&db, "sync", Duration::ZERO).unwrap();
    let text = std::fs::read_to_string(lock_path(&db)).unwrap();
    let written: Holder = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(
        written,
        *lock.holder(),
        "stale text must be fully replaced: {text}"
    );
}

#[cfg(unix)]
#[test]
fn lock_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let _lock = SyncLock::acquire(&db, "sync", Duration::ZERO).unwrap();
    let mode = std::fs::metadata(lock_path(&db))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// Set in the child process this test spawns: the child takes the lock and waits to be killed.
const CHILD_ENV: &str = "SHOPSYNC_TEST_LOCK_CHILD_DB";

#[test]
fn a_holder_killed_with_sigkill_leaves_nothing_that_blocks() {
    if let Some(db) = std::env::var_os(CHILD_ENV) {
        // Child role: hold the lock until killed (bounded, in case the parent dies first).
        let _lock = SyncLock::acquire(Path::new(&db), "sync", Duration::ZERO).unwrap();
        std::thread::sleep(Duration::from_secs(120));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::lock::tests::a_holder_killed_with_sigkill_leaves_nothing_that_blocks",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &db)
        .spawn()
        .unwrap();
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        if let LockState::Held { holder: Some(h) } = lock_holder(&db).unwrap()
            && h.pid == child.id()
        {
            break;
        }
        assert!(Instant::now() < give_up, "the child never took the lock");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child exited before taking the lock: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    match SyncLock::acquire(&db, "sync", Duration::ZERO) {
        Err(LockError::Held {
            holder: Some(h), ..
        }) => assert_eq!(h.pid, child.id()),
        other => panic!("expected the child to hold the lock, got {other:?}"),
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor runs in the child.
    child.wait().unwrap();
    let text = std::fs::read_to_string(lock_path(&db)).unwrap();
    assert!(
        text.contains(&format!("\"pid\":{}", child.id())),
        "stale text stays: {text}"
    );
    assert_eq!(lock_holder(&db).unwrap(), LockState::Free);
    let lock = SyncLock::acquire(&db, "sync", Duration::ZERO).unwrap();
    assert_eq!(lock.holder().pid, std::process::id());
}

#[cfg(unix)]
#[test]
fn every_spelling_of_one_database_takes_the_same_lock() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    std::fs::write(&db, "").unwrap();
    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let folder_link = dir.path().join("folder");
    std::os::unix::fs::symlink(dir.path(), &folder_link).unwrap();
    let held = SyncLock::acquire(&db, "sync", Duration::ZERO).unwrap();
    for other in [
        link.clone(),
        folder_link.join("shop.db"),
        dir.path().join("./shop.db"),
    ] {
        assert_eq!(lock_path(&other), lock_path(&db), "{}", other.display());
        assert!(
            matches!(
                SyncLock::acquire(&other, "reset", Duration::ZERO),
                Err(LockError::Held { .. })
            ),
            "{} took a second lock",
            other.display()
        );
    }
    drop(held);
}

#[cfg(unix)]
#[test]
fn a_hard_linked_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    std::fs::write(&db, "").unwrap();
    std::fs::hard_link(&db, dir.path().join("other.db")).unwrap();
    let err = SyncLock::acquire(&db, "sync", Duration::ZERO).unwrap_err();
    assert!(matches!(err, LockError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("2 hard links"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_lock_file_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    std::os::unix::fs::symlink(&precious, dir.path().join("shop.db.lock")).unwrap();
    let err = SyncLock::acquire(&db, "reset", Duration::ZERO).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
}
