//! A1 ranges as shopsync sends them: the title always quoted (apostrophes doubled), cells given by
//! zero-based column index and 1-based row, percent-encoded when placed in a URL path.
//!
//! See: <https://developers.google.com/workspace/sheets/api/guides/concepts#cell> (an unquoted title
//! that looks like a cell, such as `CRM26`, is read as a cell; quoting avoids it).

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The last column Google allows (`ZZZ`).
pub const MAX_COLUMNS: u32 = 18_278;

/// Everything but RFC 3986 unreserved characters is encoded (the discovery document's
/// `fullyEncodeReservedExpansion`).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Column letters for a zero-based index: `0` → `A`, `25` → `Z`, `26` → `AA`.
#[must_use]
pub fn column_letters(index: u32) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The zero-based index of column letters (`A` → 0); `None` for anything but 1–3 letters up to `ZZZ`.
#[must_use]
pub fn column_index(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        let b = b.to_ascii_uppercase();
        if !b.is_ascii_uppercase() {
            return None;
        }
        n = n * 26 + u32::from(b - b'A' + 1);
    }
    (n <= MAX_COLUMNS).then(|| n - 1)
}

/// Percent-encodes one URL path segment (a range, a spreadsheet ID).
#[must_use]
pub fn encode_segment(text: &str) -> String {
    utf8_percent_encode(text, PATH_SEGMENT).to_string()
}

/// A range on one tab. Columns are zero-based indexes, rows 1-based; `None` means unbounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct A1Range {
    /// The tab title, unquoted.
    pub sheet: String,
    /// First column.
    pub first_col: Option<u32>,
    /// First row.
    pub first_row: Option<u32>,
    /// Last column (inclusive).
    pub last_col: Option<u32>,
    /// Last row (inclusive).
    pub last_row: Option<u32>,
}

impl A1Range {
    /// The whole tab.
    #[must_use]
    pub fn sheet(title: &str) -> Self {
        Self {
            sheet: title.to_owned(),
            first_col: None,
            first_row: None,
            last_col: None,
            last_row: None,
        }
    }

    /// A rectangle: columns `c0..=c1`, rows `r0..=r1`.
    #[must_use]
    pub fn cells(title: &str, c0: u32, r0: u32, c1: u32, r1: u32) -> Self {
        Self {
            sheet: title.to_owned(),
            first_col: Some(c0),
            first_row: Some(r0),
            last_col: Some(c1),
            last_row: Some(r1),
        }
    }

    /// Whole columns `c0..=c1` (`'T'!B:D`).
    #[must_use]
    pub fn columns(title: &str, c0: u32, c1: u32) -> Self {
        Self {
            sheet: title.to_owned(),
            first_col: Some(c0),
            first_row: None,
            last_col: Some(c1),
            last_row: None,
        }
    }

    /// Whole row `row` (`'T'!1:1`).
    #[must_use]
    pub fn row(title: &str, row: u32) -> Self {
        Self {
            sheet: title.to_owned(),
            first_col: None,
            first_row: Some(row),
            last_col: None,
            last_row: Some(row),
        }
    }

    /// The quoted title (`'Bob''s Orders'`).
    #[must_use]
    pub fn quoted_title(&self) -> String {
        format!("'{}'", self.sheet.replace('\'', "''"))
    }

    /// The range percent-encoded for a URL path.
    #[must_use]
    pub fn encoded(&self) -> String {
        encode_segment(&self.to_string())
    }

