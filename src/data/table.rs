//! Reading one table file (CSV or JSONL) into typed columns.
//!
//! The file is read into memory, decoded, and parsed twice. The first pass
//! counts the shapes of every cell of every row: the types of the columns
//! the manifest does not declare, the decimal mark and the date order come
//! from it (`infer`). The second pass builds the typed columns. A cell that
//! does not fit its column is an error naming file, line, column and value;
//! with `skip_bad_rows`, its row is left out and counted, and every other
//! row is kept.

use std::borrow::Cow;
use std::sync::Arc;

use super::builder::{Builder, Reading};
use super::delimited::{self, BadRow, Record};
use super::infer::{self, Ambiguous, Learn, Sample, Tally};
use super::jsonl;
use super::load::Table;
use super::locale::{DateFormat, Decimal, delimiter_name};
use super::schema::{ColumnType, FileFormat, TableSchema};
use super::{ColumnInfo, TableInfo};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// One cell as read from a file.
#[derive(Clone)]
pub(super) enum Cell<'a> {
    Null,
    Text(Cow<'a, str>),
    /// A JSON number or boolean: typed already.
    Number(f64),
    Bool(bool),
    List(Vec<String>),
}

impl Cell<'_> {
    /// The cell as written, for messages.
    fn shown(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) => format!("{n}"),
            Cell::Bool(b) => b.to_string(),
            Cell::List(items) => format!("[{}]", items.join(", ")),
        }
    }
}

/// At most this many bad values are reported per file; the rest are
/// counted.
const MAX_ERRORS_PER_FILE: usize = 20;

/// One table read on its own: the table (its columns' string ids in the
/// table's own pool) and the line of each of its rows.
pub(super) struct Read {
    pub table: Table,
    pub lines: Vec<u32>,
}

/// The cells of one row, whatever the file.
trait Row {
    fn line(&self) -> u32;
    fn cell(&self, c: usize) -> Cell<'_>;
    /// The line column `c` stands on (a quoted cell may span lines).
    fn line_of(&self, c: usize) -> u32;
}

impl Row for Record<'_> {
    fn line(&self) -> u32 {
        self.line
    }
    fn cell(&self, c: usize) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(Record::cell(self, c)))
    }
    fn line_of(&self, c: usize) -> u32 {
        Record::line_of(self, c)
    }
}

impl Row for (u32, Vec<Cell<'static>>) {
    fn line(&self) -> u32 {
        self.0
    }
    fn cell(&self, c: usize) -> Cell<'_> {
        // Text is lent, not copied: each cell is read twice (its shape,
        // then its value).
        match self.1.get(c) {
            Some(Cell::Text(t)) => Cell::Text(Cow::Borrowed(t.as_ref())),
            Some(other) => other.clone(),
            None => Cell::Null,
        }
    }
    fn line_of(&self, _: usize) -> u32 {
        self.0
    }
}

/// Where a table's rows come from.
enum Source<'a> {
    /// CSV text, parsed on each pass.
    Csv { text: &'a str, delimiter: u8 },
    /// Decoded JSON lines (or the rows of an in-memory table), and the
    /// lines that are not objects.
    Json(&'a jsonl::Rows, &'a [(u32, String)]),
}

/// A row that could not be read as a row of the table.
enum Unreadable {
    Csv(BadRow),
    Json(u32, String),
}

impl Source<'_> {
    fn rows(&self, width: usize, row: &mut dyn FnMut(&dyn Row), bad: &mut dyn FnMut(Unreadable)) {
        match self {
            Source::Json(rows, unreadable) => {
                for r in rows.iter() {
                    row(r);
                }
                for (line, message) in unreadable.iter() {
                    bad(Unreadable::Json(*line, message.clone()));
                }
            }
            Source::Csv { text, delimiter } => {
                delimited::rows(text, *delimiter, width, &mut |r| row(r), &mut |b| {
                    bad(Unreadable::Csv(b))
                })
            }
        }
    }
}

/// The diagnostics of one file, capped.
struct Problems<'a> {
    file: &'a str,
    errors: Diagnostics,
    more: usize,
}

impl Problems<'_> {
    fn push(&mut self, d: Diagnostic) {
        if self.errors.0.len() < MAX_ERRORS_PER_FILE {
            self.errors.push(d);
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Diagnostics {
        if self.more > 0 {
            let more = self.more;
            self.errors.push(
                Diagnostic::error(
                    "data::more",
                    format!(
                        "… and {more} more error(s) in `{}` (the first {MAX_ERRORS_PER_FILE} are shown)",
                        self.file
                    ),
                )
                .in_file(self.file, 1, 1),
            );
        }
        self.errors
    }
}

/// How the dataset's other tables read, for a table whose own cells
/// cannot tell its decimal mark or date order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Elsewhere {
    pub decimal: Option<Decimal>,
    pub day_first: Option<bool>,
}

