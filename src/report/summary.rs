//! The summary `kpi score` prints on the terminal.

use std::fmt::Write as _;

use super::format::{band, colon, percent, reasons, score, score_change, value};
use super::labels::Lang;
use super::{Report, Status, previous_score};

/// The summary `kpi score` prints when no output file is given.
pub fn summary(report: &Report, lang: Lang, color: bool) -> String {
    let l = lang.labels();
    let paint = |text: String, s: Option<f64>| -> String {
        if color { colour(&text, band(s)) } else { text }
    };
    let mut out = String::new();
    let title = if color {
        colour(&report.scorecard, "title")
    } else {
        report.scorecard.clone()
    };
    let period = report.period.as_ref().map_or(String::new(), |p| {
        format!("   {}{}{} – {}", l.period, colon(lang), p.from, p.to)
    });
    // With a trend: the previous period's score and the change from it.
    // A change that cannot be told is left blank: the line says why.
    let change = |now: Option<f64>, trend: &[super::TrendScore]| match previous_score(trend) {
        Some(Some(prev)) if now.is_some() => {
            format!(" {:>7}", score_change(now.map(|a| a - prev), lang))
        }
        _ => String::new(),
    };
    let previous = previous_score(&report.trend).map_or(String::new(), |prev| {
        format!(
            "   {}{}{} ({})",
            l.previous,
            colon(lang),
            score(prev, lang, l),
            score_change(report.score.zip(prev).map(|(a, b)| a - b), lang),
        )
    });
    let _ = writeln!(
        out,
        "{title}\n{}{}{}{previous}   {}{}{}{period}",
        l.overall,
        colon(lang),
        paint(score(report.score, lang, l), report.score),
        l.coverage,
        colon(lang),
        percent(report.coverage, lang)
    );
    for o in &report.objectives {
        let title = o.title.clone().unwrap_or_else(|| o.id.clone());
        // An objective weighing nothing has no score by design, not for
        // want of data.
        let figure = if o.weight == 0.0 {
            format!("{} 0", l.weight.to_lowercase())
        } else {
            paint(score(o.score, lang, l), o.score)
        };
        let _ = writeln!(
            out,
            "\n  {title:<44} {figure:>6}{}",
            if o.weight == 0.0 {
                String::new()
            } else {
                change(o.score, &o.trend)
            }
        );
        for i in &o.indicators {
            let unit = i.unit.as_deref();
            // The status column says why a figure is missing; the value
            // column then shows a dash rather than a second "no data".
            let shown = |v: Option<f64>| match v {
                None if i.status != Status::Ok => "—".to_string(),
                v => value(v, unit, lang, l),
            };
            let figures = format!("{} / {}", shown(i.value), shown(i.target));
            let figure = match i.score {
                None if i.status != Status::Ok => i.status.label(lang).to_string(),
                s => paint(score(s, lang, l), s),
            };
            let moved = match i.change {
                Some(c) if c.score.is_some() => format!(" {:>7}", score_change(c.score, lang)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "    {:<40} {:>24} {:>6}{moved}",
                i.title.as_deref().unwrap_or(&i.id),
                figures,
                figure
            );
        }
    }
    let missing = reasons(report.objectives.iter().flat_map(|o| &o.indicators), lang);
    if !missing.is_empty() {
        let _ = writeln!(out);
        for line in missing {
            let _ = writeln!(out, "  {line}");
        }
    }
    for (table, n) in &report.skipped_rows {
        let _ = writeln!(out, "\n  {table}{}{n} {}", colon(lang), l.skipped);
    }
    // The notes themselves, one line each (the report has their places).
    let notes: Vec<&super::ReportDiagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.code != "score::no-data")
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\n{}{}", l.diagnostics, colon(lang).trim_end());
        for d in notes.iter().take(10) {
            let _ = writeln!(out, "  - {}", d.message_in(lang));
        }
        if notes.len() > 10 {
            let _ = writeln!(out, "  … {}", notes.len() - 10);
        }
    }
    out
}

/// Text in the colour of its band (`good`, `fair`, `poor`, `none`) or bold
/// for the `title`; plain without the `cli` feature.
#[cfg(feature = "cli")]
fn colour(text: &str, kind: &str) -> String {
    use owo_colors::OwoColorize;
    match kind {
        "title" => text.bold().to_string(),
        "good" => text.green().to_string(),
        "fair" => text.yellow().to_string(),
        "poor" => text.red().to_string(),
        _ => text.dimmed().to_string(),
    }
}

#[cfg(not(feature = "cli"))]
fn colour(text: &str, _kind: &str) -> String {
    text.to_string()
}
