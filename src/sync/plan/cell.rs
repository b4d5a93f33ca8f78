//! One owned cell's value as shopsync writes it, how it becomes JSON for a `RAW` write, how it is
//! hashed, how it compares with what the sheet holds, and cutting text to the cell limit (the
//! 50,000-character limit and its marker are the Sheets client's, [`crate::sheets::cells`]: one
//! rule, not re-exported here).
//!
//! Under `valueInputOption=RAW` a JSON string stays text (`=SUM(A1)`, `02134` and IDs keep their
//! form) and a JSON number stays a number (SHEETS-API.md section 5), so the type of each cell is
//! decided here, once.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::decimal_text::DecimalText;

/// A value shopsync writes into one of its own cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Nothing: written as `""` (a JSON `null` would leave the old value in place).
    Empty,
    /// Text, written as a JSON string and kept as text by `RAW` (never empty: see [`Cell::text`]).
    /// Shared, not copied, by the rows of one order that show the same order-level text.
    Text(Arc<str>),
    /// An exact decimal amount (money), written as a JSON number.
    Number(Decimal),
    /// A whole number (quantities), written as a JSON number.
    Integer(i64),
    /// A flag, written as a JSON boolean.
    Bool(bool),
}

impl Cell {
    /// A text cell, or [`Cell::Empty`] for empty text, so that both hash and compare alike.
    #[must_use]
    pub fn text(text: impl AsRef<str>) -> Cell {
        let text = text.as_ref();
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(Arc::from(text))
        }
    }

    /// A text cell from an optional value; `None` is [`Cell::Empty`].
    #[must_use]
    pub fn opt_text(text: Option<&str>) -> Cell {
        text.map_or(Cell::Empty, Cell::text)
    }

    /// Cuts a text cell to the cell limit: when it is longer than
    /// [`crate::sheets::MAX_CELL_CHARS`] UTF-16 units, keeps as many whole characters as fit
    /// before [`crate::sheets::TRUNCATION_MARKER`] and appends it. Returns whether it cut.
    pub fn truncate_to_cell_limit(&mut self) -> bool {
        let Cell::Text(text) = self else {
            return false;
        };
        match crate::sheets::truncate_cell(text) {
            Some(cut) => {
                *text = Arc::from(cut);
                true
            }
            None => false,
        }
    }

    /// The JSON value to send in a `RAW` write: `""` for empty, strings for text, numbers for
    /// amounts and quantities, booleans for flags.
    ///
    /// An amount becomes the double nearest to its decimal text (what a Sheets cell stores), and a
    /// whole amount a JSON integer; amounts of up to 15 significant digits read back exactly.
    #[must_use]
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Empty => Value::String(String::new()),
            Cell::Text(text) => Value::String(text.to_string()),
            Cell::Number(amount) => decimal_to_json(*amount),
            Cell::Integer(n) => Value::from(*n),
            Cell::Bool(b) => Value::Bool(*b),
        }
    }

    /// Appends [`Cell::to_json`] as JSON text to `out`, without building the value: a write
    /// request's body is encoded straight from the planned cells.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Empty => out.extend_from_slice(b"\"\""),
            Cell::Text(text) => write_json_string(out, text),
            Cell::Number(amount) => {
                // Rare enough (a few amounts a row) that the value route costs little, and it
                // keeps one rule for how an amount becomes a number.
                let value = decimal_to_json(*amount);
                serde_json::to_writer(&mut *out, &value).expect("writing to a Vec cannot fail");
            }
            Cell::Integer(n) => {
                use std::io::Write as _;
                write!(out, "{n}").expect("writing to a Vec cannot fail");
            }
            Cell::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        }
    }

    /// The length of [`Cell::to_json`] as JSON text, counted without building it (to size a
    /// batch of rows before it is written).
    #[must_use]
    pub fn json_len(&self) -> usize {
        match self {
            Cell::Empty => 2,
            // Most text needs no escape at all: one pass, eight bytes at a time, says so.
            Cell::Text(text) if !has_escape(text.as_bytes()) => 2 + text.len(),
            Cell::Text(text) => {
                let escapes: usize = text
                    .bytes()
                    .map(|b| match b {
                        b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
                        0..0x20 => 5,
                        _ => 0,
                    })
                    .sum();
                2 + text.len() + escapes
            }
            // The exact decimal text (what the double prints as for up to 15 digits), counted
            // from its digits and scale.
            Cell::Number(amount) => {
                let n = amount.normalize();
                let mantissa = n.mantissa();
                let digits = mantissa
                    .unsigned_abs()
                    .checked_ilog10()
                    .map_or(1, |d| d as usize + 1);
                let scale = n.scale() as usize;
                let body = if scale == 0 {
                    digits
                } else {
                    digits.max(scale + 1) + 1
                };
                body + usize::from(mantissa < 0)
            }
            Cell::Integer(n) => {
                let digits = n
                    .unsigned_abs()
                    .checked_ilog10()
                    .map_or(1, |d| d as usize + 1);
                digits + usize::from(*n < 0)
            }
            // `true` and `false` are as long as `TRUE` and `FALSE`.
            Cell::Bool(b) => bool_text(*b).len(),
        }
    }

    /// The cell as a person reads it, for dry-run files: text as is, amounts as exact decimals,
    /// flags as `TRUE`/`FALSE` (how Sheets shows them).
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.to_string(),
            Cell::Number(amount) => amount.normalize().to_string(),
            Cell::Integer(n) => n.to_string(),
            Cell::Bool(b) => bool_text(*b).to_owned(),
        }
    }

    /// Appends an unambiguous encoding of the cell (type tag, length, value) to `out`, for the
    /// content hash. Amounts are normalised decimal strings (`19.90` and `19.9` hash alike, since
    /// they write the same number).
    ///
    /// Written byte by byte, not with `format!`: every cell of every fetched row is hashed. The
    /// bytes are those of `format!("{tag}{len}:{text}")` (pinned by the tests of
    /// [`super::hash`]): existing DBs hold hashes of them.
    pub fn hash_into(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Empty => out.extend_from_slice(b"E0:"),
            Cell::Text(text) => tagged(out, b'T', text.as_bytes()),
            Cell::Number(amount) => {
                tagged(out, b'N', DecimalText::new(amount.normalize()).as_bytes());
            }
            Cell::Integer(n) => {
                let mut digits = itoa::Buffer::new();
                tagged(out, b'I', digits.format(*n).as_bytes());
            }
            Cell::Bool(true) => out.extend_from_slice(b"B4:TRUE"),
            Cell::Bool(false) => out.extend_from_slice(b"B5:FALSE"),
        }
    }

    /// Whether the sheet's current value (read with `UNFORMATTED_VALUE`) already shows this cell, so
    /// rewriting it would change nothing. Types must agree: the text `"19.99"` does not match the
    /// amount 19.99, since a rewrite would turn it back into a number.
    #[must_use]
    pub fn matches(&self, sheet: Option<&Value>) -> bool {
        let sheet = sheet.unwrap_or(&Value::Null);
        match (self, sheet) {
            (Cell::Empty, Value::Null) => true,
            (Cell::Empty, Value::String(s)) => s.is_empty(),
            (Cell::Text(text), Value::String(s)) => **text == **s,
            (Cell::Number(_) | Cell::Integer(_), Value::Number(_)) => {
                self.to_json().as_f64() == sheet.as_f64()
            }
            (Cell::Bool(b), Value::Bool(s)) => b == s,
            _ => false,
        }
    }
}

