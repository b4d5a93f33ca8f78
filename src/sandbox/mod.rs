//! Loopback emulators of the remote services shopsync talks to, for tests, benchmarks and `demo`.

pub mod google;
