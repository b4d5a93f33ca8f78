//! `report --html FILE`: one self-contained page, rendered by headless Chromium and checked from
//! its screenshot: not blank, and the charts have their bars.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shopsync::store::RunOutcome;

use crate::fixture::{DB, populate};
use crate::support::{Sandbox, tool};

/// The bar colours of the page's stylesheet (`.bar-revenue`, `.bar-orders`).
const REVENUE_BAR: [u8; 3] = [0x2f, 0x85, 0x5a];
const ORDERS_BAR: [u8; 3] = [0xc0, 0x56, 0x21];

fn write_page(sandbox: &Sandbox) -> String {
    populate(sandbox, RunOutcome::Success);
    sandbox
        .cmd(&["report", "--html", "report.html"])
        .env("SHOPSYNC_DB", DB)
        .assert()
        .success()
        .stdout("Wrote the report to report.html.\n");
    std::fs::read_to_string(sandbox.file("report.html")).expect("the page")
}

#[test]
fn the_page_is_self_contained_with_a_bar_per_day_and_every_section() {
    let sandbox = Sandbox::new();
    let page = write_page(&sandbox);
    // Nothing to fetch: no script, stylesheet, image, font or link (a product title's URL is text,
    // and SVG's namespace name is never fetched).
    for outside in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "@import",
        "@font-face",
        "url(",
        "src=",
        "href=",
    ] {
        assert!(
            !page.contains(outside),
            "the page loads something: {outside}"
        );
    }
    assert!(
        page.contains("=HYPERLINK(&quot;http://evil.example&quot;"),
        "titles are escaped"
    );
    // Seven days: a rect each per chart, drawn or of zero height.
    assert_eq!(page.matches("class=\"bar bar-revenue\"").count(), 7);
    assert_eq!(page.matches("class=\"bar bar-orders\"").count(), 7);
    for section in [
        "Revenue",
        "Net revenue per day, USD",
        "Orders per day",
        "Top products by quantity",
        "Sync runs",
        "Open errors",
    ] {
        assert!(page.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    assert!(page.contains("81.50 USD"), "totals in money's one format");
    assert!(page.contains("Red Mug"));
    // Written whole: no temporary file left beside it.
    let left: Vec<_> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn report_html_and_json_together_is_a_usage_error() {
    let sandbox = Sandbox::new();
    sandbox
        .cmd(&["report", "--html", "r.html", "--json"])
        .assert()
        .code(2);
    assert!(!sandbox.file("r.html").exists());
}

/// Chromium's screenshot of `page`, decoded: (width, height, RGB pixels).
fn screenshot(chromium: &Path, page: &Path, dir: &Path) -> (u32, u32, Vec<u8>) {
    let png = dir.join("shot.png");
    let profile = dir.join("profile");
    std::fs::create_dir(&profile).unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=900,1100")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium took over two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png).expect("chromium wrote no screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let step = info.color_type.samples();
    assert!(step >= 3, "{:?}", info.color_type);
    let rgb = buf[..info.buffer_size()]
        .chunks(step)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, rgb)
}

/// How many separate vertical bars of `color` the image has: runs of columns with such pixels.
fn bars(width: u32, rgb: &[u8], color: [u8; 3]) -> usize {
    let near = |p: &[u8]| p.iter().zip(color).all(|(a, b)| a.abs_diff(b) <= 8);
    let width = width as usize;
    let mut columns = vec![0usize; width];
    for (i, pixel) in rgb.chunks(3).enumerate() {
        if near(pixel) {
            columns[i % width] += 1;
        }
    }
    // A bar is at least a few pixels tall and wide.
    let lit: Vec<bool> = columns.iter().map(|&n| n >= 3).collect();
    let mut runs = 0;
    let mut width_of_run = 0;
    for (i, &on) in lit.iter().enumerate() {
        if on {
            width_of_run += 1;
        }
        if width_of_run > 0 && (!on || i + 1 == lit.len()) {
            if width_of_run >= 3 {
                runs += 1;
            }
            width_of_run = 0;
        }
    }
    runs
}

#[test]
fn chromium_renders_the_page_with_its_bars() {
    let Some(chromium) = tool("chromium") else {
        return;
    };
    let sandbox = Sandbox::new();
    write_page(&sandbox);
    let (width, height, rgb) = screenshot(&chromium, &sandbox.file("report.html"), sandbox.path());
    assert_eq!((width, height), (900, 1100));
    let inked = rgb.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
    assert!(
        inked > rgb.len() / 3 / 100,
        "the screenshot is blank: {inked} dark pixels"
    );
    // USD revenue on two days (the third day's order is in EUR), an order on each of three days.
    assert_eq!(bars(width, &rgb, REVENUE_BAR), 2, "revenue bars");
    assert_eq!(bars(width, &rgb, ORDERS_BAR), 3, "orders bars");
}
