//! The columnar evaluator: a plan node at a time over whole columns.
//!
//! `where` filters become selection vectors (row indexes); parent columns
//! and correlated aggregates follow relation indexes computed at load;
//! aggregates, profile columns and declarations are computed once per
//! environment and cached. An environment is shared by the threads of a
//! run (indicators are evaluated in parallel); its caches compute each
//! entry once (`cache.rs`). A segment's environment takes the aggregates it
//! can from the unsegmented one, reduced per segment value (`groups.rs`,
//! `reduce.rs`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use super::cache::{OnceMap, lock};
use super::groups::{Combinations, SegmentGroups};
use super::plan::{AggFn, Node, NodeId, Plan, ScalarFn, SegmentSource, Step};
use super::pushed::{Asked, Place, Pushed};
use super::reduce::{Groups, Partial, reduce};
use super::value::{Col, Strings, Value};
use super::{Peers, Period};
use super::{ops, script};
use crate::check::DeclId;
use crate::data::column::*;
use crate::data::{ColumnData, Dataset};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{BinaryOp, UnaryOp};

/// What the evaluator reads.
pub struct Inputs<'a> {
    pub plan: &'a Plan,
    pub data: &'a Dataset,
    pub strings: &'a Strings,
    pub peers: &'a Peers,
    /// The rule files and plugins, to place script errors.
    pub sources: &'a crate::source::SourceMap,
    /// Problems met while evaluating (unsupported constructs, failed
    /// scripts), shared by every environment of a run.
    problems: Mutex<Vec<Diagnostic>>,
    /// Nodes that failed: they are not run again (in another segment, say),
    /// and what reads them is marked failed.
    failed: Mutex<HashSet<NodeId>>,
    /// Plugin calls that returned a value of another type than their
    /// place needs: (needed, returned), in words.
    wrong_types: Mutex<HashMap<NodeId, (String, String)>>,
    /// What the scripts of this scoring have spent, together.
    script_budget: script::Budget,
    /// Profile columns per period: they do not depend on the segment, so
    /// every environment of a period shares them.
    profiles: OnceMap<ProfileKey, Arc<Col>>,
    /// Plugin results by arguments: scripts are pure functions of their
    /// arguments, so a value computed once is reused (across rows with the
    /// same arguments, and across segments).
    memo: Mutex<HashMap<MemoKey, Value>>,
    /// Segment columns numbered by value, per period of membership (none
    /// for a list column).
    groups: OnceMap<Membership, Option<Arc<SegmentGroups>>>,
    /// The segment group of every row of a table (through its relation
    /// path to the population), per segment column and membership.
    row_groups: OnceMap<(usize, RowNumbering), Rows>,
    /// Every groupable segment column numbered together, per membership
    /// period (none when they cannot be).
    combinations: OnceMap<Option<Period>, Option<Arc<Combinations>>>,
    /// Pushdown: the database's aggregates, row counts and segments, in
    /// place of the dataset's rows (which are then not loaded).
    pushed: Option<&'a Pushed>,
}

/// A numbering of rows in a membership period.
type RowNumbering = (Numbering, Option<Period>);

/// How a table's rows are numbered for segments: by one column's groups,
/// or by combinations of all columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Numbering {
    Column(SegmentSource),
    Combined,
}

/// Whether a population row whose segment column holds `cell` belongs to
/// the segment of `value`: equal, or for a list column, one of its
/// elements.
pub fn in_segment(cell: &Value, value: &Value) -> bool {
    match (cell, value) {
        (Value::List(items), Value::Str(id)) => items.contains(id),
        _ => cell == value,
    }
}

/// A profile column in a period.
type ProfileKey = (usize, Option<Period>);
/// A segment column with membership decided in a period.
type Membership = (SegmentSource, Option<Period>);
/// A plugin call: the node and its arguments' keys.
type MemoKey = (NodeId, Vec<(u8, u64)>);

/// Plugin results kept at most (the memo is cleared past this).
const MEMO_LIMIT: usize = 200_000;

impl<'a> Inputs<'a> {
    pub fn new(
        plan: &'a Plan,
        data: &'a Dataset,
        strings: &'a Strings,
        peers: &'a Peers,
        sources: &'a crate::source::SourceMap,
    ) -> Inputs<'a> {
        Inputs {
            plan,
            data,
            strings,
            peers,
            sources,
            problems: Mutex::default(),
            failed: Mutex::default(),
            wrong_types: Mutex::default(),
            script_budget: script::Budget::default(),
            profiles: OnceMap::default(),
            memo: Mutex::default(),
            groups: OnceMap::default(),
            row_groups: OnceMap::default(),
            combinations: OnceMap::default(),
            pushed: None,
        }
    }

    /// Reads aggregates, row counts and segments from a database's
    /// answers instead of the dataset's rows.
    pub fn with_pushed(mut self, pushed: Option<&'a Pushed>) -> Inputs<'a> {
        self.pushed = pushed;
        self
    }

    /// The problems met so far, in source order (threads meet them in any
    /// order; a report must not change from one run to the next).
    pub fn problems(&self) -> Vec<Diagnostic> {
        let mut problems = lock(&self.problems).clone();
        problems.sort_by_cached_key(|d| {
            let at = d
                .primary
                .as_ref()
                .map(|l| (l.span.file, l.span.start, l.span.end));
            (at, d.code, d.message.clone())
        });
        problems
    }

    /// Whether a script node failed.
    pub fn has_failed(&self, node: NodeId) -> bool {
        lock(&self.failed).contains(&node)
    }

    /// What a plugin call that failed for its result's type needed and
    /// returned (`a number`, `text`).
    pub fn wrong_type(&self, node: NodeId) -> Option<(String, String)> {
        lock(&self.wrong_types).get(&node).cloned()
    }
}

/// Where a node is evaluated: the rows of a table, or one scalar.
#[derive(Clone, Copy)]
struct At<'r> {
    table: Option<usize>,
    rows: &'r [u32],
    /// Restricted to the environment's segment (profiles are not).
    seg: bool,
}

const SCALAR_ROW: [u32; 1] = [0];

impl At<'_> {
    fn scalar(seg: bool) -> At<'static> {
        At {
            table: None,
            rows: &SCALAR_ROW,
            seg,
        }
    }

    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// Row indexes of a table, shared by the caches.
type Rows = Arc<Vec<u32>>;

/// One evaluation: a period, maybe a segment, and the caches for them.
pub struct Env<'a> {
    input: &'a Inputs<'a>,
    period: Option<Period>,
    /// Population rows of one segment value.
    segment: Option<(SegmentSource, Value)>,
    /// The period that decides who is in the segment (`prior` keeps the
    /// same people).
    members_period: Option<Period>,
    /// With a segment: the environment of the same period without one,
    /// which reduces segment-free aggregates for every segment value at
    /// once.
    plain: Option<Arc<Env<'a>>>,
    /// With a segment: its column's groups and this value's group (none
    /// when the column cannot be grouped).
    group: OnceLock<Option<(Arc<SegmentGroups>, u32)>>,
    base: OnceMap<(usize, bool), Rows>,
    members: OnceLock<Vec<bool>>,
    decls: OnceMap<(DeclId, bool), Value>,
    targets: OnceMap<(usize, bool), Value>,
    aggs: OnceMap<(NodeId, bool), Arc<Col>>,
    /// Rows kept by a filter several aggregates share: (table, filter, seg).
    kept: OnceMap<(usize, NodeId, bool), Rows>,
    /// Aggregates per segment value: (node, segment column, membership
    /// period) → one value per group.
    by_segment: Mutex<HashMap<(NodeId, Membership), Arc<Col>>>,
    prior: OnceLock<Arc<Env<'a>>>,
}

