//! Layered configuration: defaults < `config.json` < `.env` < environment < flags.

mod secret;

pub use secret::Secret;
