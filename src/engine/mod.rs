//! The scoring pipeline for embedders: checked rules + loaded dataset →
//! report.
//!
//! ```no_run
//! use alumni_kpi::{data::{Dataset, LoadOptions}, engine::{Scoring, ScoreOptions}, rules::RuleSet};
//! use std::path::Path;
//!
//! let (rules, errors) = RuleSet::load_dir(Path::new("rules"));
//! assert!(!errors.has_errors());
//! let data = Dataset::load(Path::new("data/sample"), &LoadOptions::default()).expect("dataset");
//! let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("rules check");
//! println!("{}", scoring.report().score.unwrap_or_default());
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use chrono::{Datelike, NaiveDate};
use indexmap::IndexMap;
use sha2::{Digest, Sha256};

mod assemble;
mod budget;
mod direction;
mod explain;
mod owned;
mod prepare;
mod pushdown;
mod sql;
mod status;
mod title;

pub use budget::Cancel;
use budget::Stop;
pub use owned::{Engine, EngineError};
use prepare::{benchmark, parse_overrides, scorecard_period, undated_tables};

use crate::check::{self, DeclId, Decls};
use crate::data::Dataset;
use crate::data::column::date_of;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::columnar::{Env, Inputs, path_to};
use crate::eval::plan::{self, Plan};
use crate::eval::value::{Col, Strings, Value};
use crate::eval::{Peers, Period};
use crate::report::*;
use crate::rules::RuleSet;
use crate::score::{indicator_score, weighted_mean};
use crate::syntax;
use crate::syntax::ast::{self, ExprKind, field};

/// What an analyst may change for one run.
#[derive(Debug, Clone, Default)]
pub struct ScoreOptions {
    /// Replaces the scorecard's period.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// `--set NAME=VALUE`, as written.
    pub set: Vec<(String, String)>,
    /// Adds the per-indicator trace.
    pub explain: bool,
    /// The periods scored for the trend, this one included (`--periods`;
    /// replaces the scorecard's `trend`; at most [`MAX_PERIODS`]).
    pub periods: Option<usize>,
}

/// The longest trend: more periods than this is a mistake, not a chart.
pub const MAX_PERIODS: usize = 20;

/// What an embedder may change for one report of a compiled rule set,
/// without loading or checking again ([`Scoring::what_if`]).
#[derive(Debug, Clone, Default)]
pub struct WhatIf {
    /// `NAME=VALUE` param values, as `--set` takes them, on top of those
    /// the scoring was made with. The rules are compiled again (not
    /// checked again): params are constants folded into the plan.
    pub set: Vec<(String, String)>,
    /// New weights, by objective or indicator id.
    pub weights: Vec<(String, f64)>,
    /// Another period to score.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// Another number of periods for the trend, this one included.
    pub periods: Option<usize>,
    /// Adds the per-indicator trace (a scoring made with `explain` keeps
    /// it whatever this says).
    pub explain: bool,
    /// Gives the report up (`score::budget`) when it takes longer, from
    /// the call; a service's time limit per request. [`Engine::score`]
    /// honours it and `cancel`; `Scoring::what_if(..).report()` does not.
    pub budget: Option<std::time::Duration>,
    /// Gives the report up (`score::cancelled`) once another thread
    /// cancels the token.
    pub cancel: Option<Cancel>,
}

/// What is compiled once for a rule set and a dataset and shared by every
/// what-if of it.
struct Compiled<'a> {
    decls: Decls<'a>,
    plan: Plan,
    strings: Strings,
    peers: Peers,
    overrides: Vec<(String, Value)>,
    /// The `--set` values as written, to compile again with more.
    set: Vec<(String, String)>,
    /// The checker's output, to compile again without checking again.
    checked: Arc<check::CheckOutput>,
    natives: Vec<crate::native::NativeFunction>,
    /// Warnings found before evaluation that do not depend on the period.
    notes: Vec<Diagnostic>,
    /// The scorecard's `max_segment_values`.
    max_segments: usize,
    /// The rules' part of the revision (their canonical form, hashed once).
    rules_hash: Sha256,
}

