//! A database as a data source, whatever its client: its tables read
//! as a dataset (only what the rules read, typed by the database and the
//! manifest), their shape alone, or the rows of some tables only
//! (pushdown's dataset), and pushdown itself — its query run there, the
//! answers read back. A client says how to list the tables, read a
//! table's columns and run a query.

use std::path::Path;

use indexmap::IndexMap;

use super::Dialect;
use super::push::PushedRow;
use crate::data::{ColumnType, Dataset, DatasetBuilder, TableBuilder, Value};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// A column of the database and the type the rules see.
#[derive(Debug, Clone)]
pub struct DbColumn {
    pub(crate) name: String,
    pub(crate) ty: ColumnType,
    /// How it is selected (a cast to a type the client reads).
    pub(crate) select: String,
}

impl DbColumn {
    /// The column's type, given by the database, unless it is text: text
    /// is read as a CSV file's cells are (a date, a yes/no, a list the
    /// manifest declares), so that a table reads the same from a file and
    /// from the database.
    pub(crate) fn typed(&self, builder: TableBuilder) -> TableBuilder {
        match self.ty {
            ColumnType::String => builder,
            ty => builder.typed(&self.name, ty),
        }
    }
}

pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A database the rules' tables are read from, and pushdown runs in.
pub trait Source {
    /// The database, for messages (a URL without its password, a file).
    fn shown(&self) -> &str;

    /// The SQL it speaks.
    fn dialect(&self) -> Dialect;

    /// Its tables (those of the current schema) and their columns.
    fn columns(&mut self) -> Result<IndexMap<String, Vec<DbColumn>>, Box<Diagnostic>>;

    /// One table's columns, read.
    fn table(&mut self, name: &str, cols: &[&DbColumn]) -> Result<TableBuilder, Box<Diagnostic>>;

    /// A query's rows, each cell as text (`None`: null); `what` says
    /// what it is for, in an error.
    fn text_rows(
        &mut self,
        sql: &str,
        what: &str,
    ) -> Result<Vec<Vec<Option<String>>>, Box<Diagnostic>>;

    /// From now on, reads see the database as it is now (a snapshot):
    /// pushdown's reads and its query count the same rows, whatever is
    /// written meanwhile.
    fn snapshot(&mut self) -> Result<(), Box<Diagnostic>> {
        Ok(())
    }

    /// Runs pushdown's query and reads its rows.
    fn answers(&mut self, sql: &str) -> Result<Vec<PushedRow>, Box<Diagnostic>> {
        let rows = self.text_rows(sql, "the query failed")?;
        rows.into_iter()
            .map(|row| {
                let cell = |i: usize| row.get(i).cloned().flatten();
                let num = match cell(2) {
                    None => None,
                    Some(n) => Some(n.parse::<f64>().map_err(|_| {
                        Box::new(Diagnostic::error(
                            "data::database",
                            format!(
                                "{}: `{n}` is not a number in the query's answer",
                                self.shown()
                            ),
                        ))
                    })?),
                };
                Ok(PushedRow {
                    k: cell(0).unwrap_or_default(),
                    segment_value: cell(1),
                    num,
                    txt: cell(3),
                })
            })
            .collect()
    }

    /// Reads, as a dataset, the tables and columns the rules read (all of
    /// them when the rules do not check against the database: the check
    /// then says what is wrong). `manifest` is a `dataset.yaml` whose
    /// declarations apply; its directory holds the benchmark file.
    fn dataset(
        &mut self,
        rules: &crate::rules::RuleSet,
        manifest: Option<&Path>,
    ) -> Result<Dataset, Diagnostics> {
        read(self, Some(rules), None, manifest)
    }

    /// The rows of the tables `loaded` names (the columns the rules
    /// read), the others' shape only: pushdown's dataset when part of
    /// the report is computed locally.
    fn partly(
        &mut self,
        rules: &crate::rules::RuleSet,
        loaded: &[String],
        manifest: Option<&Path>,
    ) -> Result<Dataset, Diagnostics> {
        read(self, Some(rules), Some(loaded), manifest)
    }

    /// The tables' shape only (columns, types, keys, relations; no row):
    /// what pushdown compiles its query against. Text columns are text,
    /// unless the manifest declares them (there is no cell to infer a
    /// type from).
    fn shape(&mut self, manifest: Option<&Path>) -> Result<Dataset, Diagnostics> {
        read(self, None, None, manifest)
    }

