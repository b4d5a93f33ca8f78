//! The emulator's own A1-notation parser and printer (every form Google documents).
//!
//! Written from the Sheets "concepts" page and the recorded traffic, independently of the client's
//! range type: `Sheet1`, `'My Sheet'!A1:B2`, `A:A`, `1:2`, `A5:A`, `A1:1`, a bare `A1:B2` (first
//! sheet), and the pitfall that an unquoted title that looks like a cell (`CRM26`) is a cell.

/// The largest column Google accepts (`ZZZ`).
pub const MAX_COLUMNS: u32 = 18_278;

/// One end of an A1 range: a column, a row, or both (all zero-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The zero-based column, when given.
    pub col: Option<u32>,
    /// The zero-based row, when given.
    pub row: Option<u32>,
}

/// A parsed A1 range before it is resolved against a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRange {
    /// The sheet title, or `None` for the first visible sheet.
    pub sheet: Option<String>,
    /// The start cell; `None` when the range names a whole sheet.
    pub start: Option<Endpoint>,
    /// The end cell of a two-part range.
    pub end: Option<Endpoint>,
}

/// A range resolved against a sheet's grid: half-open, zero-based, with unbounded sides filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridRect {
    /// First row.
    pub r0: u32,
    /// One past the last row.
    pub r1: u32,
    /// First column.
    pub c0: u32,
    /// One past the last column.
    pub c1: u32,
}

impl GridRect {
    /// Rows covered.
    #[must_use]
    pub fn rows(&self) -> u32 {
        self.r1.saturating_sub(self.r0)
    }

    /// Columns covered.
    #[must_use]
    pub fn cols(&self) -> u32 {
        self.c1.saturating_sub(self.c0)
    }
}

