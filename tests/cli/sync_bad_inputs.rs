//! Promise 8 end to end: a revoked Shopify token, a spreadsheet title nobody shared, a DB bound
//! to another spreadsheet and a corrupt DB each end in one clear sentence, their documented exit
//! code, and a DB whose tracking is untouched.

use serde_json::json;

use crate::world::World;

/// Tables a failed run may add a row to: its own run record, and the run's error for `errors`.
const RUN_RECORD: [&str; 3] = ["sync_history", "sqlite_sequence", "sync_errors"];

/// A backfilled world with one order changed since, so the next run has to reach the sheet.
fn synced_with_a_change(seed: u64) -> World {
    let world = World::fast(seed, 12);
    world.sync_ok(&[]);
    assert!(world.shopify.cancel(world.order_ids()[3]));
    world
}

#[test]
fn a_revoked_shopify_token_is_exit_3_and_the_db_is_intact() {
    let world = synced_with_a_change(61);
    let before = world.dump_db(&RUN_RECORD);
    let sheet = world.rows();
    world.shopify.revoke_tokens();
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    // One sentence on stderr; the failed request's details go to the log file.
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error:"), "{stderr}");
    assert!(stderr.contains("shopify_access_token"), "{stderr}");
    world.assert_db_unchanged(&before, &RUN_RECORD);
    assert_eq!(world.rows(), sheet);
}

#[test]
fn a_spreadsheet_title_not_shared_is_exit_3_naming_the_service_account() {
    let mut world = synced_with_a_change(62);
    let before = world.dump_db(&RUN_RECORD);
    world.set_config("target_spreadsheet", json!("Shop Orders 2027"));
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(world.google.client_email()),
        "no sharing hint: {stderr}"
    );
    world.assert_db_unchanged(&before, &RUN_RECORD);
}

#[test]
fn a_db_bound_to_another_spreadsheet_is_exit_2_and_nothing_is_written_there() {
    let mut world = synced_with_a_change(63);
    let before = world.dump_db(&RUN_RECORD);
    let other = world.google.create_spreadsheet("Other Orders", &["Sheet1"]);
    world.set_config("target_spreadsheet", json!(other.clone()));
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("SHOPSYNC_DB"), "no way out named: {stderr}");
    world.assert_db_unchanged(&before, &RUN_RECORD);
    assert_eq!(world.google.tab_titles(&other), ["Sheet1"]);
}

#[test]
fn a_corrupt_db_is_exit_4_and_the_file_is_untouched() {
    let world = World::fast(64, 5);
    let garbage = b"SQLite format 3\0 but then the disk ate the rest \xff\xfe".repeat(40);
    std::fs::write(world.db(), &garbage).expect("write");
    // Owner-only, as shopsync creates it: a wider mode adds a warning line (issue 11, finding 10).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(world.db(), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(std::fs::read(world.db()).expect("read"), garbage);
    assert!(
        world.google.counts().is_empty(),
        "{:?}",
        world.google.counts()
    );
    assert_eq!(world.shopify.stats().requests, 0);
}
