//! `kpi watch`: re-score on every save of a rule file, plugin or table.

use std::path::PathBuf;

use alumni_kpi::engine::ScoreOptions;
use alumni_kpi::live::{Event, Live, LiveOptions};
use alumni_kpi::report::{Report, ReportFormat};

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rules directory (rule files and plugins are watched).
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// The dataset directory (its tables are watched too).
    #[arg(long, default_value = "data/sample")]
    data: PathBuf,
    /// The report file, rewritten atomically after each good reload.
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    format: ReportFormat,
    /// Override a param: `--set staff_hour_cost=50` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = super::score::parse_set)]
    set: Vec<(String, String)>,
    /// Do not watch the dataset, only the rules.
    #[arg(long)]
    no_data: bool,
    /// How long a burst of saves must pause before re-scoring, in ms.
    #[arg(long, default_value_t = 50)]
    debounce: u64,
}

fn write(out: &Output, path: &std::path::Path, report: &Report, format: ReportFormat) -> bool {
    match super::fmt::write_file(path, &report.render(format)) {
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
    let mut options = LiveOptions::new(&args.rules, &args.data);
    options.score = ScoreOptions {
        set: args.set.clone(),
        ..ScoreOptions::default()
    };
    options.watch_data = !args.no_data;
    options.debounce = std::time::Duration::from_millis(args.debounce);
    let live = match Live::start(options) {
        Ok(l) => l,
        Err(e) => {
            out.diagnostics(&e.diagnostics.0, &e.sources);
            return Exit::Errors;
        }
    };
    let events = live.subscribe();
    let first = live.current();
    if !write(out, &args.output, &first.report, args.format) {
        return Exit::Errors;
    }
    eprintln!(
        "{}: score {}; watching {} and {} (Ctrl-C to stop)",
        args.output.display(),
        score_text(first.report.score),
        args.rules.display(),
        args.data.display()
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
                if !write(out, &args.output, &report, args.format) {
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
