//! The Sheets client against the Google emulator: finding the spreadsheet, the tab and its
//! header, and a person's columns and rows kept intact. Assertions read the emulator's grid
//! directly, never through the client.

mod sheets_support;

use serde_json::{Value, json};
use sheets_support::*;
use shopsync::sheets::{ErrorKind, SheetsError};
use shopsync::sync::SyncError;
use shopsync::sync::plan::columns::Column;
use shopsync::sync::plan::tab::TabError;

#[tokio::test]
async fn finds_the_spreadsheet_by_id_url_and_title() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet(r"Bob's \ Orders", &[]);
    let trashed = env.sandbox.create_spreadsheet(r"Bob's \ Orders", &[]);
    env.sandbox.set_trashed(&trashed, true);
    let hidden = env.sandbox.create_spreadsheet(r"Bob's \ Orders", &[]);
    env.sandbox.set_shared(&hidden, false);

    assert_eq!(env.client.resolve_spreadsheet(&id).await.unwrap(), id);
    let url = format!("https://docs.google.com/spreadsheets/d/{id}/edit?gid=0#gid=0");
    assert_eq!(env.client.resolve_spreadsheet(&url).await.unwrap(), id);
    assert_eq!(
        env.client
            .resolve_spreadsheet(r"Bob's \ Orders")
            .await
            .unwrap(),
        id
    );

    let err = env
        .client
        .resolve_spreadsheet("Nobody's Sheet")
        .await
        .unwrap_err();
    assert!(
        matches!(err, SheetsError::SpreadsheetNotFound { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains(env.sandbox.client_email()),
        "{err}"
    );
    assert!(err.to_string().contains("Editor"));
}

#[tokio::test]
async fn several_matches_are_listed_across_pages() {
    let env = env().await;
    for _ in 0..1001 {
        env.sandbox.create_spreadsheet("Orders", &[]);
    }
    let err = env.client.resolve_spreadsheet("Orders").await.unwrap_err();
    let SheetsError::AmbiguousTitle { matches, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(matches.len(), 1001);
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(env.sandbox.counts()["files.list"].requests, 2);
}

#[tokio::test]
async fn creates_the_tab_with_a_frozen_bold_header_and_reads_it() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Shop Orders", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    assert_eq!(book.time_zone, "America/New_York");
    let created = env
        .client
        .create_tab(&mut book, "Orders", HEADERS)
        .await
        .unwrap();
    let row1 = env.client.read_header(&id, "Orders").await.unwrap();
    assert_eq!(positions(&row1, HEADERS), vec![0, 1, 2, 3, 4]);
    let tab = env.sandbox.tab(&id, "Orders").unwrap();
    assert_eq!(tab.frozen_rows, 1);
    assert_eq!(tab.sheet_id, created.sheet_id);
    let header: Vec<Value> = HEADERS.iter().map(|h| json!(h)).collect();
    assert_eq!(env.sandbox.rows(&id, "Orders"), vec![header]);
    assert_eq!(
        env.sandbox.cell_format(&id, "Orders", 0, 4).unwrap()["textFormat"]["bold"],
        json!(true)
    );

    // Through the sync's tab policy: the first run creates the tab, a second changes nothing.
    let id = env.sandbox.create_spreadsheet("Policy Orders", &["Sheet1"]);
    let first = open_as_sync(&env, &id, None, false).await.unwrap();
    assert!(first.sheet_id().is_some());
    let before = env.sandbox.counts();
    let again = open_as_sync(&env, &id, first.sheet_id(), false)
        .await
        .unwrap();
    assert_eq!(again.sheet_id(), first.sheet_id());
    let after = env.sandbox.counts();
    assert_eq!(
        before.get("spreadsheets.values.batchUpdate"),
        after.get("spreadsheets.values.batchUpdate")
    );
    assert_eq!(
        before.get("spreadsheets.batchUpdate"),
        after.get("spreadsheets.batchUpdate")
    );
    let book = env.client.open(&id).await.unwrap();
    let read = env
        .client
        .read_columns(&book, "Orders", &[1, 2])
        .await
        .unwrap();
    assert_eq!(read.first_free_row, 2);
    assert_eq!(
        read.columns,
        vec![vec![json!("Order ID")], vec![json!("Line Item ID")]]
    );
}

#[tokio::test]
async fn keeps_a_persons_columns_and_rows_intact() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let id = book.id.clone();
    let rows = vec![
        row(1001, 1, "Mug", 1),
        row(1002, 2, "Hat", 2),
        row(1003, 3, "Cap", 3),
    ];
    append_rows(&env, &mut book, &columns, 2, rows)
        .await
        .unwrap();

    // A person adds a Notes column between Line Item ID and Product, writes a note, sorts the
    // sheet, and types a row of their own below the data.
    env.sandbox.person_add_column(&id, "Orders", 3, "Notes");
    env.sandbox
        .person_edit_cell(&id, "Orders", 2, 3, &json!("call back"));
    env.sandbox.person_sort_rows(&id, "Orders", 1, true);
    env.sandbox.person_set_row(
        &id,
        "Orders",
        6,
        &[json!("my total"), json!(""), json!(""), json!("=1+1")],
    );

    let mut book = env.client.open(&id).await.unwrap();
    let mut headers = HEADERS.to_vec();
    headers.push("SKU");
    let row1 = env.client.read_header(&id, "Orders").await.unwrap();
    assert_eq!(positions(&row1, &headers), vec![0, 1, 2, 4, 5, u32::MAX]);
    env.client
        .add_header_cells(&mut book, "Orders", 6, &["SKU"], false)
        .await
        .unwrap();
    let row1 = env.client.read_header(&id, "Orders").await.unwrap();
    let columns = positions(&row1, &headers);
    assert_eq!(columns, vec![0, 1, 2, 4, 5, 6]);
    let read = env
        .client
        .read_columns(&book, "Orders", &[1, 2])
        .await
        .unwrap();
    assert_eq!(read.first_free_row, 7);
    let at = (2..read.first_free_row)
        .find(|r| read.cell(0, *r) == &json!("1002"))
        .unwrap();
    let mut changed = row(1002, 2, "Hat", 5);
    changed.push(json!("SKU-2"));
    write_rows(&env, &book, &columns, vec![(at, changed)])
        .await
        .unwrap();
    let mut new = row(1004, 4, "Scarf", 1);
    new.push(json!("SKU-4"));
    append_rows(&env, &mut book, &columns, read.first_free_row, vec![new])
        .await
        .unwrap();

    let grid = env.sandbox.rows(&id, "Orders");
    assert_eq!(
        grid,
        vec![
            vec![
                json!("Order"),
                json!("Order ID"),
                json!("Line Item ID"),
                json!("Notes"),
                json!("Product"),
                json!("Quantity"),
                json!("SKU")
            ],
            vec![
                json!("#1003"),
                json!("1003"),
                json!("3"),
                json!(""),
                json!("Cap"),
                json!(3)
            ],
            vec![
                json!("#1002"),
                json!("1002"),
                json!("2"),
                json!(""),
                json!("Hat"),
                json!(5),
                json!("SKU-2")
            ],
            // The note was typed on #1001's row and moved with it when the person sorted.
            vec![
                json!("#1001"),
                json!("1001"),
                json!("1"),
                json!("call back"),
                json!("Mug"),
                json!(1)
            ],
            vec![],
            vec![json!("my total"), json!(""), json!(""), json!(2)],
            vec![
                json!("#1004"),
                json!("1004"),
                json!("4"),
                json!(""),
                json!("Scarf"),
                json!(1),
                json!("SKU-4")
            ],
        ]
    );
}

