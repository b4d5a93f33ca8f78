//! The content hash of a row: sha256 over its owned cells as written, plus a row-format version.
//!
//! A normal sync compares this hash with the one recorded in the DB to decide whether a row changed
//! (DESIGN.md section 9, "Change detection"). Bumping [`ROW_FORMAT_VERSION`] changes every hash, so a
//! change in how cells are formatted rewrites each row once.

use sha2::{Digest, Sha256};

use super::cell::Cell;

/// The version of how rows are turned into cells; bump it whenever a cell's value or type changes
/// for the same order, so the next sync rewrites every row once.
pub const ROW_FORMAT_VERSION: u32 = 1;

/// The sha256 of a row's owned cells.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// Hashes the cells of one row, in default column order, with [`ROW_FORMAT_VERSION`].
    #[must_use]
    pub fn of_cells(cells: &[Cell]) -> ContentHash {
        // One allocation a row, sized for a typical row (a few hundred bytes of text).
        let mut bytes = Vec::with_capacity(512);
        bytes.extend_from_slice(b"shopsync-row-v");
        bytes.extend_from_slice(itoa::Buffer::new().format(ROW_FORMAT_VERSION).as_bytes());
        bytes.push(b'\n');
        for cell in cells {
            cell.hash_into(&mut bytes);
        }
        ContentHash(Sha256::digest(&bytes).into())
    }

    /// The hash as 64 lowercase hex digits, as the DB stores it.
    #[must_use]
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        // By table, not `format!` per byte: every recorded row and order makes one.
        let mut out = String::with_capacity(64);
        for b in self.0 {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
        out
    }

    /// Parses 64 hex digits (either case); `None` for anything else, which callers treat as
    /// "no recorded hash" so the row is rewritten.
    #[must_use]
    pub fn from_hex(text: &str) -> Option<ContentHash> {
        let text = text.as_bytes();
        if text.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(pair, 16).ok()?;
        }
        Some(ContentHash(out))
    }
}

impl std::fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ContentHash({})", self.to_hex())
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        let hash = ContentHash::of_cells(&[Cell::text("a"), Cell::Integer(1)]);
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(ContentHash::from_hex(&hex), Some(hash));
        assert_eq!(ContentHash::from_hex(&hex.to_uppercase()), Some(hash));
        assert_eq!(ContentHash::from_hex(&hex[..63]), None);
        assert_eq!(ContentHash::from_hex(&format!("{}zz", &hex[..62])), None);
        assert_eq!(ContentHash::from_hex(""), None);
    }

    #[test]
    fn display_and_debug_show_the_hex_the_db_stores() {
        let hash = ContentHash::of_cells(&[Cell::text("a")]);
        assert_eq!(hash.to_string(), hash.to_hex());
        assert_eq!(
            format!("{hash:?}"),
            format!("ContentHash({})", hash.to_hex())
        );
    }

    #[test]
    fn hash_is_stable_across_runs() {
        // Pinned so that an accidental change of the encoding shows up as a failing test: a changed
        // hash rewrites every row of every user's sheet, which must only happen on purpose (bump
        // ROW_FORMAT_VERSION and update this value).
        let hash = ContentHash::of_cells(&[Cell::text("#1001"), Cell::Empty, Cell::Bool(false)]);
        assert_eq!(
            hash.to_hex(),
            ContentHash::of_cells(&[Cell::text("#1001"), Cell::Empty, Cell::Bool(false)]).to_hex()
        );
        assert_eq!(hash.to_hex(), PINNED);
    }

    const PINNED: &str = "3cca015dc5fa7aaf2687d4689dfec957ec89e713c1827c4ce95f92d06041f772";

    fn dec(text: &str) -> rust_decimal::Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn hashes_of_every_cell_kind_are_pinned() {
        // The DBs of existing users hold these hashes: however `Cell::hash_into` is written, the
        // bytes it hashes must stay the same (values computed with the `format!` encoding, and
        // by hand: `shopsync-row-v1\n`, then per cell tag, byte length, `:`, text).
        let every_kind = [
            Cell::text("#1001"),
            Cell::text("5501234567890"),
            Cell::text("13012345678901"),
            Cell::Empty,
            Cell::Number(dec("19.90")),
            Cell::Number(dec("-5.250")),
            Cell::Number(dec("1500.00")),
            Cell::Number(dec("0.000")),
            Cell::Integer(0),
            Cell::Integer(-120),
            Cell::Integer(3),
            Cell::Bool(true),
            Cell::Bool(false),
        ];
        assert_eq!(
            ContentHash::of_cells(&every_kind).to_hex(),
            "1840bd6ef62aa1e9722895f6b3de94c56f42bae21b536bcb8f990db5ddd9bead"
        );
        let wide = [
            Cell::text("Zo\u{eb} M\u{fc}ller, \u{6771}\u{4eac}"),
            Cell::text("x".repeat(12_345)),
            Cell::Number(dec("123456789012.345")),
            Cell::Integer(i64::MAX),
            Cell::Integer(i64::MIN),
            Cell::Empty,
        ];
        assert_eq!(
            ContentHash::of_cells(&wide).to_hex(),
            "7ab18bc46ebb5cd4f55f3d69e5fd39faa39561feab231f26cae70402dcf6deea"
        );
        assert_eq!(
            ContentHash::of_cells(&[]).to_hex(),
            "6da037d1e6cd4a8b327d5b360044912a4a15375afeb4e67a80bf2b36616120c7"
        );
    }

    #[test]
    fn hashes_of_a_whole_order_are_pinned() {
        use crate::sync::fixtures::{TZ, order};
        use crate::sync::plan::rows::order_rows;
        let rows = order_rows(&order(5_501_234_567_890, 1001), TZ);
        let hexes: Vec<String> = rows.rows.iter().map(|r| r.hash.to_hex()).collect();
        assert_eq!(hexes, ORDER_ROWS);
    }

    /// The row hashes of the fixture order #1001, as the `format!` encoding computed them.
    const ORDER_ROWS: [&str; 2] = [
        "eee991f5ef1e8f30b887ad289dad1c19abbd810a990edef8386f812f8176bd43",
        "90be4d760a9d078babfa78a6857ba9dd64b89c7705d52067d584a7d937dca1f2",
    ];
}
