//! `dataset.yaml`: per table its file, key, date column, column types,
//! references and locale. Everything is optional; what is missing is
//! inferred. The manifest is strict: an unknown key, a table listed twice,
//! a value of the wrong kind is an error at its line, and a manifest that
//! cannot be read is an error, never ignored.
//!
//! ```yaml
//! locale: { delimiter: ";", decimal: ",", date_format: "%d/%m/%Y" }  # every table
//! tables:
//!   participations:
//!     key: id
//!     date: date                 # `date: null`: no date column
//!     columns: { satisfaction: number, responded: bool }
//!     refs: { alumni_id: alumni, event_id: events }
//!   alumni:
//!     file: export_2026.csv
//!     since: recorded            # a stock: a row counts from this day on
//!     columns: { interests: list }
//!     true_values: [O]
//!     false_values: [N]
//!     encoding: windows-1252
//! ```

use super::locale::{BoolWords, DateFormat, Decimal};
use super::schema::ColumnType;
use crate::check::suggest::did_you_mean;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::files::Encoding;
use crate::yaml_tree::{self, Node, NodeKind, Pos};

/// A value and where the manifest wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

/// How a table writes its values, as declared (each `None` is inferred).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocaleDecl {
    pub delimiter: Option<u8>,
    pub decimal: Option<Decimal>,
    pub date_format: Option<DateFormat>,
    pub words: BoolWords,
    pub encoding: Option<Encoding>,
}

impl LocaleDecl {
    /// This table's declarations over the manifest-wide ones.
    fn over(&self, base: &LocaleDecl) -> LocaleDecl {
        let mut words = base.words.clone();
        words
            .extra_true
            .extend(self.words.extra_true.iter().cloned());
        words
            .extra_false
            .extend(self.words.extra_false.iter().cloned());
        LocaleDecl {
            delimiter: self.delimiter.or(base.delimiter),
            decimal: self.decimal.or(base.decimal),
            date_format: self.date_format.clone().or(base.date_format.clone()),
            words,
            encoding: self.encoding.or(base.encoding),
        }
    }
}

/// One table's entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableManifest {
    pub name: String,
    /// Where the table's name stands.
    pub pos: Pos,
    /// The file, when it is not `NAME.csv` / `NAME.jsonl`.
    pub file: Option<Located<String>>,
    /// The key column (default `id`).
    pub key: Option<Located<String>>,
    /// The date column used by `period` (default `date`, if present);
    /// `Some(None)`: the table has none.
    pub date: Option<Located<Option<String>>>,
    /// The column from which a row counts (a stock table).
    pub since: Option<Located<String>>,
    pub columns: Vec<(Located<String>, ColumnType)>,
    /// `column: table` — the column holds keys of that table.
    pub refs: Vec<(Located<String>, Located<String>)>,
    /// The table's locale, manifest-wide declarations included.
    pub locale: LocaleDecl,
}

impl TableManifest {
    pub fn column_type(&self, column: &str) -> Option<ColumnType> {
        self.columns
            .iter()
            .find(|(c, _)| c.value == column)
            .map(|(_, t)| *t)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    pub tables: Vec<TableManifest>,
    /// The locale of tables the manifest does not list.
    pub locale: LocaleDecl,
}

impl Manifest {
    pub fn table(&self, name: &str) -> Option<&TableManifest> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Reads a manifest; every mistake is a diagnostic at its line in
    /// `shown` (the path as users see it).
    pub fn parse(text: &str, shown: &str) -> (Manifest, Diagnostics) {
        let mut r = Reader {
            file: shown,
            diags: Diagnostics::new(),
        };
        let manifest = match yaml_tree::parse(text) {
            Ok(Some(root)) => r.manifest(&root),
            Ok(None) => Manifest::default(),
            Err(e) => {
                r.error(
                    e.pos,
                    format!("dataset.yaml is not valid YAML: {}", e.message),
                    Some("indent with spaces, and quote values that hold `:` or `#`".into()),
                );
                Manifest::default()
            }
        };
        (manifest, r.diags)
    }
}

const TOP_KEYS: [&str; 2] = ["tables", "locale"];
const LOCALE_KEYS: [&str; 6] = [
    "delimiter",
    "decimal",
    "date_format",
    "true_values",
    "false_values",
    "encoding",
];
const TABLE_KEYS: [&str; 6] = ["file", "key", "date", "since", "columns", "refs"];
const TYPES: [&str; 5] = ["number", "bool", "date", "string", "list"];

struct Reader<'a> {
    file: &'a str,
    diags: Diagnostics,
}

