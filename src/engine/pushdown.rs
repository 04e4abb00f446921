//! Pushdown (`kpi score --engine postgres`): what a report reads of the
//! rows — each aggregate and row count, in each period and segment it is
//! read in, and the segments' values and sizes — asked of the database
//! in one query; the report is then assembled from the answers by the
//! same code as from rows, so that it is the local engine's report.
//!
//! The questions are found by walking what the report evaluates: every
//! indicator's value, target and score in each period of the trend, and
//! those the report breaks down in each segment; under `prior(..)`, the
//! previous period, with the counts its baseline check reads.

use std::collections::HashSet;
use std::sync::Arc;

use super::Scoring;
use crate::check::DeclId;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::plan::{Node, NodeId, SegmentSource};
use crate::eval::pushed::{Asked, Where};
use crate::sql::Dialect;
use crate::sql::push::{Push, PushQuery, PushedRow, Question};

/// The questions of a report, each once.
#[derive(Default)]
struct Questions {
    list: Vec<Question>,
    seen: HashSet<(Asked, Where)>,
    walked: HashSet<(NodeId, Where)>,
}

type Ctx = crate::sql::push::Ctx;

fn key(ctx: Ctx) -> Where {
    (ctx.period, ctx.members, ctx.segment)
}

/// The context of `prior(..)` in `ctx`: the previous period, the same
/// members (`None` without a period: nothing to look back to).
fn before(ctx: Ctx) -> Option<Ctx> {
    Some(Ctx {
        period: Some(crate::eval::previous_period(ctx.period?)),
        ..ctx
    })
}

impl Questions {
    fn ask(&mut self, asked: Asked, ctx: Ctx) {
        if self.seen.insert((asked, key(ctx))) {
            self.list.push(Question { asked, ctx });
        }
    }
}

impl<'a> Scoring<'a> {
    /// The query of everything this scoring's report reads of the rows,
    /// for a database holding the dataset's tables (pushdown). What has
    /// no SQL (a rhai function over rows, say) is computed here: the
    /// query lists the tables whose rows that needs (`rows_needed`) and a
    /// warning per indicator (`notes`).
    pub fn pushdown(&self, dialect: Dialect) -> Result<PushQuery, Diagnostics> {
        if self.explain {
            return Err(Diagnostics::from(vec![
                Diagnostic::error(
                    "sql::pushdown",
                    "the explain trace lists rows, which pushdown does not read",
                )
                .fr("la trace `explain` cite des lignes, que le calcul en base ne lit pas")
                .with_help("score with the local engine (no `--engine`) to explain"),
            ]));
        }
        let plan = &self.c.plan;
        let mut q = Questions::default();
        // The whole population, in each period of the trend.
        let mut period = self.period;
        for _ in 0..self.periods {
            let ctx = Ctx {
                period,
                members: period,
                segment: None,
            };
            for t in 0..self.data.tables.len() {
                q.ask(Asked::Rows(t), ctx);
            }
            for i in 0..plan.indicators.len() {
                self.ask_figure(&mut q, i, ctx);
            }
            for p in 0..self.c.decls.params.len() {
                if let Some(&node) = plan.decls.get(&DeclId::Param(p)) {
                    self.walk(&mut q, node, ctx);
                }
            }
            let Some(p) = period else { break };
            period = Some(crate::eval::previous_period(p));
        }
        // Each segment's values, and the figures broken down by it.
        let mut segments = Vec::new();
        for (name, source) in &plan.segments {
            segments.push((*source, self.period));
            let ctx = Ctx {
                period: self.period,
                members: self.period,
                segment: Some(*source),
            };
            for i in 0..plan.indicators.len() {
                if self.broken_down(i, name) {
                    self.ask_figure(&mut q, i, ctx);
                }
            }
        }
        let header = format!(
            "alumni-kpi {}: {} (pushdown)\nperiod {}; revision {}; dialect {dialect}\ncolumns: k, segment_value, num, txt",
            env!("CARGO_PKG_VERSION"),
            self.scorecard_title(),
            self.period
                .and_then(super::assemble::iso_period)
                .map_or("none".to_string(), |(from, to)| format!("{from} .. {to}")),
            self.revision(),
        );
        let mut push = Push::new(
            plan,
            self.data,
            &self.c.strings,
            dialect,
            q.list,
            &segments,
            self.c.max_segments,
        );
        self.plan_local(&mut push);
        Ok(push.finish(&header))
    }

