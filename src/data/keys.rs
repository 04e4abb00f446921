//! Key indexes: a table's key values → row, for resolving references.

use rustc_hash::FxHashMap;

use super::column::*;

/// A table's key values → row.
pub(super) struct KeyIndex {
    /// Keys that are small non-negative integers (ids 1..n, the usual
    /// case): row by key, [`NO_ROW`] for none. No hashing.
    pub(super) dense: Option<Vec<u32>>,
    numbers: FxHashMap<u64, u32>,
    strings: FxHashMap<u32, u32>,
    /// Rows whose key was already taken.
    pub(super) duplicates: Vec<u32>,
}

pub(super) enum Lookup {
    Found(u32),
    Null,
    Missing,
}

impl Lookup {
    pub(super) fn row(&self) -> Option<u32> {
        match self {
            Lookup::Found(r) => Some(*r),
            _ => None,
        }
    }
}

/// A number as an index into a dense key table of `len` slots.
fn dense_slot(x: f64, len: usize) -> Option<usize> {
    (x >= 0.0 && x.fract() == 0.0 && x < len as f64).then_some(x as usize)
}

impl KeyIndex {
    pub(super) fn build(data: &ColumnData) -> KeyIndex {
        let mut index = KeyIndex {
            dense: None,
            numbers: FxHashMap::default(),
            strings: FxHashMap::default(),
            duplicates: Vec::new(),
        };
        if let ColumnData::Number(v) = data {
            let slots = 4 * v.len() + 1024;
            if v.iter()
                .all(|&x| x.is_nan() || dense_slot(x, slots).is_some())
            {
                let mut dense = vec![NO_ROW; slots];
                for (r, &x) in v.iter().enumerate() {
                    if let Some(k) = dense_slot(x, slots) {
                        // The first row with a key keeps it.
                        if dense[k] == NO_ROW {
                            dense[k] = r as u32;
                        } else {
                            index.duplicates.push(r as u32);
                        }
                    }
                }
                index.dense = Some(dense);
                return index;
            }
        }
        // The first row with a key keeps it; later ones are duplicates.
        fn claim<K: std::hash::Hash + Eq>(map: &mut FxHashMap<K, u32>, key: K, r: usize) -> bool {
            match map.entry(key) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(r as u32);
                    true
                }
            }
        }
        for r in 0..data.len() {
            let fresh = match data {
                ColumnData::Number(v) if !v[r].is_nan() => {
                    claim(&mut index.numbers, v[r].to_bits(), r)
                }
                ColumnData::Str(v) if v[r] != NULL_STR => claim(&mut index.strings, v[r], r),
                ColumnData::Date(v) if v[r] != NULL_DATE => {
                    claim(&mut index.numbers, f64::from(v[r]).to_bits(), r)
                }
                _ => true,
            };
            if !fresh {
                index.duplicates.push(r as u32);
            }
        }
        index
    }

    /// The row of a numeric key.
    fn number(&self, x: f64) -> Option<u32> {
        match &self.dense {
            Some(dense) => dense_slot(x, dense.len())
                .map(|k| dense[k])
                .filter(|&r| r != NO_ROW),
            None => self.numbers.get(&x.to_bits()).copied(),
        }
    }

    /// The row a reference cell points to; numbers and texts match across
    /// types by their written form (`12` and `"12"`).
    pub(super) fn lookup(&self, data: &ColumnData, r: usize, pool: &StringPool) -> Lookup {
        let found = match data {
            ColumnData::Number(v) => {
                if v[r].is_nan() {
                    return Lookup::Null;
                }
                self.number(v[r]).or_else(|| {
                    pool.get(&format!("{}", v[r]))
                        .and_then(|id| self.strings.get(&id).copied())
                })
            }
            ColumnData::Str(v) => {
                if v[r] == NULL_STR {
                    return Lookup::Null;
                }
                self.strings.get(&v[r]).copied().or_else(|| {
                    pool.text(v[r])
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .and_then(|n| self.number(n))
                })
            }
            _ => return Lookup::Null,
        };
        found.map_or(Lookup::Missing, Lookup::Found)
    }
}

/// A cell as text, for messages.
pub(crate) fn cell_text(data: &ColumnData, r: usize, pool: &StringPool) -> String {
    match data {
        ColumnData::Number(v) => format!("{}", v[r]),
        ColumnData::Bool(v) => ["false", "true", ""][v[r].min(2) as usize].to_string(),
        ColumnData::Date(v) => date_of(v[r]).map(|d| d.to_string()).unwrap_or_default(),
        ColumnData::Str(v) => pool.text(v[r]).to_string(),
        ColumnData::List { .. } => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(l: Lookup) -> Option<u32> {
        match l {
            Lookup::Found(r) => Some(r),
            _ => None,
        }
    }

    #[test]
    fn key_indexes_dense_and_hashed_agree() {
        let mut pool = StringPool::default();
        let five = pool.intern("5");
        for keys in [
            vec![1.0, 2.0, 2.0, f64::NAN, 5.0],
            // Not small integers: hashed.
            vec![1.5, 2.0, 2.0, f64::NAN, 5.0],
            vec![-1.0, 2.0, 2.0, f64::NAN, 5.0],
        ] {
            let data = ColumnData::Number(keys.clone());
            let index = KeyIndex::build(&data);
            assert_eq!(index.duplicates, vec![2], "{keys:?}");
            let refs = ColumnData::Number(vec![2.0, 5.0, 7.0, f64::NAN]);
            assert_eq!(found(index.lookup(&refs, 0, &pool)), Some(1));
            assert_eq!(found(index.lookup(&refs, 1, &pool)), Some(4));
            assert!(matches!(index.lookup(&refs, 2, &pool), Lookup::Missing));
            assert!(matches!(index.lookup(&refs, 3, &pool), Lookup::Null));
            // A text reference matches a number key by its written form.
            let text = ColumnData::Str(vec![five]);
            assert_eq!(found(index.lookup(&text, 0, &pool)), Some(4));
        }
        assert!(
            KeyIndex::build(&ColumnData::Number(vec![1.0, 3.0]))
                .dense
                .is_some()
        );
        assert!(
            KeyIndex::build(&ColumnData::Number(vec![1.0, 1e12]))
                .dense
                .is_none()
        );
    }
}
