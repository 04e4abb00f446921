//! The shape of a dataset read from its headers and manifest only: tables,
//! columns, keys, date columns and references. `kpi check --data` uses it
//! to resolve names before any row is read.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use super::manifest::Manifest;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::yaml_io;

/// A column's type, declared in the manifest or inferred when loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Number,
    Bool,
    Date,
    String,
    /// Strings separated by `;` in one cell.
    List,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSchema {
    pub name: String,
    /// `None` until the data are read (no type in the manifest).
    pub ty: Option<ColumnType>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    pub name: String,
    pub file: PathBuf,
    pub columns: Vec<ColumnSchema>,
    pub key: Option<String>,
    pub date_column: Option<String>,
    /// `(column, referenced table)`.
    pub refs: Vec<(String, String)>,
}

impl TableSchema {
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The tables this table refers to (its parents).
    pub fn parents(&self) -> impl Iterator<Item = &str> {
        self.refs.iter().map(|(_, t)| t.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub dir: PathBuf,
    pub tables: IndexMap<String, TableSchema>,
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
        let manifest_path = dir.join("dataset.yaml");
        let manifest = match std::fs::read_to_string(&manifest_path) {
            Ok(text) => match yaml_io::from_str::<Manifest>(&text) {
                Ok(m) => m,
                Err(e) => {
                    diags.push(Diagnostic::error("data::manifest", e.message).in_file(
                        manifest_path.display().to_string(),
                        e.line.unwrap_or(1),
                        e.column.unwrap_or(1),
                    ));
                    Manifest::default()
                }
            },
            Err(_) => Manifest::default(),
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "data::io",
                    format!("cannot read the dataset directory `{}`: {e}", dir.display()),
                ));
                return (schema, diags);
            }
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for path in files {
            let (Some(stem), Some(ext)) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|s| s.to_str()),
            ) else {
                continue;
            };
            let file_name = path.file_name().and_then(|s| s.to_str()).unwrap_or("");
            if !matches!(ext, "csv" | "jsonl") || exclude.contains(&file_name) {
                continue;
            }
            let name = manifest
                .tables
                .iter()
                .find(|(_, t)| t.file.as_deref() == Some(file_name))
                .map_or(stem, |(n, _)| n.as_str());
            match read_header(&path, ext) {
                Ok(columns) => {
                    schema.tables.insert(
                        name.to_string(),
                        TableSchema {
                            name: name.to_string(),
                            file: path.clone(),
                            columns: columns
                                .into_iter()
                                .map(|c| ColumnSchema { name: c, ty: None })
                                .collect(),
                            key: None,
                            date_column: None,
                            refs: Vec::new(),
                        },
                    );
                }
                Err(message) => diags.push(Diagnostic::error("data::header", message).in_file(
                    path.display().to_string(),
                    1,
                    1,
                )),
            }
        }
        schema.apply_manifest(&manifest, &manifest_path, &mut diags);
        (schema, diags)
    }

    /// Declared keys, dates, types and references; inferred ones elsewhere.
    fn apply_manifest(&mut self, manifest: &Manifest, path: &Path, diags: &mut Diagnostics) {
        let names: Vec<String> = self.tables.keys().cloned().collect();
        let manifest_name = path.display().to_string();
        for name in manifest.tables.keys() {
            if !self.tables.contains_key(name) {
                diags.push(
                    Diagnostic::error(
                        "data::manifest",
                        format!("`{name}` is declared in the manifest but has no file"),
                    )
                    .in_file(&manifest_name, 1, 1)
                    .with_help(format!(
                        "add `{name}.csv` or `{name}.jsonl`, or remove it from dataset.yaml"
                    )),
                );
            }
        }
        for table in self.tables.values_mut() {
            let decl = manifest
                .tables
                .get(&table.name)
                .cloned()
                .unwrap_or_default();
            let has = |c: &str| table.columns.iter().any(|col| col.name == c);
            table.key = decl
                .key
                .clone()
                .or_else(|| has("id").then(|| "id".to_string()));
            table.date_column = decl
                .date
                .clone()
                .or_else(|| has("date").then(|| "date".to_string()));
            for (col, ty) in &decl.columns {
                match table.columns.iter_mut().find(|c| &c.name == col) {
                    Some(c) => c.ty = Some(*ty),
                    None => diags.push(
                        Diagnostic::error(
                            "data::manifest",
                            format!("the manifest declares column `{col}` of `{}`, which its file lacks", table.name),
                        )
                        .in_file(&manifest_name, 1, 1),
                    ),
                }
            }
            let mut refs: Vec<(String, String)> = decl
                .refs
                .iter()
                .map(|(c, t)| (c.clone(), t.clone()))
                .collect();
            for col in &table.columns {
                if decl.refs.contains_key(&col.name) {
                    continue;
                }
                if let Some(stem) = col.name.strip_suffix("_id") {
                    let plural = format!("{stem}s");
                    if let Some(target) = names.iter().find(|n| *n == stem || **n == plural) {
                        refs.push((col.name.clone(), target.clone()));
                    }
                }
            }
            for (col, target) in &refs {
                if !names.contains(target) {
                    diags.push(
                        Diagnostic::error(
                            "data::manifest",
                            format!(
                                "`{}.{col}` refers to table `{target}`, which does not exist",
                                table.name
                            ),
                        )
                        .in_file(&manifest_name, 1, 1),
                    );
                }
            }
            table.refs = refs;
        }
    }
}

fn read_header(path: &Path, ext: &str) -> Result<Vec<String>, String> {
    let shown = path.display();
    if ext == "csv" {
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        let headers = reader
            .headers()
            .map_err(|e| format!("cannot read the header of `{shown}`: {e}"))?;
        Ok(headers.iter().map(|h| h.trim().to_string()).collect())
    } else {
        use std::io::BufRead;
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        let mut first = String::new();
        std::io::BufReader::new(file)
            .read_line(&mut first)
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        if first.trim().is_empty() {
            return Ok(Vec::new());
        }
        let value: serde_json::Value = serde_json::from_str(&first)
            .map_err(|e| format!("line 1 of `{shown}` is not a JSON object: {e}"))?;
        match value {
            serde_json::Value::Object(map) => Ok(map.keys().cloned().collect()),
            _ => Err(format!("line 1 of `{shown}` is not a JSON object")),
        }
    }
}
