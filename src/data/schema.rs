//! The shape of a dataset read from its manifest and the headers of its
//! files: tables, columns, keys, date columns and references. Loading
//! starts here; the checker resolves names against it.
//!
//! Every table is one file of the dataset directory (`NAME.csv`,
//! `NAME.jsonl`, or the `file:` its manifest entry names, which must stay
//! inside the directory). Two files for one table, a header that names a
//! column twice, a manifest entry naming a column the file lacks: each is
//! an error where it is.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use super::locale::{self, delimiter_name};
use super::manifest::{Located, Manifest, TableManifest};
use crate::check::suggest::did_you_mean;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::files::{self, Encoding};
use crate::yaml_tree::Pos;

/// A column's type, declared in the manifest or inferred when loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Number,
    Bool,
    Date,
    String,
    /// Strings separated by `;` in one cell.
    List,
}

impl ColumnType {
    /// The type in users' words.
    pub fn word(self) -> &'static str {
        match self {
            ColumnType::Number => "number",
            ColumnType::Bool => "yes/no value",
            ColumnType::Date => "date",
            ColumnType::String => "text",
            ColumnType::List => "list",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSchema {
    pub name: String,
    /// `None` until the data are read (no type in the manifest).
    pub ty: Option<ColumnType>,
}

/// How a table's file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Delimited text with a header row; the delimiter, and whether it was
    /// sniffed from the header.
    Csv { delimiter: u8, sniffed: bool },
    /// One JSON object per line.
    Jsonl,
    /// Rows or columns given in memory (`DatasetBuilder`); text cells are
    /// read as a CSV file's.
    Memory,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    pub name: String,
    pub file: PathBuf,
    pub format: FileFormat,
    /// Every column of the header, in file order (a CSV column without a
    /// name has the name "").
    pub columns: Vec<ColumnSchema>,
    pub key: Option<String>,
    pub date_column: Option<String>,
    /// The column from which a row counts, for a stock table.
    pub since: Option<String>,
    /// `(column, referenced table)`.
    pub refs: Vec<(String, String)>,
    /// The manifest's entry (empty when the manifest does not list it).
    pub decl: TableManifest,
}

impl TableSchema {
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The tables this table refers to (its parents).
    pub fn parents(&self) -> impl Iterator<Item = &str> {
        self.refs.iter().map(|(_, t)| t.as_str())
    }

    pub fn encoding(&self) -> Encoding {
        self.decl.locale.encoding.unwrap_or_default()
    }

