//! Fidelity tests of the Google emulator: it reproduces the behaviours recorded from the real API
//! (SHEETS-API.md) and refuses what Google refuses. Requests here are raw HTTP, never shopsync's
//! client, so these tests hold the witness itself to the record.

use chrono::Utc;
use serde_json::{Value, json};
use shopsync::clock::ManualClock;
use shopsync::sandbox::google::{Fault, GoogleSandbox, SandboxOptions};

struct Raw {
    sandbox: GoogleSandbox,
    http: reqwest::Client,
    token: String,
    id: String,
}

async fn start_with(options: SandboxOptions) -> Raw {
    shopsync::http::install_tls_provider();
    let sandbox = GoogleSandbox::start(options).await.unwrap();
    let key = yup_oauth2::parse_service_account_key(sandbox.service_account_json()).unwrap();
    let auth = yup_oauth2::ServiceAccountAuthenticator::builder(key)
        .build()
        .await
        .unwrap();
    let token = auth
        .token(&[
            "https://www.googleapis.com/auth/spreadsheets",
            "https://www.googleapis.com/auth/drive.metadata.readonly",
        ])
        .await
        .unwrap()
        .token()
        .unwrap()
        .to_owned();
    let id = sandbox.create_spreadsheet("Fidelity", &["Sheet1"]);
    Raw {
        sandbox,
        http: reqwest::Client::new(),
        token,
        id,
    }
}

async fn start() -> Raw {
    start_with(SandboxOptions::default()).await
}

/// Percent-encodes a path segment (written here, not borrowed from the client under test).
fn enc(range: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(range, SET).to_string()
}