    /// What has no SQL is computed here: the aggregates it reads with
    /// it, the tables whose rows that needs, and a warning per indicator.
    fn plan_local(&self, push: &mut Push<'_>) {
        let plan = &self.c.plan;
        let query = push.query();
        let mut roots: Vec<NodeId> = Vec::new();
        let mut segmented: Vec<SegmentSource> = Vec::new();
        // Rows counted here: in a segment whose values have no SQL.
        let mut counted = Vec::new();
        for (question, _) in &query.local {
            match question.asked {
                Asked::Agg(node) => roots.push(node),
                Asked::Rows(t) => counted.push(t),
            }
            if let Some(s) = question.ctx.segment {
                segmented.push(s);
            }
        }
        // An aggregate read by one computed here is computed here too.
        let mut nodes = HashSet::new();
        let mut stack = roots.clone();
        while let Some(n) = stack.pop() {
            if nodes.insert(n) {
                stack.extend(plan.reads(n));
            }
        }
        nodes.retain(|&n| matches!(plan.node(n), Node::Agg { group: None, .. }));
        // Counted in a segment anywhere, it is counted here in it.
        for question in query.questions_list() {
            if let (Asked::Agg(n), Some(s)) = (question.asked, question.ctx.segment)
                && nodes.contains(&n)
            {
                segmented.push(s);
            }
        }
        segmented.extend(query.local_segments.iter().map(|(s, _)| *s));
        segmented.sort_by_key(|s| format!("{s:?}"));
        segmented.dedup();
        // The periods the local part reads profiles in: its questions',
        // their members', and the one before each (`prior(..)`).
        let mut periods = std::collections::BTreeSet::new();
        for (question, _) in &query.local {
            for p in [question.ctx.period, question.ctx.members] {
                periods.insert(p);
                periods.insert(p.map(crate::eval::previous_period));
            }
        }
        // The profile columns it reads are computed in the database too
        // (the rows they count stay there), unless they have no SQL or
        // their table has a row without a key to match them by.
        let mut pushed: HashSet<usize> = (0..plan.profiles.len())
            .filter(|&p| !self.has_rows_without_key(plan.profiles[p].table))
            .collect();
        let mut tried = HashSet::new();
        let tables = loop {
            let (tables, read) =
                crate::sql::tables_read(plan, self.data, (&roots, &counted), &segmented, &pushed);
            let mut dropped = false;
            let read: Vec<usize> = read.into_iter().filter(|p| pushed.contains(p)).collect();
            for p in read {
                let period_free = plan.period_free_profiles[p];
                for &period in &periods {
                    let period = if period_free { None } else { period };
                    if !tried.insert((p, period)) {
                        continue;
                    }
                    if push.profile(p, period).is_err() {
                        push.drop_profile(p);
                        pushed.remove(&p);
                        dropped = true;
                        break;
                    }
                }
            }
            if !dropped {
                break tables;
            }
        };
        let query = push.query();
        query.rows_needed = tables
            .iter()
            .map(|&t| self.data.tables[t].name.clone())
            .collect();
        query.local_nodes = nodes;
        // One warning per indicator (or segment) computed here.
        let mut said = HashSet::new();
        let mut notes = Vec::new();
        for (question, gap) in &query.local {
            if let Some(d) = self.computed_here(*question, gap)
                && said.insert(d.message.clone())
            {
                notes.push(d);
            }
        }
        for (source, gap) in &query.local_segments {
            let name = plan
                .segments
                .iter()
                .find(|(_, s)| s == source)
                .map_or("", |(n, _)| n.as_str());
            notes.push(
                Diagnostic::warning(
                    "sql::pushdown",
                    format!("segment `{name}` is broken down here, not in the database: {gap}"),
                )
                .fr(format!(
                    "le segment `{name}` est détaillé ici, pas en base : {gap}"
                )),
            );
        }
        query.notes = notes;
    }

