//! The plan compiled to one SQL query: each aggregate becomes a grouped
//! subquery (a CTE, shared by every figure that reads it), joined on the
//! key of the row it is counted for (a profile's correlated aggregate), on
//! the segment value (a figure of one segment), or on nothing (a figure of
//! the whole population). Nothing is correlated: every engine plans it,
//! and a one-to-many relation is always aggregated before it is joined,
//! so no row is counted twice.
//!
//! The null rules of the local engine are kept: a division by zero is
//! `NULLIF`'s null, `count` and `sum` over no rows are 0 (`COALESCE`), a
//! `where` keeps a row only when its condition is true (`CASE WHEN`), and
//! `and`/`or` are SQL's own three-valued logic, as the rules'.

use std::collections::HashMap;

use super::dialect::Render;
use super::types::Ty;
use crate::data::{ColumnData, Dataset};
use crate::eval::Period;
use crate::eval::plan::{AggFn, Node, NodeId, Plan, ScalarFn, SegmentSource, Step};
use crate::eval::value::{Strings, Value};
use crate::syntax::ast::{BinaryOp, UnaryOp};

/// Why a node has no SQL.
pub(crate) type Gap = String;

/// The evaluation context of an expression: its period, the period that
/// decides who is in the segment, and the segment (none inside a profile,
/// which counts every related row).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub period: Option<Period>,
    pub members: Option<Period>,
    pub segment: Option<SegmentSource>,
}

/// The current row: a table and the alias its row has in the query.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub table: usize,
    pub alias: String,
}

/// One FROM clause being built: its joins, each once.
#[derive(Default)]
pub(super) struct Level {
    joins: Vec<String>,
    /// A join's identity → its alias.
    seen: HashMap<String, String>,
    /// The SQL of the current segment value at this level (the driving
    /// row's value, or the value of the row an aggregate counts).
    pub segment_key: Option<String>,
}

impl Level {
    pub fn new(segment_key: Option<String>) -> Level {
        Level {
            joins: Vec::new(),
            seen: HashMap::new(),
            segment_key,
        }
    }
}

pub(crate) struct Compiler<'a> {
    pub(super) plan: &'a Plan,
    pub(super) data: &'a Dataset,
    strings: &'a Strings,
    pub(super) r: &'static dyn Render,
    /// Profile columns' subqueries: name, SQL.
    pub ctes: Vec<(String, String)>,
    /// CTE names given so far.
    named: usize,
    /// The CTEs being filled, innermost last (their levels get the joins).
    pub(super) filling: Vec<String>,
    /// Which CTEs each CTE joins.
    deps: HashMap<String, std::collections::HashSet<String>>,
    /// Aggregates' subqueries, one per table scanned in one way.
    pub(super) scans: super::scan::Scans,
    /// Per table and period, its profile columns' CTE and the columns
    /// with no SQL.
    profile_tables: HashMap<(usize, Option<Period>), ProfileTable>,
    /// The profile CTEs being built (a profile read inside is computed
    /// where it is read).
    building: Vec<(usize, Option<Period>)>,
    pub(super) next: usize,
    /// The dataset holds the tables' shape, not their rows (pushdown):
    /// no column is known to be empty.
    pub(super) rows_unknown: bool,
}

