//! Neutralising CSV cells against formula injection, for files people open in a spreadsheet.
//!
//! A spreadsheet program that opens a CSV file runs a cell that starts with `=`, `+`, `-` or `@` as
//! a formula, and some strip a leading tab or carriage return first (OWASP, "CSV Injection"). Such
//! a cell gets a leading `'`, which spreadsheets read as "this is text". A cell that is a plain
//! number (`-5.00`, `+12`) is left alone: it cannot run anything, and quoting it would turn every
//! refund or negative adjustment into text that no longer sums.
// See: https://owasp.org/www-community/attacks/CSV_Injection

use std::borrow::Cow;

/// The first characters that make a spreadsheet treat a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell`, with a leading `'` when a spreadsheet would otherwise run it as a formula.
#[must_use]
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(first) if TRIGGERS.contains(&first) && !is_plain_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// An optional sign, digits, and optionally a point and more digits: nothing a formula needs.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_quoted_and_plain_values_kept() {
        let cases = [
            (
                "=HYPERLINK(\"http://x\",\"click\")",
                "'=HYPERLINK(\"http://x\",\"click\")",
            ),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("- 5", "'- 5"),
            ("-5.00", "-5.00"),
            ("+12", "+12"),
            ("-5", "-5"),
            ("02134", "02134"),
            ("#1001", "#1001"),
            ("a=b", "a=b"),
            ("", ""),
            ("Ünïcode = fine", "Ünïcode = fine"),
        ];
        for (cell, want) in cases {
            assert_eq!(neutralise(cell), want, "{cell:?}");
        }
    }
}
