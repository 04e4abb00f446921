//! Datasets built in memory: tables given as columns or rows, read with the
//! checks and messages of files.
//!
//! A table built here goes through the stage a file goes through. Text
//! cells are inferred as a CSV file's cells are (`2026-05-01` is a date,
//! `true` a yes/no value); numbers, yes/no values, dates and lists given
//! typed keep their type; the key, date column, `since` column and
//! references are declared or found by the conventions of `dataset.yaml`
//! (`id`, `date`, `alumni_id` → `alumni`). Keys are indexed, relations
//! resolved and dangling references warned about as for a directory. A
//! message about a cell names the table as `memory:TABLE`, the row (from 1)
//! as its line and the column by its number.

use std::borrow::Cow;
use std::path::PathBuf;

use chrono::NaiveDate;
use indexmap::IndexMap;

use super::load::Dataset;
use super::manifest::{Located, Manifest, TableManifest};
use super::schema::{ColumnSchema, ColumnType, FileFormat, Schema, TableSchema};
use super::table::{Cell, read_memory};
use crate::check::suggest::did_you_mean;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::yaml_tree::Pos;

/// One cell of an in-memory table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value (an empty cell).
    Null,
    /// A number; NaN and infinities are not numbers here (an error, as in
    /// a file: use [`Value::Null`] for a missing value).
    Number(f64),
    /// A yes/no value.
    Bool(bool),
    /// Text, read as a CSV cell is: its column's type is inferred from
    /// every cell unless declared.
    Text(String),
    /// A day.
    Date(NaiveDate),
    /// A list of strings (an empty list is not a null).
    List(Vec<String>),
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Number(x)
    }
}

impl From<i64> for Value {
    fn from(x: i64) -> Value {
        Value::Number(x as f64)
    }
}

impl From<i32> for Value {
    fn from(x: i32) -> Value {
        Value::Number(f64::from(x))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Value {
        Value::Date(d)
    }
}

impl From<Vec<String>> for Value {
    fn from(items: Vec<String>) -> Value {
        Value::List(items)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl Value {
    fn cell(self) -> Cell<'static> {
        match self {
            Value::Null => Cell::Null,
            Value::Number(x) if x.is_finite() => Cell::Number(x),
            // Shown as written, and refused by the number column.
            Value::Number(x) => Cell::Text(Cow::Owned(x.to_string())),
            Value::Bool(b) => Cell::Bool(b),
            Value::Text(s) => Cell::Text(Cow::Owned(s)),
            Value::Date(d) => Cell::Text(Cow::Owned(d.format("%Y-%m-%d").to_string())),
            Value::List(items) => Cell::List(items),
        }
    }

    /// The type a typed value gives its column (text is inferred).
    fn column_type(&self) -> Option<ColumnType> {
        match self {
            Value::Number(_) => Some(ColumnType::Number),
            Value::Bool(_) => Some(ColumnType::Bool),
            Value::Date(_) => Some(ColumnType::Date),
            Value::List(_) => Some(ColumnType::List),
            Value::Null | Value::Text(_) => None,
        }
    }
}

/// One table of a [`DatasetBuilder`].
///
/// ```
/// use alumni_kpi::{DatasetBuilder, TableBuilder};
///
/// let data = DatasetBuilder::new()
///     .table(TableBuilder::new("alumni").column("id", [1, 2, 3]).column("member", [true, false, true]))
///     .table(TableBuilder::from_rows("gifts", &["id", "alumni_id", "amount"], [
///         vec![1.into(), 1.into(), 50.0.into()],
///         vec![2.into(), 3.into(), "120".into()],
///     ]))
///     .build()
///     .unwrap();
/// // `alumni_id` refers to `alumni` by its name, as in a directory.
/// assert_eq!(data.table("gifts").unwrap().relation_to("alumni").unwrap().rows, vec![0, 2]);
/// ```
#[derive(Debug, Clone)]
pub struct TableBuilder {
    name: String,
    columns: Vec<(String, Vec<Value>)>,
    /// Row-major input that does not fit the header: (row, values given).
    ragged: Vec<(usize, usize)>,
    /// Types given by the source (Arrow), for columns not declared.
    source_types: Vec<(String, ColumnType)>,
    decl: TableManifest,
}

impl TableBuilder {
    /// An empty table named `name` (add its columns with
    /// [`column`](Self::column)).
    pub fn new(name: &str) -> TableBuilder {
        TableBuilder {
            name: name.to_string(),
            columns: Vec::new(),
            ragged: Vec::new(),
            source_types: Vec::new(),
            decl: TableManifest {
                name: name.to_string(),
                ..TableManifest::default()
            },
        }
    }

