//! What the schedules found, each pinned by a small test of its own.

use crate::runs;
use crate::world::World;

/// A disk that fills while a sync records its run (here a file-size limit, which SQLite reports
/// as a disk I/O error rather than `SQLITE_FULL`) ends in one clear sentence with exit 4, not in
/// SQLite's "Error code 778" twice over; the next run on a roomy disk completes.
#[test]
fn a_disk_that_fills_mid_sync_ends_in_one_clear_sentence() {
    let world = World::fast(61, 30);
    world.sync_ok(&[]);
    for id in world.order_ids().into_iter().step_by(3) {
        assert!(world.shopify.cancel(id));
    }
    world.shopify.add_orders(5);
    let out = runs::run_on_full_disk(&world, &["sync"], 8);
    out.expect("sync on a full disk", &[4]);
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].contains("shopify_sync.db")
            && errors[0].contains("disk I/O error")
            && errors[0].contains("free space")
            && !errors[0].contains("Error code"),
        "{}",
        out.stderr
    );
    world.sync_ok(&[]);
    world.assert_exactly_once();
}

/// The soak's own command (README) names the release binary by a relative path; each run starts
/// in its world's directory, where that path names nothing (the first 10,000-step soak ended at
/// its first run with "No such file or directory"). The path is taken from where the test started.
#[test]
fn a_relative_chaos_binary_is_found_from_the_checkout() {
    let path = runs::binary_from(Some("target/release/shopsync".into()));
    assert!(path.is_absolute(), "{}", path.display());
    assert_eq!(
        path,
        std::env::current_dir()
            .unwrap()
            .join("target/release/shopsync")
    );
    let default = runs::binary_from(None);
    assert!(
        default.is_absolute() && default.exists(),
        "{}",
        default.display()
    );
}
