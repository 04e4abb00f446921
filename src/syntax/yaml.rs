//! The YAML front end: serde document structs → the same syntax tree.
//!
//! Documents are read with `deny_unknown_fields`; expression strings are
//! parsed by the .kpi expression grammar, and every node's span points into
//! the YAML file (see [`super::yaml_pos`]).

use indexmap::IndexMap;
use serde::Deserialize;

use super::ast::*;
use super::dsl;
use super::fields::{Block, FieldKind};
use super::yaml_pos::{NodePos, YamlPositions};
use crate::check::suggest::{backticked, did_you_mean};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile, Span};
use crate::yaml_io::{self, Value};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DocFile {
    scorecard: Option<DocScorecard>,
    params: Option<IndexMap<String, Value>>,
    uses: Option<Vec<String>>,
    profiles: Option<IndexMap<String, IndexMap<String, Value>>>,
    lets: Option<IndexMap<String, Value>>,
    objectives: Option<Vec<DocObjective>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocScorecard {
    title: Option<String>,
    population: Option<Value>,
    period: Option<Value>,
    segments: Option<Value>,
    benchmark: Option<Value>,
    benchmark_min_peers: Option<Value>,
    max_segment_values: Option<Value>,
    trend: Option<Value>,
    min_group: Option<Value>,
    description: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocObjective {
    id: String,
    title: Option<String>,
    weight: Option<Value>,
    order: Option<Value>,
    description: Option<Value>,
    tags: Option<Value>,
    indicators: Option<Vec<DocIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocIndicator {
    id: String,
    title: Option<String>,
    value: Option<Value>,
    target: Option<Value>,
    score: Option<Value>,
    weight: Option<Value>,
    unit: Option<Value>,
    better: Option<Value>,
    segments: Option<Value>,
    description: Option<Value>,
    tags: Option<Value>,
}

/// The fields present, with their names as in [`Block::fields`].
fn present<'a>(fields: &[(&'static str, &'a Option<Value>)]) -> Vec<(&'static str, &'a Value)> {
    fields
        .iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (*name, v)))
        .collect()
}

/// Parses a YAML rule file. Returns the tree when there was no error.
pub fn parse_file(file: FileId, source: &SourceFile) -> (Option<RuleFile>, Vec<Diagnostic>) {
    if let Some(at) = yaml_io::too_deep(&source.text) {
        let d = Diagnostic::error(
            "yaml::too-deep",
            format!(
                "this YAML nests lists and mappings more than {} levels deep",
                yaml_io::MAX_NESTING
            ),
        )
        .at(Span::new(file, at, at + 1), "too deep")
        .with_help("a rule file needs a few levels: scorecard, objectives, indicators, fields");
        return (None, vec![d]);
    }
    // A rule test saved under another name: said as such, not as a
    // mistake of structure.
    let top_keys = source
        .text
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t']) && !l.trim().is_empty());
    let expects = source.text.lines().any(|l| {
        l.trim_start()
            .trim_start_matches("- ")
            .starts_with("expect:")
    });
    if expects
        && top_keys
            .clone()
            .all(|l| !l.starts_with("scorecard") && !l.starts_with("objectives"))
    {
        let d = Diagnostic::error(
            "yaml::structure",
            "this looks like a rule test (`expect:`, or a list of tests), not a rule file",
        )
        .at(Span::new(file, 0, source.text.len().min(1)), "a test?")
        .with_help(format!(
            "name it `{}.test.yaml` (in `tests/`): `kpi test` runs it, the rules leave it alone",
            source
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("NAME")
        ));
        return (None, vec![d]);
    }
    let doc: DocFile = if source.text.trim().is_empty() {
        DocFile::default()
    } else {
        match yaml_io::from_str(&source.text) {
            Ok(d) => d,
            Err(e) => return (None, vec![yaml_error(file, source, e)]),
        }
    };
    let Some(pos) = YamlPositions::read(file, source) else {
        // serde_yaml accepted what yaml-rust2 rejects: rare dialect edges.
        let d = Diagnostic::error("yaml::syntax", "this YAML could not be read with positions")
            .in_file(&source.name, 1, 1);
        return (None, vec![d]);
    };
    let mut r = Reader {
        file,
        source,
        pos,
        errors: Vec::new(),
    };
    let tree = r.file(&doc);
    if r.errors.is_empty() {
        (Some(tree), r.errors)
    } else {
        (None, r.errors)
    }
}

