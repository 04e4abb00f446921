//! The reference evaluator: the plan interpreted one row at a time, with
//! nested loops and no caches, selection vectors or typed fast paths. It is
//! slow on purpose and simple enough to read as the definition; the
//! differential test requires the columnar evaluator to agree with it.

use super::Period;
use super::columnar::{Inputs, follow_one, path_to};
use super::plan::{AggFn, Node, NodeId, SegmentSource};
use super::value::Value;
use super::{ops, script};
use crate::check::DeclId;
use crate::data::ColumnData;
use crate::data::column::*;

/// One evaluation context: a period and maybe a segment.
pub struct Reference<'a> {
    pub input: &'a Inputs<'a>,
    pub period: Option<Period>,
    pub segment: Option<(SegmentSource, Value)>,
    /// The period that decides who is in the segment (`prior` keeps the
    /// same people).
    pub members_period: Option<Period>,
}

/// The current row: a table and a row of it, or none (a scalar).
type Row = Option<(usize, u32)>;

impl Reference<'_> {
    pub fn decl(&self, id: DeclId) -> Value {
        self.decl_at(id, true)
    }

    fn decl_at(&self, id: DeclId, seg: bool) -> Value {
        match self.input.plan.decls.get(&id) {
            Some(&node) => self.eval(node, None, seg),
            None => Value::Null,
        }
    }

    pub fn target(&self, i: usize) -> Value {
        match self.input.plan.indicators[i].target {
            Some(node) => self.eval(node, None, true),
            None => Value::Null,
        }
    }

    pub fn scalar(&self, node: NodeId) -> Value {
        self.eval(node, None, true)
    }

    /// A profile column's value for one row of its table.
    pub fn profile(&self, id: usize, row: u32) -> Value {
        let p = &self.input.plan.profiles[id];
        self.eval(p.node, Some((p.table, row)), false)
    }

    fn cell(&self, table: usize, row: u32, col: usize) -> Value {
        if row == NO_ROW {
            return Value::Null;
        }
        let r = row as usize;
        match &self.input.data.tables[table].columns[col].data {
            ColumnData::Number(v) => Value::num(v[r]),
            ColumnData::Bool(v) => match v[r] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => Value::Null,
            },
            ColumnData::Date(v) if v[r] == NULL_DATE => Value::Null,
            ColumnData::Date(v) => Value::Date(v[r]),
            ColumnData::Str(v) if v[r] == NULL_STR => Value::Null,
            ColumnData::Str(v) => Value::Str(v[r]),
            ColumnData::List { offsets, values } => {
                Value::List(values[offsets[r] as usize..offsets[r + 1] as usize].into())
            }
        }
    }

    /// The row counts: in the period and, with `seg`, in the segment.
    fn counts(&self, table: usize, row: u32, seg: bool) -> bool {
        let data = self.input.data;
        let t = &data.tables[table];
        if let (Some((from, to)), Some(d)) = (self.period, t.date)
            && let ColumnData::Date(v) = &t.columns[d].data
        {
            let day = v[row as usize];
            if day == NULL_DATE || day < from || day > to {
                return false;
            }
        }
        // A stock row counts from its `since` day on.
        if let (Some((_, to)), Some(s)) = (self.period, t.since)
            && let ColumnData::Date(v) = &t.columns[s].data
        {
            let day = v[row as usize];
            if day != NULL_DATE && day > to {
                return false;
            }
        }
        let (true, Some((source, value)), Some(pop)) =
            (seg, &self.segment, self.input.plan.population)
        else {
            return true;
        };
        let Some(path) = path_to(data, table, pop) else {
            return true;
        };
        let p = follow_one(data, &path, row);
        if p == NO_ROW {
            return false;
        }
        let v = match source {
            SegmentSource::Column(c) => self.cell(pop, p, *c),
            SegmentSource::Profile(id) => Reference {
                input: self.input,
                period: self.members_period,
                segment: None,
                members_period: self.members_period,
            }
            .profile(*id, p),
        };
        super::columnar::in_segment(&v, value)
    }

    fn eval(&self, node: NodeId, row: Row, seg: bool) -> Value {
        let plan = self.input.plan;
        let strings = self.input.strings;
        match plan.node(node) {
            Node::Lit(v) => v.clone(),
            Node::Decl(id) => self.decl_at(*id, seg),
            Node::IndicatorValue(i) => self.decl_at(DeclId::Indicator(*i), seg),
            Node::IndicatorTarget(i) => match plan.indicators[*i].target {
                Some(t) => self.eval(t, None, seg),
                None => Value::Null,
            },
            Node::Column { col } => match row {
                Some((t, r)) => self.cell(t, r, *col),
                None => Value::Null,
            },
            Node::Parent { path, col } => {
                let Some((_, r)) = row else {
                    return Value::Null;
                };
                let p = follow_one(self.input.data, path, r);
                let last = path.last().map_or(0, |s| {
                    let rel = &self.input.data.tables[s.table].relations[s.relation];
                    self.input
                        .data
                        .tables
                        .get_index_of(&rel.target)
                        .unwrap_or(0)
                });
                self.cell(last, p, *col)
            }
            Node::Profile { id, path } => {
                let Some((_, r)) = row else {
                    return Value::Null;
                };
                let p = follow_one(self.input.data, path, r);
                if p == NO_ROW {
                    Value::Null
                } else {
                    self.profile(*id, p)
                }
            }
            Node::Unary(op, a) => ops::unary(*op, &self.eval(*a, row, seg)),
            Node::Binary(op, a, b) => ops::binary(
                *op,
                &self.eval(*a, row, seg),
                &self.eval(*b, row, seg),
                strings,
            ),
            Node::If(c, t, e) => {
                if self.eval(*c, row, seg) == Value::Bool(true) {
                    self.eval(*t, row, seg)
                } else {
                    self.eval(*e, row, seg)
                }
            }
            Node::Scalar(f, args) => {
                let vals: Vec<Value> = args.iter().map(|a| self.eval(*a, row, seg)).collect();
                ops::scalar(*f, &vals, strings)
            }
            Node::Agg {
                f,
                table,
                arg,
                filter,
                extra,
                group,
            } => {
                let mut all = 0usize;
                let mut kept = 0usize;
                let mut values = Vec::new();
                for r in 0..self.input.data.tables[*table].len as u32 {
                    if !self.counts(*table, r, seg) {
                        continue;
                    }
                    if let (Some(path), Some((_, current))) = (group, row)
                        && follow_one(self.input.data, path, r) != current
                    {
                        continue;
                    }
                    all += 1;
                    let here = Some((*table, r));
                    if filter.is_some_and(|fl| self.eval(fl, here, seg) != Value::Bool(true)) {
                        continue;
                    }
                    kept += 1;
                    if let Some(a) = arg {
                        values.push(self.eval(*a, here, seg));
                    }
                }
                let p = extra.map(|e| self.eval(e, None, seg));
                aggregate(*f, all, kept, &values, p.as_ref())
            }
            Node::Linear(from, to, i) => ops::linear(
                &self.decl_at(DeclId::Indicator(*i), seg),
                &self.eval(*from, row, seg),
                &self.eval(*to, row, seg),
            ),
            Node::Bands(bands, i) => {
                let pairs: Vec<(Value, Value)> = bands
                    .iter()
                    .map(|(t, s)| (self.eval(*t, row, seg), self.eval(*s, row, seg)))
                    .collect();
                ops::bands(&self.decl_at(DeclId::Indicator(*i), seg), &pairs)
            }
            Node::Peers(p, i) => match plan.indicators.get(*i) {
                Some(ind) => self.input.peers.percentile(
                    &ind.id,
                    self.eval(*p, row, seg).as_num(),
                    ind.lower_is_better,
                    self.period,
                ),
                None => Value::Null,
            },
            Node::Prior(a) => match self.period {
                Some((from, to)) => {
                    let prior = Reference {
                        input: self.input,
                        period: Some(super::previous_period((from, to))),
                        segment: self.segment.clone(),
                        members_period: self.members_period,
                    };
                    // No row of the dated tables it reads in the previous
                    // period: no baseline, null.
                    let baseline = plan.priors.get(&node).is_none_or(|p| {
                        p.dated.iter().any(|&t| {
                            (0..self.input.data.tables[t].len as u32)
                                .any(|r| prior.counts(t, r, seg))
                        })
                    });
                    if baseline {
                        prior.eval(*a, None, seg)
                    } else {
                        Value::Null
                    }
                }
                None => Value::Null,
            },
            Node::Unsupported(..) => Value::Null,
            Node::Script { index, names, .. } => {
                let values = names
                    .iter()
                    .map(|(n, id)| {
                        (
                            n.clone(),
                            script::to_dynamic(&self.decl_at(*id, seg), strings),
                        )
                    })
                    .collect();
                plan.scripts
                    .run_inline(*index, values)
                    .ok()
                    .and_then(|d| script::from_dynamic(d, strings).ok())
                    .unwrap_or(Value::Null)
            }
            Node::Native { index, args } => {
                let vals: Vec<Value> = args.iter().map(|a| self.eval(*a, row, seg)).collect();
                plan.natives[*index].apply(&vals, strings)
            }
            Node::Plugin {
                plugin,
                name,
                args,
                expect,
                ..
            } => {
                let args = args
                    .iter()
                    .map(|a| script::to_dynamic(&self.eval(*a, row, seg), strings))
                    .collect();
                plan.scripts
                    .call(*plugin, name, args)
                    .ok()
                    .and_then(|d| script::from_dynamic(d, strings).ok())
                    .filter(|v| script::fits(v, *expect).is_ok())
                    .unwrap_or(Value::Null)
            }
        }
    }
}

