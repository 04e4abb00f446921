//! The evaluation plan: a flat list of nodes with names resolved to tables,
//! columns, relation paths and declarations. The evaluator never sees
//! syntax.

use std::collections::{HashMap, HashSet};

use super::value::{Strings, Value};
use crate::check::functions::{self, FnKind};
use crate::check::{DeclId, Decls};
use crate::data::Dataset;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::*;

pub type NodeId = usize;

/// One step up a relation: from rows of `table`, through its relation
/// number `relation`, to the rows it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Step {
    pub table: usize,
    pub relation: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFn {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Median,
    Percentile,
    Distinct,
    Any,
    All,
    Share,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarFn {
    Round,
    Abs,
    Min,
    Max,
    Log,
    Sqrt,
    Coalesce,
    Year,
    Month,
    DaysBetween,
    Lower,
    Upper,
    Len,
    Contains,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Lit(Value),
    /// A param, let or indicator value.
    Decl(DeclId),
    /// Inside `score`/`target`: the value, target of indicator `i`.
    IndicatorValue(usize),
    IndicatorTarget(usize),
    /// A column of the current row's table.
    Column {
        col: usize,
    },
    /// A column of a table the current row refers to, `path` steps up.
    Parent {
        path: Vec<Step>,
        col: usize,
    },
    /// A profile column of the current row's table (empty path) or of a
    /// table it refers to.
    Profile {
        id: usize,
        path: Vec<Step>,
    },
    Unary(UnaryOp, NodeId),
    Binary(BinaryOp, NodeId, NodeId),
    If(NodeId, NodeId, NodeId),
    Scalar(ScalarFn, Vec<NodeId>),
    /// An aggregate over the rows of `table` (in the period, kept by
    /// `filter`). With `group`, evaluated per row of the context table: the
    /// path leads from `table` up to it (a correlated aggregate).
    Agg {
        f: AggFn,
        table: usize,
        arg: Option<NodeId>,
        filter: Option<NodeId>,
        /// `percentile`'s p.
        extra: Option<NodeId>,
        group: Option<Vec<Step>>,
    },
    /// `linear(from, to)` scoring indicator `i`'s value.
    Linear(NodeId, NodeId, usize),
    /// `bands(..)` scoring indicator `i`'s value.
    Bands(Vec<(NodeId, NodeId)>, usize),
    /// Peer percentile for indicator `i`.
    Peers(NodeId, usize),
    /// Over the previous period.
    Prior(NodeId),
    /// A plugin function, called once per row (or once, on scalars).
    /// `expect`: the type its place needs (another is a failure).
    Plugin {
        plugin: usize,
        name: String,
        args: Vec<NodeId>,
        span: Span,
        expect: Option<crate::check::Ty>,
    },
    /// An embedder's Rust function (`Plan::natives[index]`).
    Native {
        index: usize,
        args: Vec<NodeId>,
    },
    /// An inline `rhai { .. }` block (a scalar), with the declarations it
    /// reads in its scope.
    Script {
        index: usize,
        names: Vec<(String, DeclId)>,
        span: Span,
    },
    /// Something the evaluator cannot run: null, with this message.
    Unsupported(String, Span),
}

/// An indicator ready to evaluate.
#[derive(Debug, Clone)]
pub struct IndicatorPlan {
    pub objective: usize,
    pub id: String,
    pub value: NodeId,
    pub target: Option<NodeId>,
    /// `None`: the default `linear(0, target)`.
    pub score: Option<NodeId>,
    pub weight: f64,
    /// Tables whose rows the value reads, through lets and other
    /// indicators too.
    pub tables: Vec<usize>,
    /// Lower values are better: from `better = lower`, or found by
    /// evaluating the score function (see `engine`'s direction). Orients
    /// `peers(p)` and peer ranks.
    pub lower_is_better: bool,
}

#[derive(Debug, Clone)]
pub struct ProfilePlan {
    pub table: usize,
    pub name: String,
    pub node: NodeId,
}

/// The whole rule set, compiled against one dataset.
#[derive(Debug)]
pub struct Plan {
    pub nodes: Vec<Node>,
    /// Top-level declarations: params, lets (scalar).
    pub decls: HashMap<DeclId, NodeId>,
    pub indicators: Vec<IndicatorPlan>,
    pub profiles: Vec<ProfilePlan>,
    /// Objective weights, in declaration order.
    pub objective_weights: Vec<f64>,
    pub population: Option<usize>,
    /// Population columns (data or profile) to break indicators down by.
    pub segments: Vec<(String, SegmentSource)>,
    /// Problems found while compiling (unsupported constructs).
    pub diagnostics: Vec<Diagnostic>,
    /// The aggregate node compiled from the expression at a span (for the
    /// explain trace).
    pub by_span: HashMap<Span, NodeId>,
    /// rhai plugins and inline blocks, compiled.
    pub scripts: super::script::Scripts,
    /// Functions the embedder added.
    pub natives: Vec<crate::native::NativeFunction>,
    /// Per node: its value is the same in every segment (see
    /// `segment_free()` below).
    pub segment_free: Vec<bool>,
    /// Per profile: its column is the same in every period (it aggregates
    /// no flow table and no stock table with a `since`, and has no
    /// `prior`): a trend computes it once.
    pub period_free_profiles: Vec<bool>,
    /// Each `prior(..)` node: where it is written and the dated tables its
    /// expression reads (its baseline exists when one of them has a row in
    /// the previous period).
    pub priors: HashMap<NodeId, PriorPlan>,
    /// Per node: the tables it aggregates, through all it reads.
    pub tables_of: Vec<Vec<usize>>,
    /// `(table, filter)` pairs that more than one aggregate filters by:
    /// the rows such a filter keeps are computed once per environment.
    pub shared_filters: HashSet<(usize, NodeId)>,
    /// Per node: the nodes it reads, itself included, whose outcome a
    /// status depends on (scripts, unsupported constructs, `prior`,
    /// `peers`).
    pub watched: Vec<Vec<NodeId>>,
}

/// A `prior(e)`.
#[derive(Debug, Clone)]
pub struct PriorPlan {
    pub span: Span,
    /// The dated tables `e` reads that decide whether it has a baseline:
    /// its flow tables (with a date column) when it reads any, else its
    /// stock tables (with a `since` column). A stock always has rows; a
    /// year without events, say, is still no baseline for a rate of
    /// participation among alumni.
    pub dated: Vec<usize>,
}

/// Where a segment's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentSource {
    Column(usize),
    Profile(usize),
}