    /// Parses a range as Google prints it in replies (`Orders!A2:C9`, `'My Tab'!B5`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (sheet, cells) = if let Some(rest) = text.strip_prefix('\'') {
            let mut title = String::new();
            let mut iter = rest.char_indices().peekable();
            let mut tail = None;
            while let Some((i, c)) = iter.next() {
                if c == '\'' {
                    if matches!(iter.peek(), Some((_, '\''))) {
                        iter.next();
                        title.push('\'');
                    } else {
                        tail = Some(&rest[i + 1..]);
                        break;
                    }
                } else {
                    title.push(c);
                }
            }
            (title, tail?.strip_prefix('!').unwrap_or(""))
        } else {
            match text.rsplit_once('!') {
                Some((t, c)) => (t.to_owned(), c),
                None => (text.to_owned(), ""),
            }
        };
        let mut range = Self::sheet(&sheet);
        if cells.is_empty() {
            return Some(range);
        }
        let (a, b) = cells.split_once(':').unwrap_or((cells, cells));
        let (c0, r0) = split_cell(a)?;
        let (c1, r1) = split_cell(b)?;
        range.first_col = c0;
        range.first_row = r0;
        range.last_col = c1;
        range.last_row = r1;
        Some(range)
    }
}

fn split_cell(text: &str) -> Option<(Option<u32>, Option<u32>)> {
    let at = text
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(text.len());
    let (letters, digits) = text.split_at(at);
    let col = if letters.is_empty() {
        None
    } else {
        Some(column_index(letters)?)
    };
    let row = if digits.is_empty() {
        None
    } else {
        Some(digits.parse().ok().filter(|n| *n > 0)?)
    };
    Some((col, row))
}

impl fmt::Display for A1Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.quoted_title())?;
        let part = |col: Option<u32>, row: Option<u32>| {
            format!(
                "{}{}",
                col.map(column_letters).unwrap_or_default(),
                row.map(|r| r.to_string()).unwrap_or_default()
            )
        };
        let start = part(self.first_col, self.first_row);
        let end = part(self.last_col, self.last_row);
        if start.is_empty() && end.is_empty() {
            return Ok(());
        }
        // A single cell prints once (`B5`); a whole row stays a range (`1:1`).
        if start == end && self.first_col.is_some() && self.first_row.is_some() {
            write!(f, "!{start}")
        } else {
            write!(f, "!{start}:{end}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_round_trip() {
        for (index, letters) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (701, "ZZ"),
            (702, "AAA"),
            (18_277, "ZZZ"),
        ] {
            assert_eq!(column_letters(index), letters);
            assert_eq!(column_index(letters), Some(index));
        }
        assert_eq!(column_index("AAAA"), None);
        assert_eq!(column_index("A1"), None);
    }

    #[test]
    fn titles_are_quoted_and_apostrophes_doubled() {
        assert_eq!(
            A1Range::cells("Bob's Orders", 0, 2, 3, 9).to_string(),
            "'Bob''s Orders'!A2:D9"
        );
        assert_eq!(A1Range::columns("CRM26", 1, 1).to_string(), "'CRM26'!B:B");
        assert_eq!(A1Range::row("Orders", 1).to_string(), "'Orders'!1:1");
        assert_eq!(A1Range::sheet("Orders").to_string(), "'Orders'");
        assert_eq!(A1Range::cells("O", 1, 5, 1, 5).to_string(), "'O'!B5");
    }

    #[test]
    fn ranges_are_fully_percent_encoded() {
        assert_eq!(A1Range::row("Sheet1", 1).encoded(), "%27Sheet1%27%211%3A1");
        assert_eq!(
            A1Range::cells("Ünï code", 0, 1, 0, 1).encoded(),
            "%27%C3%9Cn%C3%AF%20code%27%21A1"
        );
    }

    #[test]
    fn google_replies_parse() {
        assert_eq!(
            A1Range::parse("Orders!A2:C9"),
            Some(A1Range::cells("Orders", 0, 2, 2, 9))
        );
        assert_eq!(
            A1Range::parse("'Bob''s'!B5"),
            Some(A1Range::cells("Bob's", 1, 5, 1, 5))
        );
        assert_eq!(
            A1Range::parse("Orders!A2:C"),
            Some(A1Range {
                last_row: None,
                ..A1Range::cells("Orders", 0, 2, 2, 0)
            })
        );
        assert_eq!(
            A1Range::parse("Orders!A2:C").unwrap().to_string(),
            "'Orders'!A2:C"
        );
        assert_eq!(A1Range::parse("'Orders'!A0"), None);
    }
}
