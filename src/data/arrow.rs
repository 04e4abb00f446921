//! Apache Arrow record batches as in-memory tables (feature `arrow`).
//!
//! Each Arrow column becomes a column of a [`TableBuilder`], so a batch is
//! checked as a file is. Numbers, booleans, dates and lists of strings keep
//! their type; strings (plain, large, views, dictionaries: a pandas
//! category) are read as a CSV file's text, their type inferred. The
//! values are copied into the engine's columns: every table is checked
//! and keyed the same way, whatever it came from.
//!
//! What has no counterpart is an error naming the column, never a silent
//! conversion: an integer too large to be held exactly as a number, a
//! timestamp in a time zone other than UTC (its day depends on the zone),
//! binary or nested columns.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::NaiveDate;

use super::memory::{TableBuilder, Value};
use super::schema::ColumnType;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// The largest integer every smaller one of which a number holds exactly.
const EXACT: u64 = 1 << 53;

impl TableBuilder {
    /// A table from Arrow record batches (one schema; every batch's rows in
    /// order).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
    /// use alumni_kpi::{DatasetBuilder, TableBuilder};
    ///
    /// let batch = RecordBatch::try_from_iter([
    ///     ("id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
    ///     ("amount", Arc::new(Float64Array::from(vec![Some(50.0), None])) as ArrayRef),
    /// ]).unwrap();
    /// let gifts = TableBuilder::from_arrow("gifts", &[batch]).unwrap();
    /// let data = DatasetBuilder::new().table(gifts).build().unwrap();
    /// assert_eq!(data.table("gifts").unwrap().len, 2);
    /// ```
    pub fn from_arrow(name: &str, batches: &[RecordBatch]) -> Result<TableBuilder, Diagnostics> {
        match batches.first() {
            Some(first) => TableBuilder::from_arrow_with(name, &first.schema(), batches),
            None => Ok(TableBuilder::new(name)),
        }
    }

    /// The same with the stream's schema, so that a table with no rows
    /// (no batch) keeps its columns and their types.
    pub fn from_arrow_with(
        name: &str,
        schema: &arrow_schema::Schema,
        batches: &[RecordBatch],
    ) -> Result<TableBuilder, Diagnostics> {
        let mut errors = Diagnostics::new();
        let mut table = TableBuilder::new(name);
        for (c, field) in schema.fields().iter().enumerate() {
            let mut values = Vec::new();
            let mut failed = false;
            for batch in batches {
                let Some(array) = batch.columns().get(c) else {
                    continue;
                };
                let offset = values.len();
                match column(array.as_ref(), &mut values) {
                    Ok(()) => {}
                    Err(Unfit::Type(ty)) => {
                        errors.push(
                            Diagnostic::error(
                                "data::arrow",
                                format!(
                                    "column `{}` of `{name}` is Arrow {ty}, which has no \
                                     counterpart here",
                                    field.name()
                                ),
                            )
                            .with_help(
                                "give numbers, booleans, dates, strings or lists of strings \
                                 (cast the column first)",
                            ),
                        );
                        failed = true;
                        break;
                    }
                    Err(Unfit::Value { row, text, why }) => {
                        errors.push(
                            Diagnostic::error(
                                "data::value",
                                format!("`{text}` {why} (column `{}`)", field.name()),
                            )
                            .in_file(format!("memory:{name}"), offset + row + 1, c + 1)
                            .with_help(match why {
                                TOO_LARGE => "hold identifiers this large as strings",
                                _ => "give the column as dates (Date32) or UTC timestamps",
                            }),
                        );
                        failed = true;
                        break;
                    }
                }
            }
            if !failed {
                table = table.column(field.name(), values);
                // The column's type is the field's, not its values' (a
                // column of nulls is still a number column).
                if let Some(ty) = column_type(field.data_type()) {
                    table = table.typed(field.name(), ty);
                }
            }
        }
        if errors.has_errors() {
            return Err(errors);
        }
        Ok(table)
    }
}

/// The engine's type of an Arrow type that has one of its own (strings
/// are inferred, as text in a file is).
fn column_type(ty: &DataType) -> Option<ColumnType> {
    match ty {
        DataType::Boolean => Some(ColumnType::Bool),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..) => Some(ColumnType::Number),
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => Some(ColumnType::Date),
        DataType::List(_) | DataType::LargeList(_) => Some(ColumnType::List),
        _ => None,
    }
}

