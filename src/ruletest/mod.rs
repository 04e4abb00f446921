//! Rule tests (`kpi test`): a governance team writes, next to its rules,
//! small datasets and the figures they must give, and learns before the
//! board does when a change of weight or target changed what a rule means.
//!
//! A test file (`*.test.yaml`, in the rules directory or its `tests/`)
//! holds one test or a list of them. Each names its data (inline tables,
//! or a dataset directory), optional `set` and `period`, and `expect`:
//! indicators' value, target, score and status, objectives' scores, the
//! overall score and profile columns of given rows. The stages:
//! [`spec`] reads test files (their `expect` in `expect`), [`resolve`]
//! checks the figures they name against the rules, [`run`] scores one test
//! and compares; this module runs a suite, measures coverage and renders the
//! results as text, JSON or JUnit XML.

mod expect;
pub mod resolve;
pub mod run;
pub mod spec;

use std::path::PathBuf;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics, ErrorFormat, render};
use crate::rules::RuleSet;
use crate::source::{SourceMap, Span};

pub use run::{Failure, Outcome};
pub use spec::{Case, find_files};

/// The results of every test of a rule set.
#[derive(Debug)]
pub struct Suite {
    /// The rule files and the test files, for locating diagnostics.
    pub sources: SourceMap,
    /// What is wrong with the rules or the test files (then no test ran
    /// when one is an error), and warnings.
    pub diagnostics: Diagnostics,
    /// Each test, in file order.
    pub results: Vec<TestResult>,
    /// What the tests assert.
    pub coverage: Coverage,
}

/// One test and how it ended.
#[derive(Debug)]
pub struct TestResult {
    pub name: String,
    /// Where the test is written.
    pub at: Span,
    pub outcome: Outcome,
    /// Wall time of the test, in milliseconds.
    pub millis: f64,
}

/// Which indicators and profile columns some test asserts.
#[derive(Debug, Default, Serialize)]
pub struct Coverage {
    /// Each indicator id, and whether some expectation names it.
    pub indicators: Vec<(String, bool)>,
    /// Each profile column (`table.column`), and whether some test
    /// expects a value of it.
    pub profile_columns: Vec<(String, bool)>,
}

impl Coverage {
    /// The share of indicators and profile columns asserted, in percent
    /// (100 when the rules define none).
    pub fn percent(&self) -> f64 {
        let all = self.indicators.len() + self.profile_columns.len();
        if all == 0 {
            return 100.0;
        }
        let covered = self
            .indicators
            .iter()
            .chain(&self.profile_columns)
            .filter(|(_, c)| *c)
            .count();
        100.0 * covered as f64 / all as f64
    }

    /// The figures no test asserts.
    pub fn missed(&self) -> Vec<&str> {
        self.indicators
            .iter()
            .chain(&self.profile_columns)
            .filter(|(_, c)| !*c)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

impl Suite {
    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Passed))
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }

    /// Tests that could not run (their data or `set` are wrong).
    pub fn errored(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Error(_)))
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }

    /// Whether some test ran, every test passed, and nothing is in error.
    pub fn ok(&self) -> bool {
        !self.diagnostics.has_errors()
            && !self.results.is_empty()
            && self
                .results
                .iter()
                .all(|r| matches!(r.outcome, Outcome::Passed))
    }
}

/// Runs the tests of `files` against `rules`. Rules with errors run no
/// test: their diagnostics are the suite's. A test file with errors runs
/// none of its tests (the others do).
pub fn run_suite(rules: &RuleSet, files: &[PathBuf]) -> Suite {
    let mut sources = rules.sources.clone();
    let mut diagnostics = Diagnostics::new();
    let decls_diags = crate::check::check(rules, None).diagnostics;
    let rules_broken = decls_diags.has_errors();
    diagnostics.extend(decls_diags.into_iter().filter(Diagnostic::is_error));

    let mut cases = Vec::new();
    let mut ignored = Diagnostics::new();
    let decls = crate::check::collect(rules, &mut ignored);
    for path in files {
        let mut file_diags = Diagnostics::new();
        let mut read = spec::read_file(path, &mut sources, &mut file_diags);
        check_cases(rules, &decls, &mut read, &mut file_diags);
        if !file_diags.has_errors() {
            cases.extend(read);
        }
        diagnostics.extend(file_diags);
    }
    let coverage = coverage(&decls, &cases);
    let mut results = Vec::new();
    if !rules_broken {
        for case in &cases {
            let start = std::time::Instant::now();
            let outcome = run::run(rules, case);
            results.push(TestResult {
                name: case.name.clone(),
                at: case.at,
                outcome,
                millis: start.elapsed().as_secs_f64() * 1e3,
            });
        }
    }
    Suite {
        sources,
        diagnostics,
        results,
        coverage,
    }
}