impl Plan {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// The nodes whose values a node reads: its operands, and the
    /// declarations, indicator values and profile columns it names.
    pub fn reads(&self, id: NodeId) -> Vec<NodeId> {
        match &self.nodes[id] {
            Node::Decl(d) => {
                let mut out: Vec<NodeId> = self.decls.get(d).copied().into_iter().collect();
                if let DeclId::ProfileColumn(p) = d {
                    out.push(self.profiles[*p].node);
                }
                out
            }
            Node::IndicatorValue(i) => vec![self.indicators[*i].value],
            Node::IndicatorTarget(i) => self.indicators[*i].target.into_iter().collect(),
            Node::Lit(_) | Node::Column { .. } | Node::Parent { .. } | Node::Unsupported(..) => {
                Vec::new()
            }
            Node::Profile { id, .. } => vec![self.profiles[*id].node],
            Node::Plugin { args, .. } | Node::Native { args, .. } | Node::Scalar(_, args) => {
                args.clone()
            }
            Node::Script { names, .. } => names
                .iter()
                .filter_map(|(_, d)| self.decls.get(d).copied())
                .collect(),
            Node::Unary(_, a) | Node::Prior(a) | Node::Peers(a, _) => vec![*a],
            Node::Binary(_, a, b) | Node::Linear(a, b, _) => vec![*a, *b],
            Node::If(a, b, c) => vec![*a, *b, *c],
            Node::Bands(b, _) => b.iter().flat_map(|(t, s)| [*t, *s]).collect(),
            Node::Agg {
                arg, filter, extra, ..
            } => [arg, filter, extra]
                .into_iter()
                .flatten()
                .copied()
                .collect(),
        }
    }