/// A lone word a YAML param reads as text (`Law`, `Médecine`): not a
/// number, date, keyword or anything but letters, digits and `_`.
pub(crate) fn is_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && !matches!(
            s,
            "true" | "false" | "null" | "not" | "and" | "or" | "in" | "where"
        )
}

/// Plain words (`Faculty of Law`), read as text unless they make an
/// expression.
fn is_words(s: &str) -> bool {
    s.split_whitespace().all(|w| {
        w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '\'' | '-' | '.' | ',' | '&'))
    })
}

/// A slip people make in YAML, in plain words.
struct Slip {
    message: String,
    help: String,
    /// Line and column, when the parser's place is off.
    at: Option<(usize, usize)>,
}

/// The YAML parsers' words for the slips people make, in plain ones.
fn plain_slip(source: &SourceFile, e: &yaml_io::YamlError) -> Option<Slip> {
    let line = e.line.unwrap_or(1);
    let text = source.line_text(line);
    let quoted = |t: &str| {
        let (key, value) = t.split_once(':')?;
        Some(format!(
            "{key}: \"{}\"",
            value.trim().replace('\\', "\\\\").replace('"', "\\\"")
        ))
    };
    let m = e.message.as_str();
    if m.contains("mapping values are not allowed") {
        return Some(Slip {
            message: "a `:` inside a value: YAML takes it for the start of another key".into(),
            help: match quoted(text.trim()) {
                Some(q) => format!("put the value in quotes: `{q}`"),
                None => "put the value in quotes".into(),
            },
            at: None,
        });
    }
    if m.contains("cannot start any token") {
        let c = e
            .column
            .and_then(|col| text.chars().nth(col.saturating_sub(1)))
            .unwrap_or('?');
        return Some(Slip {
            message: format!("a YAML value cannot start with `{c}`"),
            help: match quoted(text.trim()) {
                Some(q) => format!("put the value in quotes: `{q}`"),
                None => "put the value in quotes".into(),
            },
            at: None,
        });
    }
    if m.contains("tab character") {
        // The parser names the line before the tab: point at the tab.
        let at = (1..=source.line_count()).find_map(|l| {
            let t = source.line_text(l);
            let indent: String = t.chars().take_while(|c| c.is_whitespace()).collect();
            indent.find('\t').map(|c| (l, c + 1))
        });
        return Some(Slip {
            message: "a tab in the indentation: YAML is indented with spaces".into(),
            help: "replace the tabs at the start of the line with spaces (two per level)".into(),
            at,
        });
    }
    if let Some(rest) = m.split("duplicate field `").nth(1) {
        let name = rest.split('`').next().unwrap_or("");
        // The parser gives the mapping: the second key of that name in it.
        let indent = |t: &str| t.len() - t.trim_start().len();
        let from = e.line.unwrap_or(1);
        let key_indent = (from..=source.line_count())
            .map(|l| source.line_text(l))
            .find(|t| !t.trim().is_empty() && !t.trim_start().starts_with('#'))
            .map(|t| {
                indent(t.trim_start_matches("- "))
                    + usize::from(t.trim_start().starts_with("- ")) * 2
            });
        let second = (from..=source.line_count())
            .filter(|&l| {
                let t = source.line_text(l);
                let key = t.trim_start().trim_start_matches("- ");
                key.starts_with(&format!("{name}:"))
                    && key_indent.is_none_or(|k| indent(t) == k || indent(t) + 2 == k)
            })
            .nth(1);
        return Some(Slip {
            message: format!("`{name}` is set twice"),
            help: "keep one of the two lines".into(),
            at: second.map(|l| (l, indent(source.line_text(l)) + 1)),
        });
    }
    None
}