/// Objective and indicator weights of one report.
#[derive(Debug, Clone)]
struct Weights {
    indicators: Vec<f64>,
    objectives: Vec<f64>,
}

/// What a what-if weighs anew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Weighed {
    Objective(usize),
    Indicator(usize),
}

/// A rule set compiled against a dataset, ready to score.
pub struct Scoring<'a> {
    rules: &'a RuleSet,
    data: &'a Dataset,
    c: Arc<Compiled<'a>>,
    period: Option<Period>,
    /// The periods of the trend, this one included (1 without a period).
    periods: usize,
    /// The periods asked for (`--periods`), if any.
    periods_asked: Option<usize>,
    explain: bool,
    /// The weights of the rules (their params as set), then `reweighed`.
    weights: Weights,
    /// Weights a what-if changed, in order, each once.
    reweighed: Vec<(Weighed, f64)>,
    /// Warnings to carry into the report.
    notes: Vec<Diagnostic>,
    /// Pushdown: a database's answers in place of the rows.
    pushed: Option<Arc<crate::eval::pushed::Pushed>>,
}

impl<'a> Scoring<'a> {
    /// Checks the rules against the dataset and compiles them.
    pub fn new(
        rules: &'a RuleSet,
        data: &'a Dataset,
        options: &ScoreOptions,
    ) -> Result<Scoring<'a>, Diagnostics> {
        Scoring::with_functions(rules, data, options, &[])
    }

    /// The same, with Rust functions the rules may call.
    pub fn with_functions(
        rules: &'a RuleSet,
        data: &'a Dataset,
        options: &ScoreOptions,
        natives: &[crate::native::NativeFunction],
    ) -> Result<Scoring<'a>, Diagnostics> {
        let schema = data.schema();
        let checked = check::check_with(rules, Some(&schema), natives);
        if checked.diagnostics.has_errors() {
            return Err(checked.diagnostics);
        }
        let c = compile(rules, data, Arc::new(checked), &options.set, natives, None)?;
        let period = match options.period {
            Some((from, to)) => Some((from.num_days_from_ce(), to.num_days_from_ce())),
            None => scorecard_period(&c.decls),
        };
        check_periods(options.periods, period)?;
        Ok(Scoring::assemble(
            rules,
            data,
            Arc::new(c),
            (period, options.periods),
            options.explain,
            Vec::new(),
        ))
    }

    /// A scoring of one compiled rule set: the notes of its period added.
    fn assemble(
        rules: &'a RuleSet,
        data: &'a Dataset,
        c: Arc<Compiled<'a>>,
        (period, periods_asked): (Option<Period>, Option<usize>),
        explain: bool,
        reweighed: Vec<(Weighed, f64)>,
    ) -> Scoring<'a> {
        // The plan's weights (a weight may be a param) with the what-if's.
        let mut weights = Weights {
            indicators: c.plan.indicators.iter().map(|i| i.weight).collect(),
            objectives: c.plan.objective_weights.clone(),
        };
        for &(target, w) in &reweighed {
            match target {
                Weighed::Objective(o) => weights.objectives[o] = w,
                Weighed::Indicator(i) => weights.indicators[i] = w,
            }
        }
        let mut notes = c.notes.clone();
        if !reweighed.is_empty() || !c.set.is_empty() {
            // What the checker said of zero weights (constants only), said
            // again of these (a weight may be a param that was set).
            notes.retain(|d| d.code != "check::zero-weights");
            let per_objective: Vec<Vec<Option<f64>>> = (0..weights.objectives.len())
                .map(|o| {
                    (0..weights.indicators.len())
                        .filter(|&i| c.plan.indicators[i].objective == o)
                        .map(|i| Some(weights.indicators[i]))
                        .collect()
                })
                .collect();
            let objectives: Vec<Option<f64>> =
                weights.objectives.iter().map(|&w| Some(w)).collect();
            notes.extend(check::zero_weights(&c.decls, &per_objective, &objectives));
        }
        if period.is_some() {
            notes.extend(undated_tables(&c.plan, data));
        }
        let written = prepare::scorecard_trend(&c.decls);
        let periods = match (period, periods_asked.or(written.map(|(n, _)| n))) {
            (Some(_), Some(n)) => n,
            (Some(_), None) => 2,
            (None, _) => {
                if let Some((n, span)) = written.filter(|&(n, _)| n > 1) {
                    notes.push(
                        Diagnostic::warning(
                            "score::trend-without-period",
                            format!("`trend = {n}` needs a period: one period was scored, without a trend"),
                        )
                        .fr(format!("`trend = {n}` demande une période : une seule a été calculée, sans tendance"))
                        .at(span, "no period to step back from")
                        .with_help("give the scorecard a `period`, or score with `--period FROM..TO`"),
                    );
                }
                1
            }
        };
        let title = c
            .decls
            .scorecards
            .first()
            .and_then(|(s, _)| s.title.as_ref());
        if let (Some(t), Some((from, to))) = (title, period)
            && let (Some(from), Some(to)) = (date_of(from), date_of(to))
        {
            notes.extend(title::mismatch(&t.value, t.span, from, to));
        }
        Scoring {
            rules,
            data,
            c,
            period,
            periods,
            periods_asked,
            explain,
            weights,
            reweighed,
            notes,
            pushed: None,
        }
    }

    /// The same rules and data with other params, weights or period: the
    /// plan is reused, or compiled again (not checked again) for new
    /// params. An unknown param, a value of the wrong type, an unknown id
    /// or a weight that is negative or not finite is an error.
    pub fn what_if(&self, w: &WhatIf) -> Result<Scoring<'a>, Diagnostics> {
        if self.pushed.is_some()
            && (!w.set.is_empty() || w.period.is_some() || w.periods.is_some() || w.explain)
        {
            // Other params or periods are other questions: the answers
            // given are for these.
            return Err(Diagnostics::from(vec![
                Diagnostic::error(
                    "sql::pushdown",
                    "a what-if of params, period or trend needs the database asked again",
                )
                .fr("un scénario de paramètres, de période ou de tendance demande d'interroger la base à nouveau")
                .with_help("make the scoring with these options and push it down again"),
            ]));
        }
        let c = if w.set.is_empty() {
            self.c.clone()
        } else {
            // A param set again takes its new value (and the revision is
            // that of scoring with it alone).
            let mut set = self.c.set.clone();
            set.retain(|(name, _)| !w.set.iter().any(|(again, _)| again == name));
            set.extend(w.set.iter().cloned());
            Arc::new(compile(
                self.rules,
                self.data,
                self.c.checked.clone(),
                &set,
                &self.c.natives,
                Some(&self.c),
            )?)
        };
        let mut reweighed = self.reweighed.clone();
        let mut errors = Vec::new();
        for (id, weight) in &w.weights {
            if !weight.is_finite() || *weight < 0.0 || *weight > crate::check::MAX_WEIGHT {
                errors.push(Diagnostic::error(
                    "set::weight",
                    format!(
                        "the weight of `{id}` must be a number from 0 to {}, not {weight}",
                        crate::syntax::number(crate::check::MAX_WEIGHT)
                    ),
                ));
                continue;
            }
            let objective = c.decls.objectives.iter().position(|o| o.id.name == *id);
            let indicator = c.plan.indicators.iter().position(|i| i.id == *id);
            let target = match (objective, indicator) {
                (Some(o), None) => Weighed::Objective(o),
                (None, Some(i)) => Weighed::Indicator(i),
                (Some(_), Some(_)) => {
                    errors.push(Diagnostic::error(
                        "set::weight",
                        format!(
                            "`{id}` is both an objective and an indicator: rename one to weigh it"
                        ),
                    ));
                    continue;
                }
                (None, None) => {
                    let known = c
                        .decls
                        .objectives
                        .iter()
                        .map(|o| o.id.name.as_str())
                        .chain(c.plan.indicators.iter().map(|i| i.id.as_str()));
                    let d = Diagnostic::error(
                        "set::weight",
                        format!("there is no objective or indicator `{id}` to weigh"),
                    );
                    errors.push(d.with_help_opt(crate::check::suggest::did_you_mean(id, known)));
                    continue;
                }
            };
            // Weighed again: the new weight, once; in a stable order, so
            // that the revision does not depend on the order asked.
            reweighed.retain(|(t, _)| *t != target);
            reweighed.push((target, *weight));
        }
        reweighed.sort_by_key(|(t, _)| *t);
        if let Some((from, to)) = w.period
            && from > to
        {
            errors.push(Diagnostic::error(
                "set::period",
                format!("the period ends ({to}) before it starts ({from})"),
            ));
        }
        if !errors.is_empty() {
            return Err(Diagnostics(errors));
        }
        let period = match w.period {
            Some((from, to)) => Some((from.num_days_from_ce(), to.num_days_from_ce())),
            None => self.period,
        };
        let periods = w.periods.or(self.periods_asked);
        check_periods(periods, period)?;
        let mut scoring = Scoring::assemble(
            self.rules,
            self.data,
            c,
            (period, periods),
            w.explain || self.explain,
            reweighed,
        );
        // New weights only: the same questions, the same answers.
        scoring.pushed = self.pushed.clone();
        Ok(scoring)
    }

    /// The scorecard's population table (whose rows the profiles
    /// describe), if it names one.
    pub fn population(&self) -> Option<&str> {
        let table = self.c.plan.population?;
        self.data
            .tables
            .get_index(table)
            .map(|(name, _)| name.as_str())
    }

    /// The warnings found before evaluation (checker, dataset, plan): what
    /// `kpi check --data` prints, and the report carries.
    pub fn notes(&self) -> &[Diagnostic] {
        &self.notes
    }

    fn inputs(&self) -> Inputs<'_> {
        Inputs::new(
            &self.c.plan,
            self.data,
            &self.c.strings,
            &self.c.peers,
            &self.rules.sources,
        )
        .with_pushed(self.pushed.as_deref())
    }

    /// The population's profile columns, one row per person, as CSV.
    pub fn profiles_csv(&self) -> String {
        crate::eval::on_pool(|| self.profiles_csv_here())
    }

    fn profiles_csv_here(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let safe = |cells: Vec<String>| -> Vec<String> {
            cells
                .iter()
                .map(|c| crate::report::safe_cell(c).into_owned())
                .collect()
        };
        if let Some((names, columns, rows)) = self.profile_table() {
            let _ = w.write_record(safe(names));
            for &r in &rows {
                let _ = w.write_record(safe(
                    columns
                        .iter()
                        .map(|c| self.cell_text(&c.get(r as usize)))
                        .collect(),
                ));
            }
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The population's profile columns, one column per name (the key
    /// first), each value typed as in the report's JSON (numbers, text,
    /// yes/no, null): for a DataFrame, with nothing to guess.
    pub fn profiles_columns(&self) -> Vec<(String, Vec<serde_json::Value>)> {
        crate::eval::on_pool(|| {
            let Some((names, columns, rows)) = self.profile_table() else {
                return Vec::new();
            };
            self.json_columns(names, columns, &rows)
        })
    }

    /// Named columns as JSON values, at the rows exported.
    fn json_columns(
        &self,
        names: Vec<String>,
        columns: Vec<Arc<Col>>,
        rows: &[u32],
    ) -> Vec<(String, Vec<serde_json::Value>)> {
        names
            .into_iter()
            .zip(columns)
            .map(|(name, c)| {
                let values = rows.iter().map(|&r| self.json_value(&c.get(r as usize)));
                (name, values.collect())
            })
            .collect()
    }

    /// The population's key column, then its profile columns: their names,
    /// the columns, and the rows to export (`None` without a population).
    fn profile_table(&self) -> Option<ProfileTable> {
        self.profile_table_of(self.c.plan.population?)
    }

    /// A table's key column (if it has one), then its profile columns:
    /// their names, the columns, and the rows to export: those that count
    /// in the period. An alumnus recorded after the period's end is no
    /// alumnus of that period: exporting his row would list him with
    /// figures (`of_record` true) that no indicator counted.
    fn profile_table_of(&self, t: usize) -> Option<ProfileTable> {
        // Under pushdown the rows stay in the database: no profile rows
        // (not rows computed from tables that were not read).
        if self.pushed.is_some() {
            return None;
        }
        let inputs = self.inputs();
        let env = Env::new(&inputs, self.period, None);
        let table = self.data.tables.get_index(t)?.1;
        let ids: Vec<usize> = (0..self.c.plan.profiles.len())
            .filter(|&p| self.c.plan.profiles[p].table == t)
            .collect();
        let mut names = Vec::new();
        let mut columns = Vec::new();
        if let Some(k) = table.key {
            let all: Vec<u32> = (0..table.len as u32).collect();
            names.push(table.columns[k].name.clone());
            columns.push(Arc::new(crate::eval::columnar::gather(
                &table.columns[k].data,
                &all,
            )));
        }
        for &p in &ids {
            names.push(self.c.plan.profiles[p].name.clone());
            columns.push(env.profile(p));
        }
        Some((names, columns, env.rows_in_period(t)))
    }

    /// The profile columns of any table, for looking rows up by key: `None`
    /// when the dataset has no such table.
    pub fn profile_rows(&self, table: &str) -> Option<ProfileRows> {
        let t = self.data.tables.get_index_of(table)?;
        let has_key = self.data.tables[t].key.is_some();
        crate::eval::on_pool(|| {
            let (mut names, mut columns, rows) = self.profile_table_of(t)?;
            let keys = has_key.then(|| {
                names.remove(0);
                let key = columns.remove(0);
                rows.iter()
                    .map(|&r| self.cell_text(&key.get(r as usize)))
                    .collect()
            });
            Some(ProfileRows {
                keys,
                columns: self.json_columns(names, columns, &rows),
            })
        })
    }

    /// Runs the reference evaluator over everything the report shows
    /// (declarations, targets, scores, profile columns; overall and per
    /// segment) and lists where the columnar evaluator disagrees.
    pub fn differences_from_reference(&self) -> Vec<String> {
        crate::eval::on_pool(|| self.differences_here())
    }

    fn differences_here(&self) -> Vec<String> {
        let inputs = self.inputs();
        let mut out = Vec::new();
        let mut contexts: Vec<(String, Option<(plan::SegmentSource, Value)>)> =
            vec![("overall".into(), None)];
        let base = Arc::new(Env::new(&inputs, self.period, None));
        for (name, source) in &self.c.plan.segments {
            for (label, v) in self.segment_values(&base, *source) {
                contexts.push((format!("{name}={label}"), Some((*source, v))));
            }
        }
        for (label, segment) in contexts {
            // Segments take the fast path the report takes: aggregates
            // reduced per segment from the plain environment.
            let env = match &segment {
                Some(s) => Env::segmented(&base, s.clone()),
                None => Env::new(&inputs, self.period, None),
            };
            let reference = crate::eval::reference::Reference {
                input: &inputs,
                period: self.period,
                segment,
                members_period: self.period,
            };
            self.compare(&label, &env, &reference, &mut out);
            if label == "overall" {
                for (p, profile) in self.c.plan.profiles.iter().enumerate() {
                    let col = env.profile(p);
                    for r in 0..self.data.tables[profile.table].len {
                        let (fast, slow) = (col.get(r), reference.profile(p, r as u32));
                        if fast != slow {
                            out.push(format!(
                                "profile {} row {r}: columnar {fast:?}, reference {slow:?}",
                                profile.name
                            ));
                        }
                    }
                }
            }
        }
        // The earlier periods of the trend, each as the report reaches it.
        for prior in self.earlier_envs(&base) {
            let reference = crate::eval::reference::Reference {
                input: &inputs,
                period: prior.period(),
                segment: None,
                members_period: prior.period(),
            };
            let label = format!("period {:?}", prior.period());
            self.compare(&label, &prior, &reference, &mut out);
            // Its segments, members as they were then, after this
            // period's: a segment of this period looks back through the
            // same plain environment, whose caches the two share.
            for (name, source) in &self.c.plan.segments {
                for (value_label, v) in self.segment_values(&prior, *source) {
                    let env = Env::segmented(&prior, (*source, v.clone()));
                    let reference = crate::eval::reference::Reference {
                        input: &inputs,
                        period: prior.period(),
                        segment: Some((*source, v)),
                        members_period: prior.period(),
                    };
                    let label = format!("{label} {name}={value_label}");
                    self.compare(&label, &env, &reference, &mut out);
                }
            }
        }
        out
    }

    /// Where the two evaluators disagree on a declaration, target or score
    /// in one context.
    fn compare(
        &self,
        label: &str,
        env: &Env<'_>,
        reference: &crate::eval::reference::Reference<'_>,
        out: &mut Vec<String>,
    ) {
        let mut ids: Vec<DeclId> = self.c.plan.decls.keys().copied().collect();
        ids.sort();
        for id in ids {
            let (fast, slow) = (env.decl(id), reference.decl(id));
            if fast != slow {
                out.push(format!(
                    "{label}: {id:?}: columnar {fast:?}, reference {slow:?}"
                ));
            }
        }
        for (i, ind) in self.c.plan.indicators.iter().enumerate() {
            let (fast, slow) = (env.target(i), reference.target(i));
            if fast != slow {
                out.push(format!(
                    "{label}: target of {}: columnar {fast:?}, reference {slow:?}",
                    ind.id
                ));
            }
            if let Some(s) = ind.score {
                let (fast, slow) = (env.scalar(s), reference.scalar(s));
                if fast != slow {
                    out.push(format!(
                        "{label}: score of {}: columnar {fast:?}, reference {slow:?}",
                        ind.id
                    ));
                }
            }
        }
    }

    /// The value of a param, let or indicator, as JSON.
    pub fn value(&self, name: &str) -> Option<serde_json::Value> {
        let &id = self.c.decls.names.get(name)?;
        let inputs = self.inputs();
        let env = Env::new(&inputs, self.period, None);
        Some(self.json_value(&env.decl(id)))
    }

    fn cell_text(&self, v: &Value) -> String {
        if v.is_null() {
            String::new()
        } else {
            self.label(v)
        }
    }
}

/// Column names, the columns, and the rows to export.
type ProfileTable = (Vec<String>, Vec<Arc<Col>>, Vec<u32>);

/// A table's profile columns, row by row ([`Scoring::profile_rows`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRows {
    /// Each row's key as text (`None`: the table has no key column).
    pub keys: Option<Vec<String>>,
    /// Each profile column: its name and its values as in the report's
    /// JSON.
    pub columns: Vec<(String, Vec<serde_json::Value>)>,
}