/// A sheet value as a person reads it, for the "before" side of dry-run files.
#[must_use]
pub fn display_sheet_value(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => bool_text(*b).to_owned(),
        Some(other) => other.to_string(),
    }
}

/// Appends `tag`, the length of `text` in decimal, `:` and `text` (the hash encoding of a cell).
fn tagged(out: &mut Vec<u8>, tag: u8, text: &[u8]) {
    let mut digits = itoa::Buffer::new();
    out.push(tag);
    out.extend_from_slice(digits.format(text.len()).as_bytes());
    out.push(b':');
    out.extend_from_slice(text);
}

/// Whether JSON escapes byte `b` in a string (a quote, a backslash, a control character).
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any byte of `bytes` needs a JSON escape ([`needs_escape`]), tested eight bytes at a
/// time: a batch's rows are measured byte by byte twice (to size the batch, then its requests),
/// and this was the busiest loop of a backfill.
fn has_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Some byte of `x` is below `n` (n <= 128) exactly when this is non-zero (a borrow can only
    // mark bytes above a byte that really is below `n`, so "any" is exact).
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let x = u64::from_ne_bytes(chunk.try_into().expect("chunks of eight bytes"));
        let control = below(x, 0x20);
        let quote = below(x ^ (ONES * u64::from(b'"')), 1);
        let backslash = below(x ^ (ONES * u64::from(b'\\')), 1);
        if control | quote | backslash != 0 {
            return true;
        }
    }
    chunks.remainder().iter().copied().any(needs_escape)
}

