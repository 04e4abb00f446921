//! Rendering diagnostics for people (`human`, `short`) and tools (`json`).

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// How diagnostics are printed (`--error-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// Message, source snippet with a caret, and help.
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

fn position(sources: &SourceMap, span: Span) -> Option<(String, usize, usize, usize, usize)> {
    let file = sources.get(span.file)?;
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    Some((file.name.clone(), line, column, end_line, end_column))
}

fn short(d: &Diagnostic, sources: &SourceMap) -> String {
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

/// The miette view of one diagnostic: labels in the primary file are drawn
/// in its snippet; places in other files become notes.
#[derive(Debug)]
struct MietteView {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    source: Option<NamedSource<String>>,
}

impl fmt::Display for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteView {}

impl miette::Diagnostic for MietteView {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

fn human(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let primary_file = d.primary.as_ref().map(|l| l.span.file);
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    for (i, l) in d.primary.iter().chain(&d.secondary).enumerate() {
        if Some(l.span.file) == primary_file {
            let span = SourceSpan::new(l.span.start.into(), l.span.len());
            let text = (!l.message.is_empty()).then(|| l.message.clone());
            labels.push(if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            });
        } else if let Some((file, line, col, _, _)) = position(sources, l.span) {
            notes.push(format!("{}: {file}:{line}:{col}", l.message));
        }
    }
    let mut help = d.help.clone();
    if !notes.is_empty() {
        let notes = notes.join("\n");
        help = Some(match help {
            Some(h) => format!("{h}\n{notes}"),
            None => notes,
        });
    }
    let mut message = d.message.clone();
    if d.primary.is_none()
        && let Some(loc) = &d.location
    {
        message = format!("{}:{}:{}: {message}", loc.file, loc.line, loc.column);
    }
    let view = MietteView {
        message,
        code: d.code.to_string(),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help,
        labels,
        source: primary_file
            .and_then(|f| sources.get(f))
            .map(|f| NamedSource::new(&f.name, f.text.clone()).with_language("kpi")),
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    if handler.render_report(&mut out, &view).is_err() {
        // The handler only fails when writing to `out` fails, which a String
        // never does; keep a readable fallback all the same.
        out = short(d, sources);
    }
    out.push('\n');
    out
}