    /// The file as users see it.
    pub fn shown(&self) -> String {
        self.file.display().to_string()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub dir: PathBuf,
    pub tables: IndexMap<String, TableSchema>,
}

/// The manifest's file name.
pub const MANIFEST: &str = "dataset.yaml";

/// Files of the dataset directory that are table files, by extension.
fn table_format(path: &Path) -> Option<bool> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(false),
        "jsonl" => Some(true),
        _ => None,
    }
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables.get(name)
    }

    /// The chain of references from `child` up to `ancestor`, as table names
    /// (`[child, .., ancestor]`), shortest first found; `None` if unrelated.
    pub fn path_up(&self, child: &str, ancestor: &str) -> Option<Vec<String>> {
        let mut queue = std::collections::VecDeque::from([vec![child.to_string()]]);
        let mut seen = std::collections::HashSet::from([child.to_string()]);
        while let Some(path) = queue.pop_front() {
            let last = path.last()?;
            if last == ancestor {
                return Some(path);
            }
            for parent in self.table(last).into_iter().flat_map(|t| t.parents()) {
                if seen.insert(parent.to_string()) {
                    let mut next = path.clone();
                    next.push(parent.to_string());
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// Reads `dir`'s manifest and the header of each table file. Files named
    /// in `exclude` (the benchmark file) are not tables.
    pub fn read(dir: &Path, exclude: &[&str]) -> (Schema, Diagnostics) {
        let mut diags = Diagnostics::new();
        let mut schema = Schema {
            dir: dir.to_path_buf(),
            tables: IndexMap::new(),
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "data::io",
                        format!(
                            "cannot read the dataset directory `{}`: {}",
                            dir.display(),
                            files::io_words(&e)
                        ),
                    )
                    .with_help(
                        "point `--data` at the directory that holds your CSV or JSONL tables",
                    ),
                );
                return (schema, diags);
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let manifest = read_manifest(dir, &paths, &mut diags);
        let manifest_shown = dir.join(MANIFEST).display().to_string();

        // Which file each table reads: manifest `file:` entries first.
        let mut files: IndexMap<String, (PathBuf, Option<Pos>)> = IndexMap::new();
        let mut claimed: Vec<PathBuf> = Vec::new();
        for t in &manifest.tables {
            let Some(file) = &t.file else { continue };
            match files::confined(dir, &file.value) {
                Ok(path) if table_format(&path).is_some() => {
                    claimed.push(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone()));
                    files.insert(t.name.clone(), (path, Some(file.pos)));
                }
                Ok(_) => diags.push(
                    Diagnostic::error(
                        "data::manifest",
                        format!("`{}` is not a .csv or .jsonl file", file.value),
                    )
                    .in_file(&manifest_shown, file.pos.line, file.pos.column),
                ),
                Err(e) => diags.push(
                    Diagnostic::error(
                        "data::manifest",
                        format!("the file of `{}`: {}", t.name, e.message),
                    )
                    .in_file(&manifest_shown, file.pos.line, file.pos.column)
                    .with_help_opt(e.help.or_else(|| {
                        Some("name a file inside the dataset directory, relative to it".into())
                    })),
                ),
            }
        }
        for path in &paths {
            let Some(name) = path.file_name().and_then(|s| s.to_str()) else {
                continue;
            };
            if name.starts_with('.') || exclude.contains(&name) || table_format(path).is_none() {
                continue;
            }
            let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            if claimed.contains(&canonical) {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            match files.get(stem) {
                Some((other, at)) => {
                    let d = Diagnostic::error(
                        "data::table-files",
                        format!(
                            "two files for table `{stem}`: `{}` and `{}`",
                            other.display(),
                            path.display()
                        ),
                    );
                    diags.push(match at {
                        Some(p) => d
                            .in_file(&manifest_shown, p.line, p.column)
                            .with_help(format!(
                                "dataset.yaml reads `{stem}` from `{}`: remove or rename `{}`",
                                other.display(),
                                path.display()
                            )),
                        None => d.in_file(path.display().to_string(), 1, 1).with_help(
                            "keep one file per table (a table is read from NAME.csv or NAME.jsonl)",
                        ),
                    });
                }
                None => {
                    files.insert(stem.to_string(), (path.clone(), None));
                }
            }
        }
        for t in &manifest.tables {
            if !files.contains_key(&t.name) && t.file.is_none() {
                let known: Vec<&str> = files.keys().map(String::as_str).collect();
                diags.push(
                    Diagnostic::error(
                        "data::manifest",
                        format!("`{}` is declared in the manifest but has no file", t.name),
                    )
                    .in_file(&manifest_shown, t.pos.line, t.pos.column)
                    .with_help(did_you_mean(&t.name, known).unwrap_or_else(|| {
                        format!(
                            "add `{0}.csv` or `{0}.jsonl`, or remove it from dataset.yaml",
                            t.name
                        )
                    })),
                );
            }
        }
        for (name, (path, _)) in files {
            let decl = manifest
                .table(&name)
                .cloned()
                .unwrap_or_else(|| TableManifest {
                    name: name.clone(),
                    locale: manifest.locale.clone(),
                    ..TableManifest::default()
                });
            match read_header(&path, &decl) {
                Ok((format, columns)) => {
                    schema.tables.insert(
                        name.clone(),
                        TableSchema {
                            name: name.clone(),
                            file: path,
                            format,
                            columns,
                            key: None,
                            date_column: None,
                            since: None,
                            refs: Vec::new(),
                            decl,
                        },
                    );
                }
                Err(d) => diags.extend(d),
            }
        }
        schema.apply_manifest(&manifest_shown, &mut diags);
        (schema, diags)
    }

    /// Declared keys, dates, types and references; the conventional ones
    /// elsewhere.
    pub(super) fn apply_manifest(&mut self, manifest: &str, diags: &mut Diagnostics) {
        let names: Vec<String> = self.tables.keys().cloned().collect();
        let keys: Vec<(String, bool)> = self
            .tables
            .values()
            .map(|t| {
                let key = t
                    .decl
                    .key
                    .as_ref()
                    .map(|k| k.value.clone())
                    .unwrap_or_else(|| "id".to_string());
                (t.name.clone(), t.column(&key).is_some())
            })
            .collect();
        let has_key = |table: &str| keys.iter().any(|(n, k)| n == table && *k);
        for table in self.tables.values_mut() {
            let decl = table.decl.clone();
            let column_names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
            let missing = |diags: &mut Diagnostics, what: &str, col: &Located<String>| {
                diags.push(
                    Diagnostic::error(
                        "data::manifest",
                        format!(
                            "{what} `{}` of `{}` is not a column of `{}`",
                            col.value,
                            table.name,
                            table.file.display()
                        ),
                    )
                    .in_file(manifest, col.pos.line, col.pos.column)
                    .with_help(
                        other_delimiter(&column_names)
                            .or_else(|| {
                                did_you_mean(&col.value, column_names.iter().map(String::as_str))
                            })
                            .unwrap_or_else(|| format!("its columns are {}", list(&column_names))),
                    ),
                );
            };
            let has = |c: &str| column_names.iter().any(|n| n == c);
            table.key = match &decl.key {
                Some(k) if has(&k.value) => Some(k.value.clone()),
                Some(k) => {
                    missing(diags, "the key", k);
                    None
                }
                None => has("id").then(|| "id".to_string()),
            };
            table.since = match &decl.since {
                Some(s) if has(&s.value) => Some(s.value.clone()),
                Some(s) => {
                    missing(diags, "the `since` column", s);
                    None
                }
                None => None,
            };
            table.date_column = match &decl.date {
                Some(Located { value: None, .. }) => None,
                Some(Located {
                    value: Some(d),
                    pos,
                }) => {
                    if has(d) {
                        Some(d.clone())
                    } else {
                        missing(
                            diags,
                            "the date column",
                            &Located {
                                value: d.clone(),
                                pos: *pos,
                            },
                        );
                        None
                    }
                }
                // A stock table counts rows from `since`, not by a date.
                None if table.since.is_some() => None,
                None => has("date").then(|| "date".to_string()),
            };
            for (col, ty) in &decl.columns {
                match table.columns.iter_mut().find(|c| c.name == col.value) {
                    Some(c) => c.ty = Some(*ty),
                    None => missing(diags, "the declared column", col),
                }
            }
            // The date and since columns hold dates, declared or not.
            for c in table.columns.iter_mut() {
                let dated = Some(&c.name) == table.date_column.as_ref()
                    || Some(&c.name) == table.since.as_ref();
                if dated && c.ty.is_none() {
                    c.ty = Some(ColumnType::Date);
                }
            }
            let mut refs: Vec<(String, String)> = Vec::new();
            for (col, target) in &decl.refs {
                if !has(&col.value) {
                    missing(diags, "the reference column", col);
                } else if !names.contains(&target.value) {
                    diags.push(
                        Diagnostic::error(
                            "data::manifest",
                            format!(
                                "`{}.{}` refers to table `{}`, which does not exist",
                                table.name, col.value, target.value
                            ),
                        )
                        .in_file(manifest, target.pos.line, target.pos.column)
                        .with_help(
                            did_you_mean(&target.value, names.iter().map(String::as_str))
                                .unwrap_or_else(|| format!("the tables are {}", list(&names))),
                        ),
                    );
                } else if !has_key(&target.value) {
                    diags.push(
                        Diagnostic::error(
                            "data::manifest",
                            format!(
                                "`{}.{}` refers to `{}`, which has no key column",
                                table.name, col.value, target.value
                            ),
                        )
                        .in_file(manifest, target.pos.line, target.pos.column)
                        .with_help(format!(
                            "give `{}` an `id` column, or declare its key (`key: COLUMN`)",
                            target.value
                        )),
                    );
                } else {
                    refs.push((col.value.clone(), target.value.clone()));
                }
            }
            for col in &column_names {
                // A table's own key is not a reference (`alumni.alumni_id`).
                if decl.refs.iter().any(|(c, _)| &c.value == col) || table.key.as_ref() == Some(col)
                {
                    continue;
                }
                let Some(stem) = col.strip_suffix("_id") else {
                    continue;
                };
                let plural = format!("{stem}s");
                if let Some(target) = names.iter().find(|n| *n == stem || **n == plural) {
                    if has_key(target) {
                        refs.push((col.clone(), target.clone()));
                    } else {
                        diags.push(
                            Diagnostic::error(
                                "data::no-key",
                                format!(
                                    "`{}.{col}` refers to `{target}` by its name, but `{target}` has no key column",
                                    table.name
                                ),
                            )
                            .in_file(table.file.display().to_string(), 1, 1)
                            .with_help(format!(
                                "give `{target}` an `id` column or declare its key in dataset.yaml \
                                 (`{target}: {{key: COLUMN}}`); if `{col}` does not hold keys of \
                                 `{target}`, rename it"
                            )),
                        );
                    }
                }
            }
            table.refs = refs;
        }
    }
}

/// A header read whole as one column because its delimiter is another.
fn other_delimiter(names: &[String]) -> Option<String> {
    let [only] = names else { return None };
    let d = [';', '\t', '|', ',']
        .into_iter()
        .find(|d| only.contains(*d))?;
    Some(format!(
        "the header `{only}` is one column: its cells look separated by `{0}`; declare \
         `delimiter: \"{0}\"` (or leave the delimiter out, to have it sniffed)",
        delimiter_name(d as u8)
    ))
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The manifest, when there is one. A manifest that cannot be read is an
/// error, as is one under another name.
fn read_manifest(dir: &Path, paths: &[PathBuf], diags: &mut Diagnostics) -> Manifest {
    let path = dir.join(MANIFEST);
    let shown = path.display().to_string();
    if !paths.contains(&path) {
        if let Some(other) = paths.iter().find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.eq_ignore_ascii_case("dataset.yml") || n.eq_ignore_ascii_case(MANIFEST)
            })
        }) {
            diags.push(
                Diagnostic::error(
                    "data::manifest",
                    format!(
                        "the manifest must be named `{MANIFEST}`, not `{}`",
                        other.display()
                    ),
                )
                .in_file(other.display().to_string(), 1, 1)
                .with_help(format!("rename it `{MANIFEST}`")),
            );
        }
        return Manifest::default();
    }
    let text = match files::read_text(&path, Encoding::Utf8, Some(MANIFEST_CAP)) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = e.line.unwrap_or((1, 1));
            diags.push(
                Diagnostic::error("data::manifest", e.message)
                    .in_file(&shown, line, column)
                    .with_help_opt(e.help.map(|_| "save dataset.yaml as UTF-8".to_string())),
            );
            return Manifest::default();
        }
    };
    let (manifest, errors) = Manifest::parse(&text, &shown);
    diags.extend(errors);
    manifest
}

