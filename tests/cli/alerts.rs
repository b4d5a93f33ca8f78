//! Alerts against a local recorder (a tiny HTTP server on loopback): the healthcheck gets
//! `/start` and the summary on success, `/start` and `/fail` with the error on failure; the
//! webhook gets JSON with no secret; a dry run pings nothing; an endpoint that is down or never
//! answers changes nothing about the sync but a few seconds; `validate` asks each URL once.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shopsync::sandbox::shopify::Fault;

use crate::support::assert_no_secret;
use crate::world::World;

/// One request the recorder got.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    content_type: String,
    body: String,
}

/// How the recorder answers.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// `200 OK`.
    Answer,
    /// Reads the request and never answers.
    Hang,
}

/// A loopback HTTP server that records every request.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let record = record.clone();
                std::thread::spawn(move || serve(stream, behaviour, &record));
            }
        });
        Self { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn paths(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.path).collect()
    }
}

fn serve(stream: TcpStream, behaviour: Behaviour, record: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let (mut length, mut content_type) = (0, String::new());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or_default();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap_or(0),
            "content-type" => content_type = value.trim().to_owned(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    record.lock().unwrap().push(Seen {
        method,
        path,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    match behaviour {
        Behaviour::Answer => {
            let mut stream = stream;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
        }
        Behaviour::Hang => std::thread::sleep(Duration::from_secs(60)),
    }
}

/// A loopback address where nothing listens.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    url
}

fn world_with_alerts(healthcheck: &str, webhook: &str) -> World {
    let mut world = World::fast(131, 6);
    world.set_config(
        "healthcheck_url",
        json!(format!("{healthcheck}/ping/abc-123")),
    );
    world.set_config(
        "alert_webhook_url",
        json!(format!("{webhook}/hooks/T000/secret-part")),
    );
    world
}

#[test]
fn a_sync_pings_start_then_success_with_its_summary_and_no_webhook() {
    let hc = Recorder::start(Behaviour::Answer);
    let hook = Recorder::start(Behaviour::Answer);
    let world = world_with_alerts(&hc.url, &hook.url);
    let stdout = world.sync_ok(&[]);
    assert_eq!(hc.paths(), ["/ping/abc-123/start", "/ping/abc-123"]);
    let success = &hc.seen()[1];
    assert_eq!(success.method, "POST");
    assert_eq!(
        success.body,
        stdout.lines().next().expect("summary"),
        "the summary line"
    );
    assert!(
        success.body.starts_with("synced 6 orders (6 new"),
        "{}",
        success.body
    );
    assert!(hook.seen().is_empty(), "the webhook is for failures");

    // A dry run pings nothing.
    world.sync_ok(&["--test"]);
    assert_eq!(hc.seen().len(), 2);
    assert!(hook.seen().is_empty());
    let log = std::fs::read_to_string(world.dir.file("shopify_sync.log")).expect("log");
    assert!(
        log.contains("healthcheck http://127.0.0.1:"),
        "logged: {log}"
    );
    assert!(
        !log.contains("abc-123"),
        "the log names the host, not the check's key"
    );
}

#[test]
fn a_failed_sync_pings_fail_with_the_error_and_posts_json_without_secrets() {
    let hc = Recorder::start(Behaviour::Answer);
    let hook = Recorder::start(Behaviour::Answer);
    let world = world_with_alerts(&hc.url, &hook.url);
    world.sync_ok(&[]);
    world.shopify.inject_always(Fault::status(
        401,
        "[API] Invalid API key or access token (unrecognized login or wrong password)",
    ));
    let (code, _, stderr) = world.sync_code(&[]);
    assert_eq!(code, 3, "{stderr}");
    let error = stderr
        .trim()
        .strip_prefix("error: ")
        .expect("one error line");

    assert_eq!(
        hc.paths()[2..],
        ["/ping/abc-123/start", "/ping/abc-123/fail"]
    );
    assert_eq!(
        hc.seen()[3].body,
        error,
        "the fail ping carries the error line"
    );
    let posts = hook.seen();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        (posts[0].method.as_str(), posts[0].path.as_str()),
        ("POST", "/hooks/T000/secret-part")
    );
    assert_eq!(posts[0].content_type, "application/json");
    let alert: Value = serde_json::from_str(&posts[0].body).expect("JSON");
    assert_eq!(alert["event"], "sync_failed");
    assert_eq!(alert["exit_code"], 3);
    assert_eq!(alert["error_kind"], "remote");
    assert_eq!(alert["error_message"], error);
    assert_eq!(alert["shop"], "sandbox-shop.myshopify.com");
    assert_eq!(alert["spreadsheet_id"], world.spreadsheet.as_str());
    assert_eq!(alert["run_id"], 2, "the run this sync recorded");
    assert_eq!(alert["counts"]["fetched"], 0);
    assert!(alert["text"].as_str().expect("text").contains("failed"));
    let secrets = world.secrets();
    assert_no_secret("the webhook's post", &posts[0].body, &secrets);
    for ping in hc.seen() {
        assert_no_secret("a ping", &ping.body, &secrets);
    }
}

#[test]
fn a_held_lock_pings_fail_with_exit_5() {
    let hc = Recorder::start(Behaviour::Answer);
    let hook = Recorder::start(Behaviour::Answer);
    let world = world_with_alerts(&hc.url, &hook.url);
    world.sync_ok(&[]);
    let _lock =
        shopsync::store::SyncLock::acquire(&world.db(), "sync", Duration::ZERO).expect("lock");
    let (code, _, _) = world.sync_code(&[]);
    assert_eq!(code, 5);
    assert_eq!(
        hc.paths()[2..],
        ["/ping/abc-123/start", "/ping/abc-123/fail"]
    );
    let alert: Value = serde_json::from_str(&hook.seen()[0].body).expect("JSON");
    assert_eq!(
        (alert["exit_code"].clone(), alert["error_kind"].clone()),
        (json!(5), json!("locked"))
    );
    assert_eq!(alert["run_id"], Value::Null, "no run was started");
}

#[test]
fn an_endpoint_that_is_down_or_never_answers_costs_the_sync_only_seconds() {
    let hanging = Recorder::start(Behaviour::Hang);
    for (what, hc) in [("down", closed_port()), ("hanging", hanging.url.clone())] {
        let world = world_with_alerts(&hc, &closed_port());
        let started = Instant::now();
        let (code, _, ok_stderr) = world.sync_code(&[]);
        let ok_took = started.elapsed();
        assert_eq!(code, 0, "{what}: {ok_stderr}");
        world
            .shopify
            .inject_always(Fault::status(401, "[API] Invalid API key or access token"));
        let started = Instant::now();
        let (code, _, stderr) = world.sync_code(&[]);
        let failed_took = started.elapsed();
        assert_eq!(code, 3, "{what}: the sync's own exit code: {stderr}");
        // The start ping runs beside the sync; a healthcheck that let it time out is not asked
        // again at the end, so a hanging endpoint costs one 3 s timeout, not two.
        for took in [ok_took, failed_took] {
            assert!(took < Duration::from_secs(10), "{what}: {took:?}");
        }
        for stderr in [&ok_stderr, &stderr] {
            assert!(
                stderr.contains("healthcheck http://127.0.0.1:"),
                "{what}: warned: {stderr}"
            );
            assert!(!stderr.contains("abc-123"), "{what}: {stderr}");
            assert_eq!(
                stderr.contains("skipped at the end: it did not answer /start within 3 s"),
                what == "hanging",
                "{what}: {stderr}"
            );
        }
        world.shopify.clear_faults();
    }
    // Only the two start pings reached the hanging endpoint: no success, no /fail after them.
    assert_eq!(
        hanging.paths(),
        ["/ping/abc-123/start", "/ping/abc-123/start"]
    );
}

#[test]
fn validate_asks_each_alert_url_once_and_fails_one_that_is_down() {
    let hc = Recorder::start(Behaviour::Answer);
    let hook = Recorder::start(Behaviour::Answer);
    let mut world = world_with_alerts(&hc.url, &hook.url);
    let (_, report) = world.json(&["validate", "--json"]);
    let status = |report: &Value, name: &str| {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].clone())
    };
    assert_eq!(
        status(&report, "healthcheck"),
        Some(json!("pass")),
        "{report}"
    );
    assert_eq!(status(&report, "alert_webhook"), Some(json!("pass")));
    assert_eq!(
        hc.paths(),
        ["/ping/abc-123/log"],
        "an event that changes no state"
    );
    let test: Value = serde_json::from_str(&hook.seen()[0].body).expect("JSON");
    assert_eq!(test["event"], "validate_test");

    world.set_config("alert_webhook_url", json!(closed_port()));
    let (code, report) = world.json(&["validate", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "alert_webhook"), Some(json!("fail")));
}

#[test]
fn alert_urls_must_be_https_or_loopback() {
    let mut world = World::fast(132, 1);
    world.set_config(
        "healthcheck_url",
        json!("http://hc.example.com/ping/abc-123"),
    );
    world.set_config("alert_webhook_url", json!("ftp://hooks.example.com/x"));
    let (code, stdout, stderr) = world.sync_code(&[]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("healthcheck_url") && stderr.contains("must use https"),
        "{stderr}"
    );
    assert!(stderr.contains("alert_webhook_url"), "{stderr}");
    assert!(
        !stderr.contains("abc-123"),
        "the URL's path is not shown: {stderr}"
    );
    world.set_config(
        "healthcheck_url",
        json!("https://hc.example.com/ping/abc?x=1"),
    );
    world.set_config("alert_webhook_url", Value::Null);
    let (code, _, stderr) = world.sync_code(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("/start and /fail"), "{stderr}");
}