pub(super) fn load_table(
    ts: &TableSchema,
    pool: &mut super::column::StringPool,
    skip: bool,
    elsewhere: Elsewhere,
) -> Result<Read, Diagnostics> {
    let file = ts.shown();
    let text = crate::files::read_text(&ts.file, ts.encoding(), None).map_err(|e| {
        let (line, column) = e.line.unwrap_or((1, 1));
        Diagnostics(vec![
            Diagnostic::error("data::encoding", e.message)
                .in_file(&file, line, column)
                .with_help_opt(e.help),
        ])
    })?;
    let names: Vec<String> = ts.columns.iter().map(|c| c.name.clone()).collect();
    match ts.format {
        // An in-memory table has no file (`read_memory` reads it).
        FileFormat::Jsonl | FileFormat::Memory => {
            let (rows, bad) = jsonl::rows(&text, &names);
            read_rows(ts, &Source::Json(&rows, &bad), pool, skip, elsewhere)
        }
        FileFormat::Csv { delimiter, .. } => {
            let header = delimited::header(&text, delimiter);
            if header != names {
                return Err(Diagnostics(vec![
                    Diagnostic::error(
                        "data::header",
                        format!("the header of `{file}` changed while it was read"),
                    )
                    .in_file(&file, 1, 1),
                ]));
            }
            let source = Source::Csv {
                text: &text,
                delimiter,
            };
            read_rows(ts, &source, pool, skip, elsewhere)
        }
    }
}

/// Reads an in-memory table's rows (each row's "line" is its number,
/// from 1) as a file's: the same inference, checks and messages.
pub(super) fn read_memory(
    ts: &TableSchema,
    rows: &jsonl::Rows,
    pool: &mut super::column::StringPool,
    skip: bool,
    elsewhere: Elsewhere,
) -> Result<Read, Diagnostics> {
    read_rows(ts, &Source::Json(rows, &[]), pool, skip, elsewhere)
}

