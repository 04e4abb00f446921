//! The `kpi` commands: thin glue over the library, one file per command.

mod check;
mod convert;
mod diff;
mod fmt;
mod generate;
mod lsp;
mod new;
mod score;
mod serve;
mod sql;
mod test;
mod watch;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use alumni_kpi::diagnostic::{Diagnostic, ErrorFormat, render};
use alumni_kpi::source::SourceMap;

/// The process exit status: 0 ok, 1 rule or data errors, 2 usage errors
/// (clap exits with 2 itself on bad arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok,
    Errors,
    Usage,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(match e {
            Exit::Ok => 0,
            Exit::Errors => 1,
            Exit::Usage => 2,
        })
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "kpi",
    version,
    about = "Rule-driven KPI scoring for alumni relations"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How diagnostics are printed: `human` (snippets), `short` (one line
    /// each) or `json` (for editors and tools, on standard output).
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate the rules (and, with --data, their tables and columns).
    Check(check::Args),
    /// Rewrite rule files in the canonical layout (comments kept).
    Fmt(fmt::Args),
    /// Convert a rule file between .kpi and YAML.
    Convert(convert::Args),
    /// Score the rules against a dataset and write the report.
    Score(score::Args),
    /// Compare two reports, or two rule sets on the same data: what moved
    /// the score, and why.
    Diff(diff::Args),
    /// Write a realistic synthetic alumni dataset.
    Generate(generate::Args),
    /// Re-score on every save of a rule file, plugin or table.
    Watch(watch::Args),
    /// Run the rule tests (`*.test.yaml`): small datasets and the figures
    /// they must give.
    Test(test::Args),
    /// The language server for editors (LSP over standard input and
    /// output): diagnostics as you type, completion, hover with the
    /// figures, go to definition, formatting.
    Lsp(lsp::Args),
    /// Write a commented starter rules directory: a scorecard, one
    /// objective per impact goal, a profile, a test and a kpi.toml.
    New(new::Args),
    /// Serve the live report in a browser, with what-ifs, and an HTTP API
    /// for other tools.
    Serve(serve::Args),
    /// Compile the rules to one SQL query (duckdb, postgres, spark,
    /// bigquery, snowflake) returning every indicator's value, whole and
    /// per segment.
    Sql(sql::Args),
}

pub fn run(cli: Cli) -> Exit {
    let out = Output {
        format: cli.error_format,
        color: std::io::stderr().is_terminal(),
    };
    match cli.command {
        Command::Check(args) => check::run(args, &out),
        Command::Fmt(args) => fmt::run(args, &out),
        Command::Convert(args) => convert::run(args, &out),
        Command::Score(args) => score::run(args, &out),
        Command::Diff(args) => diff::run(args, &out),
        Command::Generate(args) => generate::run(args, &out),
        Command::Watch(args) => watch::run(args, &out),
        Command::Test(args) => test::run(args, &out),
        Command::Lsp(args) => lsp::run(args, &out),
        Command::New(args) => new::run(args, &out),
        Command::Serve(args) => serve::run(args, &out),
        Command::Sql(args) => sql::run(args, &out),
    }
}

/// Where and how diagnostics go.
pub struct Output {
    pub format: ErrorFormat,
    pub color: bool,
}

impl Output {
    /// Prints diagnostics: JSON on standard output, text on standard error.
    pub fn diagnostics(&self, diags: &[Diagnostic], sources: &SourceMap) {
        let text = render(diags, sources, self.format, self.color);
        match self.format {
            ErrorFormat::Json => stdout(&text),
            _ => eprint!("{text}"),
        }
    }

    /// Prints the diagnostics of a run that failed, and how many errors.
    pub fn failed(&self, diags: &[Diagnostic], sources: &SourceMap) {
        self.diagnostics(diags, sources);
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let warnings = diags.len() - errors;
        self.note(&format!(
            "{errors} error(s){}",
            if warnings > 0 {
                format!(", {warnings} warning(s)")
            } else {
                String::new()
            }
        ));
    }

    /// A one-line message for people (silent in JSON mode).
    pub fn note(&self, text: &str) {
        if self.format != ErrorFormat::Json {
            eprintln!("{text}");
        }
    }
}

/// Writes to standard output. A reader that stops reading (`| head`) ends
/// the output quietly: that is no error of ours.
pub fn stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// The default rules directory.
pub fn default_rules() -> PathBuf {
    PathBuf::from("rules")
}

