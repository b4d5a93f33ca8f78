//! The Sheets client's writes (`write_ranges`, the sync's path) against the Google emulator:
//! values stay values, the cell limit, requests sent one by one and the 50,000-row case. Cutting
//! long cells and sizing requests are the sync plan's (`sync/plan/cell.rs`, `rectangles.rs`).

mod sheets_support;

use serde_json::{Value, json};
use sheets_support::*;
use shopsync::sandbox::google::Fault;
use shopsync::sheets::{ErrorKind, MAX_REQUEST_BYTES, Rectangle, SheetsError, SpreadsheetInfo};
use shopsync::sync::plan::columns::Column;

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
        json!(""),
    ];
    append_rows(&env, &mut book, &columns, 2, vec![tricky])
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
async fn a_write_crossing_ten_million_cells_is_refused_before_sending() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let before = env.sandbox.counts();
    let err = append_rows(&env, &mut book, &columns, 400_000, vec![row(1, 1, "x", 1)])
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::CellLimit { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert_eq!(env.sandbox.counts(), before);
    assert!(book.cell_headroom() < 10_000_000);
}

/// The 23 columns of DESIGN.md section 3 (the product's list), for a realistic request size.
fn full_headers() -> Vec<&'static str> {
    Column::ALL.iter().map(|c| c.name()).collect()
}

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

/// Sends `rows` from row `first` down in requests of whole rows, each filled up to about
/// `MAX_REQUEST_BYTES` (the sync's chunker sizes its requests the same way); returns each
/// request's size.
async fn send_by_size(
    env: &Env,
    book: &SpreadsheetInfo,
    first: u32,
    rows: &[Vec<Value>],
) -> Vec<u64> {
    let row_bytes = rows
        .iter()
        .map(|r| serde_json::to_string(r).unwrap().len() + 1)
        .max()
        .unwrap();
    let per_request = (MAX_REQUEST_BYTES - 1_000) / row_bytes;
    let mut sizes = Vec::new();
    for (i, block) in rows.chunks(per_request).enumerate() {
        let row = first + u32::try_from(i * per_request).unwrap();
        let rectangle = Rectangle {
            row,
            column: 0,
            values: block,
        };
        let bytes = env
            .client
            .write_ranges(&book.id, "Orders", &[rectangle])
            .await
            .unwrap();
        assert!(bytes <= MAX_REQUEST_BYTES as u64, "{bytes}");
        sizes.push(bytes);
    }
    sizes
}

#[tokio::test]
async fn fifty_thousand_rows_append_and_update_in_a_few_large_requests() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Shop Orders", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    env.client
        .create_tab(&mut book, "Orders", &full_headers())
        .await
        .unwrap();
    let header = env.client.read_header(&id, "Orders").await.unwrap();
    assert_eq!(
        positions(&header, &full_headers()),
        (0..23).collect::<Vec<u32>>()
    );
    let rows: Vec<Vec<Value>> = (0..50_000u64).map(|i| full_row(i, "PENDING")).collect();
    env.sandbox.reset_counts();
    let grown = env
        .client
        .grow_rows(&mut book, "Orders", 50_001)
        .await
        .unwrap();
    let appended = send_by_size(&env, &book, 2, &rows).await;
    let append_counts = env.sandbox.counts();

    let read = env
        .client
        .read_columns(&book, "Orders", &[1, 2])
        .await
        .unwrap();
    assert_eq!(read.first_free_row, 50_002);
    let updates: Vec<Vec<Value>> = (2..read.first_free_row)
        .map(|r| {
            let order: u64 = read.cell(0, r).as_str().unwrap().parse().unwrap();
            full_row(order - 5_000_000_100_000, "PAID")
        })
        .collect();
    env.sandbox.reset_counts();
    let updated = send_by_size(&env, &book, 2, &updates).await;
    let update_counts = env.sandbox.counts();

    let total = |sizes: &[u64]| sizes.iter().sum::<u64>();
    eprintln!(
        "append 50,000 rows x 23 columns: {} values:batchUpdate requests, {} bytes, grid grown by {grown} rows; emulator saw {append_counts:?}",
        appended.len(),
        total(&appended)
    );
    eprintln!(
        "update 50,000 rows x 23 columns: {} values:batchUpdate requests, {} bytes; emulator saw {update_counts:?}",
        updated.len(),
        total(&updated)
    );
    // Requests of about 2 MB each are accepted and confirmed: a few of them carry 50,000 rows.
    let per_request = total(&appended) / appended.len() as u64;
    assert!(per_request > 1_800_000, "{appended:?}");
    assert!(appended.len() <= 16, "{appended:?}");
    assert!(updated.len() <= 16, "{updated:?}");
    assert_eq!(append_counts["spreadsheets.batchUpdate"].requests, 1);
    assert_eq!(
        append_counts["spreadsheets.values.batchUpdate"].requests,
        appended.len() as u64
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
async fn requests_sent_one_by_one_tell_which_rows_are_confirmed() {
    let env = env().await;
    let (mut book, _) = book_with_tab(&env).await;
    env.client
        .grow_rows(&mut book, "Orders", 1_001)
        .await
        .unwrap();
    let rows: Vec<Vec<Value>> = (2..=1_001u64).map(|r| row(r, r, "Tea towel", 1)).collect();
    // Three requests of about 333 rows, as a sync sends a batch chunk by chunk.
    let requests: Vec<(u32, &[Vec<Value>])> = rows
        .chunks(334)
        .enumerate()
        .map(|(i, block)| (2 + u32::try_from(i * 334).unwrap(), block))
        .collect();
    assert_eq!(requests.len(), 3);
    env.sandbox
        .inject("spreadsheets.values.batchUpdate", 1, Fault::ApplyThenDrop);
    let mut confirmed: Vec<u32> = Vec::new();
    let mut outcome = Ok(0);
    for (first, block) in &requests {
        let rectangle = Rectangle {
            row: *first,
            column: 0,
            values: block,
        };
        outcome = env
            .client
            .write_ranges(&book.id, "Orders", &[rectangle])
            .await;
        if outcome.is_err() {
            break;
        }
        confirmed.extend(*first..*first + u32::try_from(block.len()).unwrap());
    }
    assert!(outcome.unwrap_err().is_ambiguous());
    assert_eq!(confirmed, (2..336).collect::<Vec<u32>>());
    let grid = env.sandbox.rows(&book.id, "Orders");
    // Everything confirmed is there; the ambiguous request was in fact applied too.
    for r in &confirmed {
        assert_eq!(grid[*r as usize - 1][1], json!(r.to_string()));
    }
    let second_last = 335 + 334;
    assert_eq!(
        grid[second_last as usize - 1][1],
        json!(second_last.to_string())
    );
    assert!(
        grid.len() < 1_001,
        "the request after the ambiguous one was sent"
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
