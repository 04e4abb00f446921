//! PostgreSQL: its tables read as a dataset (`--data postgresql://…`),
//! and queries of `kpi sql` run there (the differential tests). Tables
//! are those of the connection's current schema (set it with
//! `?options=-csearch_path%3DNAME`); a `dataset.yaml` may declare
//! what the database does not say (dates, `since`, lists, references).

use std::path::Path;

use postgres::{Client, NoTls};

use super::figures::{FigureRow, Figures};
use crate::data::{ColumnType, Dataset, DatasetBuilder, TableBuilder, Value};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Whether a `--data` argument names a PostgreSQL database.
pub fn is_url(data: &str) -> bool {
    data.starts_with("postgresql://") || data.starts_with("postgres://")
}

/// A connection to a PostgreSQL database.
pub struct Database {
    client: Client,
    /// The URL without its password, for messages.
    shown: String,
}

/// A column of the database and the type the rules see.
struct DbColumn {
    name: String,
    ty: ColumnType,
    /// How it is selected (a cast to a type the client reads).
    select: String,
}

impl DbColumn {
    /// The column's type, given by the database, unless it is text: text
    /// is read as a CSV file's cells are (a date, a yes/no, a list the
    /// manifest declares), so that a table reads the same from a file and
    /// from the database.
    fn typed(&self, builder: TableBuilder) -> TableBuilder {
        match self.ty {
            ColumnType::String => builder,
            ty => builder.typed(&self.name, ty),
        }
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Database {
    /// Connects; a failure is one error saying where and why.
    pub fn connect(url: &str) -> Result<Database, Box<Diagnostic>> {
        let shown = without_password(url);
        let client = Client::connect(url, NoTls).map_err(|e| {
            Box::new(Diagnostic::error(
                "data::database",
                format!("cannot connect to PostgreSQL at {shown}: {}", cause(&e)),
            )
            .fr(format!(
                "connexion impossible à PostgreSQL ({shown}) : {}",
                cause(&e)
            ))
            .with_help(
                "is the server running, and the URL right? postgresql://USER@HOST:PORT/DATABASE \
                 (a socket: postgresql:///DATABASE?host=/var/run/postgresql)",
            ))
        })?;
        Ok(Database { client, shown })
    }

    /// The URL, without its password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    fn error(&self, what: &str, e: &postgres::Error) -> Box<Diagnostic> {
        Box::new(Diagnostic::error(
            "data::database",
            format!("PostgreSQL ({}): {what}: {}", self.shown, cause(e)),
        ))
    }

    /// Runs statements (no result).
    pub fn execute(&mut self, sql: &str) -> Result<(), Box<Diagnostic>> {
        self.client
            .batch_execute(sql)
            .map_err(|e| self.error("a statement failed", &e))
    }

    /// Pushdown's dataset: `shape` (read by [`Database::shape`]), with
    /// the rows of the tables that what has no SQL reads (a rhai
    /// function over survey answers, say), if any.
    pub fn pushdown_dataset(
        &mut self,
        rules: &crate::rules::RuleSet,
        shape: Dataset,
        manifest: Option<&Path>,
        options: &crate::engine::ScoreOptions,
    ) -> Result<Dataset, Diagnostics> {
        let mut data = shape;
        let mut read: Option<Vec<String>> = None;
        // What the local part needs is known from the shape; the rows read
        // may say more (a key left empty: a profile is then computed
        // here, from what it counts), until nothing more is needed.
        loop {
            let needed = match crate::engine::Scoring::new(rules, &data, options) {
                Ok(s) => s.pushdown(super::Dialect::Postgres)?.rows_needed,
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
    pub fn push_down<'a>(
        &mut self,
        scoring: crate::engine::Scoring<'a>,
    ) -> Result<(crate::engine::Scoring<'a>, Vec<Diagnostic>), Diagnostics> {
        let query = scoring.pushdown(super::Dialect::Postgres)?;
        let rows = self.answers(&query.text).map_err(one)?;
        let notes = query.notes.clone();
        Ok((scoring.answered(&query, &rows)?, notes))
    }

    /// Runs pushdown's query and reads its rows.
    pub fn answers(&mut self, sql: &str) -> Result<Vec<super::push::PushedRow>, Box<Diagnostic>> {
        self.execute("SET jit = off")?;
        let rows = self
            .client
            .query(sql, &[])
            .map_err(|e| self.error("the query failed", &e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let read = || -> Result<super::push::PushedRow, postgres::Error> {
                Ok(super::push::PushedRow {
                    k: row.try_get::<_, Option<String>>(0)?.unwrap_or_default(),
                    segment_value: row.try_get(1)?,
                    num: row.try_get(2)?,
                    txt: row.try_get(3)?,
                })
            };
            out.push(read().map_err(|e| self.error("a row of the result", &e))?);
        }
        Ok(out)
    }

    /// Runs a query of `kpi sql` and reads its figures.
    pub fn figures(&mut self, sql: &str) -> Result<Figures, Box<Diagnostic>> {
        // Compiling hundreds of SELECTs to machine code costs more than it
        // saves (200,000 alumni: 66 s with JIT, 24 s without).
        self.execute("SET jit = off")?;
        let rows = self
            .client
            .query(sql, &[])
            .map_err(|e| self.error("the query failed", &e))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let get = |i: usize| row.try_get::<_, Option<String>>(i);
            let read = || -> Result<FigureRow, postgres::Error> {
                Ok(FigureRow {
                    indicator: get(0)?.unwrap_or_default(),
                    segment: get(1)?,
                    segment_value: get(2)?,
                    value: row.try_get::<_, Option<f64>>(3)?,
                })
            };
            out.push(read().map_err(|e| self.error("a row of the result", &e))?);
        }
        Ok(Figures::from_rows(out))
    }

    /// Creates the dataset's tables in the current schema, copies its
    /// rows in (as `kpi sql --export` writes them) and analyzes them.
    pub fn copy_in(&mut self, data: &Dataset) -> Result<(), Box<Diagnostic>> {
        use std::io::Write;
        self.execute(&super::export::ddl(data, super::Dialect::Postgres))?;
        for name in data.tables.keys() {
            let mut csv = Vec::new();
            super::export::write_csv(data, name, &mut csv)
                .map_err(|e| Diagnostic::error("data::database", e.to_string()))?;
            let copy = format!(
                "COPY {} FROM STDIN WITH (FORMAT csv, HEADER true)",
                quoted(name)
            );
            let shown = self.shown.clone();
            let failed = |e: &postgres::Error| {
                Diagnostic::error(
                    "data::database",
                    format!("PostgreSQL ({shown}): copying `{name}`: {}", cause(e)),
                )
            };
            let mut writer = self.client.copy_in(&copy).map_err(|e| failed(&e))?;
            writer
                .write_all(&csv)
                .map_err(|e| Diagnostic::error("data::database", e.to_string()))?;
            writer.finish().map_err(|e| failed(&e))?;
        }
        // Without statistics the planner takes a grouped subquery for a
        // few rows and joins it row by row: a second becomes a minute.
        let tables: Vec<String> = data.tables.keys().map(|t| quoted(t)).collect();
        self.execute(&format!("ANALYZE {}", tables.join(", ")))
    }

    /// The tables of the current schema and their columns.
    fn columns(&mut self) -> Result<indexmap::IndexMap<String, Vec<DbColumn>>, Box<Diagnostic>> {
        let rows = self
            .client
            .query(
                "SELECT table_name::text, column_name::text, data_type::text \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 ORDER BY table_name, ordinal_position",
                &[],
            )
            .map_err(|e| self.error("listing the tables", &e))?;
        let mut out: indexmap::IndexMap<String, Vec<DbColumn>> = indexmap::IndexMap::new();
        for row in rows {
            let (table, name, ty): (String, String, String) = (row.get(0), row.get(1), row.get(2));
            let q = quoted(&name);
            let (ty, select) = match ty.as_str() {
                "double precision" | "real" | "integer" | "bigint" | "smallint" | "numeric" => {
                    (ColumnType::Number, format!("{q}::float8"))
                }
                "boolean" => (ColumnType::Bool, q),
                "date" | "timestamp without time zone" | "timestamp with time zone" => {
                    (ColumnType::Date, format!("{q}::date"))
                }
                _ => (ColumnType::String, format!("{q}::text")),
            };
            out.entry(table)
                .or_default()
                .push(DbColumn { name, ty, select });
        }
        Ok(out)
    }

    /// Reads, as a dataset, the tables and columns the rules read (all of
    /// them when the rules do not check against the database: the check
    /// then says what is wrong). `manifest` is a `dataset.yaml` whose
    /// declarations apply; its directory holds the benchmark file.
    pub fn dataset(
        &mut self,
        rules: &crate::rules::RuleSet,
        manifest: Option<&Path>,
    ) -> Result<Dataset, Diagnostics> {
        self.read(Some(rules), None, manifest)
    }

    /// The rows of the tables `loaded` names (the columns the rules
    /// read), the others' shape only: pushdown's dataset when part of
    /// the report is computed locally.
    pub fn partly(
        &mut self,
        rules: &crate::rules::RuleSet,
        loaded: &[String],
        manifest: Option<&Path>,
    ) -> Result<Dataset, Diagnostics> {
        self.read(Some(rules), Some(loaded), manifest)
    }

    /// The tables' shape only (columns, types, keys, relations; no row):
    /// what pushdown compiles its query against. Text columns are text,
    /// unless the manifest declares them (there is no cell to infer a
    /// type from).
    pub fn shape(&mut self, manifest: Option<&Path>) -> Result<Dataset, Diagnostics> {
        self.read(None, None, manifest)
    }

    /// The dataset the rules read, or (without rules) its shape.
    fn read(
        &mut self,
        rules: Option<&crate::rules::RuleSet>,
        loaded: Option<&[String]>,
        manifest: Option<&Path>,
    ) -> Result<Dataset, Diagnostics> {
        let columns = self.columns().map_err(one)?;
        if columns.is_empty() {
            return Err(Diagnostics::from(vec![
                Diagnostic::error(
                    "data::database",
                    format!(
                        "PostgreSQL ({}) has no table in its current schema",
                        self.shown
                    ),
                )
                .with_help(
                    "set the schema: postgresql://…/DATABASE?options=-csearch_path%3DSCHEMA",
                ),
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
            if loaded.is_some_and(|l| !l.contains(t)) {
                tables.push(shape_of(t, &keep));
                continue;
            }
            tables.push(self.table(t, &keep).map_err(one)?);
        }
        let mut data = build(tables)?;
        if let Some(loaded) = loaded {
            self.check_references(&mut data, loaded)?;
        }
        Ok(data)
    }

    /// The references of a partly read dataset checked here, where the
    /// rows are: what loading found of a table read and one that was not
    /// (all of them missing) is replaced by what the database holds.
    fn check_references(
        &mut self,
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
                if let Some(d) = self.dangling(table, rel, target)? {
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
    fn dangling(
        &mut self,
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
        let sql = format!(
            "SELECT COUNT(*) OVER () AS n, r, line FROM \
             (SELECT CAST({r} AS TEXT) AS r, ROW_NUMBER() OVER () AS line FROM {t}) x \
             WHERE r IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} k WHERE CAST(k.{key} AS TEXT) = r) \
             ORDER BY line LIMIT 1",
            r = quoted(&rel.column),
            t = quoted(&table.name),
            target = quoted(&target.name),
            key = quoted(key),
        );
        let rows = self.client.query(&sql, &[]).map_err(|e| {
            one(self.error(&format!("checking `{}.{}`", table.name, rel.column), &e))
        })?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let read = || -> Result<(i64, Option<String>, i64), postgres::Error> {
            Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
        };
        let (count, first, line) = read().map_err(|e| one(self.error("a row of the check", &e)))?;
        Ok(Some(crate::data::load::dangling_warning(
            table,
            (&rel.column, index),
            &target.name,
            count as usize,
            first.as_deref().unwrap_or(""),
            line as usize,
        )))
    }

    /// One table's columns, read.
    fn table(&mut self, name: &str, cols: &[&DbColumn]) -> Result<TableBuilder, Box<Diagnostic>> {
        let select: Vec<&str> = cols.iter().map(|c| c.select.as_str()).collect();
        let sql = format!("SELECT {} FROM {}", select.join(", "), quoted(name));
        let rows = self
            .client
            .query(&sql, &[])
            .map_err(|e| self.error(&format!("reading `{name}`"), &e))?;
        let mut builder = TableBuilder::new(name);
        for (i, c) in cols.iter().enumerate() {
            let values: Result<Vec<Value>, postgres::Error> = rows
                .iter()
                .map(|row| {
                    Ok(match c.ty {
                        ColumnType::Number => row.try_get::<_, Option<f64>>(i)?.into(),
                        ColumnType::Bool => row.try_get::<_, Option<bool>>(i)?.into(),
                        ColumnType::Date => row.try_get::<_, Option<chrono::NaiveDate>>(i)?.into(),
                        _ => row.try_get::<_, Option<String>>(i)?.into(),
                    })
                })
                .collect();
            let values =
                values.map_err(|e| self.error(&format!("reading `{name}.{}`", c.name), &e))?;
            builder = c.typed(builder.column(&c.name, values));
        }
        Ok(builder)
    }
}

/// The error's own words (the client's top-level message is generic).
fn cause(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

/// A URL with its password (if any) replaced by `***`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

fn one(d: Box<Diagnostic>) -> Diagnostics {
    Diagnostics::from(vec![*d])
}