/// Types, checks and builds a table's columns from its rows.
fn read_rows(
    ts: &TableSchema,
    source: &Source<'_>,
    pool: &mut super::column::StringPool,
    skip: bool,
    elsewhere: Elsewhere,
) -> Result<Read, Diagnostics> {
    let file = ts.shown();
    let width = ts.columns.len();
    let names: Vec<String> = ts.columns.iter().map(|c| c.name.clone()).collect();
    let words = ts.decl.locale.words.clone();
    let mut problems = Problems {
        file: &file,
        errors: Diagnostics::new(),
        more: 0,
    };
    let mut skipped_lines: Vec<u32> = Vec::new();

    // Pass 1: the shape of every cell, and the rows that cannot be read.
    // What each column's cells can teach: everything when undeclared; the
    // decimal mark or the date order when declared so.
    let learn: Vec<Option<Learn>> = ts
        .columns
        .iter()
        .map(|c| match c.ty {
            None => Some(Learn::All),
            Some(ColumnType::Number) => Some(Learn::Decimal),
            Some(ColumnType::Date) => Some(Learn::DateOrder),
            Some(_) => None,
        })
        .collect();
    // Every row is at most one line: the most cells a column can have.
    let most = match source {
        Source::Csv { text, .. } => memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1,
        Source::Json(rows, _) => rows.len(),
    };
    let mut tallies = vec![Tally::new(most); width];
    let mut unnamed_value: Vec<Option<Sample>> = vec![None; width];
    let mut rows = 0usize;
    let mut header_broken = false;
    source.rows(
        width,
        &mut |row| {
            for c in 0..width {
                if names[c].is_empty() {
                    let cell = row.cell(c).shown();
                    if !cell.is_empty() && unnamed_value[c].is_none() {
                        unnamed_value[c] = Some(Sample {
                            line: row.line_of(c),
                            column: c + 1,
                            text: cell,
                        });
                    }
                } else if let Some(learn) = learn[c] {
                    tallies[c].add(&row.cell(c), learn, &|| (row.line_of(c), c + 1), &words);
                }
            }
            rows += 1;
        },
        &mut |bad| {
            if matches!(&bad, Unreadable::Csv(b) if b.line() == 1) {
                header_broken = true;
            }
            let (line, d) = unreadable(bad, ts, width);
            if skip && !header_broken {
                skipped_lines.push(line);
            } else {
                problems.push(d.in_file(&file, line as usize, 1));
            }
        },
    );
    for sample in unnamed_value.iter().flatten() {
        problems.push(
            Diagnostic::error(
                "data::header",
                format!(
                    "column {} has no name in the header, but holds `{}`",
                    sample.column, sample.text
                ),
            )
            .in_file(&file, sample.line as usize, sample.column)
            .with_help("name the column in the header row, or remove its values"),
        );
    }
    if problems.errors.has_errors() {
        return Err(problems.finish());
    }

    // The table's reading: types, decimal mark, date format.
    let types: Vec<ColumnType> = (0..width)
        .map(|c| ts.columns[c].ty.unwrap_or_else(|| tallies[c].column_type()))
        .collect();
    let (types_of, names_of, tallies_of) = (&types, &names, &tallies);
    let of_type = |t: ColumnType| {
        (0..width)
            .filter(move |&c| types_of[c] == t && !names_of[c].is_empty())
            .map(move |c| &tallies_of[c])
    };
    let decimal = infer::decimal(
        ts.decl.locale.decimal,
        of_type(ColumnType::Number),
        elsewhere.decimal,
    );
    let dates = infer::date_format(
        ts.decl.locale.date_format.as_ref(),
        of_type(ColumnType::Date),
        elsewhere.day_first,
    );
    // What the other tables told rather than this file.
    let alone_decimal =
        infer::decimal(ts.decl.locale.decimal, of_type(ColumnType::Number), None).is_err();
    let alone_dates = infer::date_format(
        ts.decl.locale.date_format.as_ref(),
        of_type(ColumnType::Date),
        None,
    )
    .is_err();
    let (Ok((decimal, decimal_inferred)), Ok((dates, dates_inferred))) = (&decimal, &dates) else {
        let mut errors = Diagnostics::new();
        for a in [decimal.err(), dates.err()].into_iter().flatten() {
            errors.push(ambiguous(a, ts));
        }
        return Err(errors);
    };
    let reading = Reading {
        decimal: *decimal,
        dates: dates.clone(),
        words,
    };

    // Pass 2: typed columns.
    let mut builders: Vec<Builder> = (0..width)
        .map(|c| Builder::new(types[c], ts.columns[c].ty.is_some(), rows))
        .collect();
    let mut lines = Vec::with_capacity(rows);
    // A date column none of whose values is a date is one mistake, not a
    // mistake per row: per date column, the dates read.
    let dated: Vec<bool> = names
        .iter()
        .map(|n| Some(n) == ts.date_column.as_ref() || Some(n) == ts.since.as_ref())
        .collect();
    let mut good = vec![0usize; width];
    let mut first_bad: Vec<Option<Sample>> = vec![None; width];
    let mut bad_cells: Vec<(usize, Sample)> = Vec::new();
    source.rows(
        width,
        &mut |row| {
            let mut bad = false;
            for (c, b) in builders.iter_mut().enumerate() {
                let cell = row.cell(c);
                if b.push(&cell, &reading, pool).is_ok() {
                    if dated[c] {
                        good[c] += usize::from(!cell.shown().is_empty());
                    }
                    continue;
                }
                // Keep the columns aligned; the row is reported or left out.
                let _ = b.push(&Cell::Null, &reading, pool);
                bad = true;
                let sample = Sample {
                    line: row.line_of(c),
                    column: c + 1,
                    text: cell.shown(),
                };
                first_bad[c].get_or_insert_with(|| sample.clone());
                if !skip {
                    bad_cells.push((c, sample));
                }
            }
            if bad && skip {
                builders.iter_mut().for_each(Builder::truncate_last);
                skipped_lines.push(row.line());
            } else {
                lines.push(row.line());
            }
        },
        &mut |_| {},
    );

    let mut whole_column = vec![false; width];
    for c in 0..width {
        if dated[c]
            && good[c] == 0
            && let Some(sample) = &first_bad[c]
        {
            whole_column[c] = true;
            problems.push(not_a_date_column(ts, c, sample, tallies[c].column_type()));
        }
    }
    for (c, sample) in bad_cells {
        if !whole_column[c] {
            problems.push(bad_value(ts, c, types[c], &sample, &reading));
        }
    }
    if whole_column.iter().any(|w| *w) || problems.errors.has_errors() {
        return Err(problems.finish());
    }

    // Unnamed, empty columns are left out.
    let keep: Vec<usize> = (0..width).filter(|&c| !names[c].is_empty()).collect();
    let mut data: Vec<Option<super::ColumnData>> =
        builders.into_iter().map(|b| Some(b.finish())).collect();
    let columns: Vec<super::Column> = keep
        .iter()
        .filter_map(|&c| {
            Some(super::Column {
                name: names[c].clone(),
                data: data[c].take()?,
            })
        })
        .collect();
    let info = TableInfo {
        // Relative to the dataset directory, as dataset.yaml names files.
        file: match &ts.decl.file {
            Some(f) => f.value.clone(),
            None => ts
                .file
                .file_name()
                .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned()),
        },
        format: match ts.format {
            FileFormat::Csv { .. } => "csv",
            FileFormat::Jsonl => "jsonl",
            FileFormat::Memory => "memory",
        },
        rows: lines.len(),
        skipped: skipped_lines.len(),
        skipped_lines: skipped_lines.iter().take(10).copied().collect(),
        encoding: ts.encoding(),
        delimiter: match ts.format {
            FileFormat::Csv { delimiter, sniffed } => Some((delimiter_name(delimiter), sniffed)),
            FileFormat::Jsonl | FileFormat::Memory => None,
        },
        decimal: (types.contains(&ColumnType::Number) && ts.format != FileFormat::Jsonl)
            .then(|| (decimal.mark(), *decimal_inferred)),
        date_format: (types.contains(&ColumnType::Date))
            .then(|| (dates.describe(), *dates_inferred)),
        from_other_tables: [("decimal", alone_decimal), ("date_format", alone_dates)]
            .into_iter()
            .filter_map(|(what, alone)| alone.then_some(what))
            .collect(),
        date_column: ts.date_column.clone(),
        since: ts.since.clone(),
        key: ts.key.clone(),
        columns: keep
            .iter()
            .map(|&c| ColumnInfo {
                name: names[c].clone(),
                ty: types[c],
                inferred: ts.columns[c].ty.is_none(),
            })
            .collect(),
    };
    Ok(Read {
        table: Table {
            name: ts.name.clone(),
            file: ts.file.clone(),
            len: lines.len(),
            columns: Arc::new(columns),
            key: None,
            date: None,
            since: None,
            relations: Vec::new(),
            lines: Arc::new(Vec::new()),
            info: Arc::new(info),
            schema: Arc::new(ts.clone()),
        },
        lines,
    })
}

