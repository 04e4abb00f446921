//! Loading a dataset directory: every table read (in parallel, see
//! `table`), keys indexed, relations resolved to row indexes once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;

use super::TableInfo;
use super::column::*;
use super::keys::{KeyIndex, Lookup, cell_text};
use super::schema::{ColumnSchema, Schema, TableSchema};
use super::table::{Elsewhere, Read, load_table};
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

impl LoadOptions {
    /// What `kpi score` loads for these rules: every table of the
    /// directory but the scorecard's benchmark file.
    pub fn for_rules(rules: &crate::rules::RuleSet) -> LoadOptions {
        LoadOptions {
            exclude: crate::check::benchmark_file(rules).into_iter().collect(),
            ..LoadOptions::default()
        }
    }
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
    /// The column `period` filters on (a flow: a row counts in the period
    /// holding its date).
    pub date: Option<usize>,
    /// The column from which a row counts (a stock: a row counts in every
    /// period ending on or after its day).
    pub since: Option<usize>,
    pub relations: Vec<Relation>,
    /// The file line of each row, for messages.
    pub lines: Arc<Vec<u32>>,
    /// How the file was read (for `kpi check --data` and the report).
    pub info: Arc<TableInfo>,
    /// The table's shape as the manifest and header gave it.
    pub schema: Arc<TableSchema>,
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
    /// The lines of the first rows left out.
    pub lines: Vec<u32>,
}