/// What is wrong with one test file (its text as given), checked against
/// the rules without running it: for editors, as the file is typed.
pub fn check_text(
    rules: &RuleSet,
    path: &std::path::Path,
    text: String,
) -> (SourceMap, Diagnostics) {
    let mut sources = rules.sources.clone();
    let mut diags = Diagnostics::new();
    let mut cases = spec::read_text(path, text, &mut sources, &mut diags);
    let mut ignored = Diagnostics::new();
    let decls = crate::check::collect(rules, &mut ignored);
    check_cases(rules, &decls, &mut cases, &mut diags);
    (sources, diags)
}

/// The rules directory a test file belongs to: the folder above its
/// `tests/` folder, or its own folder.
pub fn rules_dir_of(test_file: &std::path::Path) -> Option<PathBuf> {
    let parent = test_file.parent()?;
    parent
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "tests"))
        .and_then(std::path::Path::parent)
        .or(Some(parent))
        .map(std::path::Path::to_path_buf)
}

/// The figures the cases name, checked against the rules, and the inline
/// tables and columns the rules never read.
fn check_cases(
    rules: &RuleSet,
    decls: &crate::check::Decls<'_>,
    cases: &mut [Case],
    diags: &mut Diagnostics,
) {
    for case in cases {
        resolve::resolve(case, decls, diags);
        diags.extend(run::unused(rules, case));
    }
}

fn coverage(decls: &crate::check::Decls<'_>, cases: &[Case]) -> Coverage {
    let expects = || cases.iter().flat_map(|c| &c.expects);
    let indicators = decls
        .indicators
        .iter()
        .map(|i| {
            let id = &i.indicator.id.name;
            let hit =
                expects().any(|e| matches!(&e.figure, spec::Figure::Indicator(x, _) if x == id));
            (id.clone(), hit)
        })
        .collect();
    let profile_columns = decls
        .profile_columns
        .iter()
        .map(|c| {
            let (table, column) = (&c.table.name, &c.field.name.name);
            let hit = expects().any(|e| {
                matches!(&e.figure, spec::Figure::Profile { table: t, column: k, .. } if t == table && k == column)
            });
            (format!("{table}.{column}"), hit)
        })
        .collect();
    Coverage {
        indicators,
        profile_columns,
    }
}

/// How `kpi test` prints results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum TestFormat {
    /// One line per test; each failure with its place, expected and got,
    /// and its trace.
    #[default]
    Text,
    /// `alumni-kpi/test@1`, for tools.
    Json,
    /// JUnit XML, for CI dashboards.
    Junit,
}

/// `FILE:LINE:COL` of a span.
fn place(sources: &SourceMap, at: Span) -> (String, usize, usize) {
    match sources.get(at.file) {
        Some(f) => {
            let (line, col) = f.line_col(at.start);
            (f.name.clone(), line, col)
        }
        None => (String::new(), 0, 0),
    }
}

/// The results as text: a line per test, the failures in full (a test
/// that could not run: its diagnostics, in `errors` format), and a closing
/// count (`coverage` adds the figures no test asserts).
pub fn text(suite: &Suite, coverage: bool, errors: ErrorFormat, color: bool) -> String {
    let errors = if errors == ErrorFormat::Json {
        ErrorFormat::Short
    } else {
        errors
    };
    let mut out = String::new();
    for r in &suite.results {
        let (file, line, _) = place(&suite.sources, r.at);
        let word = match &r.outcome {
            Outcome::Passed => "ok",
            Outcome::Failed(_) => "FAILED",
            Outcome::Error(_) => "ERROR",
        };
        out += &format!("test {file}:{line} {} ... {word}\n", r.name);
        match &r.outcome {
            Outcome::Passed => {}
            Outcome::Failed(failures) => {
                for f in failures {
                    let (file, line, col) = place(&suite.sources, f.at);
                    out += &format!(
                        "  {file}:{line}:{col}: {}: expected {}, got {}\n",
                        f.figure, f.expected, f.got
                    );
                    for t in &f.trace {
                        out += &format!("      | {t}\n");
                    }
                }
            }
            Outcome::Error(diags) => {
                for l in render(diags, &suite.sources, errors, color).lines() {
                    out += &format!("  {l}\n");
                }
            }
        }
    }
    if coverage {
        out += &format!("coverage: {:.1}%", suite.coverage.percent());
        let missed = suite.coverage.missed();
        if missed.is_empty() {
            out += " (every indicator and profile column is asserted)\n";
        } else {
            out += &format!("; asserted by no test: {}\n", missed.join(", "));
        }
    }
    out += &format!(
        "{} passed, {} failed{}\n",
        suite.passed(),
        suite.failed(),
        match suite.errored() {
            0 => String::new(),
            n => format!(", {n} could not run"),
        }
    );
    out
}