/// `--periods`: from 1 to [`MAX_PERIODS`], and more than 1 only with a
/// period to step back from.
fn check_periods(periods: Option<usize>, period: Option<Period>) -> Result<(), Diagnostics> {
    let error = |message: String, help: &str| {
        Err(Diagnostics(vec![
            Diagnostic::error("set::periods", message).with_help(help),
        ]))
    };
    match periods {
        Some(n) if n == 0 || n > MAX_PERIODS => error(
            format!(
                "--periods is the number of periods of the trend, from 1 to {MAX_PERIODS}, not {n}"
            ),
            "`--periods 3` scores this period and the two before it",
        ),
        Some(n) if n > 1 && period.is_none() => error(
            format!("--periods {n} needs a period to step back from, and none is scored"),
            "give the scorecard a `period`, or score with `--period FROM..TO`",
        ),
        _ => Ok(()),
    }
}

/// Compiles checked rules against a dataset with `--set` values.
fn compile<'a>(
    rules: &'a RuleSet,
    data: &'a Dataset,
    checked: Arc<check::CheckOutput>,
    set: &[(String, String)],
    natives: &[crate::native::NativeFunction],
    previous: Option<&Compiled<'_>>,
) -> Result<Compiled<'a>, Diagnostics> {
    let mut ignored = Diagnostics::new();
    let decls = check::collect(rules, &mut ignored);
    let strings = Strings::new(data.pool.clone());
    let overrides = parse_overrides(&decls, &checked.types, &strings, set)?;
    let override_map: HashMap<String, Value> = overrides.iter().cloned().collect();
    let mut plan = plan::compile(
        rules,
        &decls,
        data,
        &strings,
        &override_map,
        natives,
        &checked.expected,
    );
    let mut errors = prepare::undated_priors(&plan, data);
    // A weight that is not a constant would weigh 0: not a figure to show.
    errors.extend(plan.diagnostics.iter().filter(|d| d.is_error()).cloned());
    let max_segments = prepare::max_segment_values(&decls);
    errors.extend(prepare::too_many_segments(
        &plan,
        data,
        &decls,
        max_segments,
    ));
    if errors.has_errors() {
        return Err(errors);
    }
    let mut notes: Vec<Diagnostic> = checked.diagnostics.0.clone();
    notes.extend(data.warnings.0.iter().cloned());
    notes.extend(plan.diagnostics.iter().cloned());
    // Compiling again (a what-if): the benchmark as first read, not read
    // again from a file that may have changed since, and the same rules.
    let (mut peers, rules_hash) = match previous {
        Some(p) => (p.peers.clone(), p.rules_hash.clone()),
        None => (read_peers(&decls, data)?, rules_hash(rules)),
    };
    peers.min = prepare::min_peers(&decls);
    let syntax: Vec<&ast::Indicator> = decls.indicators.iter().map(|r| r.indicator).collect();
    for (i, lower) in direction::lower_is_better(&plan, &syntax, &strings, &peers)
        .into_iter()
        .enumerate()
    {
        plan.indicators[i].lower_is_better = lower;
    }
    Ok(Compiled {
        decls,
        plan,
        strings,
        peers,
        overrides,
        set: set.to_vec(),
        checked,
        natives: natives.to_vec(),
        notes,
        max_segments,
        rules_hash,
    })
}

/// The rules' canonical form (whatever their format, files and comments)
/// and plugins, hashed: the start of every revision of them.
fn rules_hash(rules: &RuleSet) -> Sha256 {
    let mut h = Sha256::new();
    for item in prepare::canonical_rules(rules) {
        h.update(item.as_bytes());
        h.update([0]);
    }
    h
}

/// The scorecard's benchmark file, read from inside the dataset directory.
fn read_peers(decls: &Decls<'_>, data: &Dataset) -> Result<Peers, Diagnostics> {
    Ok(match benchmark(decls) {
        Some((written, span)) => match crate::files::confined(&data.dir, &written) {
            Ok(path) => Peers::load(&path)?,
            Err(e) => {
                return Err(Diagnostics(vec![
                    Diagnostic::error(
                        "data::benchmark",
                        format!("the benchmark file: {}", e.message),
                    )
                    .at(span, "the benchmark file")
                    .with_help(e.help.unwrap_or_else(|| {
                        format!(
                            "the benchmark is a file of the dataset directory `{}`, named relative to it",
                            data.dir.display()
                        )
                    })),
                ]));
            }
        },
        None => Peers::default(),
    })
}
