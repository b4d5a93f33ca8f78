//! The project's extracts of Shopify's and Google's published references, and the tool that makes
//! them (DESIGN.md section 7).
//!
//! The full files (Shopify's Admin schema, Google's discovery documents) are theirs, not the
//! project's: a checkout finds them in `../shared`, or in the directory `$SHOPSYNC_REFERENCES_DIR`
//! names, when it has them. The project carries extracts of them, names and types only, under
//! `references/` with the same relative paths. They are compiled in here, so the emulators validate
//! against them wherever they run: the tests, the benchmark, and the demo of an installed binary,
//! which has no source tree to read them from. `cargo run --example refresh_references` makes them
//! from the full files; `tests/references.rs` makes them again in memory and fails when they differ
//! from the committed ones.
//!
//! What the extracts hold is driven by the roots listed below, by what the emulators serve, and by
//! the GraphQL documents shopsync sends (passed in by the caller: `sandbox` imports nothing from
//! `shopify`).

mod discovery;
mod graphql;
mod reach;

use std::path::{Path, PathBuf};

use apollo_compiler::Schema;
use serde_json::Value;

/// One extract: its path under `references/` (the full file's path under `../shared`) and its
/// committed text.
#[derive(Debug)]
pub struct Reference {
    /// The path relative to `references/`, and to the directory of full files.
    pub path: &'static str,
    /// The committed extract, compiled in.
    pub text: &'static str,
}

/// Shopify's Admin GraphQL schema, version 2026-04 (`DEFAULT_API_VERSION`).
pub const SHOPIFY_ADMIN: Reference = Reference {
    path: "shopify/admin_schema_2026-04.graphql",
    text: include_str!("../../../references/shopify/admin_schema_2026-04.graphql"),
};

/// Google's Sheets v4 discovery document.
pub const SHEETS: Reference = Reference {
    path: "google/sheets.v4.json",
    text: include_str!("../../../references/google/sheets.v4.json"),
};

/// Google's Drive v3 discovery document.
pub const DRIVE: Reference = Reference {
    path: "google/drive.v3.json",
    text: include_str!("../../../references/google/drive.v3.json"),
};

/// Every extract.
pub const ALL: [&Reference; 3] = [&SHOPIFY_ADMIN, &SHEETS, &DRIVE];

/// What the Shopify extract holds besides everything the emulator serves
/// ([`SERVED_SDL`](super::shopify::schema::SERVED_SDL)) and every field the documents select.
/// `Type.field` is one field (with all its arguments), `Type.*` every field of a type, `Type` a
/// type alone. A type a root reaches comes whole when it is an enum or input; an object or
/// interface comes with the fields named here only. Add a line when shopsync or the emulator needs
/// more, then refresh.
const SHOPIFY_ROOTS: &[&str] = &[
    // Deprecated: the documents test proves its deprecation check catches a deprecated field.
    "Customer.email",
    // Shopify has it, the emulator does not serve it: its test proves such a field is refused as
    // not served, not as unknown.
    "Shop.email",
    // Bulk operations (DESIGN.md section 8): start one, poll it, cancel it.
    "Mutation.bulkOperationRunQuery",
    "Mutation.bulkOperationCancel",
    "QueryRoot.bulkOperation",
    // Deprecated in 2026-04 in favour of `bulkOperations` with a status filter.
    "QueryRoot.currentBulkOperation",
    "QueryRoot.bulkOperations",
    "BulkOperation.*",
    "BulkOperationRunQueryPayload.*",
    "BulkOperationCancelPayload.*",
    "BulkOperationUserError.*",
    "UserError.*",
    "BulkOperationConnection.*",
    "BulkOperationEdge.*",
    // Queries Shopify accepts and its bulk rules refuse (too deep, a connection inside a list) or
    // the emulator does not export (`products`): the bulk tests prove they get Shopify's answers,
    // which needs them to pass validation first.
    "QueryRoot.collections",
    "CollectionConnection.edges",
    "CollectionEdge.node",
    "Collection.id",
    "Collection.products",
    "QueryRoot.products",
    "ProductConnection.edges",
    "ProductEdge.node",
    "Product.id",
    "Product.variants",
    "ProductVariantConnection.edges",
    "ProductVariantEdge.node",
    "ProductVariant.id",
    "ProductVariant.metafields",
    "MetafieldConnection.edges",
    "MetafieldEdge.node",
    "Metafield.id",
    "Order.fulfillments",
    "Fulfillment.events",
    "FulfillmentEventConnection.edges",
    "FulfillmentEventEdge.node",
    "FulfillmentEvent.id",
];

