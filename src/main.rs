//! `kpi`: the command line over the alumni_kpi library.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    cli::run(args).into()
}