/// Why a column cannot be read.
enum Unfit {
    /// Its type has no counterpart.
    Type(String),
    /// One of its values cannot be held (row in the batch).
    Value {
        row: usize,
        text: String,
        why: &'static str,
    },
}

const TOO_LARGE: &str = "is too large to be held exactly as a number";
const ZONED: &str = "is a time in a zone other than UTC, so its day is not known";

/// Appends the values of one array.
fn column(array: &dyn Array, out: &mut Vec<Value>) -> Result<(), Unfit> {
    let value = |i: usize, v: Value| if array.is_null(i) { Value::Null } else { v };
    match array.data_type() {
        DataType::Null => out.extend((0..array.len()).map(|_| Value::Null)),
        DataType::Boolean => {
            let a = array.as_boolean();
            out.extend((0..a.len()).map(|i| value(i, Value::Bool(a.value(i)))));
        }
        DataType::Int8 => widen::<Int8Type>(array, out),
        DataType::Int16 => widen::<Int16Type>(array, out),
        DataType::Int32 => widen::<Int32Type>(array, out),
        DataType::UInt8 => widen::<UInt8Type>(array, out),
        DataType::UInt16 => widen::<UInt16Type>(array, out),
        DataType::UInt32 => widen::<UInt32Type>(array, out),
        DataType::Int64 => check(
            numbers::<Int64Type>(array, out, |x| {
                (x.unsigned_abs() <= EXACT).then_some(x as f64)
            }),
            TOO_LARGE,
        )?,
        DataType::UInt64 => check(
            numbers::<UInt64Type>(array, out, |x| (x <= EXACT).then_some(x as f64)),
            TOO_LARGE,
        )?,
        DataType::Float16 => shortest::<Float16Type>(array, out, |x| f32::from(x).to_string()),
        DataType::Float32 => shortest::<Float32Type>(array, out, |x| x.to_string()),
        DataType::Float64 => check(numbers::<Float64Type>(array, out, Some), TOO_LARGE)?,
        DataType::Decimal128(_, scale) => {
            // Exact when the unscaled integer is (a scale of 2: cents).
            let scale = 10f64.powi(i32::from(*scale));
            check(
                numbers::<Decimal128Type>(array, out, |x| {
                    (x.unsigned_abs() <= u128::from(EXACT)).then_some(x as f64 / scale)
                }),
                TOO_LARGE,
            )?
        }
        DataType::Date32 => {
            let a = array.as_primitive::<Date32Type>();
            out.extend((0..a.len()).map(|i| value(i, day(i64::from(a.value(i))))));
        }
        DataType::Date64 => {
            let a = array.as_primitive::<Date64Type>();
            out.extend((0..a.len()).map(|i| value(i, day(a.value(i).div_euclid(86_400_000)))));
        }
        DataType::Timestamp(unit, zone) => {
            if zone
                .as_deref()
                .is_some_and(|z| !matches!(z, "UTC" | "utc" | "Z" | "+00:00" | "Etc/UTC"))
            {
                let row = (0..array.len()).find(|&i| !array.is_null(i)).unwrap_or(0);
                return Err(Unfit::Value {
                    row,
                    text: format!("a timestamp in {}", zone.as_deref().unwrap_or("")),
                    why: ZONED,
                });
            }
            let per_day: i64 = match unit {
                TimeUnit::Second => 86_400,
                TimeUnit::Millisecond => 86_400_000,
                TimeUnit::Microsecond => 86_400_000_000,
                TimeUnit::Nanosecond => 86_400_000_000_000,
            };
            let ticks: Vec<i64> = match unit {
                TimeUnit::Second => ticks::<TimestampSecondType>(array),
                TimeUnit::Millisecond => ticks::<TimestampMillisecondType>(array),
                TimeUnit::Microsecond => ticks::<TimestampMicrosecondType>(array),
                TimeUnit::Nanosecond => ticks::<TimestampNanosecondType>(array),
            };
            out.extend(
                ticks
                    .iter()
                    .enumerate()
                    .map(|(i, t)| value(i, day(t.div_euclid(per_day)))),
            );
        }
        DataType::Utf8 => texts(array.as_string::<i32>().iter(), out),
        DataType::LargeUtf8 => texts(array.as_string::<i64>().iter(), out),
        DataType::Utf8View => texts(array.as_string_view().iter(), out),
        DataType::Dictionary(_, _) => {
            let Some(dict) = array.as_any_dictionary_opt() else {
                return Err(Unfit::Type(array.data_type().to_string()));
            };
            let mut words = Vec::new();
            column(dict.values().as_ref(), &mut words)?;
            if words.is_empty() {
                // No values: every key is null (arrow's normalised keys
                // need at least one value).
                out.extend((0..array.len()).map(|_| Value::Null));
            } else {
                let keys = dict.normalized_keys();
                out.extend(
                    keys.iter()
                        .enumerate()
                        .map(|(i, &k)| value(i, words.get(k).cloned().unwrap_or(Value::Null))),
                );
            }
        }
        DataType::List(item) | DataType::LargeList(item) => {
            if !matches!(
                item.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
            ) {
                return Err(Unfit::Type(array.data_type().to_string()));
            }
            let lists: Vec<Option<std::sync::Arc<dyn Array>>> = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().iter().collect(),
                _ => array.as_list::<i64>().iter().collect(),
            };
            for list in lists {
                let Some(items) = list else {
                    out.push(Value::Null);
                    continue;
                };
                let mut words = Vec::new();
                column(items.as_ref(), &mut words)?;
                out.push(Value::List(
                    words
                        .into_iter()
                        .filter_map(|w| match w {
                            Value::Text(s) => Some(s),
                            _ => None,
                        })
                        .collect(),
                ));
            }
        }
        other => return Err(Unfit::Type(other.to_string())),
    }
    Ok(())
}