#[derive(Serialize)]
struct JsonSuite<'a> {
    format: &'static str,
    passed: usize,
    failed: usize,
    errors: usize,
    tests: Vec<JsonTest>,
    coverage: JsonCoverage<'a>,
    /// What is wrong with the rules or the test files, and warnings.
    diagnostics: serde_json::Value,
}

#[derive(Serialize)]
struct JsonTest {
    name: String,
    file: String,
    line: usize,
    status: &'static str,
    millis: f64,
    failures: Vec<JsonFailure>,
    diagnostics: serde_json::Value,
}

#[derive(Serialize)]
struct JsonFailure {
    figure: String,
    file: String,
    line: usize,
    column: usize,
    expected: String,
    got: String,
    trace: Vec<String>,
}

#[derive(Serialize)]
struct JsonCoverage<'a> {
    percent: f64,
    indicators: usize,
    profile_columns: usize,
    missed: Vec<&'a str>,
}

/// The results as JSON (`alumni-kpi/test@1`).
pub fn json(suite: &Suite) -> String {
    let tests = suite
        .results
        .iter()
        .map(|r| {
            let (file, line, _) = place(&suite.sources, r.at);
            let (status, failures, diags) = match &r.outcome {
                Outcome::Passed => ("passed", Vec::new(), Vec::new()),
                Outcome::Failed(f) => ("failed", f.clone(), Vec::new()),
                Outcome::Error(d) => ("error", Vec::new(), d.clone()),
            };
            JsonTest {
                name: r.name.clone(),
                file,
                line,
                status,
                millis: (r.millis * 1e3).round() / 1e3,
                failures: failures
                    .into_iter()
                    .map(|f| {
                        let (file, line, column) = place(&suite.sources, f.at);
                        JsonFailure {
                            figure: f.figure,
                            file,
                            line,
                            column,
                            expected: f.expected,
                            got: f.got,
                            trace: f.trace,
                        }
                    })
                    .collect(),
                diagnostics: json_diagnostics(&diags, &suite.sources),
            }
        })
        .collect();
    let doc = JsonSuite {
        format: "alumni-kpi/test@1",
        passed: suite.passed(),
        failed: suite.failed(),
        errors: suite.errored(),
        tests,
        coverage: JsonCoverage {
            percent: (suite.coverage.percent() * 10.0).round() / 10.0,
            indicators: suite.coverage.indicators.len(),
            profile_columns: suite.coverage.profile_columns.len(),
            missed: suite.coverage.missed(),
        },
        diagnostics: json_diagnostics(&suite.diagnostics.0, &suite.sources),
    };
    // Plain strings and numbers: serialising cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn json_diagnostics(diags: &[Diagnostic], sources: &SourceMap) -> serde_json::Value {
    serde_json::from_str(&render(diags, sources, ErrorFormat::Json, false))
        .unwrap_or(serde_json::Value::Null)
}