impl<'a> Env<'a> {
    pub fn new(
        input: &'a Inputs<'a>,
        period: Option<Period>,
        segment: Option<(SegmentSource, Value)>,
    ) -> Env<'a> {
        Env {
            input,
            period,
            segment,
            members_period: period,
            plain: None,
            group: OnceLock::new(),
            base: OnceMap::default(),
            members: OnceLock::new(),
            decls: OnceMap::default(),
            targets: OnceMap::default(),
            aggs: OnceMap::default(),
            kept: OnceMap::default(),
            by_segment: Mutex::default(),
            prior: OnceLock::new(),
        }
    }

    /// The environment of one segment value, in `plain`'s period: its
    /// aggregates come from `plain` reduced by segment where they can.
    pub fn segmented(plain: &Arc<Env<'a>>, segment: (SegmentSource, Value)) -> Env<'a> {
        let mut env = Env::new(plain.input, plain.period, Some(segment));
        env.plain = Some(plain.clone());
        env
    }

    /// Whether this environment is one segment's.
    pub fn is_segmented(&self) -> bool {
        self.segment.is_some()
    }

    /// The rows of `table` that count here (in the period and, with `seg`,
    /// in the segment).
    pub fn rows_counted(&self, table: usize, seg: bool) -> usize {
        self.count_base_rows(table, seg, false)
    }

    /// The rows of `table` that count in the period (a stock's rows on
    /// record by its end, a flow's dated in it), in table order.
    pub fn rows_in_period(&self, table: usize) -> Vec<u32> {
        let len = self.data().tables[table].len;
        match self.base_filter(table, false) {
            None => (0..len as u32).collect(),
            Some(keep) => (0..len).filter(|&r| keep(r)).map(|r| r as u32).collect(),
        }
    }

    /// Whether any row of the table counts here (cheaper than counting).
    pub fn has_rows(&self, table: usize, seg: bool) -> bool {
        self.count_base_rows(table, seg, true) > 0
    }

    /// The period of this environment.
    pub fn period(&self) -> Option<Period> {
        self.period
    }

    pub fn input(&self) -> &'a Inputs<'a> {
        self.input
    }

    fn plan(&self) -> &'a Plan {
        self.input.plan
    }

    fn data(&self) -> &'a Dataset {
        self.input.data
    }

    /// A declaration's value (lets, params, indicator values).
    pub fn decl(&self, id: DeclId) -> Value {
        self.decl_at(id, true)
    }

    fn decl_at(&self, id: DeclId, seg: bool) -> Value {
        self.decls
            .get_or_init((id, seg), || match self.plan().decls.get(&id) {
                Some(&node) => self.eval(node, At::scalar(seg)).get(0),
                None => Value::Null,
            })
    }

    /// An indicator's target (null without one).
    pub fn target(&self, i: usize) -> Value {
        self.target_at(i, true)
    }

    fn target_at(&self, i: usize, seg: bool) -> Value {
        self.targets
            .get_or_init((i, seg), || match self.plan().indicators[i].target {
                Some(node) => self.eval(node, At::scalar(seg)).get(0),
                None => Value::Null,
            })
    }

    /// Evaluates a scalar node (a score expression, say).
    pub fn scalar(&self, node: NodeId) -> Value {
        self.eval(node, At::scalar(true)).get(0)
    }

    /// A profile column over every row of its table.
    pub fn profile(&self, id: usize) -> Arc<Col> {
        // A column the period does not change is computed once for a trend.
        let period = if self.plan().period_free_profiles[id] {
            None
        } else {
            self.period
        };
        if let Some(pushed) = self.input.pushed.and_then(|p| p.profile(id, period)) {
            return pushed.unwrap_or_else(|| {
                self.not_pushed_profile(id);
                let len = self.data().tables[self.plan().profiles[id].table].len;
                Arc::new(Col::from_values(vec![Value::Null; len]))
            });
        }
        self.input.profiles.get_or_init((id, period), || {
            let p = &self.plan().profiles[id];
            let all: Vec<u32> = (0..self.data().tables[p.table].len as u32).collect();
            Arc::new(self.eval(
                p.node,
                At {
                    table: Some(p.table),
                    rows: &all,
                    seg: false,
                },
            ))
        })
    }

    /// Computes the profile columns the rules read in each environment
    /// (a trend's periods), spread over the cores: those the indicators,
    /// declarations and segments read in its period, and those read under
    /// `prior` in the previous one. A column reading another waits for it
    /// (each is computed once); one list of jobs for every period keeps
    /// both cores busy while one waits. Each profile not yet started once
    /// `stopped` says so is left (a report given up).
    pub fn profiles_in_parallel(envs: &[&Env<'a>], stopped: &(dyn Fn() -> bool + Sync)) {
        use rayon::prelude::*;
        let Some(first) = envs.first() else {
            return;
        };
        let plan = first.plan();
        let mut roots: Vec<NodeId> = plan.decls.values().copied().collect();
        for ind in &plan.indicators {
            roots.push(ind.value);
            roots.extend(ind.target);
            roots.extend(ind.score);
        }
        for (_, source) in &plan.segments {
            if let SegmentSource::Profile(p) = source {
                roots.push(plan.profiles[*p].node);
            }
        }
        let looked_back: Vec<NodeId> = plan
            .nodes
            .iter()
            .filter_map(|n| match n {
                Node::Prior(a) => Some(*a),
                _ => None,
            })
            .collect();
        let read = plan.profiles_read(&roots);
        let read_back = plan.profiles_read(&looked_back);
        let mut jobs: Vec<(&Env<'a>, usize)> = Vec::new();
        for &env in envs {
            jobs.extend(read.iter().map(|&p| (env, p)));
            if let Some(prior) = env.prior_env() {
                jobs.extend(read_back.iter().map(|&p| (&**prior, p)));
            }
        }
        jobs.par_iter().for_each(|&(env, p)| {
            if !stopped() {
                env.profile(p);
            }
        });
    }

    /// In the previous period's environment: whether `prior` node `node`
    /// has a baseline, a row of one of the dated tables it reads (in the
    /// segment, with `seg`). Without one, `prior(..)` is null: an empty
    /// previous period is no data, not zero.
    pub fn has_baseline(&self, node: NodeId, seg: bool) -> bool {
        self.plan()
            .priors
            .get(&node)
            .is_none_or(|p| p.dated.iter().any(|&t| self.has_rows(t, seg)))
    }

    /// The previous period's environment (`None` without a period).
    pub fn prior_env(&self) -> Option<&Arc<Env<'a>>> {
        let (from, to) = self.period?;
        Some(self.prior.get_or_init(|| {
            let mut prior = Env::new(
                self.input,
                Some(super::previous_period((from, to))),
                self.segment.clone(),
            );
            // A segment keeps its members: the same people, a period before.
            prior.members_period = self.members_period;
            if self.segment.is_some() {
                prior.plain = self.plain.as_ref().and_then(|p| p.prior_env()).cloned();
                let group = self.group().cloned();
                if group.is_none() {
                    let _ = prior.members.set(self.members().clone());
                }
                let _ = prior.group.set(group);
            }
            Arc::new(prior)
        }))
    }

    /// A segment column over the population, in this environment's period.
    fn segment_column(&self, pop: usize, source: SegmentSource) -> Col {
        match source {
            SegmentSource::Column(c) => {
                let all: Vec<u32> = (0..self.data().tables[pop].len as u32).collect();
                gather(&self.data().tables[pop].columns[c].data, &all)
            }
            SegmentSource::Profile(p) => (*self.profile(p)).clone(),
        }
    }

    /// A segment column's groups, with membership decided in this
    /// environment's period (none for a list column or without a
    /// population).
    pub fn segment_groups(&self, source: SegmentSource) -> Option<Arc<SegmentGroups>> {
        if self.input.pushed.is_some() {
            return None;
        }
        let pop = self.plan().population?;
        self.input.groups.get_or_init((source, self.period), || {
            let col = self.segment_column(pop, source);
            SegmentGroups::new(&col, self.data().tables[pop].len).map(Arc::new)
        })
    }

    /// The distinct non-null values of a segment column over the
    /// population, in order of first appearance; for a list column, its
    /// elements (a row is in the segment of each of them).
    pub fn segment_values(&self, source: SegmentSource) -> Vec<Value> {
        if let Some(list) = self.input.pushed.and_then(|p| p.segment(source)) {
            return list.values.clone();
        }
        if let Some(groups) = self.segment_groups(source) {
            return groups.values.clone();
        }
        let Some(pop) = self.plan().population else {
            return Vec::new();
        };
        let col = self.segment_column(pop, source);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for r in 0..self.data().tables[pop].len {
            match col.get(r) {
                Value::List(items) => {
                    for &id in items.iter() {
                        if seen.insert((2, u64::from(id))) {
                            out.push(Value::Str(id));
                        }
                    }
                }
                v => {
                    if ops::distinct_key(&v).is_some_and(|k| seen.insert(k)) {
                        out.push(v);
                    }
                }
            }
        }
        out
    }

    /// How many distinct values a segment column has, when a database
    /// said so (pushdown: it lists them only when the report breaks the
    /// column down).
    pub fn segment_count(&self, source: SegmentSource) -> Option<usize> {
        Some(self.input.pushed?.segment(source)?.count)
    }

    /// Pushdown: the database's answer to `asked` here (`None` without
    /// pushdown). What it was not asked has no answer: a problem, and
    /// null, never a guess.
    fn pushed(&self, asked: Asked, seg: bool) -> Option<Value> {
        let pushed = self.input.pushed?;
        let source = self.segment.as_ref().filter(|_| seg).map(|(s, _)| *s);
        let members = source.and(self.members_period);
        if pushed.is_local(asked, (self.period, members, source)) {
            return None;
        }
        let segment = match (&self.segment, seg) {
            (Some((source, value)), true) => match pushed.value_index(*source, value) {
                Some(i) => Some((*source, self.members_period, i)),
                None => {
                    self.not_pushed(asked);
                    return Some(Value::Null);
                }
            },
            _ => None,
        };
        let place = Place {
            period: self.period,
            segment,
        };
        Some(match pushed.get(asked, place) {
            Some(v) => v.clone(),
            None => {
                self.not_pushed(asked);
                Value::Null
            }
        })
    }

    fn not_pushed_profile(&self, id: usize) {
        let what = format!("profile column `{}`", self.plan().profiles[id].name);
        self.not_pushed_what(what);
    }

    fn not_pushed(&self, asked: Asked) {
        let what = match asked {
            Asked::Agg(node) => format!("aggregate #{node}"),
            Asked::Rows(t) => format!("the rows of `{}`", self.data().tables[t].name),
        };
        self.not_pushed_what(what);
    }

    fn not_pushed_what(&self, what: String) {
        let message = format!(
            "the database was not asked for {what} in this period or segment: its figures are null"
        );
        let mut p = lock(&self.input.problems);
        if !p.iter().any(|d| d.message == message) {
            p.push(Diagnostic::error("eval::not-pushed", message).with_help(
                "a defect of pushdown: score with the local engine (no `--engine`) and report it",
            ));
        }
    }

    /// This segment's groups and its value's group.
    /// The population rows in this environment's segment (all of them
    /// without one): the group size a heat map shows.
    pub fn segment_size(&self) -> usize {
        if let Some(pushed) = self.input.pushed
            && self
                .segment
                .as_ref()
                .is_none_or(|(s, _)| !pushed.local_segments.contains(s))
        {
            let Some((source, value)) = &self.segment else {
                let pop = self.plan().population;
                return pop.and_then(|p| pushed.totals.get(p).copied()).unwrap_or(0);
            };
            let at = pushed.value_index(*source, value);
            return pushed
                .segment(*source)
                .zip(at)
                .and_then(|(l, i)| l.sizes.get(i).copied())
                .unwrap_or(0);
        }
        if self.segment.is_none() {
            return self
                .plan()
                .population
                .map_or(0, |p| self.data().tables[p].len);
        }
        match self.group() {
            Some((groups, group)) => groups.of_row.iter().filter(|g| *g == group).count(),
            None => self.members().iter().filter(|&&m| m).count(),
        }
    }

    fn group(&self) -> Option<&(Arc<SegmentGroups>, u32)> {
        self.group
            .get_or_init(|| {
                let (source, value) = self.segment.as_ref()?;
                let groups = self.segment_groups(*source)?;
                // A value no row has: every aggregate runs over no rows.
                let group = groups.group_of(value).unwrap_or(NO_ROW);
                Some((groups, group))
            })
            .as_ref()
    }

    /// Population rows in the segment.
    fn members(&self) -> &Vec<bool> {
        self.members.get_or_init(|| {
            let (Some(pop), Some((source, value))) = (self.plan().population, &self.segment) else {
                return Vec::new();
            };
            if let Some((groups, group)) = self.group() {
                return groups.of_row.iter().map(|g| g == group).collect();
            }
            let col = self.segment_column(pop, *source);
            (0..self.data().tables[pop].len)
                .map(|r| in_segment(&col.get(r), value))
                .collect()
        })
    }

    /// The rows of a table that count: in the period and, with `seg`, in
    /// the segment.
    fn base(&self, table: usize, seg: bool) -> Rows {
        let seg = seg && self.segment.is_some();
        self.base
            .get_or_init((table, seg), || Arc::new(self.base_rows(table, seg)))
    }

    fn base_rows(&self, table: usize, seg: bool) -> Vec<u32> {
        let len = self.data().tables[table].len;
        match self.base_filter(table, seg) {
            None => (0..len as u32).collect(),
            Some(keep) => (0..len).filter(|&r| keep(r)).map(|r| r as u32).collect(),
        }
    }

    /// How many rows of the table count here, without listing them (the
    /// list when an aggregate made it already); `first`: stop at the first
    /// one (a baseline check needs no more).
    fn count_base_rows(&self, table: usize, seg: bool, first: bool) -> usize {
        if let Some(v) = self.pushed(Asked::Rows(table), seg) {
            return v.as_num().map_or(0, |n| n as usize);
        }
        let seg_here = seg && self.segment.is_some();
        if let Some(rows) = self.base.get(&(table, seg_here)) {
            return rows.len();
        }
        let len = self.data().tables[table].len;
        match self.base_filter(table, seg) {
            None => len,
            Some(keep) if first => usize::from((0..len).any(keep)),
            Some(keep) => (0..len).filter(|&r| keep(r)).count(),
        }
    }

    /// Which rows of the table count here: in the period (a flow by its
    /// date, a stock from its `since` day on) and, in a segment, related
    /// to one of its members. `None`: every row.
    fn base_filter(&self, table: usize, seg: bool) -> Option<impl Fn(usize) -> bool + '_> {
        let seg = seg && self.segment.is_some();
        let t = &self.data().tables[table];
        let column = |c: Option<usize>| match c.map(|c| &t.columns[c].data) {
            Some(ColumnData::Date(v)) => Some(v),
            _ => None,
        };
        // A flow counts in the period holding its date; a stock from its
        // `since` day on (an empty `since`: always).
        let dates = self.period.zip(column(t.date));
        let since = self.period.zip(column(t.since));
        if dates.is_none() && since.is_none() && !seg {
            return None;
        }
        let path = if seg {
            self.plan()
                .population
                .and_then(|pop| path_to(self.data(), table, pop))
        } else {
            None
        };
        let members = path.as_ref().map(|_| self.members());
        Some(move |r: usize| {
            dates.is_none_or(|((from, to), v)| v[r] != NULL_DATE && v[r] >= from && v[r] <= to)
                && since.is_none_or(|((_, to), v)| v[r] == NULL_DATE || v[r] <= to)
                && match (&path, members) {
                    (Some(path), Some(m)) => {
                        let p = follow_one(self.data(), path, r as u32);
                        p != NO_ROW && m.get(p as usize).copied().unwrap_or(false)
                    }
                    _ => true,
                }
        })
    }

    /// Records a script failure once per node; the node yields null from
    /// then on.
    fn script_failed(
        &self,
        node: NodeId,
        e: &script::ScriptError,
        plugin: Option<(usize, &str)>,
        span: crate::source::Span,
    ) {
        if lock(&self.input.failed).insert(node) {
            let d = self
                .plan()
                .scripts
                .diagnostic(e, self.input.sources, plugin, span);
            lock(&self.input.problems).push(d);
        }
    }

    fn problem(&self, message: &str, span: crate::source::Span) {
        let mut p = lock(&self.input.problems);
        if !p
            .iter()
            .any(|d| d.primary.as_ref().is_some_and(|l| l.span == span))
        {
            p.push(
                Diagnostic::error("eval::unsupported", message.to_string())
                    .at(span, "cannot be evaluated"),
            );
        }
    }

    fn eval(&self, node: NodeId, at: At<'_>) -> Col {
        let n = at.len();
        match self.plan().node(node) {
            Node::Lit(v) => Col::Const(v.clone()),
            Node::Decl(id) => Col::Const(self.decl_at(*id, at.seg)),
            Node::IndicatorValue(i) => Col::Const(self.decl_at(DeclId::Indicator(*i), at.seg)),
            Node::IndicatorTarget(i) => Col::Const(self.target_at(*i, at.seg)),
            Node::Column { col } => match at.table {
                Some(t) => gather_column(&self.data().tables[t], *col, at.rows),
                None => Col::Const(Value::Null),
            },
            Node::Parent { path, col } => {
                let rows = follow(self.data(), path, at.rows);
                let target = self.target_table(path);
                gather_column(&self.data().tables[target], *col, &rows)
            }
            Node::Profile { id, path } => {
                let full = self.profile(*id);
                if path.is_empty() {
                    gather_col(&full, at.rows)
                } else {
                    gather_col(&full, &follow(self.data(), path, at.rows))
                }
            }
            Node::Unary(op, a) => {
                let a = self.operand(*a, at);
                match (op, &*a) {
                    (UnaryOp::Neg, Col::Num(v)) => Col::Num(v.iter().map(|x| -x).collect()),
                    (UnaryOp::Not, Col::Bool(v)) => Col::Bool(
                        v.iter()
                            .map(|&b| if b == NULL_BOOL { b } else { 1 - b })
                            .collect(),
                    ),
                    (_, Col::Const(c)) => Col::Const(ops::unary(*op, c)),
                    _ => Col::from_values((0..n).map(|i| ops::unary(*op, &a.get(i))).collect()),
                }
            }
            Node::Binary(op, a, b) => {
                let a = self.operand(*a, at);
                let b = self.operand(*b, at);
                self.binary(*op, &a, &b, n)
            }
            Node::If(c, t, e) => {
                let c = self.operand(*c, at);
                if let Col::Const(cv) = &*c {
                    let branch = if ops::as_bool(cv) == Some(true) {
                        *t
                    } else {
                        *e
                    };
                    return self.eval(branch, at);
                }
                let t = self.operand(*t, at);
                let e = self.operand(*e, at);
                if let Some(col) = typed_if(&c, &t, &e, n) {
                    return col;
                }
                Col::from_values(
                    (0..n)
                        .map(|i| if c.is_true(i) { t.get(i) } else { e.get(i) })
                        .collect(),
                )
            }
            Node::Scalar(f, args) => {
                let cols: Vec<Col> = args.iter().map(|a| self.eval(*a, at)).collect();
                if cols.iter().all(|c| matches!(c, Col::Const(_))) {
                    let vals: Vec<Value> = cols.iter().map(|c| c.get(0)).collect();
                    return Col::Const(ops::scalar(*f, &vals, self.input.strings));
                }
                if let Some(col) = typed_scalar(*f, &cols, n) {
                    return col;
                }
                Col::from_values(
                    (0..n)
                        .map(|i| {
                            let vals: Vec<Value> = cols.iter().map(|c| c.get(i)).collect();
                            ops::scalar(*f, &vals, self.input.strings)
                        })
                        .collect(),
                )
            }
            Node::Agg { group: None, .. } => {
                let v = self.aggregate_scalar(node, at.seg);
                Col::Const(v)
            }
            Node::Agg { group: Some(_), .. } => {
                let full = self.aggregate_grouped(node, at);
                gather_col(&full, at.rows)
            }
            Node::Linear(from, to, i) => {
                let from = self.eval(*from, at).get(0);
                let to = self.eval(*to, at).get(0);
                let value = self.decl_at(DeclId::Indicator(*i), at.seg);
                Col::Const(ops::linear(&value, &from, &to))
            }
            Node::Bands(bands, i) => {
                let pairs: Vec<(Value, Value)> = bands
                    .iter()
                    .map(|(t, s)| (self.eval(*t, at).get(0), self.eval(*s, at).get(0)))
                    .collect();
                let value = self.decl_at(DeclId::Indicator(*i), at.seg);
                Col::Const(ops::bands(&value, &pairs))
            }
            Node::Peers(p, i) => {
                let p = self.eval(*p, at).get(0);
                let Some(ind) = self.plan().indicators.get(*i) else {
                    return Col::Const(Value::Null);
                };
                Col::Const(self.input.peers.percentile(
                    &ind.id,
                    p.as_num(),
                    ind.lower_is_better,
                    self.period,
                ))
            }
            Node::Prior(a) => match self.prior_env() {
                Some(prior) if prior.has_baseline(node, at.seg) => {
                    Col::Const(prior.eval(*a, At::scalar(at.seg)).get(0))
                }
                _ => Col::Const(Value::Null),
            },
            Node::Unsupported(message, span) => {
                self.problem(message, *span);
                Col::Const(Value::Null)
            }
            Node::Script { index, names, span } => {
                let v = self.aggs.get_or_init((node, at.seg), || {
                    Arc::new(Col::Const(
                        self.run_script(node, *index, names, *span, at.seg),
                    ))
                });
                (*v).clone()
            }
            Node::Native { index, args } => {
                let f = &self.plan().natives[*index];
                let cols: Vec<Col> = args.iter().map(|a| self.eval(*a, at)).collect();
                let strings = self.input.strings;
                if cols.iter().all(|c| matches!(c, Col::Const(_))) {
                    let vals: Vec<Value> = cols.iter().map(|c| c.get(0)).collect();
                    return Col::Const(f.apply(&vals, strings));
                }
                Col::from_values(
                    (0..n)
                        .map(|i| {
                            f.apply(&cols.iter().map(|c| c.get(i)).collect::<Vec<_>>(), strings)
                        })
                        .collect(),
                )
            }
            Node::Plugin {
                plugin,
                name,
                args,
                span,
                expect,
            } => {
                let cols: Vec<Col> = args.iter().map(|a| self.eval(*a, at)).collect();
                let rows = if cols.iter().all(|c| matches!(c, Col::Const(_))) {
                    1
                } else {
                    n
                };
                let mut out = Vec::with_capacity(rows);
                let plugin_at = Some((*plugin, name.as_str()));
                for i in 0..rows {
                    if lock(&self.input.failed).contains(&node) {
                        out.push(Value::Null);
                        continue;
                    }
                    let values: Vec<Value> = cols.iter().map(|c| c.get(i)).collect();
                    let key: Vec<(u8, u64)> = values
                        .iter()
                        .map(|v| ops::distinct_key(v).unwrap_or((u8::MAX, 0)))
                        .collect();
                    let key = (node, key);
                    if let Some(v) = lock(&self.input.memo).get(&key) {
                        out.push(v.clone());
                        continue;
                    }
                    if let Some(e) = self.input.script_budget.exhausted() {
                        self.script_failed(node, &e, plugin_at, *span);
                        out.push(Value::Null);
                        continue;
                    }
                    let call_args = values
                        .iter()
                        .map(|v| script::to_dynamic(v, self.input.strings))
                        .collect();
                    let started = std::time::Instant::now();
                    let result = self
                        .plan()
                        .scripts
                        .call(*plugin, name, call_args)
                        .and_then(|d| {
                            script::from_dynamic(d, self.input.strings)
                                .map_err(script::ScriptError::plain)
                        });
                    if let Ok(v) = &result {
                        self.input
                            .script_budget
                            .spend(started.elapsed(), v, self.input.strings);
                    }
                    let result = result.and_then(|v| match script::fits(&v, *expect) {
                        Ok(()) => Ok(v),
                        Err((want, got)) => {
                            let message = format!("`{name}` returned {got} where {want} is needed");
                            lock(&self.input.wrong_types).insert(node, (want, got));
                            Err(script::ScriptError::plain(message))
                        }
                    });
                    match result {
                        Ok(v) => {
                            let mut memo = lock(&self.input.memo);
                            if memo.len() >= MEMO_LIMIT {
                                memo.clear();
                            }
                            memo.insert(key, v.clone());
                            out.push(v);
                        }
                        Err(e) => {
                            self.script_failed(node, &e, plugin_at, *span);
                            out.push(Value::Null);
                        }
                    }
                }
                if rows == 1 {
                    Col::Const(out.pop().unwrap_or(Value::Null))
                } else {
                    Col::from_values(out)
                }
            }
        }
    }

    /// A node's values as an operand: a profile column read on every row
    /// of its table is shared, not copied (a million numbers are 8 MB).
    fn operand(&self, node: NodeId, at: At<'_>) -> Operand {
        if let Node::Profile { id, path } = self.plan().node(node)
            && path.is_empty()
        {
            let full = self.profile(*id);
            let rows = self.data().tables[self.plan().profiles[*id].table].len;
            if every_row(at.rows, rows) {
                return Operand::Shared(full);
            }
        }
        Operand::Owned(self.eval(node, at))
    }

    /// Runs an inline block with the declarations it names in scope.
    fn run_script(
        &self,
        node: NodeId,
        index: usize,
        names: &[(String, DeclId)],
        span: crate::source::Span,
        seg: bool,
    ) -> Value {
        // A block that failed once is not run again (in another segment).
        if self.input.has_failed(node) {
            return Value::Null;
        }
        if let Some(e) = self.input.script_budget.exhausted() {
            self.script_failed(node, &e, None, span);
            return Value::Null;
        }
        let values = names
            .iter()
            .map(|(n, id)| {
                (
                    n.clone(),
                    script::to_dynamic(&self.decl_at(*id, seg), self.input.strings),
                )
            })
            .collect();
        let started = std::time::Instant::now();
        let result = self.plan().scripts.run_inline(index, values).and_then(|d| {
            script::from_dynamic(d, self.input.strings).map_err(script::ScriptError::plain)
        });
        if let Ok(v) = &result {
            self.input
                .script_budget
                .spend(started.elapsed(), v, self.input.strings);
        }
        match result {
            Ok(v) => v,
            Err(e) => {
                self.script_failed(node, &e, None, span);
                Value::Null
            }
        }
    }

    fn target_table(&self, path: &[Step]) -> usize {
        path.last()
            .and_then(|s| {
                let rel = &self.data().tables[s.table].relations[s.relation];
                self.data().tables.get_index_of(&rel.target)
            })
            .unwrap_or(0)
    }

    fn binary(&self, op: BinaryOp, a: &Col, b: &Col, n: usize) -> Col {
        use BinaryOp::*;
        if let (Col::Const(x), Col::Const(y)) = (a, b) {
            return Col::Const(ops::binary(op, x, y, self.input.strings));
        }
        // Typed fast paths for numbers; everything else goes value by value.
        if let (Some(x), Some(y)) = (num_view(a, n), num_view(b, n)) {
            // One loop per operator, so that each is a tight loop.
            let finite = |r: f64| if r.is_finite() { r } else { f64::NAN };
            let cmp = |p: f64, q: f64, f: fn(&f64, &f64) -> bool| {
                if p.is_nan() || q.is_nan() {
                    NULL_BOOL
                } else {
                    u8::from(f(&p, &q))
                }
            };
            match op {
                Add => return Col::Num(map2(&x, &y, n, |p, q| finite(p + q))),
                Sub => return Col::Num(map2(&x, &y, n, |p, q| finite(p - q))),
                Mul => return Col::Num(map2(&x, &y, n, |p, q| finite(p * q))),
                Div => {
                    return Col::Num(map2(&x, &y, n, |p, q| finite(ops::arith(Div, p, q))));
                }
                Eq => return Col::Bool(map2(&x, &y, n, |p, q| cmp(p, q, f64::eq))),
                Ne => return Col::Bool(map2(&x, &y, n, |p, q| cmp(p, q, f64::ne))),
                Lt => return Col::Bool(map2(&x, &y, n, |p, q| cmp(p, q, f64::lt))),
                Le => return Col::Bool(map2(&x, &y, n, |p, q| cmp(p, q, f64::le))),
                Gt => return Col::Bool(map2(&x, &y, n, |p, q| cmp(p, q, f64::gt))),
                Ge => return Col::Bool(map2(&x, &y, n, |p, q| cmp(p, q, f64::ge))),
                _ => {}
            }
        }
        if let Some(col) = typed_binary(op, a, b, n) {
            return col;
        }
        Col::from_values(
            (0..n)
                .map(|i| ops::binary(op, &a.get(i), &b.get(i), self.input.strings))
                .collect(),
        )
    }

    /// An aggregate's table, its rows in the period (and segment), and the
    /// rows its filter keeps.
    pub fn aggregate_stats(&self, node: NodeId) -> (String, usize, usize) {
        let Node::Agg { table, filter, .. } = self.plan().node(node) else {
            return (String::new(), 0, 0);
        };
        let (base, kept) = self.selected(*table, *filter, true);
        let name = self
            .data()
            .tables
            .get_index(*table)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        (name, base.len(), kept.len())
    }

    /// The rows an aggregate keeps (base rows where `filter` is true).
    fn selected(&self, table: usize, filter: Option<NodeId>, seg: bool) -> (Rows, Rows) {
        let base = self.base(table, seg);
        let Some(filter) = filter else {
            return (base.clone(), base);
        };
        let seg_here = seg && self.segment.is_some();
        if self.plan().shared_filters.contains(&(table, filter)) {
            let kept = self.kept.get_or_init((table, filter, seg_here), || {
                self.filtered(table, filter, seg, &base)
            });
            return (base, kept);
        }
        let kept = self.filtered(table, filter, seg, &base);
        (base, kept)
    }

    /// The rows of `base` that `filter` keeps.
    fn filtered(&self, table: usize, filter: NodeId, seg: bool, base: &Rows) -> Rows {
        // A row is kept when every operand of a chain of `and`s is true:
        // each operand runs only on the rows the previous ones kept.
        let mut conjuncts = vec![filter];
        while let Some(i) = conjuncts
            .iter()
            .position(|&c| matches!(self.plan().node(c), Node::Binary(BinaryOp::And, ..)))
        {
            if let Node::Binary(_, a, b) = *self.plan().node(conjuncts[i]) {
                conjuncts.splice(i..=i, [a, b]);
            }
        }
        let mut kept = base.clone();
        for c in conjuncts {
            // A yes/no column or profile column is read in place.
            let column: Option<Arc<Col>> = match self.plan().node(c) {
                Node::Column { col } => match &self.data().tables[table].columns[*col].data {
                    ColumnData::Bool(v) => {
                        kept = Arc::new(
                            kept.iter()
                                .copied()
                                .filter(|&r| v[r as usize] == 1)
                                .collect(),
                        );
                        continue;
                    }
                    _ => None,
                },
                Node::Profile { id, path } if path.is_empty() => Some(self.profile(*id)),
                _ => None,
            };
            if let Some(column) = column
                && let Col::Bool(v) = &*column
            {
                kept = Arc::new(
                    kept.iter()
                        .copied()
                        .filter(|&r| v.get(r as usize) == Some(&1))
                        .collect(),
                );
                continue;
            }
            let cond = self.eval(
                c,
                At {
                    table: Some(table),
                    rows: &kept,
                    seg,
                },
            );
            kept = Arc::new(match &cond {
                Col::Bool(v) => kept
                    .iter()
                    .zip(v)
                    .filter(|&(_, &b)| b == 1)
                    .map(|(&r, _)| r)
                    .collect(),
                _ => kept
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| cond.is_true(*i))
                    .map(|(_, r)| *r)
                    .collect(),
            });
        }
        kept
    }

    fn aggregate_scalar(&self, node: NodeId, seg: bool) -> Value {
        if let Some(v) = self.pushed(Asked::Agg(node), seg) {
            return v;
        }
        let seg = seg && self.segment.is_some();
        let v = self.aggs.get_or_init((node, seg), || {
            if seg && let Some(v) = self.aggregate_from_plain(node) {
                return Arc::new(Col::Const(v));
            }
            let Some(parts) = self.aggregate_parts(node, seg) else {
                return Arc::new(Col::Const(Value::Null));
            };
            // The same rows serve the segments whose groups are known.
            if self.segment.is_none() && self.plan().groups_by_segment(node) {
                self.reduce_by_segment(node, &parts, None);
            }
            Arc::new(Col::Const(parts.reduce_whole()))
        });
        v.get(0)
    }

    /// What a scalar aggregate reduces: its base rows, the rows its filter
    /// keeps, its argument over those, and `percentile`'s p.
    fn aggregate_parts(&self, node: NodeId, seg: bool) -> Option<AggParts> {
        let Node::Agg {
            f,
            table,
            arg,
            filter,
            extra,
            ..
        } = *self.plan().node(node)
        else {
            return None;
        };
        let (base, kept) = self.selected(table, filter, seg);
        let values = arg.map(|a| {
            self.eval(
                a,
                At {
                    table: Some(table),
                    rows: &kept,
                    seg,
                },
            )
        });
        let p = extra.map(|e| self.eval(e, At::scalar(seg)).get(0));
        Some(AggParts {
            f,
            table,
            base,
            kept,
            values,
            p,
        })
    }

    /// A segment-free aggregate in a segment: this value's figure from the
    /// plain environment's pass over all segment values.
    fn aggregate_from_plain(&self, node: NodeId) -> Option<Value> {
        if !self.plan().groups_by_segment(node) {
            return None;
        }
        let plain = self.plain.as_ref()?;
        let (groups, group) = self.group()?;
        let (source, _) = self.segment.as_ref()?;
        if *group == NO_ROW {
            // A value no row has: the aggregate of no rows.
            let Node::Agg { f, .. } = self.plan().node(node) else {
                return None;
            };
            return Some(reduce(*f, None, Groups::One(0), Groups::One(0), 1, None).get(0));
        }
        // Keyed by this segment's membership period: a previous period's
        // segment keeps this period's members (and numbering), while the
        // plain environment of that period numbers its own.
        let membership = (*source, self.members_period);
        let key = (node, membership);
        let known = lock(&plain.by_segment).get(&key).cloned();
        let per_group = match known {
            Some(c) => c,
            None => {
                let parts = plain.aggregate_parts(node, false)?;
                plain.reduce_by_segment(node, &parts, Some((membership, groups.clone())));
                lock(&plain.by_segment).get(&key).cloned()?
            }
        };
        Some(per_group.get(*group as usize))
    }

    /// Reduces an aggregate's rows per group of each segment column whose
    /// groups are known in this environment's membership period (and of
    /// `also`, a column numbered in its own membership period), and keeps
    /// the results.
    fn reduce_by_segment(
        &self,
        node: NodeId,
        parts: &AggParts,
        also: Option<(Membership, Arc<SegmentGroups>)>,
    ) {
        let period = self.members_period;
        let mut columns: Vec<(Membership, Arc<SegmentGroups>)> = Vec::new();
        for (_, source) in &self.plan().segments {
            if let Some(Some(g)) = self.input.groups.get(&(*source, period)) {
                columns.push(((*source, period), g));
            }
        }
        if let Some((membership, g)) = also
            && !columns.iter().any(|(m, _)| *m == membership)
        {
            columns.push((membership, g));
        }
        let path = self
            .plan()
            .population
            .and_then(|pop| path_to(self.data(), parts.table, pop));
        // Counts, min and max: one pass over the combinations of segment
        // values, merged into each column (sums are reduced column by
        // column: partial sums would round differently).
        if let Some(path) = &path
            && matches!(
                parts.f,
                AggFn::Count | AggFn::Any | AggFn::All | AggFn::Share | AggFn::Min | AggFn::Max
            )
            && let Some(combos) = self.combinations(period)
        {
            let of_row = self.row_groups(
                parts.table,
                path,
                (Numbering::Combined, period),
                &combos.of_row,
            );
            let partial = Partial::accumulate(
                parts.f,
                parts.values.as_ref(),
                Groups::Lookup {
                    rows: &parts.kept,
                    of_row: &of_row,
                },
                Groups::Lookup {
                    rows: &parts.base,
                    of_row: &of_row,
                },
                combos.count,
            );
            if let Some(partial) = partial {
                for (c, (source, groups)) in combos.columns.iter().enumerate() {
                    let merged = partial.merge(groups.len(), |k| combos.group(c, k));
                    lock(&self.by_segment)
                        .insert((node, (*source, period)), Arc::new(merged.finish()));
                }
            }
        }
        for ((source, members_period), groups) in columns {
            let key = (node, (source, members_period));
            if lock(&self.by_segment).contains_key(&key) {
                continue;
            }
            let col = match &path {
                // A table with no relation to the population: every
                // segment sees all its rows.
                None => Col::Const(parts.reduce_whole()),
                Some(path) => {
                    // Through the combinations' numbering when the column
                    // is one of them (a combination → group table is
                    // small), else through the column's own.
                    let own = members_period == period;
                    let combined =
                        own.then(|| self.combinations(period))
                            .flatten()
                            .and_then(|combos| {
                                let c = combos.columns.iter().position(|(s, _)| *s == source)?;
                                let of_row = self.row_groups(
                                    parts.table,
                                    path,
                                    (Numbering::Combined, period),
                                    &combos.of_row,
                                );
                                let map: Vec<u32> =
                                    (0..combos.count).map(|k| combos.group(c, k)).collect();
                                Some((of_row, map))
                            });
                    let (of_row, map) = match combined {
                        Some((of_row, map)) => (of_row, Some(map)),
                        None => (
                            self.row_groups(
                                parts.table,
                                path,
                                (Numbering::Column(source), members_period),
                                &groups.of_row,
                            ),
                            None,
                        ),
                    };
                    let map = map.as_deref();
                    reduce(
                        parts.f,
                        parts.values.as_ref(),
                        Groups::through(&parts.kept, &of_row, map),
                        Groups::through(&parts.base, &of_row, map),
                        groups.len(),
                        parts.p.as_ref(),
                    )
                }
            };
            lock(&self.by_segment).insert(key, Arc::new(col));
        }
    }

    /// The groupable segment columns numbered together, for a membership
    /// period (built once, from the groups known by then).
    fn combinations(&self, period: Option<Period>) -> Option<Arc<Combinations>> {
        self.input.combinations.get_or_init(period, || {
            let columns = self
                .plan()
                .segments
                .iter()
                .filter_map(|(_, source)| {
                    let groups = self.input.groups.get(&(*source, period));
                    groups.flatten().map(|g| (*source, g))
                })
                .collect();
            Combinations::new(columns).map(Arc::new)
        })
    }

    /// The group of every row of `table`, which reaches the population by
    /// `path`, given each population row's group (`of_population`).
    fn row_groups(
        &self,
        table: usize,
        path: &[Step],
        numbering: RowNumbering,
        of_population: &[u32],
    ) -> Rows {
        self.input.row_groups.get_or_init((table, numbering), || {
            let rows = (0..self.data().tables[table].len as u32).map(|r| {
                match follow_one(self.data(), path, r) {
                    NO_ROW => NO_ROW,
                    m => of_population[m as usize],
                }
            });
            Arc::new(rows.collect())
        })
    }

    /// A correlated aggregate, for every row of the context table.
    fn aggregate_grouped(&self, node: NodeId, at: At<'_>) -> Arc<Col> {
        self.aggs
            .get_or_init((node, at.seg), || Arc::new(self.grouped_rows(node, at)))
    }

    fn grouped_rows(&self, node: NodeId, at: At<'_>) -> Col {
        let Node::Agg {
            f,
            table,
            arg,
            filter,
            extra,
            group: Some(ref path),
        } = *self.plan().node(node)
        else {
            return Col::Const(Value::Null);
        };
        let context = at.table.map_or(0, |t| self.data().tables[t].len);
        let (base, kept) = self.selected(table, filter, at.seg);
        let values = arg.map(|a| {
            self.eval(
                a,
                At {
                    table: Some(table),
                    rows: &kept,
                    seg: at.seg,
                },
            )
        });
        let p = extra.map(|e| self.eval(e, At::scalar(at.seg)).get(0));
        // One step up (the usual case) reads the relation's index in place.
        let (groups, base_groups);
        let (kept_groups, all_groups) = match path.as_slice() {
            [step] => {
                let of_row = &self.data().tables[step.table].relations[step.relation].rows;
                (
                    Groups::Lookup {
                        rows: &kept,
                        of_row,
                    },
                    Groups::Lookup {
                        rows: &base,
                        of_row,
                    },
                )
            }
            _ => {
                groups = follow(self.data(), path, &kept);
                base_groups = if matches!(f, AggFn::All | AggFn::Share) {
                    follow(self.data(), path, &base)
                } else {
                    Vec::new()
                };
                (Groups::Each(&groups), Groups::Each(&base_groups))
            }
        };
        reduce(
            f,
            values.as_ref(),
            kept_groups,
            all_groups,
            context,
            p.as_ref(),
        )
    }
}