    /// The profile columns the nodes `from` read, through everything they
    /// read in turn.
    pub fn profiles_read(&self, from: &[NodeId]) -> Vec<usize> {
        let mut seen = std::collections::HashSet::new();
        let mut stack = from.to_vec();
        let mut out = Vec::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Node::Profile { id, .. } = self.nodes[n]
                && !out.contains(&id)
            {
                out.push(id);
            }
            stack.extend(self.reads(n));
        }
        out
    }

    /// A scalar aggregate whose filter, argument and parameter are
    /// segment-free: one pass over its rows can serve every segment.
    pub fn groups_by_segment(&self, id: NodeId) -> bool {
        match &self.nodes[id] {
            Node::Agg {
                group: None,
                arg,
                filter,
                extra,
                ..
            } => [arg, filter, extra]
                .into_iter()
                .flatten()
                .all(|&n| self.segment_free[n]),
            _ => false,
        }
    }
}

/// Where an expression is compiled.
#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    table: Option<usize>,
    indicator: Option<usize>,
    score: bool,
    target: bool,
}

struct Compiler<'a, 'd> {
    decls: &'a Decls<'a>,
    data: &'d Dataset,
    strings: &'d Strings,
    nodes: Vec<Node>,
    /// Each node's text → its id (see [`Compiler::push`]).
    interned: HashMap<String, NodeId>,
    diagnostics: Vec<Diagnostic>,
    overrides: &'a HashMap<String, Value>,
    by_span: HashMap<Span, NodeId>,
    /// Each `prior(..)` node and where it is first written.
    prior_spans: HashMap<NodeId, Span>,
    /// The checker's expected types of plugin calls, by span.
    expected: &'a HashMap<Span, crate::check::Ty>,
    scripts: super::script::Scripts,
    sources: &'a crate::source::SourceMap,
    natives: &'a [crate::native::NativeFunction],
}