/// Where a sync opening tab "Orders" puts each of `headers` (owned names).
fn columns_of(side: &shopsync::sync::run::sheet::SheetSide, headers: &[&str]) -> Vec<usize> {
    let layout = side.index().layout();
    headers
        .iter()
        .map(|h| layout.index_of(Column::from_header(h).unwrap()))
        .collect()
}

fn all_headers() -> Vec<Value> {
    Column::ALL.iter().map(|c| json!(c.name())).collect()
}

#[tokio::test]
async fn a_foreign_layout_and_a_duplicated_header_are_refused() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Other tool", &["Orders"]);
    env.sandbox
        .person_set_row(&id, "Orders", 1, &[json!("id"), json!("total")]);
    env.sandbox
        .person_set_row(&id, "Orders", 2, &[json!("A-1"), json!(12.5)]);
    let err = open_as_sync(&env, &id, None, false).await.unwrap_err();
    assert!(
        matches!(err, SyncError::Tab(TabError::ForeignLayout { .. })),
        "{err}"
    );
    env.sandbox.person_set_row(
        &id,
        "Orders",
        1,
        &[json!("Order ID"), json!("Line Item ID"), json!("Order ID")],
    );
    let err = open_as_sync(&env, &id, None, false).await.unwrap_err();
    assert!(
        matches!(err, SyncError::Tab(TabError::DuplicateHeader { .. })),
        "{err}"
    );
    assert_eq!(
        env.sandbox.rows(&id, "Orders")[1],
        vec![json!("A-1"), json!(12.5)]
    );
}