/// A row that could not be read: its line and the diagnostic.
fn unreadable(bad: Unreadable, ts: &TableSchema, width: usize) -> (u32, Diagnostic) {
    match bad {
        Unreadable::Json(line, message) => (
            line,
            Diagnostic::error("data::json", message)
                .with_help("each line of a .jsonl file is one JSON object: `{\"id\": 1, ...}`"),
        ),
        Unreadable::Csv(BadRow::Fields { line, found }) => {
            let delimiter = match ts.format {
                FileFormat::Csv { delimiter, sniffed } => format!(
                    "`{}` ({})",
                    delimiter_name(delimiter),
                    if sniffed {
                        "the header's"
                    } else {
                        "declared in dataset.yaml"
                    }
                ),
                FileFormat::Jsonl | FileFormat::Memory => String::new(),
            };
            (
                line,
                Diagnostic::error(
                    "data::row",
                    format!("this row has {found} field(s), the header {width}"),
                )
                .with_help(format!(
                    "fields are separated by {delimiter}; a cell that holds the delimiter must be in quotes"
                )),
            )
        }
        Unreadable::Csv(BadRow::Quote { line, open, closed }) => {
            let (ol, oc) = open;
            let message = match closed {
                None => format!(
                    "the quote opened at line {ol}, column {oc} is never closed (every later line would be read into one cell)"
                ),
                Some(cl) => format!(
                    "the quote opened at line {ol}, column {oc} is closed only on line {cl}, in the middle of a cell"
                ),
            };
            (
                line,
                Diagnostic::error("data::quote", message).with_help(
                    "close the quote on its line; a quote inside a quoted cell is written twice (\"\")",
                ),
            )
        }
    }
}

