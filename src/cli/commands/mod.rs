//! One file per sub-command: its clap `Args` (whose doc comments are its `--help`) and a `run`
//! function that builds what it needs, calls the library and renders the result.

pub mod demo;
pub mod errors;
pub mod export;
pub mod missing;
pub mod orders;
pub mod report;
pub mod reset;
pub mod status;
pub mod sync;
pub mod validate;
