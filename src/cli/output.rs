//! Rendering for people and for programs: aligned tables, colour only on a terminal, and `--json`.
//!
//! Only `cli` writes to stdout; this is where it does.

use std::io::{IsTerminal as _, Write as _};

use comfy_table::{LineStyle, Table, TableStyle};
use serde::Serialize;

/// Where and how a command prints.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: one JSON object on stdout, nothing else there.
    pub json: bool,
    /// stdout is a terminal.
    pub tty: bool,
    /// Colour is allowed: a terminal, and `NO_COLOR` unset or empty.
    pub color: bool,
}

impl Output {
    /// Looks at the real stdout and environment.
    #[must_use]
    pub fn detect(json: bool) -> Self {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            json,
            tty,
            color: tty && !no_color,
        }
    }

    /// Prints `value` as one JSON object and a newline.
    ///
    /// # Errors
    /// Writing to stdout failed (a broken pipe is classified as exit 0 by the caller).
    pub fn print_json<T: Serialize>(&self, value: &T) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)
    }

    /// Prints text followed by a newline.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn line(&self, text: impl std::fmt::Display) -> std::io::Result<()> {
        writeln!(std::io::stdout().lock(), "{text}")
    }

    /// A table with these column headers, styled for where it goes.
    #[must_use]
    pub fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        // A rule under the header and nothing else, like `ls -l` or `cargo tree`: dense tables
        // stay readable at 80 columns.
        let rule = if self.tty { '─' } else { '-' };
        table.load_style(
            TableStyle::new().header_separator(LineStyle::none().fill(rule).junction(' ')),
        );
        if !self.color {
            table.force_no_tty();
        }
        table.set_header(header.iter().copied());
        table
    }

    /// `text` in the given colour when colour is allowed.
    #[must_use]
    pub fn paint(&self, text: &str, color: Color) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match color {
            Color::Green => 32,
            Color::Yellow => 33,
            Color::Red => 31,
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// The few colours shopsync uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Success.
    Green,
    /// Needs a look.
    Yellow,
    /// Failure.
    Red,
}

/// Formats an optional value for a table cell: `-` when absent.
#[must_use]
pub fn or_dash(value: Option<impl std::fmt::Display>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
