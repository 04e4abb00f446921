//! `kpi check`: parse and check a rules directory.

use std::path::PathBuf;

use alumni_kpi::check;
use alumni_kpi::data::Schema;
use alumni_kpi::rules::RuleSet;

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rules directory (every .kpi and .yaml file in it).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// A dataset directory: also check tables and columns against its
    /// headers and dataset.yaml (no rows are read).
    #[arg(long)]
    data: Option<PathBuf>,
}

pub fn run(args: Args, out: &Output) -> Exit {
    let (rules, mut diags) = RuleSet::load_dir(&args.rules);
    if !diags.has_errors() {
        let schema = args.data.as_ref().map(|dir| {
            let benchmark = check::benchmark_file(&rules);
            let exclude: Vec<&str> = benchmark.iter().map(String::as_str).collect();
            let (schema, data_diags) = Schema::read(dir, &exclude);
            diags.extend(data_diags);
            schema
        });
        let checked = check::check(&rules, schema.as_ref());
        diags.extend(checked.diagnostics);
    }
    out.diagnostics(&diags.0, &rules.sources);
    let files = rules.files.len();
    if diags.has_errors() {
        out.note(&format!(
            "{}: {} error(s), {} warning(s)",
            args.rules.display(),
            diags.error_count(),
            diags.warning_count()
        ));
        Exit::Errors
    } else {
        out.note(&format!(
            "{}: {files} file(s) ok, {} warning(s)",
            args.rules.display(),
            diags.warning_count()
        ));
        Exit::Ok
    }
}