    /// A table given row by row under a header.
    pub fn from_rows<R, V>(name: &str, header: &[&str], rows: R) -> TableBuilder
    where
        R: IntoIterator<Item = V>,
        V: IntoIterator<Item = Value>,
    {
        let mut table = TableBuilder::new(name);
        table.columns = header.iter().map(|h| (h.to_string(), Vec::new())).collect();
        for (r, row) in rows.into_iter().enumerate() {
            let mut given = 0;
            for value in row {
                if let Some((_, cells)) = table.columns.get_mut(given) {
                    cells.push(value);
                }
                given += 1;
            }
            if given != header.len() {
                table.ragged.push((r + 1, given));
                // Keep the columns aligned; the row is an error anyway.
                for (_, cells) in table.columns.iter_mut().skip(given) {
                    cells.push(Value::Null);
                }
            }
        }
        table
    }

    /// Adds a column; its type is its values' (text is inferred).
    pub fn column<I>(mut self, name: &str, values: I) -> TableBuilder
    where
        I: IntoIterator,
        I::Item: Into<Value>,
    {
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        self.columns.push((name.to_string(), values));
        self
    }

    /// Declares a column's type, as `columns:` in `dataset.yaml` does
    /// (text cells are then read as that type).
    pub fn column_type(mut self, column: &str, ty: ColumnType) -> TableBuilder {
        self.decl.columns.push((located(column), ty));
        self
    }

    /// The type the source gives a column (an Arrow field's, a database
    /// column's), unless declared otherwise.
    pub(crate) fn typed(mut self, column: &str, ty: ColumnType) -> TableBuilder {
        self.source_types.push((column.to_string(), ty));
        self
    }

    /// The key column (default `id`, when there is one).
    pub fn key(mut self, column: &str) -> TableBuilder {
        self.decl.key = Some(located(column));
        self
    }

    /// The column `period` filters on (default `date`, when there is one).
    pub fn date(mut self, column: &str) -> TableBuilder {
        self.decl.date = Some(Located {
            value: Some(column.to_string()),
            pos: Pos::default(),
        });
        self
    }

    /// The table has no date: `period` does not filter it.
    pub fn undated(mut self) -> TableBuilder {
        self.decl.date = Some(Located {
            value: None,
            pos: Pos::default(),
        });
        self
    }

    /// A stock table: a row counts from the day in `column` on.
    pub fn since(mut self, column: &str) -> TableBuilder {
        self.decl.since = Some(located(column));
        self
    }

    /// `column` holds keys of `table` (beyond the `TABLE_id` convention).
    pub fn refers(mut self, column: &str, table: &str) -> TableBuilder {
        self.decl.refs.push((located(column), located(table)));
        self
    }

