//! Typed columns built cell by cell, under the table's locale.

use super::column::*;
use super::locale::{BoolWords, DateFormat, Decimal, parse_number};
use super::schema::ColumnType;
use super::table::Cell;

/// How a table's cells are read, once its locale is settled.
#[derive(Debug, Clone)]
pub(super) struct Reading {
    pub decimal: Decimal,
    pub dates: DateFormat,
    pub words: BoolWords,
}

/// Builds one typed column.
pub(super) enum Builder {
    Number(Vec<f64>),
    /// `declared`: the manifest says bool, so `1`/`0`, `y`/`n` are read too.
    Bool {
        values: Vec<u8>,
        declared: bool,
    },
    Date(Vec<i32>),
    Str(Vec<u32>),
    /// An empty cell is the empty list: a list column has no null.
    List {
        offsets: Vec<u32>,
        values: Vec<u32>,
    },
}

impl Builder {
    pub(super) fn new(ty: ColumnType, declared: bool, capacity: usize) -> Builder {
        match ty {
            ColumnType::Number => Builder::Number(Vec::with_capacity(capacity)),
            ColumnType::Bool => Builder::Bool {
                values: Vec::with_capacity(capacity),
                declared,
            },
            ColumnType::Date => Builder::Date(Vec::with_capacity(capacity)),
            ColumnType::String => Builder::Str(Vec::with_capacity(capacity)),
            ColumnType::List => Builder::List {
                offsets: vec![0],
                values: Vec::new(),
            },
        }
    }

    /// Appends a cell; `Err(())` when it does not fit the column's type
    /// (nothing is appended then).
    pub(super) fn push(
        &mut self,
        cell: &Cell<'_>,
        reading: &Reading,
        pool: &mut StringPool,
    ) -> Result<(), ()> {
        let text = match cell {
            Cell::Null => None,
            Cell::Text(s) => Some(s.trim()).filter(|t| !t.is_empty()),
            Cell::Number(n) => {
                return match self {
                    Builder::Number(v) => {
                        v.push(*n);
                        Ok(())
                    }
                    Builder::Str(v) => {
                        v.push(pool.intern(&format!("{n}")));
                        Ok(())
                    }
                    Builder::Bool {
                        values,
                        declared: true,
                    } if *n == 0.0 || *n == 1.0 => {
                        values.push(u8::from(*n == 1.0));
                        Ok(())
                    }
                    _ => Err(()),
                };
            }
            Cell::Bool(b) => {
                return match self {
                    Builder::Bool { values, .. } => {
                        values.push(u8::from(*b));
                        Ok(())
                    }
                    Builder::Str(v) => {
                        v.push(pool.intern(if *b { "true" } else { "false" }));
                        Ok(())
                    }
                    _ => Err(()),
                };
            }
            Cell::List(items) => {
                return match self {
                    Builder::List { offsets, values } => {
                        values.extend(
                            items
                                .iter()
                                .map(|i| i.trim())
                                .filter(|i| !i.is_empty())
                                .map(|i| pool.intern(i)),
                        );
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
                Some(t) => parse_number(t, reading.decimal).ok_or(())?,
            }),
            Builder::Bool { values, declared } => values.push(match text {
                None => NULL_BOOL,
                Some(t) => u8::from(reading.words.parse(t, *declared).ok_or(())?),
            }),
            Builder::Date(v) => v.push(match text {
                None => NULL_DATE,
                Some(t) => reading.dates.parse(t).ok_or(())?,
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
            Builder::Bool { values, .. } => ColumnData::Bool(values),
            Builder::Date(v) => ColumnData::Date(v),
            Builder::Str(v) => ColumnData::Str(v),
            Builder::List { offsets, values } => ColumnData::List { offsets, values },
        }
    }

    /// Removes the last row (a bad row being skipped).
    pub(super) fn truncate_last(&mut self) {
        match self {
            Builder::Number(v) => {
                v.pop();
            }
            Builder::Bool { values, .. } => {
                values.pop();
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
                    values.truncate(offsets.last().copied().unwrap_or(0) as usize);
                }
            }
        }
    }
}