    /// Pushdown's dataset: `shape` (read by [`Source::shape`]), with
    /// the rows of the tables that what has no SQL reads (a rhai
    /// function over survey answers, say), if any.
    fn pushdown_dataset(
        &mut self,
        rules: &crate::rules::RuleSet,
        shape: Dataset,
        manifest: Option<&Path>,
        options: &crate::engine::ScoreOptions,
    ) -> Result<Dataset, Diagnostics> {
        self.snapshot().map_err(one)?;
        let mut data = shape;
        let mut read: Option<Vec<String>> = None;
        // What the local part needs is known from the shape; the rows read
        // may say more (a key left empty: a profile is then computed
        // here, from what it counts), until nothing more is needed.
        loop {
            let needed = match crate::engine::Scoring::new(rules, &data, options) {
                Ok(s) => s.pushdown(self.dialect())?.rows_needed,
                // Said when the scoring is made again, against this.
                Err(_) => return Ok(data),
            };
            let mut tables = read.clone().unwrap_or_default();
            if read.is_some() && needed.iter().all(|t| tables.contains(t)) {
                return Ok(data);
            }
            for t in needed {
                if !tables.contains(&t) {
                    tables.push(t);
                }
            }
            data = self.partly(rules, &tables, manifest)?;
            read = Some(tables);
        }
    }

    /// Pushdown: the scoring's query run here, the scoring with its
    /// answers (whose report is the local engine's), and a warning for
    /// each figure computed locally instead.
    fn push_down<'a>(
        &mut self,
        scoring: crate::engine::Scoring<'a>,
    ) -> Result<(crate::engine::Scoring<'a>, Vec<Diagnostic>), Diagnostics> {
        let query = scoring.pushdown(self.dialect())?;
        let mut rows = self.answers(&query.text).map_err(one)?;
        for text in &query.profile_texts {
            rows.extend(self.answers(text).map_err(one)?);
        }
        let notes = query.notes.clone();
        Ok((scoring.answered(&query, &rows)?, notes))
    }
}

/// The dataset the rules read, or (without rules) its shape.
fn read<S: Source + ?Sized>(
    src: &mut S,
    rules: Option<&crate::rules::RuleSet>,
    loaded: Option<&[String]>,
    manifest: Option<&Path>,
) -> Result<Dataset, Diagnostics> {
    let columns = src.columns().map_err(one)?;
    if columns.is_empty() {
        return Err(Diagnostics::from(vec![
            Diagnostic::error(
                "data::database",
                format!("{} has no table in its current schema", src.shown()),
            )
            .with_help("set the schema: postgresql://…/DATABASE?options=-csearch_path%3DSCHEMA"),
        ]));
    }
    let manifest_text = match manifest {
        Some(path) => Some(
            crate::files::read_text(path, Default::default(), Some(1 << 20)).map_err(|e| {
                Diagnostics::from(vec![Diagnostic::error("data::manifest", e.message)])
            })?,
        ),
        None => None,
    };
    let build = |tables: Vec<TableBuilder>| {
        let mut b = DatasetBuilder::new();
        if let Some(path) = manifest {
            b = b.dir(path.parent().unwrap_or(Path::new(".")));
        }
        if let (Some(text), Some(path)) = (&manifest_text, manifest) {
            b = b.manifest(text, &path.display().to_string());
        }
        tables.into_iter().fold(b, DatasetBuilder::table).build()
    };
    // The shape alone first: what the rules read of it.
    let shape_of = |t: &str, cols: &[&DbColumn]| {
        cols.iter().fold(TableBuilder::new(t), |b, c| {
            c.typed(b.column(&c.name, Vec::<Value>::new()))
        })
    };
    let empty: Vec<TableBuilder> = columns
        .iter()
        .map(|(t, cols)| shape_of(t, &cols.iter().collect::<Vec<_>>()))
        .collect();
    let shape = build(empty)?;
    let Some(rules) = rules else {
        return Ok(shape);
    };
    let wanted = match crate::engine::Scoring::new(rules, &shape, &Default::default()) {
        Ok(s) => Some(s.columns_read()),
        Err(_) => None,
    };
    // What the manifest declares is read too (it declares columns
    // that must exist), and the columns the conventions give a role
    // (a key, a date, a reference): a table's rows count by them.
    let declared = |t: &str, c: &str| {
        c == "id"
            || c == "date"
            || c.ends_with("_id")
            || manifest_text.as_deref().is_some_and(|text| {
                let (m, _) = crate::data::manifest::Manifest::parse(text, "");
                m.table(t).is_some_and(|d| {
                    d.columns.iter().any(|(n, _)| n.value == c)
                        || [&d.key, &d.since]
                            .into_iter()
                            .flatten()
                            .any(|n| n.value == c)
                        || d.date
                            .as_ref()
                            .is_some_and(|n| n.value.as_deref() == Some(c))
                        || d.refs.iter().any(|(n, _)| n.value == c)
                })
            })
    };
    let mut tables = Vec::new();
    let mut checked = Vec::new();
    for (t, cols) in &columns {
        let keep: Vec<&DbColumn> = match &wanted {
            Some(w) => cols
                .iter()
                .filter(|c| {
                    w.iter().any(|(wt, wc)| wt == t && *wc == c.name) || declared(t, &c.name)
                })
                .collect(),
            None => cols.iter().collect(),
        };
        if keep.is_empty() {
            continue;
        }
        let here = loaded.is_none_or(|l| l.contains(t));
        checked.push((t.clone(), keep.iter().map(|c| (*c).clone()).collect(), here));
        if !here {
            tables.push(shape_of(t, &keep));
            continue;
        }
        tables.push(src.table(t, &keep).map_err(one)?);
    }
    let mut data = build(tables)?;
    if let Some(loaded) = loaded {
        check_values(src, &data, &checked)?;
        check_references(src, &mut data, loaded)?;
    }
    Ok(data)
}