/// Compiles a checked rule set against a loaded dataset. `overrides` are
/// `--set` values for params; `expected`, the checker's types for plugin
/// calls.
pub fn compile(
    rules: &crate::rules::RuleSet,
    decls: &Decls<'_>,
    data: &Dataset,
    strings: &Strings,
    overrides: &HashMap<String, Value>,
    natives: &[crate::native::NativeFunction],
    expected: &HashMap<Span, crate::check::Ty>,
) -> Plan {
    let mut scripts = super::script::Scripts::default();
    for u in &decls.uses {
        let Some(file) = rules.plugin(&u.value) else {
            continue;
        };
        if let Some(src) = rules.sources.get(file) {
            // Compile errors were reported by the checker.
            let _ = scripts.add_plugin(file, &src.text);
        }
    }
    let mut c = Compiler {
        decls,
        data,
        strings,
        nodes: Vec::new(),
        interned: HashMap::new(),
        diagnostics: Vec::new(),
        overrides,
        by_span: HashMap::new(),
        prior_spans: HashMap::new(),
        expected,
        scripts,
        sources: &rules.sources,
        natives,
    };
    let mut top = HashMap::new();
    for (i, p) in decls.params.iter().enumerate() {
        let node = match overrides.get(&p.name.name) {
            Some(v) => c.push(Node::Lit(v.clone())),
            None => c.expr(&p.value, Ctx::default()),
        };
        top.insert(DeclId::Param(i), node);
    }
    for (i, l) in decls.lets.iter().enumerate() {
        let node = c.expr(&l.value, Ctx::default());
        top.insert(DeclId::Let(i), node);
    }
    let objective_index: HashMap<&str, usize> = decls
        .objectives
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.name.as_str(), i))
        .collect();
    let mut indicators = Vec::new();
    for (i, r) in decls.indicators.iter().enumerate() {
        let ind = r.indicator;
        let ctx = Ctx {
            indicator: Some(i),
            ..Ctx::default()
        };
        let value = match field(&ind.fields, "value") {
            Some(f) => c.expr(&f.value, ctx),
            None => c.push(Node::Lit(Value::Null)),
        };
        let target = field(&ind.fields, "target").map(|f| {
            c.expr(
                &f.value,
                Ctx {
                    target: true,
                    ..ctx
                },
            )
        });
        let score =
            field(&ind.fields, "score").map(|f| c.expr(&f.value, Ctx { score: true, ..ctx }));
        let weight = field(&ind.fields, "weight").map_or(1.0, |w| c.constant(&w.value));
        indicators.push(IndicatorPlan {
            objective: objective_index
                .get(r.objective.id.name.as_str())
                .copied()
                .unwrap_or(0),
            id: ind.id.name.clone(),
            value,
            target,
            score,
            weight,
            tables: Vec::new(),
            lower_is_better: false,
        });
        top.insert(DeclId::Indicator(i), value);
    }
    let mut profiles = Vec::new();
    for col in &decls.profile_columns {
        let table = data
            .tables
            .get_index_of(&col.table.name)
            .unwrap_or(usize::MAX);
        let node = c.expr(
            &col.field.value,
            Ctx {
                table: Some(table),
                ..Ctx::default()
            },
        );
        profiles.push(ProfilePlan {
            table,
            name: col.field.name.name.clone(),
            node,
        });
    }
    let objective_weights = decls
        .objectives
        .iter()
        .map(|o| {
            o.fields()
                .find(|f| f.name.name == "weight")
                .map_or(1.0, |w| c.constant(&w.value))
        })
        .collect();
    let population = decls
        .population()
        .and_then(|p| data.tables.get_index_of(&p.name));
    let segments = c.segments(population);
    let prior_spans = std::mem::take(&mut c.prior_spans);
    let mut plan = Plan {
        nodes: c.nodes,
        decls: top,
        indicators,
        profiles,
        objective_weights,
        population,
        segments,
        diagnostics: c.diagnostics,
        by_span: c.by_span,
        scripts: c.scripts,
        natives: natives.to_vec(),
        segment_free: Vec::new(),
        period_free_profiles: Vec::new(),
        priors: HashMap::new(),
        tables_of: Vec::new(),
        shared_filters: HashSet::new(),
        watched: Vec::new(),
    };
    let order = plan.post_order();
    let mut filtered: HashMap<(usize, NodeId), usize> = HashMap::new();
    for n in &plan.nodes {
        if let Node::Agg {
            table,
            filter: Some(f),
            ..
        } = n
        {
            *filtered.entry((*table, *f)).or_default() += 1;
        }
    }
    plan.shared_filters = filtered
        .into_iter()
        .filter(|&(_, uses)| uses > 1)
        .map(|(k, _)| k)
        .collect();
    plan.segment_free = segment_free(&plan, &order);
    plan.tables_of = plan.gather(&order, |_, n| match n {
        Node::Agg { table, .. } => Some(*table),
        _ => None,
    });
    plan.watched = plan.gather(&order, |id, n| {
        matches!(
            n,
            Node::Unsupported(..)
                | Node::Plugin { .. }
                | Node::Script { .. }
                | Node::Prior(_)
                | Node::Peers(..)
        )
        .then_some(id)
    });
    for i in 0..plan.indicators.len() {
        plan.indicators[i].tables = plan.tables_read(plan.indicators[i].value);
    }
    plan.period_free_profiles = plan
        .profiles
        .iter()
        .map(|p| {
            let dated = plan.tables_read(p.node).iter().any(|&t| {
                data.tables
                    .get_index(t)
                    .is_some_and(|(_, t)| t.date.is_some() || t.since.is_some())
            });
            let looks_back = plan
                .watched(&[p.node])
                .iter()
                .any(|&n| matches!(plan.nodes[n], Node::Prior(_)));
            !dated && !looks_back
        })
        .collect();
    let flow = |t: &usize| {
        data.tables
            .get_index(*t)
            .is_some_and(|(_, t)| t.date.is_some())
    };
    let stock = |t: &usize| {
        data.tables
            .get_index(*t)
            .is_some_and(|(_, t)| t.since.is_some())
    };
    plan.priors = prior_spans
        .into_iter()
        .map(|(id, span)| {
            let inner = match plan.nodes[id] {
                Node::Prior(a) => a,
                _ => id,
            };
            let read = plan.tables_read(inner);
            let flows: Vec<usize> = read.iter().copied().filter(flow).collect();
            let dated = if flows.is_empty() {
                read.into_iter().filter(stock).collect()
            } else {
                flows
            };
            (id, PriorPlan { span, dated })
        })
        .collect();
    plan
}