/// An operator's input: computed for it, or a cached column shared.
enum Operand {
    Owned(Col),
    Shared(Arc<Col>),
}

impl std::ops::Deref for Operand {
    type Target = Col;

    fn deref(&self) -> &Col {
        match self {
            Operand::Owned(c) => c,
            Operand::Shared(c) => c,
        }
    }
}

/// A scalar aggregate's inputs (see [`Env::aggregate_parts`]).
struct AggParts {
    f: AggFn,
    table: usize,
    base: Rows,
    kept: Rows,
    values: Option<Col>,
    p: Option<Value>,
}

impl AggParts {
    /// The aggregate over all its rows.
    fn reduce_whole(&self) -> Value {
        reduce(
            self.f,
            self.values.as_ref(),
            Groups::One(self.kept.len()),
            Groups::One(self.base.len()),
            1,
            self.p.as_ref(),
        )
        .get(0)
    }
}

/// A column or constant read by index: numbers (NaN null), bools (0, 1,
/// [`NULL_BOOL`]) or string ids ([`NULL_STR`]).
pub(super) enum View<'c, T: Copy> {
    Vec(&'c [T]),
    Const(T),
}

impl<T: Copy> View<'_, T> {
    pub(super) fn at(&self, i: usize) -> T {
        match self {
            View::Vec(v) => v[i],
            View::Const(c) => *c,
        }
    }
}

