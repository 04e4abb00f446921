//! The scored report: one model, one renderer per format.
//!
//! | format | renderer |
//! |--------|----------|
//! | `json` | serde_json, the contract of DESIGN §6 |
//! | `yaml` | the same content as YAML |
//! | `md`   | Markdown tables, for wikis and e-mails (`markdown.rs`) |
//! | `csv`  | one row per figure and note (`csv.rs`) |
//! | `html` | one self-contained page with charts (`html.rs`, minijinja + plotters) |

#[cfg(feature = "html")]
mod board;
mod csv;
pub use csv::safe_cell;
#[doc(hidden)]
pub mod format;
#[cfg(feature = "html")]
mod html;
#[doc(hidden)]
pub mod labels;
pub(crate) mod markdown;
#[doc(hidden)]
pub mod status;
mod summary;

#[cfg(feature = "html")]
pub use html::TEMPLATE as HTML_TEMPLATE;
pub use labels::Lang;
pub use status::{NotSegmented, Reason, Status};
pub use summary::summary;

use indexmap::IndexMap;
use std::borrow::Cow;

use serde::{Deserialize, Serialize, Serializer};

use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::PeerPosition;
use crate::source::SourceMap;

/// The version of the JSON layout.
pub const FORMAT: &str = "alumni-kpi/report@2";

/// Whole numbers as integers (`30`, not `30.0`); others as they are.
fn num<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        s.serialize_i64(*x as i64)
    } else {
        s.serialize_f64(*x)
    }
}

fn opt_num<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => num(x, s),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// A scored report: the layout of DESIGN §6 (`alumni-kpi/report@2`), which every format renders.
#[serde(deny_unknown_fields)]
pub struct Report {
    /// [`FORMAT`]; a report read back says which layout it was written in.
    pub format: Cow<'static, str>,
    /// The scorecard's title.
    pub scorecard: String,
    /// The period scored, if any.
    pub period: Option<PeriodOut>,
    #[serde(serialize_with = "opt_num")]
    /// The overall score (0–100), or null when no objective could be scored.
    pub score: Option<f64>,
    /// Share of the weight whose score could be computed.
    #[serde(serialize_with = "num")]
    pub coverage: f64,
    /// The overall score of each period scored, oldest first, this one
    /// last (`--periods`; none without a period).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub trend: Vec<TrendScore>,
    /// A hash of the rule set, parameters and period scored.
    pub revision: String,
    /// Rows loaded per table.
    pub rows: IndexMap<String, usize>,
    /// Rows that count in the period scored, per table (a flow table's
    /// rows dated in it, a stock table's rows recorded by its end).
    pub in_period: IndexMap<String, usize>,
    /// Rows skipped per table (`--skip-bad-rows`).
    #[serde(skip_serializing_if = "IndexMap::is_empty", default)]
    pub skipped_rows: IndexMap<String, usize>,
    /// The value of every param used (after `--set`).
    pub params: IndexMap<String, serde_json::Value>,
    /// How each table was read: file, delimiter, formats, types.
    pub dataset: IndexMap<String, DatasetTable>,
    /// Segment groups of fewer people than this are masked in the HTML
    /// and Markdown reports (the scorecard's `min_group`, default 10).
    #[serde(default = "default_min_group")]
    pub min_group: usize,
    /// Every objective, in the rules' order.
    pub objectives: Vec<ObjectiveReport>,
    /// The notes: warnings and what could not be computed.
    pub diagnostics: Vec<ReportDiagnostic>,
}

/// One table of the dataset as it was read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetTable {
    /// The file, relative to the dataset (`memory:TABLE` for a built table).
    pub file: String,
    /// `csv`, `jsonl` or `memory`.
    pub format: Cow<'static, str>,
    /// Rows read.
    pub rows: usize,
    #[serde(skip_serializing_if = "is_zero", default)]
    /// Rows left out (`--skip-bad-rows`).
    pub skipped: usize,
    /// The file's encoding.
    pub encoding: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The delimiter of a CSV file.
    pub delimiter: Option<String>,
    /// The decimal mark of number columns (CSV).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub decimal: Option<String>,
    /// How non-ISO dates are written (strftime), when the table has dates.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub date_format: Option<String>,
    /// The column `period` applies to (a flow table).
    pub date_column: Option<String>,
    /// The column from which a row counts (a stock table).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub since: Option<String>,
    /// The key column, if any.
    pub key: Option<String>,
    /// What the file told rather than dataset.yaml: `delimiter`,
    /// `decimal`, `date_format`.
    pub inferred: Vec<Cow<'static, str>>,
    /// What the file could not tell and was read as the dataset's other
    /// tables showed (`date_format`, `decimal`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub from_other_tables: Vec<Cow<'static, str>>,
    /// Column → type.
    pub columns: IndexMap<String, crate::data::ColumnType>,
    /// The columns whose type was inferred from their cells.
    pub inferred_columns: Vec<String>,
}

