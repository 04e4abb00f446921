//! `kpi convert`: a rule file in the other format.

use std::path::{Path, PathBuf};

use alumni_kpi::rules::RuleSet;
use alumni_kpi::syntax::{self, Format};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rule file to convert (.kpi or .yaml).
    file: PathBuf,
    /// The format to convert to.
    #[arg(long, value_enum)]
    to: Format,
    /// Write here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: Args, out: &Output) -> Exit {
    if Format::of_path(&args.file).is_none() {
        eprintln!(
            "error: `{}` is not a .kpi or .yaml rule file{}",
            args.file.display(),
            super::fmt::test_hint(&args.file)
        );
        return Exit::Usage;
    }
    let text = match alumni_kpi::rules::read_rule_file(&args.file) {
        Ok(t) => t,
        Err(d) => {
            out.diagnostics(&[*d], &Default::default());
            return Exit::Errors;
        }
    };
    let dir = args.file.parent().unwrap_or(Path::new("."));
    let name = args.file.display().to_string();
    let (rules, diags) = RuleSet::from_texts(dir, &[(name.as_str(), text.as_str())]);
    let Some(file) = rules.files.first().filter(|_| !diags.has_errors()) else {
        out.diagnostics(&diags.0, &rules.sources);
        return Exit::Errors;
    };
    let converted = match syntax::print_checked(&file.tree, args.to, &name) {
        Ok(text) => text,
        Err(d) => {
            out.diagnostics(&[*d], &rules.sources);
            return Exit::Errors;
        }
    };
    match &args.output {
        None => {
            super::stdout(&converted);
            Exit::Ok
        }
        Some(path) => match super::fmt::write_file(path, &converted) {
            Ok(()) => Exit::Ok,
            Err(d) => {
                out.diagnostics(&[*d], &rules.sources);
                Exit::Errors
            }
        },
    }
}
