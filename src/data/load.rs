//! Loading a dataset directory into typed columns, relations resolved to
//! row indexes once.
//!
//! Each table file is read into memory and parsed twice: a first pass infers
//! the type of every column the manifest does not declare, a second builds
//! the typed columns. A value that does not fit its column is an error
//! naming file, line, column and value, unless bad rows are skipped (then
//! they are counted for the report).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use rustc_hash::FxHashMap;

use super::column::*;
use super::schema::{ColumnSchema, ColumnType, Schema, TableSchema};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Skip rows with a malformed value (or a duplicate key) instead of
    /// failing; the report counts them.
    pub skip_bad_rows: bool,
    /// Files in the directory that are not tables (the benchmark file).
    pub exclude: Vec<String>,
}

/// Rows of a table resolved to the rows of the table they refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// The referring column (`alumni_id`).
    pub column: String,
    /// The referred table (`alumni`).
    pub target: String,
    /// For each row, the row of `target` it refers to, or [`NO_ROW`].
    pub rows: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub file: PathBuf,
    pub len: usize,
    /// Shared: a reload that keeps this table copies no column.
    pub columns: Arc<Vec<Column>>,
    pub key: Option<usize>,
    /// The column `period` filters on.
    pub date: Option<usize>,
    pub relations: Vec<Relation>,
    /// The file line of each row, for messages.
    pub lines: Arc<Vec<u32>>,
}

impl Table {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The (first) relation from this table to `target`.
    pub fn relation_to(&self, target: &str) -> Option<&Relation> {
        self.relations.iter().find(|r| r.target == target)
    }
}

/// What loading left out, for the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Skipped {
    pub table: String,
    pub rows: usize,
}

/// A loaded dataset.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub dir: PathBuf,
    pub tables: IndexMap<String, Table>,
    pub pool: std::sync::Arc<StringPool>,
    /// Rows skipped per table (with `skip_bad_rows`).
    pub skipped: Vec<Skipped>,
    /// Problems that did not stop loading (dangling references).
    pub warnings: Diagnostics,
}

