//! Running one test: its dataset built (inline rows or a directory), the
//! rules scored with its `set` and `period` and the explain trace, and
//! each expectation compared with what came.

use std::collections::HashSet;

use super::spec::{Case, Data, Expect, Figure, InlineTable, Part, Want};
use crate::data::{Dataset, DatasetBuilder, LoadOptions, TableBuilder, Value};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::engine::{ProfileRows, ScoreOptions, Scoring};
use crate::report::{Explain, IndicatorReport, Report};
use crate::rules::RuleSet;
use crate::source::Span;

/// How one test ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// These did not.
    Failed(Vec<Failure>),
    /// The test could not be run: its data or its rules are wrong.
    Error(Vec<Diagnostic>),
}

/// One expectation that did not hold.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The figure (`response_rate.value`).
    pub figure: String,
    /// Where the expectation is written.
    pub at: Span,
    /// What the test expected.
    pub expected: String,
    /// What came (with its status and reason when it is null).
    pub got: String,
    /// How the figure was computed: its explain trace, one line each.
    pub trace: Vec<String>,
}

/// Runs one test of a rule set.
pub fn run(rules: &RuleSet, case: &Case) -> Outcome {
    let data = match dataset(rules, case) {
        Ok(d) => d,
        Err(errors) => return Outcome::Error(errors.0),
    };
    let options = ScoreOptions {
        period: case.period,
        set: case.set.clone(),
        explain: true,
        periods: None,
    };
    let scoring = match Scoring::new(rules, &data, &options) {
        Ok(s) => s,
        Err(errors) => return Outcome::Error(placed(errors.0, case)),
    };
    let report = scoring.report();
    let mut failures = Vec::new();
    let mut profiles: Vec<(String, Option<ProfileRows>)> = Vec::new();
    let mut errors = Vec::new();
    for e in &case.expects {
        let got = match &e.figure {
            Figure::Profile { table, key, column } => {
                if !profiles.iter().any(|(t, _)| t == table) {
                    profiles.push((table.clone(), scoring.profile_rows(table)));
                }
                let rows = profiles
                    .iter()
                    .find(|(t, _)| t == table)
                    .and_then(|(_, r)| r.as_ref());
                match profile_cell(rows, table, key, column) {
                    Ok(v) => Got::Cell(v),
                    Err(message) => {
                        errors.push(
                            Diagnostic::error("test::row", message)
                                .at(e.at, "no such row")
                                .with_help(format!(
                                    "a row of `{table}` is named by its key column's value"
                                )),
                        );
                        continue;
                    }
                }
            }
            figure => figure_of(&report, figure),
        };
        if !holds(&e.want, &got, case.tolerance) {
            failures.push(Failure {
                figure: e.figure.to_string(),
                at: e.at,
                expected: e.want.to_string(),
                got: got.to_string(),
                trace: trace(&report, rules, e),
            });
        }
    }
    if !errors.is_empty() {
        Outcome::Error(errors)
    } else if failures.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(failures)
    }
}

/// What came for a figure.
enum Got {
    /// A figure of the report, and why it is null when it is.
    Number(Option<f64>, Option<String>),
    Status(&'static str),
    Cell(serde_json::Value),
}

impl std::fmt::Display for Got {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Got::Number(Some(x), _) => f.write_str(&crate::syntax::number(*x)),
            Got::Number(None, Some(why)) => write!(f, "null ({why})"),
            Got::Number(None, None) => f.write_str("null"),
            Got::Status(s) => f.write_str(s),
            Got::Cell(serde_json::Value::String(s)) => write!(f, "{s:?}"),
            Got::Cell(v) => write!(f, "{v}"),
        }
    }
}

