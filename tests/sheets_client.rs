//! The Sheets client against the Google emulator: finding the spreadsheet, the tab and header,
//! reads and writes that keep a person's columns and rows intact, every error class, token
//! refresh, ambiguous writes, quota pacing and the 50,000-row case. Assertions read the
//! emulator's grid directly, never through the client.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use shopsync::clock::{Clock, ManualClock};
use shopsync::sandbox::google::{Fault, GoogleSandbox, SandboxOptions};
use shopsync::sheets::{
    ErrorKind, RowCells, SheetsClient, SheetsError, SheetsSettings, SpreadsheetInfo,
    TRUNCATION_MARKER, TabSpec,
};

const HEADERS: &[&str] = &["Order", "Order ID", "Line Item ID", "Product", "Quantity"];
const KEYS: &[&str] = &["Order ID", "Line Item ID"];

struct Env {
    sandbox: GoogleSandbox,
    client: SheetsClient,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

impl Drop for Env {
    /// Every request the client sent in the test must conform to the discovery documents.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_eq!(
                self.sandbox.violations(),
                0,
                "the client sent a request that breaks Google's discovery documents"
            );
        }
    }
}

async fn env_with(options: SandboxOptions, tweak: impl FnOnce(&mut SheetsSettings)) -> Env {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/google");
    assert!(
        Path::new(dir).join("sheets.v4.json").exists(),
        "the discovery documents must be in {dir} (../shared/google); these tests cannot run without them"
    );
    let clock = ManualClock::new(Utc::now());
    let sandbox = GoogleSandbox::start(SandboxOptions {
        clock: Arc::new(clock.clone()),
        ..options
    })
    .await
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key.json");
    sandbox.write_service_account_file(&key).unwrap();
    let mut settings = SheetsSettings::new(&key);
    settings.sheets_url = sandbox.sheets_url();
    settings.drive_url = sandbox.drive_url();
    settings.clock = Arc::new(clock.clone());
    tweak(&mut settings);
    let client = SheetsClient::new(settings).await.unwrap();
    Env {
        sandbox,
        client,
        clock,
        _dir: tmp,
    }
}

async fn env() -> Env {
    env_with(SandboxOptions::with_shared_discovery(), |_| {}).await
}

fn row(order: u64, line: u64, product: &str, qty: u64) -> Vec<Value> {
    vec![
        json!(format!("#{order}")),
        json!(order.to_string()),
        json!(line.to_string()),
        json!(product),
        json!(qty),
    ]
}

