//! The Sheets client's writes against the Google emulator: values stay values, long cells and the
//! cell limit, chunked requests and the 50,000-row case.

mod sheets_support;

use serde_json::{Value, json};
use sheets_support::*;
use shopsync::sandbox::google::{Fault, SandboxOptions};
use shopsync::sheets::{ErrorKind, Rectangle, RowCells, SheetsError, TRUNCATION_MARKER};

#[tokio::test]
async fn values_are_written_raw_and_never_become_formulas() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let id = book.id.clone();
    let tricky = vec![
        json!("=IMPORTXML(\"x\")"),
        json!("0042"),
        json!("+1 555"),
        json!("@me"),
        Value::Null,
    ];
    env.client
        .append_rows(&mut book, "Orders", &columns, 2, vec![tricky])
        .await
        .unwrap();
    assert!(env.sandbox.formulas(&id, "Orders").is_empty());
    assert_eq!(
        env.sandbox.rows(&id, "Orders")[1],
        vec![
            json!("=IMPORTXML(\"x\")"),
            json!("0042"),
            json!("+1 555"),
            json!("@me")
        ]
    );
}

#[tokio::test]
async fn long_cells_are_truncated_and_reported() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let long = "é".repeat(60_000);
    let report = env
        .client
        .append_rows(
            &mut book,
            "Orders",
            &columns,
            2,
            vec![vec![
                json!("#1"),
                json!("1"),
                json!("1"),
                json!(long),
                json!(1),
            ]],
        )
        .await
        .unwrap();
    assert_eq!(report.truncated, vec![(2, 3)]);
    let cell = env.sandbox.rows(&book.id, "Orders")[1][3].clone();
    let text = cell.as_str().unwrap();
    assert!(text.ends_with(TRUNCATION_MARKER));
    assert_eq!(text.encode_utf16().count(), 50_000);
}

#[tokio::test]
async fn a_write_crossing_ten_million_cells_is_refused_before_sending() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let before = env.sandbox.counts();
    let err = env
        .client
        .append_rows(
            &mut book,
            "Orders",
            &columns,
            400_000,
            vec![row(1, 1, "x", 1)],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::CellLimit { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert_eq!(env.sandbox.counts(), before);
    assert!(book.cell_headroom() < 10_000_000);
}

#[tokio::test]
async fn emoji_count_double_against_the_cell_limit() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    // 25,001 emoji: 25,001 characters but 50,002 UTF-16 units, over the limit.
    let text = "😀".repeat(25_001);
    let report = env
        .client
        .append_rows(
            &mut book,
            "Orders",
            &columns,
            2,
            vec![vec![
                json!("#1"),
                json!("1"),
                json!("1"),
                json!(text),
                json!(1),
            ]],
        )
        .await
        .unwrap();
    assert_eq!(report.truncated, vec![(2, 3)]);
    let cell = env.sandbox.rows(&book.id, "Orders")[1][3].clone();
    assert!(cell.as_str().unwrap().encode_utf16().count() <= 50_000);
}

/// The 23 columns of DESIGN.md section 3, for a realistic request size.
const FULL_HEADERS: &[&str] = &[
    "Order",
    "Order ID",
    "Line Item ID",
    "Created At",
    "Updated At",
    "Financial Status",
    "Fulfillment Status",
    "Cancelled At",
    "Customer",
    "Email",
    "Phone",
    "Shipping Address",
    "Product",
    "Variant",
    "SKU",
    "Quantity",
    "Unit Price",
    "Line Total",
    "Order Total",
    "Currency",
    "Tags",
    "Note",
    "Test",
];

fn full_row(i: u64, status: &str) -> Vec<Value> {
    let order = 100_000 + i;
    vec![
        json!(format!("#{order}")),
        json!((5_000_000_000_000 + order).to_string()),
        json!((14_000_000_000_000 + i).to_string()),
        json!("2026-11-02T10:15:00-05:00"),
        json!("2026-11-03T08:00:00-05:00"),
        json!(status),
        json!("UNFULFILLED"),
        json!(""),
        json!("Ada Lovelace"),
        json!(format!("ada{i}@example.com")),
        json!("+1 555 0100"),
        json!("12 Analytical Way, Apt 3, London, Greater London, N1 7AA, GB"),
        json!("Ceramic mug"),
        json!("Large / Blue glaze"),
        json!(format!("MUG-L-BLU-{i:05}")),
        json!(1 + i % 5),
        json!(19.99),
        json!(39.98),
        json!(52.47),
        json!("USD"),
        json!("wholesale, repeat"),
        json!("Leave at the door"),
        json!(false),
    ]
}

