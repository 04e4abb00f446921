//! What scoring needs besides the plan, read from the rules and the
//! dataset before any evaluation: the period, the benchmark file, `--set`
//! overrides, and the tables a period cannot apply to.

use std::collections::HashMap;

use chrono::Datelike;

use crate::check::{self, DeclId, Decls, Ty};
use crate::data::Dataset;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::Period;
use crate::eval::plan::Plan;
use crate::eval::value::{Strings, Value};
use crate::syntax::{
    self,
    ast::{self, Expr, ExprKind, field},
};

pub(super) fn scorecard_period(decls: &Decls<'_>) -> Option<Period> {
    let (s, _) = decls.scorecards.first()?;
    match &field(&s.fields, "period")?.value.kind {
        ExprKind::Period { from, to } => Some((from.num_days_from_ce(), to.num_days_from_ce())),
        _ => None,
    }
}

/// A period applies to the rows of dated tables only: a table the rules
/// read that has no date column but has columns that look like dates is
/// probably a table whose date column was not named.
pub(super) fn undated_tables(plan: &Plan, data: &Dataset) -> Vec<Diagnostic> {
    let mut read: Vec<usize> = plan
        .indicators
        .iter()
        .flat_map(|i| i.tables.iter().copied())
        .collect();
    read.sort_unstable();
    read.dedup();
    read.into_iter()
        .filter_map(|t| {
            let (name, table) = data.tables.get_index(t)?;
            let said_none = matches!(
                &table.schema.decl.date,
                Some(crate::data::manifest::Located { value: None, .. })
            );
            if table.date.is_some() || table.since.is_some() || said_none {
                return None;
            }
            let dates: Vec<String> = table
                .columns
                .iter()
                .filter(|c| {
                    matches!(c.data, crate::data::ColumnData::Date(_))
                        || c.name.to_lowercase().contains("date")
                })
                .map(|c| format!("`{}`", c.name))
                .collect();
            let first = dates.first()?.trim_matches('`').to_string();
            Some(
                Diagnostic::warning(
                    "data::undated",
                    format!(
                        "the period is not applied to `{name}`: it has no date column, though it has {}",
                        dates.join(", ")
                    ),
                )
                .fr(format!(
                    "la période ne s'applique pas à `{name}` : la table n'a pas de colonne de date, bien qu'elle ait {}",
                    dates.join(", ")
                ))
                .in_file(table.file.display().to_string(), 1, 1)
                .with_help(format!(
                    "every row of `{name}` counts, whatever its date; name its date column in \
                     dataset.yaml (`{name}: {{date: {first}}}`), or say it has none (`date: null`)"
                )),
            )
        })
        .collect()
}

/// The benchmark file as written, and where.
pub(super) fn benchmark(decls: &Decls<'_>) -> Option<(String, crate::source::Span)> {
    let (s, _) = decls.scorecards.first()?;
    let f = field(&s.fields, "benchmark")?;
    match &f.value.kind {
        ExprKind::String(p) => Some((p.clone(), f.value.span)),
        _ => None,
    }
}

