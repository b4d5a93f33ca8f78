//! The one integration-test binary: it runs the real `shopsync` binary in a temp dir with a cleared
//! environment.
//!
//! Modules:
//! - `support`: the temp-dir harness and helpers shared by every test.
//! - `help`: `--help` of every command, snapshotted, so docs cannot drift silently.
//! - `config`: bad configuration gives exit 2 with every problem listed, before any network call.
//! - `world`: both emulators on loopback and a working directory configured for them.
//! - `sync`: the sync end to end against the emulators; each test is a promise of DESIGN.md.

mod config;
mod help;
mod support;
mod sync;
mod world;
