//! Hover and go to definition: a function's signature and doc; an
//! indicator's title, formula and its figures on the dataset (computed in
//! the background: see [`super::values`]); an objective's, a param's, a
//! let's, a table's and a column's definition.

use super::analysis::{Symbol, SymbolKind};
use super::values::Values;
use crate::check::functions;
use crate::data::Schema;
use crate::report::format;
use crate::report::{Lang, Report};

/// Why there are no figures to show, or what they are.
pub enum Figures<'a> {
    /// No dataset is known for the rules directory.
    NoData,
    /// The rules have errors: nothing is scored until they check.
    RulesBroken,
    /// Being computed for the first time.
    Computing,
    /// The newest figures, and whether they are those of the rules and
    /// dataset as they are now.
    Ready(&'a Values, Freshness),
}

/// How the figures shown stand to the rules in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Of the rules and the dataset as they are.
    Current,
    /// Of an earlier version; the current one is being scored.
    Recomputing,
    /// Of the last version that checked; the current one has errors.
    RulesBroken,
}

/// What hovering `word` shows (`qualifier`: the table before a dot; `call`:
/// the word is followed by `(`), as Markdown.
pub fn hover(
    word: &str,
    qualifier: Option<&str>,
    call: bool,
    symbols: &[Symbol],
    schema: Option<&Schema>,
    figures: Figures<'_>,
) -> Option<String> {
    if let Some(table) = qualifier {
        if let Some(s) = symbols.iter().find(|s| {
            s.kind == SymbolKind::ProfileColumn
                && s.name == word
                && s.parent.as_deref() == Some(table)
        }) {
            return Some(format!(
                "profile column of `{table}`\n```kpi\n{}\n```",
                s.lines.join("\n")
            ));
        }
        let column = schema?.table(table)?.column(word)?;
        let ty = column
            .ty
            .map_or("a column".to_string(), |t| format!("a {} column", t.word()));
        return Some(format!("`{table}.{word}`: {ty} of the dataset"));
    }
    if (call || !symbols.iter().any(|s| s.name == word))
        && let (Some(usage), Some(doc)) = (functions::usage(word), functions::doc(word))
    {
        return Some(format!("```kpi\n{usage}\n```\n{doc}"));
    }
    if let Some(s) = symbols
        .iter()
        .find(|s| s.name == word && s.kind != SymbolKind::ProfileColumn)
    {
        return Some(symbol(s, figures));
    }
    let table = schema?.table(word)?;
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("`{}`", c.name))
        .collect();
    Some(format!(
        "table `{word}` of the dataset: {}",
        columns.join(", ")
    ))
}

fn symbol(s: &Symbol, figures: Figures<'_>) -> String {
    let what = match s.kind {
        SymbolKind::Param => "param",
        SymbolKind::Let => "let",
        SymbolKind::Objective => "objective",
        SymbolKind::Indicator => "indicator",
        SymbolKind::ProfileColumn => "profile column",
    };
    let mut out = match (&s.title, &s.parent) {
        (Some(t), Some(o)) => format!("**{t}** — {what} `{}` of `{o}`\n", s.name),
        (Some(t), None) => format!("**{t}** — {what} `{}`\n", s.name),
        (None, _) => format!("{what} `{}`\n", s.name),
    };
    if !s.lines.is_empty() {
        out += &format!("```kpi\n{}\n```\n", s.lines.join("\n"));
    }
    if !matches!(
        s.kind,
        SymbolKind::Indicator | SymbolKind::Objective | SymbolKind::Param
    ) {
        return out;
    }
    out += &match figures {
        Figures::NoData => "No dataset known: set `initializationOptions.data`, or `data = \"DIR\"` in a `kpi.toml` beside the rules, to see its figures.".to_string(),
        Figures::RulesBroken => "No figures while the rules have errors.".to_string(),
        Figures::Computing => "Figures: being computed…".to_string(),
        Figures::Ready(values, freshness) => {
            let mut line = match &values.report {
                Err(why) => format!("No figures: {why}."),
                Ok(report) => figures_of(s, report),
            };
            line += match freshness {
                Freshness::Current => "",
                Freshness::Recomputing => " _(of an earlier version of the rules or data; being recomputed)_",
                Freshness::RulesBroken => " _(of the last version of the rules that checked: the rules have errors now)_",
            };
            line
        }
    };
    out
}

fn figures_of(s: &Symbol, report: &Report) -> String {
    let labels = Lang::En.labels();
    let period = report
        .period
        .as_ref()
        .map_or(String::new(), |p| format!(" ({} – {})", p.from, p.to));
    match s.kind {
        SymbolKind::Indicator => {
            let Some(i) = report
                .objectives
                .iter()
                .flat_map(|o| &o.indicators)
                .find(|i| i.id == s.name)
            else {
                return "Not in the report.".into();
            };
            let unit = i.unit.as_deref();
            let mut line = format!(
                "On the dataset{period}: value **{}** · target {} · score **{}** · {}",
                format::value(i.value, unit, Lang::En, labels),
                format::value(i.target, unit, Lang::En, labels),
                format::score(i.score, Lang::En, labels),
                i.status.code()
            );
            if let Some(r) = &i.reason {
                line += &format!(" — {}", r.text(Lang::En));
            }
            line
        }
        SymbolKind::Objective => match report.objectives.iter().find(|o| o.id == s.name) {
            Some(o) => format!(
                "On the dataset{period}: score **{}** · weight {}",
                format::score(o.score, Lang::En, labels),
                format::weight(o.weight, Lang::En)
            ),
            None => "Not in the report.".into(),
        },
        _ => match report.params.get(&s.name) {
            Some(v) => format!("Value: `{v}`"),
            None => String::new(),
        },
    }
}

/// Where `word` is defined (a profile column: `qualifier` is its table).
pub fn definition<'s>(
    word: &str,
    qualifier: Option<&str>,
    symbols: &'s [Symbol],
) -> Option<&'s Symbol> {
    symbols.iter().find(|s| {
        s.name == word
            && match qualifier {
                Some(table) => {
                    s.kind == SymbolKind::ProfileColumn && s.parent.as_deref() == Some(table)
                }
                None => s.kind != SymbolKind::ProfileColumn,
            }
    })
}