/// The default dataset directory.
pub fn default_data() -> PathBuf {
    PathBuf::from("data/sample")
}

/// What `kpi score` and `kpi watch` score, and how: their shared options.
#[derive(clap::Args, Debug, Clone)]
pub struct Scope {
    /// The rules directory (every .kpi and .yaml file in it, and the
    /// plugins they use).
    #[arg(long, default_value_os_t = default_rules())]
    pub rules: PathBuf,
    /// The dataset directory (CSV / JSONL tables, optional dataset.yaml),
    /// or a PostgreSQL database: `postgresql://USER@HOST/DATABASE`.
    #[arg(long, default_value_os_t = default_data())]
    pub data: PathBuf,
    /// With a database as `--data`: a dataset.yaml declaring what the
    /// database does not say (dates, `since`, lists, references); its
    /// directory holds the benchmark file.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Override a param: `--set staff_hour_cost=50` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = score::parse_set)]
    pub set: Vec<(String, String)>,
    /// Score another period: `--period 2024-09-01..2025-08-31`.
    #[arg(long, value_name = "FROM..TO")]
    pub period: Option<String>,
    /// Score this period and the N−1 before it, for the trend, previous
    /// figures and change (default: the scorecard's `trend`, else 2 with a
    /// period).
    #[arg(long, value_name = "N")]
    pub periods: Option<usize>,
    /// Add each indicator's trace: rows read and kept, the formula and the
    /// target with their numbers, the scoring and the weighted contribution.
    #[arg(long)]
    pub explain: bool,
    /// Leave out rows with malformed values instead of failing (the report
    /// counts them and names their lines).
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// The language of the report's headings, labels and notes.
    #[arg(long, value_enum, default_value_t = alumni_kpi::report::Lang::En)]
    pub lang: alumni_kpi::report::Lang,
}

impl Scope {
    /// For `watch` and `serve`, which re-read files on every save: a
    /// database as `--data` (and `--manifest`, which goes with one) is a
    /// usage error, not ignored.
    pub fn files_only(&self, command: &str) -> Result<(), Exit> {
        if is_database(&self.data) || self.manifest.is_some() {
            eprintln!(
                "error: `kpi {command}` re-reads a dataset directory on every save: a database \
                 (--data postgresql://… or FILE.duckdb, --manifest) is scored with `kpi score`"
            );
            return Err(Exit::Usage);
        }
        Ok(())
    }

    /// The options of one scoring; a bad `--period` is a usage error.
    pub fn score_options(&self) -> Result<alumni_kpi::engine::ScoreOptions, Exit> {
        let period = period_arg(self.period.as_deref())?;
        Ok(alumni_kpi::engine::ScoreOptions {
            period,
            set: self.set.clone(),
            explain: self.explain,
            periods: self.periods,
        })
    }
}

/// A `--period FROM..TO` as dates; a bad one is a usage error.
pub fn period_arg(
    text: Option<&str>,
) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, Exit> {
    text.map(alumni_kpi::syntax::period_dates)
        .transpose()
        .map_err(|e| {
            eprintln!("error: --period: {e} (write FROM..TO, e.g. 2024-09-01..2025-08-31)");
            Exit::Usage
        })
}

/// The rules compiled against the dataset; on errors, they are printed
/// with what reading said (a database read without a manifest may
/// explain them).
pub fn scored<'a>(
    rules: &'a alumni_kpi::rules::RuleSet,
    data: &'a alumni_kpi::data::Dataset,
    read: &alumni_kpi::Diagnostics,
    options: &alumni_kpi::engine::ScoreOptions,
    out: &Output,
) -> Result<alumni_kpi::engine::Scoring<'a>, Exit> {
    alumni_kpi::engine::Scoring::new(rules, data, options).map_err(|errors| {
        let mut said = read.0.clone();
        said.extend(errors.0);
        out.failed(&said, &rules.sources);
        Exit::Errors
    })
}

/// Whether `--data` names a database (PostgreSQL, a DuckDB file) rather
/// than a dataset directory.
pub fn is_database(data: &std::path::Path) -> bool {
    data.to_str().is_some_and(|d| {
        alumni_kpi::sql::postgres::is_url(d) || alumni_kpi::sql::duckdb::is_file(d)
    })
}

