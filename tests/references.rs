//! The committed extracts (`references/`) held to Shopify's and Google's full files: whenever the
//! full files are present (`../shared`, or `$SHOPSYNC_REFERENCES_DIR`), the extracts are made
//! again in memory and must equal the committed ones, so they cannot drift from what they extract
//! or be edited by hand. CI sets the variable, so there the check can never be skipped.

use std::io::Write as _;

use shopsync::sandbox::references::{self, DIR_VAR};
use shopsync::shopify::queries;

/// The first line where `committed` and `fresh` differ: its number and both versions.
fn first_difference<'a>(committed: &'a str, fresh: &'a str) -> Option<(usize, &'a str, &'a str)> {
    let mut committed_lines = committed.lines();
    let mut fresh_lines = fresh.lines();
    for number in 1.. {
        match (committed_lines.next(), fresh_lines.next()) {
            (None, None) => return None,
            (a, b) if a == b => {}
            (a, b) => {
                return Some((
                    number,
                    a.unwrap_or("(end of file)"),
                    b.unwrap_or("(end of file)"),
                ));
            }
        }
    }
    None
}

#[test]
fn the_committed_extracts_match_the_full_references() {
    let dir = match references::full_dir() {
        Ok(Some(dir)) => dir,
        Ok(None) => {
            // Written past the test harness's capture, so `cargo test` shows it.
            let _ = writeln!(
                std::io::stderr(),
                "references: skipped the drift check: no full references in ../shared (set {DIR_VAR} \
                 to check the extracts against them)"
            );
            return;
        }
        Err(message) => panic!("{message}"),
    };
    let documents: Vec<&str> = queries::ALL.iter().map(|d| d.text).collect();
    let fresh = references::extract(&dir, &documents)
        .unwrap_or_else(|e| panic!("cannot extract from {}: {e}", dir.display()));
    let stale: Vec<String> = fresh
        .iter()
        .filter(|(reference, text)| reference.text != text.as_str())
        .map(|(reference, text)| match first_difference(reference.text, text) {
            Some((line, committed, fresh)) => format!(
                "references/{} differs from a fresh extract at line {line}:\n  committed: {committed}\n  fresh:     {fresh}",
                reference.path
            ),
            None => format!("references/{} differs from a fresh extract", reference.path),
        })
        .collect();
    assert!(
        stale.is_empty(),
        "{}\nThe extracts are made from {}, never edited by hand. Refresh them with\n  \
         cargo run --example refresh_references\nand review `git diff references/`.",
        stale.join("\n"),
        dir.display()
    );
}

#[test]
fn a_difference_is_located() {
    assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    assert_eq!(first_difference("a\nb\n", "a\nc\n"), Some((2, "b", "c")));
    assert_eq!(
        first_difference("a\n", "a\nb\n"),
        Some((2, "(end of file)", "b"))
    );
}
