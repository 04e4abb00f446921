//! `kpi watch`: re-score on every save of a rule file, plugin or table.

use std::path::PathBuf;

use alumni_kpi::live::{Event, Live, LiveOptions};
use alumni_kpi::report::{Lang, RenderOptions, Report, ReportFormat};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    scope: super::Scope,
    /// The report file, rewritten atomically after each good reload (it is
    /// never read back, even inside the rules or dataset directory).
    #[arg(short, long)]
    output: PathBuf,
    /// The report's format (default: from the `-o` file's extension).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Watch the rules only: the dataset is read once, at the start.
    #[arg(long)]
    no_data: bool,
    /// How long a burst of saves must pause before re-scoring, in ms.
    #[arg(long, default_value_t = 50)]
    debounce: u64,
}

fn write(
    out: &Output,
    path: &std::path::Path,
    report: &Report,
    format: ReportFormat,
    lang: Lang,
) -> bool {
    let options = RenderOptions {
        lang,
        template: None,
        ..RenderOptions::default()
    };
    let text = match report.render_with(format, &options) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return false;
        }
    };
    match super::fmt::write_file(path, &text) {
        Ok(()) => true,
        Err(d) => {
            out.diagnostics(&[*d], &alumni_kpi::source::SourceMap::new());
            false
        }
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or("null".to_string(), |s| format!("{s:.1}"))
}

pub fn run(args: Args, out: &Output) -> Exit {
    let Some(format) = args.format.or_else(|| ReportFormat::of_path(&args.output)) else {
        eprintln!("error: cannot tell the format of `-o` from its extension: pass --format");
        return Exit::Usage;
    };
    let scope = &args.scope;
    let mut options = LiveOptions::new(&scope.rules, &scope.data);
    if let Err(exit) = scope.files_only("watch") {
        return exit;
    }
    options.score = match scope.score_options() {
        Ok(o) => o,
        Err(exit) => return exit,
    };
    options.skip_bad_rows = scope.skip_bad_rows;
    options.watch_data = !args.no_data;
    options.debounce = std::time::Duration::from_millis(args.debounce);
    options.ignore = vec![args.output.clone()];
    let live = match Live::start(options) {
        Ok(l) => l,
        Err(e) => {
            out.failed(&e.diagnostics.0, &e.sources);
            return Exit::Errors;
        }
    };
    let events = live.subscribe();
    let first = live.current();
    if !write(out, &args.output, &first.report, format, scope.lang) {
        return Exit::Errors;
    }
    let watched = if args.no_data {
        format!("{} (the dataset is not watched)", scope.rules.display())
    } else {
        format!("{} and {}", scope.rules.display(), scope.data.display())
    };
    eprintln!(
        "{}: score {}; watching {watched} (Ctrl-C to stop)",
        args.output.display(),
        score_text(first.report.score),
    );
    for event in events {
        let time = chrono::Local::now().format("%H:%M:%S");
        match event {
            Event::Scored {
                report,
                previous_score,
                changed,
                reloaded_tables,
                latency,
            } => {
                if !write(out, &args.output, &report, format, scope.lang) {
                    continue;
                }
                let delta = match (report.score, previous_score) {
                    (Some(a), Some(b)) => format!(" ({:+.1})", a - b),
                    _ => String::new(),
                };
                let tables = if reloaded_tables.is_empty() {
                    String::new()
                } else {
                    format!(", reloaded {}", reloaded_tables.join(", "))
                };
                eprintln!(
                    "{time} {} → score {}{delta}{tables} in {} ms",
                    names(&changed),
                    score_text(report.score),
                    latency.as_millis()
                );
            }
            Event::Failed {
                diagnostics,
                sources,
                changed,
            } => {
                eprintln!(
                    "{time} {} → {} error(s); keeping the last report",
                    names(&changed),
                    diagnostics.error_count()
                );
                out.diagnostics(&diagnostics.0, &sources);
            }
        }
    }
    Exit::Ok
}

fn names(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
