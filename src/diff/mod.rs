//! Two reports compared (`kpi diff`): what moved, and why.
//!
//! Each indicator's `contribution` is its share of the change of the
//! overall score. The overall score is the weighted mean of the objectives
//! scored, each the weighted mean of its indicators scored, so it is
//! `Σ W × score` over the indicators scored, with
//!
//! ```text
//! W = (objective weight / Σ weights of the objectives scored)
//!   × (indicator weight / Σ weights of its objective's indicators scored)
//! ```
//!
//! and `contribution = W_new × score_new − W_old × score_old` (a side
//! without a score, or without the indicator, counts 0). The contributions
//! add up to the overall change (the reports' rounding to 9 decimals
//! carried by the largest): whatever moved (a weight, a target, an
//! indicator added or removed, an indicator that lost its data and so
//! changed every other one's share), it is in some indicator's term.

mod render;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::report::{IndicatorReport, Report};

/// The version of the diff's JSON layout.
pub const DIFF_FORMAT: &str = "alumni-kpi/diff@1";

/// Two reports compared: `alumni-kpi/diff@1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diff {
    /// [`DIFF_FORMAT`].
    pub format: String,
    /// The two scorecards' titles.
    pub scorecard: Sides<String>,
    /// The two periods scored (`FROM..TO`), null without one.
    pub period: Sides<Option<String>>,
    /// The overall score.
    pub score: Moved,
    /// Each objective of either report, the new report's order first.
    pub objectives: Vec<ObjectiveMove>,
    /// Each indicator of either report, the new report's order first.
    pub indicators: Vec<IndicatorMove>,
    /// What changed in the rules, as far as the reports tell.
    pub rules: RuleChanges,
    /// The params whose value changed (null on the side without it).
    pub params: Vec<ParamChange>,
    /// The population rows whose profile columns changed (`kpi diff
    /// --rules OLD --rules NEW`: both rule sets on the same data).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub profiles: Option<ProfileChanges>,
}

/// A value on each side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sides<T> {
    /// The old report's.
    pub old: T,
    /// The new report's.
    pub new: T,
}

/// A score on each side and its change (null where either is null).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    /// The old score.
    pub old: Option<f64>,
    /// The new score.
    pub new: Option<f64>,
    /// `new − old`.
    pub change: Option<f64>,
}

impl Moved {
    fn of(old: Option<f64>, new: Option<f64>) -> Moved {
        Moved {
            old,
            new,
            change: old.zip(new).map(|(o, n)| n - o),
        }
    }
}

/// One objective's scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveMove {
    /// Its id.
    pub id: String,
    /// Its title (the new report's, else the old one's).
    pub title: Option<String>,
    /// The old score.
    pub old: Option<f64>,
    /// The new score.
    pub new: Option<f64>,
    /// `new − old`.
    pub change: Option<f64>,
}

/// One indicator's figures on each side, and its share of the overall change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorMove {
    /// Its id.
    pub id: String,
    /// Its title (the new report's, else the old one's).
    pub title: Option<String>,
    /// Its objective (the new report's, else the old one's).
    pub objective: String,
    /// The old report's figures (null when it had no such indicator).
    pub old: Option<Side>,
    /// The new report's figures.
    pub new: Option<Side>,
    /// `W_new × score_new − W_old × score_old`: points of the overall change.
    pub contribution: f64,
}

/// An indicator's figures in one report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Side {
    /// Its value.
    pub value: Option<f64>,
    /// Its score.
    pub score: Option<f64>,
    /// Its weight in its objective.
    pub weight: f64,
    /// Its weight in the overall score (`W`; 0 when it was not scored).
    pub share: f64,
}

/// The rules' changes the two reports show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleChanges {
    /// Objectives and indicators only in the new report.
    pub added: Vec<String>,
    /// Objectives and indicators only in the old report.
    pub removed: Vec<String>,
    /// Fields that differ, one entry each.
    pub changed: Vec<FieldChange>,
}

/// One field of an objective or indicator that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// The objective or indicator.
    pub id: String,
    /// `weight`, `title`, `objective`, `value`, `target`, `score` or `unit`.
    pub field: String,
    /// As the old report has it.
    pub old: serde_json::Value,
    /// As the new report has it.
    pub new: serde_json::Value,
}