impl<'a> Compiler<'a> {
    pub fn new(
        plan: &'a Plan,
        data: &'a Dataset,
        strings: &'a Strings,
        r: &'static dyn Render,
    ) -> Compiler<'a> {
        Compiler {
            plan,
            data,
            strings,
            r,
            ctes: Vec::new(),
            named: 0,
            filling: Vec::new(),
            deps: HashMap::new(),
            scans: Default::default(),
            profile_tables: HashMap::new(),
            building: Vec::new(),
            next: 0,
            rows_unknown: false,
        }
    }

    pub(super) fn alias(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    pub(super) fn table_name(&self, t: usize) -> String {
        self.r.ident(&self.data.tables[t].name)
    }

    pub(super) fn col(&self, alias: &str, t: usize, c: usize) -> String {
        format!(
            "{alias}.{}",
            self.r.ident(&self.data.tables[t].columns[c].name)
        )
    }

    pub(super) fn double(&self, e: &str) -> String {
        format!("CAST({e} AS {})", self.r.double())
    }

    /// One figure: a SELECT of the indicator's value, for the whole
    /// population (`segment` none) or for each value of a segment.
    pub fn figure(
        &mut self,
        indicator: usize,
        ctx: Ctx,
        segment: Option<(&str, SegmentSource)>,
    ) -> Result<String, Gap> {
        let id = &self.plan.indicators[indicator].id;
        let node = self.plan.indicators[indicator].value;
        if self.ty(node, None) != Ty::Num && self.ty(node, None) != Ty::Unknown {
            return Err("its value is not a number".into());
        }
        let text = self.r.text();
        match segment {
            None => {
                let mut lv = Level::new(None);
                let value = self.expr(node, None, ctx, &mut lv)?;
                Ok(format!(
                    "SELECT {} AS indicator, CAST(NULL AS {text}) AS segment, CAST(NULL AS {text}) AS segment_value, {} AS value FROM (SELECT 1 AS one) d{}",
                    self.r.string(id),
                    self.double(&value),
                    joins(&lv)
                ))
            }
            Some((name, source)) => {
                let driver = self.segment_values(source, ctx)?;
                let label = self.segment_label(source);
                let mut lv = Level::new(Some("d.v".into()));
                let value = self.expr(node, None, ctx, &mut lv)?;
                Ok(format!(
                    "SELECT {} AS indicator, {} AS segment, {label} AS segment_value, {} AS value FROM ({driver}) d{}",
                    self.r.string(id),
                    self.r.string(name),
                    self.double(&value),
                    joins(&lv)
                ))
            }
        }
    }

    /// The distinct non-null values of a segment over the whole population
    /// (as the local engine lists them), as a query of one column `v`.
    fn segment_values(&mut self, source: SegmentSource, ctx: Ctx) -> Result<String, Gap> {
        let (v, from) = self.population_segment(source, ctx)?;
        Ok(format!(
            "SELECT DISTINCT {v} AS v FROM {from} WHERE {v} IS NOT NULL"
        ))
    }

    /// A segment's value over the rows of the population: its SQL, and
    /// the FROM clause (the population and the joins it needs).
    pub(super) fn population_segment(
        &mut self,
        source: SegmentSource,
        ctx: Ctx,
    ) -> Result<(String, String), Gap> {
        let pop = self
            .plan
            .population
            .ok_or("the scorecard has no population")?;
        let alias = self.alias("p");
        let mut lv = Level::new(None);
        let row = Row {
            table: pop,
            alias: alias.clone(),
        };
        let v = self.segment_value(source, &row, ctx, &mut lv)?;
        let from = format!("{} {alias}{}", self.table_name(pop), joins(&lv));
        Ok((v, from))
    }

    /// A segment value `d.v` as text, as the report labels it: a whole
    /// number as `2000`, where an engine's text of a double may be
    /// `2000.0`.
    pub(super) fn segment_label(&self, source: SegmentSource) -> String {
        let text = self.r.text();
        match self.segment_type(source) {
            Ty::Num => format!(
                "CASE WHEN d.v = FLOOR(d.v) AND ABS(d.v) < 1e15 THEN CAST(CAST(d.v AS BIGINT) AS {text}) ELSE CAST(d.v AS {text}) END"
            ),
            _ => format!("CAST(d.v AS {text})"),
        }
    }

    /// The type of a segment's values.
    pub(super) fn segment_type(&self, source: SegmentSource) -> Ty {
        match (source, self.plan.population) {
            (SegmentSource::Column(c), Some(pop)) => match self.data.tables[pop].columns[c].data {
                ColumnData::Number(_) => Ty::Num,
                ColumnData::Bool(_) => Ty::Bool,
                ColumnData::Date(_) => Ty::Date,
                ColumnData::List { .. } => Ty::List,
                ColumnData::Str(_) => Ty::Str,
            },
            (SegmentSource::Profile(id), _) => {
                let p = &self.plan.profiles[id];
                self.ty(p.node, Some(p.table))
            }
            _ => Ty::Unknown,
        }
    }

    /// The segment value of a population row.
    pub(super) fn segment_value(
        &mut self,
        source: SegmentSource,
        row: &Row,
        ctx: Ctx,
        lv: &mut Level,
    ) -> Result<String, Gap> {
        match source {
            SegmentSource::Column(c) => {
                if matches!(
                    self.data.tables[row.table].columns[c].data,
                    ColumnData::List { .. }
                ) {
                    return Err(format!(
                        "its segment `{}` is a list column, which SQL does not break down",
                        self.data.tables[row.table].columns[c].name
                    ));
                }
                // As the rules see it: a timestamp as its day, text trimmed.
                Ok(self.cell(row.table, c, self.col(&row.alias, row.table, c)))
            }
            SegmentSource::Profile(id) => {
                let p = &self.plan.profiles[id];
                if self.ty(p.node, Some(p.table)) == Ty::List {
                    return Err(format!(
                        "its segment `{}` is a list, which SQL does not break down",
                        p.name
                    ));
                }
                let members = Ctx {
                    period: ctx.members,
                    members: ctx.members,
                    segment: None,
                };
                self.profile(id, row, members, lv)
            }
        }
    }

    fn literal(&self, v: &Value) -> Result<String, Gap> {
        Ok(match v {
            Value::Null => "NULL".into(),
            Value::Num(n) => self.double(&format!("{n}")),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Value::Str(s) => self.r.string(&self.strings.text(*s)),
            Value::Date(d) => match crate::data::column::date_of(*d) {
                Some(date) => format!("DATE '{date}'"),
                None => return Err("a date out of range".into()),
            },
            Value::List(_) => return Err("a list used as a value".into()),
        })
    }

    /// `a = b` for a key and a reference to it. The local engine matches
    /// them by their text; SQL by value, and the text of a number differs
    /// between engines (`1` or `1.0`): of two types, they are refused
    /// unless one of them holds no value.
    fn same_key(
        &self,
        a: (String, usize, usize),
        b: (String, usize, usize),
    ) -> Result<String, Gap> {
        let b_sql = self.same_type(b.0, (b.1, b.2), (a.1, a.2))?;
        Ok(format!("{} = {b_sql}", a.0))
    }

    /// A reference's SQL in the type of the key it refers to.
    pub(super) fn same_type(
        &self,
        sql: String,
        of: (usize, usize),
        like: (usize, usize),
    ) -> Result<String, Gap> {
        let ty =
            |(t, c): (usize, usize)| std::mem::discriminant(&self.data.tables[t].columns[c].data);
        if ty(of) == ty(like) {
            return Ok(sql);
        }
        let (t_of, t_like) = (&self.data.tables[of.0], &self.data.tables[like.0]);
        // A column with no value (an empty table's, or one of nulls only)
        // is text whatever it means: nothing in it matches anyway.
        let empty = |(t, c): (usize, usize)| {
            use crate::data::column::{NULL_BOOL, NULL_DATE, NULL_STR};
            match &self.data.tables[t].columns[c].data {
                ColumnData::Number(v) => v.iter().all(|x| x.is_nan()),
                ColumnData::Str(v) => v.iter().all(|&x| x == NULL_STR),
                ColumnData::Date(v) => v.iter().all(|&x| x == NULL_DATE),
                ColumnData::Bool(v) => v.iter().all(|&x| x == NULL_BOOL),
                ColumnData::List { values, .. } => values.is_empty(),
            }
        };
        if self.rows_unknown || (!empty(of) && !empty(like)) {
            return Err(format!(
                "`{}.{}` and the key `{}.{}` it refers to are of two types: give them one \
                 (dataset.yaml `columns:`)",
                t_of.name, t_of.columns[of.1].name, t_like.name, t_like.columns[like.1].name
            ));
        }
        Ok(format!(
            "CAST({sql} AS {})",
            match t_like.columns[like.1].data {
                ColumnData::Number(_) => self.r.double(),
                _ => self.r.text(),
            }
        ))
    }

    /// Joins the rows a relation path leads to; the alias of the last.
    pub(super) fn follow(&mut self, from: &Row, path: &[Step], lv: &mut Level) -> Result<Row, Gap> {
        let mut at = from.clone();
        for step in path {
            let table = &self.data.tables[step.table];
            let rel = &table.relations[step.relation];
            let target = self
                .data
                .tables
                .get_index_of(&rel.target)
                .ok_or("a relation to a missing table")?;
            let key = self.data.tables[target]
                .key
                .ok_or_else(|| format!("table `{}` has no key", rel.target))?;
            let refcol = table
                .column_index(&rel.column)
                .ok_or("a relation through a missing column")?;
            let identity = format!("{}.{}>{}", at.alias, step.table, step.relation);
            let alias = match lv.seen.get(&identity) {
                Some(a) => a.clone(),
                None => {
                    let alias = self.alias("r");
                    let on = self.same_key(
                        (self.col(&alias, target, key), target, key),
                        (self.col(&at.alias, at.table, refcol), at.table, refcol),
                    )?;
                    lv.joins.push(format!(
                        "LEFT JOIN {} {alias} ON {on}",
                        self.table_name(target),
                    ));
                    lv.seen.insert(identity, alias.clone());
                    alias
                }
            };
            at = Row {
                table: target,
                alias,
            };
        }
        Ok(at)
    }

    /// The SQL of a node, for the current row (`None`: a scalar).
    pub(super) fn expr(
        &mut self,
        node: NodeId,
        row: Option<&Row>,
        ctx: Ctx,
        lv: &mut Level,
    ) -> Result<String, Gap> {
        let plan = self.plan;
        match plan.node(node) {
            Node::Lit(v) => self.literal(v),
            Node::Decl(id) => match plan.decls.get(id) {
                Some(&n) => self.expr(n, None, ctx, lv),
                None => Ok("NULL".into()),
            },
            Node::IndicatorValue(i) => self.expr(plan.indicators[*i].value, None, ctx, lv),
            Node::IndicatorTarget(i) => match plan.indicators[*i].target {
                Some(t) => self.expr(t, None, ctx, lv),
                None => Ok("NULL".into()),
            },
            Node::Column { col } => Ok(match row {
                Some(r) => {
                    let c = self.col(&r.alias, r.table, *col);
                    self.cell(r.table, *col, c)
                }
                None => "NULL".into(),
            }),
            Node::Parent { path, col } => {
                let Some(r) = row else {
                    return Ok("NULL".into());
                };
                let at = self.follow(r, path, lv)?;
                let c = self.col(&at.alias, at.table, *col);
                Ok(self.cell(at.table, *col, c))
            }
            Node::Profile { id, path } => {
                let Some(r) = row else {
                    return Ok("NULL".into());
                };
                let at = self.follow(r, path, lv)?;
                let inner = Ctx {
                    segment: None,
                    ..ctx
                };
                let value = self.profile(*id, &at, inner, lv)?;
                // The profile of a row a reference does not lead to is
                // null: the join of a profile CTE finds no row, but one
                // computed where it is read (inside its own table's CTE)
                // would be a count of 0 or its `else`.
                Ok(match self.data.tables[at.table].key {
                    Some(key) if !path.is_empty() => format!(
                        "(CASE WHEN {} IS NULL THEN NULL ELSE {value} END)",
                        self.col(&at.alias, at.table, key)
                    ),
                    _ => value,
                })
            }
            Node::Unary(op, a) => {
                let a = self.expr(*a, row, ctx, lv)?;
                Ok(match op {
                    UnaryOp::Neg => format!("(- {a})"),
                    UnaryOp::Not => format!("(NOT {a})"),
                })
            }
            Node::Binary(op, a, b) => self.binary(*op, *a, *b, row, ctx, lv),
            Node::If(c, t, e) => {
                let c = self.expr(*c, row, ctx, lv)?;
                let t = self.expr(*t, row, ctx, lv)?;
                let e = self.expr(*e, row, ctx, lv)?;
                Ok(format!("(CASE WHEN {c} THEN {t} ELSE {e} END)"))
            }
            Node::Scalar(f, args) => self.scalar(*f, args, row, ctx, lv),
            Node::Agg {
                f,
                table,
                arg,
                filter,
                extra,
                group,
            } => {
                let group = match (group, row) {
                    (Some(path), Some(r)) => Some((path.as_slice(), r)),
                    _ => None,
                };
                let agg = super::scan::Agg {
                    f: *f,
                    table: *table,
                    arg: *arg,
                    filter: *filter,
                    extra: *extra,
                };
                self.aggregate(&agg, group, ctx, lv)
            }
            Node::Prior(a) => {
                let Some(period) = ctx.period else {
                    return Ok("NULL".into());
                };
                let before = Ctx {
                    period: Some(crate::eval::previous_period(period)),
                    ..ctx
                };
                let value = self.expr(*a, None, before, lv)?;
                // No row of the dated tables it reads in the previous
                // period: no baseline, null.
                let Some(prior) = plan.priors.get(&node) else {
                    return Ok(value);
                };
                let mut any = Vec::new();
                for &t in &prior.dated {
                    let count = super::scan::Agg {
                        f: AggFn::Any,
                        table: t,
                        arg: None,
                        filter: None,
                        extra: None,
                    };
                    any.push(self.aggregate(&count, None, before, lv)?);
                }
                if any.is_empty() {
                    return Ok("NULL".into());
                }
                Ok(format!("(CASE WHEN {} THEN {value} END)", any.join(" OR ")))
            }
            Node::Linear(..) | Node::Bands(..) => Err("a score function outside a score".into()),
            Node::Peers(..) => Err("`peers(..)` reads the benchmark file, not the database".into()),
            Node::Plugin { name, .. } => Err(format!(
                "`{name}(..)` is a rhai function, which runs only in the local engine"
            )),
            Node::Native { index, .. } => Err(format!(
                "`{}(..)` is a Rust function of the embedder, which runs only in the local engine",
                plan.natives[*index].name
            )),
            Node::Script { .. } => {
                Err("an inline `rhai { .. }` block runs only in the local engine".into())
            }
            Node::Unsupported(message, _) => Err(message.clone()),
        }
    }

    /// A profile column of a row. The profile columns of a table (in a
    /// period) are one CTE, `k` (the row's key) → `c<id>` each, computed
    /// once and joined wherever one is read: its aggregates are not joined
    /// again for every figure. The profile of a row a reference does not
    /// lead to is null (the join finds no row), not its `else` or a count
    /// of 0.
    fn profile(&mut self, id: usize, at: &Row, ctx: Ctx, lv: &mut Level) -> Result<String, Gap> {
        let node = self.plan.profiles[id].node;
        let table = at.table;
        let Some(key) = self.data.tables[table].key else {
            // No key: no relation leads to this table, the row is at hand.
            return self.expr(node, Some(at), ctx, lv);
        };
        // Inside the table's own CTE (a column reading another, or a row
        // of the table reached again): computed where it is read.
        if self.building.contains(&(table, ctx.period)) {
            return self.expr(node, Some(at), ctx, lv);
        }
        let (cte, gaps) = self.profile_table(table, key, ctx)?;
        if let Some(gap) = gaps.get(&id) {
            return Err(gap.clone());
        }
        // Joining it here would close a cycle of CTEs (it reads, through
        // others, the one being filled): computed where it is read.
        if self.filling.last().is_some_and(|f| self.reaches(&cte, f)) {
            return self.expr(node, Some(at), ctx, lv);
        }
        let condition = format!("{{a}}.k = {}", self.col(&at.alias, table, key));
        let a = self.join(&cte, &condition, lv);
        Ok(format!("{a}.c{id}"))
    }

    /// The CTE holding profile `id`'s column (`k`, the row's key, and
    /// `c<id>`) in the period of `ctx`.
    pub(super) fn profile_cte(&mut self, id: usize, ctx: Ctx) -> Result<String, Gap> {
        let table = self.plan.profiles[id].table;
        let key = self.data.tables[table]
            .key
            .ok_or("its table has no key to match its rows by")?;
        let (cte, gaps) = self.profile_table(table, key, ctx)?;
        match gaps.get(&id) {
            Some(gap) => Err(gap.clone()),
            None => Ok(cte),
        }
    }

    /// The CTE of a table's profile columns in a period (made on first
    /// use), and the columns with no SQL.
    fn profile_table(&mut self, table: usize, key: usize, ctx: Ctx) -> Result<ProfileTable, Gap> {
        if let Some(done) = self.profile_tables.get(&(table, ctx.period)) {
            return Ok(done.clone());
        }
        let outer_next = std::mem::replace(&mut self.next, 0);
        let name = self.reserve('g');
        self.building.push((table, ctx.period));
        self.filling.push(name.clone());
        let alias = self.alias("t");
        let row = Row {
            table,
            alias: alias.clone(),
        };
        let mut lv = Level::new(None);
        let mut columns = vec![format!("{} AS k", self.col(&alias, table, key))];
        let mut gaps = HashMap::new();
        for (id, p) in self.plan.profiles.iter().enumerate() {
            if p.table != table {
                continue;
            }
            match self.expr(p.node, Some(&row), ctx, &mut lv) {
                Ok(sql) => columns.push(format!("{sql} AS c{id}")),
                Err(gap) => {
                    gaps.insert(id, gap);
                }
            }
        }
        self.building.pop();
        self.filling.pop();
        self.next = outer_next;
        let sql = format!(
            "SELECT {} FROM {} {alias}{}",
            columns.join(", "),
            self.table_name(table),
            joins(&lv)
        );
        self.ctes.push((name.clone(), sql));
        let done = (name, gaps);
        self.profile_tables
            .insert((table, ctx.period), done.clone());
        Ok(done)
    }

    /// Joins a CTE to the level on `condition` (`{a}` for its alias),
    /// once; its alias.
    pub(super) fn join(&mut self, cte: &str, condition: &str, lv: &mut Level) -> String {
        let identity = format!("{cte} ON {condition}");
        if let Some(a) = lv.seen.get(&identity) {
            return a.clone();
        }
        let a = self.alias("a");
        lv.joins.push(format!(
            "LEFT JOIN {cte} {a} ON {}",
            condition.replace("{a}", &a)
        ));
        lv.seen.insert(identity, a.clone());
        // The CTE being filled now reads this one.
        if let Some(f) = self.filling.last() {
            self.deps
                .entry(f.clone())
                .or_default()
                .insert(cte.to_string());
        }
        a
    }

    /// A new CTE's name.
    pub(super) fn reserve(&mut self, prefix: char) -> String {
        self.named += 1;
        format!("{prefix}{}", self.named)
    }

    /// Whether CTE `from` reads CTE `to`, directly or through others.
    pub(super) fn reaches(&self, from: &str, to: &str) -> bool {
        let mut stack = vec![from];
        let mut seen = std::collections::HashSet::new();
        while let Some(c) = stack.pop() {
            if c == to {
                return true;
            }
            if seen.insert(c)
                && let Some(next) = self.deps.get(c)
            {
                stack.extend(next.iter().map(String::as_str));
            }
        }
        false
    }

    /// A cell as the rules see it: a number is a double (a database's
    /// integer column would divide as integers), a date a day (a
    /// timestamp's time would move it past a period's last day), and a
    /// list column's empty text is an empty list, never null.
    fn cell(&self, t: usize, c: usize, sql: String) -> String {
        match self.data.tables[t].columns[c].data {
            ColumnData::List { .. } => self.r.list_text(&format!("COALESCE({sql}, '')")),
            ColumnData::Number(_) => self.double(&sql),
            ColumnData::Date(_) => format!("CAST({sql} AS DATE)"),
            // Loading trims text and reads a blank cell as no value.
            ColumnData::Str(_) => format!("NULLIF(TRIM({sql}), '')"),
            ColumnData::Bool(_) => sql,
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        a: NodeId,
        b: NodeId,
        row: Option<&Row>,
        ctx: Ctx,
        lv: &mut Level,
    ) -> Result<String, Gap> {
        use BinaryOp::*;
        let (ta, tb) = (
            self.ty(a, row.map(|r| r.table)),
            self.ty(b, row.map(|r| r.table)),
        );
        if op == In {
            return self.membership(a, b, ta, tb, row, ctx, lv);
        }
        let x = self.expr(a, row, ctx, lv)?;
        let y = self.expr(b, row, ctx, lv)?;
        let sym = match op {
            And => "AND",
            Or => "OR",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => return Ok(format!("({x} / NULLIF({y}, 0))")),
            Eq => "=",
            Ne => "<>",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            In => unreachable!("membership returned above"),
        };
        if matches!(op, Lt | Le | Gt | Ge) && (ta == Ty::Str || tb == Ty::Str) {
            return Ok(self.r.text_order(&x, sym, &y));
        }
        if ta == Ty::List || tb == Ty::List {
            return Err("lists compared with each other".into());
        }
        Ok(format!("({x} {sym} {y})"))
    }

    #[allow(clippy::too_many_arguments)]
    fn membership(
        &mut self,
        a: NodeId,
        b: NodeId,
        ta: Ty,
        tb: Ty,
        row: Option<&Row>,
        ctx: Ctx,
        lv: &mut Level,
    ) -> Result<String, Gap> {
        if let Node::Lit(Value::List(items)) = self.plan.node(b) {
            let items: Vec<String> = match ta {
                Ty::Str => items
                    .iter()
                    .map(|s| self.r.string(&self.strings.text(*s)))
                    .collect(),
                // A number is in a list when its text is (`3` in ["3"]):
                // the items that are a number's text, as numbers.
                Ty::Num => items
                    .iter()
                    .filter_map(|s| {
                        let text = self.strings.text(*s);
                        let n = text.parse::<f64>().ok()?;
                        (n.is_finite() && format!("{n}") == *text).then(|| self.double(&text))
                    })
                    .collect(),
                _ => return Err("membership of a value that is not text or a number".into()),
            };
            let x = self.expr(a, row, ctx, lv)?;
            if items.is_empty() {
                return Ok(format!("(CASE WHEN {x} IS NULL THEN NULL ELSE FALSE END)"));
            }
            return Ok(format!("({x} IN ({}))", items.join(", ")));
        }
        if ta != Ty::Str {
            return Err("membership of a value that is not text in a list column".into());
        }
        let x = self.expr(a, row, ctx, lv)?;
        if tb != Ty::List {
            return Err("membership in something that is not a list".into());
        }
        let list = self.expr(b, row, ctx, lv)?;
        Ok(format!(
            "(CASE WHEN {x} IS NULL THEN NULL WHEN {list} = '' THEN FALSE ELSE COALESCE({}, FALSE) END)",
            self.r.list_contains(&list, &x)
        ))
    }

    fn scalar(
        &mut self,
        f: ScalarFn,
        args: &[NodeId],
        row: Option<&Row>,
        ctx: Ctx,
        lv: &mut Level,
    ) -> Result<String, Gap> {
        use ScalarFn::*;
        let types: Vec<Ty> = args
            .iter()
            .map(|&a| self.ty(a, row.map(|r| r.table)))
            .collect();
        let mut sql = Vec::with_capacity(args.len());
        for &a in args {
            sql.push(self.expr(a, row, ctx, lv)?);
        }
        let x = sql.first().cloned().unwrap_or_else(|| "NULL".into());
        let nulls = |sql: &[String]| {
            sql.iter()
                .map(|s| format!("{s} IS NULL"))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        Ok(match f {
            Coalesce => format!("COALESCE({})", sql.join(", ")),
            Min | Max => {
                let ordered: Vec<String> = sql
                    .iter()
                    .zip(&types)
                    .map(|(s, t)| {
                        if *t == Ty::Str {
                            self.r.ordered(s)
                        } else {
                            s.clone()
                        }
                    })
                    .collect();
                format!(
                    "(CASE WHEN {} THEN NULL ELSE {}({}) END)",
                    nulls(&sql),
                    if f == Min { "LEAST" } else { "GREATEST" },
                    ordered.join(", ")
                )
            }
            Round => {
                // Half away from zero, as the local engine (PostgreSQL's
                // round() of a double goes to even).
                let factor = match args.get(1).map(|&d| self.plan.node(d)) {
                    None => 1.0,
                    Some(Node::Lit(Value::Num(d))) => 10f64.powi(d.clamp(-15.0, 15.0) as i32),
                    Some(Node::Lit(Value::Null)) => return Ok("NULL".into()),
                    Some(_) => return Err("`round(x, d)` with `d` not a constant".into()),
                };
                if factor == 1.0 {
                    format!("(SIGN({x}) * FLOOR(ABS({x}) + 0.5))")
                } else {
                    let y = format!("({x} * {})", self.double(&format!("{factor}")));
                    format!(
                        "(SIGN({y}) * FLOOR(ABS({y}) + 0.5) / {})",
                        self.double(&format!("{factor}"))
                    )
                }
            }
            Abs => format!("ABS({x})"),
            Sqrt => format!("(CASE WHEN {x} >= 0 THEN SQRT({x}) END)"),
            Log => match sql.get(1) {
                None => format!("(CASE WHEN {x} > 0 THEN LN({x}) END)"),
                Some(b) => format!(
                    "(CASE WHEN {x} > 0 AND {b} > 0 AND {b} <> 1 THEN LN({x}) / LN({b}) END)"
                ),
            },
            Year => self.double(&format!("EXTRACT(YEAR FROM {x})")),
            Month => self.double(&format!("EXTRACT(MONTH FROM {x})")),
            DaysBetween => {
                let b = sql.get(1).cloned().unwrap_or_else(|| "NULL".into());
                self.double(&self.r.days_between(&x, &b))
            }
            Lower => format!("LOWER({x})"),
            Upper => format!("UPPER({x})"),
            Len => match types.first() {
                Some(Ty::List) => self.double(&format!(
                    "(CASE WHEN {x} = '' THEN 0 ELSE {} END)",
                    self.r.list_len(&x)
                )),
                _ => self.double(&self.r.char_length(&x)),
            },
            Contains => {
                let n = sql.get(1).cloned().unwrap_or_else(|| "NULL".into());
                match types.first() {
                    Some(Ty::List) => format!(
                        "(CASE WHEN {n} IS NULL THEN NULL WHEN {x} = '' THEN FALSE ELSE COALESCE({}, FALSE) END)",
                        self.r.list_contains(&x, &n)
                    ),
                    _ => self.r.contains(&x, &n),
                }
            }
        })
    }

    /// The conditions for a row to count in a period.
    pub(super) fn in_period(&self, row: &Row, period: Option<Period>) -> Vec<String> {
        let mut out = Vec::new();
        let Some((from, to)) = period else {
            return out;
        };
        let table = &self.data.tables[row.table];
        let day = |d: i32| {
            crate::data::column::date_of(d)
                .map(|d| format!("DATE '{d}'"))
                .unwrap_or_else(|| "NULL".into())
        };
        if let Some(d) = table.date {
            let c = self.cell(row.table, d, self.col(&row.alias, row.table, d));
            out.push(format!("{c} >= {} AND {c} <= {}", day(from), day(to)));
        }
        if let Some(s) = table.since {
            let c = self.cell(row.table, s, self.col(&row.alias, row.table, s));
            out.push(format!("({c} IS NULL OR {c} <= {})", day(to)));
        }
        out
    }
}

/// A table's profile CTE in a period: its name, and its columns with no
/// SQL.
type ProfileTable = (String, HashMap<usize, Gap>);

pub(super) fn joins(lv: &Level) -> String {
    lv.joins.iter().map(|j| format!(" {j}")).collect()
}
