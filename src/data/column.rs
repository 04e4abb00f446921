//! Typed columns with nulls, and the string pool they share.

use rustc_hash::FxHashMap;

/// "No row": a reference that leads nowhere.
pub const NO_ROW: u32 = u32::MAX;
/// Null in a string column.
pub const NULL_STR: u32 = u32::MAX;
/// Null in a date column.
pub const NULL_DATE: i32 = i32::MIN;
/// Null in a bool column (0 false, 1 true).
pub const NULL_BOOL: u8 = 2;

/// The values of one column. Numbers use NaN for null: every operation that
/// could produce NaN or infinity from real numbers yields null instead, so
/// NaN never means anything else.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    Number(Vec<f64>),
    Bool(Vec<u8>),
    /// Days since 0001-01-01 (chrono's `num_days_from_ce`).
    Date(Vec<i32>),
    /// Ids in the dataset's [`StringPool`].
    Str(Vec<u32>),
    /// Row `i` holds `values[offsets[i]..offsets[i + 1]]` (string ids).
    List {
        offsets: Vec<u32>,
        values: Vec<u32>,
    },
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Number(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
            ColumnData::Date(v) => v.len(),
            ColumnData::Str(v) => v.len(),
            ColumnData::List { offsets, .. } => offsets.len().saturating_sub(1),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn column_type(&self) -> super::ColumnType {
        use super::ColumnType as T;
        match self {
            ColumnData::Number(_) => T::Number,
            ColumnData::Bool(_) => T::Bool,
            ColumnData::Date(_) => T::Date,
            ColumnData::Str(_) => T::String,
            ColumnData::List { .. } => T::List,
        }
    }

    /// Keeps only the rows whose index is in `keep` (ascending).
    pub fn retain_rows(&mut self, keep: &[u32]) {
        fn pick<T: Copy>(v: &mut Vec<T>, keep: &[u32]) {
            *v = keep.iter().map(|&i| v[i as usize]).collect();
        }
        match self {
            ColumnData::Number(v) => pick(v, keep),
            ColumnData::Bool(v) => pick(v, keep),
            ColumnData::Date(v) => pick(v, keep),
            ColumnData::Str(v) => pick(v, keep),
            ColumnData::List { offsets, values } => {
                let mut new_offsets = vec![0u32];
                let mut new_values = Vec::new();
                for &i in keep {
                    let (a, b) = (
                        offsets[i as usize] as usize,
                        offsets[i as usize + 1] as usize,
                    );
                    new_values.extend_from_slice(&values[a..b]);
                    new_offsets.push(new_values.len() as u32);
                }
                *offsets = new_offsets;
                *values = new_values;
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data: ColumnData,
}

/// Interned strings: each distinct text has one id, so equality is an
/// integer comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StringPool {
    strings: Vec<Box<str>>,
    /// A fast hash: data files are not an attack surface, and interning
    /// is a large share of loading.
    ids: FxHashMap<Box<str>, u32>,
}

impl StringPool {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    /// The text of an id ("" for null or an unknown id).
    pub fn text(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// Date text (`2026-08-31`, or the date part of an ISO date-time) to days.
pub fn parse_date(s: &str) -> Option<i32> {
    use chrono::Datelike;
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !(b.len() == 10 || b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    // Digits read directly: chrono's format parser costs more than the load.
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d).map(|date| date.num_days_from_ce())
}

/// Days back to a date.
pub fn date_of(days: i32) -> Option<chrono::NaiveDate> {
    if days == NULL_DATE {
        return None;
    }
    chrono::NaiveDate::from_num_days_from_ce_opt(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        let d = parse_date("2026-02-28").expect("a date");
        assert_eq!(
            date_of(d).map(|d| d.to_string()).as_deref(),
            Some("2026-02-28")
        );
        assert!(parse_date("2026-02-30").is_none(), "no such day");
        assert!(parse_date("2026-2-28").is_none());
        assert!(parse_date("2026-02-28T10:00:00").is_some());
        assert!(parse_date("2026-02-28x").is_none());
        assert!(parse_date("20a6-02-28").is_none());
    }
}
