//! Cell values crossing the API: Google's 50,000-character limit and the truncation shopsync
//! applies (counted in UTF-16 units, cut on a character boundary, with a visible marker).

use serde_json::Value;

/// Google's limit on characters in one cell.
///
/// See: <https://support.google.com/drive/answer/37603>
pub const MAX_CELL_CHARS: usize = 50_000;

/// Appended to a truncated cell so a reader sees it was cut.
pub const TRUNCATION_MARKER: &str = "… [truncated by shopsync]";

/// The text cut to fit one cell, marker included, or `None` when it already fits.
///
/// Length is counted in UTF-16 code units (as Sheets counts), so an emoji counts two; the cut
/// never splits a character.
#[must_use]
pub fn truncate_cell(text: &str) -> Option<String> {
    // Each UTF-8 byte is at most one UTF-16 unit, so the byte length is a cheap first test.
    if text.len() <= MAX_CELL_CHARS || utf16_len(text) <= MAX_CELL_CHARS {
        return None;
    }
    let budget = MAX_CELL_CHARS - utf16_len(TRUNCATION_MARKER);
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    Some(format!("{}{TRUNCATION_MARKER}", &text[..end]))
}

/// The length of `text` in UTF-16 code units, which is how Sheets counts a cell's characters.
#[must_use]
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// A cell read back as text, for comparing keys: strings trimmed, whole numbers without a
/// fraction (`1001.0` and `1001` both give `"1001"`), booleans as Sheets shows them, blank as `""`.
///
/// A key typed by hand (or reformatted as a number by a person) still matches its row this way.
#[must_use]
pub fn cell_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Value::Bool(true) => "TRUE".to_owned(),
        Value::Bool(false) => "FALSE".to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16_len(s: &str) -> usize {
        s.encode_utf16().count()
    }

    #[test]
    fn short_cells_are_left_alone() {
        assert_eq!(truncate_cell("hello"), None);
        assert_eq!(truncate_cell(&"x".repeat(MAX_CELL_CHARS)), None);
    }

    #[test]
    fn long_cells_fit_exactly_with_the_marker() {
        let cut = truncate_cell(&"x".repeat(MAX_CELL_CHARS + 1)).unwrap();
        assert_eq!(utf16_len(&cut), MAX_CELL_CHARS);
        assert!(cut.ends_with(TRUNCATION_MARKER));
    }

    #[test]
    fn emoji_count_two_units_and_are_never_split() {
        // 25,001 emoji = 50,002 UTF-16 units: over the limit though only 25,001 chars.
        let text = "😀".repeat(25_001);
        let cut = truncate_cell(&text).unwrap();
        assert!(utf16_len(&cut) <= MAX_CELL_CHARS);
        let body = cut.strip_suffix(TRUNCATION_MARKER).unwrap();
        assert!(body.chars().all(|c| c == '😀'));
        assert!(utf16_len(&cut) >= MAX_CELL_CHARS - 1);
    }

    #[test]
    fn keys_read_back_as_text_match_however_they_were_typed() {
        use serde_json::json;
        assert_eq!(cell_text(&json!(" 1001 ")), "1001");
        assert_eq!(cell_text(&json!(1001)), "1001");
        assert_eq!(cell_text(&json!(1001.0)), "1001");
        assert_eq!(cell_text(&json!(19.99)), "19.99");
        assert_eq!(cell_text(&json!(true)), "TRUE");
        assert_eq!(cell_text(&Value::Null), "");
    }
}