/// A param whose value differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamChange {
    /// Its name.
    pub name: String,
    /// Its old value (null when the old rules had no such param).
    pub old: serde_json::Value,
    /// Its new value.
    pub new: serde_json::Value,
}

/// The population rows whose profile columns differ between two rule sets
/// scored on the same data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileChanges {
    /// The population table.
    pub table: String,
    /// The population's rows.
    pub rows: usize,
    /// Each profile column of both rule sets.
    pub columns: Vec<ProfileColumnChange>,
    /// Profile columns only the new rules have.
    pub added: Vec<String>,
    /// Profile columns only the old rules have.
    pub removed: Vec<String>,
}

/// One profile column's changed rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileColumnChange {
    /// The column.
    pub name: String,
    /// Rows whose value differs.
    pub changed: usize,
    /// How many rows went from each old value to each new one, most first.
    pub transitions: Vec<Transition>,
}

/// Rows that went from one value to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// The old value.
    pub from: serde_json::Value,
    /// The new value.
    pub to: serde_json::Value,
    /// Rows.
    pub count: usize,
}

impl Diff {
    /// Compares two reports.
    pub fn new(old: &Report, new: &Report) -> Diff {
        let (w_old, w_new) = (shares(old), shares(new));
        let mut objectives = Vec::new();
        for o in &new.objectives {
            let before = old.objectives.iter().find(|x| x.id == o.id);
            let m = Moved::of(before.and_then(|b| b.score), o.score);
            objectives.push(ObjectiveMove {
                id: o.id.clone(),
                title: o
                    .title
                    .clone()
                    .or_else(|| before.and_then(|b| b.title.clone())),
                old: m.old,
                new: m.new,
                change: m.change,
            });
        }
        for o in &old.objectives {
            if !new.objectives.iter().any(|x| x.id == o.id) {
                objectives.push(ObjectiveMove {
                    id: o.id.clone(),
                    title: o.title.clone(),
                    old: o.score,
                    new: None,
                    change: None,
                });
            }
        }

        let old_ind = indicators(old);
        let new_ind = indicators(new);
        let side = |i: &IndicatorReport, shares: &IndexMap<String, f64>| Side {
            value: i.value,
            score: i.score,
            weight: i.weight,
            share: shares.get(&i.id).copied().unwrap_or(0.0),
        };
        let mut ids: Vec<&str> = new_ind.keys().map(String::as_str).collect();
        ids.extend(
            old_ind
                .keys()
                .map(String::as_str)
                .filter(|id| !new_ind.contains_key(*id)),
        );
        let mut moves = Vec::new();
        for id in ids {
            let before = old_ind.get(id);
            let after = new_ind.get(id);
            let old_side = before.map(|(_, i)| side(i, &w_old));
            let new_side = after.map(|(_, i)| side(i, &w_new));
            let term = |s: Option<Side>| s.map_or(0.0, |s| s.share * s.score.unwrap_or(0.0));
            // Every id listed is of one report or the other.
            let Some((objective, i)) = after.or(before) else {
                continue;
            };
            moves.push(IndicatorMove {
                id: id.to_string(),
                title: i.title.clone(),
                objective: objective.clone(),
                old: old_side,
                new: new_side,
                contribution: term(new_side) - term(old_side),
            });
        }

        carry_rounding(&mut moves, old.score, new.score);
        Diff {
            format: DIFF_FORMAT.into(),
            scorecard: Sides {
                old: old.scorecard.clone(),
                new: new.scorecard.clone(),
            },
            period: Sides {
                old: old.period.as_ref().map(|p| format!("{}..{}", p.from, p.to)),
                new: new.period.as_ref().map(|p| format!("{}..{}", p.from, p.to)),
            },
            score: Moved::of(old.score, new.score),
            objectives,
            indicators: moves,
            rules: rule_changes(old, new),
            params: param_changes(old, new),
            profiles: None,
        }
    }

    /// The indicators that moved the overall score by 0.05 points or more
    /// (what a report shows, to one decimal), most first.
    pub fn movers(&self) -> Vec<&IndicatorMove> {
        let mut m: Vec<&IndicatorMove> = self
            .indicators
            .iter()
            .filter(|i| i.contribution.abs() >= 0.05)
            .collect();
        m.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        m
    }