/// The Sheets v4 methods the extract holds: every one the Google emulator routes, which covers
/// every one the Sheets client calls.
const SHEETS_METHODS: &[&str] = &[
    "sheets.spreadsheets.get",
    "sheets.spreadsheets.batchUpdate",
    "sheets.spreadsheets.values.get",
    "sheets.spreadsheets.values.update",
    "sheets.spreadsheets.values.append",
    "sheets.spreadsheets.values.clear",
    "sheets.spreadsheets.values.batchGet",
    "sheets.spreadsheets.values.batchUpdate",
    "sheets.spreadsheets.values.batchClear",
];

/// The Drive v3 methods the extract holds: finding a spreadsheet by name, reading its capabilities.
const DRIVE_METHODS: &[&str] = &["drive.files.list", "drive.files.get"];

/// The environment variable naming the directory of full files. When it is set, the files must
/// be there (CI sets it, so the drift check always runs); when not, `../shared` is used if present.
pub const DIR_VAR: &str = "SHOPSYNC_REFERENCES_DIR";

/// The directory of full files: `$SHOPSYNC_REFERENCES_DIR`, else `../shared` beside the checkout
/// when it holds them, else `None`.
///
/// # Errors
/// The variable names a directory that lacks one of the files, or `../shared` holds only some.
pub fn full_dir() -> Result<Option<PathBuf>, String> {
    let missing = |dir: &Path| -> Vec<String> {
        ALL.iter()
            .map(|r| dir.join(r.path))
            .filter(|p| !p.is_file())
            .map(|p| p.display().to_string())
            .collect()
    };
    if let Some(dir) = std::env::var_os(DIR_VAR) {
        let dir = PathBuf::from(dir);
        let lacking = missing(&dir);
        if lacking.is_empty() {
            return Ok(Some(dir));
        }
        return Err(format!(
            "{DIR_VAR} is set, but these full references are missing: {}",
            lacking.join(", ")
        ));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    match missing(&dir).len() {
        0 => Ok(Some(dir)),
        n if n == ALL.len() => Ok(None),
        _ => Err(format!(
            "{} holds only some of the full references: missing {}",
            dir.display(),
            missing(&dir).join(", ")
        )),
    }
}

/// Makes every extract from the full files in `dir`, for the GraphQL `documents` shopsync sends.
///
/// # Errors
/// A full file that cannot be read or parsed, or a root, served field, route or document the full
/// files do not have.
pub fn extract(
    dir: &Path,
    documents: &[&str],
) -> Result<Vec<(&'static Reference, String)>, String> {
    let read = |reference: &Reference| {
        let path = dir.join(reference.path);
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let sdl = read(&SHOPIFY_ADMIN)?;
    let full = Schema::parse_and_validate(sdl, dir.join(SHOPIFY_ADMIN.path))
        .map_err(|e| format!("Shopify's schema is invalid: {e}"))?;
    let served = super::shopify::schema::served();
    let shopify = graphql::extract(&full, served, documents, SHOPIFY_ROOTS)?;

    let mut out = vec![(&SHOPIFY_ADMIN, shopify)];
    for (reference, methods) in [(&SHEETS, SHEETS_METHODS), (&DRIVE, DRIVE_METHODS)] {
        let full: Value = serde_json::from_str(&read(reference)?)
            .map_err(|e| format!("cannot parse {}: {e}", reference.path))?;
        let extract =
            discovery::extract(&full, methods).map_err(|e| format!("{}: {e}", reference.path))?;
        let mut text = serde_json::to_string_pretty(&extract)
            .map_err(|e| format!("cannot write {}: {e}", reference.path))?;
        text.push('\n');
        out.push((reference, text));
    }
    Ok(out)
}
