//! The tab and header policy, once: given the tab titles and `sheetId`s of the spreadsheet, the
//! configured title, the tab the tracking DB is bound to, row 1 and whether rows lie below it,
//! whether shopsync creates the tab, adopts it (adding its missing owned headers at the right), or
//! refuses it, and in which words.
//!
//! The sync acts on the verdict ([`crate::sync::run::sheet::SheetSide::open`] creates or adopts);
//! `validate` maps it to pass, warn or fail. Neither decides anything of its own. DESIGN.md
//! section 9, "Owned columns": a duplicated owned header, or a tab with data but without the key
//! headers, is refused; a tab without data rows is adopted whatever its row 1 holds.

use serde_json::Value;

use super::columns::{Column, KEY_COLUMNS};
use super::header::HeaderLayout;
use crate::sheets::column_letters;

/// Why shopsync refuses the configured tab; the CLI reports these as configuration errors (exit 2).
///
/// Each message is "what is wrong; what to do", which `validate` splits into detail and hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TabError {
    /// The tab the tracking DB is bound to was renamed.
    #[error(
        "tab \"{tab}\" was renamed to \"{now}\"; rename it back, or set worksheet to \"{now}\""
    )]
    Renamed {
        /// The configured title.
        tab: String,
        /// Its title now.
        now: String,
    },
    /// The tab the tracking DB is bound to is gone; shopsync will not start a second copy.
    #[error(
        "tab \"{tab}\" is gone from the spreadsheet although rows were written to it; restore it \
         (File > Version history), or point database_path (SHOPSYNC_DB) at a new file to start \
         over in a fresh tab"
    )]
    Gone {
        /// The configured title.
        tab: String,
    },
    /// An owned header appears in more than one column, so shopsync cannot tell which one to write.
    #[error(
        "tab \"{tab}\" has the header \"{header}\" in {} columns ({}); keep one of them and rename the others",
        columns.len(),
        letters(columns)
    )]
    DuplicateHeader {
        /// The tab's title.
        tab: String,
        /// The duplicated header.
        header: &'static str,
        /// The 0-based indexes of the columns holding it.
        columns: Vec<usize>,
    },
    /// The tab holds data but lacks one or both key headers: probably a sheet made by another tool.
    #[error(
        "tab \"{tab}\" holds data but has no \"{}\" header in row 1, so it does not look like a shopsync \
         sheet; point `worksheet` at a new or empty tab, or add the missing header(s) above the right column",
        missing.join("\" or \"")
    )]
    ForeignLayout {
        /// The tab's title.
        tab: String,
        /// The key headers that are missing.
        missing: Vec<&'static str>,
    },
}

/// The tab the tracking DB is bound to (its `sheetId`), as the spreadsheet has it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundTab<'a> {
    /// Nothing was written yet: a missing tab is simply created.
    Unbound,
    /// The bound tab exists, with this title.
    Titled(&'a str),
    /// No tab has the bound `sheetId` any more.
    Gone,
}

/// Row 1 of an existing tab, and whether any row below it holds a value.
#[derive(Debug, Clone, PartialEq)]
pub struct TabRead {
    /// Row 1 as read (ragged, any JSON values).
    pub row1: Vec<Value>,
    /// Whether a row below the header holds a value; only read when it matters
    /// ([`needs_rows_below`]), `false` otherwise.
    pub rows_below: bool,
}

/// What the policy is asked about.
#[derive(Debug, Clone, Copy)]
pub struct TabFacts<'a> {
    /// The configured title (`worksheet`).
    pub title: &'a str,
    /// The tab with that title, read; `None` when the spreadsheet has no such tab.
    pub read: Option<&'a TabRead>,
    /// The tab the DB is bound to.
    pub bound: BoundTab<'a>,
}

/// What shopsync does with the configured tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TabVerdict {
    /// No tab has the title and nothing was written yet: create it with every owned header.
    Create(HeaderLayout),
    /// The tab is shopsync's, or holds no data: use it, after writing the missing owned headers
    /// ([`HeaderLayout::additions`]).
    Adopt {
        /// Where each owned column is, additions included.
        layout: HeaderLayout,
        /// Row 1 was blank: the header written is the tab's first, so row 1 gets frozen.
        blank: bool,
    },
}

impl TabVerdict {
    /// The layout the run writes with.
    #[must_use]
    pub fn layout(&self) -> &HeaderLayout {
        match self {
            TabVerdict::Create(layout) | TabVerdict::Adopt { layout, .. } => layout,
        }
    }
}

/// Whether the verdict on a tab with this row 1 depends on rows below it (a key header is
/// missing), so the caller reads them only then.
#[must_use]
pub fn needs_rows_below(row1: &[Value]) -> bool {
    KEY_COLUMNS.into_iter().any(|key| {
        !row1
            .iter()
            .any(|cell| cell.as_str().and_then(Column::from_header) == Some(key))
    })
}

/// The verdict on the configured tab.
///
/// # Errors
/// [`TabError::Renamed`] / [`TabError::Gone`] when the title is missing but the DB is bound to a
/// tab; [`TabError::DuplicateHeader`] and [`TabError::ForeignLayout`] from row 1.
pub fn judge(facts: &TabFacts<'_>) -> Result<TabVerdict, TabError> {
    let title = facts.title;
    let Some(read) = facts.read else {
        return match facts.bound {
            BoundTab::Unbound => Ok(TabVerdict::Create(HeaderLayout::fresh())),
            BoundTab::Titled(now) => Err(TabError::Renamed {
                tab: title.to_owned(),
                now: now.to_owned(),
            }),
            BoundTab::Gone => Err(TabError::Gone {
                tab: title.to_owned(),
            }),
        };
    };
    let layout = HeaderLayout::analyze(title, &read.row1, read.rows_below)?;
    let blank = read.row1.iter().all(|cell| match cell {
        Value::String(s) => s.trim().is_empty(),
        Value::Null => true,
        _ => false,
    });
    Ok(TabVerdict::Adopt { layout, blank })
}

/// Column letters (`A`, `Z`, `AA`) for 0-based indexes, for messages only.
fn letters(columns: &[usize]) -> String {
    columns
        .iter()
        .map(|&index| column_letters(u32::try_from(index).unwrap_or(u32::MAX)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "tab_tests.rs"]
mod tests;
