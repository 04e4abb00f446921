//! PostgreSQL: its tables read as a dataset (`--data postgresql://…`),
//! and queries of `kpi sql` run there (the differential tests). Tables
//! are those of the connection's current schema (set it with
//! `?options=-csearch_path%3DNAME`); a `dataset.yaml` may declare
//! what the database does not say (dates, `since`, lists, references).

use postgres::{Client, NoTls};

use super::figures::{FigureRow, Figures};
use super::source::{DbColumn, Source, quoted};
use crate::data::{ColumnType, Dataset, TableBuilder, Value};
use crate::diagnostic::Diagnostic;

/// Whether a `--data` argument names a PostgreSQL database.
pub fn is_url(data: &str) -> bool {
    data.starts_with("postgresql://") || data.starts_with("postgres://")
}

/// A connection to a PostgreSQL database.
pub struct Database {
    client: Client,
    /// The URL without its password, for messages.
    shown: String,
    /// In a read-only snapshot (pushdown).
    snapshot: bool,
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
        Ok(Database {
            client,
            shown,
            snapshot: false,
        })
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

    /// Runs a query of `kpi sql` or pushdown's. Compiling hundreds of
    /// SELECTs to machine code costs more than it saves (200,000 alumni:
    /// 66 s with JIT, 24 s without): JIT is off.
    fn query(&mut self, sql: &str) -> Result<Vec<postgres::Row>, Box<Diagnostic>> {
        self.execute("SET jit = off")?;
        self.client
            .query(sql, &[])
            .map_err(|e| self.error("the query failed", &e))
    }

    /// Runs a query of `kpi sql` and reads its figures.
    pub fn figures(&mut self, sql: &str) -> Result<Figures, Box<Diagnostic>> {
        let rows = self.query(sql)?;
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
}

impl Source for Database {
    fn shown(&self) -> &str {
        &self.shown
    }

    fn dialect(&self) -> super::Dialect {
        super::Dialect::Postgres
    }

    fn snapshot(&mut self) -> Result<(), Box<Diagnostic>> {
        if !self.snapshot {
            self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            self.snapshot = true;
        }
        Ok(())
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

    fn text_rows(
        &mut self,
        sql: &str,
        what: &str,
    ) -> Result<Vec<Vec<Option<String>>>, Box<Diagnostic>> {
        let rows = self
            .client
            .query(sql, &[])
            .map_err(|e| self.error(what, &e))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<_, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| self.error(what, &e))
            })
            .collect()
    }

    /// Runs pushdown's query and reads its rows.
    fn answers(&mut self, sql: &str) -> Result<Vec<super::push::PushedRow>, Box<Diagnostic>> {
        let rows = self.query(sql)?;
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
