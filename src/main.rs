//! The `shopsync` binary: parse the command line, hand it to [`shopsync::cli`], exit with its code.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = shopsync::cli::Cli::parse();
    std::process::ExitCode::from(shopsync::cli::main(cli))
}
