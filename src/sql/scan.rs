//! Shared scans: the aggregates over one table, counted in one way (the
//! same period, segment and grouping), are columns of one grouped
//! subquery — the table is read once for all of them (MetricFlow's
//! shared scans). A figure joins the scans it reads; a scan joins the
//! scans its filters read.

use std::collections::HashMap;

use super::compile::{Compiler, Ctx, Gap, Level, Row, joins};
use crate::data::Dataset;
use crate::eval::columnar::path_to;
use crate::eval::plan::{AggFn, Node, NodeId, Step};
use crate::eval::value::Value;

/// An aggregate to compile.
pub(super) struct Agg {
    pub f: AggFn,
    pub table: usize,
    pub arg: Option<NodeId>,
    pub filter: Option<NodeId>,
    pub extra: Option<NodeId>,
}

/// One grouped subquery being built.
struct Scan {
    name: String,
    table: usize,
    /// Its joins (taken out while an aggregate is compiled into it).
    level: Level,
    /// Its alias counter (its aliases are its own).
    next: usize,
    /// `expr AS s`, `expr AS k`: what it is grouped by.
    keys: Vec<String>,
    conditions: Vec<String>,
    /// Aggregate columns, `SQL AS name`, each once.
    columns: Vec<(String, String)>,
    /// Being compiled into: an aggregate inside one of its filters that
    /// would be counted the same way gets a scan of its own.
    open: bool,
}

/// The scans of a query, by how they count.
#[derive(Default)]
pub(super) struct Scans {
    all: Vec<Scan>,
    by_key: HashMap<String, usize>,
}

impl Scans {
    /// `(name, SQL)` of each scan.
    pub fn sql(&self, c: &Compiler<'_>) -> Vec<(String, String)> {
        self.all
            .iter()
            .map(|scan| {
                let mut select = scan.keys.clone();
                select.push("COUNT(*) AS n".into());
                select.extend(
                    scan.columns
                        .iter()
                        .map(|(sql, name)| format!("{sql} AS {name}")),
                );
                let mut sql = format!(
                    "SELECT {} FROM {} t1{}",
                    select.join(", "),
                    c.table_name(scan.table),
                    joins(&scan.level)
                );
                if !scan.conditions.is_empty() {
                    sql.push_str(&format!(" WHERE {}", scan.conditions.join(" AND ")));
                }
                if !scan.keys.is_empty() {
                    let ordinals: Vec<String> =
                        (1..=scan.keys.len()).map(|i| i.to_string()).collect();
                    sql.push_str(&format!(" GROUP BY {}", ordinals.join(", ")));
                }
                (scan.name.clone(), sql)
            })
            .collect()
    }
}

/// How a scan's rows are joined to the level that reads it.
struct Joined {
    scan: usize,
    on: Vec<String>,
}

