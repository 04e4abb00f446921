//! Values, columns of values, and the strings they name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::data::StringPool;
use crate::data::column::{NULL_BOOL, NULL_DATE, NULL_STR};

/// One value. Strings are ids in [`Strings`]; dates are days from CE.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Num(f64),
    Bool(bool),
    Str(u32),
    Date(i32),
    List(Arc<[u32]>),
}

impl Value {
    /// A number, with NaN and infinities (which never mean anything else
    /// here) as null.
    pub fn num(n: f64) -> Value {
        if n.is_finite() {
            Value::Num(n)
        } else {
            Value::Null
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// The values of an expression over a set of rows: one typed vector, or one
/// value standing for every row.
#[derive(Debug, Clone, PartialEq)]
pub enum Col {
    /// NaN is null.
    Num(Vec<f64>),
    /// 0, 1, [`NULL_BOOL`].
    Bool(Vec<u8>),
    /// [`NULL_STR`] is null.
    Str(Vec<u32>),
    /// [`NULL_DATE`] is null.
    Date(Vec<i32>),
    List(Vec<Arc<[u32]>>),
    /// Rows of a table's list column, read in place (no list is copied
    /// unless a value is asked for).
    ListRef {
        columns: Arc<Vec<crate::data::Column>>,
        col: usize,
        /// Table rows; [`crate::data::column::NO_ROW`] reads as an empty list.
        rows: Vec<u32>,
    },
    /// The same value in every row.
    Const(Value),
}

impl Col {
    /// The value of row `i`.
    pub fn get(&self, i: usize) -> Value {
        match self {
            Col::Num(v) => Value::num(v[i]),
            Col::Bool(v) => match v[i] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => Value::Null,
            },
            Col::Str(v) if v[i] == NULL_STR => Value::Null,
            Col::Str(v) => Value::Str(v[i]),
            Col::Date(v) if v[i] == NULL_DATE => Value::Null,
            Col::Date(v) => Value::Date(v[i]),
            Col::List(v) => Value::List(v[i].clone()),
            Col::ListRef { .. } => Value::List(Arc::from(self.list_at(i))),
            Col::Const(c) => c.clone(),
        }
    }

    /// The items of row `i` of a list column (empty for other columns).
    pub fn list_at(&self, i: usize) -> &[u32] {
        match self {
            Col::List(v) => &v[i],
            Col::ListRef { columns, col, rows } => match (&columns[*col].data, rows[i]) {
                (crate::data::ColumnData::List { offsets, values }, r)
                    if r != crate::data::column::NO_ROW =>
                {
                    &values[offsets[r as usize] as usize..offsets[r as usize + 1] as usize]
                }
                _ => &[],
            },
            Col::Const(Value::List(items)) => items,
            _ => &[],
        }
    }

    /// Builds a column from per-row values (the slow, general path).
    pub fn from_values(values: Vec<Value>) -> Col {
        let kind = values.iter().find(|v| !v.is_null());
        match kind {
            None => Col::Const(Value::Null),
            Some(Value::Num(_)) => Col::Num(
                values
                    .iter()
                    .map(|v| v.as_num().unwrap_or(f64::NAN))
                    .collect(),
            ),
            Some(Value::Bool(_)) => Col::Bool(
                values
                    .iter()
                    .map(|v| match v {
                        Value::Bool(b) => u8::from(*b),
                        _ => NULL_BOOL,
                    })
                    .collect(),
            ),
            Some(Value::Str(_)) => Col::Str(
                values
                    .iter()
                    .map(|v| match v {
                        Value::Str(s) => *s,
                        _ => NULL_STR,
                    })
                    .collect(),
            ),
            Some(Value::Date(_)) => Col::Date(
                values
                    .iter()
                    .map(|v| match v {
                        Value::Date(d) => *d,
                        _ => NULL_DATE,
                    })
                    .collect(),
            ),
            Some(Value::List(_)) => Col::List(
                values
                    .into_iter()
                    .map(|v| match v {
                        Value::List(l) => l,
                        _ => Arc::from(Vec::new()),
                    })
                    .collect(),
            ),
            Some(Value::Null) => Col::Const(Value::Null),
        }
    }

    /// Row `i` is true (false and null are not).
    pub fn is_true(&self, i: usize) -> bool {
        match self {
            Col::Bool(v) => v[i] == 1,
            Col::Const(Value::Bool(b)) => *b,
            _ => false,
        }
    }
}

/// The dataset's strings plus those the rules add (literals, `lower`...).
/// Ids below the dataset pool's size are the dataset's.
#[derive(Debug)]
pub struct Strings {
    base: Arc<StringPool>,
    extra: Mutex<Extra>,
}

#[derive(Debug, Default)]
struct Extra {
    texts: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl Strings {
    pub fn new(base: Arc<StringPool>) -> Strings {
        Strings {
            base,
            extra: Mutex::new(Extra::default()),
        }
    }

    pub fn intern(&self, s: &str) -> u32 {
        if let Some(id) = self.base.get(s) {
            return id;
        }
        let mut extra = self.extra.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = extra.ids.get(s) {
            return id;
        }
        let id = (self.base.len() + extra.texts.len()) as u32;
        let text: Arc<str> = Arc::from(s);
        extra.texts.push(text.clone());
        extra.ids.insert(text, id);
        id
    }

    /// The text of an id.
    pub fn text(&self, id: u32) -> Arc<str> {
        if (id as usize) < self.base.len() {
            return Arc::from(self.base.text(id));
        }
        let extra = self.extra.lock().unwrap_or_else(|e| e.into_inner());
        extra
            .texts
            .get(id as usize - self.base.len())
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }
}