/// Numbers of a type every value of which an f64 holds exactly.
fn widen<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut Vec<Value>)
where
    T::Native: Into<f64> + std::fmt::Display,
{
    // `exact` never refuses, so neither does `numbers`.
    let _ = numbers::<T>(array, out, |x| Some(x.into()));
}

/// Narrow floats as the number they print as (0.1f32 is 0.1, not
/// 0.100000001490116): what a DataFrame shows, and what its CSV holds.
fn shortest<T: ArrowPrimitiveType>(
    array: &dyn Array,
    out: &mut Vec<Value>,
    shown: impl Fn(T::Native) -> String,
) {
    let a = array.as_primitive::<T>();
    out.extend((0..a.len()).map(|i| {
        if a.is_null(i) {
            return Value::Null;
        }
        let text = shown(a.value(i));
        // NaN and infinities print as text the number column refuses.
        text.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map_or(Value::Text(text), Value::Number)
    }));
}

/// Numbers that `exact` turns into f64, or the first row it cannot.
fn numbers<T: ArrowPrimitiveType>(
    array: &dyn Array,
    out: &mut Vec<Value>,
    exact: impl Fn(T::Native) -> Option<f64>,
) -> Result<(), (usize, String)>
where
    T::Native: std::fmt::Display,
{
    let a = array.as_primitive::<T>();
    out.reserve(a.len());
    for i in 0..a.len() {
        if a.is_null(i) {
            out.push(Value::Null);
            continue;
        }
        let x = a.value(i);
        match exact(x) {
            Some(v) => out.push(Value::Number(v)),
            None => return Err((i, x.to_string())),
        }
    }
    Ok(())
}

/// A failed conversion of `numbers`, as why.
fn check(result: Result<(), (usize, String)>, why: &'static str) -> Result<(), Unfit> {
    result.map_err(|(row, text)| Unfit::Value { row, text, why })
}

fn ticks<T: ArrowPrimitiveType<Native = i64>>(array: &dyn Array) -> Vec<i64> {
    array.as_primitive::<T>().values().to_vec()
}

fn texts<'a>(values: impl Iterator<Item = Option<&'a str>>, out: &mut Vec<Value>) {
    out.extend(values.map(|v| v.map_or(Value::Null, |s| Value::Text(s.to_string()))));
}

/// Days since 1970-01-01 as a date (out of range: null is not right, so
/// the day shows as text and its column says it is not a date).
fn day(days: i64) -> Value {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::try_days(days)?))
        .map_or_else(
            || Value::Text(format!("day {days} from 1970-01-01")),
            Value::Date,
        )
}