/// Column letters for a zero-based index (`0` → `A`, `26` → `AA`).
#[must_use]
pub fn col_name(mut index: u32) -> String {
    let mut out = Vec::new();
    index += 1;
    while index > 0 {
        let rem = (index - 1) % 26;
        out.push(b'A' + u8::try_from(rem).unwrap_or(0));
        index = (index - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn col_index(letters: &str) -> Option<u32> {
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

fn parse_endpoint(text: &str) -> Option<Endpoint> {
    let split = text
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(text.len());
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() && digits.is_empty() {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = if letters.is_empty() {
        None
    } else {
        Some(col_index(letters)?)
    };
    let row = if digits.is_empty() {
        None
    } else {
        let n: u32 = digits.parse().ok()?;
        if n == 0 {
            return None;
        }
        Some(n - 1)
    };
    Some(Endpoint { col, row })
}

/// Parses the cell part (`A1`, `A1:B2`, `A:A`, `1:2`, `A5:A`, `A1:1`).
fn parse_cells(text: &str) -> Option<(Endpoint, Option<Endpoint>)> {
    let (a, b) = match text.split_once(':') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let start = parse_endpoint(a)?;
    match b {
        None => {
            // A lone column or row (`A`, `5`) is not a range.
            (start.col.is_some() && start.row.is_some()).then_some((start, None))
        }
        Some(b) => {
            let end = parse_endpoint(b)?;
            // `A:5` mixes a whole column with a whole row.
            let whole_col = start.row.is_none() && end.row.is_none();
            let whole_row = start.col.is_none() && end.col.is_none();
            let ok = whole_col
                || whole_row
                || (start.col.is_some() && start.row.is_some())
                || (end.col.is_some() && end.row.is_some());
            if (start.col.is_none()
                && end.col.is_some()
                && end.row.is_some()
                && start.row.is_some())
                || !ok
            {
                return None;
            }
            Some((start, Some(end)))
        }
    }
}

/// Parses any A1 form Google accepts; `None` is "Unable to parse range".
#[must_use]
pub fn parse(text: &str) -> Option<ParsedRange> {
    if text.is_empty() {
        return None;
    }
    if let Some(rest) = text.strip_prefix('\'') {
        // Quoted title: '' is an escaped apostrophe.
        let mut title = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut after = None;
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if matches!(chars.peek(), Some((_, '\''))) {
                    chars.next();
                    title.push('\'');
                } else {
                    after = Some(&rest[i + 1..]);
                    break;
                }
            } else {
                title.push(c);
            }
        }
        let after = after?;
        if title.is_empty() {
            return None;
        }
        if after.is_empty() {
            return Some(ParsedRange {
                sheet: Some(title),
                start: None,
                end: None,
            });
        }
        let cells = after.strip_prefix('!')?;
        let (start, end) = parse_cells(cells)?;
        return Some(ParsedRange {
            sheet: Some(title),
            start: Some(start),
            end,
        });
    }
    if let Some((title, cells)) = text.rsplit_once('!') {
        if title.is_empty() || title.contains('\'') {
            return None;
        }
        let (start, end) = parse_cells(cells)?;
        return Some(ParsedRange {
            sheet: Some(title.to_owned()),
            start: Some(start),
            end,
        });
    }
    // No `!`: a cell range on the first sheet if it parses as one (the `CRM26` pitfall), else a title.
    if let Some((start, end)) = parse_cells(text) {
        return Some(ParsedRange {
            sheet: None,
            start: Some(start),
            end,
        });
    }
    if text.contains(':') {
        return None;
    }
    Some(ParsedRange {
        sheet: Some(text.to_owned()),
        start: None,
        end: None,
    })
}

/// Whether Google prints this title without quotes in the ranges it returns.
fn plain_title(title: &str) -> bool {
    let mut chars = title.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && title.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && parse_cells(title).is_none()
}

/// The sheet-title prefix as Google prints it (quoted only when needed).
#[must_use]
pub fn title_prefix(title: &str) -> String {
    if plain_title(title) {
        title.to_owned()
    } else {
        format!("'{}'", title.replace('\'', "''"))
    }
}

/// Prints a resolved rectangle the way Google does in `range`/`updatedRange` (`Sheet1!A1:B2`, `Sheet1!B1`).
#[must_use]
pub fn format(title: &str, rect: GridRect) -> String {
    let prefix = title_prefix(title);
    let a = format!("{}{}", col_name(rect.c0), rect.r0 + 1);
    if rect.rows() <= 1 && rect.cols() <= 1 {
        return format!("{prefix}!{a}");
    }
    format!(
        "{prefix}!{a}:{}{}",
        col_name(rect.c1.saturating_sub(1)),
        rect.r1.max(1)
    )
}

/// Resolves the cell part of a parsed range against a grid of `rows` × `cols`.
///
/// Unbounded sides extend to the grid's edge; `Err` carries the "exceeds grid limits" case.
pub fn resolve(parsed: &ParsedRange, rows: u32, cols: u32) -> Result<GridRect, ()> {
    let Some(start) = parsed.start else {
        return Ok(GridRect {
            r0: 0,
            r1: rows,
            c0: 0,
            c1: cols,
        });
    };
    let end = parsed.end.unwrap_or(start);
    let (r0, r1) = match (start.row, end.row) {
        (Some(a), Some(b)) => (a.min(b), a.max(b) + 1),
        (Some(a), None) => (a, rows.max(a + 1)),
        (None, Some(b)) => (0, b + 1),
        (None, None) => (0, rows),
    };
    let (c0, c1) = match (start.col, end.col) {
        (Some(a), Some(b)) => (a.min(b), a.max(b) + 1),
        (Some(a), None) => (a, cols.max(a + 1)),
        (None, Some(b)) => (0, b + 1),
        (None, None) => (0, cols),
    };
    if r0 >= rows.max(1) || c0 >= cols.max(1) {
        return Err(());
    }
    Ok(GridRect { r0, r1, c0, c1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(col: Option<u32>, row: Option<u32>) -> Endpoint {
        Endpoint { col, row }
    }

    #[test]
    fn every_documented_form_parses() {
        let cases = [
            ("Sheet1", Some("Sheet1"), None, None),
            ("'My Sheet'", Some("My Sheet"), None, None),
            (
                "Sheet1!A1:B2",
                Some("Sheet1"),
                Some(ep(Some(0), Some(0))),
                Some(ep(Some(1), Some(1))),
            ),
            (
                "Sheet1!A:A",
                Some("Sheet1"),
                Some(ep(Some(0), None)),
                Some(ep(Some(0), None)),
            ),
            (
                "Sheet1!1:2",
                Some("Sheet1"),
                Some(ep(None, Some(0))),
                Some(ep(None, Some(1))),
            ),
            (
                "Sheet1!A5:A",
                Some("Sheet1"),
                Some(ep(Some(0), Some(4))),
                Some(ep(Some(0), None)),
            ),
            (
                "'Sheet1'!A1:1",
                Some("Sheet1"),
                Some(ep(Some(0), Some(0))),
                Some(ep(None, Some(0))),
            ),
            (
                "A1:B2",
                None,
                Some(ep(Some(0), Some(0))),
                Some(ep(Some(1), Some(1))),
            ),
            ("CRM26", None, Some(ep(Some(2508), Some(25))), None),
            (
                "'Jon''s Data'!B3",
                Some("Jon's Data"),
                Some(ep(Some(1), Some(2))),
                None,
            ),
        ];
        for (text, sheet, start, end) in cases {
            let parsed = parse(text).unwrap_or_else(|| panic!("{text} did not parse"));
            assert_eq!(parsed.sheet.as_deref(), sheet, "{text}");
            assert_eq!(parsed.start, start, "{text}");
            assert_eq!(parsed.end, end, "{text}");
        }
    }

    #[test]
    fn malformed_ranges_are_refused() {
        for text in [
            "",
            "'unterminated",
            "Sheet1!",
            "Sheet1!A",
            "Sheet1!A1:",
            "''!A1",
            "A:5x",
        ] {
            assert!(parse(text).is_none(), "{text} parsed");
        }
    }

    #[test]
    fn ranges_print_like_google() {
        let rect = GridRect {
            r0: 0,
            r1: 1,
            c0: 0,
            c1: 26,
        };
        assert_eq!(format("Sheet1", rect), "Sheet1!A1:Z1");
        assert_eq!(format("My Sheet", rect), "'My Sheet'!A1:Z1");
        assert_eq!(format("CRM26", rect), "'CRM26'!A1:Z1");
        let one = GridRect {
            r0: 0,
            r1: 1,
            c0: 1,
            c1: 2,
        };
        assert_eq!(format("Sheet1", one), "Sheet1!B1");
        assert_eq!(col_name(701), "ZZ");
        assert_eq!(col_name(702), "AAA");
    }

    #[test]
    fn resolving_clips_unbounded_sides_to_the_grid() {
        let p = parse("'Sheet1'!A1:1").unwrap();
        assert_eq!(
            resolve(&p, 1000, 26),
            Ok(GridRect {
                r0: 0,
                r1: 1,
                c0: 0,
                c1: 26
            })
        );
        let p = parse("Sheet1!A:A").unwrap();
        assert_eq!(resolve(&p, 10, 26).unwrap().r1, 10);
        let p = parse("Sheet1!A2000").unwrap();
        assert!(resolve(&p, 1000, 26).is_err());
    }
}