/// `f` over two views, row by row, with a loop per shape so that the
/// compiler sees plain slices.
fn map2<T: Copy, U>(x: &View<T>, y: &View<T>, n: usize, f: impl Fn(T, T) -> U) -> Vec<U> {
    match (x, y) {
        (View::Vec(a), View::Vec(b)) => {
            a[..n].iter().zip(&b[..n]).map(|(&p, &q)| f(p, q)).collect()
        }
        (View::Vec(a), View::Const(q)) => a[..n].iter().map(|&p| f(p, *q)).collect(),
        (View::Const(p), View::Vec(b)) => b[..n].iter().map(|&q| f(*p, q)).collect(),
        (View::Const(p), View::Const(q)) => (0..n).map(|_| f(*p, *q)).collect(),
    }
}

fn bool_view(c: &Col, n: usize) -> Option<View<'_, u8>> {
    match c {
        Col::Bool(v) if v.len() == n => Some(View::Vec(v)),
        Col::Const(Value::Bool(b)) => Some(View::Const(u8::from(*b))),
        Col::Const(Value::Null) => Some(View::Const(NULL_BOOL)),
        _ => None,
    }
}

fn str_view(c: &Col, n: usize) -> Option<View<'_, u32>> {
    match c {
        Col::Str(v) if v.len() == n => Some(View::Vec(v)),
        Col::Const(Value::Str(s)) => Some(View::Const(*s)),
        Col::Const(Value::Null) => Some(View::Const(NULL_STR)),
        _ => None,
    }
}

