//! Rendering diagnostics for people (`human`, `short`) and tools (`json`).

use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// How diagnostics are printed (`--error-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ErrorFormat {
    /// Message, source snippet with a caret, and help (the `cli` feature;
    /// without it, as `short`).
    #[default]
    Human,
    /// One line each: `FILE:LINE:COL: error[code]: message`.
    Short,
    /// A JSON array, for editors and tools.
    Json,
}

/// Renders all diagnostics in the given format. `color` only affects `human`.
pub fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    format: ErrorFormat,
    color: bool,
) -> String {
    match format {
        ErrorFormat::Human => diagnostics
            .iter()
            .map(|d| human(d, sources, color))
            .collect(),
        ErrorFormat::Short => diagnostics
            .iter()
            .map(|d| short(d, sources) + "\n")
            .collect(),
        ErrorFormat::Json => {
            let items: Vec<JsonDiagnostic> = diagnostics.iter().map(|d| json(d, sources)).collect();
            // Serialising plain strings and numbers cannot fail.
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
    }
}

pub(super) fn position(
    sources: &SourceMap,
    span: Span,
) -> Option<(String, usize, usize, usize, usize)> {
    let file = sources.get(span.file)?;
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    Some((file.name.clone(), line, column, end_line, end_column))
}

pub(super) fn short(d: &Diagnostic, sources: &SourceMap) -> String {
    let mut out = String::new();
    if let Some(loc) = d.location(sources) {
        out += &format!("{}:{}:{}: ", loc.file, loc.line, loc.column);
    }
    out += &format!("{}[{}]: {}", d.severity, d.code, d.message);
    if let Some(help) = &d.help {
        out += &format!(" (help: {help})");
    }
    out
}

#[derive(Serialize)]
struct JsonLabel {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: String,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    severity: Severity,
    code: &'static str,
    message: String,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<String>,
    labels: Vec<JsonLabel>,
}

fn json(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let label = |l: &super::Label| {
        position(sources, l.span).map(|(file, line, column, end_line, end_column)| JsonLabel {
            file,
            line,
            column,
            end_line,
            end_column,
            message: l.message.clone(),
        })
    };
    let primary = d.primary.as_ref().and_then(label);
    let loc = d.location(sources);
    JsonDiagnostic {
        severity: d.severity,
        code: d.code,
        message: d.message.clone(),
        file: loc.as_ref().map(|l| l.file.clone()),
        line: loc.as_ref().map(|l| l.line),
        column: loc.as_ref().map(|l| l.column),
        end_line: primary.as_ref().map(|l| l.end_line),
        end_column: primary.as_ref().map(|l| l.end_column),
        help: d.help.clone(),
        labels: primary
            .into_iter()
            .chain(d.secondary.iter().filter_map(label))
            .collect(),
    }
}

#[cfg(feature = "cli")]
use super::graphical::human;

#[cfg(not(feature = "cli"))]
fn human(d: &Diagnostic, sources: &SourceMap, _color: bool) -> String {
    short(d, sources) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_diagnostics_name_the_code_and_the_help_in_every_build() {
        let d = Diagnostic::error("check::weight", "a weight cannot be negative (-1)")
            .with_help("write 0 to leave it out");
        let text = render(&[d], &SourceMap::default(), ErrorFormat::Human, false);
        assert!(text.contains("check::weight"), "{text}");
        assert!(text.contains("a weight cannot be negative (-1)"), "{text}");
        assert!(text.contains("write 0 to leave it out"), "{text}");
    }
}
