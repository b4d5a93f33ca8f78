//! shopsync keeps a Google Sheet of a Shopify store's orders complete and current: one row per line
//! item, exactly once, updated in place when an order changes, with a local SQLite record of what was
//! synced.
//!
//! Data flows one way:
//!
//! ```text
//! cli (clap, output, exit codes)
//!   -> sync (fetch -> rows -> plan -> write -> record; pure planning separated from IO)
//!        -> shopify (GraphQL client)   sheets (OAuth, Drive, values API)   store (SQLite, lock)
//!             -> order (domain types shared by all; no IO), clock, retry, http, config
//! sandbox (emulators of both APIs, used by tests, benchmarks and `demo`)
//! schedule (the crontab line and systemd units `schedule` prints; text only)
//! ```
//!
//! Nothing below `cli` prints, parses arguments or decides exit codes. `shopify`, `sheets` and `store`
//! do not import each other.

pub mod cli;
pub mod clock;
pub mod config;
pub mod csv_safe;
pub mod decimal_text;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod order;
pub mod private_files;
pub mod retry;
pub mod sandbox;
pub mod schedule;
pub mod sheets;
pub mod shopify;
pub mod store;
pub mod sync;