/// `--set NAME=VALUE`: the param must exist and the value fit its type.
/// A text param also takes a bare word (`--set faculty=Law`).
pub(super) fn parse_overrides(
    decls: &Decls<'_>,
    types: &HashMap<DeclId, Ty>,
    strings: &Strings,
    set: &[(String, String)],
) -> Result<Vec<(String, Value)>, Diagnostics> {
    let mut out = Vec::new();
    let mut errors = Diagnostics::new();
    for (name, raw) in set {
        let Some(i) = decls.params.iter().position(|p| p.name.name == *name) else {
            let names: Vec<&str> = decls.params.iter().map(|p| p.name.name.as_str()).collect();
            errors.push(
                Diagnostic::error(
                    "set::unknown-param",
                    format!("`--set {name}=...`: there is no param `{name}`"),
                )
                .with_help_opt(
                    check::suggest::did_you_mean(name, names.iter().copied()).or_else(|| {
                        Some(format!(
                            "the params are {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    }),
                ),
            );
            continue;
        };
        let ty = types.get(&DeclId::Param(i)).copied().unwrap_or(Ty::Any);
        let parsed = syntax::parse_expr(crate::source::FileId(u32::MAX), raw, &|o| o)
            .ok()
            .and_then(|e| literal(&e, strings));
        let value = match (parsed, ty) {
            (Some((v, vty)), _) if vty.fits(ty) => v,
            // Unquoted text is the text itself (`--set faculty=Law`); a
            // quoted value that does not read as a string is no text to
            // take as it is, quotes and escapes included.
            (_, Ty::Text) if !raw.trim_start().starts_with('"') => {
                Value::Str(strings.intern(raw.trim()))
            }
            // A list as reports and cells write it: `networking;giving`.
            (_, Ty::List) if !raw.trim_start().starts_with('[') => {
                let items: Vec<_> = raw
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| strings.intern(s))
                    .collect();
                Value::List(items.into())
            }
            (_, Ty::Text) => {
                errors.push(
                    Diagnostic::error(
                        "set::type",
                        format!("`--set {name}={raw}`: the quoted text does not read as a string"),
                    )
                    .with_help("close the quotes; inside them write \\\" for a quote, \\\\ for a backslash, \\n for a new line"),
                );
                continue;
            }
            _ => {
                errors.push(
                    Diagnostic::error("set::type", format!("`--set {name}={raw}`: `{name}` is {ty}"))
                        .with_help("for instance --set staff_hour_cost=50, --set rate=60%, --set since=2025-09-01, --set strategy=giving;networking"),
                );
                continue;
            }
        };
        // Set twice: the last value, once.
        out.retain(|(_, (n, _))| n != name);
        out.push((i, (name.clone(), value)));
    }
    if errors.has_errors() {
        return Err(errors);
    }
    // In the params' order, so that the revision does not depend on the
    // order of `--set`.
    out.sort_by_key(|(i, _)| *i);
    Ok(out.into_iter().map(|(_, set)| set).collect())
}

/// A literal's value and type.
fn literal(e: &Expr, strings: &Strings) -> Option<(Value, Ty)> {
    Some(match &e.kind {
        ExprKind::Number(n) => (Value::num(*n), Ty::Number),
        ExprKind::Percent(n) => (Value::num(n / 100.0), Ty::Number),
        ExprKind::Unary {
            op: ast::UnaryOp::Neg,
            operand,
        } => match literal(operand, strings)? {
            (Value::Num(n), Ty::Number) => (Value::num(-n), Ty::Number),
            _ => return None,
        },
        ExprKind::String(s) => (Value::Str(strings.intern(s)), Ty::Text),
        ExprKind::Bool(b) => (Value::Bool(*b), Ty::Bool),
        ExprKind::Date(d) => (Value::Date(d.num_days_from_ce()), Ty::Date),
        ExprKind::List(items) => {
            let mut ids = Vec::new();
            for item in items {
                match &item.kind {
                    ExprKind::String(s) => ids.push(strings.intern(s)),
                    _ => return None,
                }
            }
            (Value::List(ids.into()), Ty::List)
        }
        _ => return None,
    })
}

/// `prior(e)` compares with the previous period: an `e` that reads no
/// dated table would be its own baseline, always.
pub(super) fn undated_priors(plan: &Plan, data: &Dataset) -> Diagnostics {
    let mut out: Vec<&crate::eval::plan::PriorPlan> = plan
        .priors
        .values()
        .filter(|p| p.dated.is_empty())
        .collect();
    out.sort_by_key(|p| (p.span.file, p.span.start));
    let dated: Vec<String> = data
        .tables
        .iter()
        .filter(|(_, t)| t.date.is_some() || t.since.is_some())
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    Diagnostics(
        out.into_iter()
            .map(|p| {
                Diagnostic::error(
                    "check::prior",
                    "this `prior(..)` reads no dated table: it could only equal its expression",
                )
                .at(p.span, "no table read here has a date or `since` column")
                .with_help(format!(
                    "`prior` compares with the previous period, so its expression must read a \
                     table with a date column (rows in a period) or a `since` column (rows \
                     counted from a day on); the dated tables are {}",
                    if dated.is_empty() {
                        "none: declare `date:` or `since:` in dataset.yaml".to_string()
                    } else {
                        dated.join(", ")
                    }
                ))
            })
            .collect(),
    )
}

/// A whole-number scorecard field (the checker made sure it is one), or
/// its default.
fn scorecard_count(decls: &Decls<'_>, name: &str, default: usize) -> usize {
    decls
        .scorecards
        .first()
        .and_then(|(s, _)| field(&s.fields, name))
        .and_then(|f| check::constant_number(&f.value))
        .map_or(default, |n| n as usize)
}

/// The scorecard's `trend` (periods of the trend) and where it is written.
pub(super) fn scorecard_trend(decls: &Decls<'_>) -> Option<(usize, crate::source::Span)> {
    let (s, _) = decls.scorecards.first()?;
    let f = field(&s.fields, "trend")?;
    let n = check::constant_number(&f.value)?;
    Some((n as usize, f.value.span))
}

/// The scorecard's `min_group`: smaller segment groups are masked.
pub(super) fn min_group(decls: &Decls<'_>) -> usize {
    scorecard_count(decls, "min_group", crate::report::MIN_GROUP)
}

/// The scorecard's `benchmark_min_peers`.
pub(super) fn min_peers(decls: &Decls<'_>) -> usize {
    scorecard_count(decls, "benchmark_min_peers", crate::eval::MIN_PEERS)
}

/// The rule set as what it computes: each item's syntax tree without
/// spans or comments, sorted (so that the same rules in .kpi or YAML, in
/// one file or several, are the same), then each plugin's text.
pub(super) fn canonical_rules(rules: &crate::rules::RuleSet) -> Vec<String> {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("trivia");
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut items: Vec<String> = rules
        .files
        .iter()
        .flat_map(|f| &f.tree.items)
        .map(|item| {
            let mut v = serde_json::to_value(&item.kind).unwrap_or_default();
            strip(&mut v);
            v.to_string()
        })
        .collect();
    items.sort();
    let mut plugins: Vec<(String, String)> = rules
        .plugins
        .iter()
        .filter_map(|(written, id)| Some((written.clone(), rules.sources.get(*id)?.text.clone())))
        .collect();
    plugins.sort();
    items.extend(plugins.into_iter().map(|(w, t)| format!("plugin {w}\n{t}")));
    items
}

/// The usual `max_segment_values`.
pub(super) const MAX_SEGMENT_VALUES: usize = 50;

/// The scorecard's `max_segment_values`.
pub(super) fn max_segment_values(decls: &Decls<'_>) -> usize {
    scorecard_count(decls, "max_segment_values", MAX_SEGMENT_VALUES)
}

/// Where a segment column is named in the scorecard.
pub(super) fn segment_span(decls: &Decls<'_>, name: &str) -> Option<crate::source::Span> {
    let (s, _) = decls.scorecards.first()?;
    match &field(&s.fields, "segments")?.value.kind {
        ExprKind::List(items) => items
            .iter()
            .find(|i| matches!(&i.kind, ExprKind::Name(n) if n.name == name))
            .map(|i| i.span),
        _ => None,
    }
}

/// A segment data column with more distinct values (or list elements)
/// than `max`: a breakdown no one can read, and a report that grows with
/// the data.
pub(super) fn too_many_segments(
    plan: &Plan,
    data: &Dataset,
    decls: &Decls<'_>,
    max: usize,
) -> Diagnostics {
    let Some(pop) = plan.population else {
        return Diagnostics::new();
    };
    let table = &data.tables[pop];
    let mut out = Diagnostics::new();
    for (name, source) in &plan.segments {
        let crate::eval::plan::SegmentSource::Column(c) = source else {
            continue;
        };
        let count = distinct_values(&table.columns[*c].data);
        if count > max {
            let d = Diagnostic::error(
                "check::segments",
                format!("segment `{name}` has {count} distinct values (at most {max})"),
            )
            .with_help(format!(
                "segment by a column with fewer values (a region rather than a city, a decade \
                 rather than a year), or raise the limit in the scorecard: \
                 `max_segment_values = {count}`"
            ));
            out.push(match segment_span(decls, name) {
                Some(span) => d.at(span, "too many values to break down by"),
                None => d,
            });
        }
    }
    out
}

/// Distinct non-null values of a column (elements, for a list column).
fn distinct_values(data: &crate::data::ColumnData) -> usize {
    use crate::data::ColumnData;
    use crate::data::column::{NULL_BOOL, NULL_DATE, NULL_STR};
    let mut seen = std::collections::HashSet::new();
    match data {
        ColumnData::Number(v) => v.iter().filter(|x| !x.is_nan()).for_each(|x| {
            seen.insert(x.to_bits());
        }),
        ColumnData::Bool(v) => v.iter().filter(|&&b| b != NULL_BOOL).for_each(|&b| {
            seen.insert(u64::from(b));
        }),
        ColumnData::Date(v) => v.iter().filter(|&&d| d != NULL_DATE).for_each(|&d| {
            seen.insert(d as u64);
        }),
        ColumnData::Str(v) => v.iter().filter(|&&s| s != NULL_STR).for_each(|&s| {
            seen.insert(u64::from(s));
        }),
        ColumnData::List { values, .. } => values.iter().for_each(|&s| {
            seen.insert(u64::from(s));
        }),
    }
    seen.len()
}
