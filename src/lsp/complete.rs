//! Completion: after `table.`, that table's columns (the dataset's, else
//! those the rules read) and profile columns; elsewhere the names of the
//! rules, the built-in functions with their signatures, tables, keywords
//! and fields — and inside `AGG(T where …`, T's columns first.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

use super::analysis::{Symbol, SymbolKind};
use crate::check::functions;
use crate::data::Schema;

/// What completion knows of a rules directory.
pub struct Context<'a> {
    pub symbols: &'a [Symbol],
    pub schema: Option<&'a Schema>,
    /// Tables and the columns the rules read of each, when no schema says.
    pub columns_read: &'a std::collections::HashMap<String, Vec<String>>,
}

const KEYWORDS: &[&str] = &[
    "scorecard",
    "param",
    "let",
    "objective",
    "indicator",
    "profile",
    "use",
    "where",
    "and",
    "or",
    "not",
    "true",
    "false",
    "null",
    "rhai",
    "higher",
    "lower",
];

const FIELDS: &[(&str, &str)] = &[
    ("value", "an indicator's figure"),
    ("target", "what the figure should reach"),
    ("score", "0–100; default linear(0, target)"),
    ("weight", "weight in the objective (default 1)"),
    ("unit", "\"%\", \"EUR\" …"),
    ("better", "higher or lower"),
    ("description", "text shown in reports"),
    ("tags", "a list of strings"),
    ("segments", "columns the indicators are cut by"),
    ("population", "the scorecard's table of people"),
    ("period", "FROM .. TO"),
    (
        "benchmark",
        "the peer figures' file in the dataset directory",
    ),
    (
        "benchmark_min_peers",
        "fewer peer figures are no comparison (default 4)",
    ),
    ("max_segment_values", "default 50"),
    ("trend", "periods scored for the trend"),
    (
        "min_group",
        "smaller segment groups are masked (default 10)",
    ),
];

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..Default::default()
    }
}

fn columns_of(ctx: &Context<'_>, table: &str) -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = match ctx.schema.and_then(|s| s.table(table)) {
        Some(t) => t
            .columns
            .iter()
            .map(|c| {
                let ty =
                    c.ty.map_or("column".to_string(), |t| format!("{} column", t.word()));
                item(
                    &c.name,
                    CompletionItemKind::FIELD,
                    Some(format!("{ty} of `{table}`")),
                )
            })
            .collect(),
        None => ctx
            .columns_read
            .get(table)
            .into_iter()
            .flatten()
            .map(|c| {
                item(
                    c,
                    CompletionItemKind::FIELD,
                    Some(format!("column of `{table}`")),
                )
            })
            .collect(),
    };
    for s in ctx.symbols {
        if s.kind == SymbolKind::ProfileColumn
            && s.parent.as_deref() == Some(table)
            && !out.iter().any(|i| i.label == s.name)
        {
            out.push(item(
                &s.name,
                CompletionItemKind::FIELD,
                Some(format!(
                    "profile column of `{table}`: {}",
                    s.lines.join(" ")
                )),
            ));
        }
    }
    out
}

fn tables(ctx: &Context<'_>) -> Vec<String> {
    let mut out: Vec<String> = match ctx.schema {
        Some(s) => s.tables.keys().cloned().collect(),
        None => ctx.columns_read.keys().cloned().collect(),
    };
    for s in ctx.symbols {
        if let (SymbolKind::ProfileColumn, Some(t)) = (s.kind, &s.parent)
            && !out.contains(t)
        {
            out.push(t.clone());
        }
    }
    out.sort();
    out
}

/// The completion items at a place: `qualifier` is the name before a dot
/// (`alumni` in `alumni.ti`), `in_where` the table a `where` reads there,
/// `prefix` what is typed of the name.
pub fn items(
    ctx: &Context<'_>,
    qualifier: Option<&str>,
    in_where: Option<&str>,
    prefix: &str,
) -> Vec<CompletionItem> {
    if let Some(table) = qualifier {
        let known = tables(ctx);
        if known.iter().any(|t| t == table) {
            return filter(columns_of(ctx, table), prefix);
        }
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(table) = in_where {
        out.extend(columns_of(ctx, table).into_iter().map(|mut i| {
            i.sort_text = Some(format!("0{}", i.label));
            i
        }));
    }
    for s in ctx.symbols {
        let (kind, what) = match s.kind {
            SymbolKind::Param => (CompletionItemKind::CONSTANT, "param"),
            SymbolKind::Let => (CompletionItemKind::VARIABLE, "let"),
            SymbolKind::Indicator => (CompletionItemKind::VALUE, "indicator"),
            SymbolKind::Objective => (CompletionItemKind::MODULE, "objective"),
            SymbolKind::ProfileColumn => continue,
        };
        let detail = match &s.title {
            Some(t) => format!("{what} “{t}”"),
            None => format!("{what}: {}", s.lines.join(" ")),
        };
        if !out.iter().any(|i: &CompletionItem| i.label == s.name) {
            out.push(item(&s.name, kind, Some(detail)));
        }
    }
    for name in functions::names() {
        if out.iter().any(|i| i.label == name) {
            continue;
        }
        let mut i = item(
            name,
            CompletionItemKind::FUNCTION,
            functions::usage(name).map(str::to_string),
        );
        i.documentation = functions::doc(name).map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d.to_string(),
            })
        });
        out.push(i);
    }
    for t in tables(ctx) {
        out.push(item(&t, CompletionItemKind::STRUCT, Some("table".into())));
    }
    for k in KEYWORDS {
        out.push(item(k, CompletionItemKind::KEYWORD, None));
    }
    for (f, what) in FIELDS {
        out.push(item(
            f,
            CompletionItemKind::PROPERTY,
            Some((*what).to_string()),
        ));
    }
    filter(out, prefix)
}

fn filter(items: Vec<CompletionItem>, prefix: &str) -> Vec<CompletionItem> {
    items
        .into_iter()
        .filter(|i| i.label.starts_with(prefix))
        .collect()
}
