//! Progress bars on a terminal (stderr), nothing anywhere else, and the stderr writer that log
//! lines go through so that they print above the bars instead of into them.

use std::io::IsTerminal as _;
use std::sync::{Once, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::sync::Observer;

/// Every bar of the process, drawn together on stderr (hidden when stderr is not a terminal).
///
/// One per process, like stderr itself and the global tracing subscriber that writes to it: a log
/// line must be printed through the same `MultiProgress` that draws the bars, which lifts them out
/// of the way and redraws them below the line.
fn screen() -> &'static MultiProgress {
    static SCREEN: OnceLock<MultiProgress> = OnceLock::new();
    SCREEN.get_or_init(|| {
        if std::io::stderr().is_terminal() {
            MultiProgress::new()
        } else {
            MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
        }
    })
}

/// Stderr for log lines: each line is written with the bars cleared, then the bars are redrawn
/// below it. Without a terminal it is plain stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrAboveBars;

impl tracing_subscriber::fmt::MakeWriter<'_> for StderrAboveBars {
    type Writer = Self;

    fn make_writer(&self) -> Self::Writer {
        *self
    }
}

impl std::io::Write for StderrAboveBars {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter hands over each event whole, so one call is one line or more.
        screen().suspend(|| std::io::stderr().lock().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Shows fetching and writing progress when stderr is a terminal.
#[derive(Debug)]
pub struct Bars {
    fetch: ProgressBar,
    write: ProgressBar,
    /// The write bar joins the screen at the first batch written (many runs write nothing).
    write_shown: Once,
}

impl Bars {
    /// Bars when stderr is a terminal and not quiet; hidden ones otherwise.
    #[must_use]
    pub fn new(quiet: bool) -> Self {
        let hidden = Self {
            fetch: ProgressBar::hidden(),
            write: ProgressBar::hidden(),
            write_shown: Once::new(),
        };
        if quiet || !std::io::stderr().is_terminal() {
            return hidden;
        }
        let fetch = screen().add(ProgressBar::new_spinner().with_message("fetching orders"));
        fetch.set_style(
            ProgressStyle::with_template("{spinner} {msg}: {pos} orders ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        fetch.enable_steady_tick(Duration::from_millis(120));
        hidden.write.set_style(
            ProgressStyle::with_template("  writing rows [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self { fetch, ..hidden }
    }

    /// Clears the bars, so that the summary printed next stands alone.
    pub fn finish(&self) {
        self.fetch.finish_and_clear();
        self.write.finish_and_clear();
        // Bars that were never drawn leave nothing; `clear` erases any line still held.
        let _ = screen().clear();
    }
}

impl Observer for Bars {
    fn fetched(&self, orders: u64) {
        self.fetch.set_position(orders);
    }

    fn writing(&self, rows: u64) {
        if self.fetch.is_hidden() {
            return;
        }
        self.write_shown.call_once(|| {
            screen().add(self.write.clone());
        });
        self.write.set_length(rows);
        self.write.set_position(0);
    }

    fn wrote(&self, rows: u64) {
        self.write.set_position(rows);
    }
}
