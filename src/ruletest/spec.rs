//! Reading a rule test file: its cases, their data and expectations, each
//! located in the file (a mistake is a diagnostic at its line, with a hint;
//! every mistake of a file at once).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::check::suggest::{backticked, did_you_mean};
use crate::data::Value;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::report::Status;
use crate::source::{FileId, SourceMap, Span};
use crate::yaml_tree::{self, Node, NodeKind};

/// A test file has no reason to be larger.
pub const TEST_FILE_CAP: u64 = 4 << 20;

/// The default tolerance of a number's comparison (absolute).
pub const DEFAULT_TOLERANCE: f64 = 1e-9;

/// One test: a dataset, what to change, what must come out.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its `name` (or `FILE #N` without one).
    pub name: String,
    /// The test file.
    pub file: FileId,
    /// Where the test starts.
    pub at: Span,
    /// The test file's directory (`data:` and a benchmark file beside
    /// inline tables are read from it).
    pub dir: PathBuf,
    /// Its rows.
    pub data: Data,
    /// `set:`, as `--set NAME=VALUE` takes them.
    pub set: Vec<(String, String)>,
    /// Where `set:` is written.
    pub set_at: Option<Span>,
    /// `period:`.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// Every expectation, in written order.
    pub expects: Vec<Expect>,
    /// Absolute tolerance of a number's comparison.
    pub tolerance: f64,
}

/// Where a test's rows come from.
#[derive(Debug, Clone)]
pub enum Data {
    /// `tables:` written in the test.
    Inline(Vec<InlineTable>),
    /// `data: DIR`, resolved against the test file's directory.
    Dir(PathBuf, Span),
}

/// One table written in a test.
#[derive(Debug, Clone)]
pub struct InlineTable {
    /// Its name.
    pub name: String,
    /// Where its name is written.
    pub at: Span,
    /// Its columns in order of first appearance, each where first written.
    pub columns: Vec<(String, Span)>,
    /// Its rows.
    pub rows: Vec<InlineRow>,
}

/// One row written in a test.
#[derive(Debug, Clone)]
pub struct InlineRow {
    /// Where the row starts.
    pub at: Span,
    /// (column index, value, where the value is written).
    pub cells: Vec<(usize, Value, Span)>,
}

/// One figure a test asserts.
#[derive(Debug, Clone)]
pub struct Expect {
    /// Which figure.
    pub figure: Figure,
    /// What it must be.
    pub want: Want,
    /// Where the expected value is written.
    pub at: Span,
    /// Where the figure is named (an indicator's or objective's id; the
    /// value's place for the others).
    pub named_at: Span,
}

/// A figure of a report, or a profile cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// The overall score.
    Overall,
    /// An objective's score.
    Objective(String),
    /// An indicator's value, target, score or status.
    Indicator(String, Part),
    /// A profile column of one row, by the table's key.
    Profile {
        /// The table.
        table: String,
        /// The row's key, as written.
        key: String,
        /// The profile column.
        column: String,
    },
}

/// What of an indicator is asserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Its value.
    Value,
    /// Its target.
    Target,
    /// Its score.
    Score,
    /// Its status.
    Status,
}

impl Part {
    pub(super) const ALL: [(&'static str, Part); 4] = [
        ("value", Part::Value),
        ("target", Part::Target),
        ("score", Part::Score),
        ("status", Part::Status),
    ];

    /// The word a test writes.
    pub fn word(self) -> &'static str {
        Part::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("value", |(w, _)| w)
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Figure::Overall => f.write_str("the overall score"),
            Figure::Objective(id) => write!(f, "{id}.score"),
            Figure::Indicator(id, part) => write!(f, "{id}.{}", part.word()),
            Figure::Profile { table, key, column } => write!(f, "{table}[{key}].{column}"),
        }
    }
}

/// An expected value.
#[derive(Debug, Clone, PartialEq)]
pub enum Want {
    /// `null`: no data.
    Null,
    /// A number (`0.5`, `50%`).
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// Text (a profile column's label, a date).
    Text(String),
    /// A list of strings.
    List(Vec<String>),
    /// An indicator's status.
    Status(Status),
}

