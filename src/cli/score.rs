//! `kpi score`: score the rules against a dataset and write the report.

use std::path::PathBuf;

use alumni_kpi::diagnostic::Diagnostic;
use alumni_kpi::report::{RenderOptions, ReportFormat};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    scope: super::Scope,
    /// The report's format (default: from the `-o` file's extension; without
    /// `-o`, a summary for the terminal).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Write the report here (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// An HTML template (minijinja) replacing the shipped one.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// No summary or notes on the terminal.
    #[arg(short, long)]
    quiet: bool,
    /// Also write the population's profile columns (one row per person) as
    /// CSV to this file.
    #[arg(long, value_name = "FILE")]
    profiles: Option<PathBuf>,
    /// Where the rows are aggregated: `local` (read here), or pushdown in
    /// the `--data` database — `postgres` (postgresql://…) or `duckdb`
    /// (FILE.duckdb) — which returns the aggregates and row counts the
    /// report reads; the report is the local engine's.
    #[arg(long, value_enum, default_value_t = Engine::Local)]
    engine: Engine,
}

/// Where the rows are aggregated.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Local,
    Postgres,
    Duckdb,
}

/// Why `--engine` cannot run on this `--data` and these options.
fn refused(engine: Engine, args: &Args) -> Option<&'static str> {
    let data = args.scope.data.to_str().unwrap_or_default();
    match engine {
        Engine::Local => None,
        Engine::Postgres if !alumni_kpi::sql::postgres::is_url(data) => Some(
            "--engine postgres computes in the database `--data` names: give --data postgresql://USER@HOST/DATABASE",
        ),
        Engine::Duckdb if !alumni_kpi::sql::duckdb::is_file(data) => {
            Some("--engine duckdb computes in the database `--data` names: give --data FILE.duckdb")
        }
        _ if args.scope.explain => Some(
            "--explain lists rows, which pushdown does not read: score without --engine to explain",
        ),
        _ if args.profiles.is_some() => Some(
            "--profiles writes a row per person, which pushdown does not read: score without --engine for them",
        ),
        _ => None,
    }
}

pub fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, found `{s}`")),
    }
}

pub fn run(args: Args, out: &Output) -> Exit {
    let score_options = match args.scope.score_options() {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    let scope = &args.scope;
    let pushdown = args.engine != Engine::Local;
    if let Some(why) = refused(args.engine, &args) {
        eprintln!("error: {why}");
        return Exit::Usage;
    }
    let spinner = loading(&scope.data);
    let inputs = super::read_inputs_as(
        &scope.rules,
        Some(&scope.data),
        scope.manifest.as_deref(),
        scope.skip_bad_rows,
        pushdown,
    );
    spinner.finish_and_clear();
    let rules = inputs.rules;
    let data = match inputs.data {
        Some(d) if !inputs.diagnostics.has_errors() => d,
        _ => {
            out.failed(&inputs.diagnostics.0, &rules.sources);
            return Exit::Errors;
        }
    };
    // Pushdown reads the rows of the tables only what has no SQL needs,
    // and runs its query on the same connection (one snapshot).
    let mut database = None;
    let data = match pushdown {
        true => match super::open_database(&scope.data).and_then(|mut db| {
            let d = db.pushdown_dataset(&rules, data, scope.manifest.as_deref(), &score_options);
            database = Some(db);
            d
        }) {
            Ok(d) => d,
            Err(errors) => {
                out.failed(&errors.0, &rules.sources);
                return Exit::Errors;
            }
        },
        false => data,
    };
    let scoring = match super::scored(&rules, &data, &inputs.diagnostics, &score_options, out) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let scoring = if let Some(mut db) = database {
        match db.push_down(scoring) {
            Ok((s, notes)) => {
                // What is computed here instead, and why.
                out.diagnostics(&notes, &rules.sources);
                s
            }
            Err(errors) => {
                out.failed(&errors.0, &rules.sources);
                return Exit::Errors;
            }
        }
    } else {
        scoring
    };
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(ReportFormat::of_path));
    if args.output.is_some() && format.is_none() {
        eprintln!("error: cannot tell the format of `-o` from its extension: pass --format");
        return Exit::Usage;
    }
    if args.template.is_some() && format != Some(ReportFormat::Html) {
        eprintln!(
            "error: --template styles the HTML report: write it with `--format html` or `-o FILE.html`"
        );
        return Exit::Usage;
    }
    let template = match &args.template {
        Some(path) => match alumni_kpi::files::read_text(path, Default::default(), Some(1 << 20)) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("error: the template: {}", e.message);
                return Exit::Usage;
            }
        },
        None => None,
    };
    let report = scoring.report();
    // The profiles go out whatever the report's form, a summary included.
    if let Some(path) = &args.profiles
        && let Err(d) = write(path, &scoring.profiles_csv())
    {
        out.failed(&[*d], &rules.sources);
        return Exit::Errors;
    }
    let render = RenderOptions {
        lang: scope.lang,
        template,
        ..RenderOptions::default()
    };
    let Some(format) = format else {
        // No file and no format: a summary for people.
        if !args.quiet {
            use std::io::IsTerminal;
            let color = std::io::stdout().is_terminal();
            super::stdout(&alumni_kpi::report::summary(&report, scope.lang, color));
        }
        return Exit::Ok;
    };
    let text = match report.render_with(format, &render) {
        Ok(t) => t,
        Err(e) => {
            match &args.template {
                Some(path) => eprintln!("error: the template `{}`: {e}", path.display()),
                None => eprintln!("error: {e}"),
            }
            return Exit::Errors;
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(d) = write(path, &text) {
                out.failed(&[*d], &rules.sources);
                return Exit::Errors;
            }
            if !args.quiet {
                let score = report
                    .score
                    .map_or("null".to_string(), |s| format!("{s:.1}"));
                out.note(&format!(
                    "{}: score {score}, coverage {}%",
                    path.display(),
                    (report.coverage * 100.0).round() as i64
                ));
            }
        }
        None => super::stdout(&text),
    }
    let notes = report.diagnostics.len();
    if notes > 0 && !args.quiet {
        out.note(&format!(
            "{notes} note(s) in the report's diagnostics{}",
            if format == ReportFormat::Json || format == ReportFormat::Yaml {
                " (`diagnostics`)"
            } else {
                ""
            }
        ));
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
