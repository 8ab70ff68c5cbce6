//! The `attune` binary: parse the command line and hand over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    attune::cli::run(attune::cli::Cli::parse())
}
