//! Progress bars on a terminal (stderr), nothing anywhere else.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::sync::Observer;

/// Shows fetching and writing progress when stderr is a terminal.
#[derive(Debug)]
pub struct Bars {
    fetch: ProgressBar,
    write: ProgressBar,
}

impl Bars {
    /// Bars when stderr is a terminal and not quiet; hidden ones otherwise.
    #[must_use]
    pub fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self {
                fetch: ProgressBar::hidden(),
                write: ProgressBar::hidden(),
            };
        }
        let fetch = ProgressBar::new_spinner().with_message("fetching orders");
        fetch.set_style(
            ProgressStyle::with_template("{spinner} {msg}: {pos} orders ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        fetch.enable_steady_tick(Duration::from_millis(120));
        let write = ProgressBar::hidden();
        Self { fetch, write }
    }

    /// Clears the bars before the summary is printed.
    pub fn finish(&self) {
        self.fetch.finish_and_clear();
        self.write.finish_and_clear();
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
        self.write
            .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.write.set_length(rows);
        self.write.set_position(0);
        self.write.set_style(
            ProgressStyle::with_template("  writing rows [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    }

    fn wrote(&self, rows: u64) {
        self.write.set_position(rows);
    }
}