impl Dataset {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// The schema with every column's type known.
    pub fn schema(&self) -> Schema {
        Schema {
            dir: self.dir.clone(),
            tables: self
                .tables
                .iter()
                .map(|(name, t)| {
                    (
                        name.clone(),
                        TableSchema {
                            name: name.clone(),
                            file: t.file.clone(),
                            columns: t
                                .columns
                                .iter()
                                .map(|c| ColumnSchema {
                                    name: c.name.clone(),
                                    ty: Some(c.data.column_type()),
                                })
                                .collect(),
                            key: t.key.map(|k| t.columns[k].name.clone()),
                            date_column: t.date.map(|d| t.columns[d].name.clone()),
                            refs: t
                                .relations
                                .iter()
                                .map(|r| (r.column.clone(), r.target.clone()))
                                .collect(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// Loads every table of `dir`.
    pub fn load(dir: &Path, options: &LoadOptions) -> Result<Dataset, Diagnostics> {
        Dataset::load_reusing(dir, options, None).map(|(data, _)| data)
    }

    /// Loads the dataset again after `changed` files changed: the other
    /// tables are kept as they are, without reading their files (a changed
    /// `dataset.yaml` reloads every table). Relations are resolved anew.
    /// Returns the new dataset and the tables read again.
    pub fn reload(
        &self,
        changed: &[PathBuf],
        options: &LoadOptions,
    ) -> Result<(Dataset, Vec<String>), Diagnostics> {
        Dataset::load_reusing(&self.dir, options, Some((self, changed)))
    }

    fn load_reusing(
        dir: &Path,
        options: &LoadOptions,
        previous: Option<(&Dataset, &[PathBuf])>,
    ) -> Result<(Dataset, Vec<String>), Diagnostics> {
        let exclude: Vec<&str> = options.exclude.iter().map(String::as_str).collect();
        let (schema, mut errors) = Schema::read(dir, &exclude);
        if errors.has_errors() {
            return Err(errors);
        }
        let mut data = Dataset {
            dir: dir.to_path_buf(),
            ..Dataset::default()
        };
        let mut lines: HashMap<String, Vec<u32>> = HashMap::new();
        let mut pool = previous
            .map(|(old, _)| (*old.pool).clone())
            .unwrap_or_default();
        let file_name = |p: &Path| p.file_name().map(|n| n.to_os_string());
        let manifest_changed = previous.is_some_and(|(_, changed)| {
            changed
                .iter()
                .any(|c| c.file_name().is_some_and(|n| n == "dataset.yaml"))
        });
        let keeps = |ts: &TableSchema| {
            previous
                .filter(|_| !manifest_changed)
                .is_some_and(|(old, changed)| {
                    old.tables.get(&ts.name).is_some_and(|t| t.file == ts.file)
                        && !changed.iter().any(|c| file_name(c) == file_name(&ts.file))
                })
        };
        // Tables load in parallel, each into its own string pool, merged
        // into the dataset's in table order below.
        let mut loaded: HashMap<String, Result<LoadedTable, Diagnostics>> = {
            use rayon::prelude::*;
            let to_load: Vec<&TableSchema> =
                schema.tables.values().filter(|ts| !keeps(ts)).collect();
            to_load
                .par_iter()
                .map(|ts| {
                    let mut local = StringPool::default();
                    let result = load_table(ts, &mut local, options.skip_bad_rows)
                        .map(|(table, skipped, lines)| (table, skipped, lines, local));
                    (ts.name.clone(), result)
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect()
        };
        let mut reloaded = Vec::new();
        for ts in schema.tables.values() {
            let kept = previous
                .filter(|_| keeps(ts))
                .and_then(|(old, _)| old.tables.get(&ts.name).map(|t| (t, old)));
            if let Some((table, old)) = kept {
                let mut table = table.clone();
                table.relations = Vec::new();
                lines.insert(ts.name.clone(), table.lines.to_vec());
                data.skipped
                    .extend(old.skipped.iter().filter(|s| s.table == ts.name).cloned());
                data.tables.insert(ts.name.clone(), table);
                continue;
            }
            reloaded.push(ts.name.clone());
            match loaded
                .remove(&ts.name)
                .unwrap_or_else(|| Err(Diagnostics::new()))
            {
                Ok((mut table, skipped, table_lines, local)) => {
                    merge_strings(&mut table, &local, &mut pool);
                    if skipped > 0 {
                        data.skipped.push(Skipped {
                            table: ts.name.clone(),
                            rows: skipped,
                        });
                    }
                    lines.insert(ts.name.clone(), table_lines);
                    data.tables.insert(ts.name.clone(), table);
                }
                Err(e) => errors.extend(e),
            }
        }
        if errors.has_errors() {
            return Err(errors);
        }
        data.pool = std::sync::Arc::new(pool);
        data.resolve_keys(&schema, &mut lines, options.skip_bad_rows, &mut errors);
        if errors.has_errors() {
            return Err(errors);
        }
        data.resolve_relations(&schema, &lines);
        for (name, table_lines) in lines {
            if let Some(t) = data.tables.get_mut(&name) {
                t.lines = Arc::new(table_lines);
            }
        }
        Ok((data, reloaded))
    }

    /// Key indexes; duplicate keys are errors (or skipped rows).
    fn resolve_keys(
        &mut self,
        schema: &Schema,
        lines: &mut HashMap<String, Vec<u32>>,
        skip: bool,
        errors: &mut Diagnostics,
    ) {
        for ts in schema.tables.values() {
            let Some(table) = self.tables.get_mut(&ts.name) else {
                continue;
            };
            let Some(key) = ts.key.as_ref().and_then(|k| table.column_index(k)) else {
                continue;
            };
            table.key = Some(key);
            let index = KeyIndex::build(&table.columns[key].data);
            if index.duplicates.is_empty() {
                continue;
            }
            let table_lines = lines.entry(ts.name.clone()).or_default();
            if skip {
                let drop: std::collections::HashSet<u32> =
                    index.duplicates.iter().copied().collect();
                let keep: Vec<u32> = (0..table.len as u32)
                    .filter(|r| !drop.contains(r))
                    .collect();
                for c in Arc::make_mut(&mut table.columns) {
                    c.data.retain_rows(&keep);
                }
                *table_lines = keep.iter().map(|&r| table_lines[r as usize]).collect();
                table.len = keep.len();
                match self.skipped.iter_mut().find(|s| s.table == ts.name) {
                    Some(s) => s.rows += drop.len(),
                    None => self.skipped.push(Skipped {
                        table: ts.name.clone(),
                        rows: drop.len(),
                    }),
                }
            } else {
                let first = index.duplicates[0] as usize;
                let value = cell_text(&table.columns[key].data, first, &self.pool);
                errors.push(
                    Diagnostic::error(
                        "data::duplicate-key",
                        format!(
                            "{} row(s) of `{}` repeat a key; first: `{}` = `{value}`",
                            index.duplicates.len(),
                            ts.name,
                            table.columns[key].name
                        ),
                    )
                    .in_file(
                        table.file.display().to_string(),
                        table_lines.get(first).copied().unwrap_or(0) as usize,
                        key + 1,
                    )
                    .with_help("keys identify rows: fix the file, or pass --skip-bad-rows to drop the repeats"),
                );
            }
        }
    }

    /// Each reference column resolved to row indexes of its target.
    fn resolve_relations(&mut self, schema: &Schema, lines: &HashMap<String, Vec<u32>>) {
        use rayon::prelude::*;
        // Key indexes, then every reference column's lookups, in parallel.
        let tables: Vec<(&String, &Table)> = self.tables.iter().collect();
        let indexes: HashMap<String, KeyIndex> = tables
            .par_iter()
            .filter_map(|&(name, t)| {
                t.key
                    .map(|k| (name.clone(), KeyIndex::build(&t.columns[k].data)))
            })
            .collect();
        let jobs: Vec<(&str, &str, &str)> = schema
            .tables
            .values()
            .flat_map(|ts| {
                ts.refs
                    .iter()
                    .map(|(col, target)| (ts.name.as_str(), col.as_str(), target.as_str()))
            })
            .collect();
        let mut resolved: HashMap<(&str, &str), Resolved> = jobs
            .par_iter()
            .filter_map(|&(table, col_name, target)| {
                let col = self.tables.get(table)?.column(col_name)?;
                let index = indexes.get(target)?;
                let mut dangling = 0usize;
                let mut first_dangling = None;
                let rows: Vec<u32> = (0..col.data.len())
                    .map(|r| match index.lookup(&col.data, r, &self.pool) {
                        Lookup::Found(row) => row,
                        Lookup::Null => NO_ROW,
                        Lookup::Missing => {
                            dangling += 1;
                            first_dangling.get_or_insert(r);
                            NO_ROW
                        }
                    })
                    .collect();
                Some(((table, col_name), (rows, dangling, first_dangling)))
            })
            .collect();
        for ts in schema.tables.values() {
            let mut relations = Vec::new();
            let Some(table) = self.tables.get(&ts.name) else {
                continue;
            };
            for (col_name, target) in &ts.refs {
                let (Some(col), Some((rows, dangling, first_dangling))) = (
                    table.column(col_name),
                    resolved.remove(&(ts.name.as_str(), col_name.as_str())),
                ) else {
                    continue;
                };
                if let Some(first) = first_dangling {
                    let line = lines
                        .get(&ts.name)
                        .and_then(|l| l.get(first))
                        .copied()
                        .unwrap_or(0);
                    let col_idx = table.column_index(col_name).unwrap_or(0);
                    self.warnings.push(
                        Diagnostic::warning(
                            "data::dangling",
                            format!(
                                "{dangling} row(s) of `{}` refer to `{target}` rows that do not exist; first: `{col_name}` = `{}`",
                                ts.name,
                                cell_text(&col.data, first, &self.pool)
                            ),
                        )
                        .in_file(table.file.display().to_string(), line as usize, col_idx + 1)
                        .with_help(format!("these rows are related to no `{target}` row")),
                    );
                }
                relations.push(Relation {
                    column: col_name.clone(),
                    target: target.clone(),
                    rows,
                });
            }
            if let Some(t) = self.tables.get_mut(&ts.name) {
                t.date = ts.date_column.as_ref().and_then(|d| t.column_index(d));
                if t.date
                    .is_some_and(|d| !matches!(t.columns[d].data, ColumnData::Date(_)))
                {
                    t.date = None;
                }
                t.relations = relations;
            }
        }
    }
}

/// A reference column resolved: target rows, how many dangle, the first
/// that does.
type Resolved = (Vec<u32>, usize, Option<usize>);

/// A table's key values → row.
struct KeyIndex {
    /// Keys that are small non-negative integers (ids 1..n, the usual
    /// case): row by key, [`NO_ROW`] for none. No hashing.
    dense: Option<Vec<u32>>,
    numbers: FxHashMap<u64, u32>,
    strings: FxHashMap<u32, u32>,
    /// Rows whose key was already taken.
    duplicates: Vec<u32>,
}

enum Lookup {
    Found(u32),
    Null,
    Missing,
}

/// A number as an index into a dense key table of `len` slots.
fn dense_slot(x: f64, len: usize) -> Option<usize> {
    (x >= 0.0 && x.fract() == 0.0 && x < len as f64).then_some(x as usize)
}

impl KeyIndex {
    fn build(data: &ColumnData) -> KeyIndex {
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
    fn lookup(&self, data: &ColumnData, r: usize, pool: &StringPool) -> Lookup {
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
fn cell_text(data: &ColumnData, r: usize, pool: &StringPool) -> String {
    match data {
        ColumnData::Number(v) => format!("{}", v[r]),
        ColumnData::Bool(v) => ["false", "true", ""][v[r].min(2) as usize].to_string(),
        ColumnData::Date(v) => date_of(v[r]).map(|d| d.to_string()).unwrap_or_default(),
        ColumnData::Str(v) => pool.text(v[r]).to_string(),
        ColumnData::List { .. } => String::new(),
    }
}

/// One cell as read from a file.
#[derive(Clone)]
enum Cell<'a> {
    Null,
    Text(Cow<'a, str>),
    List(Vec<String>),
}

/// What a text looks like, for inference.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Bool,
    Number,
    Date,
    Text,
}

fn shape(s: &str) -> Shape {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        Shape::Bool
    } else if t.parse::<f64>().is_ok_and(f64::is_finite) {
        Shape::Number
    } else if parse_date(t).is_some() {
        Shape::Date
    } else {
        Shape::Text
    }
}

/// Infers a column's type from the shapes of its non-empty cells.
#[derive(Clone, Copy, Default)]
struct Inference {
    seen: Option<Shape>,
    mixed: bool,
    list: bool,
}

impl Inference {
    /// The column is text whatever comes next (a list still may).
    fn settled_text(&self) -> bool {
        self.mixed || self.seen == Some(Shape::Text)
    }

    fn add(&mut self, cell: &Cell<'_>) {
        if self.settled_text() && !matches!(cell, Cell::List(_)) {
            return;
        }
        match cell {
            Cell::Null => {}
            Cell::Text(s) if s.trim().is_empty() => {}
            Cell::List(_) => self.list = true,
            Cell::Text(s) => {
                let sh = shape(s);
                match self.seen {
                    None => self.seen = Some(sh),
                    Some(prev) if prev != sh => self.mixed = true,
                    _ => {}
                }
            }
        }
    }

    fn result(self) -> ColumnType {
        if self.list {
            return ColumnType::List;
        }
        match (self.seen, self.mixed) {
            (Some(Shape::Bool), false) => ColumnType::Bool,
            (Some(Shape::Number), false) => ColumnType::Number,
            (Some(Shape::Date), false) => ColumnType::Date,
            _ => ColumnType::String,
        }
    }
}

/// Builds one typed column.
enum Builder {
    Number(Vec<f64>),
    Bool(Vec<u8>),
    Date(Vec<i32>),
    Str(Vec<u32>),
    List { offsets: Vec<u32>, values: Vec<u32> },
}

impl Builder {
    fn new(ty: ColumnType, capacity: usize) -> Builder {
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
    fn push(&mut self, cell: &Cell<'_>, pool: &mut StringPool) -> Result<(), ()> {
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

    fn finish(self) -> ColumnData {
        match self {
            Builder::Number(v) => ColumnData::Number(v),
            Builder::Bool(v) => ColumnData::Bool(v),
            Builder::Date(v) => ColumnData::Date(v),
            Builder::Str(v) => ColumnData::Str(v),
            Builder::List { offsets, values } => ColumnData::List { offsets, values },
        }
    }

    fn truncate_last(&mut self) {
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

/// A table read on its own: the table, rows skipped, row lines, and the
/// string pool its ids refer to.
type LoadedTable = (Table, usize, Vec<u32>, StringPool);

/// Re-points a table's string ids from its own pool to the dataset's.
fn merge_strings(table: &mut Table, local: &StringPool, pool: &mut StringPool) {
    if local.is_empty() {
        return;
    }
    let map: Vec<u32> = (0..local.len() as u32)
        .map(|id| pool.intern(local.text(id)))
        .collect();
    for c in Arc::make_mut(&mut table.columns) {
        match &mut c.data {
            ColumnData::Str(v) => v
                .iter_mut()
                .filter(|id| **id != NULL_STR)
                .for_each(|id| *id = map[*id as usize]),
            ColumnData::List { values, .. } => {
                values.iter_mut().for_each(|id| *id = map[*id as usize])
            }
            _ => {}
        }
    }
}

/// Rows of a file, each a line number and its cells.
type Rows<'a> = Vec<(u32, Vec<Cell<'a>>)>;

/// At most this many bad values are reported per file.
const MAX_ERRORS_PER_FILE: usize = 20;

fn load_table(
    ts: &TableSchema,
    pool: &mut StringPool,
    skip: bool,
) -> Result<(Table, usize, Vec<u32>), Diagnostics> {
    let file = ts.file.display().to_string();
    let bytes = std::fs::read(&ts.file).map_err(|e| {
        Diagnostics(vec![Diagnostic::error(
            "data::io",
            format!("cannot read `{file}`: {e}"),
        )])
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Diagnostics(vec![
            Diagnostic::error("data::encoding", "the file is not UTF-8 text")
                .in_file(&file, line, 1),
        ])
    })?;
    let mut errors = Diagnostics::new();
    let mut skipped = 0usize;
    let width = ts.columns.len();
    // CSV is parsed twice from the text (no row is kept between the passes);
    // JSONL rows are decoded once and kept.
    let source = if ts.file.extension().is_some_and(|e| e == "jsonl") {
        Source::Json(read_jsonl(text, ts, &file, skip, &mut skipped, &mut errors))
    } else {
        Source::Csv(text)
    };

    // Pass 1: well-formed rows, and the types of undeclared columns.
    let undeclared: Vec<usize> = (0..width).filter(|&c| ts.columns[c].ty.is_none()).collect();
    let mut inference = vec![Inference::default(); width];
    let mut rows = 0usize;
    source
        .rows(
            width,
            &mut |_, cell| {
                for &c in &undeclared {
                    inference[c].add(&cell(c));
                }
                rows += 1;
            },
            &mut |line, fields| {
                if skip {
                    skipped += 1;
                } else if errors.0.len() < MAX_ERRORS_PER_FILE {
                    errors.push(
                        Diagnostic::error(
                            "data::row",
                            format!("this row has {fields} field(s), the header {width}"),
                        )
                        .in_file(&file, line as usize, 1),
                    );
                }
            },
        )
        .map_err(|(line, message)| {
            Diagnostics(vec![
                Diagnostic::error("data::csv", message).in_file(&file, line, 1),
            ])
        })?;
    if errors.has_errors() {
        return Err(errors);
    }
    let types: Vec<ColumnType> = (0..width)
        .map(|c| ts.columns[c].ty.unwrap_or_else(|| inference[c].result()))
        .collect();

    // Pass 2: typed columns.
    let mut builders: Vec<Builder> = types.iter().map(|t| Builder::new(*t, rows)).collect();
    let mut lines = Vec::with_capacity(rows);
    // The text parsed in pass 1: a syntax error cannot appear now.
    let _ = source.rows(
        width,
        &mut |line, cell| {
            let mut bad = None;
            for (c, b) in builders.iter_mut().enumerate() {
                if b.push(&cell(c), pool).is_err() {
                    // Keep the columns aligned; the row is reported or dropped.
                    b.push(&Cell::Null, pool).ok();
                    bad.get_or_insert(c);
                }
            }
            let Some(c) = bad else {
                lines.push(line);
                return;
            };
            if skip {
                builders.iter_mut().for_each(Builder::truncate_last);
                skipped += 1;
                return;
            }
            lines.push(line);
            if errors.0.len() < MAX_ERRORS_PER_FILE {
                let value = match cell(c) {
                    Cell::Text(s) => s.to_string(),
                    Cell::List(items) => format!("[{}]", items.join(", ")),
                    Cell::Null => String::new(),
                };
                errors.push(
                    Diagnostic::error(
                        "data::value",
                        format!(
                            "`{value}` is not a {} (column `{}`)",
                            type_word(types[c]),
                            ts.columns[c].name
                        ),
                    )
                    .in_file(&file, line as usize, c + 1)
                    .with_help(type_help(types[c], ts.columns[c].ty.is_some())),
                );
            }
        },
        &mut |_, _| {},
    );
    if errors.has_errors() {
        return Err(errors);
    }
    let columns: Vec<Column> = builders
        .into_iter()
        .zip(&ts.columns)
        .map(|(b, c)| Column {
            name: c.name.clone(),
            data: b.finish(),
        })
        .collect();
    Ok((
        Table {
            name: ts.name.clone(),
            file: ts.file.clone(),
            len: lines.len(),
            columns: Arc::new(columns),
            key: None,
            date: None,
            relations: Vec::new(),
            lines: Arc::new(Vec::new()),
        },
        skipped,
        lines,
    ))
}

/// Called with a row's line and a way to read each of its cells.
type RowVisitor<'f> = dyn for<'r> FnMut(u32, &'r dyn Fn(usize) -> Cell<'r>) + 'f;

/// Where a table's rows come from.
enum Source<'a> {
    /// CSV text, parsed on each pass.
    Csv(&'a str),
    /// Decoded JSON lines.
    Json(Rows<'static>),
}

impl Source<'_> {
    /// Calls `row(line, cell)` for each row with the header's width
    /// (`cell(c)` gives column `c`), `wrong(line, fields)` for each other.
    /// A CSV syntax error ends the reading: `(line, message)`.
    fn rows(
        &self,
        width: usize,
        row: &mut RowVisitor<'_>,
        wrong: &mut dyn FnMut(u32, usize),
    ) -> Result<(), (usize, String)> {
        match self {
            Source::Json(rows) => {
                for (line, cells) in rows {
                    row(*line, &|c| cells[c].clone());
                }
                Ok(())
            }
            Source::Csv(text) => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .from_reader(text.as_bytes());
                let mut record = csv::StringRecord::new();
                loop {
                    match reader.read_record(&mut record) {
                        Ok(false) => return Ok(()),
                        Ok(true) => {
                            let line = record.position().map_or(0, |p| p.line()) as u32;
                            if record.len() != width {
                                wrong(line, record.len());
                                continue;
                            }
                            row(line, &|c| Cell::Text(Cow::Borrowed(&record[c])));
                        }
                        Err(e) => {
                            let line = e.position().map_or(0, |p| p.line()) as usize;
                            return Err((line, e.to_string()));
                        }
                    }
                }
            }
        }
    }
}

fn type_word(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Number => "number",
        ColumnType::Bool => "yes/no value",
        ColumnType::Date => "date",
        ColumnType::String => "text",
        ColumnType::List => "list",
    }
}

fn type_help(t: ColumnType, declared: bool) -> String {
    let how = match t {
        ColumnType::Number => "numbers are written like 12 or 0.5",
        ColumnType::Bool => "yes/no values are true/false, yes/no or 1/0",
        ColumnType::Date => "dates are written YYYY-MM-DD",
        _ => "",
    };
    if declared {
        format!(
            "{how}; dataset.yaml declares this column's type. Fix the value, or pass --skip-bad-rows"
        )
    } else {
        format!("{how}. Fix the value, or pass --skip-bad-rows")
    }
}

fn read_jsonl(
    text: &str,
    ts: &TableSchema,
    file: &str,
    skip: bool,
    skipped: &mut usize,
    errors: &mut Diagnostics,
) -> Rows<'static> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = n as u32 + 1;
        let object =
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(serde_json::Value::Object(map)) => map,
                Ok(_) | Err(_) => {
                    if skip {
                        *skipped += 1;
                    } else if errors.0.len() < MAX_ERRORS_PER_FILE {
                        errors.push(
                            Diagnostic::error("data::json", "this line is not a JSON object")
                                .in_file(file, n + 1, 1),
                        );
                    }
                    continue;
                }
            };
        let cells = ts
            .columns
            .iter()
            .map(|c| match object.get(&c.name) {
                None | Some(serde_json::Value::Null) => Cell::Null,
                Some(serde_json::Value::String(s)) => Cell::Text(Cow::Owned(s.clone())),
                Some(serde_json::Value::Array(items)) => Cell::List(
                    items
                        .iter()
                        .map(|i| match i {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                ),
                Some(other) => Cell::Text(Cow::Owned(other.to_string())),
            })
            .collect();
        rows.push((line_no, cells));
    }
    rows
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

    fn dataset(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Dataset, Diagnostics>) {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let result = Dataset::load(dir.path(), &LoadOptions::default());
        (dir, result)
    }

    #[test]
    fn types_are_inferred_from_every_non_empty_cell() {
        let (_dir, data) = dataset(&[(
            "t.csv",
            "id,n,b,d,s,mixed\n1,1.5,true,2025-01-02,x,1\n2,,FALSE,,y,two\n3,-2,,2025-03-04,,\n",
        )]);
        let data = data.expect("loads");
        let t = data.table("t").expect("table t");
        let ty = |c: &str| t.column(c).map(|c| c.data.column_type());
        assert_eq!(ty("n"), Some(ColumnType::Number));
        assert_eq!(ty("b"), Some(ColumnType::Bool));
        assert_eq!(ty("d"), Some(ColumnType::Date));
        assert_eq!(ty("s"), Some(ColumnType::String));
        assert_eq!(ty("mixed"), Some(ColumnType::String));
        let Some(ColumnData::Number(n)) = t.column("n").map(|c| &c.data) else {
            panic!("numbers")
        };
        assert_eq!(n[0], 1.5);
        assert!(n[1].is_nan(), "an empty cell is null");
        let Some(ColumnData::Bool(b)) = t.column("b").map(|c| &c.data) else {
            panic!("bools")
        };
        assert_eq!(b, &vec![1, 0, NULL_BOOL]);
    }

    #[test]
    fn jsonl_tables_and_list_columns_load() {
        let (_dir, data) = dataset(&[
            (
                "people.jsonl",
                "{\"id\": 1, \"tags\": [\"a\", \"b\"], \"ok\": true}\n{\"id\": 2, \"tags\": [], \"ok\": null}\n",
            ),
            ("notes.csv", "id,people_id,words\n1,2,x; y\n"),
            (
                "dataset.yaml",
                "tables:\n  notes:\n    columns: { words: list }\n",
            ),
        ]);
        let data = data.expect("loads");
        let people = data.table("people").expect("people");
        let Some(ColumnData::List { offsets, values }) = people.column("tags").map(|c| &c.data)
        else {
            panic!("a list column")
        };
        assert_eq!(offsets, &vec![0, 2, 2]);
        assert_eq!(data.pool.text(values[1]), "b");
        let notes = data.table("notes").expect("notes");
        // `people_id` refers to `people` by convention: row 1 (id 2).
        assert_eq!(
            notes.relation_to("people").map(|r| r.rows.clone()),
            Some(vec![1])
        );
        let Some(ColumnData::List { values, .. }) = notes.column("words").map(|c| &c.data) else {
            panic!("a list column")
        };
        assert_eq!(data.pool.text(values[1]), "y");
    }

    #[test]
    fn a_manifest_table_without_a_file_is_an_error() {
        let (_dir, data) = dataset(&[("a.csv", "id\n1\n"), ("dataset.yaml", "tables:\n  b: {}\n")]);
        let errors = data.expect_err("b has no file");
        assert!(
            errors.0[0]
                .message
                .contains("`b` is declared in the manifest but has no file")
        );
    }

    #[test]
    fn a_bad_declared_value_names_line_and_column() {
        let (_dir, data) = dataset(&[
            ("a.csv", "id,when\n1,2025-01-01\n2,soon\n3,later\n"),
            (
                "dataset.yaml",
                "tables:\n  a:\n    columns: { when: date }\n",
            ),
        ]);
        let errors = data.expect_err("not dates");
        // Every bad value of the file, not only the first.
        assert_eq!(errors.0.len(), 2);
        let loc = errors.0[0].location.clone().expect("a location");
        assert_eq!((loc.line, loc.column), (3, 2));
        assert_eq!(errors.0[0].message, "`soon` is not a date (column `when`)");
    }
}