    /// This scoring, reading the database's answers to `query` (its rows)
    /// in place of the dataset's rows: the dataset may then hold the
    /// tables' shape only. Its report is the local engine's; the
    /// profiles and the explain trace, which list rows, are not given.
    pub fn answered(
        mut self,
        query: &PushQuery,
        rows: &[PushedRow],
    ) -> Result<Scoring<'a>, Diagnostics> {
        let answers = query
            .read(rows, self.data, &self.c.strings)
            .map_err(|why| {
                Diagnostics::from(vec![
                    Diagnostic::error(
                        "sql::pushdown",
                        format!("the database's answer cannot be read: {why}"),
                    )
                    .fr(format!("la réponse de la base est illisible : {why}")),
                ])
            })?;
        // The local part counts rows: a table it reads must be here whole
        // (a dataset of shapes only would give zeros, not figures).
        let short: Vec<String> = query
            .rows_needed
            .iter()
            .filter_map(|name| {
                let t = self.data.tables.get_index_of(name)?;
                let here = self.data.tables[t].len;
                let there = answers.totals.get(t).copied().unwrap_or(0);
                (here != there)
                    .then(|| format!("`{name}` ({here} rows here, {there} in the database)"))
            })
            .collect();
        if !short.is_empty() {
            return Err(Diagnostics::from(vec![
                Diagnostic::error(
                    "sql::pushdown",
                    format!(
                        "what is computed here reads tables whose rows are not all here: {}",
                        short.join(", ")
                    ),
                )
                .fr(format!(
                    "ce qui est calculé ici lit des tables dont les lignes ne sont pas toutes là : {}",
                    short.join(", ")
                ))
                .with_help("read the dataset with `Source::pushdown_dataset`, which reads these tables' rows"),
            ]));
        }
        self.pushed = Some(Arc::new(answers));
        Ok(self)
    }

    /// Whether the figures come from a database's answers.
    pub(super) fn is_pushed(&self) -> bool {
        self.pushed.is_some()
    }

    /// The rows of table `t`: the database's count under pushdown.
    pub(super) fn table_rows(&self, t: usize) -> usize {
        match &self.pushed {
            Some(p) => p.totals.get(t).copied().unwrap_or(0),
            None => self.data.tables[t].len,
        }
    }

    /// The questions of indicator `i`'s figures in `ctx`: what its value,
    /// target and score read, the counts its status reads (its tables',
    /// its `prior(..)`s' baselines).
    fn ask_figure(&self, q: &mut Questions, i: usize, ctx: Ctx) {
        let ind = &self.c.plan.indicators[i];
        let mut roots = vec![ind.value];
        roots.extend(ind.target);
        roots.extend(ind.score);
        for &root in &roots {
            self.walk(q, root, ctx);
        }
        for &t in &ind.tables {
            q.ask(Asked::Rows(t), ctx);
        }
        if let Some(back) = before(ctx) {
            for n in self.c.plan.watched(&roots) {
                for &t in self.c.plan.priors.get(&n).map_or(&[][..], |p| &p.dated) {
                    q.ask(Asked::Rows(t), back);
                }
            }
        }
    }

    /// The aggregates a scalar node reads in `ctx`.
    fn walk(&self, q: &mut Questions, node: NodeId, ctx: Ctx) {
        if !q.walked.insert((node, key(ctx))) {
            return;
        }
        let plan = &self.c.plan;
        match plan.node(node) {
            Node::Agg { group: None, .. } => q.ask(Asked::Agg(node), ctx),
            // Read per row, inside an aggregate or a profile: the
            // aggregate around it is asked.
            Node::Agg { group: Some(_), .. }
            | Node::Column { .. }
            | Node::Parent { .. }
            | Node::Profile { .. }
            | Node::Decl(DeclId::ProfileColumn(_)) => {}
            Node::Prior(a) => {
                let Some(back) = before(ctx) else { return };
                for &t in plan.priors.get(&node).map_or(&[][..], |p| &p.dated) {
                    q.ask(Asked::Rows(t), back);
                }
                self.walk(q, *a, back);
            }
            Node::Linear(_, _, i) | Node::Bands(_, i) => {
                self.walk(q, plan.indicators[*i].value, ctx);
                for r in plan.reads(node) {
                    self.walk(q, r, ctx);
                }
            }
            _ => {
                for r in plan.reads(node) {
                    self.walk(q, r, ctx);
                }
            }
        }
    }

    /// Whether a table read here has a row without a key: a profile
    /// column the database computes could not be matched to it.
    fn has_rows_without_key(&self, t: usize) -> bool {
        use crate::data::ColumnData;
        use crate::data::column::{NULL_BOOL, NULL_DATE, NULL_STR};
        let table = &self.data.tables[t];
        let Some(key) = table.key else {
            return true;
        };
        match &table.columns[key].data {
            ColumnData::Number(v) => v.iter().any(|x| x.is_nan()),
            ColumnData::Str(v) => v.contains(&NULL_STR),
            ColumnData::Date(v) => v.contains(&NULL_DATE),
            ColumnData::Bool(v) => v.contains(&NULL_BOOL),
            ColumnData::List { .. } => true,
        }
    }

    /// Says that a question with no SQL is computed here, at the
    /// indicator that asks it.
    fn computed_here(&self, question: Question, gap: &str) -> Option<Diagnostic> {
        let plan = &self.c.plan;
        let reads = |root: NodeId| match question.asked {
            Asked::Agg(node) => reaches(plan, root, node),
            Asked::Rows(_) => false,
        };
        let at = (0..plan.indicators.len()).find(|&i| {
            let ind = &plan.indicators[i];
            reads(ind.value) || ind.target.is_some_and(reads) || ind.score.is_some_and(reads)
        });
        // A count of rows has SQL; it has none only in a segment whose
        // values have none, which is said once for the segment.
        let i = at?;
        let id = &plan.indicators[i].id;
        Some(
            Diagnostic::warning(
                "sql::pushdown",
                format!("indicator `{id}` is computed here, from the rows it reads, not in the database: {gap}"),
            )
            .fr(format!(
                "l'indicateur `{id}` est calculé ici, à partir des lignes qu'il lit, pas en base : {gap}"
            ))
            .at(
                self.c.decls.indicators[i].indicator.id.span,
                "computed here",
            ),
        )
    }
}

/// Whether `from` reads `to`, through everything it names.
fn reaches(plan: &crate::eval::plan::Plan, from: NodeId, to: NodeId) -> bool {
    let mut seen = HashSet::new();
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n) {
            stack.extend(plan.reads(n));
        }
    }
    false
}
