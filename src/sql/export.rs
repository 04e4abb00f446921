//! A loaded dataset as a database would hold it (what the query expects):
//! one `CREATE TABLE` per table with the types the rules read, and its
//! rows as plain CSV (numbers in shortest round-trip form, `true`/`false`,
//! ISO dates, lists as `a;b`, nulls as empty cells). `kpi sql --export`
//! writes both; the differential tests load them into PostgreSQL and DuckDB.

use std::io::Write;
use std::path::Path;

use super::Dialect;
use crate::data::column::{NULL_BOOL, NULL_DATE, NULL_STR, date_of};
use crate::data::{ColumnData, Dataset};

/// The SQL type of a column in a dialect.
fn sql_type(data: &ColumnData, dialect: Dialect) -> &'static str {
    let r = dialect.render();
    match data {
        ColumnData::Number(_) => r.double(),
        ColumnData::Bool(_) => "BOOLEAN",
        ColumnData::Date(_) => "DATE",
        ColumnData::Str(_) | ColumnData::List { .. } => r.text(),
    }
}

/// `CREATE TABLE` statements for every table of the dataset.
pub fn ddl(data: &Dataset, dialect: Dialect) -> String {
    let r = dialect.render();
    let mut out = String::new();
    for table in data.tables.values() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("  {} {}", r.ident(&c.name), sql_type(&c.data, dialect)))
            .collect();
        out.push_str(&format!(
            "CREATE TABLE {} (\n{}\n);\n",
            r.ident(&table.name),
            columns.join(",\n")
        ));
    }
    out
}

/// The columns of a table and their types, as DuckDB's `read_csv` takes
/// them (`{'id': 'DOUBLE', …}`).
pub fn duckdb_columns(data: &Dataset, table: &str) -> Option<String> {
    let t = data.table(table)?;
    let columns: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            format!(
                "'{}': '{}'",
                c.name.replace('\'', "''"),
                sql_type(&c.data, Dialect::DuckDb)
            )
        })
        .collect();
    Some(format!("{{{}}}", columns.join(", ")))
}

/// Writes a table's rows as plain CSV with a header.
pub fn write_csv(data: &Dataset, table: &str, to: &mut impl Write) -> std::io::Result<()> {
    let Some(t) = data.table(table) else {
        return Ok(());
    };
    let mut w = csv::Writer::from_writer(to);
    w.write_record(t.columns.iter().map(|c| c.name.as_str()))?;
    let mut record: Vec<String> = Vec::with_capacity(t.columns.len());
    for r in 0..t.len {
        record.clear();
        for c in t.columns.iter() {
            record.push(match &c.data {
                ColumnData::Number(v) if v[r].is_nan() => String::new(),
                ColumnData::Number(v) => format!("{}", v[r]),
                ColumnData::Bool(v) if v[r] == NULL_BOOL => String::new(),
                ColumnData::Bool(v) => (v[r] == 1).to_string(),
                ColumnData::Date(v) if v[r] == NULL_DATE => String::new(),
                ColumnData::Date(v) => date_of(v[r]).map(|d| d.to_string()).unwrap_or_default(),
                ColumnData::Str(v) if v[r] == NULL_STR => String::new(),
                ColumnData::Str(v) => data.pool.text(v[r]).to_string(),
                ColumnData::List { offsets, values } => values
                    [offsets[r] as usize..offsets[r + 1] as usize]
                    .iter()
                    .map(|&s| data.pool.text(s))
                    .collect::<Vec<_>>()
                    .join(";"),
            });
        }
        w.write_record(&record)?;
    }
    w.flush()
}

/// Writes `schema.sql` and one `TABLE.csv` per table into `dir`.
pub fn export(data: &Dataset, dialect: Dialect, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    crate::atomic::write_atomic(&dir.join("schema.sql"), ddl(data, dialect).as_bytes())?;
    for name in data.tables.keys() {
        let mut bytes = Vec::new();
        write_csv(data, name, &mut bytes)?;
        crate::atomic::write_atomic(&dir.join(format!("{name}.csv")), &bytes)?;
    }
    Ok(())
}