/// The `--data` database, connected or opened.
pub fn open_database(
    data: &std::path::Path,
) -> Result<Box<dyn alumni_kpi::sql::Source>, alumni_kpi::Diagnostics> {
    let one = |d: Box<alumni_kpi::Diagnostic>| alumni_kpi::Diagnostics::from(vec![*d]);
    let text = data.to_str().unwrap_or_default();
    if alumni_kpi::sql::postgres::is_url(text) {
        return Ok(Box::new(
            alumni_kpi::sql::postgres::Database::connect(text).map_err(one)?,
        ));
    }
    Ok(Box::new(
        alumni_kpi::sql::duckdb::DuckDb::open(data).map_err(one)?,
    ))
}

/// The tables of a database the rules read, as a dataset.
fn database(
    data: &std::path::Path,
    rules: &alumni_kpi::rules::RuleSet,
    manifest: Option<&std::path::Path>,
    shape_only: bool,
) -> Result<alumni_kpi::data::Dataset, alumni_kpi::Diagnostics> {
    let mut db = open_database(data)?;
    if shape_only {
        return db.shape(manifest);
    }
    db.dataset(rules, manifest)
}

/// The rules and the dataset, read as `kpi score` and `kpi check` both
/// read them: every problem of either is in `diagnostics`, the dataset is
/// read even when the rules have errors (so that one run lists both).
pub struct Inputs {
    pub rules: alumni_kpi::rules::RuleSet,
    pub data: Option<alumni_kpi::data::Dataset>,
    pub diagnostics: alumni_kpi::Diagnostics,
}

pub fn read_inputs(
    rules: &std::path::Path,
    data: Option<&std::path::Path>,
    manifest: Option<&std::path::Path>,
    skip_bad_rows: bool,
) -> Inputs {
    read_inputs_as(rules, data, manifest, skip_bad_rows, false)
}

/// The same; with `shape_only`, a database's tables are read without
/// their rows (pushdown reads only what its query returns).
pub fn read_inputs_as(
    rules: &std::path::Path,
    data: Option<&std::path::Path>,
    manifest: Option<&std::path::Path>,
    skip_bad_rows: bool,
    shape_only: bool,
) -> Inputs {
    use alumni_kpi::data::{Dataset, LoadOptions};
    let (rules, mut diagnostics) = alumni_kpi::rules::RuleSet::load_dir(rules);
    let rules_broken = diagnostics.has_errors();
    let data = data.and_then(|dir| {
        let options = LoadOptions {
            skip_bad_rows,
            ..LoadOptions::for_rules(&rules)
        };
        if is_database(dir) {
            return match database(dir, &rules, manifest, shape_only) {
                Ok(d) => {
                    if manifest.is_none() {
                        // Said with the rules' errors it may explain (a
                        // list read as text, a table without its dates).
                        diagnostics.push(
                            alumni_kpi::Diagnostic::warning(
                                "data::database",
                                "the database was read without a manifest: its lists, `since` columns, \
                                 date columns not named `date` and references not named `X_id` are not declared",
                            )
                            .with_help("declare them in a dataset.yaml and pass it with --manifest FILE"),
                        );
                    }
                    Some(d)
                }
                Err(errors) => {
                    diagnostics.extend(errors);
                    None
                }
            };
        }
        if let Some((scheme, _)) = dir.to_str().and_then(|d| d.split_once("://")) {
            diagnostics.push(
                alumni_kpi::Diagnostic::error(
                    "data::database",
                    format!("`{scheme}://` is not a database kpi reads"),
                )
                .with_help("a PostgreSQL database is postgresql://USER@HOST/DATABASE"),
            );
            return None;
        }
        if manifest.is_some() {
            diagnostics.push(
                alumni_kpi::Diagnostic::error(
                    "data::manifest",
                    "--manifest declares a database's tables: a directory has its own dataset.yaml",
                )
                .with_help("leave --manifest out, or give --data postgresql://…"),
            );
            return None;
        }
        match Dataset::load(dir, &options) {
            Ok(d) => Some(d),
            Err(errors) => {
                diagnostics.extend(errors);
                None
            }
        }
    });
    // A file that does not parse does not hide the other files' mistakes:
    // they are checked too, but for names (the broken file may define
    // them); a dataset that does not load does not hide the rules' mistakes.
    if diagnostics.has_errors() {
        let schema = data.as_ref().map(|d| d.schema());
        let checked =
            alumni_kpi::check::check_despite(&rules, schema.as_ref(), &diagnostics, rules_broken);
        diagnostics.extend(checked);
    }
    Inputs {
        rules,
        data,
        diagnostics,
    }
}
