//! Regenerates the extracts under `references/` from Shopify's and Google's full files, after an
//! API version change or when shopsync or an emulator starts using more of an API:
//!
//! ```sh
//! cargo run --example refresh_references                  # full files in ../shared
//! SHOPSYNC_REFERENCES_DIR=/path cargo run --example refresh_references
//! ```
//!
//! What goes into the extracts is listed in `src/sandbox/references/mod.rs`; `cargo test` checks
//! the committed extracts against the full files whenever they are present (`tests/references.rs`).

use std::path::Path;
use std::process::ExitCode;

use shopsync::sandbox::references::{self, DIR_VAR};
use shopsync::shopify::queries;

fn main() -> ExitCode {
    match refresh() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("refresh_references: {message}");
            ExitCode::FAILURE
        }
    }
}

fn refresh() -> Result<(), String> {
    let dir = references::full_dir()?.ok_or_else(|| {
        format!("no full references in ../shared: set {DIR_VAR} to the directory holding them")
    })?;
    let documents: Vec<&str> = queries::ALL.iter().map(|d| d.text).collect();
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("references");
    for (reference, text) in references::extract(&dir, &documents)? {
        let path = target.join(reference.path);
        let verdict = if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
            "unchanged"
        } else {
            std::fs::write(&path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            "written"
        };
        println!(
            "references/{}: {verdict} ({} lines, from {})",
            reference.path,
            text.lines().count(),
            dir.join(reference.path).display()
        );
    }
    Ok(())
}
