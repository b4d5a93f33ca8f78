//! Emulators of the remote APIs on loopback, and the seeded store generator, used by the tests,
//! the benchmarks and `shopsync demo`. They import no type of the clients they stand in for.

pub mod data;
pub mod google;
pub mod shopify;
mod stalls;

pub use stalls::Stalls;
