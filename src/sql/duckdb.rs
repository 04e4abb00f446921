//! DuckDB: a database file (`--data FILE.duckdb`) read as a dataset and
//! queried — pushdown's `--engine duckdb` — through DuckDB's own shell
//! (`duckdb`, from PyPI's `duckdb-cli` or DuckDB's releases;
//! `KPI_DUCKDB` names another): no C++ library is linked in, and any
//! DuckDB version's file is read by its own shell. Tables are those of the
//! file's main schema, opened read-only.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use indexmap::IndexMap;

use super::source::{DbColumn, Source, quoted};
use crate::data::{ColumnType, Dataset, TableBuilder, Value};
use crate::diagnostic::Diagnostic;

/// Whether a `--data` argument names a DuckDB database file.
pub fn is_file(data: &str) -> bool {
    data.ends_with(".duckdb") || data.ends_with(".ddb")
}

/// What the shell prints for a null: no cell of a table holds it.
const NULL: &str = "\u{1}kpi-null\u{1}";

/// A DuckDB database file and the shell that reads it.
pub struct DuckDb {
    shell: PathBuf,
    file: PathBuf,
    shown: String,
}

impl DuckDb {
    /// The shell `KPI_DUCKDB` names, else `duckdb` on the path.
    pub fn shell() -> PathBuf {
        std::env::var_os("KPI_DUCKDB").map_or_else(|| PathBuf::from("duckdb"), PathBuf::from)
    }

    /// Opens a database file (it must exist: a misspelt name is not a
    /// new, empty database); a missing shell is one error saying how to
    /// get one.
    pub fn open(file: &Path) -> Result<DuckDb, Box<Diagnostic>> {
        let shown = file.display().to_string();
        if !file.is_file() {
            return Err(Box::new(
                Diagnostic::error(
                    "data::database",
                    format!("there is no DuckDB database at `{shown}`"),
                )
                .fr(format!("aucune base DuckDB à `{shown}`"))
                .with_help("create it with DuckDB's shell, loading the tables `kpi sql --export DIR` writes (docs/warehouse.md)"),
            ));
        }
        let db = DuckDb {
            shell: DuckDb::shell(),
            file: file.to_path_buf(),
            shown,
        };
        db.check_shell()?;
        Ok(db)
    }

    /// Creates a database file holding the dataset's tables as the query
    /// expects them (those `kpi sql --export` writes), replacing any.
    pub fn create(file: &Path, data: &Dataset) -> Result<DuckDb, Box<Diagnostic>> {
        let db = DuckDb {
            shell: DuckDb::shell(),
            file: file.to_path_buf(),
            shown: file.display().to_string(),
        };
        db.check_shell()?;
        let failed = |e: std::io::Error| {
            Box::new(Diagnostic::error(
                "data::database",
                format!("writing `{}`: {e}", db.shown),
            ))
        };
        let dir = tempfile::tempdir().map_err(failed)?;
        super::export::export(data, super::Dialect::DuckDb, dir.path()).map_err(failed)?;
        let _ = std::fs::remove_file(file);
        let mut script = std::fs::read_to_string(dir.path().join("schema.sql")).map_err(failed)?;
        for name in data.tables.keys() {
            let csv = dir.path().join(format!("{name}.csv"));
            script.push_str(&format!(
                "COPY {} FROM '{}' (HEADER);\n",
                quoted(name),
                csv.display().to_string().replace('\'', "''")
            ));
        }
        db.run(&script, false, "creating the tables")?;
        Ok(db)
    }

    fn check_shell(&self) -> Result<(), Box<Diagnostic>> {
        let works = Command::new(&self.shell)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return Ok(());
        }
        Err(Box::new(
            Diagnostic::error(
                "data::database",
                format!(
                    "DuckDB's shell `{}` does not run: it reads `{}`",
                    self.shell.display(),
                    self.shown
                ),
            )
            .fr(format!(
                "le shell de DuckDB `{}` ne se lance pas : c'est lui qui lit `{}`",
                self.shell.display(),
                self.shown
            ))
            .with_help("install it (`pip install duckdb-cli`) or name it with KPI_DUCKDB=PATH"),
        ))
    }

    /// Runs SQL in the shell; its output (CSV with a header, nulls as
    /// [`NULL`]). A failure is one error with the shell's words.
    fn run(&self, sql: &str, read_only: bool, what: &str) -> Result<String, Box<Diagnostic>> {
        let mut cmd = Command::new(&self.shell);
        cmd.args(["-bail", "-init", "/dev/null", "-csv", "-nullvalue", NULL]);
        if read_only {
            cmd.arg("-readonly");
        }
        cmd.arg(&self.file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let failed = |why: String| {
            Box::new(Diagnostic::error(
                "data::database",
                format!("DuckDB ({}): {what}: {why}", self.shown),
            ))
        };
        let mut child = cmd.spawn().map_err(|e| failed(e.to_string()))?;
        // Written from a thread: a large result fills the pipe before the
        // script is all read.
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| failed("no input".into()))?;
        let script = sql.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
        let out = child
            .wait_with_output()
            .map_err(|e| failed(e.to_string()))?;
        let written = writer
            .join()
            .map_err(|_| failed("the input failed".into()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || stderr.contains("Error") {
            return Err(failed(stderr.trim().to_string()));
        }
        written.map_err(|e| failed(e.to_string()))?;
        String::from_utf8(out.stdout).map_err(|e| failed(e.to_string()))
    }

    /// A query's rows, each cell as text.
    fn query(&self, sql: &str, what: &str) -> Result<Vec<Vec<Option<String>>>, Box<Diagnostic>> {
        let text = self.run(sql, true, what)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| {
                let r = r.map_err(|e| {
                    Box::new(Diagnostic::error(
                        "data::database",
                        format!("DuckDB ({}): {what}: {e}", self.shown),
                    ))
                })?;
                Ok(r.iter()
                    .map(|cell| (cell != NULL).then(|| cell.to_string()))
                    .collect())
            })
            .collect()
    }
}

