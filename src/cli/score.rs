//! `kpi score`: score the rules against a dataset and write the report.

use std::path::PathBuf;

use alumni_kpi::diagnostic::Diagnostic;
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::report::{Lang, RenderOptions, ReportFormat};
use alumni_kpi::source::SourceMap;
use alumni_kpi::syntax::{self, ast::ExprKind};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rules directory.
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// The dataset directory (CSV / JSONL tables, optional dataset.yaml).
    #[arg(long, default_value_os_t = super::default_data())]
    data: PathBuf,
    /// The report's format (default: from the `-o` file's extension; without
    /// `-o`, a summary for the terminal).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Write the report here (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The language of the report's headings and labels.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    /// An HTML template (minijinja) replacing the shipped one.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// No summary or notes on the terminal.
    #[arg(short, long)]
    quiet: bool,
    /// Override a param: `--set staff_hour_cost=50` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    set: Vec<(String, String)>,
    /// Score another period: `--period 2024-09-01..2025-08-31`.
    #[arg(long, value_name = "FROM..TO")]
    period: Option<String>,
    /// Add each indicator's trace: rows read and kept, the formula with its
    /// numbers, the scoring and the weighted contribution.
    #[arg(long)]
    explain: bool,
    /// Also write the population's profile columns (one row per person) as
    /// CSV to this file.
    #[arg(long, value_name = "FILE")]
    profiles: Option<PathBuf>,
    /// Skip rows with malformed values instead of failing (the report
    /// counts them).
    #[arg(long)]
    skip_bad_rows: bool,
}

pub fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, found `{s}`")),
    }
}

/// `FROM..TO` as two dates.
fn parse_period(text: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate), String> {
    let mut sources = SourceMap::new();
    let file = sources.add_text("--period", text);
    match syntax::parse_period(file, text, &|o| o) {
        Ok(e) => match e.kind {
            ExprKind::Period { from, to } => Ok((from, to)),
            _ => Err(format!("`{text}` is not a period")),
        },
        Err(errs) => Err(errs.first().map_or_else(
            || format!("`{text}` is not a period"),
            |d| d.message.clone(),
        )),
    }
}

pub fn run(args: Args, out: &Output) -> Exit {
    let period = match args.period.as_deref().map(parse_period).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: --period: {e} (write FROM..TO, e.g. 2024-09-01..2025-08-31)");
            return Exit::Usage;
        }
    };
    let spinner = loading(&args.data);
    let inputs = super::read_inputs(&args.rules, Some(&args.data), args.skip_bad_rows);
    spinner.finish_and_clear();
    let rules = inputs.rules;
    let data = match inputs.data {
        Some(d) if !inputs.diagnostics.has_errors() => d,
        _ => {
            out.diagnostics(&inputs.diagnostics.0, &rules.sources);
            return Exit::Errors;
        }
    };
    let score_options = ScoreOptions {
        period,
        set: args.set.clone(),
        explain: args.explain,
    };
    let scoring = match Scoring::new(&rules, &data, &score_options) {
        Ok(s) => s,
        Err(errors) => {
            out.diagnostics(&errors.0, &rules.sources);
            return Exit::Errors;
        }
    };
    let report = scoring.report();
    let template = match &args.template {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("error: cannot read the template `{}`: {e}", path.display());
                return Exit::Usage;
            }
        },
        None => None,
    };
    let render = RenderOptions {
        lang: args.lang,
        template,
    };
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(ReportFormat::of_path));
    let text = match format {
        Some(f) => match report.render_with(f, &render) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Errors;
            }
        },
        None if args.output.is_some() => {
            eprintln!("error: cannot tell the format of `-o` from its extension: pass --format");
            return Exit::Usage;
        }
        // No file and no format: a summary for people.
        None => {
            if !args.quiet {
                use std::io::IsTerminal;
                let color = std::io::stdout().is_terminal();
                print!("{}", alumni_kpi::report::summary(&report, args.lang, color));
            }
            return Exit::Ok;
        }
    };
    if let Some(path) = &args.profiles
        && let Err(d) = write(path, &scoring.profiles_csv())
    {
        out.diagnostics(&[*d], &rules.sources);
        return Exit::Errors;
    }
    match &args.output {
        Some(path) => {
            if let Err(d) = write(path, &text) {
                out.diagnostics(&[*d], &rules.sources);
                return Exit::Errors;
            }
            if !args.quiet {
                let score = report
                    .score
                    .map_or("null".to_string(), |s| format!("{s:.1}"));
                out.note(&format!(
                    "{}: score {score}, coverage {:.0}%",
                    path.display(),
                    report.coverage * 100.0
                ));
            }
        }
        None => print!("{text}"),
    }
    let warnings = report.diagnostics.len();
    if warnings > 0 && !args.quiet {
        out.note(&format!("{warnings} note(s) in the report's diagnostics"));
    }
    Exit::Ok
}

/// A spinner while the dataset loads, on a terminal only.
fn loading(dir: &std::path::Path) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(format!("loading {}", dir.display()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn write(path: &std::path::Path, text: &str) -> Result<(), Box<Diagnostic>> {
    super::fmt::write_file(path, text)
}