fn yaml_error(file: FileId, source: &SourceFile, e: yaml_io::YamlError) -> Diagnostic {
    let mut d = Diagnostic::error("yaml::structure", e.message.clone());
    let mut e = e;
    if let Some(Slip { message, help, at }) = plain_slip(source, &e) {
        d = Diagnostic::error("yaml::syntax", message).with_help(help);
        if let Some((line, column)) = at {
            e.line = Some(line);
            e.column = Some(column);
        }
        e.context = None;
    }
    if let Some(at) = e.message.find("unknown field `") {
        let rest = &e.message[at + "unknown field `".len()..];
        let name = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let place = e.message[..at].trim_end_matches([':', ' ']);
        d.message = if place.is_empty() {
            format!("unknown field `{name}`")
        } else {
            format!("unknown field `{name}` in `{place}`")
        };
        d = d.with_help_opt(
            did_you_mean(name, expected.iter().copied())
                .or_else(|| Some(format!("the fields here are {}", backticked(&expected)))),
        );
    }
    // An unclosed quote or bracket fails at the end of the file: point at
    // where the unfinished thing began.
    let (line, column) = match &e.context {
        Some((words, line, col)) => {
            d.message = format!("{} {words}", d.message);
            if words.contains("quoted scalar") {
                d = d.with_help("this quoted string is never closed: add the closing quote");
            }
            (Some(*line), Some(*col))
        }
        None => (e.line, e.column),
    };
    match (line, column) {
        (Some(line), Some(col)) => {
            let start = source.line_start(line).unwrap_or(0);
            let line_text = source.line_text(line);
            let byte = line_text
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(line_text.len(), |(i, _)| i);
            let word = line_text[byte..]
                .find([':', ' '])
                .unwrap_or(line_text.len() - byte)
                .max(1);
            d.at(Span::new(file, start + byte, start + byte + word), "here")
        }
        _ => d.in_file(&source.name, 1, 1),
    }
}

