//! Typed columns built cell by cell.

use super::column::*;
use super::schema::ColumnType;
use super::table::Cell;

/// Builds one typed column.
pub(super) enum Builder {
    Number(Vec<f64>),
    Bool(Vec<u8>),
    Date(Vec<i32>),
    Str(Vec<u32>),
    List { offsets: Vec<u32>, values: Vec<u32> },
}

impl Builder {
    pub(super) fn new(ty: ColumnType, capacity: usize) -> Builder {
        match ty {
            ColumnType::Number => Builder::Number(Vec::with_capacity(capacity)),
            ColumnType::Bool => Builder::Bool(Vec::with_capacity(capacity)),
            ColumnType::Date => Builder::Date(Vec::with_capacity(capacity)),
            ColumnType::String => Builder::Str(Vec::with_capacity(capacity)),
            ColumnType::List => Builder::List {
                offsets: vec![0],
                values: Vec::new(),
            },
        }
    }

    /// Appends a cell; `Err(())` when it does not fit the column's type.
    pub(super) fn push(&mut self, cell: &Cell<'_>, pool: &mut StringPool) -> Result<(), ()> {
        let text = match cell {
            Cell::Null => None,
            Cell::Text(s) => Some(s.trim()).filter(|t| !t.is_empty()),
            Cell::List(items) => {
                return match self {
                    Builder::List { offsets, values } => {
                        values.extend(items.iter().map(|i| pool.intern(i.trim())));
                        offsets.push(values.len() as u32);
                        Ok(())
                    }
                    _ => Err(()),
                };
            }
        };
        match self {
            Builder::Number(v) => v.push(match text {
                None => f64::NAN,
                Some(t) => t.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or(())?,
            }),
            Builder::Bool(v) => v.push(match text {
                None => NULL_BOOL,
                Some(t)
                    if ["true", "yes", "y", "1"]
                        .iter()
                        .any(|w| t.eq_ignore_ascii_case(w)) =>
                {
                    1
                }
                Some(t)
                    if ["false", "no", "n", "0"]
                        .iter()
                        .any(|w| t.eq_ignore_ascii_case(w)) =>
                {
                    0
                }
                Some(_) => return Err(()),
            }),
            Builder::Date(v) => v.push(match text {
                None => NULL_DATE,
                Some(t) => parse_date(t).ok_or(())?,
            }),
            Builder::Str(v) => v.push(text.map_or(NULL_STR, |t| pool.intern(t))),
            Builder::List { offsets, values } => {
                if let Some(t) = text {
                    values.extend(
                        t.split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| pool.intern(s)),
                    );
                }
                offsets.push(values.len() as u32);
            }
        }
        Ok(())
    }

    pub(super) fn finish(self) -> ColumnData {
        match self {
            Builder::Number(v) => ColumnData::Number(v),
            Builder::Bool(v) => ColumnData::Bool(v),
            Builder::Date(v) => ColumnData::Date(v),
            Builder::Str(v) => ColumnData::Str(v),
            Builder::List { offsets, values } => ColumnData::List { offsets, values },
        }
    }

    pub(super) fn truncate_last(&mut self) {
        match self {
            Builder::Number(v) => {
                v.pop();
            }
            Builder::Bool(v) => {
                v.pop();
            }
            Builder::Date(v) => {
                v.pop();
            }
            Builder::Str(v) => {
                v.pop();
            }
            Builder::List { offsets, values } => {
                if offsets.len() > 1 {
                    offsets.pop();
                    values.truncate(*offsets.last().unwrap_or(&0) as usize);
                }
            }
        }
    }
}