#[tokio::test]
async fn fifty_thousand_rows_append_and_update_in_a_few_large_requests() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Shop Orders", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(FULL_HEADERS))
        .await
        .unwrap();
    let rows: Vec<Vec<Value>> = (0..50_000u64).map(|i| full_row(i, "PENDING")).collect();
    env.sandbox.reset_counts();
    let appended = env
        .client
        .append_rows(&mut book, "Orders", &layout.columns, 2, rows)
        .await
        .unwrap();
    let append_counts = env.sandbox.counts();

    let read = env
        .client
        .read_columns(&book, "Orders", &[1, 2])
        .await
        .unwrap();
    assert_eq!(read.first_free_row, 50_002);
    let updates: Vec<RowCells> = (2..read.first_free_row)
        .map(|r| {
            let order: u64 = read.cell(0, r).as_str().unwrap().parse().unwrap();
            RowCells {
                row: r,
                cells: full_row(order - 5_000_000_100_000, "PAID"),
            }
        })
        .collect();
    env.sandbox.reset_counts();
    let updated = env
        .client
        .write_rows(&book, "Orders", &layout.columns, updates)
        .await
        .unwrap();
    let update_counts = env.sandbox.counts();

    eprintln!(
        "append 50,000 rows x 23 columns: {} values:batchUpdate requests, {} bytes, grid grown by {} rows; emulator saw {append_counts:?}",
        appended.requests, appended.bytes, appended.grown_rows
    );
    eprintln!(
        "update 50,000 rows x 23 columns: {} values:batchUpdate requests, {} bytes; emulator saw {update_counts:?}",
        updated.requests, updated.bytes
    );
    // Requests are cut by size (2 MB), not by row count.
    let per_request = appended.bytes / u64::from(appended.requests);
    assert!(per_request > 1_800_000, "{appended:?}");
    assert!(appended.requests <= 16, "{appended:?}");
    assert!(updated.requests <= 16, "{updated:?}");
    assert_eq!(append_counts["spreadsheets.batchUpdate"].requests, 1);
    assert_eq!(
        append_counts["spreadsheets.values.batchUpdate"].requests,
        u64::from(appended.requests)
    );
    let grid = env.sandbox.rows(&id, "Orders");
    assert_eq!(grid.len(), 50_001);
    assert_eq!(grid[50_000][1], json!("5000000149999"));
    assert_eq!(grid[50_000][5], json!("PAID"));
    assert_eq!(grid[50_000][16], json!(19.99));
    assert_eq!(env.sandbox.quota_rejections(), 0);
    assert_eq!(env.sandbox.violations(), 0);
}

#[tokio::test]
async fn a_plan_sent_chunk_by_chunk_tells_which_rows_are_confirmed() {
    let env = env_with(SandboxOptions::default(), |s| {
        s.max_request_bytes = 8_000;
    })
    .await;
    let (mut book, columns) = book_with_tab(&env).await;
    env.client
        .grow_rows(&mut book, "Orders", 1_001)
        .await
        .unwrap();
    let rows = (2..=1_001u32)
        .map(|r| RowCells {
            row: r,
            cells: row(u64::from(r), u64::from(r), "Tea towel", 1),
        })
        .collect();
    let plan = env.client.plan_rows("Orders", &columns, rows).unwrap();
    assert!(plan.chunks.len() >= 3, "{}", plan.chunks.len());
    env.sandbox
        .inject("spreadsheets.values.batchUpdate", 1, Fault::ApplyThenDrop);
    let mut confirmed: Vec<u32> = Vec::new();
    let mut outcome = Ok(0);
    for chunk in &plan.chunks {
        outcome = env.client.send_chunk(&book.id, chunk).await;
        if outcome.is_err() {
            break;
        }
        confirmed.extend(&chunk.completes);
    }
    assert!(outcome.unwrap_err().is_ambiguous());
    assert_eq!(confirmed, plan.chunks[0].completes);
    let grid = env.sandbox.rows(&book.id, "Orders");
    // Everything confirmed is there; the ambiguous chunk was in fact applied too.
    for r in &confirmed {
        assert_eq!(grid[*r as usize - 1][1], json!(r.to_string()));
    }
    let second_last = plan.chunks[1].completes.last().unwrap();
    assert_eq!(
        grid[*second_last as usize - 1][1],
        json!(second_last.to_string())
    );
}

#[tokio::test]
async fn explicit_rectangles_are_written_and_confirmed() {
    let env = env().await;
    let (mut book, _) = book_with_tab(&env).await;
    env.client
        .grow_rows(&mut book, "Orders", 1_005)
        .await
        .unwrap();
    let block = vec![
        vec![json!("#9"), json!("9"), json!("1")],
        vec![json!("#9"), json!("9"), json!("2")],
    ];
    let single = vec![vec![json!(3)]];
    let bytes = env
        .client
        .write_ranges(
            &book.id,
            "Orders",
            &[
                Rectangle {
                    row: 1_004,
                    column: 0,
                    values: &block,
                },
                Rectangle {
                    row: 1_004,
                    column: 4,
                    values: &single,
                },
            ],
        )
        .await
        .unwrap();
    assert!(bytes > 50);
    let grid = env.sandbox.rows(&book.id, "Orders");
    assert_eq!(
        grid[1_003],
        vec![json!("#9"), json!("9"), json!("1"), json!(""), json!(3)]
    );
    assert_eq!(grid[1_004], vec![json!("#9"), json!("9"), json!("2")]);
}
