//! `kpi check`: everything `kpi score` would find wrong, without scoring:
//! the rules, and the dataset read in full (every cell of every table).

use std::path::PathBuf;

use alumni_kpi::check;
use alumni_kpi::engine::{ScoreOptions, Scoring};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rules directory (every .kpi and .yaml file in it).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// The dataset directory: its manifest, headers and every value are
    /// read, and the rules' tables and columns checked against them.
    /// Or a PostgreSQL database: `postgresql://USER@HOST/DATABASE`.
    #[arg(long, default_value_os_t = super::default_data())]
    data: PathBuf,
    /// With a database as `--data`: its dataset.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_data")]
    manifest: Option<PathBuf>,
    /// Check the rules alone, without a dataset.
    #[arg(long, conflicts_with = "data")]
    no_data: bool,
    /// Check as `kpi score --skip-bad-rows` would read the data.
    #[arg(long)]
    skip_bad_rows: bool,
}

pub fn run(args: Args, out: &Output) -> Exit {
    let data_dir = (!args.no_data).then_some(args.data.as_path());
    let inputs = super::read_inputs(
        &args.rules,
        data_dir,
        args.manifest.as_deref(),
        args.skip_bad_rows,
    );
    let mut diags = inputs.diagnostics;
    if !diags.has_errors() {
        match &inputs.data {
            Some(data) => match Scoring::new(&inputs.rules, data, &ScoreOptions::default()) {
                Ok(scoring) => diags.extend(scoring.notes().iter().cloned()),
                Err(errors) => diags.extend(errors),
            },
            None => diags.extend(check::check(&inputs.rules, None).diagnostics),
        }
    }
    out.diagnostics(&diags.0, &inputs.rules.sources);
    if let Some(data) = &inputs.data {
        let text = alumni_kpi::data::describe(data);
        match args
            .data
            .to_str()
            .filter(|_| super::is_database(&args.data))
        {
            // Its tables came from the database, not the directory of
            // the manifest (where the benchmark file is read).
            Some(data) => {
                let (_, tables) = text.split_once('\n').unwrap_or((&text, ""));
                let shown = alumni_kpi::sql::postgres::without_password(data);
                out.note(&format!("database `{shown}` (read into memory):\n{tables}"));
            }
            None => out.note(&text),
        }
    }
    let files = inputs.rules.files.len();
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