/// Pushdown's checks of the cells. For the tables whose rows stay in the
/// database, what loading checks, checked there with loading's error: a
/// key repeated (a join would count its rows twice), a number that is
/// not one (`NaN`, an infinity), an infinite date. For every table, a
/// text column the rules read as another type (a date, a number, a
/// yes/no), which the database would compare as text or cast by its own
/// rules: refused, to be stored with its type. Every problem at once.
fn check_values<S: Source + ?Sized>(
    src: &mut S,
    data: &Dataset,
    checked: &[(String, Vec<DbColumn>, bool)],
) -> Result<(), Diagnostics> {
    use crate::data::ColumnData;
    let r = src.dialect().render();
    let (double, text) = (r.double(), r.text());
    let mut errors = Vec::new();
    for (name, cols, here) in checked {
        let Some(table) = data.tables.get(name) else {
            continue;
        };
        if *here {
            // Loading checked the cells; the types are what it read.
            for db in cols.iter().filter(|c| c.ty == ColumnType::String) {
                if let Some(c) = table.column(&db.name)
                    && !matches!(c.data, ColumnData::Str(_) | ColumnData::List { .. })
                {
                    errors.push(text_typed(name, &db.name, &c.data));
                }
            }
            continue;
        }
        let t = quoted(name);
        let first = |src: &mut S,
                     sql: String,
                     what: &str|
         -> Result<Option<Vec<Option<String>>>, Diagnostics> {
            Ok(src.text_rows(&sql, what).map_err(one)?.into_iter().next())
        };
        if let Some(key) = table.key {
            let k = &table.columns[key];
            let sql = format!(
                "SELECT CAST(COUNT(*) OVER () AS {text}), v FROM \
                 (SELECT {v} AS v FROM {t} WHERE {c} IS NOT NULL GROUP BY {c} HAVING COUNT(*) > 1) x LIMIT 1",
                c = quoted(&k.name),
                v = text_of(&quoted(&k.name), &k.data, text),
            );
            if let Some(row) = first(src, sql, &format!("checking the keys of `{name}`"))? {
                let value = row.get(1).cloned().flatten().unwrap_or_default();
                let count = row.first().cloned().flatten().unwrap_or_default();
                errors.push(
                    Diagnostic::error(
                        "data::duplicate-key",
                        format!(
                            "{count} key(s) of `{name}` are repeated in the database; first: `{}` = `{value}`",
                            k.name
                        ),
                    )
                    .fr(format!(
                        "{count} clé(s) de `{name}` se répètent dans la base ; la première : `{}` = `{value}`",
                        k.name
                    ))
                    .in_file(table.file.display().to_string(), 0, key + 1)
                    .with_help("keys identify rows: a repeated key would count its rows twice; remove the repeats"),
                );
            }
        }
        for db in cols {
            let Some(index) = table.column_index(&db.name) else {
                continue;
            };
            let c = quoted(&db.name);
            let bad = match (&db.ty, &table.columns[index].data) {
                (ColumnType::Number, _) => Some(format!(
                    "{c} IN (CAST('NaN' AS {double}), CAST('Infinity' AS {double}), CAST('-Infinity' AS {double}))"
                )),
                (ColumnType::Date, _) => Some(format!(
                    "{c} IN (CAST('infinity' AS DATE), CAST('-infinity' AS DATE))"
                )),
                // A list the manifest declares is text in the database.
                (ColumnType::String, ColumnData::Str(_) | ColumnData::List { .. }) => None,
                (ColumnType::String, other) => {
                    errors.push(text_typed(name, &db.name, other));
                    None
                }
                _ => None,
            };
            if let Some(condition) = bad {
                let sql = format!("SELECT CAST({c} AS {text}) FROM {t} WHERE {condition} LIMIT 1");
                if let Some(row) = first(src, sql, &format!("checking `{name}.{}`", db.name))? {
                    let value = row.first().cloned().flatten().unwrap_or_default();
                    errors.push(
                        Diagnostic::error(
                            "data::value",
                            format!(
                                "`{value}` in `{name}.{}` is not a value of a table",
                                db.name
                            ),
                        )
                        .fr(format!(
                            "`{value}` dans `{name}.{}` n'est pas une valeur de table",
                            db.name
                        ))
                        .in_file(table.file.display().to_string(), 0, index + 1)
                        .with_help("a missing value is NULL in the database, not NaN or infinity"),
                    );
                }
            }
            if db.ty == ColumnType::String
                && matches!(table.columns[index].data, ColumnData::Str(_))
                && let Some(d) = inferred_otherwise(src, name, &db.name)?
            {
                errors.push(d);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics::from(errors))
    }
}

/// A text column the manifest reads as another type: refused under
/// pushdown (the database would cast it by its own rules).
fn text_typed(table: &str, column: &str, as_: &crate::data::ColumnData) -> Diagnostic {
    use crate::data::ColumnData;
    let what = match as_ {
        ColumnData::Number(_) => "numbers",
        ColumnData::Date(_) => "dates",
        ColumnData::Bool(_) => "yes/no values",
        _ => "values of another type",
    };
    Diagnostic::error(
        "sql::pushdown",
        format!("`{table}.{column}` is text in the database and holds {what} for the rules: pushdown computes with the database's types"),
    )
    .fr(format!("`{table}.{column}` est du texte dans la base et contient des {what} pour les règles : le calcul en base suit les types de la base"))
    .with_help("store the column with its type (ALTER TABLE … ALTER COLUMN … TYPE …), or score with the local engine (no --engine)")
}

/// A text column whose cells loading would read as another type (it
/// infers a column's type from its cells): refused under pushdown, as
/// [`text_typed`]. Decided on the column's distinct values.
fn inferred_otherwise<S: Source + ?Sized>(
    src: &mut S,
    table: &str,
    column: &str,
) -> Result<Option<Diagnostic>, Diagnostics> {
    let c = quoted(column);
    let rows = src
        .text_rows(
            &format!(
                "SELECT DISTINCT {c} FROM {} WHERE {c} IS NOT NULL",
                quoted(table)
            ),
            &format!("reading the values of `{table}.{column}`"),
        )
        .map_err(one)?;
    let values: Vec<Value> = rows
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .map(|v| Value::from(Some(v)))
        .collect();
    let probe = DatasetBuilder::new()
        .table(TableBuilder::new("probe").column("v", values))
        .build();
    let data = match probe {
        Ok(d) => d,
        // Cells loading would refuse (a date both day and month first):
        // not text to the rules either.
        Err(_) => {
            return Ok(Some(text_typed(
                table,
                column,
                &crate::data::ColumnData::Str(Vec::new()),
            )));
        }
    };
    Ok(data
        .tables
        .get("probe")
        .map(|t| &t.columns[0].data)
        .filter(|d| !matches!(d, crate::data::ColumnData::Str(_)))
        .map(|d| text_typed(table, column, d)))
}

/// The references of a partly read dataset checked here, where the
/// rows are: what loading found of a table read and one that was not
/// (all of them missing) is replaced by what the database holds.
fn check_references<S: Source + ?Sized>(
    src: &mut S,
    data: &mut Dataset,
    loaded: &[String],
) -> Result<(), Diagnostics> {
    let read = |t: &str| loaded.iter().any(|l| l == t);
    let (mut found, others): (Vec<Diagnostic>, Vec<Diagnostic>) =
        std::mem::take(&mut data.warnings.0)
            .into_iter()
            .partition(|d| d.code == "data::dangling");
    // In the order loading says them: by table, by relation.
    let mut said = Vec::new();
    for table in data.tables.values() {
        for rel in &table.relations {
            let Some(target) = data.tables.get(&rel.target) else {
                continue;
            };
            let of = format!("of `{}` refer to `{}` rows", table.name, target.name);
            let mine = |d: &Diagnostic| d.message.contains(&of);
            if read(&table.name) && read(&target.name) {
                said.extend(found.extract_if(.., |d| mine(d)));
                continue;
            }
            found.retain(|d| !mine(d));
            if let Some(d) = dangling(src, table, rel, target)? {
                said.push(d);
            }
        }
    }
    said.extend(others);
    data.warnings.0 = said;
    Ok(())
}

/// The references of `rel` that lead to no row of `target`, counted
/// here: the warning loading gives, or none.
fn dangling<S: Source + ?Sized>(
    src: &mut S,
    table: &crate::data::Table,
    rel: &crate::data::Relation,
    target: &crate::data::Table,
) -> Result<Option<Diagnostic>, Diagnostics> {
    let (Some(index), Some(key)) = (
        table.column_index(&rel.column),
        target.key.map(|k| &target.columns[k].name),
    ) else {
        return Ok(None);
    };
    // Matched by their text, as loading matches them; the first in
    // the table's order, as a read of it lists its rows, and its line
    // there (a row's number).
    let key_data = &target.columns[target.key.unwrap_or(0)].data;
    let sql = format!(
        "SELECT CAST(COUNT(*) OVER () AS TEXT) AS n, r, CAST(rn AS TEXT) AS line FROM \
         (SELECT {r} AS r, ROW_NUMBER() OVER () AS rn FROM {t}) x \
         WHERE r IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} k WHERE {key} = r) \
         ORDER BY rn LIMIT 1",
        r = text_of(&quoted(&rel.column), &table.columns[index].data, "TEXT"),
        t = quoted(&table.name),
        target = quoted(&target.name),
        key = text_of(&format!("k.{}", quoted(key)), key_data, "TEXT"),
    );
    let rows = src
        .text_rows(&sql, &format!("checking `{}.{}`", table.name, rel.column))
        .map_err(one)?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let cell = |i: usize| row.get(i).cloned().flatten();
    let number = |i: usize| cell(i).and_then(|n| n.parse::<f64>().ok()).unwrap_or(0.0);
    let (count, first, line) = (number(0), cell(1), number(2));
    Ok(Some(crate::data::load::dangling_warning(
        table,
        (&rel.column, index),
        &target.name,
        count as usize,
        first.as_deref().unwrap_or(""),
        line as usize,
    )))
}

/// A cell as text the way loading writes it (`cell_text`): a whole
/// number without a fraction (`5`, where an engine writes `5.0`), other
/// values in the database's text.
pub(crate) fn text_of(e: &str, data: &crate::data::ColumnData, text: &str) -> String {
    match data {
        crate::data::ColumnData::Number(_) => format!(
            "(CASE WHEN {e} = FLOOR({e}) AND ABS({e}) < 1e15 THEN CAST(CAST({e} AS BIGINT) AS {text}) ELSE CAST({e} AS {text}) END)"
        ),
        _ => format!("CAST({e} AS {text})"),
    }
}

fn one(d: Box<Diagnostic>) -> Diagnostics {
    Diagnostics::from(vec![*d])
}
