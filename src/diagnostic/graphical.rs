//! The graphical rendering of a diagnostic (miette): the message, the
//! source snippet with its labels, and help. Part of the `cli` feature.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::render::{position, short};
use super::{Diagnostic, Severity};
use crate::source::SourceMap;

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

pub(super) fn human(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
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