fn spec<'a>(headers: &'a [&'a str]) -> TabSpec<'a> {
    TabSpec {
        title: "Orders",
        headers,
        key_headers: KEYS,
        bound_sheet_id: None,
    }
}

async fn book_with_tab(env: &Env) -> (SpreadsheetInfo, Vec<u32>) {
    let id = env.sandbox.create_spreadsheet("Shop Orders", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
    (book, layout.columns)
}

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
    let mut book = env.client.open(&id).await.unwrap();
    let again = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
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
    env.client
        .append_rows(&mut book, "Orders", &columns, 2, rows)
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
    env.client
        .write_rows(
            &book,
            "Orders",
            &layout.columns,
            vec![RowCells {
                row: at,
                cells: changed,
            }],
        )
        .await
        .unwrap();
    let mut new = row(1004, 4, "Scarf", 1);
    new.push(json!("SKU-4"));
    env.client
        .append_rows(
            &mut book,
            "Orders",
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
    let mut book = env.client.open(&id).await.unwrap();
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
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
async fn error_classes_carry_hints() {
    let env = env().await;
    let err = env
        .client
        .open("1NoSuchSpreadsheetxxxxxxxxxxxx")
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::NotFound { .. }), "{err}");

    let (book, _) = book_with_tab(&env).await;
    env.sandbox.set_shared(&book.id, false);
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(matches!(err, SheetsError::PermissionDenied { .. }), "{err}");
    assert!(err.to_string().contains(env.sandbox.client_email()));
    env.sandbox.set_shared(&book.id, true);

    env.sandbox
        .person_rename_tab(&book.id, "Orders", "Orders (old)");
    let err = env
        .client
        .read_columns(&book, "Orders", &[1])
        .await
        .unwrap_err();
    assert!(matches!(err, SheetsError::BadRequest { .. }), "{err}");
    assert!(err.to_string().contains("Unable to parse range"), "{err}");
}

#[tokio::test]
async fn reads_retry_5xx_429_and_drive_rate_limits() {
    let env = env().await;
    let (book, _) = book_with_tab(&env).await;
    env.sandbox
        .inject("spreadsheets.get", 0, Fault::Status(500));
    env.sandbox
        .inject("spreadsheets.get", 0, Fault::Status(503));
    env.sandbox.inject("spreadsheets.get", 0, Fault::Quota);
    let before = env.sandbox.counts()["spreadsheets.get"].requests;
    env.client.open(&book.id).await.unwrap();
    assert_eq!(
        env.sandbox.counts()["spreadsheets.get"].requests - before,
        4
    );

    env.sandbox.inject("files.list", 0, Fault::DriveRateLimit);
    assert_eq!(
        env.client.resolve_spreadsheet("Shop Orders").await.unwrap(),
        book.id
    );

    for _ in 0..6 {
        env.sandbox
            .inject("spreadsheets.get", 0, Fault::Status(503));
    }
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(
        matches!(
            err,
            SheetsError::Server {
                status: 503,
                attempts: 6,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_host_is_a_transport_error_after_retries() {
    let env = env_with(SandboxOptions::with_shared_discovery(), |s| {
        s.sheets_url = "http://127.0.0.1:9".to_owned();
    })
    .await;
    let err = env
        .client
        .open("1abcdefghijklmnopqrstuvwxyz")
        .await
        .unwrap_err();
    assert!(
        matches!(err, SheetsError::Transport { attempts: 6, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn writes_with_unknown_outcome_are_ambiguous_and_were_applied() {
    let env = env_with(SandboxOptions::with_shared_discovery(), |s| {
        s.write_timeout = Duration::from_millis(500);
    })
    .await;
    let (mut book, columns) = book_with_tab(&env).await;
    let id = book.id.clone();
    let faults = [
        Fault::ApplyThen503,
        Fault::ApplyThenDrop,
        Fault::Status(500),
        Fault::Stall(Duration::from_secs(60)),
    ];
    for (i, fault) in faults.into_iter().enumerate() {
        env.sandbox
            .inject("spreadsheets.values.batchUpdate", 0, fault);
        let n = u64::try_from(i).unwrap();
        let err = env
            .client
            .write_rows(
                &book,
                "Orders",
                &columns,
                vec![RowCells {
                    row: 2,
                    cells: row(1000 + n, n, "Mug", 1),
                }],
            )
            .await
            .unwrap_err();
        assert!(err.is_ambiguous(), "{fault:?}: {err}");
    }
    // The two apply-then-fail faults did write: the caller must re-read, not assume "not written".
    env.client
        .append_rows(&mut book, "Orders", &columns, 3, vec![row(9, 9, "Hat", 1)])
        .await
        .unwrap();
    let grid = env.sandbox.rows(&id, "Orders");
    assert_eq!(grid[1][1], json!("1001"));
    assert_eq!(grid[2][1], json!("9"));

    // A 429 on a write is known not to be applied: retried, not ambiguous.
    env.sandbox
        .inject("spreadsheets.values.batchUpdate", 0, Fault::Quota);
    env.client
        .write_rows(
            &book,
            "Orders",
            &columns,
            vec![RowCells {
                row: 2,
                cells: row(7, 7, "Cap", 1),
            }],
        )
        .await
        .unwrap();
    assert_eq!(env.sandbox.rows(&id, "Orders")[1][1], json!("7"));
}

#[tokio::test]
async fn tokens_refresh_after_a_401_and_on_expiry() {
    let env = env().await;
    let (book, _) = book_with_tab(&env).await;
    let issued = env.sandbox.tokens_issued();
    env.sandbox.revoke_tokens();
    env.client.open(&book.id).await.unwrap();
    assert_eq!(env.sandbox.tokens_issued(), issued + 1);

    // Tokens that live under yup-oauth2's one-minute margin are renewed before every call.
    env.sandbox.set_token_lifetime(Duration::from_secs(30));
    env.sandbox.revoke_tokens();
    for _ in 0..3 {
        env.client.open(&book.id).await.unwrap();
    }
    assert!(env.sandbox.tokens_issued() >= issued + 4);

    // A token that is refused even when fresh: an auth error, not a loop.
    env.sandbox.set_token_lifetime(Duration::ZERO);
    env.sandbox.revoke_tokens();
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(matches!(err, SheetsError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn a_burst_of_writes_is_paced_under_the_quota() {
    let env = env().await;
    let (book, columns) = book_with_tab(&env).await;
    let start = env.clock.now();
    for i in 0..130u64 {
        env.client
            .write_rows(
                &book,
                "Orders",
                &columns,
                vec![RowCells {
                    row: 2,
                    cells: row(i, i, "x", 1),
                }],
            )
            .await
            .unwrap();
    }
    assert_eq!(env.sandbox.quota_rejections(), 0);
    assert!(env.clock.now() - start >= chrono::Duration::seconds(120));
}

#[tokio::test]
async fn a_429_from_a_shared_quota_is_recovered_from() {
    let env = env_with(
        SandboxOptions {
            write_quota: 20,
            ..SandboxOptions::with_shared_discovery()
        },
        |_| {},
    )
    .await;
    let (book, columns) = book_with_tab(&env).await;
    for i in 0..70u64 {
        env.client
            .write_rows(
                &book,
                "Orders",
                &columns,
                vec![RowCells {
                    row: 2,
                    cells: row(i, i, "x", 1),
                }],
            )
            .await
            .unwrap();
    }
    assert!(env.sandbox.quota_rejections() > 0);
    assert_eq!(env.sandbox.rows(&book.id, "Orders")[1][1], json!("69"));
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
async fn a_renamed_or_deleted_bound_tab_is_never_recreated() {
    let env = env().await;
    let (_, _) = book_with_tab(&env).await;
    let id = env.sandbox.create_spreadsheet("Bound", &["Sheet1"]);
    let mut book = env.client.open(&id).await.unwrap();
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
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
    let mut book = env.client.open(&id).await.unwrap();
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
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
    env.client
        .append_rows(&mut book, "Orders", &columns, 2, rows)
        .await
        .unwrap();
    // Quantity moves to the front, #2002's row is deleted, two blank rows go in after the header.
    env.sandbox.person_move_column(&id, "Orders", 4, 0);
    env.sandbox.person_delete_row(&id, "Orders", 3);
    env.sandbox.person_insert_blank_rows(&id, "Orders", 2, 2);

    let mut book = env.client.open(&id).await.unwrap();
    let layout = env
        .client
        .ensure_tab(&mut book, &spec(HEADERS))
        .await
        .unwrap();
    assert_eq!(layout.columns, vec![1, 2, 3, 4, 0]);
    let read = env
        .client
        .read_columns(&book, "Orders", &[layout.columns[1]])
        .await
        .unwrap();
    assert_eq!(read.first_free_row, 7);
    let at = (2..7).find(|r| read.cell(0, *r) == &json!("2004")).unwrap();
    env.client
        .write_rows(
            &book,
            "Orders",
            &layout.columns,
            vec![RowCells {
                row: at,
                cells: row(2004, 4, "Mug", 40),
            }],
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
async fn a_plan_sent_chunk_by_chunk_tells_which_rows_are_confirmed() {
    let env = env_with(SandboxOptions::with_shared_discovery(), |s| {
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
async fn reads_survive_a_stall_and_a_reset_and_report_exhausted_quota() {
    let env = env_with(SandboxOptions::with_shared_discovery(), |s| {
        s.read_timeout = Duration::from_millis(400);
    })
    .await;
    let (book, _) = book_with_tab(&env).await;
    env.sandbox
        .inject("spreadsheets.get", 0, Fault::Stall(Duration::from_secs(60)));
    env.client.open(&book.id).await.unwrap();
    env.sandbox
        .inject("spreadsheets.get", 0, Fault::ApplyThenDrop);
    env.client.open(&book.id).await.unwrap();
    for _ in 0..6 {
        env.sandbox.inject("spreadsheets.get", 0, Fault::Quota);
    }
    let err = env.client.open(&book.id).await.unwrap_err();
    assert!(
        matches!(err, SheetsError::Quota { attempts: 6, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("wait a minute"), "{err}");
}

#[tokio::test]
async fn a_key_the_token_endpoint_refuses_is_an_auth_error() {
    let env = env().await;
    let mut key: Value = serde_json::from_str(&env.sandbox.service_account_json()).unwrap();
    key["client_email"] = json!("someone-else@other-project.iam.gserviceaccount.com");
    let path = env._dir.path().join("other.json");
    std::fs::write(&path, key.to_string()).unwrap();
    let mut settings = SheetsSettings::new(&path);
    settings.sheets_url = env.sandbox.sheets_url();
    settings.drive_url = env.sandbox.drive_url();
    let client = SheetsClient::new(settings).await.unwrap();
    let id = env.sandbox.create_spreadsheet("Shop Orders", &[]);
    let err = client.open(&id).await.unwrap_err();
    assert!(matches!(err, SheetsError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
}

#[tokio::test]
async fn a_typed_row_between_data_rows_is_left_alone() {
    let env = env().await;
    let (mut book, columns) = book_with_tab(&env).await;
    let id = book.id.clone();
    let rows = (1..=3).map(|i| row(3000 + i, i, "Mug", i)).collect();
    env.client
        .append_rows(&mut book, "Orders", &columns, 2, rows)
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
    let updates = (2..read.first_free_row)
        .filter_map(|r| {
            let key = read.cell(0, r).as_str()?.parse::<u64>().ok()?;
            Some(RowCells {
                row: r,
                cells: row(key, key - 3000, "Jug", 9),
            })
        })
        .collect();
    let report = env
        .client
        .write_rows(&book, "Orders", &columns, updates)
        .await
        .unwrap();
    assert_eq!(report.ranges, 2);
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
async fn a_viewer_share_is_detected_before_the_first_write_fails() {
    let env = env().await;
    let (book, columns) = book_with_tab(&env).await;
    assert!(env.client.can_edit(&book.id).await.unwrap());
    env.sandbox.set_editable(&book.id, false);
    assert!(!env.client.can_edit(&book.id).await.unwrap());
    env.client.open(&book.id).await.unwrap();
    let err = env
        .client
        .write_rows(
            &book,
            "Orders",
            &columns,
            vec![RowCells {
                row: 2,
                cells: row(1, 1, "x", 1),
            }],
        )
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

#[tokio::test]
async fn inspecting_a_tab_for_a_dry_run_writes_nothing() {
    let env = env().await;
    let id = env.sandbox.create_spreadsheet("Dry", &["Sheet1"]);
    let book = env.client.open(&id).await.unwrap();
    let before = env.sandbox.counts();
    let layout = env.client.inspect_tab(&book, &spec(HEADERS)).await.unwrap();
    assert!(layout.created);
    assert_eq!(layout.columns, vec![0, 1, 2, 3, 4]);
    assert_eq!(env.sandbox.tab_titles(&id), vec!["Sheet1"]);

    let (mut book, _) = book_with_tab(&env).await;
    let id = book.id.clone();
    let mut headers = HEADERS.to_vec();
    headers.push("SKU");
    let layout = env
        .client
        .inspect_tab(&book, &spec(&headers))
        .await
        .unwrap();
    assert_eq!(layout.added, vec!["SKU"]);
    assert_eq!(layout.columns[5], 5);
    assert_eq!(env.sandbox.rows(&id, "Orders")[0].len(), 5);
    let writes =
        |c: &std::collections::BTreeMap<String, shopsync::sandbox::google::MethodCount>| {
            c.get("spreadsheets.values.batchUpdate")
                .map_or(0, |m| m.requests)
                + c.get("spreadsheets.batchUpdate").map_or(0, |m| m.requests)
        };
    assert_eq!(writes(&before), 0);
    let after_setup = writes(&env.sandbox.counts());
    env.client
        .inspect_tab(&book, &spec(&headers))
        .await
        .unwrap();
    assert_eq!(writes(&env.sandbox.counts()), after_setup);
    // ensure_tab then does what inspect_tab said.
    let applied = env
        .client
        .ensure_tab(&mut book, &spec(&headers))
        .await
        .unwrap();
    assert_eq!(applied.columns, layout.columns);
}
