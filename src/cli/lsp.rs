//! `kpi lsp`: the language server, over standard input and output.

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args, out: &Output) -> Exit {
    match alumni_kpi::lsp::run_stdio() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            out.note(&format!("error: kpi lsp: {e}"));
            Exit::Errors
        }
    }
}
