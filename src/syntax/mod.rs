//! Front ends and printers: .kpi and YAML rule files ⇄ one syntax tree.
//!
//! | module       | role                                              |
//! |--------------|---------------------------------------------------|
//! | `ast`        | the tree (`{kind, span}` nodes, trivia)           |
//! | `dsl`        | .kpi front end (pest, `grammar/kpi.pest`)         |
//! | `comments`   | .kpi comments attached to nodes                   |
//! | `yaml`       | YAML front end (serde structs → tree)             |
//! | `yaml_pos`   | positions in YAML files (yaml-rust2 events)       |
//! | `fields`     | which fields each block takes                     |
//! | `print_*`    | tree → .kpi, tree → YAML, expression → text       |

pub mod ast;
mod braces;
mod comments;
mod dsl;
pub mod fields;
mod print_expr;
mod print_kpi;
mod print_yaml;
mod yaml;
mod yaml_pos;

use std::path::Path;

pub use dsl::{parse_expr, parse_period};
pub use print_expr::{expr_to_string, expr_to_string_with, number, quote};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile};
use ast::RuleFile;

/// `FROM..TO` written on its own (`--period`, a benchmark's `period`
/// column) as its two dates, or why it is not a period.
pub fn period_dates(text: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate), String> {
    let mut sources = crate::source::SourceMap::new();
    let file = sources.add_text("period", text);
    match parse_period(file, text, &|o| o) {
        Ok(e) => match e.kind {
            ast::ExprKind::Period { from, to } => Ok((from, to)),
            _ => Err(format!("`{text}` is not a period")),
        },
        Err(errs) => Err(errs.first().map_or_else(
            || format!("`{text}` is not a period"),
            |d| d.message.clone(),
        )),
    }
}

/// The two rule formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    Kpi,
    Yaml,
}

impl Format {
    /// The format a file's extension names (`.kpi`, `.yaml`, `.yml`); a
    /// rule test (`*.test.yaml`) is not a rule file.
    pub fn of_path(path: &Path) -> Option<Format> {
        if is_test_file(path) {
            return None;
        }
        match path.extension()?.to_str()? {
            "kpi" => Some(Format::Kpi),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Kpi => "kpi",
            Format::Yaml => "yaml",
        }
    }
}

/// A rule test (`NAME.test.yaml`, run by `kpi test`), not a rule file.
pub fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.yaml") || n.ends_with(".test.yml"))
}

/// Parses one rule file. The tree is returned only when there was no error.
pub fn parse(
    file: FileId,
    source: &SourceFile,
    format: Format,
) -> (Option<RuleFile>, Vec<Diagnostic>) {
    if let Some(d) = control_character(file, &source.text) {
        return (None, vec![d]);
    }
    match format {
        Format::Kpi => {
            let (tree, errors) = dsl::parse_file(file, &source.text);
            // Where braces do not balance, the missing one is the mistake,
            // wherever the parser stopped.
            if errors.iter().any(|d| d.code.starts_with("parse::")) {
                let braces = braces::check(file, &source.text);
                if !braces.is_empty() {
                    return (None, braces);
                }
            }
            (tree, errors)
        }
        Format::Yaml => yaml::parse_file(file, source),
    }
}

/// A rule file is text: a control character (other than tab and line
/// ends) is a mistake, whether in a comment or not, and no format could
/// print it back.
fn control_character(file: crate::source::FileId, text: &str) -> Option<Diagnostic> {
    let (at, c) = text
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
    Some(
        Diagnostic::error(
            "parse::control",
            format!(
                "a control character (U+{:04X}) in a rule file",
                u32::from(c)
            ),
        )
        .at(
            crate::source::Span::new(file, at, at + c.len_utf8()),
            "not text",
        )
        .with_help("remove it: rule files hold text only (was binary data pasted in?)"),
    )
}

/// The words the .kpi language keeps for itself (`grammar/kpi.pest`).
pub const KEYWORDS: [&str; 19] = [
    "scorecard",
    "param",
    "use",
    "profile",
    "let",
    "objective",
    "indicator",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "in",
    "where",
    "true",
    "false",
    "null",
    "rhai",
];

/// Whether `c` may start a name: a letter of any script, or `_`.
pub fn is_name_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

/// Whether `c` may continue a name: letters, digits, `_` and accents.
pub fn is_name_char(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

/// The one rule for ids and names, in both formats: letters (`é` and
/// `ß` are letters), digits and `_`, not starting with a digit, not a
/// keyword. The .kpi grammar's `ident` is the same rule.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char) && !KEYWORDS.contains(&s)
}

/// A name close to `s` that follows the rule: `donor rate` → `donor_rate`.
pub fn name_like(s: &str) -> String {
    let mut out: String = s
        .trim()
        .chars()
        .map(|c| if is_name_char(c) { c } else { '_' })
        .collect();
    if !out.starts_with(is_name_start) {
        out.insert(0, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Prints a tree, and reads the text back before anyone writes it: what
/// `kpi convert` and `kpi fmt` write always parses. A failure here is a
/// bug of the printer, said as such, and nothing is written.
pub fn print_checked(
    tree: &RuleFile,
    format: Format,
    name: &str,
) -> Result<String, Box<Diagnostic>> {
    let text = print(tree, format);
    let source = SourceFile::new(
        name.to_string(),
        std::path::PathBuf::from(name),
        text.clone(),
    );
    let (again, errors) = parse(FileId(0), &source, format);
    match (again, errors.iter().find(|d| d.severity == crate::diagnostic::Severity::Error)) {
        (Some(_), None) => Ok(text),
        (_, first) => Err(Box::new(
            Diagnostic::error(
                "fmt::unreadable",
                format!(
                    "the {} text printed for `{name}` would not read back ({}); nothing was written",
                    format.extension(),
                    first.map_or("no tree", |d| d.message.as_str())
                ),
            )
            .with_help("this is a bug of kpi: please report it with the file"),
        )),
    }
}

/// Prints a tree in the canonical layout of a format.
pub fn print(tree: &RuleFile, format: Format) -> String {
    match format {
        Format::Kpi => print_kpi::print_kpi(tree),
        Format::Yaml => print_yaml::print_yaml(tree),
    }
}