fn figure_of(report: &Report, figure: &Figure) -> Got {
    match figure {
        Figure::Overall => Got::Number(
            report.score,
            report
                .score
                .is_none()
                .then(|| "no objective could be scored".to_string()),
        ),
        Figure::Objective(id) => {
            let o = report.objectives.iter().find(|o| o.id == *id);
            Got::Number(
                o.and_then(|o| o.score),
                o.filter(|o| o.score.is_none()).map(|o| {
                    if o.weight == 0.0 {
                        "its weight is 0".to_string()
                    } else {
                        "none of its indicators could be scored".to_string()
                    }
                }),
            )
        }
        Figure::Indicator(id, part) => {
            let Some(i) = indicator(report, id) else {
                return Got::Number(None, Some("not in the report".into()));
            };
            let why = || {
                i.reason
                    .as_ref()
                    .map(|r| format!("{}: {}", i.status.code(), r.text(crate::report::Lang::En)))
            };
            match part {
                Part::Value => Got::Number(i.value, i.value.is_none().then(why).flatten()),
                Part::Target => Got::Number(i.target, i.target.is_none().then(why).flatten()),
                Part::Score => Got::Number(i.score, i.score.is_none().then(why).flatten()),
                Part::Status => Got::Status(i.status.code()),
            }
        }
        Figure::Profile { .. } => Got::Number(None, None),
    }
}

fn indicator<'r>(report: &'r Report, id: &str) -> Option<&'r IndicatorReport> {
    report
        .objectives
        .iter()
        .flat_map(|o| &o.indicators)
        .find(|i| i.id == id)
}

fn profile_cell(
    rows: Option<&ProfileRows>,
    table: &str,
    key: &str,
    column: &str,
) -> Result<serde_json::Value, String> {
    let rows = rows.ok_or_else(|| format!("the test's data have no table `{table}`"))?;
    let keys = rows
        .keys
        .as_ref()
        .ok_or_else(|| format!("`{table}` has no key column to name its rows by"))?;
    let row = keys
        .iter()
        .position(|k| k == key)
        .ok_or_else(|| format!("`{table}` has no row with the key `{key}`"))?;
    rows.columns
        .iter()
        .find(|(name, _)| name == column)
        .map(|(_, values)| values[row].clone())
        .ok_or_else(|| format!("`{column}` is not a profile column of `{table}`"))
}

/// Whether what came is what was expected.
fn holds(want: &Want, got: &Got, tolerance: f64) -> bool {
    let close = |a: f64, b: f64| (a - b).abs() <= tolerance;
    match (want, got) {
        (Want::Null, Got::Number(None, _)) => true,
        (Want::Number(w), Got::Number(Some(g), _)) => close(*w, *g),
        (Want::Status(s), Got::Status(g)) => s.code() == *g,
        (Want::Null, Got::Cell(serde_json::Value::Null)) => true,
        (Want::Number(w), Got::Cell(serde_json::Value::Number(g))) => {
            g.as_f64().is_some_and(|g| close(*w, g))
        }
        (Want::Bool(w), Got::Cell(serde_json::Value::Bool(g))) => w == g,
        (Want::Text(w), Got::Cell(serde_json::Value::String(g))) => w == g,
        // A number written in quotes, or a yes/no, against its label.
        (
            Want::Text(w),
            Got::Cell(g @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))),
        ) => w.as_str() == g.to_string().as_str(),
        // A label written as a number (`code: 12` of the text "12").
        (Want::Number(w), Got::Cell(serde_json::Value::String(g))) => {
            crate::syntax::number(*w) == *g
        }
        (Want::List(w), Got::Cell(serde_json::Value::String(g))) => {
            let items: Vec<&str> = if g.is_empty() {
                Vec::new()
            } else {
                g.split(';').collect()
            };
            items == w.iter().map(String::as_str).collect::<Vec<_>>()
        }
        _ => false,
    }
}

