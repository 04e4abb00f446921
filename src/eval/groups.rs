//! Segments computed together: the population's rows numbered by the value
//! of a segment column, so that an aggregate's rows can be reduced for
//! every value of the column in one pass instead of once per value.

use rustc_hash::FxHashMap;

use super::ops::distinct_key;
use super::value::{Col, Value};
use crate::data::column::NO_ROW;

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
        for r in 0..len {
            let value = col.get(r);
            let group = match distinct_key(&value) {
                None => NO_ROW,
                Some(key) => *groups.index.entry(key).or_insert_with(|| {
                    groups.values.push(value);
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
    fn list_columns_are_not_grouped() {
        let col = Col::List(vec![std::sync::Arc::from(vec![1u32])]);
        assert!(SegmentGroups::new(&col, 1).is_none());
    }
}
