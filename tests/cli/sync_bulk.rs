//! Backfills exported in bulk, end to end: the choice (`--bulk`, `--no-bulk`, the size of the
//! window), the same rows as paging, and every failure falling back to paging with the promises
//! kept: a FAILED export with partial data, a download cut half way, an empty result, and a run
//! killed with -9 while its export runs.

use std::time::Duration;

use shopsync::sandbox::shopify::{BulkErrorCode, BulkFault, DownloadFault};

use crate::world::{TAB, World, wait_for};

fn output(world: &World, args: &[&str]) -> String {
    let (code, stdout, stderr) = world.sync_code(args);
    assert_eq!(code, 0, "sync {args:?}\nstdout: {stdout}\nstderr: {stderr}");
    format!("{stdout}{stderr}")
}

#[test]
fn a_large_first_run_is_exported_in_bulk_and_the_hourly_run_pages() {
    let world = World::fast(21, 600);
    let out = output(&world, &[]);
    let bulk = world.shopify.stats().bulk;
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).unwrap();
    assert_eq!(bulk.started, 1, "{out}\n{log}");
    assert!(log.contains("backfill size"), "{log}");
    assert_eq!(bulk.downloads, 1);
    assert!(!out.contains("paged instead"), "{out}");
    world.assert_exactly_once();
    // The hourly delta keeps paging: one request, nothing to do.
    world.assert_sync_has_nothing_to_do();
    assert_eq!(world.shopify.stats().bulk.started, 1);
}

#[test]
fn no_bulk_pages_and_bulk_forces_an_export_of_a_small_window() {
    let world = World::fast(22, 600);
    output(&world, &["--no-bulk"]);
    assert_eq!(world.shopify.stats().bulk.runs, 0);
    world.assert_exactly_once();

    let small = World::fast(23, 8);
    let out = output(&small, &["--bulk"]);
    assert_eq!(small.shopify.stats().bulk.started, 1, "{out}");
    small.assert_exactly_once();
}

#[test]
fn a_failed_export_with_partial_data_falls_back_to_paging() {
    let world = World::fast(24, 40);
    world.shopify.inject_bulk(
        1,
        BulkFault::Fail {
            code: BulkErrorCode::InternalServerError,
            after_objects: 30,
        },
    );
    let out = output(&world, &["--bulk"]);
    assert!(out.contains("bulk export failed"), "{out}");
    assert!(out.contains("paged instead"), "{out}");
    assert_eq!(world.shopify.stats().bulk.downloads, 0);
    world.assert_exactly_once();
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).unwrap();
    assert!(log.contains("paging the window instead"), "{log}");
}

#[test]
fn a_download_cut_half_way_is_fetched_again_or_the_window_paged() {
    let world = World::fast(25, 40);
    world.shopify.inject_download(1, DownloadFault::CutHalfway);
    let out = output(&world, &["--bulk"]);
    assert!(!out.contains("paged instead"), "{out}");
    assert_eq!(world.shopify.stats().bulk.downloads, 2);
    world.assert_exactly_once();

    let twice = World::fast(26, 40);
    twice.shopify.inject_download(1, DownloadFault::CutHalfway);
    twice.shopify.inject_download(2, DownloadFault::CutHalfway);
    let out = output(&twice, &["--bulk"]);
    assert!(out.contains("paged instead"), "{out}");
    twice.assert_exactly_once();
}

#[test]
fn an_export_with_nothing_in_the_window_writes_nothing() {
    let world = World::fast(27, 0);
    let out = output(&world, &["--bulk"]);
    let bulk = world.shopify.stats().bulk;
    assert_eq!(bulk.started, 1, "{out}");
    assert_eq!(bulk.downloads, 0, "no file for an empty result");
    assert!(!out.contains("paged instead"), "{out}");
    assert!(out.contains("synced 0 orders"), "{out}");
}