/// A manifest has no reason to be larger.
const MANIFEST_CAP: u64 = 1 << 20;

/// The columns of a table file: a CSV header (its delimiter declared or
/// sniffed), or the keys of a JSONL file's objects in order of appearance.
fn read_header(
    path: &Path,
    decl: &TableManifest,
) -> Result<(FileFormat, Vec<ColumnSchema>), Diagnostics> {
    let shown = path.display().to_string();
    let fail = |line: usize, column: usize, message: String, help: Option<String>| {
        Diagnostics(vec![
            Diagnostic::error("data::header", message)
                .in_file(&shown, line, column)
                .with_help_opt(help),
        ])
    };
    let encoding = decl.locale.encoding.unwrap_or_default();
    let jsonl = table_format(path) == Some(true);
    let text = if jsonl {
        files::read_text(path, encoding, None)
    } else {
        files::read_first_line(path, encoding)
    }
    .map_err(|e| {
        let (line, column) = e.line.unwrap_or((1, 1));
        Diagnostics(vec![
            Diagnostic::error("data::encoding", e.message)
                .in_file(&shown, line, column)
                .with_help_opt(e.help),
        ])
    })?;
    if jsonl {
        let names = super::jsonl::keys(&text);
        return Ok((
            FileFormat::Jsonl,
            names
                .into_iter()
                .map(|name| ColumnSchema { name, ty: None })
                .collect(),
        ));
    }
    let (delimiter, sniffed) = match decl.locale.delimiter {
        Some(d) => (d, false),
        None => match locale::sniff_delimiter(&text) {
            Ok(d) => (d, true),
            Err((a, b)) => {
                return Err(fail(
                    1,
                    1,
                    format!(
                        "cannot tell the delimiter of `{shown}`: its header has as many `{}` as `{}`",
                        delimiter_name(a),
                        delimiter_name(b)
                    ),
                    Some(format!(
                        "declare it in dataset.yaml: `{}: {{delimiter: \"{}\"}}`",
                        decl.name,
                        delimiter_name(a)
                    )),
                ));
            }
        },
    };
    let names = super::delimited::header(&text, delimiter);
    if names.iter().all(|n| n.is_empty()) {
        return Err(fail(
            1,
            1,
            format!("`{shown}` has no header row"),
            Some("the first line names the columns: `id,name,...`".into()),
        ));
    }
    let mut errors = Diagnostics::new();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            errors.push(
                Diagnostic::error(
                    "data::header",
                    format!(
                        "the header names column `{name}` twice (columns {} and {})",
                        first + 1,
                        i + 1
                    ),
                )
                .in_file(&shown, 1, i + 1)
                .with_help("each column name once: rename or remove one of them"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        FileFormat::Csv { delimiter, sniffed },
        names
            .into_iter()
            .map(|name| ColumnSchema { name, ty: None })
            .collect(),
    ))
}