impl Reader<'_> {
    fn error(&mut self, pos: Pos, message: String, help: Option<String>) {
        self.diags.push(
            Diagnostic::error("data::manifest", message)
                .in_file(self.file, pos.line, pos.column)
                .with_help_opt(help),
        );
    }

    /// The entries of a mapping, each key once; `None` (reported) if the
    /// node is not a mapping.
    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        let NodeKind::Map(entries) = &node.kind else {
            if node.is_null() {
                return Some(Vec::new());
            }
            self.error(
                node.pos,
                format!(
                    "{what} must be a mapping (`name: value` lines), not {}",
                    node.what()
                ),
                None,
            );
            return None;
        };
        let mut out: Vec<(String, &Node, &Node)> = Vec::new();
        for (key, value) in entries {
            let Some(name) = key.text() else {
                self.error(key.pos, format!("a key of {what} must be a name"), None);
                continue;
            };
            if let Some((_, first, _)) = out.iter().find(|(n, _, _)| n == name) {
                let line = first.pos.line;
                self.error(
                    key.pos,
                    format!("`{name}` appears twice in {what} (first on line {line})"),
                    Some("each key once: merge the two entries".into()),
                );
                continue;
            }
            out.push((name.to_string(), key, value));
        }
        Some(out)
    }

    fn unknown(&mut self, key: &Node, name: &str, known: &[&str], what: &str) {
        let help = did_you_mean(name, known.iter().copied()).unwrap_or_else(|| {
            format!(
                "the keys of {what} are {}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        self.error(
            key.pos,
            format!("unknown key `{name}` in {what}"),
            Some(help),
        );
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<Located<String>> {
        match node.text() {
            Some(t) if !node.is_null() => Some(Located {
                value: t.to_string(),
                pos: node.pos,
            }),
            _ => {
                self.error(
                    node.pos,
                    format!("{what} must be a name, not {}", node.what()),
                    None,
                );
                None
            }
        }
    }

    fn manifest(&mut self, root: &Node) -> Manifest {
        let mut manifest = Manifest::default();
        let Some(entries) = self.map(root, "dataset.yaml") else {
            return manifest;
        };
        // The manifest-wide locale first: tables build on it.
        for (name, _, value) in &entries {
            if name == "locale" {
                manifest.locale = self.locale(value, "`locale`");
            }
        }
        for (name, key, value) in &entries {
            match name.as_str() {
                "locale" => {}
                "tables" => {
                    let Some(tables) = self.map(value, "`tables`") else {
                        continue;
                    };
                    for (table, key, decl) in tables {
                        let t = self.table(&table, key.pos, decl, &manifest.locale);
                        manifest.tables.push(t);
                    }
                }
                _ => self.unknown(key, name, &TOP_KEYS, "dataset.yaml"),
            }
        }
        manifest
    }

    fn table(&mut self, name: &str, pos: Pos, node: &Node, base: &LocaleDecl) -> TableManifest {
        let mut t = TableManifest {
            name: name.to_string(),
            pos,
            locale: base.clone(),
            ..TableManifest::default()
        };
        let what = format!("table `{name}`");
        let Some(entries) = self.map(node, &what) else {
            return t;
        };
        let mut own = LocaleDecl::default();
        for (field, key, value) in entries {
            match field.as_str() {
                "file" => t.file = self.string(value, "`file`"),
                "key" => t.key = self.string(value, "`key`"),
                "since" => t.since = self.string(value, "`since`"),
                "date" => {
                    t.date = if value.is_null() {
                        Some(Located {
                            value: None,
                            pos: value.pos,
                        })
                    } else {
                        self.string(value, "`date`").map(|l| Located {
                            value: Some(l.value),
                            pos: l.pos,
                        })
                    }
                }
                "columns" => t.columns = self.columns(value, &what),
                "refs" => {
                    if let Some(refs) = self.map(value, &format!("the refs of {what}")) {
                        for (column, key, target) in refs {
                            if let Some(target) = self.string(target, "a referenced table") {
                                t.refs.push((
                                    Located {
                                        value: column,
                                        pos: key.pos,
                                    },
                                    target,
                                ));
                            }
                        }
                    }
                }
                f if LOCALE_KEYS.contains(&f) => self.locale_field(&mut own, f, value),
                _ => {
                    let known: Vec<&str> = TABLE_KEYS.iter().chain(&LOCALE_KEYS).copied().collect();
                    self.unknown(key, &field, &known, &what);
                }
            }
        }
        if let (Some(d), Some(s)) = (&t.date, &t.since)
            && d.value.is_some()
        {
            self.error(
                s.pos,
                format!("table `{name}` declares both `date` and `since`"),
                Some(
                    "`date` makes a flow (a row counts in the period holding its date), \
                     `since` a stock (a row counts from its date on): keep one"
                        .into(),
                ),
            );
        }
        t.locale = own.over(base);
        t
    }

    fn columns(&mut self, node: &Node, what: &str) -> Vec<(Located<String>, ColumnType)> {
        let mut out = Vec::new();
        let Some(entries) = self.map(node, &format!("the columns of {what}")) else {
            return out;
        };
        for (column, key, ty) in entries {
            let written = ty.text().unwrap_or("");
            let parsed = match written.to_ascii_lowercase().as_str() {
                "number" => Some(ColumnType::Number),
                "bool" => Some(ColumnType::Bool),
                "date" => Some(ColumnType::Date),
                "string" => Some(ColumnType::String),
                "list" => Some(ColumnType::List),
                _ => None,
            };
            match parsed {
                Some(t) => out.push((
                    Located {
                        value: column,
                        pos: key.pos,
                    },
                    t,
                )),
                None => {
                    let hint = match written.to_ascii_lowercase().as_str() {
                        "int" | "integer" | "float" | "decimal" | "numeric" => {
                            Some("write `number`".to_string())
                        }
                        "boolean" | "yes/no" => Some("write `bool`".into()),
                        "text" | "str" => Some("write `string`".into()),
                        "datetime" | "timestamp" => Some("write `date`".into()),
                        "array" => Some("write `list`".into()),
                        w => did_you_mean(w, TYPES),
                    };
                    self.error(
                        ty.pos,
                        format!(
                            "`{written}` is not a column type (column `{column}`): types are \
                             number, bool, date, string and list"
                        ),
                        hint,
                    );
                }
            }
        }
        out
    }

    fn locale(&mut self, node: &Node, what: &str) -> LocaleDecl {
        let mut l = LocaleDecl::default();
        let Some(entries) = self.map(node, what) else {
            return l;
        };
        for (field, key, value) in entries {
            if LOCALE_KEYS.contains(&field.as_str()) {
                self.locale_field(&mut l, &field, value);
            } else {
                self.unknown(key, &field, &LOCALE_KEYS, what);
            }
        }
        l
    }

    fn locale_field(&mut self, l: &mut LocaleDecl, field: &str, value: &Node) {
        let text = value.text().unwrap_or("");
        match field {
            "delimiter" => {
                l.delimiter = match text {
                    "tab" | "\t" | "\\t" => Some(b'\t'),
                    t if t.len() == 1 && t.is_ascii() && !t.contains(['"', '\n', '\r']) => {
                        Some(t.as_bytes()[0])
                    }
                    _ => {
                        self.error(
                            value.pos,
                            format!("`{text}` is not a delimiter"),
                            Some(
                                "write one character in quotes: `delimiter: \";\"` (or `tab`)"
                                    .into(),
                            ),
                        );
                        None
                    }
                }
            }
            "decimal" => {
                l.decimal = match text {
                    "." => Some(Decimal::Point),
                    "," => Some(Decimal::Comma),
                    _ => {
                        self.error(
                            value.pos,
                            format!("`{text}` is not a decimal mark"),
                            Some("write `decimal: \",\"` or `decimal: \".\"`".into()),
                        );
                        None
                    }
                }
            }
            "date_format" => match DateFormat::declared(text) {
                Ok(f) => l.date_format = Some(f),
                Err(message) => self.error(
                    value.pos,
                    message,
                    Some(
                        "write the format with %d (day), %m (month) and %Y (year), \
                         e.g. `date_format: \"%d/%m/%Y\"`"
                            .into(),
                    ),
                ),
            },
            "encoding" => match crate::files::Encoding::parse(text) {
                Some(e) => l.encoding = Some(e),
                None => self.error(
                    value.pos,
                    format!("`{text}` is not an encoding this tool reads"),
                    Some("encodings are utf-8, latin1 and windows-1252".into()),
                ),
            },
            _ => {
                // true_values / false_values: a list of words, or one word.
                let words: Vec<String> = match &value.kind {
                    NodeKind::Seq(items) => items
                        .iter()
                        .filter_map(|i| self.string(i, &format!("a word of `{field}`")))
                        .map(|l| l.value)
                        .collect(),
                    _ => self
                        .string(value, &format!("`{field}`"))
                        .into_iter()
                        .map(|l| l.value)
                        .collect(),
                };
                if field == "true_values" {
                    l.words.extra_true.extend(words);
                } else {
                    l.words.extra_false.extend(words);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<(usize, String)> {
        let (_, diags) = Manifest::parse(text, "dataset.yaml");
        diags
            .iter()
            .map(|d| (d.location.as_ref().map_or(0, |l| l.line), d.message.clone()))
            .collect()
    }

    #[test]
    fn a_full_manifest_reads() {
        let (m, diags) = Manifest::parse(
            "locale: {delimiter: \";\", decimal: \",\"}\ntables:\n  a:\n    file: x.csv\n    key: code\n    date: null\n    columns: {n: number, when: date}\n    refs: {b_code: b}\n    true_values: [O]\n    date_format: \"%d/%m/%Y\"\n  b: {since: recorded}\n",
            "dataset.yaml",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let a = m.table("a").expect("a");
        assert_eq!(a.file.as_ref().map(|f| f.value.as_str()), Some("x.csv"));
        assert_eq!(a.date.as_ref().map(|d| d.value.clone()), Some(None));
        assert_eq!(a.column_type("when"), Some(ColumnType::Date));
        assert_eq!(a.refs[0].1.value, "b");
        assert_eq!(a.locale.delimiter, Some(b';'));
        assert_eq!(a.locale.decimal, Some(Decimal::Comma));
        assert_eq!(a.locale.words.extra_true, vec!["O".to_string()]);
        assert_eq!(a.locale.date_format, Some(DateFormat::DayFirst('/')));
        let b = m.table("b").expect("b");
        assert_eq!(b.since.as_ref().map(|s| s.pos.line), Some(11));
        assert_eq!(b.locale.delimiter, Some(b';'), "the manifest-wide locale");
    }

    #[test]
    fn mistakes_are_errors_at_their_line() {
        let e = errors("tables:\n  a: {key: id}\n  a: {key: code}\n");
        assert_eq!(e[0].0, 3);
        assert!(e[0].1.contains("`a` appears twice"), "{e:?}");
        let e = errors("tables:\n  a:\n    dates: d\n");
        assert_eq!(e[0], (3, "unknown key `dates` in table `a`".to_string()));
        let e = errors("tables:\n  a:\n    columns: {n: integer}\n");
        assert_eq!(e[0].0, 3);
        assert!(e[0].1.contains("`integer` is not a column type"), "{e:?}");
        let e = errors("tabels:\n  a: {}\n");
        assert_eq!(e[0].1, "unknown key `tabels` in dataset.yaml");
        let e =
            errors("tables:\n  a:\n    delimiter: ';;'\n    decimal: x\n    encoding: ebcdic\n");
        assert_eq!(e.len(), 3, "{e:?}");
        let e = errors("tables: [a, b]\n");
        assert!(e[0].1.contains("must be a mapping"), "{e:?}");
        let e = errors("tables:\n  a: {date: d, since: s}\n");
        assert!(e[0].1.contains("both `date` and `since`"), "{e:?}");
        let e = errors("tables:\n  a: {key: [1]\n");
        assert!(
            e[0].1.starts_with("dataset.yaml is not valid YAML"),
            "{e:?}"
        );
    }
}
