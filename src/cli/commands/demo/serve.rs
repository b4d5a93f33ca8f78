//! `shopsync demo --serve`: the sandbox alone. Seeds the store, keeps both emulators on loopback,
//! prints the environment that points shopsync (or any client of the real APIs: a Python script
//! with `gspread` and `google-auth`, Shopify's own library) at them, and stops on Ctrl-C.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use super::folder::KEY_FILE;
use super::world::{STORE_NAME, World};
use crate::cli::exit::Outcome;
use crate::cli::output::Output;
use crate::sandbox::shopify::SANDBOX_TOKEN;

/// The environment, as `NAME=value` lines, that points clients at `world` (its key file in `dir`).
#[must_use]
pub fn environment(world: &World, dir: &Path) -> Vec<(String, String)> {
    let key = std::path::absolute(dir.join(KEY_FILE)).unwrap_or_else(|_| dir.join(KEY_FILE));
    let key = key.display().to_string();
    [
        ("SHOPIFY_STORE_NAME", STORE_NAME.to_owned()),
        ("SHOPIFY_ACCESS_TOKEN", SANDBOX_TOKEN.to_owned()),
        ("SHOPIFY_API_URL", world.shopify.base_url().to_owned()),
        ("GOOGLE_SERVICE_ACCOUNT_FILE", key.clone()),
        // google-auth reads the key file (its token_uri is the sandbox's) from here.
        ("GOOGLE_APPLICATION_CREDENTIALS", key),
        ("TARGET_SPREADSHEET", world.spreadsheet.clone()),
        ("GOOGLE_SHEETS_API_URL", world.google.sheets_url().clone()),
        ("GOOGLE_DRIVE_API_URL", world.google.drive_url().clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Serves `world` until `stop` is set; prints the environment first.
///
/// # Errors
/// Output cannot be written.
pub fn serve(
    out: &Output,
    world: &World,
    dir: &Path,
    stop: &Arc<AtomicU8>,
) -> anyhow::Result<Outcome> {
    out.line(format!(
        "# The sandbox is running: a Shopify store of {} orders and a Google spreadsheet, on \
         127.0.0.1 only. Export these (or use {}/config.json), then run shopsync or any client \
         of the real APIs. Ctrl-C stops the sandbox.",
        world.shopify.with_store(|store, _| store.len()),
        dir.display()
    ))?;
    for (name, value) in environment(world, dir) {
        // Single-quoted for a POSIX shell: a quote inside the value ends and reopens the quoting.
        let value = value.replace('\'', "'\\''");
        out.line(format!("export {name}='{value}'"))?;
    }
    out.line("# ready")?;
    while stop.load(Ordering::SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(50));
    }
    out.line("# stopped")?;
    Ok(Outcome::Done)
}
