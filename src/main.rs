//! The `shopsync` binary: a thin shell around [`shopsync::cli`].

fn main() {}