impl Raw {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.sandbox.sheets_url());
        let mut req = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    fn values(&self, range: &str) -> String {
        format!("/v4/spreadsheets/{}/values/{}", self.id, enc(range))
    }

    async fn write_raw(&self, range: &str, values: Value) {
        let (status, body) = self
            .send(
                reqwest::Method::PUT,
                &format!("{}?valueInputOption=RAW", self.values(range)),
                Some(json!({ "values": values })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn empty_ranges_omit_the_values_key() {
    let raw = start().await;
    let (status, body) = raw.get(&raw.values("Sheet1!A1:D2")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"range": "Sheet1!A1:D2", "majorDimension": "ROWS"})
    );
}

#[tokio::test]
async fn trailing_blanks_are_dropped_and_rows_are_ragged() {
    let raw = start().await;
    raw.write_raw(
        "'Sheet1'!A1",
        json!([
            ["A1", "faff", "", ""],
            ["1", "b2", "1.45", ""],
            ["", "", "", ""],
            ["A4", "0.4", "", "4"]
        ]),
    )
    .await;
    let (_, body) = raw.get(&raw.values("'Sheet1'!A1:D5")).await;
    assert_eq!(
        body["values"],
        json!([
            ["A1", "faff"],
            ["1", "b2", "1.45"],
            [],
            ["A4", "0.4", "", "4"]
        ])
    );
    // The reply's range is the request clipped to the grid, not to the data.
    let (_, body) = raw.get(&raw.values("'Sheet1'!A1:1")).await;
    assert_eq!(body["range"], "Sheet1!A1:Z1");
    let (_, body) = raw
        .get(&format!(
            "{}?majorDimension=COLUMNS",
            raw.values("Sheet1!A:D")
        ))
        .await;
    assert_eq!(body["range"], "Sheet1!A1:D1000");
    assert_eq!(body["values"][3], json!(["", "", "", "4"]));
}

#[tokio::test]
async fn append_table_detection_reproduces_the_blank_cell_pitfall() {
    let raw = start().await;
    raw.write_raw("Sheet1!A1", json!([["x", "", "y"]])).await;
    let append = |raw: &Raw, range: &str| {
        format!(
            "{}:append?valueInputOption=RAW&insertDataOption=OVERWRITE",
            raw.values(range)
        )
    };
    // Recorded: a bare sheet range picks the last block, C1, and shifts the row two columns.
    let (status, body) = raw
        .post(
            &append(&raw, "'Sheet1'"),
            json!({"values": [["x", "", "y"]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tableRange"], "Sheet1!C1");
    assert_eq!(body["updates"]["updatedRange"], "Sheet1!C2:E2");

    // Recorded: anchored at A1, the table is A1 and the row lands at A2.
    let raw = start().await;
    raw.write_raw("Sheet1!A1", json!([["x", "", "y"]])).await;
    let (_, body) = raw
        .post(
            &append(&raw, "'Sheet1'!A1"),
            json!({"values": [["x", "", "y"]]}),
        )
        .await;
    assert_eq!(body["tableRange"], "Sheet1!A1", "{body}");
    assert_eq!(body["updates"]["updatedRange"], "Sheet1!A2:C2");

    // Recorded: consecutive appends to a full-width table go one below another.
    let raw = start().await;
    raw.write_raw("Sheet1!A1", json!([["h1", "h2"]])).await;
    let (_, first) = raw
        .post(&append(&raw, "'Sheet1'"), json!({"values": [["a", "b"]]}))
        .await;
    let (_, second) = raw
        .post(&append(&raw, "'Sheet1'"), json!({"values": [["c", "d"]]}))
        .await;
    assert_eq!(first["tableRange"], "Sheet1!A1:B1");
    assert_eq!(first["updates"]["updatedRange"], "Sheet1!A2:B2");
    assert_eq!(second["tableRange"], "Sheet1!A1:B2");
    assert_eq!(second["updates"]["updatedRange"], "Sheet1!A3:B3");
}

#[tokio::test]
async fn null_leaves_a_cell_and_empty_string_clears_it() {
    let raw = start().await;
    raw.write_raw("Sheet1!A1", json!([["keep", "clear", "x"]]))
        .await;
    let (status, body) = raw
        .post(
            &format!("/v4/spreadsheets/{}/values:batchUpdate", raw.id),
            json!({"valueInputOption": "RAW", "data": [{"range": "'Sheet1'!A1:B1", "values": [[null, ""]]}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["responses"][0]["updatedRange"], "Sheet1!A1:B1");
    assert_eq!(
        raw.sandbox.rows(&raw.id, "Sheet1"),
        vec![vec![json!("keep"), json!(""), json!("x")]]
    );
}

#[tokio::test]
async fn a_refused_value_fails_the_whole_write_until_taken_back() {
    let raw = start().await;
    raw.sandbox.refuse_value("bad");
    let body = json!({"valueInputOption": "RAW", "data": [
        {"range": "'Sheet1'!A1:B1", "values": [["good", "fine"]]},
        {"range": "'Sheet1'!A2:B2", "values": [["ok", "bad"]]},
    ]});
    let url = format!("/v4/spreadsheets/{}/values:batchUpdate", raw.id);
    let (status, reply) = raw.post(&url, body.clone()).await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["error"]["status"], "INVALID_ARGUMENT");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("data[1].values[0][1]"),
        "{reply}"
    );
    assert!(
        raw.sandbox.rows(&raw.id, "Sheet1").is_empty(),
        "a refused write applied part of itself"
    );
    raw.sandbox.clear_refusals();
    let (status, reply) = raw.post(&url, body).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(raw.sandbox.rows(&raw.id, "Sheet1")[1][1], json!("bad"));
}

#[tokio::test]
async fn user_entered_parses_and_raw_does_not() {
    let raw = start().await;
    let (status, _) = raw
        .send(
            reqwest::Method::PUT,
            &format!("{}?valueInputOption=USER_ENTERED", raw.values("Sheet1!A1")),
            Some(json!({"values": [["=4/2", "2020-01-01", "0042", "=3/2"]]})),
        )
        .await;
    assert_eq!(status, 200);
    raw.write_raw("Sheet1!A2", json!([["=4/2", "0042"]])).await;
    let (_, body) = raw
        .get(&format!(
            "{}?valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=SERIAL_NUMBER",
            raw.values("Sheet1!A1:D2")
        ))
        .await;
    assert_eq!(
        body["values"],
        json!([[2, 43831, 42, 1.5], ["=4/2", "0042"]])
    );
    assert_eq!(
        raw.sandbox.formulas(&raw.id, "Sheet1"),
        vec!["=4/2", "=3/2"]
    );
}

#[tokio::test]
async fn error_bodies_have_googles_shapes() {
    let raw = start().await;
    let (status, body) = raw
        .get("/v4/spreadsheets/nope?fields=sheets.properties")
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}})
    );

    raw.sandbox.set_shared(&raw.id, false);
    let (status, body) = raw.get(&format!("/v4/spreadsheets/{}", raw.id)).await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "The caller does not have permission"
    );
    assert_eq!(body["error"]["status"], "PERMISSION_DENIED");
    raw.sandbox.set_shared(&raw.id, true);

    let (status, body) = raw.get(&raw.values("'No Such Tab'!A1")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Unable to parse range: 'No Such Tab'!A1"
    );
    assert_eq!(body["error"]["status"], "INVALID_ARGUMENT");

    let (status, body) = raw
        .post(
            &format!("/v4/spreadsheets/{}/values:batchUpdate", raw.id),
            json!({"valueInputOption": "RAW", "data": [{"range": "Sheet1!A1", "values": "X"}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ListValue"),
        "{body}"
    );

    raw.sandbox.inject("spreadsheets.get", 0, Fault::Quota);
    let (status, body) = raw.get(&format!("/v4/spreadsheets/{}", raw.id)).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
    assert_eq!(body["error"]["details"][0]["reason"], "RATE_LIMIT_EXCEEDED");

    raw.sandbox.inject("files.list", 0, Fault::DriveRateLimit);
    let (status, body) = raw.get("/drive/v3/files?q=trashed%20%3D%20false").await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "userRateLimitExceeded"
    );

    let resp = raw
        .http
        .get(format!(
            "{}/v4/spreadsheets/{}",
            raw.sandbox.sheets_url(),
            raw.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test]
async fn requests_that_break_the_discovery_document_are_refused() {
    let raw = start().await;
    let bad = [
        (
            format!(
                "/v4/spreadsheets/{}?fields=sheets.properties,%20properties",
                raw.id
            ),
            "space in fields",
        ),
        (
            format!("/v4/spreadsheets/{}?fields=sheets.propertiez", raw.id),
            "unknown field in mask",
        ),
        (
            format!("/v4/spreadsheets/{}?includeGridData=perhaps", raw.id),
            "not a boolean",
        ),
        (
            format!("{}?valueRenderOption=PRETTY", raw.values("Sheet1!A1")),
            "not in the enum",
        ),
        (
            format!("{}?colour=red", raw.values("Sheet1!A1")),
            "unknown parameter",
        ),
    ];
    for (path, why) in bad {
        let (status, body) = raw.get(&path).await;
        assert_eq!(status, 400, "{why}: {body}");
        assert_eq!(body["error"]["status"], "INVALID_ARGUMENT", "{why}");
    }
    let (status, body) = raw
        .post(
            &format!("/v4/spreadsheets/{}:batchUpdate", raw.id),
            json!({"requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "lenght": 5}}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lenght")
    );
}

#[tokio::test]
async fn limits_on_cells_and_characters_hold() {
    let raw = start().await;
    let (status, body) = raw
        .post(
            &format!("/v4/spreadsheets/{}:batchUpdate", raw.id),
            json!({"requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 400_000}}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("above the limit of 10000000 cells"),
        "{body}"
    );
    let long = "x".repeat(50_001);
    let (status, _) = raw
        .send(
            reqwest::Method::PUT,
            &format!("{}?valueInputOption=RAW", raw.values("Sheet1!A1")),
            Some(json!({"values": [[long]]})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = raw
        .send(
            reqwest::Method::PUT,
            &format!("{}?valueInputOption=RAW", raw.values("Sheet1!A1001")),
            Some(json!({"values": [["past the grid"]]})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds grid limits")
    );
}

#[tokio::test]
async fn the_per_minute_write_quota_answers_429() {
    // A clock that stands still: on the wall clock the four writes could straddle a minute
    // boundary, and the new minute's quota would take the fourth.
    let clock = ManualClock::new(Utc::now());
    let raw = start_with(SandboxOptions {
        write_quota: 3,
        clock: std::sync::Arc::new(clock.clone()),
        ..SandboxOptions::default()
    })
    .await;
    let write = || async {
        raw.send(
            reqwest::Method::PUT,
            &format!("{}?valueInputOption=RAW", raw.values("Sheet1!A1")),
            Some(json!({"values": [[1]]})),
        )
        .await
        .0
    };
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(write().await);
    }
    // The next minute's quota is fresh.
    clock.advance(std::time::Duration::from_secs(60));
    statuses.push(write().await);
    assert_eq!(statuses, vec![200, 200, 200, 429, 200]);
    assert_eq!(raw.sandbox.quota_rejections(), 1);
}

#[tokio::test]
async fn drive_lists_shared_untrashed_files_by_escaped_name() {
    let raw = start().await;
    let tricky = raw.sandbox.create_spreadsheet(r"Bob's \ Orders", &[]);
    let trashed = raw.sandbox.create_spreadsheet(r"Bob's \ Orders", &[]);
    raw.sandbox.set_trashed(&trashed, true);
    let q = r"name = 'Bob\'s \\ Orders' and mimeType = 'application/vnd.google-apps.spreadsheet' and trashed = false";
    let url = format!(
        "/drive/v3/files?q={}&fields=nextPageToken,files(id,name)",
        enc(q)
    );
    let (status, body) = raw.get(&url).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"files": [{"id": tricky, "name": r"Bob's \ Orders"}]})
    );
}

#[tokio::test]
async fn a_fault_can_apply_a_write_and_then_answer_503() {
    let raw = start().await;
    raw.sandbox
        .inject("spreadsheets.values.update", 0, Fault::ApplyThen503);
    let (status, _) = raw
        .send(
            reqwest::Method::PUT,
            &format!("{}?valueInputOption=RAW", raw.values("Sheet1!A1")),
            Some(json!({"values": [["applied"]]})),
        )
        .await;
    assert_eq!(status, 503);
    assert_eq!(
        raw.sandbox.rows(&raw.id, "Sheet1"),
        vec![vec![json!("applied")]]
    );
    let counts = raw.sandbox.counts();
    assert_eq!(counts["spreadsheets.values.update"].requests, 1);
    assert!(counts["spreadsheets.values.update"].bytes > 10);
}

#[tokio::test]
async fn structural_batches_apply_all_or_nothing() {
    let raw = start().await;
    let batch = format!("/v4/spreadsheets/{}:batchUpdate", raw.id);
    let (status, body) = raw
        .post(
            &batch,
            json!({"requests": [
                {"addSheet": {"properties": {"title": "Orders", "gridProperties": {"rowCount": 1, "columnCount": 1}}}},
                {"addSheet": {"properties": {"title": "Sheet1"}}},
            ]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().unwrap().starts_with(
            "Invalid requests[1].addSheet: A sheet with the name \"Sheet1\" already exists"
        ),
        "{body}"
    );
    assert_eq!(raw.sandbox.tab_titles(&raw.id), vec!["Sheet1"]);

    let (status, body) = raw
        .post(
            &batch,
            json!({"requests": [{"addSheet": {"properties": {"title": "Orders", "sheetType": "GRID",
                   "gridProperties": {"rowCount": 1, "columnCount": 1}}}}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let props = &body["replies"][0]["addSheet"]["properties"];
    assert_eq!(props["title"], "Orders");
    assert_eq!(props["index"], 1);
    assert_eq!(
        props["gridProperties"],
        json!({"rowCount": 1, "columnCount": 1})
    );
}

#[tokio::test]
async fn dimensions_move_cells_and_clear_keeps_the_grid() {
    let raw = start().await;
    raw.write_raw("Sheet1!A1", json!([["a"], ["b"], ["c"]]))
        .await;
    let batch = format!("/v4/spreadsheets/{}:batchUpdate", raw.id);
    let (status, body) = raw
        .post(
            &batch,
            json!({"requests": [
                {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}},
                {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}},
                {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                                           "fields": "gridProperties.frozenRowCount"}},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["replies"], json!([{}, {}, {}]));
    assert_eq!(
        raw.sandbox.rows(&raw.id, "Sheet1"),
        vec![vec![], vec![], vec![json!("b")], vec![json!("c")]]
    );
    let tab = raw.sandbox.tab(&raw.id, "Sheet1").unwrap();
    assert_eq!((tab.row_count, tab.frozen_rows), (1001, 1));

    let (status, body) = raw
        .post(&format!("{}:clear", raw.values("'Sheet1'")), json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["clearedRange"], "Sheet1!A1:Z1001");
    assert!(raw.sandbox.rows(&raw.id, "Sheet1").is_empty());
    assert_eq!(raw.sandbox.tab(&raw.id, "Sheet1").unwrap().row_count, 1001);
}

#[tokio::test]
async fn batch_get_answers_in_request_order() {
    let raw = start().await;
    raw.write_raw("Sheet1!A1", json!([["a", "b"], ["c", "d"]]))
        .await;
    let ranges = ["Sheet1!B1:B2", "Sheet1!A2", "Sheet1!C1:C9"]
        .iter()
        .map(|r| format!("ranges={}", enc(r)))
        .collect::<Vec<_>>()
        .join("&");
    let (status, body) = raw
        .get(&format!(
            "/v4/spreadsheets/{}/values:batchGet?{ranges}&majorDimension=COLUMNS",
            raw.id
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["valueRanges"],
        json!([
            {"range": "Sheet1!B1:B2", "majorDimension": "COLUMNS", "values": [["b", "d"]]},
            {"range": "Sheet1!A2", "majorDimension": "COLUMNS", "values": [["c"]]},
            {"range": "Sheet1!C1:C9", "majorDimension": "COLUMNS"},
        ])
    );
}

#[tokio::test]
async fn the_token_endpoint_refuses_bad_grants_with_rfc6749_bodies() {
    let raw = start().await;
    let post = |form: &'static str| {
        raw.http
            .post(raw.sandbox.token_uri())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    let resp = post("grant_type=password&assertion=x").await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");

    let resp =
        post("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c")
            .await
            .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());
}
