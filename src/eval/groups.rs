//! Segments computed together: the population's rows numbered by the value
//! of a segment column, so that an aggregate's rows can be reduced for
//! every value of the column in one pass instead of once per value.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::ops::distinct_key;
use super::plan::SegmentSource;
use super::value::{Col, Value};
use crate::data::column::{NO_ROW, NULL_BOOL, NULL_STR};

/// The groups of one segment column over the population.
#[derive(Debug)]
pub struct SegmentGroups {
    /// The group of each population row ([`NO_ROW`] for a null value).
    pub of_row: Vec<u32>,
    /// Each group's value, in order of first appearance.
    pub values: Vec<Value>,
    index: FxHashMap<(u8, u64), u32>,
}

impl SegmentGroups {
    /// Numbers the distinct values of `col` (`len` population rows). List
    /// columns are not grouped: their keys are hashes, which may collide.
    pub fn new(col: &Col, len: usize) -> Option<SegmentGroups> {
        if matches!(col, Col::List(_) | Col::ListRef { .. }) {
            return None;
        }
        let mut groups = SegmentGroups {
            of_row: Vec::with_capacity(len),
            values: Vec::new(),
            index: FxHashMap::default(),
        };
        // Texts (the usual segment) are numbered through a table indexed
        // by string id: no hashing per row.
        if let Col::Str(v) = col {
            let slots = v
                .iter()
                .filter(|&&id| id != NULL_STR)
                .max()
                .map_or(0, |&m| m as usize + 1);
            if slots <= 4 * len + 65_536 {
                let mut group_of_id = vec![NO_ROW; slots];
                for &id in &v[..len] {
                    let group = if id == NULL_STR {
                        NO_ROW
                    } else {
                        let g = &mut group_of_id[id as usize];
                        if *g == NO_ROW {
                            *g = groups.values.len() as u32;
                            groups.values.push(Value::Str(id));
                            groups.index.insert((2, u64::from(id)), *g);
                        }
                        *g
                    };
                    groups.of_row.push(group);
                }
                return Some(groups);
            }
        }
        // Keys read from the typed vectors: no value is built per row.
        let key_of = |r: usize| match col {
            Col::Str(v) => (v[r] != NULL_STR).then_some((2, u64::from(v[r]))),
            Col::Bool(v) => (v[r] != NULL_BOOL).then_some((1, u64::from(v[r]))),
            _ => distinct_key(&col.get(r)),
        };
        for r in 0..len {
            let group = match key_of(r) {
                None => NO_ROW,
                Some(key) => *groups.index.entry(key).or_insert_with(|| {
                    groups.values.push(col.get(r));
                    (groups.values.len() - 1) as u32
                }),
            };
            groups.of_row.push(group);
        }
        Some(groups)
    }

    /// The group of a segment value, if some row has it.
    pub fn group_of(&self, value: &Value) -> Option<u32> {
        distinct_key(value).and_then(|k| self.index.get(&k).copied())
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Combinations kept at most; past this, columns are reduced one by one.
const MAX_COMBINATIONS: usize = 1 << 16;

/// The segment columns of a run numbered together: a population row's
/// combination is the tuple of its groups, a null value being one more
/// group per column. An additive aggregate is then reduced once per
/// combination and merged into each column's groups, instead of once per
/// column.
#[derive(Debug)]
pub struct Combinations {
    pub columns: Vec<(SegmentSource, Arc<SegmentGroups>)>,
    /// The combination of each population row.
    pub of_row: Vec<u32>,
    pub count: usize,
    strides: Vec<usize>,
}

impl Combinations {
    /// None for fewer than two columns or too many combinations.
    pub fn new(columns: Vec<(SegmentSource, Arc<SegmentGroups>)>) -> Option<Combinations> {
        if columns.len() < 2 {
            return None;
        }
        let mut strides = Vec::with_capacity(columns.len());
        let mut count = 1usize;
        for (_, groups) in &columns {
            strides.push(count);
            count = count.checked_mul(groups.len() + 1)?;
            if count > MAX_COMBINATIONS {
                return None;
            }
        }
        let rows = columns[0].1.of_row.len();
        let mut of_row = vec![0u32; rows];
        for ((_, groups), stride) in columns.iter().zip(&strides) {
            for (combination, &g) in of_row.iter_mut().zip(&groups.of_row) {
                let g = if g == NO_ROW {
                    groups.len()
                } else {
                    g as usize
                };
                // Below MAX_COMBINATIONS, so it fits.
                *combination += (g * stride) as u32;
            }
        }
        Some(Combinations {
            columns,
            of_row,
            count,
            strides,
        })
    }

    /// Column `c`'s group in combination `k` ([`NO_ROW`] for null).
    pub fn group(&self, c: usize, k: usize) -> u32 {
        let size = self.columns[c].1.len();
        let g = (k / self.strides[c]) % (size + 1);
        if g == size { NO_ROW } else { g as u32 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_number_values_in_order_and_skip_nulls() {
        let col = Col::Num(vec![2.0, f64::NAN, 1.0, 2.0, -0.0, 0.0]);
        let g = SegmentGroups::new(&col, 6).expect("numbers group");
        assert_eq!(g.of_row, vec![0, NO_ROW, 1, 0, 2, 2]);
        assert_eq!(
            g.values,
            vec![Value::Num(2.0), Value::Num(1.0), Value::Num(-0.0)]
        );
        assert_eq!(g.group_of(&Value::Num(0.0)), Some(2));
        assert_eq!(g.group_of(&Value::Num(3.0)), None);
        assert_eq!(g.group_of(&Value::Null), None);
    }

    #[test]
    fn combinations_give_back_each_columns_group() {
        let a = Col::Num(vec![1.0, 2.0, f64::NAN, 1.0]);
        let b = Col::Bool(vec![1, 0, 0, crate::data::column::NULL_BOOL]);
        let ga = Arc::new(SegmentGroups::new(&a, 4).expect("a"));
        let gb = Arc::new(SegmentGroups::new(&b, 4).expect("b"));
        let c = Combinations::new(vec![
            (SegmentSource::Column(0), ga.clone()),
            (SegmentSource::Column(1), gb.clone()),
        ])
        .expect("combined");
        assert_eq!(c.count, 3 * 3);
        for r in 0..4 {
            let k = c.of_row[r] as usize;
            assert_eq!(c.group(0, k), ga.of_row[r], "row {r}");
            assert_eq!(c.group(1, k), gb.of_row[r], "row {r}");
        }
        assert!(Combinations::new(vec![(SegmentSource::Column(0), ga)]).is_none());
    }

    #[test]
    fn text_groups_in_order_of_appearance() {
        let col = Col::Str(vec![7, NULL_STR, 3, 7, 3, 9]);
        let g = SegmentGroups::new(&col, 6).expect("texts group");
        assert_eq!(g.of_row, vec![0, NO_ROW, 1, 0, 1, 2]);
        assert_eq!(g.values, vec![Value::Str(7), Value::Str(3), Value::Str(9)]);
        assert_eq!(g.group_of(&Value::Str(9)), Some(2));
        assert_eq!(g.group_of(&Value::Str(8)), None);
    }

    #[test]
    fn list_columns_are_not_grouped() {
        let col = Col::List(vec![std::sync::Arc::from(vec![1u32])]);
        assert!(SegmentGroups::new(&col, 1).is_none());
    }
}