/// Whether each node has the same value in every segment of a run, row
/// for row: it reads columns, profiles and constants but no aggregate
/// (aggregates are restricted to the segment's rows). An aggregate whose
/// filter and argument are segment-free can be computed for every segment
/// in one grouped pass over the unsegmented rows.
fn segment_free(plan: &Plan, order: &[NodeId]) -> Vec<bool> {
    let mut free = vec![false; plan.nodes.len()];
    for &node in order {
        free[node] = match plan.node(node) {
            // Profiles are computed over every row, whatever the segment.
            Node::Lit(_)
            | Node::Column { .. }
            | Node::Parent { .. }
            | Node::Profile { .. }
            | Node::Unsupported(..) => true,
            Node::Agg { .. }
            | Node::Linear(..)
            | Node::Bands(..)
            | Node::Peers(..)
            | Node::Prior(_) => false,
            // Operators, functions, declarations: free when what they read
            // is (a node on a cycle, which the checker rejects, is not).
            _ => plan.reads(node).into_iter().all(|n| free[n]),
        };
    }
    free
}

impl Plan {
    /// Every node after all the nodes it reads: an order to decide things
    /// bottom up. An explicit stack, as declarations may chain thousands
    /// deep; a cycle (which the checker rejects) is broken anywhere.
    fn post_order(&self) -> Vec<NodeId> {
        let n = self.nodes.len();
        let mut state = vec![0u8; n]; // 0 new, 1 open, 2 done
        let mut order = Vec::with_capacity(n);
        for root in 0..n {
            let mut stack = vec![(root, false)];
            while let Some((node, children_done)) = stack.pop() {
                if children_done {
                    state[node] = 2;
                    order.push(node);
                    continue;
                }
                if state[node] != 0 {
                    continue;
                }
                state[node] = 1;
                stack.push((node, true));
                stack.extend(
                    self.reads(node)
                        .into_iter()
                        .filter(|&m| state[m] == 0)
                        .map(|m| (m, false)),
                );
            }
        }
        order
    }

    /// Per node, the sorted union of `own` over it and everything it reads.
    fn gather<T: Copy + Ord>(
        &self,
        order: &[NodeId],
        own: impl Fn(NodeId, &Node) -> Option<T>,
    ) -> Vec<Vec<T>> {
        let mut out: Vec<Vec<T>> = vec![Vec::new(); self.nodes.len()];
        for &node in order {
            let mut set: Vec<T> = own(node, &self.nodes[node]).into_iter().collect();
            for m in self.reads(node) {
                set.extend_from_slice(&out[m]);
            }
            set.sort_unstable();
            set.dedup();
            out[node] = set;
        }
        out
    }

    /// The tables an expression aggregates, following declarations.
    pub fn tables_read(&self, node: NodeId) -> Vec<usize> {
        self.tables_of.get(node).cloned().unwrap_or_default()
    }

