//! Markdown (for wikis and e-mails) and the terminal summary.

use std::fmt::Write as _;

use super::format::{band, colon, percent, score, value};
use super::labels::Lang;
use super::{IndicatorReport, Report, Status};

/// Text in Markdown: one line, pipes escaped, and HTML shown as text
/// (Markdown viewers render raw HTML, scripts included, and titles and
/// segment values come from rule files and data).
fn cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn status_or(i: &IndicatorReport, text: String, lang: Lang) -> String {
    if i.status == Status::Failed {
        i.status.label(lang).to_string()
    } else {
        text
    }
}

/// `title — status: reason` for each indicator not `ok`.
fn reasons<'r>(indicators: impl Iterator<Item = &'r IndicatorReport>, lang: Lang) -> Vec<String> {
    indicators
        .filter(|i| i.status != Status::Ok)
        .map(|i| {
            format!(
                "{} — {}{}{}",
                i.title.as_deref().unwrap_or(&i.id),
                i.status.label(lang),
                colon(lang),
                i.reason.as_ref().map(|r| r.text(lang)).unwrap_or_default()
            )
        })
        .collect()
}

/// `alumni 1978 of 2000, peers 72`: the rows that count in the period,
/// of those loaded where they differ.
pub fn rows_in_period(report: &Report, lang: Lang) -> String {
    let l = lang.labels();
    report
        .in_period
        .iter()
        .map(|(t, n)| match report.rows.get(t) {
            Some(all) if all != n => format!("{t} {n} {} {all}", l.of),
            _ => format!("{t} {n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn markdown(report: &Report, lang: Lang) -> String {
    let l = lang.labels();
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", cell(&report.scorecard));
    let mut facts = vec![
        format!(
            "**{}{}{}**",
            l.overall,
            colon(lang),
            score(report.score, lang, l)
        ),
        format!("{} {}", l.coverage, percent(report.coverage, lang)),
    ];
    if let Some(p) = &report.period {
        facts.push(format!("{} {} – {}", l.period, p.from, p.to));
    }
    facts.push(format!("{} `{}`", l.revision, report.revision));
    let _ = writeln!(out, "{}\n", facts.join(" · "));

    let _ = writeln!(out, "## {}\n", l.objectives);
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |",
        l.objective, l.weight, l.score, l.coverage
    );
    out.push_str("|---|---:|---:|---:|\n");
    for o in &report.objectives {
        let title = o.title.clone().unwrap_or_else(|| o.id.clone());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&title),
            o.weight,
            score(o.score, lang, l),
            percent(o.coverage, lang)
        );
    }
    for o in &report.objectives {
        let title = o.title.clone().unwrap_or_else(|| o.id.clone());
        let _ = writeln!(out, "\n## {} — {}\n", cell(&title), score(o.score, lang, l));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            l.indicator, l.value, l.target, l.score, l.weight, l.peers
        );
        out.push_str("|---|---:|---:|---:|---:|---|\n");
        for i in &o.indicators {
            let unit = i.unit.as_deref();
            let peers = i.peers.as_ref().map_or(String::new(), |p| {
                let rank = p.rank.map_or(String::new(), |r| {
                    format!("{} {r} {} {}", l.rank, l.of, p.n + 1)
                });
                format!("{rank}, {} {}", l.median, value(p.median, unit, lang, l))
            });
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(i.title.as_deref().unwrap_or(&i.id)),
                status_or(i, value(i.value, unit, lang, l), lang),
                value(i.target, unit, lang, l),
                status_or(i, score(i.score, lang, l), lang),
                i.weight,
                cell(&peers)
            );
        }
        for line in reasons(o.indicators.iter(), lang) {
            let _ = writeln!(out, "\n- {}", cell(&line));
        }
        // One table per segment column: indicators down, segment values across.
        let columns: Vec<&String> =
            o.indicators
                .iter()
                .flat_map(|i| i.segments.keys())
                .fold(Vec::new(), |mut acc, k| {
                    if !acc.contains(&k) {
                        acc.push(k);
                    }
                    acc
                });
        for column in columns {
            let values: Vec<&String> = o
                .indicators
                .iter()
                .filter_map(|i| i.segments.get(column))
                .flat_map(|m| m.keys())
                .fold(Vec::new(), |mut acc, k| {
                    if !acc.contains(&k) {
                        acc.push(k);
                    }
                    acc
                });
            let _ = writeln!(out, "\n### {}{}{}\n", l.segments, colon(lang), cell(column));
            let _ = writeln!(
                out,
                "| {} | {} |",
                l.indicator,
                values
                    .iter()
                    .map(|v| cell(v))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
            let _ = writeln!(out, "|---|{}", "---:|".repeat(values.len()));
            for i in &o.indicators {
                let Some(per) = i.segments.get(column) else {
                    continue;
                };
                let cells: Vec<String> = values
                    .iter()
                    .map(|v| {
                        per.get(*v).map_or(String::new(), |c| match c.score {
                            None if c.status != Status::Ok => c.status.label(lang).to_string(),
                            s => score(s, lang, l),
                        })
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    cell(i.title.as_deref().unwrap_or(&i.id)),
                    cells.join(" | ")
                );
            }
        }
        let unsegmented: Vec<String> = o
            .indicators
            .iter()
            .filter(|i| i.segments_note.is_some())
            .map(|i| cell(i.title.as_deref().unwrap_or(&i.id)))
            .collect();
        if !unsegmented.is_empty() {
            let _ = writeln!(
                out,
                "\n{}{}{}",
                l.not_segmented,
                colon(lang),
                unsegmented.join(", ")
            );
        }
    }
    if !report.diagnostics.is_empty() || !report.skipped_rows.is_empty() {
        let _ = writeln!(out, "\n## {}\n", l.diagnostics);
        for (table, n) in &report.skipped_rows {
            let _ = writeln!(out, "- {}{}{n} {}", cell(table), colon(lang), l.skipped);
        }
        for d in &report.diagnostics {
            let place = match (&d.file, d.line) {
                (Some(f), Some(line)) => format!(" ({}:{line})", cell(f)),
                _ => String::new(),
            };
            let severity = if d.severity == crate::diagnostic::Severity::Error {
                l.error
            } else {
                l.warning
            };
            let _ = writeln!(
                out,
                "- {severity}{}{}{place}",
                colon(lang),
                cell(&d.message)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{}{}{}",
        l.data_in_period,
        colon(lang),
        cell(&rows_in_period(report, lang))
    );
    out
}

/// The summary `kpi score` prints when no output file is given.
pub fn summary(report: &Report, lang: Lang, color: bool) -> String {
    use owo_colors::OwoColorize;
    let l = lang.labels();
    let paint = |text: String, s: Option<f64>| -> String {
        if !color {
            return text;
        }
        match band(s) {
            "good" => text.green().to_string(),
            "fair" => text.yellow().to_string(),
            "poor" => text.red().to_string(),
            _ => text.dimmed().to_string(),
        }
    };
    let mut out = String::new();
    let title = if color {
        report.scorecard.bold().to_string()
    } else {
        report.scorecard.clone()
    };
    let period = report.period.as_ref().map_or(String::new(), |p| {
        format!("   {}{}{} – {}", l.period, colon(lang), p.from, p.to)
    });
    let _ = writeln!(
        out,
        "{title}\n{}{}{}   {}{}{}{period}",
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
        let _ = writeln!(out, "\n  {title:<44} {figure:>6}");
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
            let _ = writeln!(
                out,
                "    {:<40} {:>24} {:>6}",
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
            let _ = writeln!(out, "  - {}", d.message);
        }
        if notes.len() > 10 {
            let _ = writeln!(out, "  … {}", notes.len() - 10);
        }
    }
    out
}
