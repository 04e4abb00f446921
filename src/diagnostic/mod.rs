//! Diagnostics: one data type for every stage, rendered only at the edge.
//!
//! A stage reports problems as [`Diagnostic`] values (plain data with spans);
//! the CLI renders them for people (`human`, `short`) or tools (`json`).

use std::fmt;

use serde::Serialize;

use crate::source::{SourceMap, Span};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
/// How bad a diagnostic is.
pub enum Severity {
    /// Stops the command (exit 1): nothing is scored.
    Error,
    /// Said, and scoring goes on.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A span with a short message shown under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The text it points at.
    pub span: Span,
    /// What to look at there.
    pub message: String,
}

/// A position in a file that is not a loaded source (a data file, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as users see it (`memory:TABLE` for a table built in memory).
    pub file: String,
    /// 1-based line (a built table's row).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One problem found in rules or data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable identifier, e.g. `check::unknown-name`; tools match on it.
    pub code: &'static str,
    /// Lowercase, no final period, user input in backticks.
    pub message: String,
    /// Where the problem is, with what to look at.
    pub primary: Option<Label>,
    /// Related places (a first definition, the rest of a cycle).
    pub secondary: Vec<Label>,
    /// Where the problem is when it is not inside a loaded source file.
    pub location: Option<Location>,
    /// What to do about it ("did you mean `responded`?").
    pub help: Option<String>,
    /// The message in French, for the notes of a report in French.
    pub french: Option<String>,
}

impl Diagnostic {
    /// An error with its stable code and message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A warning with its stable code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            location: None,
            help: None,
            french: None,
        }
    }

    /// The message in French, for a note a French report shows.
    pub fn fr(mut self, message: impl Into<String>) -> Diagnostic {
        self.french = Some(message.into());
        self
    }

    /// Sets the primary label.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Adds a related place (a first definition).
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }

    /// Places the problem in a file that is not a loaded source (a data file).
    pub fn in_file(mut self, file: impl Into<String>, line: usize, column: usize) -> Diagnostic {
        self.location = Some(Location {
            file: file.into(),
            line,
            column,
        });
        self
    }

    /// Adds what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds what to do about it, if anything.
    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Whether it is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// File, line and column of the problem, if it has one.
    pub fn location(&self, sources: &SourceMap) -> Option<Location> {
        if let Some(label) = &self.primary {
            let file = sources.get(label.span.file)?;
            let (line, column) = file.line_col(label.span.start);
            return Some(Location {
                file: file.name.clone(),
                line,
                column,
            });
        }
        self.location.clone()
    }
}

/// Every diagnostic of a run, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostic yet.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds several.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// How many are errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// How many are warnings.
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each diagnostic, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Orders by file, then position, keeping the finding order for ties.
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| {
            d.primary
                .as_ref()
                .map(|l| (l.span.file, l.span.start))
                .unwrap_or_default()
        });
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics(v)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.error_count();
        write!(f, "{errors} error{}", if errors == 1 { "" } else { "s" })?;
        if let Some(first) = self.0.iter().find(|d| d.is_error()) {
            write!(f, ", first: {}", first.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(feature = "cli")]
mod graphical;
mod render;
pub use render::{ErrorFormat, render};
