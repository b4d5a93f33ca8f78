//! The `shopsync` binary: parse the command line, hand it to [`shopsync::cli`], exit with its code.

use clap::Parser as _;

/// mimalloc rather than the system allocator: a sync allocates and frees millions of small strings
/// between large reply buffers, and glibc's malloc spent a quarter of a backfill's CPU merging its
/// free lists (`malloc_consolidate`) each time a large block came or went. Built without
/// transparent huge pages (Cargo.toml): they made the resident set grow 2 MiB at a time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = shopsync::cli::Cli::parse();
    std::process::ExitCode::from(shopsync::cli::main(cli))
}