#[test]
fn a_run_killed_while_its_export_runs_leaves_no_second_export_running() {
    let world = World::fast(28, 30);
    world.shopify.inject_bulk(
        1,
        BulkFault::Slow {
            polls: 10_000,
            run_time: Duration::from_secs(3600),
        },
    );
    let mut child = world.spawn(&["sync", "--bulk"]);
    wait_for("the export to start", || {
        world.shopify.stats().bulk.started >= 1
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(world.shopify.stats().bulk.started, 1);
    // Windows are named to the second: the next run's must end later than the killed one's.
    std::thread::sleep(Duration::from_millis(1100));

    // The next run's window ends later: the killed run's export is canceled, not left running
    // beside a second one.
    let out = output(&world, &["--bulk"]);
    let bulk = world.shopify.stats().bulk;
    assert_eq!(bulk.cancels, 1, "{out}");
    assert_eq!(bulk.started, 2);
    assert!(!out.contains("paged instead"), "{out}");
    world.assert_exactly_once();
}

#[test]
fn a_bulk_backfill_makes_room_once_for_every_row_it_staged() {
    // Enough rows for several full write requests: growing a little ahead of each batch would
    // take one growth (one write request of Google's 60 a minute) per doubling.
    let world = World::fast(28, 4_000);
    let out = output(&world, &["--bulk"]);
    assert!(!out.contains("paged instead"), "{out}");
    world.assert_exactly_once();
    assert!(
        world.google_requests("spreadsheets.values.batchUpdate") >= 4,
        "the rows fill several requests"
    );
    // The tab is created as tall as the export and with its bold header, in one request.
    assert_one_structure_request_and_no_blank_tail(&world, &out);
    let format = world.google.cell_format(&world.spreadsheet, TAB, 0, 0);
    assert_eq!(
        format.unwrap()["textFormat"]["bold"],
        serde_json::json!(true)
    );

    // A tab the person made, holding only the header: grown once, for the rows the export staged.
    let mut world = World::fast(29, 4_000);
    let id = world.google.create_spreadsheet("Own Orders", &[TAB]);
    world.set_config("target_spreadsheet", serde_json::json!(id.clone()));
    world.spreadsheet = id;
    let header: Vec<serde_json::Value> = shopsync::sync::plan::columns::Column::ALL
        .iter()
        .map(|c| serde_json::json!(c.name()))
        .collect();
    world
        .google
        .person_set_row(&world.spreadsheet, TAB, 1, &header);
    let out = output(&world, &["--bulk"]);
    world.assert_exactly_once();
    // One appendDimension.
    assert_one_structure_request_and_no_blank_tail(&world, &out);
}

#[test]
fn a_paged_backfill_makes_room_once_for_the_rows_its_window_holds() {
    // The same store paged: the window's order count and the rows per order of the first batch
    // size the tab it creates, instead of a growth per doubling.
    let world = World::fast(28, 4_000);
    let out = output(&world, &["--no-bulk"]);
    assert_eq!(world.shopify.stats().bulk.runs, 0);
    world.assert_exactly_once();
    assert!(
        world.google_requests("spreadsheets.values.batchUpdate") >= 4,
        "the rows fill several requests"
    );
    // An estimate: a few percent of blank rows at most.
    let tab = world.google.tab(&world.spreadsheet, TAB).expect("the tab");
    let rows = world.keys().len() + 1;
    let grid = tab.row_count as usize;
    assert!(
        grid >= rows && grid <= rows + rows / 10,
        "{grid} grid rows for {rows}"
    );
    assert_eq!(
        world.google_requests("spreadsheets.batchUpdate"),
        1,
        "the tab, its height and its header in one request, no growth after\n{out}\n{}",
        std::fs::read_to_string(world.dir.file("shopify_sync.log")).unwrap()
    );
}

/// The run changed the tab's structure in one `spreadsheets.batchUpdate`, and the tab is exactly
/// as tall as its header and rows.
fn assert_one_structure_request_and_no_blank_tail(world: &World, out: &str) {
    assert_eq!(
        world.google_requests("spreadsheets.batchUpdate"),
        1,
        "{out}"
    );
    let tab = world.google.tab(&world.spreadsheet, TAB).expect("the tab");
    assert_eq!(
        tab.row_count as usize,
        world.keys().len() + 1,
        "no blank tail"
    );
}