/// The file cannot tell how to read its numbers or dates.
fn ambiguous(a: Ambiguous, ts: &TableSchema) -> Diagnostic {
    let file = ts.shown();
    let column = |s: &Sample| {
        ts.columns
            .get(s.column - 1)
            .map_or("", |c| c.name.as_str())
            .to_string()
    };
    match a {
        Ambiguous::Decimal(s) => Diagnostic::error(
            "data::ambiguous-decimal",
            format!(
                "`{}` can be read as {} or as {} (column `{}`)",
                s.text,
                s.text.replace(',', "."),
                s.text.replace(',', ""),
                column(&s)
            ),
        )
        .in_file(&file, s.line as usize, s.column)
        .with_help(format!(
            "no number of `{file}` shows whether `,` is a decimal comma: declare it in \
             dataset.yaml (`{}: {{decimal: \",\"}}`), or write numbers without thousands separators",
            ts.name
        )),
        Ambiguous::DateOrder(s) => Diagnostic::error(
            "data::ambiguous-date",
            format!(
                "`{}` can be read day first or month first (column `{}`)",
                s.text,
                column(&s)
            ),
        )
        .in_file(&file, s.line as usize, s.column)
        .with_help(format!(
            "no day of `{file}` exceeds 12, so the order cannot be told: declare it in \
             dataset.yaml (`{}: {{date_format: \"%d/%m/%Y\"}}` for day first, \"%m/%d/%Y\" for month first)",
            ts.name
        )),
    }
}

/// The date (or since) column holds no date at all.
fn not_a_date_column(ts: &TableSchema, c: usize, sample: &Sample, found: ColumnType) -> Diagnostic {
    let name = &ts.columns[c].name;
    let role = if Some(name) == ts.since.as_ref() {
        "`since` column"
    } else {
        "date column"
    };
    let found = match found {
        ColumnType::String => "text".to_string(),
        t => format!("{}s", t.word()),
    };
    let d = Diagnostic::error(
        "data::date-column",
        format!(
            "`{name}` is the {role} of `{}`, but it holds {found}, not dates (first: `{}` at line {})",
            ts.name, sample.text, sample.line
        ),
    );
    let declared = match role {
        "`since` column" => ts.decl.since.as_ref().map(|s| s.pos),
        _ => ts.decl.date.as_ref().map(|d| d.pos),
    };
    let help = format!(
        "dates are written 2026-01-05 (or 05/01/2026, or as `date_format` says); if `{}` has no \
         date column, declare `date: null` for it in dataset.yaml",
        ts.name
    );
    match declared {
        Some(pos) => d
            .in_file(
                ts.file
                    .with_file_name(super::schema::MANIFEST)
                    .display()
                    .to_string(),
                pos.line,
                pos.column,
            )
            .with_help(help),
        None => d.in_file(ts.shown(), 1, c + 1).with_help(format!(
            "a column named `date` is taken as the table's date column; {help}"
        )),
    }
}

/// One cell that does not fit its column.
fn bad_value(
    ts: &TableSchema,
    c: usize,
    ty: ColumnType,
    s: &Sample,
    reading: &Reading,
) -> Diagnostic {
    let name = &ts.columns[c].name;
    let t = s.text.as_str();
    let how = match ty {
        ColumnType::Number => match reading.decimal {
            Decimal::Point if t.contains(',') => format!(
                "numbers of `{}` are read with a decimal point; if it uses decimal commas, \
                 declare `decimal: \",\"` for it in dataset.yaml",
                ts.name
            ),
            Decimal::Comma if t.contains('.') => format!(
                "numbers of `{}` are read with a decimal comma (12,5), and without thousands separators",
                ts.name
            ),
            _ if t.eq_ignore_ascii_case("nan") || t.to_ascii_lowercase().contains("inf") => {
                "leave the cell empty for no data".to_string()
            }
            _ => "numbers are written like 12 or 0.5".to_string(),
        },
        ColumnType::Bool => format!(
            "yes/no values are {}; declare others with `true_values` and `false_values` in dataset.yaml",
            reading.words.describe()
        ),
        ColumnType::Date => match &reading.dates {
            DateFormat::Iso => {
                "dates are written 2026-01-05 (or 05/01/2026, day first)".to_string()
            }
            f => format!("dates of `{}` are written {}", ts.name, f.describe()),
        },
        ColumnType::String | ColumnType::List => String::new(),
    };
    let why = if Some(name) == ts.date_column.as_ref() {
        format!("`{name}` is the table's date column")
    } else if Some(name) == ts.since.as_ref() {
        format!("`{name}` is the table's `since` column")
    } else if ts.columns[c].ty.is_some() {
        "dataset.yaml declares this column's type".to_string()
    } else {
        format!(
            "`{name}` is read as a {} column because most of its values are; if it is text, \
             declare `{name}: string` under `columns` in dataset.yaml",
            ty.word()
        )
    };
    Diagnostic::error(
        "data::value",
        format!("`{t}` is not a {} (column `{name}`)", ty.word()),
    )
    .in_file(ts.shown(), s.line as usize, s.column)
    .with_help(format!(
        "{how}; {why}. Fix the value, or pass --skip-bad-rows to leave the row out"
    ))
}
