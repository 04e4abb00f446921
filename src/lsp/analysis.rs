//! One analysis of a rules directory as the editor shows it: its files
//! (open ones from the editor's text) parsed and checked, against the
//! dataset's schema when a data directory is known; the diagnostics per
//! file; and the names it declares, for completion, hover and definition.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url};

use crate::data::Schema;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::RuleSet;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{ItemKind, RuleFile};

use super::text;

/// What a name of the rules is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Param,
    Let,
    Objective,
    Indicator,
    /// A profile column (of the table in the symbol's `table`).
    ProfileColumn,
}

/// A name the rules declare.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// An indicator's or objective's title.
    pub title: Option<String>,
    /// The objective of an indicator, the table of a profile column.
    pub parent: Option<String>,
    /// Its expression (`value = ..`, `target = ..` for an indicator).
    pub lines: Vec<String>,
    /// The file and byte range of its name.
    pub path: PathBuf,
    pub start: usize,
    pub end: usize,
}

/// The names declared by one file.
pub fn symbols(tree: &RuleFile, path: &Path) -> Vec<Symbol> {
    let mut out = Vec::new();
    let mut add = |name: &crate::syntax::ast::Ident,
                   kind: SymbolKind,
                   title: Option<String>,
                   parent: Option<String>,
                   lines: Vec<String>| {
        out.push(Symbol {
            name: name.name.clone(),
            kind,
            title,
            parent,
            lines,
            path: path.to_path_buf(),
            start: name.span.start,
            end: name.span.end,
        });
    };
    let field_lines =
        |fields: &mut dyn Iterator<Item = &crate::syntax::ast::Field>| -> Vec<String> {
            fields
                .filter(|f| {
                    matches!(
                        f.name.name.as_str(),
                        "value" | "target" | "score" | "weight"
                    )
                })
                .map(|f| {
                    format!(
                        "{} = {}",
                        f.name.name,
                        crate::syntax::expr_to_string(&f.value)
                    )
                })
                .collect()
        };
    for item in &tree.items {
        match &item.kind {
            ItemKind::Param(b) => add(
                &b.name,
                SymbolKind::Param,
                None,
                None,
                vec![format!(
                    "param {} = {}",
                    b.name.name,
                    crate::syntax::expr_to_string(&b.value)
                )],
            ),
            ItemKind::Let(b) => add(
                &b.name,
                SymbolKind::Let,
                None,
                None,
                vec![format!(
                    "let {} = {}",
                    b.name.name,
                    crate::syntax::expr_to_string(&b.value)
                )],
            ),
            ItemKind::Objective(o) => {
                add(
                    &o.id,
                    SymbolKind::Objective,
                    o.title.as_ref().map(|t| t.value.clone()),
                    None,
                    field_lines(&mut o.fields()),
                );
                for i in o.indicators() {
                    add(
                        &i.id,
                        SymbolKind::Indicator,
                        i.title.as_ref().map(|t| t.value.clone()),
                        Some(o.id.name.clone()),
                        field_lines(&mut i.fields.iter()),
                    );
                }
            }
            ItemKind::Profile(p) => {
                for c in &p.columns {
                    add(
                        &c.name,
                        SymbolKind::ProfileColumn,
                        None,
                        Some(p.table.name.clone()),
                        vec![format!(
                            "{} = {}",
                            c.name.name,
                            crate::syntax::expr_to_string(&c.value)
                        )],
                    );
                }
            }
            ItemKind::Scorecard(_) | ItemKind::Use(_) => {}
        }
    }
    out
}

/// Tables and the columns the rules read of each (when no schema says).
pub fn columns_read(rules: &RuleSet) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for file in &rules.files {
        for (_, e) in file.tree.fields() {
            for sub in e.descendants() {
                if let crate::syntax::ast::ExprKind::Column { table, column } = &sub.kind {
                    let cols = out.entry(table.name.clone()).or_default();
                    if !cols.contains(&column.name) {
                        cols.push(column.name.clone());
                    }
                }
            }
        }
    }
    out
}

/// The names declared by a rule file as saved, if it parses.
pub fn saved_symbols(path: &Path) -> Option<Vec<Symbol>> {
    let text = crate::rules::read_rule_file(path).ok()?;
    let dir = path.parent()?;
    let name = path.display().to_string();
    let (rules, diags) = RuleSet::from_texts(dir, &[(name.as_str(), text.as_str())]);
    let file = rules.files.first().filter(|_| !diags.has_errors())?;
    Some(symbols(&file.tree, path))
}