    /// The scripts, unsupported constructs, `prior`s and `peers` that the
    /// nodes `from` read.
    pub fn watched(&self, from: &[NodeId]) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = from
            .iter()
            .flat_map(|&n| self.watched.get(n).into_iter().flatten().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Compiler<'_, '_> {
    /// Adds a node, or finds the same node added before: an expression
    /// written twice (`count(alumni where member)` in six indicators, say)
    /// is one node, evaluated once per environment. Children are already
    /// shared, so nodes with the same text are the same computation.
    fn push(&mut self, node: Node) -> NodeId {
        let key = format!("{node:?}");
        if let Some(&id) = self.interned.get(&key) {
            return id;
        }
        self.nodes.push(node);
        let id = self.nodes.len() - 1;
        self.interned.insert(key, id);
        id
    }

    /// A weight: a constant number, or a param's value.
    fn constant(&mut self, e: &Expr) -> f64 {
        if let Some(n) = crate::check::constant_number(e) {
            return n;
        }
        if let ExprKind::Name(n) = &e.kind {
            if let Some(v) = self.overrides.get(&n.name).and_then(Value::as_num) {
                return v;
            }
            if let Some(DeclId::Param(i)) = self.decls.names.get(n.name.as_str())
                && let Some(v) = crate::check::constant_number(&self.decls.params[*i].value)
            {
                return v;
            }
        }
        self.diagnostics.push(
            Diagnostic::error(
                "eval::weight",
                "a weight must be a number or a param holding one",
            )
            .at(e.span, "not a constant")
            .with_help("weights are set before scoring: write a number, or a param holding one (`param cost_weight = 2`)"),
        );
        0.0
    }

    fn segments(&mut self, population: Option<usize>) -> Vec<(String, SegmentSource)> {
        let Some(pop) = population else {
            return Vec::new();
        };
        let Some((s, _)) = self.decls.scorecards.first() else {
            return Vec::new();
        };
        let Some(f) = field(&s.fields, "segments") else {
            return Vec::new();
        };
        let ExprKind::List(items) = &f.value.kind else {
            return Vec::new();
        };
        let pop_name = self
            .data
            .tables
            .get_index(pop)
            .map(|(n, _)| n.as_str())
            .unwrap_or("");
        items
            .iter()
            .filter_map(|item| {
                let ExprKind::Name(n) = &item.kind else {
                    return None;
                };
                if let Some(&p) = self.decls.profile_names.get(&(pop_name, n.name.as_str())) {
                    return Some((n.name.clone(), SegmentSource::Profile(p)));
                }
                let col = self.data.tables[pop].column_index(&n.name)?;
                Some((n.name.clone(), SegmentSource::Column(col)))
            })
            .collect()
    }

    fn path(&self, from: usize, to: usize) -> Option<Vec<Step>> {
        super::columnar::path_to(self.data, from, to)
    }

    fn table_index(&self, name: &str) -> Option<usize> {
        self.data.tables.get_index_of(name)
    }

    fn unsupported(&mut self, message: String, span: Span) -> NodeId {
        self.push(Node::Unsupported(message, span))
    }

    /// A column (or profile column) of `table`, read from rows of `ctx`.
    fn column_of(&mut self, table: usize, column: &str, ctx: usize, span: Span) -> NodeId {
        let tname = self
            .data
            .tables
            .get_index(table)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        let Some(path) = self.path(ctx, table) else {
            return self.unsupported(format!("no relation leads to `{tname}`"), span);
        };
        if let Some(&id) = self.decls.profile_names.get(&(tname.as_str(), column)) {
            return self.push(Node::Profile { id, path });
        }
        match self.data.tables[table].column_index(column) {
            Some(col) if path.is_empty() => self.push(Node::Column { col }),
            Some(col) => self.push(Node::Parent { path, col }),
            None => self.unsupported(format!("`{tname}` has no column `{column}`"), span),
        }
    }

    fn expr(&mut self, e: &Expr, ctx: Ctx) -> NodeId {
        match &e.kind {
            ExprKind::Number(n) => self.push(Node::Lit(Value::num(*n))),
            ExprKind::Percent(n) => self.push(Node::Lit(Value::num(n / 100.0))),
            ExprKind::String(s) => {
                let id = self.strings.intern(s);
                self.push(Node::Lit(Value::Str(id)))
            }
            ExprKind::Bool(b) => self.push(Node::Lit(Value::Bool(*b))),
            ExprKind::Date(d) => {
                use chrono::Datelike;
                self.push(Node::Lit(Value::Date(d.num_days_from_ce())))
            }
            ExprKind::Null => self.push(Node::Lit(Value::Null)),
            ExprKind::List(items) => {
                let mut ids = Vec::new();
                for item in items {
                    match &item.kind {
                        ExprKind::String(s) => ids.push(self.strings.intern(s)),
                        ExprKind::Number(n) => ids.push(self.strings.intern(&format!("{n}"))),
                        _ => {}
                    }
                }
                self.push(Node::Lit(Value::List(ids.into())))
            }
            ExprKind::Period { .. } => self.push(Node::Lit(Value::Null)),
            ExprKind::Name(n) => self.name(n, ctx),
            ExprKind::Column { table, column } => {
                let (Some(t), Some(row)) = (self.table_index(&table.name), ctx.table) else {
                    return self.unsupported(
                        format!("`{table}.{column}` outside the rows of a table"),
                        e.span,
                    );
                };
                self.column_of(t, &column.name, row, e.span)
            }
            ExprKind::Unary { op, operand } => {
                let a = self.expr(operand, ctx);
                self.push(Node::Unary(*op, a))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.expr(lhs, ctx);
                let b = self.expr(rhs, ctx);
                self.push(Node::Binary(*op, a, b))
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let a = self.expr(cond, ctx);
                let b = self.expr(then, ctx);
                let c = self.expr(otherwise, ctx);
                self.push(Node::If(a, b, c))
            }
            ExprKind::Call {
                function,
                args,
                filter,
            } => self.call(function, args, filter.as_deref(), e.span, ctx),
            ExprKind::Bands(bands) => {
                let pairs = bands
                    .iter()
                    .map(|b| (self.expr(&b.threshold, ctx), self.expr(&b.score, ctx)))
                    .collect();
                self.push(Node::Bands(pairs, ctx.indicator.unwrap_or(usize::MAX)))
            }
            ExprKind::Rhai(body) => {
                let names = &self.decls.names;
                match self
                    .scripts
                    .add_inline(body, e.span, self.sources, &|n| names.contains_key(n))
                {
                    Ok(index) => {
                        let names = self.scripts.inline[index]
                            .names
                            .iter()
                            .filter_map(|n| {
                                self.decls.names.get(n.as_str()).map(|id| (n.clone(), *id))
                            })
                            .collect();
                        self.push(Node::Script {
                            index,
                            names,
                            span: e.span,
                        })
                    }
                    Err(err) => self.unsupported(format!("rhai: {}", err.err_type()), e.span),
                }
            }
        }
    }

    fn name(&mut self, n: &Ident, ctx: Ctx) -> NodeId {
        let name = n.name.as_str();
        if let Some(i) = ctx.indicator {
            if (ctx.score || ctx.target) && name == "value" {
                return self.push(Node::IndicatorValue(i));
            }
            if ctx.score && name == "target" {
                return self.push(Node::IndicatorTarget(i));
            }
        }
        if let Some(t) = ctx.table {
            let tname = self
                .data
                .tables
                .get_index(t)
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
            if let Some(&id) = self.decls.profile_names.get(&(tname.as_str(), name)) {
                return self.push(Node::Profile {
                    id,
                    path: Vec::new(),
                });
            }
            if let Some(col) = self.data.tables[t].column_index(name) {
                return self.push(Node::Column { col });
            }
        }
        match self.decls.names.get(name) {
            Some(&id) => self.push(Node::Decl(id)),
            None => self.unsupported(format!("unknown name `{name}`"), n.span),
        }
    }

    fn call(
        &mut self,
        function: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        span: Span,
        ctx: Ctx,
    ) -> NodeId {
        let name = function.name.as_str();
        if let Some((plugin, _)) = self.scripts.functions.get(name).cloned() {
            let args = args.iter().map(|a| self.expr(a, ctx)).collect();
            return self.push(Node::Plugin {
                plugin,
                name: name.to_string(),
                args,
                span,
                expect: self.expected.get(&span).copied(),
            });
        }
        if let Some(index) = self.natives.iter().position(|f| f.name == name) {
            let args = args.iter().map(|a| self.expr(a, ctx)).collect();
            return self.push(Node::Native { index, args });
        }
        let Some(builtin) = functions::lookup(name, args.len()) else {
            return self.unsupported(format!("unknown function `{name}`"), span);
        };
        match builtin.kind {
            FnKind::Aggregate => self.aggregate(name, args, filter, span, ctx),
            FnKind::Scoring => {
                let a = self.expr(&args[0], ctx);
                let b = self.expr(&args[1], ctx);
                self.push(Node::Linear(a, b, ctx.indicator.unwrap_or(usize::MAX)))
            }
            FnKind::Peers => {
                let p = self.expr(&args[0], ctx);
                let id = self.push(Node::Peers(p, ctx.indicator.unwrap_or(usize::MAX)));
                self.by_span.insert(span, id);
                id
            }
            FnKind::Prior => {
                let a = self.expr(&args[0], ctx);
                let id = self.push(Node::Prior(a));
                self.by_span.insert(span, id);
                self.prior_spans.entry(id).or_insert(span);
                id
            }
            FnKind::Scalar => {
                let f = match name {
                    "round" => ScalarFn::Round,
                    "abs" => ScalarFn::Abs,
                    "min" => ScalarFn::Min,
                    "max" => ScalarFn::Max,
                    "log" => ScalarFn::Log,
                    "sqrt" => ScalarFn::Sqrt,
                    "coalesce" => ScalarFn::Coalesce,
                    "year" => ScalarFn::Year,
                    "month" => ScalarFn::Month,
                    "days_between" => ScalarFn::DaysBetween,
                    "lower" => ScalarFn::Lower,
                    "upper" => ScalarFn::Upper,
                    "len" => ScalarFn::Len,
                    _ => ScalarFn::Contains,
                };
                let args = args.iter().map(|a| self.expr(a, ctx)).collect();
                self.push(Node::Scalar(f, args))
            }
        }
    }

    fn aggregate(
        &mut self,
        name: &str,
        args: &[Expr],
        filter: Option<&Expr>,
        span: Span,
        ctx: Ctx,
    ) -> NodeId {
        let f = match name {
            "count" => AggFn::Count,
            "sum" => AggFn::Sum,
            "avg" => AggFn::Avg,
            "min" => AggFn::Min,
            "max" => AggFn::Max,
            "median" => AggFn::Median,
            "percentile" => AggFn::Percentile,
            "distinct" => AggFn::Distinct,
            "any" => AggFn::Any,
            "all" => AggFn::All,
            _ => AggFn::Share,
        };
        let table_name = if functions::takes_table(name) {
            match &args[0].kind {
                ExprKind::Name(t) => Some(t.name.clone()),
                _ => None,
            }
        } else {
            let mut tables = Vec::new();
            crate::check::expr::collect_tables(&args[0], &mut tables);
            tables.retain(|t| !self.decls.names.contains_key(t.as_str()));
            let indexes: Vec<usize> = tables.iter().filter_map(|t| self.table_index(t)).collect();
            crate::check::expr::child_most(&indexes, |&c, &o| self.path(c, o).is_some())
                .and_then(|&c| self.data.tables.get_index(c).map(|(n, _)| n.clone()))
        };
        let Some(table) = table_name.as_deref().and_then(|t| self.table_index(t)) else {
            return self.unsupported(format!("`{name}` reads no table of the dataset"), span);
        };
        let inner = Ctx {
            table: Some(table),
            ..ctx
        };
        let arg = (!functions::takes_table(name)).then(|| self.expr(&args[0], inner));
        let filter = filter.map(|f| self.expr(f, inner));
        let extra = args.get(1).map(|p| self.expr(p, ctx));
        let group = match ctx.table {
            Some(row) if row != table => self.path(table, row),
            _ => None,
        };
        let id = self.push(Node::Agg {
            f,
            table,
            arg,
            filter,
            extra,
            group,
        });
        self.by_span.insert(span, id);
        id
    }
}