/// The results as JUnit XML: a `testsuite` per test file, and one for the
/// errors of the rules and test files (whose tests did not run) if any.
pub fn junit(suite: &Suite, threshold: Option<f64>) -> String {
    let mut files: Vec<(String, Vec<&TestResult>)> = Vec::new();
    for r in &suite.results {
        let (file, _, _) = place(&suite.sources, r.at);
        match files.iter_mut().find(|(f, _)| *f == file) {
            Some((_, list)) => list.push(r),
            None => files.push((file, vec![r])),
        }
    }
    // The errors of the rules and test files, and a coverage below the
    // threshold, are test cases of their own: a dashboard shows them.
    let broken = suite.diagnostics.has_errors();
    let covered = suite.coverage.percent();
    let short = threshold.filter(|min| covered + 1e-9 < *min);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kpi test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
        suite.results.len() + usize::from(broken) + usize::from(threshold.is_some()),
        suite.failed() + usize::from(short.is_some()),
        suite.errored() + usize::from(broken)
    );
    for (file, list) in &files {
        let count = |f: fn(&Outcome) -> bool| list.iter().filter(|r| f(&r.outcome)).count();
        out += &format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">\n",
            xml(file),
            list.len(),
            count(|o| matches!(o, Outcome::Failed(_))),
            count(|o| matches!(o, Outcome::Error(_))),
            list.iter().map(|r| r.millis).sum::<f64>() / 1e3
        );
        for r in list {
            let (_, line, _) = place(&suite.sources, r.at);
            out += &format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{line}\" time=\"{:.3}\"",
                xml(&r.name),
                xml(file),
                xml(file),
                r.millis / 1e3
            );
            match &r.outcome {
                Outcome::Passed => out += "/>\n",
                Outcome::Failed(failures) => {
                    out += ">\n";
                    for f in failures {
                        let (file, line, col) = place(&suite.sources, f.at);
                        let message =
                            format!("{}: expected {}, got {}", f.figure, f.expected, f.got);
                        let body =
                            format!("{file}:{line}:{col}: {message}\n{}", f.trace.join("\n"));
                        out += &format!(
                            "      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
                            xml(&message),
                            xml(&body)
                        );
                    }
                    out += "    </testcase>\n";
                }
                Outcome::Error(diags) => {
                    let body = render(diags, &suite.sources, ErrorFormat::Short, false);
                    let message = diags.first().map_or(String::new(), |d| d.message.clone());
                    out += &format!(
                        ">\n      <error message=\"{}\" type=\"data\">{}</error>\n    </testcase>\n",
                        xml(&message),
                        xml(&body)
                    );
                }
            }
        }
        out += "  </testsuite>\n";
    }
    if suite.diagnostics.has_errors() {
        let errors: Vec<Diagnostic> = suite
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        let body = render(&errors, &suite.sources, ErrorFormat::Short, false);
        out += &format!(
            "  <testsuite name=\"rules and test files\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase name=\"the rules and test files read\" classname=\"kpi test\">\n      <error message=\"{} error(s): the tests they concern did not run\" type=\"diagnostics\">{}</error>\n    </testcase>\n  </testsuite>\n",
            errors.len(),
            xml(&body)
        );
    }
    if let Some(min) = threshold {
        let name = format!(
            "at least {}% of the indicators and profile columns asserted",
            crate::syntax::number(min)
        );
        match short {
            Some(_) => {
                let message = format!(
                    "coverage {covered:.1}% is below {}%",
                    crate::syntax::number(min)
                );
                let body = format!(
                    "asserted by no test: {}",
                    suite.coverage.missed().join(", ")
                );
                out += &format!(
                    "  <testsuite name=\"coverage\" tests=\"1\" failures=\"1\" errors=\"0\">\n    <testcase name=\"{}\" classname=\"kpi test\">\n      <failure message=\"{}\" type=\"coverage\">{}</failure>\n    </testcase>\n  </testsuite>\n",
                    xml(&name),
                    xml(&message),
                    xml(&body)
                );
            }
            None => {
                out += &format!(
                    "  <testsuite name=\"coverage\" tests=\"1\" failures=\"0\" errors=\"0\">\n    <testcase name=\"{}\" classname=\"kpi test\"/>\n  </testsuite>\n",
                    xml(&name)
                );
            }
        }
    }
    out + "</testsuites>\n"
}

/// Text escaped for an XML attribute or element.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 admits no other control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;?");
    }

    #[test]
    fn coverage_of_nothing_is_full_and_counts_both_kinds() {
        assert_eq!(Coverage::default().percent(), 100.0);
        let c = Coverage {
            indicators: vec![("a".into(), true), ("b".into(), false)],
            profile_columns: vec![("alumni.x".into(), true), ("alumni.y".into(), true)],
        };
        assert_eq!(c.percent(), 75.0);
        assert_eq!(c.missed(), vec!["b"]);
    }
}
