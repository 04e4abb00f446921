//! `kpi sql`: the rules compiled to one SQL query for a database.

use std::path::PathBuf;

use alumni_kpi::engine::ScoreOptions;
use alumni_kpi::sql::Dialect;

use super::{Exit, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rules directory.
    #[arg(long, default_value_os_t = super::default_rules())]
    rules: PathBuf,
    /// The dataset whose tables the database holds (for their columns,
    /// types, keys and relations): a directory, or a PostgreSQL database.
    #[arg(long, default_value_os_t = super::default_data())]
    data: PathBuf,
    /// With a database as `--data`: its dataset.yaml.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// The database's SQL: duckdb, postgres, spark, bigquery or snowflake.
    #[arg(long, value_parser = parse_dialect)]
    dialect: Dialect,
    /// Override a param: `--set staff_hour_cost=50` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = super::score::parse_set)]
    set: Vec<(String, String)>,
    /// Another period: `--period 2024-09-01..2025-08-31`.
    #[arg(long, value_name = "FROM..TO")]
    period: Option<String>,
    /// Leave out indicators with no SQL (a rhai function, say), with a
    /// warning each, instead of failing.
    #[arg(long)]
    skip_unsupported: bool,
    /// Write the query here (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also write the dataset as the query expects the database to hold
    /// it: `schema.sql` (CREATE TABLE in the dialect) and one plain CSV per
    /// table, in this directory.
    #[arg(long, value_name = "DIR")]
    export: Option<PathBuf>,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
}

pub fn run(args: Args, out: &Output) -> Exit {
    let period = match super::period_arg(args.period.as_deref()) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let inputs = super::read_inputs(
        &args.rules,
        Some(&args.data),
        args.manifest.as_deref(),
        false,
    );
    let rules = inputs.rules;
    let data = match inputs.data {
        Some(d) if !inputs.diagnostics.has_errors() => d,
        _ => {
            out.failed(&inputs.diagnostics.0, &rules.sources);
            return Exit::Errors;
        }
    };
    let options = ScoreOptions {
        period,
        set: args.set.clone(),
        ..ScoreOptions::default()
    };
    let scoring = match super::scored(&rules, &data, &inputs.diagnostics, &options, out) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let sql = match scoring.sql(args.dialect, args.skip_unsupported) {
        Ok(s) => s,
        Err(errors) => {
            out.failed(&errors.0, &rules.sources);
            return Exit::Errors;
        }
    };
    if let Some(dir) = &args.export {
        if let Err(e) = alumni_kpi::sql::export::export(&data, args.dialect, dir) {
            eprintln!(
                "error: cannot export the dataset to `{}`: {e}",
                dir.display()
            );
            return Exit::Errors;
        }
        out.note(&format!(
            "{}: schema.sql and {} tables",
            dir.display(),
            data.tables.len()
        ));
    }
    if args.skip_unsupported && !sql.skipped.is_empty() {
        let said: Vec<_> = sql
            .skipped
            .iter()
            .map(|u| scoring.unsupported_note(u))
            .collect();
        if out.format == alumni_kpi::diagnostic::ErrorFormat::Json && args.output.is_none() {
            // Standard output carries the query: the JSON goes aside.
            let text = alumni_kpi::diagnostic::render(&said, &rules.sources, out.format, false);
            eprint!("{text}");
        } else {
            out.diagnostics(&said, &rules.sources);
        }
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = alumni_kpi::atomic::write_atomic(path, sql.text.as_bytes()) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Errors;
            }
            out.note(&format!(
                "{}: {} selects, {} left out",
                path.display(),
                sql.selects,
                sql.skipped.len()
            ));
        }
        None => super::stdout(&sql.text),
    }
    Exit::Ok
}
