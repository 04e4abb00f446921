//! `kpi diff`: two reports compared, or two rule sets on the same data.

use std::path::{Path, PathBuf};

use alumni_kpi::diff::{Diff, DiffFormat, profile_changes};
use alumni_kpi::engine::Scoring;
use alumni_kpi::report::{Lang, Report};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  \
    kpi diff last-year.json this-year.json\n  \
    kpi diff --rules rules-2025 --rules rules --data data/sample --export moved.csv")]
pub struct Args {
    /// Two reports, old then new (JSON or YAML, as `kpi score` writes them).
    #[arg(value_name = "REPORT")]
    reports: Vec<PathBuf>,
    /// Two rules directories, old then new, scored on the same `--data`.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// The dataset both rule sets are scored on (with `--rules`).
    #[arg(long, default_value_os_t = super::default_data())]
    data: PathBuf,
    /// Override a param in both rule sets (with `--rules`; repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = super::score::parse_set)]
    set: Vec<(String, String)>,
    /// Score both rule sets on this period (with `--rules`).
    #[arg(long, value_name = "FROM..TO")]
    period: Option<String>,
    /// `text` for the terminal, `md` or `json` (`alumni-kpi/diff@1`).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Write the diff here (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// With `--rules`: write the population rows whose profile columns
    /// changed to this CSV (key, column, old, new).
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Leave out rows with malformed values (with `--rules`).
    #[arg(long)]
    skip_bad_rows: bool,
    /// The language of the text and Markdown.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
}

pub fn run(args: Args, out: &Output) -> Exit {
    let diff = match (args.reports.len(), args.rules.len()) {
        (2, 0) => {
            if args.export.is_some() {
                eprintln!(
                    "error: --export lists the rows whose profiles changed: it needs `--rules OLD --rules NEW`"
                );
                return Exit::Usage;
            }
            let (Some(old), Some(new)) = (read(&args.reports[0]), read(&args.reports[1])) else {
                return Exit::Errors;
            };
            Diff::new(&old, &new)
        }
        (0, 2) => match rescore(&args, out) {
            Ok(d) => d,
            Err(exit) => return exit,
        },
        _ => {
            eprintln!(
                "error: compare two reports (`kpi diff OLD.json NEW.json`) or two rules \
                 directories on the same data (`kpi diff --rules OLD --rules NEW --data DIR`)"
            );
            return Exit::Usage;
        }
    };
    let text = diff.render(args.format, args.lang);
    match &args.output {
        Some(path) => match super::fmt::write_file(path, &text) {
            Ok(()) => Exit::Ok,
            Err(d) => {
                out.failed(&[*d], &Default::default());
                Exit::Errors
            }
        },
        None => {
            super::stdout(&text);
            Exit::Ok
        }
    }
}

/// A report read back, or `None` once the error is printed.
fn read(path: &Path) -> Option<Report> {
    let text = match alumni_kpi::files::read_text(path, Default::default(), Some(256 << 20)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {}", path.display(), e.message);
            return None;
        }
    };
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let read = if yaml {
        Report::from_yaml(&text)
    } else {
        Report::from_json(&text)
    };
    match read {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            eprintln!("  help: a report as `kpi score --format json -o FILE` writes it");
            None
        }
    }
}

/// Both rule sets scored on the same data, compared, with the population
/// rows whose profile columns changed.
fn rescore(args: &Args, out: &Output) -> Result<Diff, Exit> {
    let period = super::period_arg(args.period.as_deref())?;
    let options = alumni_kpi::engine::ScoreOptions {
        period,
        set: args.set.clone(),
        ..Default::default()
    };
    let old = super::read_inputs(&args.rules[0], Some(&args.data), None, args.skip_bad_rows);
    let new = super::read_inputs(&args.rules[1], Some(&args.data), None, args.skip_bad_rows);
    let mut failed = false;
    for inputs in [&old, &new] {
        if inputs.diagnostics.has_errors() || inputs.data.is_none() {
            out.failed(&inputs.diagnostics.0, &inputs.rules.sources);
            failed = true;
        }
    }
    let (Some(old_data), Some(new_data)) = (&old.data, &new.data) else {
        return Err(Exit::Errors);
    };
    if failed {
        return Err(Exit::Errors);
    }
    fn scored<'a>(
        inputs: &'a super::Inputs,
        data: &'a alumni_kpi::Dataset,
        options: &alumni_kpi::ScoreOptions,
        out: &Output,
    ) -> Result<Scoring<'a>, Exit> {
        Scoring::new(&inputs.rules, data, options).map_err(|errors| {
            out.failed(&errors.0, &inputs.rules.sources);
            Exit::Errors
        })
    }
    let before = scored(&old, old_data, &options, out)?;
    let after = scored(&new, new_data, &options, out)?;
    let mut diff = Diff::new(&before.report(), &after.report());
    if let Some(table) = after.population()
        && before.population() == Some(table)
    {
        // The key column names the rows; without one, their numbers.
        let key = new_data
            .tables
            .get(table)
            .and_then(|t| t.key.map(|k| t.columns[k].name.clone()));
        let (changes, rows) = profile_changes(
            table,
            key.is_some(),
            &before.profiles_columns(),
            &after.profiles_columns(),
        );
        if let Some(path) = &args.export {
            let key = key.unwrap_or_else(|| "row".to_string());
            let mut w = csv::Writer::from_writer(Vec::new());
            let cell = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            let _ = w.write_record([key.as_str(), "column", "old", "new"]);
            for row in &rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|v| alumni_kpi::report::safe_cell(&cell(v)).into_owned())
                    .collect();
                let _ = w.write_record(&cells);
            }
            let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
            if let Err(d) = super::fmt::write_file(path, &text) {
                out.failed(&[*d], &Default::default());
                return Err(Exit::Errors);
            }
        }
        diff.profiles = Some(changes);
    } else if args.export.is_some() {
        eprintln!("error: --export: the two rule sets do not describe the same population table");
        return Err(Exit::Errors);
    }
    Ok(diff)
}