/// The usual `min_group`.
pub const MIN_GROUP: usize = 10;

fn default_min_group() -> usize {
    MIN_GROUP
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl From<&crate::data::TableInfo> for DatasetTable {
    fn from(t: &crate::data::TableInfo) -> DatasetTable {
        let mut inferred = Vec::new();
        if t.delimiter.as_ref().is_some_and(|d| d.1) {
            inferred.push("delimiter".into());
        }
        if t.decimal.is_some_and(|d| d.1) {
            inferred.push("decimal".into());
        }
        if t.date_format.as_ref().is_some_and(|d| d.1) {
            inferred.push("date_format".into());
        }
        DatasetTable {
            file: t.file.clone(),
            format: t.format.into(),
            rows: t.rows,
            skipped: t.skipped,
            encoding: t.encoding.name().into(),
            delimiter: t.delimiter.as_ref().map(|d| d.0.clone()),
            decimal: t.decimal.map(|d| d.0.to_string()),
            date_format: t.date_format.as_ref().map(|d| d.0.clone()),
            date_column: t.date_column.clone(),
            since: t.since.clone(),
            key: t.key.clone(),
            inferred,
            from_other_tables: t.from_other_tables.iter().map(|&w| w.into()).collect(),
            columns: t.columns.iter().map(|c| (c.name.clone(), c.ty)).collect(),
            inferred_columns: t
                .columns
                .iter()
                .filter(|c| c.inferred)
                .map(|c| c.name.clone())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// A period, as ISO dates.
#[serde(deny_unknown_fields)]
pub struct PeriodOut {
    /// Its first day.
    pub from: String,
    /// Its last day.
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// One objective's figures.
#[serde(deny_unknown_fields)]
pub struct ObjectiveReport {
    /// Its id in the rules.
    pub id: String,
    /// Its title, if the rules give one.
    pub title: Option<String>,
    #[serde(serialize_with = "num")]
    /// Its weight in the overall score.
    pub weight: f64,
    #[serde(serialize_with = "opt_num")]
    /// Its score (0–100): the weighted mean of its indicators' scores, or null.
    pub score: Option<f64>,
    #[serde(serialize_with = "num")]
    /// The share of its indicators' weight that could be scored.
    pub coverage: f64,
    /// Its score in each period scored, oldest first, this one last.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub trend: Vec<TrendScore>,
    /// Its indicators, in the rules' order.
    pub indicators: Vec<IndicatorReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// One indicator's figures.
#[serde(deny_unknown_fields)]
pub struct IndicatorReport {
    /// Its id in the rules.
    pub id: String,
    /// Its title, if the rules give one.
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// Its description, if the rules give one.
    pub description: Option<String>,
    #[serde(serialize_with = "opt_num")]
    /// Its value, or null (see `status` and `reason`).
    pub value: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    /// Its target, or null.
    pub target: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    /// Its score (0–100), or null.
    pub score: Option<f64>,
    #[serde(serialize_with = "num")]
    /// Its weight in its objective.
    pub weight: f64,
    /// The unit of its value (`%`, `EUR`), if any.
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    /// Its tags (the LERU impact goals it serves, say).
    pub tags: Vec<String>,
    /// `ok`, `no_data`, `no_baseline`, `no_peers` or `failed`.
    pub status: Status,
    /// Why, unless `ok`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<Reason>,
    /// Its figures in each period scored, oldest first, this one last.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub trend: Vec<TrendFigure>,
    /// Its figures in the period before (with two periods or more).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous: Option<Change>,
    /// This period's figures less the previous period's (null where
    /// either is null).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub change: Option<Change>,
    /// Segment column → segment value → figures.
    #[serde(skip_serializing_if = "IndexMap::is_empty", default)]
    pub segments: IndexMap<String, IndexMap<String, SegmentCell>>,
    /// Why there are no segment figures, when there are none.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub segments_note: Option<NotSegmented>,
    /// Its definition as the rules write it, in canonical form: two
    /// reports compare without their rules.
    #[serde(default)]
    pub formula: Formula,
    /// Where it stands among the peers of the benchmark file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub peers: Option<PeerPosition>,
    /// How its figures were reached (`--explain`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub explain: Option<Explain>,
}

/// The previous period's entry of a trend (the one before the last), if
/// the trend has one.
pub fn previous_entry<T>(trend: &[T]) -> Option<&T> {
    trend.len().checked_sub(2).map(|k| &trend[k])
}

/// The previous period's score of a trend: `None` without a previous
/// period, `Some(None)` when that period has no score.
pub fn previous_score(trend: &[TrendScore]) -> Option<Option<f64>> {
    previous_entry(trend).map(|t| t.score)
}

/// A score in one period of a trend (overall or an objective).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendScore {
    /// The period's first day (ISO).
    pub from: String,
    /// Its last day.
    pub to: String,
    /// The score, or null (no row of any dated table in that period).
    #[serde(serialize_with = "opt_num")]
    pub score: Option<f64>,
}

/// An indicator's figures in one period of its trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendFigure {
    /// The period's first day (ISO).
    pub from: String,
    /// Its last day.
    pub to: String,
    /// Its value then, or null (see `status`).
    #[serde(serialize_with = "opt_num")]
    pub value: Option<f64>,
    /// Its target then (a `prior(..)` target is that period's), or null.
    #[serde(serialize_with = "opt_num")]
    pub target: Option<f64>,
    /// Its score then, or null.
    #[serde(serialize_with = "opt_num")]
    pub score: Option<f64>,
    /// Said only when not `ok`: why the figures are null.
    #[serde(skip_serializing_if = "is_ok", default)]
    pub status: Status,
}

/// A value and a score: the previous period's, or the change from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The value (or its change), null when unknown.
    #[serde(serialize_with = "opt_num")]
    pub value: Option<f64>,
    /// The score (or its change, in points), null when unknown.
    #[serde(serialize_with = "opt_num")]
    pub score: Option<f64>,
}

/// An indicator's definition, each expression in canonical form (`kpi
/// fmt`'s).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formula {
    /// The value's expression.
    pub value: String,
    /// The target's expression (null when the indicator has none).
    pub target: Option<String>,
    /// How the value is scored against the target: the `score` field, or
    /// the default `linear(0, target)`.
    pub score: String,
}

/// One segment's figures for an indicator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentCell {
    #[serde(serialize_with = "opt_num")]
    /// The value over the segment's rows.
    pub value: Option<f64>,
    /// The segment's own target: a `prior(..)` or share target is
    /// computed over the segment, not taken from the whole.
    #[serde(serialize_with = "opt_num")]
    pub target: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    /// The score against the segment's target.
    pub score: Option<f64>,
    /// The population rows in the segment (the people its figures are
    /// of): the HTML and Markdown reports mask groups smaller than the
    /// scorecard's `min_group`.
    #[serde(default)]
    pub n: usize,
    /// Said only when not `ok`.
    #[serde(skip_serializing_if = "is_ok", default)]
    pub status: Status,
}

fn is_ok(s: &Status) -> bool {
    *s == Status::Ok
}

/// How an indicator's figures were reached (`--explain`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explain {
    /// The value's expression.
    pub formula: String,
    /// The same with each aggregate and name replaced by its value.
    pub with_values: String,
    /// Each aggregate of the value, with its rows.
    pub aggregates: Vec<AggregateTrace>,
    /// The target's expression with its numbers (a `prior(..)` is the
    /// previous period's value; `peers(..)`, the peers' figure).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub target: Option<TargetTrace>,
    /// The scoring rule with its numbers.
    pub scoring: String,
    /// The same sentence in French.
    #[serde(skip)]
    pub scoring_fr: String,
    /// The indicator's weight over its objective's (covered) weight.
    #[serde(serialize_with = "opt_num")]
    pub share_of_objective: Option<f64>,
    /// Points it adds to its objective's score.
    #[serde(serialize_with = "opt_num")]
    pub contribution: Option<f64>,
}