/// One analysis of a rules directory.
pub struct Analysis {
    pub rules: RuleSet,
    /// Every diagnostic of the directory's files, by file.
    pub diagnostics: HashMap<Url, Vec<lsp_types::Diagnostic>>,
    /// Whether the rules have errors (then nothing is scored).
    pub has_errors: bool,
    /// A hash of the rules' texts (files and plugins): figures computed
    /// from equal fingerprints are of the same rules.
    pub fingerprint: u64,
    /// The names of the files that parsed, by file.
    pub symbols: HashMap<PathBuf, Vec<Symbol>>,
    /// The dataset's tables and columns, when known.
    pub schema: Option<Schema>,
    /// Tables and the columns the rules read of each.
    pub columns_read: HashMap<String, Vec<String>>,
}

/// Parses and checks `dir` with the editor's texts of its open files,
/// against the schema `schema` finds for the rules (if any).
pub fn analyse(
    dir: &Path,
    open: &[(PathBuf, String)],
    schema: &dyn Fn(&RuleSet) -> Option<Schema>,
) -> Analysis {
    let (rules, mut diags) = RuleSet::load_dir_with(dir, open);
    let schema = schema(&rules);
    let schema = schema.as_ref();
    if diags.has_errors() {
        let more = crate::check::check_despite(&rules, schema, &diags, true);
        diags.extend(more);
    } else {
        diags.extend(crate::check::check(&rules, schema).diagnostics);
    }
    let symbols = rules
        .files
        .iter()
        .filter_map(|f| {
            let path = &rules.sources.get(f.id)?.path;
            Some((path.clone(), symbols(&f.tree, path)))
        })
        .collect();
    let mut by_file: HashMap<Url, Vec<lsp_types::Diagnostic>> = HashMap::new();
    // Every rule file gets a list, empty ones included: that clears what
    // an earlier analysis said about it.
    for (_, f) in rules.sources.files() {
        if crate::syntax::Format::of_path(&f.path).is_some()
            && let Ok(url) = Url::from_file_path(&f.path)
        {
            by_file.entry(url).or_default();
        }
    }
    for d in diags.iter() {
        if let Some((url, diagnostic)) = convert(d, &rules.sources) {
            by_file.entry(url).or_default().push(diagnostic);
        }
    }
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (_, f) in rules.sources.files() {
            f.path.hash(&mut h);
            f.text.hash(&mut h);
        }
        h.finish()
    };
    Analysis {
        has_errors: diags.has_errors(),
        fingerprint,
        columns_read: columns_read(&rules),
        schema: schema.cloned(),
        rules,
        diagnostics: by_file,
        symbols,
    }
}

/// A diagnostic as LSP shows it, and its file; `None` for one that is in
/// no rule file (it has no place in the editor).
pub fn convert(d: &Diagnostic, sources: &SourceMap) -> Option<(Url, lsp_types::Diagnostic)> {
    let label = d.primary.as_ref()?;
    let (url, range) = place(sources, label.span)?;
    let mut message = d.message.clone();
    if !label.message.is_empty() {
        message += &format!(" ({})", label.message);
    }
    if let Some(help) = &d.help {
        message += &format!("\nhelp: {help}");
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let (uri, range) = place(sources, l.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range },
                message: l.message.clone(),
            })
        })
        .collect();
    Some((
        url,
        lsp_types::Diagnostic {
            range,
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            source: Some("kpi".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        },
    ))
}

fn place(sources: &SourceMap, span: Span) -> Option<(Url, lsp_types::Range)> {
    let file = sources.get(span.file)?;
    let url = Url::from_file_path(&file.path).ok()?;
    Some((url, text::range(&file.text, span.start, span.end)))
}

/// Where the dataset of a rules directory is: the editor's
/// `initializationOptions.data`, else `data = "DIR"` in a `kpi.toml` of the
/// rules directory (relative to it). A `kpi.toml` that cannot be read is
/// said, and no dataset is used.
pub fn data_dir(rules_dir: &Path, init: Option<&Path>) -> Result<Option<PathBuf>, String> {
    if let Some(dir) = init {
        return Ok(Some(dir.to_path_buf()));
    }
    let config = rules_dir.join("kpi.toml");
    let Ok(text) = std::fs::read_to_string(&config) else {
        return Ok(None);
    };
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Config {
        data: Option<PathBuf>,
    }
    let parsed: Config =
        toml::from_str(&text).map_err(|e| format!("{}: {}", config.display(), e.message()))?;
    Ok(parsed.data.map(|d| rules_dir.join(d)))
}

/// The names of a rules directory's dataset's tables and columns, from
/// its headers and manifest (fast: no value is read).
pub fn read_schema(data: &Path, rules: &RuleSet) -> Option<Schema> {
    let benchmark = crate::check::benchmark_file(rules);
    let exclude: Vec<&str> = benchmark.iter().map(String::as_str).collect();
    let (schema, errors) = Schema::read(data, &exclude);
    (!errors.has_errors()).then_some(schema)
}