/// At most this many skipped lines are listed.
const SKIPPED_LINES_SHOWN: usize = 10;

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
                    let mut ts = (*t.schema).clone();
                    ts.columns = t
                        .columns
                        .iter()
                        .map(|c| ColumnSchema {
                            name: c.name.clone(),
                            ty: Some(c.data.column_type()),
                        })
                        .collect();
                    ts.refs = t
                        .relations
                        .iter()
                        .map(|r| (r.column.clone(), r.target.clone()))
                        .collect();
                    (name.clone(), ts)
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
        let (schema, errors) = Schema::read(dir, &exclude);
        if errors.has_errors() {
            return Err(errors);
        }
        let skip = options.skip_bad_rows;
        Dataset::read_tables(&schema, errors, skip, previous, &|ts, pool, elsewhere| {
            load_table(ts, pool, skip, elsewhere)
        })
    }

    /// Reads the tables of `schema` (through `read`, in parallel), then
    /// indexes keys and resolves relations: the stage files and in-memory
    /// tables share.
    pub(super) fn read_tables(
        schema: &Schema,
        mut errors: Diagnostics,
        skip_bad_rows: bool,
        previous: Option<(&Dataset, &[PathBuf])>,
        read: &ReadTable<'_>,
    ) -> Result<(Dataset, Vec<String>), Diagnostics> {
        let dir = schema.dir.as_path();
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
        let load = |tables: &[&TableSchema], elsewhere: Elsewhere| {
            use rayon::prelude::*;
            tables
                .par_iter()
                .map(|ts| {
                    let mut local = StringPool::default();
                    let result = read(ts, &mut local, elsewhere).map(|read| (read, local));
                    (ts.name.clone(), result)
                })
                .collect::<Vec<_>>()
        };
        let to_load: Vec<&TableSchema> = schema.tables.values().filter(|ts| !keeps(ts)).collect();
        let mut loaded: HashMap<String, Result<LoadedTable, Diagnostics>> =
            load(&to_load, Elsewhere::default()).into_iter().collect();
        // A table whose own cells cannot tell its decimal mark or date
        // order (`01/07/2025`, `1,500`) reads as the other tables showed,
        // when they agree; otherwise it stays an error.
        let unsure: Vec<&TableSchema> = to_load
            .iter()
            .copied()
            .filter(|ts| {
                matches!(loaded.get(&ts.name), Some(Err(e)) if e.iter().all(|d| {
                    matches!(d.code, "data::ambiguous-date" | "data::ambiguous-decimal")
                }))
            })
            .collect();
        if !unsure.is_empty() {
            let infos = loaded
                .values()
                .filter_map(|r| r.as_ref().ok().map(|(read, _)| &*read.table.info))
                .chain(
                    previous
                        .filter(|_| !manifest_changed)
                        .into_iter()
                        .flat_map(|(old, _)| old.tables.values().map(|t| &*t.info)),
                );
            let elsewhere = elsewhere(infos);
            if elsewhere != Elsewhere::default() {
                loaded.extend(load(&unsure, elsewhere));
            }
        }
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
                Ok((
                    Read {
                        mut table,
                        lines: table_lines,
                    },
                    local,
                )) => {
                    merge_strings(&mut table, &local, &mut pool);
                    table.schema = Arc::new(ts.clone());
                    if table.info.skipped > 0 {
                        data.skipped.push(Skipped {
                            table: ts.name.clone(),
                            rows: table.info.skipped,
                            lines: table.info.skipped_lines.clone(),
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
        data.resolve_keys(schema, &mut lines, skip_bad_rows, &mut errors);
        if errors.has_errors() {
            return Err(errors);
        }
        data.resolve_relations(schema, &lines);
        for (name, table_lines) in lines {
            if let Some(t) = data.tables.get_mut(&name) {
                t.lines = Arc::new(table_lines);
            }
        }
        for s in &data.skipped {
            let Some(t) = data.tables.get(&s.table) else {
                continue;
            };
            let mut shown: Vec<String> = s.lines.iter().map(u32::to_string).collect();
            if s.rows > shown.len() {
                shown.push("…".into());
            }
            data.warnings.push(
                Diagnostic::warning(
                    "data::skipped",
                    format!(
                        "{} bad row(s) of `{}` left out (--skip-bad-rows): line(s) {}",
                        s.rows,
                        t.file.display(),
                        shown.join(", ")
                    ),
                )
                .fr(format!(
                    "{} ligne(s) erronée(s) de `{}` écartée(s) (--skip-bad-rows) : ligne(s) {}",
                    s.rows,
                    t.file.display(),
                    shown.join(", ")
                ))
                .in_file(
                    t.file.display().to_string(),
                    s.lines.first().copied().unwrap_or(1) as usize,
                    1,
                )
                .with_help("the figures leave these rows out; run without --skip-bad-rows to see why each is bad"),
            );
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
                let dropped_lines: Vec<u32> = index
                    .duplicates
                    .iter()
                    .map(|&r| table_lines[r as usize])
                    .collect();
                *table_lines = keep.iter().map(|&r| table_lines[r as usize]).collect();
                table.len = keep.len();
                let skipped = match self.skipped.iter_mut().position(|s| s.table == ts.name) {
                    Some(i) => &mut self.skipped[i],
                    None => {
                        self.skipped.push(Skipped {
                            table: ts.name.clone(),
                            ..Skipped::default()
                        });
                        let last = self.skipped.len() - 1;
                        &mut self.skipped[last]
                    }
                };
                skipped.rows += drop.len();
                skipped.lines.extend(dropped_lines);
                skipped.lines.sort_unstable();
                skipped.lines.truncate(SKIPPED_LINES_SHOWN);
            } else {
                let first = index.duplicates[0] as usize;
                let value = cell_text(&table.columns[key].data, first, &self.pool);
                let original = index
                    .lookup(&table.columns[key].data, first, &self.pool)
                    .row()
                    .and_then(|r| table_lines.get(r as usize).copied());
                errors.push(
                    Diagnostic::error(
                        "data::duplicate-key",
                        format!(
                            "{} row(s) of `{}` repeat a key; first: `{}` = `{value}`{}",
                            index.duplicates.len(),
                            ts.name,
                            table.columns[key].name,
                            original.map_or(String::new(), |l| format!(", already on line {l}"))
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
                    self.warnings.push(dangling_warning(
                        table,
                        (col_name, col_idx),
                        target,
                        dangling,
                        &cell_text(&col.data, first, &self.pool),
                        line as usize,
                    ));
                }
                relations.push(Relation {
                    column: col_name.clone(),
                    target: target.clone(),
                    rows,
                });
            }
            if let Some(t) = self.tables.get_mut(&ts.name) {
                // Loading made these columns dates, or failed.
                let dates = |t: &Table, name: &Option<String>| {
                    name.as_ref()
                        .and_then(|d| t.column_index(d))
                        .filter(|&d| matches!(t.columns[d].data, ColumnData::Date(_)))
                };
                t.date = dates(t, &ts.date_column);
                t.since = dates(t, &ts.since);
                t.relations = relations;
            }
        }
    }
}

/// A reference column resolved: target rows, how many dangle, the first
/// that does.
type Resolved = (Vec<u32>, usize, Option<usize>);

/// Reads one table into its own string pool, as the other tables showed
/// (a file, or the rows of an in-memory table).
pub(super) type ReadTable<'a> =
    dyn Fn(&TableSchema, &mut StringPool, Elsewhere) -> Result<Read, Diagnostics> + Sync + 'a;

/// A table read on its own, and the string pool its ids refer to.
type LoadedTable = (Read, StringPool);

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

/// The decimal mark and date order the tables that could tell showed,
/// where they all agree.
fn elsewhere<'a>(infos: impl Iterator<Item = &'a super::TableInfo>) -> Elsewhere {
    let mut marks: Vec<char> = Vec::new();
    let mut orders: Vec<bool> = Vec::new();
    for info in infos {
        if let Some((mark, true)) = info.decimal
            && !info.from_other_tables.contains(&"decimal")
            && !marks.contains(&mark)
        {
            marks.push(mark);
        }
        if let Some((format, true)) = &info.date_format
            && !info.from_other_tables.contains(&"date_format")
        {
            let day_first = format.starts_with("%d");
            if (day_first || format.starts_with("%m")) && !orders.contains(&day_first) {
                orders.push(day_first);
            }
        }
    }
    Elsewhere {
        decimal: match marks.as_slice() {
            [','] => Some(super::locale::Decimal::Comma),
            ['.'] => Some(super::locale::Decimal::Point),
            _ => None,
        },
        day_first: match orders.as_slice() {
            [order] => Some(*order),
            _ => None,
        },
    }
}

/// The warning that `count` rows of `table` refer, by column `column`
/// (its name and index), to rows of `target` that do not exist: the
/// first such row's value, at its line (where the table has lines).
pub(crate) fn dangling_warning(
    table: &Table,
    (column, index): (&str, usize),
    target: &str,
    count: usize,
    first: &str,
    line: usize,
) -> Diagnostic {
    let name = &table.name;
    Diagnostic::warning(
        "data::dangling",
        format!(
            "{count} row(s) of `{name}` refer to `{target}` rows that do not exist; first: `{column}` = `{first}`"
        ),
    )
    .fr(format!(
        "{count} ligne(s) de `{name}` renvoient à des lignes de `{target}` qui n'existent pas ; la première : `{column}` = `{first}`"
    ))
    .in_file(table.file.display().to_string(), line, index + 1)
    .with_help(format!("these rows are related to no `{target}` row"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ColumnType;

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