/// How the figure of a failed expectation was computed.
fn trace(report: &Report, rules: &RuleSet, e: &Expect) -> Vec<String> {
    match &e.figure {
        Figure::Indicator(id, _) => indicator(report, id)
            .and_then(|i| i.explain.as_ref().map(|x| (i, x)))
            .map(|(i, x)| explain_lines(i, x))
            .unwrap_or_default(),
        Figure::Objective(id) => report
            .objectives
            .iter()
            .find(|o| o.id == *id)
            .map(|o| {
                o.indicators
                    .iter()
                    .map(|i| {
                        format!(
                            "{}: score {} × weight {}",
                            i.id,
                            opt(i.score),
                            crate::syntax::number(i.weight)
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Figure::Overall => report
            .objectives
            .iter()
            .map(|o| {
                format!(
                    "{}: score {} × weight {}",
                    o.id,
                    opt(o.score),
                    crate::syntax::number(o.weight)
                )
            })
            .collect(),
        Figure::Profile { table, column, .. } => {
            let mut ignored = Diagnostics::new();
            let decls = crate::check::collect(rules, &mut ignored);
            decls
                .profile_names
                .get(&(table.as_str(), column.as_str()))
                .map(|&c| {
                    vec![format!(
                        "{column} = {}",
                        crate::syntax::expr_to_string(&decls.profile_columns[c].field.value)
                    )]
                })
                .unwrap_or_default()
        }
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or("null".to_string(), crate::syntax::number)
}

/// An indicator's explain trace as lines of text.
fn explain_lines(i: &IndicatorReport, x: &Explain) -> Vec<String> {
    let mut out = vec![
        format!("value = {}", x.formula),
        format!("      = {} = {}", x.with_values, opt(i.value)),
    ];
    for a in &x.aggregates {
        out.push(format!(
            "  {}: {} of {} row(s) of `{}` kept → {}",
            a.expression, a.kept, a.rows, a.table, a.value
        ));
    }
    if let Some(t) = &x.target {
        out.push(format!(
            "target = {} = {} = {}",
            t.formula,
            t.with_values,
            opt(i.target)
        ));
        for p in &t.peers {
            out.push(format!(
                "  peers: percentile {} of {} peer figure(s){} → {}",
                crate::syntax::number(p.percentile),
                p.n,
                if p.lower_is_better {
                    ", lower is better"
                } else {
                    ""
                },
                opt(p.value)
            ));
        }
    }
    out.push(format!("score: {} → {}", x.scoring, opt(i.score)));
    if let Some(r) = &i.reason {
        out.push(format!(
            "status {}: {}",
            i.status.code(),
            r.text(crate::report::Lang::En)
        ));
    }
    out
}

/// Places the errors of a test's scoring that have no place of their own
/// (a `set` of an unknown param) at the test.
fn placed(errors: Vec<Diagnostic>, case: &Case) -> Vec<Diagnostic> {
    errors
        .into_iter()
        .map(|mut d| {
            // A table or column the rules read and the test's rows do not
            // give: the test is to be completed, not the rules changed (a
            // did-you-mean would point at the test's own typo).
            if matches!(case.data, Data::Inline(_)) {
                match d.code {
                    "check::unknown-table" | "check::unknown-column" => {
                        d.help = Some(format!(
                            "the test `{}` does not give it: its `tables:` give every table the rules read, with every column they read (docs/testing.md)",
                            case.name
                        ));
                    }
                    "check::type" => {
                        d.help = Some(format!(
                            "the test `{}` gives this column values of another type (a column of nulls only reads as text): give it values of the type the rules read",
                            case.name
                        ));
                    }
                    _ => {}
                }
            }
            if d.primary.is_some() || d.location.is_some() {
                return d;
            }
            let at = match (d.code.starts_with("set::"), case.set_at) {
                (true, Some(set)) => set,
                _ => case.at,
            };
            d.at(at, "in this test")
        })
        .collect()
}

/// The test's dataset: its inline tables, or its directory as `kpi score`
/// reads it. A bad cell of an inline table is placed where it is written.
fn dataset(rules: &RuleSet, case: &Case) -> Result<Dataset, Diagnostics> {
    match &case.data {
        Data::Dir(dir, at) => {
            if !dir.is_dir() {
                return Err(Diagnostics(vec![
                    Diagnostic::error(
                        "test::data",
                        format!("`{}` is not a directory", dir.display()),
                    )
                    .at(*at, "no dataset here")
                    .with_help("`data` names a dataset directory, relative to the test file"),
                ]));
            }
            Dataset::load(dir, &LoadOptions::for_rules(rules))
        }
        Data::Inline(tables) => {
            // A benchmark file the scorecard names is read beside the test.
            let mut builder = DatasetBuilder::new().dir(&case.dir);
            for t in tables {
                let header: Vec<&str> = t.columns.iter().map(|(c, _)| c.as_str()).collect();
                let rows = t.rows.iter().map(|r| {
                    let mut cells = vec![Value::Null; header.len()];
                    for (c, v, _) in &r.cells {
                        cells[*c] = v.clone();
                    }
                    cells
                });
                builder = builder.table(TableBuilder::from_rows(&t.name, &header, rows));
            }
            builder.build().map_err(|errors| {
                Diagnostics(errors.0.into_iter().map(|d| located(d, tables)).collect())
            })
        }
    }
}

/// A diagnostic of a table built in memory (`memory:TABLE`, its row as
/// the line, its column's number), placed at the cell in the test file.
fn located(mut d: Diagnostic, tables: &[InlineTable]) -> Diagnostic {
    let Some(loc) = d.location.clone() else {
        return d;
    };
    let Some(table) = loc
        .file
        .strip_prefix("memory:")
        .and_then(|name| tables.iter().find(|t| t.name == name))
    else {
        return d;
    };
    let at = match table.rows.get(loc.line.wrapping_sub(1)) {
        Some(row) => row
            .cells
            .iter()
            .find(|(c, _, _)| *c + 1 == loc.column)
            .map_or(row.at, |(_, _, at)| *at),
        None => table.at,
    };
    d.location = None;
    // `kpi test` has no --skip-bad-rows: the cell is to be fixed.
    d.help = d.help.map(|h| {
        h.replace(
            ". Fix the value, or pass --skip-bad-rows to leave the row out",
            ". Fix the value",
        )
        .replace(
            ": fix the file, or pass --skip-bad-rows to drop the repeats",
            ": give each row its own",
        )
    });
    d.at(at, "here")
}

/// Warnings for inline tables and columns the rules never name: a test
/// that writes them probably meant another name.
pub fn unused(rules: &RuleSet, case: &Case) -> Vec<Diagnostic> {
    let Data::Inline(tables) = &case.data else {
        return Vec::new();
    };
    let mut named: HashSet<&str> = HashSet::new();
    for file in &rules.files {
        for (_, e) in file.tree.fields() {
            for sub in e.descendants() {
                match &sub.kind {
                    crate::syntax::ast::ExprKind::Name(n) => {
                        named.insert(&n.name);
                    }
                    crate::syntax::ast::ExprKind::Column { table, column } => {
                        named.insert(&table.name);
                        named.insert(&column.name);
                    }
                    _ => {}
                }
            }
        }
        for item in &file.tree.items {
            if let crate::syntax::ast::ItemKind::Profile(p) = &item.kind {
                named.insert(&p.table.name);
            }
        }
    }
    let mut out = Vec::new();
    for t in tables {
        if !named.contains(t.name.as_str()) {
            out.push(
                Diagnostic::warning(
                    "test::unused",
                    format!("the rules never read a table `{}`", t.name),
                )
                .at(t.at, "not read by the rules")
                .with_help_opt(crate::check::suggest::did_you_mean(
                    &t.name,
                    named.iter().copied(),
                )),
            );
            continue;
        }
        for (column, at) in &t.columns {
            // Keys, references and dates are read by the loader.
            let structural = column == "id" || column == "date" || column.ends_with("_id");
            if !structural && !named.contains(column.as_str()) {
                out.push(
                    Diagnostic::warning(
                        "test::unused",
                        format!(
                            "the rules never read a column `{column}` (table `{}`)",
                            t.name
                        ),
                    )
                    .at(*at, "not read by the rules")
                    .with_help_opt(crate::check::suggest::did_you_mean(
                        column,
                        named.iter().copied(),
                    )),
                );
            }
        }
    }
    out
}