#[tokio::test]
async fn a_header_only_tab_of_a_persons_own_is_extended_not_refused() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Plans", &["Orders"]);
    env.sandbox.person_set_row(
        &id,
        "Orders",
        1,
        &[json!("Notes"), json!(""), json!("Owner")],
    );
    let side = open_as_sync(&env, &id, None, false).await.unwrap();
    assert_eq!(columns_of(&side, &HEADERS[..3]), vec![3, 4, 5]);
    let mut row1 = vec![json!("Notes"), json!(""), json!("Owner")];
    row1.extend(all_headers());
    assert_eq!(env.sandbox.rows(&id, "Orders")[0], row1);
}

#[tokio::test]
async fn a_renamed_or_deleted_bound_tab_is_never_recreated() {
    let env = env().await;
    let (_, _) = book_with_tab(&env).await;
    let id = env.sandbox.create_spreadsheet("Bound", &["Sheet1"]);
    let side = open_as_sync(&env, &id, None, false).await.unwrap();
    let bound = side.sheet_id();
    assert!(bound.is_some());

    env.sandbox.person_rename_tab(&id, "Orders", "Orders 2025");
    let err = open_as_sync(&env, &id, bound, false).await.unwrap_err();
    assert!(
        matches!(&err, SyncError::Tab(TabError::Renamed { now, .. }) if now == "Orders 2025"),
        "{err}"
    );

    let other = env.sandbox.create_spreadsheet("Other", &["Sheet1"]);
    let err = open_as_sync(&env, &other, bound, false).await.unwrap_err();
    assert!(
        matches!(err, SyncError::Tab(TabError::Gone { .. })),
        "{err}"
    );
    assert_eq!(env.sandbox.tab_titles(&other), vec!["Sheet1"]);
    assert_eq!(env.sandbox.tab_titles(&id), vec!["Sheet1", "Orders 2025"]);
}

#[tokio::test]
async fn an_empty_existing_tab_gets_a_frozen_header() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Empty tab", &["Orders"]);
    let made_by_hand = env.sandbox.tab(&id, "Orders").unwrap().sheet_id;
    let side = open_as_sync(&env, &id, None, false).await.unwrap();
    assert_eq!(side.sheet_id(), Some(made_by_hand), "not adopted");
    let default_columns: Vec<usize> = HEADERS
        .iter()
        .map(|h| Column::ALL.iter().position(|c| c.name() == *h).unwrap())
        .collect();
    assert_eq!(columns_of(&side, HEADERS), default_columns);
    assert_eq!(env.sandbox.tab(&id, "Orders").unwrap().frozen_rows, 1);
    assert_eq!(env.sandbox.rows(&id, "Orders")[0], all_headers());
}

#[tokio::test]
async fn moved_columns_deleted_and_blank_rows_are_followed_by_header_and_key() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let id = book.id.clone();
    let rows = (1..=4).map(|i| row(2000 + i, i, "Mug", i)).collect();
    append_rows(&env, &mut book, &columns, 2, rows)
        .await
        .unwrap();
    // Quantity moves to the front, #2002's row is deleted, two blank rows go in after the header.
    env.sandbox.person_move_column(&id, "Orders", 4, 0);
    env.sandbox.person_delete_row(&id, "Orders", 3);
    env.sandbox.person_insert_blank_rows(&id, "Orders", 2, 2);

    let book = env.client.open(&id).await.unwrap();
    let row1 = env.client.read_header(&id, "Orders").await.unwrap();
    let columns = positions(&row1, HEADERS);
    assert_eq!(columns, vec![1, 2, 3, 4, 0]);
    let read = env
        .client
        .read_columns(&book, "Orders", &[columns[1]])
        .await
        .unwrap();
    assert_eq!(read.first_free_row, 7);
    let at = (2..7).find(|r| read.cell(0, *r) == &json!("2004")).unwrap();
    write_rows(&env, &book, &columns, vec![(at, row(2004, 4, "Mug", 40))])
        .await
        .unwrap();
    let grid = env.sandbox.rows(&id, "Orders");
    assert_eq!(grid[1], Vec::<Value>::new());
    assert_eq!(grid[2], Vec::<Value>::new());
    assert_eq!(
        grid[at as usize - 1],
        vec![
            json!(40),
            json!("#2004"),
            json!("2004"),
            json!("4"),
            json!("Mug")
        ]
    );
    assert_eq!(grid.len(), 6);
}