struct Reader<'a> {
    file: FileId,
    source: &'a SourceFile,
    pos: YamlPositions,
    errors: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn node(&self, path: &str) -> NodePos {
        self.pos.get(path).cloned().unwrap_or(NodePos {
            key: None,
            start: 0,
            offsets: None,
            block_scalar: false,
            quoted: false,
        })
    }

    fn line_of(&self, span: Span) -> usize {
        self.source.line_col(span.start).0
    }

    /// Leading comments of the node at `path` (and, for the first entry of a
    /// section, of the section's key).
    fn trivia(&self, path: &str, section: Option<&str>) -> Trivia {
        let head = self.node(path).head(self.file);
        let mut leading = Vec::new();
        let mut blank_before = false;
        if let Some(section) = section {
            let key = self.node(section).head(self.file);
            let (c, b) = self.pos.leading(self.source, self.file, self.line_of(key));
            leading.extend(c);
            blank_before |= b;
        }
        let above_section = leading.len();
        let (c, b) = self.pos.leading(self.source, self.file, self.line_of(head));
        leading.extend(c);
        Trivia {
            blank_before: blank_before || b,
            leading,
            above_section,
            ..Trivia::default()
        }
    }

    fn trailing_after(&self, end: usize) -> Option<Comment> {
        self.pos.trailing(self.source, self.file, end)
    }

    /// An id from a value (`id: donor_rate`).
    fn ident(&mut self, name: &str, path: &str, what: &str) -> Ident {
        let span = self.node(path).span(self.file);
        self.name(name, span, what)
    }

    /// A name the user chose, held to the one rule for names: a YAML key
    /// can be anything, a name must also be writable in a .kpi file.
    fn name(&mut self, name: &str, span: Span, what: &str) -> Ident {
        if !crate::syntax::is_name(name) {
            let like = crate::syntax::name_like(name);
            let (message, help) = if crate::syntax::KEYWORDS.contains(&name) {
                (
                    format!("`{name}` is a word of the rule language; it cannot be {what}"),
                    format!("choose another name, e.g. `{like}`"),
                )
            } else {
                (
                    format!("`{name}` cannot be {what}"),
                    format!(
                        "names are letters (accents are fine), digits and `_`, and start with a letter: write `{like}`"
                    ),
                )
            };
            self.errors.push(
                Diagnostic::error("yaml::name", message)
                    .at(span, "here")
                    .with_help(help),
            );
        }
        Ident::new(name, span)
    }

    fn text(&self, value: &str, path: &str) -> Text {
        Text {
            value: value.to_string(),
            span: self.node(path).span(self.file),
        }
    }

    fn file(&mut self, doc: &DocFile) -> RuleFile {
        // Sections in the order they stand in the file.
        let mut sections: Vec<(&str, usize)> = [
            "scorecard",
            "params",
            "uses",
            "profiles",
            "lets",
            "objectives",
        ]
        .into_iter()
        .filter_map(|s| self.pos.get(s).map(|n| (s, n.head(self.file).start)))
        .collect();
        sections.sort_by_key(|s| s.1);
        let mut items = Vec::new();
        for (section, _) in sections {
            match section {
                "scorecard" => {
                    if let Some(s) = &doc.scorecard {
                        items.push(self.scorecard(s));
                    }
                }
                "params" | "lets" => {
                    let map = if section == "params" {
                        &doc.params
                    } else {
                        &doc.lets
                    };
                    for (i, (name, value)) in map.iter().flatten().enumerate() {
                        let path = format!("{section}/{name}");
                        let mut trivia = self.trivia(&path, (i == 0).then_some(section));
                        let expr = if section == "params" {
                            self.param_value(value, &path)
                        } else {
                            self.expr(value, &path)
                        };
                        trivia.trailing = self.trailing_after(expr.span.end);
                        let head = self.node(&path).head(self.file);
                        let what = if section == "params" {
                            "a param's name"
                        } else {
                            "a let's name"
                        };
                        let binding = Binding {
                            name: self.name(name, head, what),
                            value: expr,
                        };
                        let span = binding.name.span.to(binding.value.span);
                        let kind = if section == "params" {
                            ItemKind::Param(binding)
                        } else {
                            ItemKind::Let(binding)
                        };
                        items.push(Item { kind, span, trivia });
                    }
                }
                "uses" => {
                    for (i, path_text) in doc.uses.iter().flatten().enumerate() {
                        let path = format!("uses/{i}");
                        let mut trivia = self.trivia(&path, (i == 0).then_some("uses"));
                        let text = self.text(path_text, &path);
                        trivia.trailing = self.trailing_after(text.span.end);
                        let span = text.span;
                        items.push(Item {
                            kind: ItemKind::Use(text),
                            span,
                            trivia,
                        });
                    }
                }
                "profiles" => {
                    for (i, (table, columns)) in doc.profiles.iter().flatten().enumerate() {
                        let path = format!("profiles/{table}");
                        let mut trivia = self.trivia(&path, (i == 0).then_some("profiles"));
                        let head = self.node(&path).head(self.file);
                        trivia.trailing = self.trailing_after(head.end);
                        let columns = columns
                            .iter()
                            .map(|(name, value)| {
                                let field = self.field(
                                    name,
                                    FieldKind::Expr,
                                    value,
                                    &format!("{path}/{name}"),
                                );
                                self.name(name, field.name.span, "a profile column's name");
                                field
                            })
                            .collect();
                        let table = self.name(table, head, "a table's name");
                        items.push(Item {
                            kind: ItemKind::Profile(Profile { table, columns }),
                            span: head,
                            trivia,
                        });
                    }
                }
                _ => {
                    for (i, o) in doc.objectives.iter().flatten().enumerate() {
                        let path = format!("objectives/{i}");
                        items.push(self.objective(o, &path, i == 0));
                    }
                }
            }
        }
        RuleFile {
            items,
            trailing_comments: self.pos.leftover(self.source, self.file),
        }
    }

    fn scorecard(&mut self, s: &DocScorecard) -> Item {
        let mut trivia = self.trivia("scorecard", None);
        let head = self.node("scorecard").head(self.file);
        trivia.trailing = self.trailing_after(head.end);
        let title = s.title.as_ref().map(|t| self.text(t, "scorecard/title"));
        let fields = self.fields(
            Block::Scorecard,
            "scorecard",
            present(&[
                ("population", &s.population),
                ("period", &s.period),
                ("segments", &s.segments),
                ("benchmark", &s.benchmark),
                ("benchmark_min_peers", &s.benchmark_min_peers),
                ("max_segment_values", &s.max_segment_values),
                ("trend", &s.trend),
                ("min_group", &s.min_group),
                ("description", &s.description),
            ]),
        );
        Item {
            kind: ItemKind::Scorecard(Scorecard { title, fields }),
            span: head,
            trivia,
        }
    }

    fn objective(&mut self, o: &DocObjective, path: &str, first: bool) -> Item {
        let mut trivia = self.trivia(path, first.then_some("objectives"));
        let id = self.ident(&o.id, &format!("{path}/id"), "an objective's id");
        trivia.trailing = self.trailing_after(id.span.end);
        let title = o
            .title
            .as_ref()
            .map(|t| self.text(t, &format!("{path}/title")));
        let fields = self.fields(
            Block::Objective,
            path,
            present(&[
                ("weight", &o.weight),
                ("order", &o.order),
                ("description", &o.description),
                ("tags", &o.tags),
            ]),
        );
        let indicators_at = self
            .pos
            .get(&format!("{path}/indicators"))
            .map_or(usize::MAX, |n| n.head(self.file).start);
        let (before, after): (Vec<Field>, Vec<Field>) = fields
            .into_iter()
            .partition(|f| f.span.start < indicators_at);
        let mut members: Vec<Member> = before.into_iter().map(Member::Field).collect();
        for (j, ind) in o.indicators.iter().flatten().enumerate() {
            members.push(Member::Indicator(
                self.indicator(ind, &format!("{path}/indicators/{j}")),
            ));
        }
        members.extend(after.into_iter().map(Member::Field));
        let span = self.node(path).span(self.file);
        Item {
            kind: ItemKind::Objective(Objective { id, title, members }),
            span,
            trivia,
        }
    }

    fn indicator(&mut self, ind: &DocIndicator, path: &str) -> Indicator {
        let mut trivia = self.trivia(path, None);
        let id = self.ident(&ind.id, &format!("{path}/id"), "an indicator's id");
        trivia.trailing = self.trailing_after(id.span.end);
        let title = ind
            .title
            .as_ref()
            .map(|t| self.text(t, &format!("{path}/title")));
        let fields = self.fields(
            Block::Indicator,
            path,
            present(&[
                ("value", &ind.value),
                ("target", &ind.target),
                ("score", &ind.score),
                ("weight", &ind.weight),
                ("unit", &ind.unit),
                ("better", &ind.better),
                ("segments", &ind.segments),
                ("description", &ind.description),
                ("tags", &ind.tags),
            ]),
        );
        Indicator {
            id,
            title,
            fields,
            span: self.node(path).span(self.file),
            trivia,
        }
    }

    /// The block's fields in file order.
    fn fields(
        &mut self,
        block: Block,
        path: &str,
        present: Vec<(&'static str, &Value)>,
    ) -> Vec<Field> {
        let mut fields: Vec<Field> = present
            .into_iter()
            .map(|(name, value)| {
                let kind = block.kind_of(name).unwrap_or(FieldKind::Expr);
                self.field(name, kind, value, &format!("{path}/{name}"))
            })
            .collect();
        fields.sort_by_key(|f| f.span.start);
        fields
    }

    fn field(&mut self, name: &str, kind: FieldKind, value: &Value, path: &str) -> Field {
        let trivia_base = self.trivia(path, None);
        let node = self.node(path);
        let value = match kind {
            FieldKind::Expr | FieldKind::Table | FieldKind::Columns => self.expr(value, path),
            FieldKind::Period => self.period(value, path),
            FieldKind::Text | FieldKind::TextList => self.text_value(value, path),
            FieldKind::Param => self.param_value(value, path),
        };
        let name = Ident::new(name, node.head(self.file));
        let mut trivia = trivia_base;
        if !node.block_scalar {
            trivia.trailing = self.trailing_after(value.span.end);
        }
        Field {
            span: name.span.to(value.span),
            name,
            value,
            trivia,
        }
    }

    fn period(&mut self, value: &Value, path: &str) -> Expr {
        let node = self.node(path);
        match value {
            Value::String(s) => match dsl::parse_period(self.file, s, &|o| node.map(o)) {
                Ok(e) => e,
                Err(errs) => self.failed(errs, node.span(self.file)),
            },
            _ => {
                let d = Diagnostic::error("yaml::period", "a period is written `FROM .. TO`")
                    .at(node.span(self.file), "not a period")
                    .with_help("for instance `period: 2025-09-01 .. 2026-08-31`");
                self.failed(vec![d], node.span(self.file))
            }
        }
    }

    fn failed(&mut self, errs: Vec<Diagnostic>, span: Span) -> Expr {
        self.errors.extend(errs);
        Expr::new(ExprKind::Null, span)
    }

    /// A text field: strings as they are, lists of strings as lists.
    fn text_value(&mut self, value: &Value, path: &str) -> Expr {
        let span = self.node(path).span(self.file);
        match value {
            Value::Sequence(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.text_value(v, &format!("{path}/{i}")))
                    .collect();
                Expr::new(ExprKind::List(items), span)
            }
            v => match yaml_io::scalar_text(v) {
                Some(s) => Expr::new(ExprKind::String(s), span),
                None => {
                    let d =
                        Diagnostic::error("yaml::text", "expected text here").at(span, "not text");
                    self.failed(vec![d], span)
                }
            },
        }
    }

    /// A param's value: text when the YAML says text (a quoted string, a
    /// lone word, plain words that are no expression), else an expression.
    /// `flagship_faculty: Law` is the text `Law`; to name another param on
    /// its own, write it in parentheses: `(staff_hour_cost)`.
    fn param_value(&mut self, value: &Value, path: &str) -> Expr {
        let node = self.node(path);
        let span = node.span(self.file);
        match value {
            Value::String(s) if node.quoted => {
                // `'"Law"'`, written by earlier versions: a DSL string.
                if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
                    return self.expr(value, path);
                }
                Expr::new(ExprKind::String(s.clone()), span)
            }
            Value::String(s) if is_word(s) => Expr::new(ExprKind::String(s.clone()), span),
            Value::String(s) if is_words(s) => {
                match dsl::parse_expr(self.file, s, &|o| node.map(o)) {
                    Ok(e) => e,
                    Err(_) => Expr::new(ExprKind::String(s.clone()), span),
                }
            }
            Value::Sequence(items) => Expr::new(
                ExprKind::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.param_value(v, &format!("{path}/{i}")))
                        .collect(),
                ),
                span,
            ),
            _ => self.expr(value, path),
        }
    }

    /// An expression field: strings are parsed, numbers and booleans taken
    /// as they are, sequences become lists.
    fn expr(&mut self, value: &Value, path: &str) -> Expr {
        let node = self.node(path);
        let span = node.span(self.file);
        let kind = match value {
            Value::Null => ExprKind::Null,
            Value::Bool(b) => ExprKind::Bool(*b),
            Value::Number(n) => match n.as_f64() {
                Some(f) if f.is_finite() => ExprKind::Number(f),
                _ => {
                    let d =
                        Diagnostic::error("yaml::number", format!("`{n}` is not a usable number"))
                            .at(span, "here");
                    return self.failed(vec![d], span);
                }
            },
            Value::String(s) => {
                return match dsl::parse_expr(self.file, s, &|o| node.map(o)) {
                    Ok(e) => e,
                    Err(errs) => self.failed(errs, span),
                };
            }
            Value::Sequence(items) => ExprKind::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.expr(v, &format!("{path}/{i}")))
                    .collect(),
            ),
            Value::Mapping(_) | Value::Tagged(_) => {
                let d = Diagnostic::error(
                    "yaml::expression",
                    "expected an expression, found a mapping",
                )
                .at(span, "here")
                .with_help("write the expression as a string, e.g. `value: count(alumni)`");
                return self.failed(vec![d], span);
            }
        };
        Expr::new(kind, span)
    }
}