    /// The table's schema and its rows, or what is wrong with its shape.
    fn into_parts(mut self) -> Result<(TableSchema, super::jsonl::Rows), Diagnostics> {
        let shown = memory_file(&self.name);
        let mut errors = Diagnostics::new();
        for (row, given) in &self.ragged {
            errors.push(
                Diagnostic::error(
                    "data::row",
                    format!(
                        "row {row} of `{}` has {given} value(s), the header {}",
                        self.name,
                        self.columns.len()
                    ),
                )
                .in_file(&shown, *row, 1)
                .with_help("give every row one value per column, in the header's order"),
            );
        }
        for (i, (name, _)) in self.columns.iter().enumerate() {
            if name.trim().is_empty() {
                errors.push(
                    Diagnostic::error(
                        "data::header",
                        format!("column {} of `{}` has no name", i + 1, self.name),
                    )
                    .with_help("name every column"),
                );
            } else if self.columns[..i].iter().any(|(n, _)| n == name) {
                errors.push(
                    Diagnostic::error(
                        "data::header",
                        format!("column `{name}` of `{}` is given twice", self.name),
                    )
                    .with_help("give each column once"),
                );
            }
        }
        let rows = self.columns.first().map_or(0, |(_, cells)| cells.len());
        for (name, cells) in &self.columns {
            if cells.len() != rows {
                errors.push(
                    Diagnostic::error(
                        "data::row",
                        format!(
                            "column `{name}` of `{}` has {} value(s), column `{}` {rows}",
                            self.name,
                            cells.len(),
                            self.columns[0].0
                        ),
                    )
                    .with_help("give every column one value per row"),
                );
            }
        }
        if errors.has_errors() {
            return Err(errors);
        }
        // A column of typed values is declared that type, unless declared
        // otherwise; a mix of types is read as text would be.
        for (name, cells) in &self.columns {
            if self.decl.columns.iter().any(|(c, _)| &c.value == name) {
                continue;
            }
            if let Some((_, ty)) = self.source_types.iter().find(|(c, _)| c == name) {
                self.decl.columns.push((located(name), *ty));
                continue;
            }
            let mut types = cells.iter().filter_map(Value::column_type);
            let Some(first) = types.next() else { continue };
            let text = cells.iter().any(|c| matches!(c, Value::Text(_)));
            if !text && types.all(|t| t == first) {
                self.decl.columns.push((located(name), first));
            }
        }
        let schema = TableSchema {
            name: self.name.clone(),
            file: PathBuf::from(shown),
            format: FileFormat::Memory,
            columns: self
                .columns
                .iter()
                .map(|(name, _)| ColumnSchema {
                    name: name.clone(),
                    ty: None,
                })
                .collect(),
            key: None,
            date_column: None,
            since: None,
            refs: Vec::new(),
            decl: self.decl,
        };
        let mut columns: Vec<std::vec::IntoIter<Value>> = self
            .columns
            .into_iter()
            .map(|(_, cells)| cells.into_iter())
            .collect();
        let rows: super::jsonl::Rows = (1..=rows as u32)
            .map(|line| {
                let cells = columns
                    .iter_mut()
                    .map(|c| c.next().map_or(Cell::Null, Value::cell))
                    .collect();
                (line, cells)
            })
            .collect();
        Ok((schema, rows))
    }
}

/// A dataset built table by table in memory, checked as a directory is.
#[derive(Debug, Clone, Default)]
pub struct DatasetBuilder {
    tables: Vec<TableBuilder>,
    skip_bad_rows: bool,
    dir: PathBuf,
    /// `dataset.yaml` text, and how messages name it.
    manifest: Option<(String, String)>,
}

impl DatasetBuilder {
    /// A dataset with no table yet.
    pub fn new() -> DatasetBuilder {
        DatasetBuilder::default()
    }

    /// Adds a table.
    pub fn table(mut self, table: TableBuilder) -> DatasetBuilder {
        self.tables.push(table);
        self
    }

    /// Leaves out rows with a malformed value or a repeated key, counted
    /// in the report, instead of failing (`--skip-bad-rows`).
    pub fn skip_bad_rows(mut self, skip: bool) -> DatasetBuilder {
        self.skip_bad_rows = skip;
        self
    }

    /// The directory the scorecard's benchmark file is read from (a
    /// dataset in memory has none otherwise).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> DatasetBuilder {
        self.dir = dir.into();
        self
    }

    /// Declarations in the words of `dataset.yaml` (keys, dates, `since`,
    /// column types, references, locale), for the tables given by name;
    /// `shown` names the text in messages. What a table's builder declares
    /// itself comes on top.
    pub fn manifest(mut self, text: &str, shown: &str) -> DatasetBuilder {
        self.manifest = Some((text.to_string(), shown.to_string()));
        self
    }