impl std::fmt::Display for Want {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Want::Null => f.write_str("null"),
            Want::Number(x) => f.write_str(&crate::syntax::number(*x)),
            Want::Bool(b) => write!(f, "{b}"),
            Want::Text(t) => write!(f, "{t:?}"),
            Want::List(items) => write!(f, "[{}]", items.join(", ")),
            Want::Status(s) => f.write_str(s.code()),
        }
    }
}

/// The test files of a rules directory: `*.test.yaml` in it and, at any
/// depth, in its `tests` sub-directory; in name order.
pub fn find_files(rules_dir: &Path) -> Vec<PathBuf> {
    let beside = std::fs::read_dir(rules_dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()));
    let mut out: Vec<PathBuf> = beside
        .chain(files_below_tests(rules_dir))
        .filter(|p| p.is_file() && crate::syntax::is_test_file(p))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every file below the rules directory's `tests/`, at any depth (the
/// rules directory's other sub-directories are rule sets of their own). A
/// directory seen already (a symbolic link back up) is not read again.
fn files_below_tests(rules_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![rules_dir.join("tests")];
    let mut seen: Vec<PathBuf> = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(real) = std::fs::canonicalize(&dir) else {
            continue;
        };
        if seen.contains(&real) {
            continue;
        }
        seen.push(real);
        for path in std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
        {
            if path.is_dir() {
                dirs.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// YAML files under the rules directory's `tests/` that are not named as
/// tests (`x.yaml`, `x.tests.yaml`): they would never run, without a word.
/// A dataset's `dataset.yaml` is none of them.
pub fn strays(rules_dir: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for path in files_below_tests(rules_dir) {
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        let manifest = path
            .file_name()
            .is_some_and(|n| n == crate::data::schema::MANIFEST);
        if yaml && !manifest && !crate::syntax::is_test_file(&path) {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("NAME");
            out.push(
                Diagnostic::warning(
                    "test::name",
                    format!("`{}` is not run: it is not named as a test", path.display()),
                )
                .in_file(path.display().to_string(), 1, 1)
                .with_help(format!(
                    "a test file is named `*.test.yaml`: `{}.test.yaml`",
                    stem.trim_end_matches(".tests")
                )),
            );
        }
    }
    out.sort_by(|a, b| a.message.cmp(&b.message));
    out
}

/// Reads a test file into `sources` and its cases; what is wrong with it
/// goes to `diags` (the cases that are whole are still returned).
pub fn read_file(path: &Path, sources: &mut SourceMap, diags: &mut Diagnostics) -> Vec<Case> {
    let text =
        match crate::files::read_text(path, crate::files::Encoding::Utf8, Some(TEST_FILE_CAP)) {
            Ok(t) => t,
            Err(e) => {
                let d = Diagnostic::error("test::io", e.message);
                diags.push(match e.line {
                    Some((line, column)) => d.in_file(path.display().to_string(), line, column),
                    None => d.with_help_opt(e.help),
                });
                return Vec::new();
            }
        };
    read_text(path, text, sources, diags)
}

/// The same, for a test file's text as an editor has it.
pub fn read_text(
    path: &Path,
    text: String,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<Case> {
    let file = sources.add(crate::source::SourceFile::new(
        path.display().to_string(),
        path,
        text,
    ));
    let Some(source) = sources.get(file) else {
        return Vec::new();
    };
    let mut r = Reader {
        file,
        source,
        dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        diags: Diagnostics::new(),
    };
    let cases = r.file();
    diags.extend(r.diags);
    cases
}

pub(super) struct Reader<'a> {
    pub(super) file: FileId,
    pub(super) source: &'a crate::source::SourceFile,
    pub(super) dir: PathBuf,
    pub(super) diags: Diagnostics,
}

impl Reader<'_> {
    /// The span of a node: from its position to the end of its text on
    /// that line (a collection: its first character).
    pub(super) fn span(&self, node: &Node) -> Span {
        let start = self
            .source
            .line_start(node.pos.line)
            .map_or(0, |line_start| {
                let line = &self.source.text[line_start..];
                line_start
                    + line
                        .char_indices()
                        .nth(node.pos.column.saturating_sub(1))
                        .map_or(line.len(), |(i, _)| i)
            });
        let rest = &self.source.text[start..];
        let len = match &node.kind {
            NodeKind::Scalar { text, quoted } => {
                let written = text.len() + if *quoted { 2 } else { 0 };
                let line_end = rest.find('\n').unwrap_or(rest.len());
                written.clamp(1, line_end.max(1))
            }
            _ => rest.chars().next().map_or(0, char::len_utf8),
        };
        // The parsed text's length is not always the written one (escapes
        // in quotes): the end is moved to a character boundary.
        let mut end = (start + len).min(self.source.text.len());
        while !self.source.text.is_char_boundary(end) {
            end += 1;
        }
        Span::new(self.file, start, end)
    }

    pub(super) fn error(
        &mut self,
        node: &Node,
        message: String,
        label: &str,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::error("test::file", message)
            .at(self.span(node), label)
            .with_help(help);
        self.diags.push(d);
    }

    fn file(&mut self) -> Vec<Case> {
        let root = match yaml_tree::parse(&self.source.text) {
            Ok(Some(root)) => root,
            Ok(None) => {
                self.diags.push(
                    Diagnostic::error("test::file", "the test file is empty")
                        .in_file(self.source.name.clone(), 1, 1)
                        .with_help("write `name:`, `tables:` or `data:`, and `expect:`"),
                );
                return Vec::new();
            }
            Err(e) => {
                let at = Node {
                    kind: NodeKind::Alias,
                    pos: e.pos,
                };
                let span = self.span(&at);
                self.diags.push(
                    Diagnostic::error("test::syntax", format!("not YAML: {}", e.message))
                        .at(span, "here")
                        .with_help("a test file is YAML: a test as a mapping, or a list of them"),
                );
                return Vec::new();
            }
        };
        match &root.kind {
            NodeKind::Map(_) => self.case(&root, 1).into_iter().collect(),
            NodeKind::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.case(item, i + 1))
                .collect(),
            _ => {
                self.error(
                    &root,
                    format!(
                        "a test file holds a test or a list of tests, not {}",
                        root.what()
                    ),
                    "expected a mapping or a list",
                    "write `name:`, `tables:` or `data:`, and `expect:`",
                );
                Vec::new()
            }
        }
    }

    /// One test mapping, or `None` when it is too broken to run.
    fn case(&mut self, node: &Node, number: usize) -> Option<Case> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error(
                node,
                format!("a test is written as a mapping, not as {}", node.what()),
                "expected `name:`, `tables:`, `expect:` ...",
                "write each test as a mapping of `name`, `tables` or `data`, `expect`",
            );
            return None;
        };
        // The parser places a mapping inside a list at the end of its
        // first key: its first key is where it is written.
        let anchor = entries.first().map_or(node, |(key, _)| key);
        let errors_before = self.diags.error_count();
        let mut case = Case {
            name: format!(
                "{} #{number}",
                Path::new(&self.source.name)
                    .file_name()
                    .map_or(self.source.name.clone(), |n| n
                        .to_string_lossy()
                        .into_owned())
            ),
            file: self.file,
            at: self.span(anchor),
            dir: self.dir.clone(),
            data: Data::Inline(Vec::new()),
            set: Vec::new(),
            set_at: None,
            period: None,
            expects: Vec::new(),
            tolerance: DEFAULT_TOLERANCE,
        };
        let mut data_given: Option<&Node> = None;
        let mut expect_given = false;
        let mut seen: Vec<&str> = Vec::new();
        const KEYS: [&str; 8] = [
            "name",
            "description",
            "tables",
            "data",
            "set",
            "period",
            "expect",
            "tolerance",
        ];
        for (key, value) in entries {
            let Some(k) = key.text() else {
                self.error(
                    key,
                    "a key is a word".into(),
                    "not a word",
                    "write `name:`, `expect:` ...",
                );
                continue;
            };
            if seen.contains(&k) {
                self.error(
                    key,
                    format!("`{k}` is given twice in this test"),
                    "given again here",
                    "give each key once",
                );
                continue;
            }
            seen.push(k);
            match k {
                "name" => match value.text() {
                    Some(t) if !value.is_null() => case.name = t.to_string(),
                    _ => self.error(
                        value,
                        "the name is text".into(),
                        "not text",
                        "write `name: what the test shows`",
                    ),
                },
                "description" => {}
                "tables" | "data" => {
                    if let Some(first) = data_given {
                        let first = self.span(first);
                        let d = Diagnostic::error(
                            "test::file",
                            "a test takes `tables` or `data`, not both",
                        )
                        .at(self.span(key), "the second")
                        .also(first, "the first")
                        .with_help(
                            "write the rows in `tables:`, or name a dataset directory in `data:`",
                        );
                        self.diags.push(d);
                        continue;
                    }
                    data_given = Some(key);
                    if k == "tables" {
                        case.data = Data::Inline(self.tables(value));
                    } else {
                        match value.text().filter(|_| !value.is_null()) {
                            Some(dir) => {
                                let span = self.span(value);
                                case.data = Data::Dir(self.dir.join(dir), span);
                            }
                            None => self.error(
                                value,
                                format!("`data` names a dataset directory, not {}", value.what()),
                                "expected a directory",
                                "write `data: DIR`, relative to this test file",
                            ),
                        }
                    }
                }
                "set" => {
                    case.set_at = Some(self.span(key));
                    case.set = self.set(value);
                }
                "period" => case.period = self.period(value),
                "expect" => {
                    expect_given = true;
                    case.expects = self.expect(value);
                }
                "tolerance" => match value.text().and_then(|t| t.parse::<f64>().ok()) {
                    Some(t) if t.is_finite() && t >= 0.0 => case.tolerance = t,
                    _ => self.error(
                        value,
                        "the tolerance is a number of at least 0".into(),
                        "not a tolerance",
                        "write `tolerance: 1e-6` (absolute; the default is 1e-9)",
                    ),
                },
                other => {
                    let help = did_you_mean(other, KEYS)
                        .unwrap_or_else(|| format!("a test takes {}", backticked(&KEYS)));
                    self.error(
                        key,
                        format!("`{other}` is not a key of a test"),
                        "unknown key",
                        help,
                    );
                }
            }
        }
        if data_given.is_none() {
            self.error(
                anchor,
                format!("the test `{}` has no data", case.name),
                "no `tables:` or `data:`",
                "write the rows in `tables:`, or name a dataset directory in `data:`",
            );
        }
        // `expect: {}` (or an indicator's `{}`, a profile's rows with no
        // column) asserts nothing: a test that cannot fail is no test.
        if !expect_given || (case.expects.is_empty() && self.diags.error_count() == errors_before) {
            self.error(
                anchor,
                format!("the test `{}` expects nothing", case.name),
                "no figure expected",
                "write `expect:` with the figures the rules must give: `rate: {value: 0.5}`",
            );
        }
        (self.diags.error_count() == errors_before).then_some(case)
    }

    fn tables(&mut self, node: &Node) -> Vec<InlineTable> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error(
                node,
                format!("`tables` maps each table to its rows, not {}", node.what()),
                "expected a mapping",
                "write `tables: {alumni: [{id: 1, faculty: Law}]}`",
            );
            return Vec::new();
        };
        let mut out: Vec<InlineTable> = Vec::new();
        for (key, rows) in entries {
            let Some(name) = key.text().map(str::to_string) else {
                self.error(
                    key,
                    "a table's name is a word".into(),
                    "not a name",
                    "write `alumni:`",
                );
                continue;
            };
            if out.iter().any(|t| t.name == name) {
                self.error(
                    key,
                    format!("table `{name}` is given twice"),
                    "given again here",
                    "give each table once",
                );
                continue;
            }
            let mut table = InlineTable {
                name,
                at: self.span(key),
                columns: Vec::new(),
                rows: Vec::new(),
            };
            match &rows.kind {
                NodeKind::Seq(items) => {
                    for row in items {
                        if let Some(r) = self.row(row, &mut table.columns) {
                            table.rows.push(r);
                        }
                    }
                }
                _ if rows.is_null() => {}
                _ => self.error(
                    rows,
                    format!(
                        "the rows of `{}` are a list, not {}",
                        table.name,
                        rows.what()
                    ),
                    "expected a list of rows",
                    "write each row as a mapping: `- {id: 1, faculty: Law}`",
                ),
            }
            out.push(table);
        }
        out
    }

    fn row(&mut self, node: &Node, columns: &mut Vec<(String, Span)>) -> Option<InlineRow> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error(
                node,
                format!("a row is a mapping of column to value, not {}", node.what()),
                "expected a row",
                "write `- {id: 1, faculty: Law}`",
            );
            return None;
        };
        let mut row = InlineRow {
            at: self.span(node),
            cells: Vec::new(),
        };
        for (key, value) in entries {
            let Some(name) = key.text() else {
                self.error(
                    key,
                    "a column's name is a word".into(),
                    "not a name",
                    "write `faculty: Law`",
                );
                continue;
            };
            let column = match columns.iter().position(|(c, _)| c == name) {
                Some(i) => i,
                None => {
                    columns.push((name.to_string(), self.span(key)));
                    columns.len() - 1
                }
            };
            if row.cells.iter().any(|(c, _, _)| *c == column) {
                self.error(
                    key,
                    format!("column `{name}` is given twice in this row"),
                    "given again here",
                    "give each column once a row",
                );
                continue;
            }
            let cell = match &value.kind {
                _ if value.is_null() => Value::Null,
                NodeKind::Scalar { text, .. } => Value::Text(text.clone()),
                NodeKind::Seq(items) => {
                    let mut list = Vec::new();
                    for item in items {
                        match item.text() {
                            Some(t) => list.push(t.to_string()),
                            None => self.error(
                                item,
                                "a list cell holds words".into(),
                                "not a word",
                                "write `interests: [sport, music]`",
                            ),
                        }
                    }
                    Value::List(list)
                }
                _ => {
                    self.error(
                        value,
                        format!("a cell holds a value or a list, not {}", value.what()),
                        "not a cell",
                        "write `faculty: Law` or `interests: [sport, music]`",
                    );
                    continue;
                }
            };
            row.cells.push((column, cell, self.span(value)));
        }
        Some(row)
    }

    fn set(&mut self, node: &Node) -> Vec<(String, String)> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error(
                node,
                format!("`set` maps params to values, not {}", node.what()),
                "expected a mapping",
                "write `set: {staff_hour_cost: 50}`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let (Some(name), Some(v)) = (key.text(), value.text()) else {
                self.error(
                    value,
                    "a param's value is a single value".into(),
                    "not a value",
                    "write `staff_hour_cost: 50`",
                );
                continue;
            };
            // A string param is written quoted in .kpi; YAML drops quotes:
            // they are put back, with the .kpi escapes.
            let v = match &value.kind {
                NodeKind::Scalar { quoted: true, .. } => crate::syntax::quote(v),
                _ => v.to_string(),
            };
            out.push((name.to_string(), v));
        }
        out
    }

    fn period(&mut self, node: &Node) -> Option<(NaiveDate, NaiveDate)> {
        match node.text().map(crate::syntax::period_dates) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                self.error(
                    node,
                    format!("`period`: {e}"),
                    "not a period",
                    "write `period: 2025-09-01..2026-08-31`",
                );
                None
            }
            None => {
                self.error(
                    node,
                    format!("`period` is FROM..TO, not {}", node.what()),
                    "not a period",
                    "write `period: 2025-09-01..2026-08-31`",
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<Case>, Diagnostics, SourceMap) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("x.test.yaml");
        std::fs::write(&path, text).expect("written");
        let mut sources = SourceMap::new();
        let mut diags = Diagnostics::new();
        let cases = read_file(&path, &mut sources, &mut diags);
        (cases, diags, sources)
    }

    #[test]
    fn a_test_reads_with_its_rows_and_expectations() {
        let (cases, diags, _) = read(
            "name: rate\ntables:\n  alumni: [{id: 1, tags: [a, b]}, {id: 2, faculty: Law}]\nset: {cost: 50, label: \"x\"}\nperiod: 2025-09-01..2026-08-31\nexpect:\n  rate: {value: 50%, status: no_data}\n  score: null\n  profiles: {alumni: {1: {tier: leader, n: 3, ok: true}}}\ntolerance: 1e-6\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let c = &cases[0];
        assert_eq!(c.name, "rate");
        let Data::Inline(tables) = &c.data else {
            panic!("inline")
        };
        let names: Vec<&str> = tables[0].columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["id", "tags", "faculty"]);
        assert_eq!(
            tables[0].rows[0].cells[1].1,
            Value::List(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            c.set,
            [
                ("cost".into(), "50".into()),
                ("label".into(), "\"x\"".into())
            ]
        );
        assert_eq!(c.tolerance, 1e-6);
        let wants: Vec<(String, Want)> = c
            .expects
            .iter()
            .map(|e| (e.figure.to_string(), e.want.clone()))
            .collect();
        assert_eq!(
            wants,
            [
                ("rate.value".to_string(), Want::Number(0.5)),
                ("rate.status".to_string(), Want::Status(Status::NoData)),
                ("the overall score".to_string(), Want::Null),
                ("alumni[1].tier".to_string(), Want::Text("leader".into())),
                ("alumni[1].n".to_string(), Want::Number(3.0)),
                ("alumni[1].ok".to_string(), Want::Bool(true)),
            ]
        );
    }

    #[test]
    fn every_mistake_of_a_file_is_located_at_once() {
        let (cases, diags, sources) = read(
            "- name: a\n  tabels: {}\n  expect: {x: {valeu: 1, score: high}}\n- name: b\n  data: d\n  tables: {}\n  expect: {x: {status: fine}}\n",
        );
        assert!(cases.is_empty());
        let found: Vec<(String, usize, usize)> = diags
            .iter()
            .map(|d| {
                let at = d.location(&sources).expect("located");
                (d.message.clone(), at.line, at.column)
            })
            .collect();
        assert_eq!(
            found,
            [
                ("`tabels` is not a key of a test".to_string(), 2, 3),
                ("`valeu` is not a figure of `x`".to_string(), 3, 16),
                (
                    "expected a number, `null` or a percentage, not `high`".to_string(),
                    3,
                    33
                ),
                ("the test `a` has no data".to_string(), 1, 3),
                (
                    "a test takes `tables` or `data`, not both".to_string(),
                    6,
                    3
                ),
                ("`fine` is not a status".to_string(), 7, 24),
            ]
        );
        assert_eq!(diags.0[0].help.as_deref(), Some("did you mean `tables`?"));
        assert_eq!(diags.0[1].help.as_deref(), Some("did you mean `value`?"));
    }

    #[test]
    fn test_files_are_found_beside_the_rules_and_under_tests() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path();
        for f in [
            "a.test.yaml",
            "rules.yaml",
            "tests/b.test.yaml",
            "tests/deep/c.test.yml",
            "other/d.test.yaml",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("made");
            std::fs::write(p, "").expect("written");
        }
        let found: Vec<String> = find_files(root)
            .iter()
            .map(|p| p.strip_prefix(root).expect("inside").display().to_string())
            .collect();
        assert_eq!(
            found,
            ["a.test.yaml", "tests/b.test.yaml", "tests/deep/c.test.yml"]
        );
        // Found in review: a link back up under `tests/` ran the same test
        // once per level, until the paths grew too long.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("tests"), root.join("tests/deep/loop"))
                .expect("a link");
            assert_eq!(find_files(root).len(), 3);
        }
    }
}
