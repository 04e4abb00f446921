//! Aggregates reduced per group: one group for a whole table, a group per
//! row of the context table (correlated aggregates, profiles), or a group
//! per segment value.
//!
//! Additive aggregates (`count`, `any`, `all`, `share`, `sum`, `avg`,
//! `min`, `max`) go through a [`Partial`] state, which can be merged:
//! segments are reduced once per combination of segment values and then
//! merged per column. Merging is exact for counts, `min` and `max`; sums
//! are not merged, since adding partial sums rounds differently from
//! adding the rows in order.

use super::columnar::{View, num_view};
use super::ops;
use super::plan::AggFn;
use super::value::{Col, Value};
use crate::data::column::NO_ROW;

/// The group of each row an aggregate reduces.
#[derive(Clone, Copy)]
pub(super) enum Groups<'g> {
    /// `n` rows, all in group 0.
    One(usize),
    /// Row i's group is `groups[i]` ([`NO_ROW`]: none).
    Each(&'g [u32]),
    /// Row i is table row `rows[i]`, whose group is `of_row[rows[i]]`.
    Lookup { rows: &'g [u32], of_row: &'g [u32] },
    /// The same, through a second table: `map[of_row[rows[i]]]` (a
    /// segment column's group from a combination of segment values).
    Mapped {
        rows: &'g [u32],
        of_row: &'g [u32],
        map: &'g [u32],
    },
}

impl<'g> Groups<'g> {
    /// Rows whose groups are `of_row[row]`, or `map[of_row[row]]`.
    pub(super) fn through(rows: &'g [u32], of_row: &'g [u32], map: Option<&'g [u32]>) -> Self {
        match map {
            Some(map) => Groups::Mapped { rows, of_row, map },
            None => Groups::Lookup { rows, of_row },
        }
    }

    fn len(&self) -> usize {
        match self {
            Groups::One(n) => *n,
            Groups::Each(g) => g.len(),
            Groups::Lookup { rows, .. } | Groups::Mapped { rows, .. } => rows.len(),
        }
    }

    /// Calls `f(i, group)` for each row in a group, with a loop per shape.
    fn for_each(&self, mut f: impl FnMut(usize, usize)) {
        match self {
            Groups::One(n) => (0..*n).for_each(|i| f(i, 0)),
            Groups::Each(groups) => {
                for (i, &g) in groups.iter().enumerate() {
                    if g != NO_ROW {
                        f(i, g as usize);
                    }
                }
            }
            Groups::Lookup { rows, of_row } => {
                for (i, &r) in rows.iter().enumerate() {
                    let g = if r == NO_ROW {
                        NO_ROW
                    } else {
                        of_row[r as usize]
                    };
                    if g != NO_ROW {
                        f(i, g as usize);
                    }
                }
            }
            Groups::Mapped { rows, of_row, map } => {
                for (i, &r) in rows.iter().enumerate() {
                    let k = if r == NO_ROW {
                        NO_ROW
                    } else {
                        of_row[r as usize]
                    };
                    let g = if k == NO_ROW { NO_ROW } else { map[k as usize] };
                    if g != NO_ROW {
                        f(i, g as usize);
                    }
                }
            }
        }
    }
}

/// Reduces selected rows into one value per group. `values` has a value
/// per selected row; `base_groups` are the groups of every base row (for
/// `all` and `share`); `p` is `percentile`'s.
pub(super) fn reduce(
    f: AggFn,
    values: Option<&Col>,
    groups: Groups<'_>,
    base_groups: Groups<'_>,
    n_groups: usize,
    p: Option<&Value>,
) -> Col {
    if let Some(partial) = Partial::accumulate(f, values, groups, base_groups, n_groups) {
        return partial.finish();
    }
    match f {
        AggFn::Median | AggFn::Percentile => {
            let p = if f == AggFn::Median {
                Some(0.5)
            } else {
                p.and_then(Value::as_num)
            };
            let mut per: Vec<Vec<f64>> = vec![Vec::new(); n_groups];
            if let Some(v) = values {
                groups.for_each(|i, g| {
                    if let Some(x) = v.get(i).as_num() {
                        per[g].push(x);
                    }
                });
            }
            let values: Vec<Value> = per
                .into_iter()
                .map(|mut xs| {
                    xs.sort_by(f64::total_cmp);
                    p.map_or(Value::Null, |p| ops::percentile(&xs, p))
                })
                .collect();
            match Col::from_values(values) {
                // All null: still a number column of one row per group.
                Col::Const(Value::Null) => Col::Num(vec![f64::NAN; n_groups]),
                col => col,
            }
        }
        _ => {
            // (group, value) pairs sorted and deduplicated: no set per group
            // (a profile has a group per person).
            let mut pairs: Vec<(usize, (u8, u64))> = Vec::new();
            if let Some(v) = values {
                groups.for_each(|i, g| {
                    if let Some(k) = ops::distinct_key(&v.get(i)) {
                        pairs.push((g, k));
                    }
                });
            }
            pairs.sort_unstable();
            pairs.dedup();
            let mut counts = vec![0.0f64; n_groups];
            for (g, _) in pairs {
                counts[g] += 1.0;
            }
            Col::Num(counts)
        }
    }
}

/// The running state of an additive aggregate, per group. Only the
/// vectors the function needs are filled.
pub(super) struct Partial {
    f: AggFn,
    /// Rows kept (count, any, all, share).
    kept: Vec<u32>,
    /// Base rows (all, share).
    base: Vec<u32>,
    /// Sum and count of non-null values (sum, avg).
    sum: Vec<f64>,
    n: Vec<u32>,
    /// Least or greatest value so far (min, max).
    best: Vec<Value>,
}