/// Appends `text` as a JSON string (quoted, escaped as serde_json escapes it). Most text needs
/// no escape: it is copied whole rather than escaped byte by byte.
fn write_json_string(out: &mut Vec<u8>, text: &str) {
    if has_escape(text.as_bytes()) {
        serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

fn decimal_to_json(amount: Decimal) -> Value {
    let decimal = DecimalText::new(amount.normalize());
    let text = decimal.as_str();
    if let Ok(whole) = text.parse::<i64>() {
        return Value::from(whole);
    }
    // Parsing the decimal text gives the correctly rounded double; serde_json then prints its
    // shortest representation, which is the original text for up to 15 significant digits.
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(text.to_owned()), Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheets::cells::utf16_len;
    use crate::sheets::{MAX_CELL_CHARS as MAX_CELL_UTF16, TRUNCATION_MARKER};
    use serde_json::json;
    use std::str::FromStr;

    /// [`Cell::truncate_to_cell_limit`] on text: whether it cut, and the text after.
    fn truncate_to_cell_limit(text: &mut String) -> bool {
        let mut cell = Cell::text(text.as_str());
        let cut = cell.truncate_to_cell_limit();
        *text = cell.display();
        cut
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn json_values_keep_their_type_and_exactness() {
        let cases: Vec<(Cell, &str)> = vec![
            (Cell::Empty, r#""""#),
            (Cell::text(""), r#""""#),
            (
                Cell::text("5501234567890123456"),
                r#""5501234567890123456""#,
            ),
            (Cell::text("02134"), r#""02134""#),
            (Cell::text("=IMPORTXML(\"x\")"), r#""=IMPORTXML(\"x\")""#),
            (Cell::text("+1 555 0100"), r#""+1 555 0100""#),
            (Cell::Number(dec("19.99")), "19.99"),
            (Cell::Number(dec("19.90")), "19.9"),
            (Cell::Number(dec("0.30")), "0.3"),
            (Cell::Number(dec("0.1") + dec("0.2")), "0.3"),
            (Cell::Number(dec("12.345")), "12.345"),
            (Cell::Number(dec("1500")), "1500"),
            (Cell::Number(dec("1500.00")), "1500"),
            (Cell::Number(dec("-5.25")), "-5.25"),
            (Cell::Number(dec("0")), "0"),
            (Cell::Number(dec("123456789012.345")), "123456789012.345"),
            (Cell::Integer(3), "3"),
            (Cell::Integer(0), "0"),
            (Cell::Bool(true), "true"),
            (Cell::Bool(false), "false"),
            (Cell::Integer(-120), "-120"),
            (Cell::text("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#),
            // Each escape on its own, so the count of one cannot hide behind another.
            (Cell::text("\""), r#""\"""#),
            (Cell::text("\\"), r#""\\""#),
            (Cell::text("\t"), r#""\t""#),
            (Cell::text("a\nb"), r#""a\nb""#),
            (Cell::text("\u{1f}"), r#""\u001f""#),
            (Cell::text("\u{8}\u{c}"), r#""\b\f""#),
            (Cell::text(" "), r#"" ""#),
        ];
        for (cell, want) in cases {
            assert_eq!(cell.to_json().to_string(), want, "{cell:?}");
            assert_eq!(cell.json_len(), want.len(), "{cell:?}");
            let mut written = Vec::new();
            cell.write_json(&mut written);
            assert_eq!(String::from_utf8(written).unwrap(), want, "{cell:?}");
        }
    }

    #[test]
    fn escapes_are_found_at_every_place_of_a_word() {
        // Every byte value at every position of texts around the eight-byte word size, alone
        // and beside bytes that sit next to the escaped ones (0x1f/0x20, '"', '\\', 0x7f, 0x80).
        for len in 1..=19 {
            for at in 0..len {
                for filler in [b'a', 0x20, b'!', b'#', b'[', b']', 0x7f, 0x80, 0xff] {
                    for byte in 0..=u8::MAX {
                        let mut text = vec![filler; len];
                        text[at] = byte;
                        assert_eq!(
                            has_escape(&text),
                            text.iter().copied().any(needs_escape),
                            "{text:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn text_is_written_as_serde_json_writes_it() {
        // Every ASCII byte, and a few beyond, alone and inside text long enough for the word-wide
        // escape test: the copy taken for text without escapes must be what serde_json writes.
        let chars = (0u8..=0x7f)
            .map(char::from)
            .chain(['\u{80}', 'é', '\u{2028}', '😀']);
        for c in chars {
            for text in [c.to_string(), format!("order note {c} with room")] {
                let mut written = Vec::new();
                Cell::text(text.as_str()).write_json(&mut written);
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    serde_json::to_string(&text).unwrap(),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn display_is_what_a_person_reads() {
        assert_eq!(Cell::Number(dec("7.500")).display(), "7.5");
        assert_eq!(Cell::Bool(true).display(), "TRUE");
        assert_eq!(Cell::Empty.display(), "");
        assert_eq!(display_sheet_value(Some(&json!(19.9))), "19.9");
        assert_eq!(display_sheet_value(Some(&json!(false))), "FALSE");
        assert_eq!(display_sheet_value(Some(&json!("x"))), "x");
        assert_eq!(display_sheet_value(None), "");
    }

    #[test]
    fn matching_against_sheet_values_is_typed() {
        let cases: Vec<(Cell, Option<Value>, bool)> = vec![
            (Cell::Empty, None, true),
            (Cell::Empty, Some(json!("")), true),
            (Cell::Empty, Some(json!(null)), true),
            (Cell::Empty, Some(json!("x")), false),
            (Cell::Empty, Some(json!(0)), false),
            (Cell::text("a"), Some(json!("a")), true),
            (Cell::text("a"), Some(json!("a ")), false),
            (Cell::text("1001"), Some(json!(1001)), false),
            (Cell::Number(dec("19.99")), Some(json!(19.99)), true),
            (Cell::Number(dec("19.90")), Some(json!(19.9)), true),
            (Cell::Number(dec("20")), Some(json!(20)), true),
            (Cell::Number(dec("20")), Some(json!(20.0)), true),
            (Cell::Number(dec("19.99")), Some(json!("19.99")), false),
            (Cell::Number(dec("19.99")), Some(json!(19.98)), false),
            (Cell::Integer(2), Some(json!(2.0)), true),
            (Cell::Integer(2), Some(json!(3)), false),
            (Cell::Bool(true), Some(json!(true)), true),
            (Cell::Bool(true), Some(json!("TRUE")), false),
        ];
        for (cell, sheet, want) in cases {
            assert_eq!(cell.matches(sheet.as_ref()), want, "{cell:?} vs {sheet:?}");
        }
    }

    #[test]
    fn hash_encoding_is_unambiguous() {
        let encode = |cells: &[Cell]| {
            let mut out = Vec::new();
            for cell in cells {
                cell.hash_into(&mut out);
            }
            out
        };
        assert_ne!(
            encode(&[Cell::text("ab"), Cell::text("c")]),
            encode(&[Cell::text("a"), Cell::text("bc")])
        );
        assert_ne!(encode(&[Cell::text("1")]), encode(&[Cell::Integer(1)]));
        assert_ne!(encode(&[Cell::Empty]), encode(&[Cell::text("E0:")]));
        assert_eq!(
            encode(&[Cell::Number(dec("19.90"))]),
            encode(&[Cell::Number(dec("19.9"))])
        );
    }

    #[test]
    fn short_text_is_left_alone() {
        for len in [0, 1, MAX_CELL_UTF16 - 1, MAX_CELL_UTF16] {
            let mut text = "x".repeat(len);
            assert!(!truncate_to_cell_limit(&mut text), "{len}");
            assert_eq!(text.len(), len);
        }
        // 25,000 astral characters are exactly 50,000 UTF-16 units: at the limit, not over it.
        let mut text = "😀".repeat(MAX_CELL_UTF16 / 2);
        assert!(!truncate_to_cell_limit(&mut text));
    }

    #[test]
    fn long_text_is_cut_to_exactly_the_limit_with_the_marker() {
        let mut text = "x".repeat(MAX_CELL_UTF16 + 1);
        assert!(truncate_to_cell_limit(&mut text));
        assert_eq!(utf16_len(&text), MAX_CELL_UTF16);
        assert!(text.ends_with(TRUNCATION_MARKER));
        assert!(text.starts_with("xxx"));
    }

    #[test]
    fn truncation_never_splits_a_surrogate_pair() {
        let marker = utf16_len(TRUNCATION_MARKER);
        // Put an astral character (two UTF-16 units) across the cut point, for both parities.
        for lead in [MAX_CELL_UTF16 - marker - 1, MAX_CELL_UTF16 - marker - 2] {
            let mut text = "a".repeat(lead);
            text.push_str(&"😀".repeat(10));
            text.push_str(&"b".repeat(MAX_CELL_UTF16));
            assert!(truncate_to_cell_limit(&mut text));
            let units = utf16_len(&text);
            assert!(units <= MAX_CELL_UTF16, "{units}");
            assert!(units >= MAX_CELL_UTF16 - 1, "{units}");
            let body = text.strip_suffix(TRUNCATION_MARKER).unwrap();
            assert!(body.chars().all(|c| c == 'a' || c == '😀'));
        }
        // All astral: 50,000 - marker is odd or even; either way whole characters only.
        let mut text = "😀".repeat(MAX_CELL_UTF16);
        assert!(truncate_to_cell_limit(&mut text));
        assert!(utf16_len(&text) <= MAX_CELL_UTF16);
        assert!(
            text.strip_suffix(TRUNCATION_MARKER)
                .unwrap()
                .chars()
                .all(|c| c == '😀')
        );
    }
}