    /// The diff in a format: `text`, `md` or `json`.
    pub fn render(&self, format: DiffFormat, lang: crate::report::Lang) -> String {
        match format {
            DiffFormat::Json => serde_json::to_string_pretty(self).unwrap_or_default() + "\n",
            DiffFormat::Text => render::text(self, lang),
            DiffFormat::Md => render::markdown(self, lang),
        }
    }
}

/// The report's current period against its previous one (the last two
/// entries of its trend), as a diff of the same rules: what helped and what
/// hurt the overall score. `None` without a trend.
pub fn against_previous(report: &Report) -> Option<Diff> {
    let mut previous = report.clone();
    previous.score = crate::report::previous_score(&report.trend)?;
    for o in &mut previous.objectives {
        o.score = crate::report::previous_score(&o.trend).unwrap_or(None);
        for i in &mut o.indicators {
            let p = i.previous.unwrap_or(crate::report::Change {
                value: None,
                score: None,
            });
            i.value = p.value;
            i.score = p.score;
        }
    }
    Some(Diff::new(&previous, report))
}

/// How a diff is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum DiffFormat {
    /// For the terminal.
    #[default]
    Text,
    /// Markdown tables.
    Md,
    /// `alumni-kpi/diff@1`.
    Json,
}

/// Reports give scores to 9 decimals, the overall score rounded on its
/// own: the terms differ from the overall change by that rounding (at most
/// a few 1e-9 points). The largest contribution carries the remainder, so
/// that the contributions add up to the change as the reports show it. A
/// larger gap (a report edited by hand) is left as it is.
fn carry_rounding(moves: &mut [IndicatorMove], old: Option<f64>, new: Option<f64>) {
    let change = new.unwrap_or(0.0) - old.unwrap_or(0.0);
    let sum: f64 = moves.iter().map(|m| m.contribution).sum();
    let rest = change - sum;
    if rest == 0.0 || rest.abs() > 1e-7 {
        return;
    }
    if let Some(largest) = moves
        .iter_mut()
        .max_by(|a, b| a.contribution.abs().total_cmp(&b.contribution.abs()))
    {
        largest.contribution += rest;
    }
}

/// Each indicator's id → (its objective, itself).
fn indicators(report: &Report) -> IndexMap<String, (String, &IndicatorReport)> {
    report
        .objectives
        .iter()
        .flat_map(|o| {
            o.indicators
                .iter()
                .map(move |i| (i.id.clone(), (o.id.clone(), i)))
        })
        .collect()
}

/// Each indicator's weight in the overall score (`W`), over what was
/// scored: the objectives with a score, and in each the indicators with
/// one. A report without an overall score weighs nothing.
pub fn shares(report: &Report) -> IndexMap<String, f64> {
    let mut out = IndexMap::new();
    let scored_objectives: f64 = report
        .objectives
        .iter()
        .filter(|o| o.score.is_some())
        .map(|o| o.weight)
        .sum();
    for o in &report.objectives {
        let scored: f64 = o
            .indicators
            .iter()
            .filter(|i| i.score.is_some())
            .map(|i| i.weight)
            .sum();
        for i in &o.indicators {
            let share = if report.score.is_some()
                && o.score.is_some()
                && i.score.is_some()
                && scored_objectives > 0.0
                && scored > 0.0
            {
                (o.weight / scored_objectives) * (i.weight / scored)
            } else {
                0.0
            };
            out.insert(i.id.clone(), share);
        }
    }
    out
}

