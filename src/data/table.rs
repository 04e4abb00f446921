//! Reading one table file (CSV or JSONL) into typed columns.
//!
//! Each table file is read into memory and parsed twice: a first pass infers
//! the type of every column the manifest does not declare, a second builds
//! the typed columns. A value that does not fit its column is an error
//! naming file, line, column and value, unless bad rows are skipped (then
//! they are counted for the report).

use std::borrow::Cow;
use std::sync::Arc;

use super::builder::Builder;
use super::column::*;
use super::infer::Inference;
use super::load::Table;
use super::schema::{ColumnType, TableSchema};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// One cell as read from a file.
#[derive(Clone)]
pub(super) enum Cell<'a> {
    Null,
    Text(Cow<'a, str>),
    List(Vec<String>),
}

/// Rows of a file, each a line number and its cells.
type Rows<'a> = Vec<(u32, Vec<Cell<'a>>)>;

/// At most this many bad values are reported per file.
const MAX_ERRORS_PER_FILE: usize = 20;

pub(super) fn load_table(
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