impl Explain {
    /// The scoring sentence in the report's language.
    pub fn scoring_in(&self, lang: Lang) -> &str {
        match lang {
            // A report read back has the English sentence only.
            Lang::Fr if !self.scoring_fr.is_empty() => &self.scoring_fr,
            _ => &self.scoring,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// How a target was reached.
#[serde(deny_unknown_fields)]
pub struct TargetTrace {
    /// The target's expression.
    pub formula: String,
    /// The same with its numbers.
    pub with_values: String,
    /// Each `peers(p)` it reads: the percentile asked for, the peer
    /// figures it was taken from, and what it gave.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub peers: Vec<PeersTrace>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// One `peers(p)` a target reads.
#[serde(deny_unknown_fields)]
pub struct PeersTrace {
    #[serde(serialize_with = "num")]
    /// The percentile asked for (0–1).
    pub percentile: f64,
    /// Peer figures for the indicator.
    pub n: usize,
    /// Lower is better: the percentile is taken from the best end.
    pub lower_is_better: bool,
    #[serde(serialize_with = "opt_num")]
    /// What it gave.
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// One aggregate of a value (`count(alumni where member)`).
#[serde(deny_unknown_fields)]
pub struct AggregateTrace {
    /// The aggregate as written.
    pub expression: String,
    /// The table it reads.
    pub table: String,
    /// Rows of the table in the period (and segment).
    pub rows: usize,
    /// Rows kept by the `where` filter.
    pub kept: usize,
    /// What it gave.
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
/// A note of the report: a diagnostic, placed.
#[serde(deny_unknown_fields)]
pub struct ReportDiagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Its stable code (`score::no-data`).
    pub code: Cow<'static, str>,
    /// What it says, in English.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// The file it points into, if any.
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// Its line there.
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    /// Its column there.
    pub column: Option<usize>,
    /// The message in French, where there is one (JSON and YAML keep the
    /// English message: tools match on `code`).
    #[serde(skip)]
    pub french: Option<String>,
}

impl ReportDiagnostic {
    /// The message in the report's language (English where no French
    /// version exists).
    pub fn message_in(&self, lang: Lang) -> &str {
        match (lang, &self.french) {
            (Lang::Fr, Some(f)) => f,
            _ => &self.message,
        }
    }

    /// A diagnostic placed with the rule files it points into.
    pub fn from(d: &Diagnostic, sources: &SourceMap) -> ReportDiagnostic {
        let loc = d.location(sources);
        ReportDiagnostic {
            severity: d.severity,
            code: d.code.into(),
            message: d.message.clone(),
            file: loc.as_ref().map(|l| l.file.clone()),
            line: loc.as_ref().map(|l| l.line),
            column: loc.as_ref().map(|l| l.column),
            french: d.french.clone(),
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ReportFormat {
    /// The layout of DESIGN §6, for tools.
    Json,
    /// The same content as YAML.
    Yaml,
    /// Markdown tables, for wikis and e-mails.
    Md,
    /// One self-contained page with charts.
    Html,
    /// One row per figure and note.
    Csv,
}

impl ReportFormat {
    /// The format a file name asks for (`report.html`).
    pub fn of_path(path: &std::path::Path) -> Option<ReportFormat> {
        match path.extension()?.to_str()? {
            "json" => Some(ReportFormat::Json),
            "yaml" | "yml" => Some(ReportFormat::Yaml),
            "md" | "markdown" => Some(ReportFormat::Md),
            "html" | "htm" => Some(ReportFormat::Html),
            "csv" => Some(ReportFormat::Csv),
            _ => None,
        }
    }

    fn renderer(self) -> &'static dyn Renderer {
        match self {
            ReportFormat::Json => &Json,
            ReportFormat::Yaml => &Yaml,
            ReportFormat::Md => &Markdown,
            ReportFormat::Html => &Html,
            ReportFormat::Csv => &Csv,
        }
    }
}

/// How to render: the language of labels, and a template for HTML.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// The language of headings, labels and notes.
    pub lang: Lang,
    /// Replaces the shipped HTML template (`--template FILE`).
    pub template: Option<String>,
    /// The generation date the HTML summary shows (default: today, UTC).
    pub generated: Option<chrono::NaiveDate>,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[cfg(feature = "html")]
    #[error(transparent)]
    /// The template could not be rendered.
    Html(#[from] html::HtmlError),
    /// The library was built without its `html` feature.
    #[cfg(not(feature = "html"))]
    #[error("this build has no HTML report: build alumni-kpi with its `html` feature")]
    NoHtml,
    #[error("cannot write YAML: {0}")]
    /// The YAML writer failed.
    Yaml(String),
}

/// Why a report could not be read back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// Not JSON or YAML, or not a report's layout.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The reader's words.
        message: String,
    },
    /// A figure said to be computed that is not there (an `ok` indicator
    /// without its value or score).
    #[error("{0}")]
    Missing(String),
    /// A report of another layout (or no report at all).
    #[error("this is not an `{FORMAT}` report (its format is `{found}`)")]
    Format {
        /// What the `format` field says instead.
        found: String,
    },
}

/// The layout field alone, read before the rest.
#[derive(Deserialize)]
struct Layout {
    format: Option<String>,
}

impl Report {
    /// Reads back a report written as JSON (`kpi score --format json`).
    pub fn from_json(text: &str) -> Result<Report, ReadError> {
        let syntax = |e: serde_json::Error| ReadError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        check_layout(serde_json::from_str::<Layout>(text).map_err(syntax)?)?;
        complete(serde_json::from_str(text).map_err(syntax)?)
    }

    /// Reads back a report written as YAML (`kpi score --format yaml`).
    pub fn from_yaml(text: &str) -> Result<Report, ReadError> {
        let syntax = |e: crate::yaml_io::YamlError| ReadError::Syntax {
            line: e.line.unwrap_or(1),
            column: e.column.unwrap_or(1),
            message: e.message,
        };
        check_layout(crate::yaml_io::from_str::<Layout>(text).map_err(syntax)?)?;
        complete(crate::yaml_io::from_str(text).map_err(syntax)?)
    }
}

/// A missing figure reads as null: an `ok` indicator must have its value,
/// target and score, or the report was edited.
fn complete(report: Report) -> Result<Report, ReadError> {
    for o in &report.objectives {
        for i in &o.indicators {
            if i.status == Status::Ok && (i.value.is_none() || i.score.is_none()) {
                return Err(ReadError::Missing(format!(
                    "indicator `{}` is `ok` but has no {}",
                    i.id,
                    if i.value.is_none() { "value" } else { "score" }
                )));
            }
        }
    }
    Ok(report)
}

fn check_layout(layout: Layout) -> Result<(), ReadError> {
    match layout.format {
        Some(f) if f == FORMAT => Ok(()),
        found => Err(ReadError::Format {
            found: found.unwrap_or_else(|| "missing".into()),
        }),
    }
}

/// One report format.
trait Renderer {
    fn render(&self, report: &Report, options: &RenderOptions) -> Result<String, RenderError>;
}

struct Json;
struct Yaml;
struct Markdown;
struct Html;
struct Csv;

impl Renderer for Json {
    fn render(&self, report: &Report, _: &RenderOptions) -> Result<String, RenderError> {
        // Plain data: serialising cannot fail.
        Ok(serde_json::to_string_pretty(report).unwrap_or_default() + "\n")
    }
}

impl Renderer for Yaml {
    fn render(&self, report: &Report, _: &RenderOptions) -> Result<String, RenderError> {
        crate::yaml_io::to_string(report).map_err(RenderError::Yaml)
    }
}

impl Renderer for Markdown {
    fn render(&self, report: &Report, options: &RenderOptions) -> Result<String, RenderError> {
        Ok(markdown::markdown(report, options.lang))
    }
}

impl Renderer for Html {
    #[cfg(feature = "html")]
    fn render(&self, report: &Report, options: &RenderOptions) -> Result<String, RenderError> {
        let generated = options
            .generated
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        Ok(html::html(
            report,
            options.lang,
            options.template.as_deref(),
            generated,
        )?)
    }

    #[cfg(not(feature = "html"))]
    fn render(&self, _: &Report, _: &RenderOptions) -> Result<String, RenderError> {
        Err(RenderError::NoHtml)
    }
}

impl Renderer for Csv {
    fn render(&self, report: &Report, options: &RenderOptions) -> Result<String, RenderError> {
        Ok(csv::csv(report, options.lang))
    }
}

impl Report {
    /// Renders with the default options (English, shipped template).
    pub fn render(&self, format: ReportFormat) -> String {
        self.render_with(format, &RenderOptions::default())
            .unwrap_or_else(|e| format!("{e}\n"))
    }

    /// The report in a format, with a language and template.
    pub fn render_with(
        &self,
        format: ReportFormat,
        options: &RenderOptions,
    ) -> Result<String, RenderError> {
        format.renderer().render(self, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> Report {
        Report {
            format: FORMAT.into(),
            scorecard: "S".into(),
            period: None,
            score: None,
            coverage: 0.0,
            trend: Vec::new(),
            revision: String::new(),
            rows: IndexMap::new(),
            in_period: IndexMap::new(),
            skipped_rows: IndexMap::new(),
            params: IndexMap::new(),
            dataset: IndexMap::new(),
            min_group: MIN_GROUP,
            objectives: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    #[cfg(not(feature = "html"))]
    #[test]
    fn without_the_html_feature_an_html_report_is_an_error_naming_it() {
        let e = empty()
            .render_with(ReportFormat::Html, &RenderOptions::default())
            .expect_err("no HTML in this build");
        assert!(e.to_string().contains("`html` feature"), "{e}");
    }

    #[test]
    fn every_other_format_renders_without_features() {
        for format in [
            ReportFormat::Json,
            ReportFormat::Yaml,
            ReportFormat::Md,
            ReportFormat::Csv,
        ] {
            let text = empty()
                .render_with(format, &RenderOptions::default())
                .expect("renders");
            assert!(!text.is_empty(), "{format:?}");
        }
    }
}