#[tokio::test]
async fn a_typed_row_between_data_rows_is_left_alone() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let id = book.id.clone();
    let rows = (1..=3).map(|i| row(3000 + i, i, "Mug", i)).collect();
    append_rows(&env, &mut book, &columns, 2, rows)
        .await
        .unwrap();
    env.sandbox.person_insert_typed_row(
        &id,
        "Orders",
        3,
        &[
            json!("subtotal"),
            json!(""),
            json!(""),
            json!(""),
            json!("=2+2"),
        ],
    );
    let read = env
        .client
        .read_columns(&book, "Orders", &[1])
        .await
        .unwrap();
    assert_eq!(read.cell(0, 3), &json!(""));
    let updates: Vec<(u32, Vec<Value>)> = (2..read.first_free_row)
        .filter_map(|r| {
            let key = read.cell(0, r).as_str()?.parse::<u64>().ok()?;
            Some((r, row(key, key - 3000, "Jug", 9)))
        })
        .collect();
    // The typed row has no key, so no write targets it: rows 2, 4 and 5 in one request.
    let rows: Vec<u32> = updates.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, vec![2, 4, 5]);
    let before = env.sandbox.counts()["spreadsheets.values.batchUpdate"].requests;
    write_rows(&env, &book, &columns, updates).await.unwrap();
    assert_eq!(
        env.sandbox.counts()["spreadsheets.values.batchUpdate"].requests - before,
        1
    );
    let grid = env.sandbox.rows(&id, "Orders");
    assert_eq!(
        grid[2],
        vec![json!("subtotal"), json!(""), json!(""), json!(""), json!(4)]
    );
    assert_eq!(grid[1][3], json!("Jug"));
    assert_eq!(grid[4][3], json!("Jug"));
    assert_eq!(env.sandbox.violations(), 0);
}

#[tokio::test]
async fn inspecting_a_tab_for_a_dry_run_writes_nothing() {
    let env = env().await;
    let writes = || {
        let counts = env.sandbox.counts();
        counts
            .get("spreadsheets.values.batchUpdate")
            .map_or(0, |m| m.requests)
            + counts
                .get("spreadsheets.batchUpdate")
                .map_or(0, |m| m.requests)
    };
    let id = env.sandbox.create_spreadsheet("Dry", &["Sheet1"]);
    let side = open_as_sync(&env, &id, None, true).await.unwrap();
    assert_eq!(writes(), 0, "a dry run on a missing tab sent a write");
    assert_eq!(side.sheet_id(), None, "the tab is imagined, not created");
    assert_eq!(columns_of(&side, &HEADERS[..3]), vec![0, 1, 2]);
    assert_eq!(env.sandbox.tab_titles(&id), vec!["Sheet1"]);

    // A tab lacking owned headers (all but HEADERS): imagined added, none written.
    let (_, _) = book_with_tab(&env).await;
    let id = env.sandbox.create_spreadsheet("Dry 2", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    env.client
        .create_tab(&mut book, "Orders", HEADERS)
        .await
        .unwrap();
    let after_setup = writes();
    let side = open_as_sync(&env, &id, None, true).await.unwrap();
    assert_eq!(
        writes(),
        after_setup,
        "a dry run on a tab that lacks a header sent a write"
    );
    let sku = columns_of(&side, &["SKU"])[0];
    assert!(sku >= 5, "{sku}");
    assert_eq!(env.sandbox.rows(&id, "Orders")[0].len(), 5);
    // The real run then does what the dry run planned against.
    let applied = open_as_sync(&env, &id, None, false).await.unwrap();
    assert_eq!(
        applied.index().layout(),
        side.index().layout(),
        "the dry run imagined another layout"
    );
}

#[tokio::test]
async fn a_viewer_share_is_detected_before_the_first_write_fails() {
    let env = env().await;
    let (book, columns) = book_with_tab(&env).await;
    assert!(env.client.can_edit(&book.id).await.unwrap());
    env.sandbox.set_editable(&book.id, false);
    assert!(!env.client.can_edit(&book.id).await.unwrap());
    env.client.open(&book.id).await.unwrap();
    let err = write_row_2(&env, &book, &columns, row(1, 1, "x", 1))
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::PermissionDenied { .. }), "{err}");
    let err = env
        .client
        .can_edit("1NoSuchFilexxxxxxxxxxxxxxxxxx")
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::NotFound { .. }), "{err}");
    assert!(
        err.to_string().contains(env.sandbox.client_email()),
        "{err}"
    );
}