/// Typed loops for the operators filters use most: `and`/`or` on yes/no
/// values (Kleene logic), `==`/`!=` on texts, text `in` a literal list.
/// They must agree with [`ops::binary`] (the differential test checks).
fn typed_binary(op: BinaryOp, a: &Col, b: &Col, n: usize) -> Option<Col> {
    use BinaryOp::*;
    match op {
        And | Or => {
            let (x, y) = (bool_view(a, n)?, bool_view(b, n)?);
            Some(Col::Bool(
                (0..n)
                    .map(|i| {
                        let (p, q) = (x.at(i), y.at(i));
                        match op {
                            And if p == 0 || q == 0 => 0,
                            And if p == 1 && q == 1 => 1,
                            Or if p == 1 || q == 1 => 1,
                            Or if p == 0 && q == 0 => 0,
                            _ => NULL_BOOL,
                        }
                    })
                    .collect(),
            ))
        }
        Eq | Ne => {
            let (x, y) = (str_view(a, n)?, str_view(b, n)?);
            Some(Col::Bool(
                (0..n)
                    .map(|i| {
                        let (p, q) = (x.at(i), y.at(i));
                        if p == NULL_STR || q == NULL_STR {
                            NULL_BOOL
                        } else {
                            u8::from((p == q) == (op == Eq))
                        }
                    })
                    .collect(),
            ))
        }
        In if matches!(
            b,
            Col::List(_) | Col::ListRef { .. } | Col::Const(Value::List(_))
        ) =>
        {
            // Text in a list (a literal or a list column read in place).
            let x = str_view(a, n)?;
            if let Col::ListRef { columns, col, rows } = b
                && let ColumnData::List { offsets, values } = &columns[*col].data
            {
                // The column's vectors read once, not per row.
                return Some(Col::Bool(
                    rows.iter()
                        .enumerate()
                        .map(|(i, &r)| {
                            let p = x.at(i);
                            if p == NULL_STR {
                                NULL_BOOL
                            } else if r == NO_ROW {
                                0
                            } else {
                                let items = &values[offsets[r as usize] as usize
                                    ..offsets[r as usize + 1] as usize];
                                u8::from(items.contains(&p))
                            }
                        })
                        .collect(),
                ));
            }
            Some(Col::Bool(
                (0..n)
                    .map(|i| {
                        let p = x.at(i);
                        if p == NULL_STR {
                            NULL_BOOL
                        } else {
                            u8::from(b.list_at(i).contains(&p))
                        }
                    })
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// `if` over a yes/no column with branches of one type (null reads as
/// the type's null). Must agree with the value-by-value path: a row takes
/// the `then` branch only when the condition is true.
fn typed_if(c: &Col, t: &Col, e: &Col, n: usize) -> Option<Col> {
    let cond = bool_view(c, n)?;
    if matches!((t, e), (Col::Const(Value::Null), Col::Const(Value::Null))) {
        return None;
    }
    fn choose<T: Copy>(cond: &View<u8>, t: &View<T>, e: &View<T>, n: usize) -> Vec<T> {
        (0..n)
            .map(|i| if cond.at(i) == 1 { t.at(i) } else { e.at(i) })
            .collect()
    }
    if let (Some(x), Some(y)) = (num_view(t, n), num_view(e, n)) {
        return Some(Col::Num(choose(&cond, &x, &y, n)));
    }
    if let (Some(x), Some(y)) = (str_view(t, n), str_view(e, n)) {
        return Some(Col::Str(choose(&cond, &x, &y, n)));
    }
    if let (Some(x), Some(y)) = (bool_view(t, n), bool_view(e, n)) {
        return Some(Col::Bool(choose(&cond, &x, &y, n)));
    }
    if let (Some(x), Some(y)) = (date_view(t, n), date_view(e, n)) {
        return Some(Col::Date(choose(&cond, &x, &y, n)));
    }
    None
}

/// Scalar functions with a typed loop: `len` of a list, `coalesce` of
/// numbers. Others go value by value.
fn typed_scalar(f: ScalarFn, cols: &[Col], n: usize) -> Option<Col> {
    match (f, cols) {
        (ScalarFn::Len, [list @ (Col::List(_) | Col::ListRef { .. })]) => Some(Col::Num(
            (0..n).map(|i| list.list_at(i).len() as f64).collect(),
        )),
        (ScalarFn::Coalesce, [first, rest @ ..]) if !rest.is_empty() => {
            if cols.iter().all(|c| matches!(c, Col::Const(Value::Null))) {
                return None;
            }
            let mut out = num_view(first, n)?;
            let mut acc: Vec<f64> = (0..n).map(|i| out.at(i)).collect();
            for c in rest {
                out = num_view(c, n)?;
                for (i, x) in acc.iter_mut().enumerate() {
                    if x.is_nan() {
                        *x = out.at(i);
                    }
                }
            }
            Some(Col::Num(acc))
        }
        _ => None,
    }
}

fn date_view(c: &Col, n: usize) -> Option<View<'_, i32>> {
    match c {
        Col::Date(v) if v.len() == n => Some(View::Vec(v)),
        Col::Const(Value::Date(d)) => Some(View::Const(*d)),
        Col::Const(Value::Null) => Some(View::Const(NULL_DATE)),
        _ => None,
    }
}

pub(super) fn num_view(c: &Col, n: usize) -> Option<View<'_, f64>> {
    match c {
        Col::Num(v) if v.len() == n => Some(View::Vec(v)),
        Col::Const(Value::Num(x)) => Some(View::Const(*x)),
        Col::Const(Value::Null) => Some(View::Const(f64::NAN)),
        _ => None,
    }
}

/// `rows` is 0, 1, .. n - 1: a gather is then a copy.
fn every_row(rows: &[u32], n: usize) -> bool {
    rows.len() == n && rows.iter().enumerate().all(|(i, &r)| r as usize == i)
}

/// Rows of a table's column: list columns are read in place.
fn gather_column(table: &crate::data::Table, col: usize, rows: &[u32]) -> Col {
    match table.columns[col].data {
        ColumnData::List { .. } => Col::ListRef {
            columns: table.columns.clone(),
            col,
            rows: rows.to_vec(),
        },
        ref data => gather(data, rows),
    }
}

/// The rows of `data` at `rows` ([`NO_ROW`] gives null).
pub(crate) fn gather(data: &ColumnData, rows: &[u32]) -> Col {
    fn pick<T: Copy>(v: &[T], rows: &[u32], null: T) -> Vec<T> {
        if every_row(rows, v.len()) {
            return v.to_vec();
        }
        rows.iter()
            .map(|&r| if r == NO_ROW { null } else { v[r as usize] })
            .collect()
    }
    match data {
        ColumnData::Number(v) => Col::Num(pick(v, rows, f64::NAN)),
        ColumnData::Bool(v) => Col::Bool(pick(v, rows, NULL_BOOL)),
        ColumnData::Date(v) => Col::Date(pick(v, rows, NULL_DATE)),
        ColumnData::Str(v) => Col::Str(pick(v, rows, NULL_STR)),
        ColumnData::List { offsets, values } => Col::List(
            rows.iter()
                .map(|&r| {
                    if r == NO_ROW {
                        return std::sync::Arc::from(Vec::new());
                    }
                    let (a, b) = (
                        offsets[r as usize] as usize,
                        offsets[r as usize + 1] as usize,
                    );
                    std::sync::Arc::from(&values[a..b])
                })
                .collect(),
        ),
    }
}

/// Rows of a full-table column.
fn gather_col(full: &Col, rows: &[u32]) -> Col {
    fn pick<T: Copy>(v: &[T], rows: &[u32], null: T) -> Vec<T> {
        if every_row(rows, v.len()) {
            return v.to_vec();
        }
        rows.iter()
            .map(|&r| v.get(r as usize).copied().unwrap_or(null))
            .collect()
    }
    match full {
        Col::Num(v) => Col::Num(pick(v, rows, f64::NAN)),
        Col::Bool(v) => Col::Bool(pick(v, rows, NULL_BOOL)),
        Col::Date(v) => Col::Date(pick(v, rows, NULL_DATE)),
        Col::Str(v) => Col::Str(pick(v, rows, NULL_STR)),
        Col::List(v) => Col::List(
            rows.iter()
                .map(|&r| {
                    v.get(r as usize)
                        .cloned()
                        .unwrap_or_else(|| std::sync::Arc::from(Vec::new()))
                })
                .collect(),
        ),
        Col::ListRef {
            columns,
            col,
            rows: inner,
        } => Col::ListRef {
            columns: columns.clone(),
            col: *col,
            rows: rows
                .iter()
                .map(|&r| inner.get(r as usize).copied().unwrap_or(NO_ROW))
                .collect(),
        },
        Col::Const(c) => Col::Const(c.clone()),
    }
}

/// Follows a relation path from each row.
pub(crate) fn follow(data: &Dataset, path: &[Step], rows: &[u32]) -> Vec<u32> {
    rows.iter().map(|&r| follow_one(data, path, r)).collect()
}

pub(crate) fn follow_one(data: &Dataset, path: &[Step], mut row: u32) -> u32 {
    for step in path {
        if row == NO_ROW {
            return NO_ROW;
        }
        row = data.tables[step.table].relations[step.relation].rows[row as usize];
    }
    row
}

/// The relation steps from table `from` up to `to`, shortest first.
pub(crate) fn path_to(data: &Dataset, from: usize, to: usize) -> Option<Vec<Step>> {
    let mut queue = std::collections::VecDeque::from([(from, Vec::new())]);
    let mut seen = HashSet::from([from]);
    while let Some((t, path)) = queue.pop_front() {
        if t == to {
            return Some(path);
        }
        let (_, table) = data.tables.get_index(t)?;
        for (r, rel) in table.relations.iter().enumerate() {
            let Some(next) = data.tables.get_index_of(&rel.target) else {
                continue;
            };
            if seen.insert(next) {
                let mut p = path.clone();
                p.push(Step {
                    table: t,
                    relation: r,
                });
                queue.push_back((next, p));
            }
        }
    }
    None
}
