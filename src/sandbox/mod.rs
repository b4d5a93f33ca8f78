//! Emulators of the remote APIs on loopback, and the seeded store generator, used by the tests,
//! the benchmarks and `shopsync demo`, and the extracts of Shopify's and Google's references they
//! validate requests against. They import no type of the clients they stand in for.

pub mod data;
pub mod google;
pub mod references;
pub mod shopify;
mod stalls;
pub mod world;

pub use stalls::Stalls;
