//! The Sheets client against the Google emulator: finding the spreadsheet, the tab and its
//! header, and a person's columns and rows kept intact. Assertions read the emulator's grid
//! directly, never through the client.

mod sheets_support;

use serde_json::{Value, json};
use sheets_support::*;
use shopsync::sheets::{ErrorKind, SheetsError, TabSpec};

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
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
    assert!(layout.created);
    assert_eq!(layout.columns, vec![0, 1, 2, 3, 4]);
    let tab = env.sandbox.tab(&id, "Orders").unwrap();
    assert_eq!(tab.frozen_rows, 1);
    assert_eq!(tab.sheet_id, layout.tab.sheet_id);
    let header: Vec<Value> = HEADERS.iter().map(|h| json!(h)).collect();
    assert_eq!(env.sandbox.rows(&id, "Orders"), vec![header]);
    assert_eq!(
        env.sandbox.cell_format(&id, "Orders", 0, 4).unwrap()["textFormat"]["bold"],
        json!(true)
    );

    // A second run changes nothing.
    let before = env.sandbox.counts();
    let (book, again) = open_tab(&env, &id).await;
    assert!(!again.created && again.added.is_empty());
    let after = env.sandbox.counts();
    assert_eq!(
        before.get("spreadsheets.values.batchUpdate"),
        after.get("spreadsheets.values.batchUpdate")
    );
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
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(&headers))
        .await
        .unwrap();
    assert_eq!(layout.columns, vec![0, 1, 2, 4, 5, 6]);
    assert_eq!(layout.added, vec!["SKU"]);
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
    write_rows(&env, &book, &layout.columns, vec![(at, changed)])
        .await
        .unwrap();
    let mut new = row(1004, 4, "Scarf", 1);
    new.push(json!("SKU-4"));
    append_rows(
        &env,
        &mut book,
        &layout.columns,
        read.first_free_row,
        vec![new],
    )
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

#[tokio::test]
async fn a_foreign_layout_and_a_duplicated_header_are_refused() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Other tool", &["Orders"]);
    env.sandbox
        .person_set_row(&id, "Orders", 1, &[json!("id"), json!("total")]);
    env.sandbox
        .person_set_row(&id, "Orders", 2, &[json!("A-1"), json!(12.5)]);
    let mut book = env.client.open(&id).await.unwrap();
    let err = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::ForeignLayout { .. }), "{err}");
    env.sandbox.person_set_row(
        &id,
        "Orders",
        1,
        &[json!("Order ID"), json!("Line Item ID"), json!("Order ID")],
    );
    let err = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::DuplicateHeader { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Config);
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
    let (_, layout) = open_tab(&env, &id).await;
    assert_eq!(layout.columns, vec![3, 4, 5, 6, 7]);
    assert_eq!(
        env.sandbox.rows(&id, "Orders")[0],
        vec![
            json!("Notes"),
            json!(""),
            json!("Owner"),
            json!("Order"),
            json!("Order ID"),
            json!("Line Item ID"),
            json!("Product"),
            json!("Quantity")
        ]
    );
}

#[tokio::test]
async fn a_renamed_or_deleted_bound_tab_is_never_recreated() {
    let env = env().await;
    let (_, _) = book_with_tab(&env).await;
    let id = env.sandbox.create_spreadsheet("Bound", &["Sheet1"]);
    let (_, layout) = open_tab(&env, &id).await;
    let bound = TabSpec {
        bound_sheet_id: Some(layout.tab.sheet_id),
        ..spec(HEADERS)
    };

    env.sandbox.person_rename_tab(&id, "Orders", "Orders 2025");
    let mut book = env.client.open(&id).await.unwrap();
    let err = env.client.ensure_tab(&mut book, &bound).await.unwrap_err();
    assert!(
        matches!(&err, SheetsError::TabRenamed { now, .. } if now == "Orders 2025"),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Config);

    let other = env.sandbox.create_spreadsheet("Other", &["Sheet1"]);
    let mut elsewhere = env.client.open(&other).await.unwrap();
    let err = env
        .client
        .ensure_tab(&mut elsewhere, &bound)
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::TabGone { .. }), "{err}");
    assert_eq!(env.sandbox.tab_titles(&other), vec!["Sheet1"]);
    assert_eq!(env.sandbox.tab_titles(&id), vec!["Sheet1", "Orders 2025"]);
}

#[tokio::test]
async fn an_empty_existing_tab_gets_a_frozen_header() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Empty tab", &["Orders"]);
    let (_, layout) = open_tab(&env, &id).await;
    assert!(!layout.created);
    assert_eq!(layout.added.len(), HEADERS.len());
    assert_eq!(env.sandbox.tab(&id, "Orders").unwrap().frozen_rows, 1);
    assert_eq!(env.sandbox.rows(&id, "Orders")[0][0], json!("Order"));
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

    let (book, layout) = open_tab(&env, &id).await;
    assert_eq!(layout.columns, vec![1, 2, 3, 4, 0]);
    let read = env
        .client
        .read_columns(&book, "Orders", &[layout.columns[1]])
        .await
        .unwrap();
    assert_eq!(read.first_free_row, 7);
    let at = (2..7).find(|r| read.cell(0, *r) == &json!("2004")).unwrap();
    write_rows(
        &env,
        &book,
        &layout.columns,
        vec![(at, row(2004, 4, "Mug", 40))],
    )
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
    let book = env.client.open(&id).await.unwrap();
    let layout = env.client.inspect_tab(&book, &spec(HEADERS)).await.unwrap();
    assert_eq!(writes(), 0, "inspecting a missing tab sent a write");
    assert!(layout.created);
    assert_eq!(layout.columns, vec![0, 1, 2, 3, 4]);
    assert_eq!(env.sandbox.tab_titles(&id), vec!["Sheet1"]);

    let (mut book, _) = book_with_tab(&env).await;
    let id = book.id.clone();
    let mut headers = HEADERS.to_vec();
    headers.push("SKU");
    let after_setup = writes();
    let layout = env
        .client
        .inspect_tab(&book, &spec(&headers))
        .await
        .unwrap();
    assert_eq!(
        writes(),
        after_setup,
        "inspecting a tab that lacks a header sent a write"
    );
    assert_eq!(layout.added, vec!["SKU"]);
    assert_eq!(layout.columns[5], 5);
    assert_eq!(env.sandbox.rows(&id, "Orders")[0].len(), 5);
    // ensure_tab then does what inspect_tab said.
    let applied = env
        .client
        .ensure_tab(&mut book, &spec(&headers))
        .await
        .unwrap();
    assert_eq!(applied.columns, layout.columns);
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