impl Source for DuckDb {
    fn shown(&self) -> &str {
        &self.shown
    }

    fn dialect(&self) -> super::Dialect {
        super::Dialect::DuckDb
    }

    fn columns(&mut self) -> Result<IndexMap<String, Vec<DbColumn>>, Box<Diagnostic>> {
        let rows = self.query(
            "SELECT table_name, column_name, data_type FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position;",
            "listing the tables",
        )?;
        let mut out: IndexMap<String, Vec<DbColumn>> = IndexMap::new();
        for row in rows {
            let cell = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
            let (table, name, ty) = (cell(0), cell(1), cell(2).to_ascii_uppercase());
            let q = quoted(&name);
            let number = [
                "DOUBLE",
                "FLOAT",
                "REAL",
                "INTEGER",
                "BIGINT",
                "SMALLINT",
                "TINYINT",
                "HUGEINT",
                "UBIGINT",
                "UINTEGER",
                "USMALLINT",
                "UTINYINT",
                "UHUGEINT",
            ];
            let (ty, select) = if number.contains(&ty.as_str()) || ty.starts_with("DECIMAL") {
                (ColumnType::Number, format!("CAST({q} AS DOUBLE)"))
            } else if ty == "BOOLEAN" {
                (ColumnType::Bool, q)
            } else if ty == "DATE" || ty.starts_with("TIMESTAMP") {
                (ColumnType::Date, format!("CAST({q} AS DATE)"))
            } else {
                (ColumnType::String, format!("CAST({q} AS VARCHAR)"))
            };
            out.entry(table)
                .or_default()
                .push(DbColumn { name, ty, select });
        }
        Ok(out)
    }

    fn table(&mut self, name: &str, cols: &[&DbColumn]) -> Result<TableBuilder, Box<Diagnostic>> {
        let select: Vec<&str> = cols.iter().map(|c| c.select.as_str()).collect();
        let what = format!("reading `{name}`");
        let rows = self.query(
            &format!("SELECT {} FROM {};", select.join(", "), quoted(name)),
            &what,
        )?;
        let bad = |column: &str, cell: &str| {
            Box::new(Diagnostic::error(
                "data::database",
                format!(
                    "DuckDB ({}): `{cell}` in `{name}.{column}` is not of its type",
                    self.shown
                ),
            ))
        };
        let mut builder = TableBuilder::new(name);
        for (i, c) in cols.iter().enumerate() {
            let values = rows
                .iter()
                .map(|row| {
                    let Some(cell) = row.get(i).cloned().flatten() else {
                        return Ok(Value::Null);
                    };
                    Ok(match c.ty {
                        ColumnType::Number => {
                            Value::from(Some(cell.parse::<f64>().map_err(|_| bad(&c.name, &cell))?))
                        }
                        ColumnType::Bool => match cell.as_str() {
                            "true" => Value::from(Some(true)),
                            "false" => Value::from(Some(false)),
                            _ => return Err(bad(&c.name, &cell)),
                        },
                        ColumnType::Date => Value::from(Some(
                            chrono::NaiveDate::parse_from_str(&cell, "%Y-%m-%d")
                                .map_err(|_| bad(&c.name, &cell))?,
                        )),
                        _ => Value::from(Some(cell)),
                    })
                })
                .collect::<Result<Vec<Value>, Box<Diagnostic>>>()?;
            builder = c.typed(builder.column(&c.name, values));
        }
        Ok(builder)
    }

    fn text_rows(
        &mut self,
        sql: &str,
        what: &str,
    ) -> Result<Vec<Vec<Option<String>>>, Box<Diagnostic>> {
        let mut sql = sql.trim_end().to_string();
        if !sql.ends_with(';') {
            sql.push(';');
        }
        self.query(&sql, what)
    }
}