impl Partial {
    /// The state after reading the rows; `None` for an aggregate that is
    /// not additive (median, percentile, distinct).
    pub(super) fn accumulate(
        f: AggFn,
        values: Option<&Col>,
        groups: Groups<'_>,
        base_groups: Groups<'_>,
        n_groups: usize,
    ) -> Option<Partial> {
        let mut s = Partial::empty(f, n_groups)?;
        match f {
            AggFn::Count | AggFn::Any | AggFn::All | AggFn::Share => {
                groups.for_each(|_, g| s.kept[g] += 1);
                if matches!(f, AggFn::All | AggFn::Share) {
                    base_groups.for_each(|_, g| s.base[g] += 1);
                }
            }
            AggFn::Sum | AggFn::Avg => {
                let (sum, n) = (&mut s.sum, &mut s.n);
                let mut add = |g: usize, x: f64| {
                    if !x.is_nan() {
                        sum[g] += x;
                        n[g] += 1;
                    }
                };
                match values.map(|v| (v, num_view(v, groups.len()))) {
                    Some((_, Some(View::Vec(v)))) => groups.for_each(|i, g| add(g, v[i])),
                    Some((_, Some(View::Const(x)))) => groups.for_each(|_, g| add(g, x)),
                    Some((v, None)) => {
                        groups.for_each(|i, g| add(g, v.get(i).as_num().unwrap_or(f64::NAN)))
                    }
                    None => {}
                }
            }
            _ => {
                if let Some(v) = values {
                    groups.for_each(|i, g| s.offer(g, v.get(i)));
                }
            }
        }
        Some(s)
    }

    fn empty(f: AggFn, n_groups: usize) -> Option<Partial> {
        let sized = |needed: bool| if needed { n_groups } else { 0 };
        let counted = matches!(f, AggFn::Count | AggFn::Any | AggFn::All | AggFn::Share);
        let summed = matches!(f, AggFn::Sum | AggFn::Avg);
        let ranked = matches!(f, AggFn::Min | AggFn::Max);
        if !(counted || summed || ranked) {
            return None;
        }
        Some(Partial {
            f,
            kept: vec![0; sized(counted)],
            base: vec![0; sized(matches!(f, AggFn::All | AggFn::Share))],
            sum: vec![0.0; sized(summed)],
            n: vec![0; sized(summed)],
            best: vec![Value::Null; sized(ranked)],
        })
    }

    /// Min or max: keeps `x` in group `g` when it is better.
    fn offer(&mut self, g: usize, x: Value) {
        let min = self.f == AggFn::Min;
        let better = match (&x, &self.best[g]) {
            (Value::Null, _) => false,
            (_, Value::Null) => true,
            (Value::Num(a), Value::Num(c)) => {
                if min {
                    a < c
                } else {
                    a > c
                }
            }
            (Value::Date(a), Value::Date(c)) => {
                if min {
                    a < c
                } else {
                    a > c
                }
            }
            _ => false,
        };
        if better {
            self.best[g] = x;
        }
    }

    /// The states of `n_groups` groups, each the merge of the groups
    /// `into` sends to it (`NO_ROW`: left out).
    pub(super) fn merge(&self, n_groups: usize, into: impl Fn(usize) -> u32) -> Partial {
        // Only `n_groups` decides the sizes: `empty` succeeded for `self.f`.
        let mut out = match Partial::empty(self.f, n_groups) {
            Some(p) => p,
            None => unreachable!("a partial exists only for additive aggregates"),
        };
        let len = self.kept.len().max(self.sum.len()).max(self.best.len());
        for k in 0..len {
            let g = into(k);
            if g == NO_ROW {
                continue;
            }
            let g = g as usize;
            if !self.kept.is_empty() {
                out.kept[g] += self.kept[k];
            }
            if !self.base.is_empty() {
                out.base[g] += self.base[k];
            }
            if !self.sum.is_empty() {
                out.sum[g] += self.sum[k];
                out.n[g] += self.n[k];
            }
            if !self.best.is_empty() {
                out.offer(g, self.best[k].clone());
            }
        }
        out
    }

    /// The aggregate's value per group.
    pub(super) fn finish(self) -> Col {
        match self.f {
            AggFn::Count => Col::Num(self.kept.into_iter().map(f64::from).collect()),
            AggFn::Any => Col::Bool(self.kept.into_iter().map(|c| u8::from(c > 0)).collect()),
            AggFn::All => Col::Bool(
                self.kept
                    .iter()
                    .zip(&self.base)
                    .map(|(k, a)| u8::from(k == a))
                    .collect(),
            ),
            AggFn::Share => Col::Num(
                self.kept
                    .iter()
                    .zip(&self.base)
                    .map(|(k, a)| {
                        if *a == 0 {
                            f64::NAN
                        } else {
                            f64::from(*k) / f64::from(*a)
                        }
                    })
                    .collect(),
            ),
            AggFn::Sum => Col::Num(
                self.sum
                    .into_iter()
                    .map(|s| if s.is_finite() { s } else { f64::NAN })
                    .collect(),
            ),
            AggFn::Avg => Col::Num(
                self.sum
                    .iter()
                    .zip(&self.n)
                    .map(|(s, c)| if *c == 0 { f64::NAN } else { s / f64::from(*c) })
                    .collect(),
            ),
            _ => Col::from_values(self.best),
        }
    }
}
