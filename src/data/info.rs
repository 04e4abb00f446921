//! How each table was read: what `kpi check --data` lists and the report's
//! `dataset` section carries, so that a figure can be traced to the
//! reading of its data (which delimiter, which date format, which types
//! were declared and which inferred).

use serde::Serialize;

use super::schema::ColumnType;
use crate::files::Encoding;

/// One column: its type, and whether it was inferred from the cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    /// The column's name.
    pub name: String,
    #[serde(rename = "type")]
    /// Its type, declared or inferred.
    pub ty: ColumnType,
    /// Whether the type was inferred from the cells (not declared).
    pub inferred: bool,
}

/// One table file, as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableInfo {
    /// The file, relative to the dataset directory.
    pub file: String,
    /// `csv` or `jsonl`.
    pub format: &'static str,
    /// Rows loaded (after rows left out).
    pub rows: usize,
    /// Bad rows left out (`--skip-bad-rows`), and the first of their lines.
    pub skipped: usize,
    #[serde(skip)]
    /// The lines of the first rows left out.
    pub skipped_lines: Vec<u32>,
    /// The file's encoding.
    pub encoding: Encoding,
    /// The delimiter, and whether it was sniffed from the header.
    #[serde(skip)]
    pub delimiter: Option<(String, bool)>,
    /// The decimal mark of number columns, and whether it was inferred.
    #[serde(skip)]
    pub decimal: Option<(char, bool)>,
    /// The format of date columns (strftime), and whether it was inferred.
    #[serde(skip)]
    pub date_format: Option<(String, bool)>,
    /// What this file could not tell and the other tables did (`decimal`,
    /// `date_format`).
    #[serde(skip)]
    pub from_other_tables: Vec<&'static str>,
    /// The column `period` applies to (a flow table).
    pub date_column: Option<String>,
    /// The column from which rows count (a stock table).
    pub since: Option<String>,
    /// The key column, if any.
    pub key: Option<String>,
    /// Every column, in file order.
    pub columns: Vec<ColumnInfo>,
}

impl TableInfo {
    /// What was inferred rather than declared, in words
    /// (`delimiter ";" (sniffed)`), for `kpi check --data`.
    pub fn inferred(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((d, sniffed)) = &self.delimiter {
            out.push(format!(
                "delimiter `{d}`{}",
                if *sniffed { " (sniffed)" } else { "" }
            ));
        }
        let how = |what: &str, inferred: bool| {
            if self.from_other_tables.contains(&what) {
                " (as the other tables: this file cannot tell)"
            } else if inferred {
                " (inferred)"
            } else {
                ""
            }
        };
        if let Some((d, inferred)) = &self.decimal {
            out.push(format!("decimal `{d}`{}", how("decimal", *inferred)));
        }
        if let Some((f, inferred)) = &self.date_format {
            out.push(format!("dates `{f}`{}", how("date_format", *inferred)));
        }
        out
    }
}

/// What was read, one line per table, for `kpi check --data`:
/// `alumni  2000 rows  data/sample/alumni.csv  delimiter `,` (sniffed)  …`.
pub fn describe(data: &super::Dataset) -> String {
    let width = data
        .tables
        .keys()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("dataset `{}`:", data.dir.display());
    for (name, t) in &data.tables {
        let i = &t.info;
        let mut parts = vec![format!("{} rows", i.rows)];
        if i.skipped > 0 {
            parts.push(format!("{} left out", i.skipped));
        }
        parts.push(t.file.display().to_string());
        if i.encoding != Encoding::Utf8 {
            parts.push(format!("encoding {}", i.encoding.name()));
        }
        parts.extend(i.inferred());
        parts.push(match (&i.date_column, &i.since) {
            (Some(d), _) => format!("period by `{d}`"),
            (None, Some(s)) => format!("counted from `{s}`"),
            (None, None) => "undated".to_string(),
        });
        let inferred: Vec<String> = i
            .columns
            .iter()
            .filter(|c| c.inferred)
            .map(|c| format!("{} {}", c.name, type_name(c.ty)))
            .collect();
        if !inferred.is_empty() {
            parts.push(format!("inferred: {}", inferred.join(", ")));
        }
        out += &format!("\n  {name:width$}  {}", parts.join("  "));
    }
    out
}

fn type_name(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Number => "number",
        ColumnType::Bool => "bool",
        ColumnType::Date => "date",
        ColumnType::String => "string",
        ColumnType::List => "list",
    }
}