fn rule_changes(old: &Report, new: &Report) -> RuleChanges {
    let mut changes = RuleChanges::default();
    for o in &new.objectives {
        match old.objectives.iter().find(|x| x.id == o.id) {
            None => changes.added.push(o.id.clone()),
            Some(before) => {
                let mut field = |name: &str, a: serde_json::Value, b: serde_json::Value| {
                    if a != b {
                        changes.changed.push(FieldChange {
                            id: o.id.clone(),
                            field: name.into(),
                            old: a,
                            new: b,
                        });
                    }
                };
                field("weight", json(&before.weight), json(&o.weight));
                field("title", json(&before.title), json(&o.title));
            }
        }
    }
    let (old_ind, new_ind) = (indicators(old), indicators(new));
    for (id, (objective, i)) in &new_ind {
        match old_ind.get(id) {
            None => changes.added.push(id.clone()),
            Some((was_in, before)) => {
                let mut field = |name: &str, a: serde_json::Value, b: serde_json::Value| {
                    if a != b {
                        changes.changed.push(FieldChange {
                            id: id.clone(),
                            field: name.into(),
                            old: a,
                            new: b,
                        });
                    }
                };
                field("objective", json(was_in), json(objective));
                field("value", json(&before.formula.value), json(&i.formula.value));
                field(
                    "target",
                    json(&before.formula.target),
                    json(&i.formula.target),
                );
                field("score", json(&before.formula.score), json(&i.formula.score));
                field("weight", json(&before.weight), json(&i.weight));
                field("title", json(&before.title), json(&i.title));
                field("unit", json(&before.unit), json(&i.unit));
            }
        }
    }
    for o in &old.objectives {
        if !new.objectives.iter().any(|x| x.id == o.id) {
            changes.removed.push(o.id.clone());
        }
    }
    for id in old_ind.keys() {
        if !new_ind.contains_key(id) {
            changes.removed.push(id.clone());
        }
    }
    changes
}

fn param_changes(old: &Report, new: &Report) -> Vec<ParamChange> {
    let mut out = Vec::new();
    for (name, v) in &new.params {
        let before = old.params.get(name).cloned().unwrap_or_default();
        if before != *v {
            out.push(ParamChange {
                name: name.clone(),
                old: before,
                new: v.clone(),
            });
        }
    }
    for (name, v) in &old.params {
        if !new.params.contains_key(name) {
            out.push(ParamChange {
                name: name.clone(),
                old: v.clone(),
                new: serde_json::Value::Null,
            });
        }
    }
    out
}

/// A field's value as JSON (plain data: it cannot fail).
fn json<T: Serialize + ?Sized>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Compares two profile tables of the same population, as
/// `Scoring::profiles_columns` gives them (the key column first when the
/// population has one, `keyed`): the changed rows per column, and those
/// rows as `key, column, old, new` (for an export; the key is the row's
/// number, from 1, without a key column).
pub fn profile_changes(
    table: &str,
    keyed: bool,
    old: &[(String, Vec<serde_json::Value>)],
    new: &[(String, Vec<serde_json::Value>)],
) -> (ProfileChanges, Vec<[serde_json::Value; 4]>) {
    let skip = usize::from(keyed);
    let rows = new.first().map_or(0, |(_, c)| c.len());
    let keys = if keyed {
        new.first().map(|(_, c)| c.as_slice()).unwrap_or_default()
    } else {
        &[]
    };
    let mut columns = Vec::new();
    let mut changed_rows = Vec::new();
    let profile = |t: &[(String, Vec<serde_json::Value>)]| -> Vec<String> {
        t.iter().skip(skip).map(|(n, _)| n.clone()).collect()
    };
    let (old_names, new_names) = (profile(old), profile(new));
    for (name, after) in new.iter().skip(skip) {
        let Some((_, before)) = old.iter().skip(skip).find(|(n, _)| n == name) else {
            continue;
        };
        let mut counts: IndexMap<(String, String), (serde_json::Value, serde_json::Value, usize)> =
            IndexMap::new();
        let mut changed = 0;
        for (r, (a, b)) in before.iter().zip(after).enumerate() {
            if a == b {
                continue;
            }
            changed += 1;
            let entry =
                counts
                    .entry((a.to_string(), b.to_string()))
                    .or_insert((a.clone(), b.clone(), 0));
            entry.2 += 1;
            let key = keys
                .get(r)
                .cloned()
                .unwrap_or(serde_json::Value::from(r + 1));
            changed_rows.push([key, name.clone().into(), a.clone(), b.clone()]);
        }
        let mut transitions: Vec<Transition> = counts
            .into_values()
            .map(|(from, to, count)| Transition { from, to, count })
            .collect();
        transitions.sort_by_key(|t| std::cmp::Reverse(t.count));
        columns.push(ProfileColumnChange {
            name: name.clone(),
            changed,
            transitions,
        });
    }
    let changes = ProfileChanges {
        table: table.to_string(),
        rows,
        columns,
        added: new_names
            .iter()
            .filter(|n| !old_names.contains(n))
            .cloned()
            .collect(),
        removed: old_names
            .iter()
            .filter(|n| !new_names.contains(n))
            .cloned()
            .collect(),
    };
    (changes, changed_rows)
}