/// An aggregate from the rows it kept (`kept` of `all`) and their values.
fn aggregate(f: AggFn, all: usize, kept: usize, values: &[Value], p: Option<&Value>) -> Value {
    let numbers: Vec<f64> = values.iter().filter_map(Value::as_num).collect();
    match f {
        AggFn::Count => Value::num(kept as f64),
        AggFn::Any => Value::Bool(kept > 0),
        AggFn::All => Value::Bool(kept == all),
        AggFn::Share if all == 0 => Value::Null,
        AggFn::Share => Value::num(kept as f64 / all as f64),
        AggFn::Sum => Value::num(numbers.iter().sum()),
        AggFn::Avg if numbers.is_empty() => Value::Null,
        AggFn::Avg => Value::num(numbers.iter().sum::<f64>() / numbers.len() as f64),
        AggFn::Min | AggFn::Max => {
            let mut best: Option<&Value> = None;
            for v in values.iter().filter(|v| !v.is_null()) {
                let better = match (v, best) {
                    (_, None) => true,
                    (Value::Num(a), Some(Value::Num(b))) => {
                        if f == AggFn::Min {
                            a < b
                        } else {
                            a > b
                        }
                    }
                    (Value::Date(a), Some(Value::Date(b))) => {
                        if f == AggFn::Min {
                            a < b
                        } else {
                            a > b
                        }
                    }
                    _ => false,
                };
                if better {
                    best = Some(v);
                }
            }
            best.cloned().unwrap_or(Value::Null)
        }
        AggFn::Median | AggFn::Percentile => {
            let mut sorted = numbers;
            sorted.sort_by(f64::total_cmp);
            let p = if f == AggFn::Median {
                Some(0.5)
            } else {
                p.and_then(Value::as_num)
            };
            p.map_or(Value::Null, |p| ops::percentile(&sorted, p))
        }
        AggFn::Distinct => {
            let mut keys: Vec<(u8, u64)> = values.iter().filter_map(ops::distinct_key).collect();
            keys.sort_unstable();
            keys.dedup();
            Value::num(keys.len() as f64)
        }
    }
}