impl Compiler<'_> {
    /// An aggregate: its columns in the scan of its table, the scan joined
    /// to the level, and the SQL of its value.
    pub(super) fn aggregate(
        &mut self,
        agg: &Agg,
        group: Option<(&[Step], &Row)>,
        ctx: Ctx,
        lv: &mut Level,
    ) -> Result<String, Gap> {
        let p = match (agg.f, agg.extra.map(|e| self.plan.node(e))) {
            (AggFn::Median, _) => Some(0.5),
            (AggFn::Percentile, Some(Node::Lit(Value::Num(p)))) if p.is_finite() => {
                Some(p.clamp(0.0, 1.0))
            }
            (AggFn::Percentile, Some(Node::Lit(Value::Null))) => return Ok("NULL".into()),
            (AggFn::Percentile, _) => {
                return Err("`percentile(e, p)` with `p` not a constant".into());
            }
            _ => None,
        };
        let Joined { scan, on } = self.scan(agg.table, group, ctx, lv)?;
        // Compiled inside the scan: its level and alias counter.
        let mut level = std::mem::take(&mut self.scans.all[scan].level);
        let outer_next = std::mem::replace(&mut self.next, self.scans.all[scan].next);
        self.scans.all[scan].open = true;
        self.filling.push(self.scans.all[scan].name.clone());
        let compiled = self.columns(agg, p, scan, ctx, &mut level);
        self.filling.pop();
        self.scans.all[scan].open = false;
        self.scans.all[scan].next = std::mem::replace(&mut self.next, outer_next);
        self.scans.all[scan].level = level;
        let (kept, value) = compiled?;
        let name = self.scans.all[scan].name.clone();
        let condition = if on.is_empty() {
            "1 = 1".to_string()
        } else {
            on.join(" AND ")
        };
        let a = self.join(&name, &condition, lv);
        let n = format!("COALESCE({a}.n, 0)");
        let m = match &kept {
            Some(m) => format!("COALESCE({a}.{m}, 0)"),
            None => n.clone(),
        };
        let v = value.map(|v| format!("{a}.{v}")).unwrap_or_default();
        Ok(match agg.f {
            AggFn::Count => self.double(&m),
            AggFn::Any => format!("({m} > 0)"),
            AggFn::All => format!("({m} = {n})"),
            AggFn::Share => format!(
                "({} / NULLIF({}, 0))",
                self.double(&m),
                self.double(&format!("{a}.n"))
            ),
            AggFn::Sum | AggFn::Distinct => format!("COALESCE({}, 0)", self.double(&v)),
            AggFn::Avg | AggFn::Median | AggFn::Percentile => self.double(&v),
            AggFn::Min | AggFn::Max => v,
        })
    }

    /// The aggregate's columns in its scan: the rows its filter keeps
    /// (`m…`), its reduced argument (`v…`).
    fn columns(
        &mut self,
        agg: &Agg,
        p: Option<f64>,
        scan: usize,
        ctx: Ctx,
        level: &mut Level,
    ) -> Result<(Option<String>, Option<String>), Gap> {
        let row = Row {
            table: agg.table,
            alias: "t1".into(),
        };
        let kept = match agg.filter {
            Some(f) => Some(self.expr(f, Some(&row), ctx, level)?),
            None => None,
        };
        let m = kept
            .as_ref()
            .map(|k| self.column(scan, format!("SUM(CASE WHEN {k} THEN 1 ELSE 0 END)"), 'm'));
        let Some(a) = agg.arg else {
            return Ok((m, None));
        };
        let x = self.expr(a, Some(&row), ctx, level)?;
        let v = match &kept {
            Some(k) => format!("CASE WHEN {k} THEN {x} END"),
            None => x,
        };
        let reduce = match agg.f {
            AggFn::Sum => format!("SUM({v})"),
            AggFn::Avg => format!("AVG({v})"),
            AggFn::Min => format!("MIN({v})"),
            AggFn::Max => format!("MAX({v})"),
            AggFn::Distinct => format!("COUNT(DISTINCT {v})"),
            AggFn::Median | AggFn::Percentile => {
                self.r.percentile(&v, &format!("{}", p.unwrap_or(0.5)))?
            }
            AggFn::Count | AggFn::Any | AggFn::All | AggFn::Share => return Ok((m, None)),
        };
        Ok((m, Some(self.column(scan, reduce, 'v'))))
    }

    /// A column of a scan, added once; its name.
    fn column(&mut self, scan: usize, sql: String, prefix: char) -> String {
        let columns = &mut self.scans.all[scan].columns;
        if let Some((_, name)) = columns.iter().find(|(s, _)| *s == sql) {
            return name.clone();
        }
        let name = format!("{prefix}{}", columns.len() + 1);
        columns.push((sql, name.clone()));
        name
    }

    /// The scan that counts a table's rows as `ctx` and `group` say (made
    /// on first use), and how it joins the level.
    fn scan(
        &mut self,
        table: usize,
        group: Option<(&[Step], &Row)>,
        ctx: Ctx,
        lv: &Level,
    ) -> Result<Joined, Gap> {
        let mut on = Vec::new();
        let pop = self.plan.population;
        let segment = ctx.segment.and_then(|source| {
            let pop = pop?;
            path_to(self.data, table, pop).map(|path| (source, pop, path))
        });
        if segment.is_some() && group.is_none() {
            let outer = lv
                .segment_key
                .clone()
                .ok_or("an aggregate in a segment with no segment at hand")?;
            on.push(format!("{{a}}.s = {outer}"));
        }
        let grouped = match group {
            Some((steps, outer)) => {
                if let Some((_, pop, path)) = &segment {
                    // Counted for a row of the segment: its rows are in the
                    // segment when they reach the population through it.
                    let through =
                        path_to(self.data, outer.table, *pop).map(|rest| [steps, &rest].concat());
                    if through.as_deref() != Some(path.as_slice()) {
                        return Err("an aggregate per row whose rows reach the population \
                                    another way cannot be broken down by segment in SQL"
                            .into());
                    }
                }
                let key = self.data.tables[outer.table]
                    .key
                    .ok_or("a correlated aggregate over a table without a key")?;
                on.push(format!(
                    "{{a}}.k = {}",
                    self.col(&outer.alias, outer.table, key)
                ));
                Some((steps.to_vec(), outer.table, key))
            }
            None => None,
        };
        // A table with no path to the population is counted whole in a
        // segment too: one scan for both.
        let identity = format!(
            "{table}|{:?}|{:?}|{:?}|{:?}",
            ctx.period,
            ctx.members,
            segment.as_ref().map(|(source, ..)| *source),
            grouped
        );
        // The scan counted the same way, unless it is being filled or
        // reads (through others) the CTE being filled: joining it would
        // close a cycle, so a twin is made.
        if let Some(&i) = self.scans.by_key.get(&identity)
            && !self.scans.all[i].open
            && !self
                .filling
                .last()
                .is_some_and(|f| self.reaches(&self.scans.all[i].name, f))
        {
            return Ok(Joined { scan: i, on });
        }
        let name = self.reserve('s');
        let outer_next = std::mem::replace(&mut self.next, 1);
        self.filling.push(name.clone());
        let built = self.new_scan(table, segment, grouped.as_ref(), ctx);
        self.filling.pop();
        let next = std::mem::replace(&mut self.next, outer_next);
        let (level, keys, conditions) = built?;
        let scan = self.scans.all.len();
        self.scans.all.push(Scan {
            name,
            table,
            level,
            next,
            keys,
            conditions,
            columns: Vec::new(),
            open: false,
        });
        // A scan made while its twin is open is not found again by key.
        self.scans.by_key.entry(identity).or_insert(scan);
        Ok(Joined { scan, on })
    }

    /// A new scan's joins, keys and conditions.
    #[allow(clippy::type_complexity)]
    fn new_scan(
        &mut self,
        table: usize,
        segment: Option<(crate::eval::plan::SegmentSource, usize, Vec<Step>)>,
        grouped: Option<&(Vec<Step>, usize, usize)>,
        ctx: Ctx,
    ) -> Result<(Level, Vec<String>, Vec<String>), Gap> {
        let row = Row {
            table,
            alias: "t1".into(),
        };
        let mut level = Level::new(None);
        let mut conditions = self.in_period(&row, ctx.period);
        let mut keys = Vec::new();
        if let Some((source, pop, path)) = segment {
            let p = self.follow(&row, &path, &mut level)?;
            // A row whose reference leads nowhere is in no segment (even
            // one a null profile's `else` would give).
            if !path.is_empty()
                && let Some(key) = self.data.tables[pop].key
            {
                conditions.push(format!("{} IS NOT NULL", self.col(&p.alias, pop, key)));
            }
            let value = self.segment_value(source, &p, ctx, &mut level)?;
            level.segment_key = Some(value.clone());
            if grouped.is_none() {
                conditions.push(format!("{value} IS NOT NULL"));
                keys.push(format!("{value} AS s"));
            }
        }
        if let Some((steps, outer_table, key)) = grouped {
            let (last, before) = steps
                .split_last()
                .ok_or("a correlated aggregate without a path")?;
            let at = self.follow(&row, before, &mut level)?;
            let data: &Dataset = self.data;
            let t = &data.tables[last.table];
            let refcol = t
                .column_index(&t.relations[last.relation].column)
                .ok_or("a relation through a missing column")?;
            let k = self.col(&at.alias, at.table, refcol);
            conditions.push(format!("{k} IS NOT NULL"));
            // The key as the outer table types it.
            let k = self.same_type(k, (at.table, refcol), (*outer_table, *key))?;
            keys.push(format!("{k} AS k"));
        }
        Ok((level, keys, conditions))
    }
}
