//! Checking a test's expectations against the rules: every figure named
//! must be an indicator, objective or profile column they define.

use super::spec::{Case, Figure, Part};
use crate::check::Decls;
use crate::check::suggest::{backticked, did_you_mean};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Checks each expectation against the rules: an id that is no indicator
/// or objective, a part an objective does not have, a profile table or
/// column the rules do not define. Returns whether all are known.
pub fn resolve(case: &mut Case, decls: &Decls<'_>, diags: &mut Diagnostics) -> bool {
    let before = diags.error_count();
    let mut unknown: std::collections::HashSet<String> = std::collections::HashSet::new();
    let indicators: Vec<&str> = decls
        .indicators
        .iter()
        .map(|i| i.indicator.id.name.as_str())
        .collect();
    let objectives: Vec<&str> = decls
        .objectives
        .iter()
        .map(|o| o.id.name.as_str())
        .collect();
    for e in &mut case.expects {
        match &e.figure {
            Figure::Indicator(id, part) => {
                let is_indicator = indicators.contains(&id.as_str());
                if is_indicator && objectives.contains(&id.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            "test::expect",
                            format!("`{id}` is both an objective and an indicator of the rules"),
                        )
                        .at(e.named_at, "which of the two?")
                        .with_help("give the objective and the indicator different ids"),
                    );
                    continue;
                }
                if is_indicator {
                    continue;
                }
                if objectives.contains(&id.as_str()) {
                    if *part == Part::Score {
                        e.figure = Figure::Objective(id.clone());
                    } else {
                        diags.push(
                            Diagnostic::error(
                                "test::expect",
                                format!("objective `{id}` has a score only, not a {}", part.word()),
                            )
                            .at(e.at, "not a figure of an objective")
                            .with_help(format!("write `{id}: {{score: ..}}`")),
                        );
                    }
                    continue;
                }
                // Said once per id, not once per figure of it.
                if !unknown.insert(id.clone()) {
                    continue;
                }
                let known = indicators.iter().chain(&objectives).copied();
                let help = did_you_mean(id, known).unwrap_or_else(|| {
                    "name an indicator or objective of the rules, `score` or `profiles`".to_string()
                });
                diags.push(
                    Diagnostic::error(
                        "test::expect",
                        format!("there is no indicator or objective `{id}`"),
                    )
                    .at(e.named_at, "expected of an unknown figure")
                    .with_help(help),
                );
            }
            Figure::Profile { table, column, .. } => {
                let columns: Vec<&str> = decls
                    .profile_columns
                    .iter()
                    .filter(|c| c.table.name == *table)
                    .map(|c| c.field.name.name.as_str())
                    .collect();
                if columns.is_empty() {
                    let tables = decls.profile_columns.iter().map(|c| c.table.name.as_str());
                    let help = did_you_mean(table, tables)
                        .unwrap_or_else(|| "name a table that has a `profile` block".to_string());
                    diags.push(
                        Diagnostic::error(
                            "test::expect",
                            format!("the rules profile no table `{table}`"),
                        )
                        .at(e.at, "no profile of this table")
                        .with_help(help),
                    );
                } else if !columns.contains(&column.as_str()) {
                    let help = did_you_mean(column, columns.iter().copied()).unwrap_or_else(|| {
                        format!(
                            "the profile columns of `{table}` are {}",
                            backticked(&columns)
                        )
                    });
                    diags.push(
                        Diagnostic::error(
                            "test::expect",
                            format!("`{column}` is not a profile column of `{table}`"),
                        )
                        .at(e.at, "unknown profile column")
                        .with_help(help),
                    );
                }
            }
            Figure::Overall | Figure::Objective(_) => {}
        }
    }
    diags.error_count() == before
}