    /// Checks and builds the dataset: every problem of every table at once.
    pub fn build(mut self) -> Result<Dataset, Diagnostics> {
        let mut errors = Diagnostics::new();
        let shown = match &self.manifest {
            Some((_, shown)) => shown.clone(),
            None => MEMORY_MANIFEST.to_string(),
        };
        if let Some((text, _)) = &self.manifest {
            let (manifest, problems) = Manifest::parse(text, &shown);
            errors.extend(problems);
            for entry in &manifest.tables {
                if let Some(file) = &entry.file {
                    errors.push(
                        Diagnostic::error(
                            "data::manifest",
                            format!("`{}` is given in memory: it has no file", entry.name),
                        )
                        .in_file(&shown, file.pos.line, file.pos.column)
                        .with_help("remove its `file:`"),
                    );
                }
                if !self.tables.iter().any(|t| t.name == entry.name) {
                    let known = self.tables.iter().map(|t| t.name.as_str());
                    errors.push(
                        Diagnostic::error(
                            "data::manifest",
                            format!("`{}` is declared in the manifest but not given", entry.name),
                        )
                        .in_file(&shown, entry.pos.line, entry.pos.column)
                        .with_help(
                            did_you_mean(&entry.name, known).unwrap_or_else(|| {
                                "give the table, or remove it from the manifest".to_string()
                            }),
                        ),
                    );
                }
            }
            for table in &mut self.tables {
                table.decl = declared(&manifest, &table.decl);
            }
        }
        let mut schema = Schema {
            dir: self.dir.clone(),
            tables: IndexMap::new(),
        };
        let mut rows: std::collections::HashMap<String, super::jsonl::Rows> =
            std::collections::HashMap::new();
        let mut seen: Vec<String> = Vec::new();
        for table in self.tables {
            if seen.contains(&table.name) {
                errors.push(
                    Diagnostic::error(
                        "data::table-files",
                        format!("table `{}` is given twice", table.name),
                    )
                    .with_help("give each table once"),
                );
                continue;
            }
            seen.push(table.name.clone());
            match table.into_parts() {
                Ok((ts, table_rows)) => {
                    rows.insert(ts.name.clone(), table_rows);
                    schema.tables.insert(ts.name.clone(), ts);
                }
                Err(e) => errors.extend(e),
            }
        }
        let mut declared = Diagnostics::new();
        schema.apply_manifest(MEMORY_MANIFEST, &mut declared);
        // Declarations were made in code, not at a place in a file.
        for mut d in declared.0 {
            if d.location
                .as_ref()
                .is_some_and(|l| l.file == MEMORY_MANIFEST)
            {
                d.location = None;
            }
            errors.push(d);
        }
        if errors.has_errors() {
            return Err(errors);
        }
        let skip = self.skip_bad_rows;
        let empty = Vec::new();
        Dataset::read_tables(&schema, errors, skip, None, &|ts, pool, elsewhere| {
            let table_rows = rows.get(&ts.name).unwrap_or(&empty);
            read_memory(ts, table_rows, pool, skip, elsewhere)
        })
        .map(|(data, _)| data)
    }
}

/// A table's declarations: the manifest's entry (or its locale), then what
/// its builder declares.
fn declared(manifest: &Manifest, own: &TableManifest) -> TableManifest {
    let Some(entry) = manifest.table(&own.name) else {
        return TableManifest {
            locale: manifest.locale.clone(),
            ..own.clone()
        };
    };
    let mut decl = entry.clone();
    decl.file = None;
    decl.key = own.key.clone().or(decl.key);
    decl.date = own.date.clone().or(decl.date);
    decl.since = own.since.clone().or(decl.since);
    decl.columns.extend(own.columns.iter().cloned());
    decl.refs.extend(own.refs.iter().cloned());
    decl
}

/// Where the declarations of a built dataset "are", until stripped.
const MEMORY_MANIFEST: &str = "memory:dataset.yaml";

/// How messages name an in-memory table.
fn memory_file(table: &str) -> String {
    format!("memory:{table}")
}

fn located(value: &str) -> Located<String> {
    Located {
        value: value.to_string(),
        pos: Pos::default(),
    }
}
