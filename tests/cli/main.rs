//! The one integration-test binary: it runs the real `shopsync` binary in a temp dir with a cleared
//! environment.
//!
//! Modules:
//! - `support`: the temp-dir harness and helpers shared by every test.
//! - `help`: `--help` of every command, snapshotted, so docs cannot drift silently.
//! - `config`: bad configuration gives exit 2 with every problem listed, before any network call.

mod config;
mod help;
mod support;
