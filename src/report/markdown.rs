//! Markdown, for wikis and e-mails: tables only, no HTML.

use std::fmt::Write as _;

use super::format::{
    colon, percent, reasons, rows_in_period, score, score_change, unsegmented, value, value_change,
    weight,
};
use super::labels::Lang;
use super::{IndicatorReport, ObjectiveReport, Report, Status};

/// Text in Markdown: one line, pipes escaped, and HTML shown as text
/// (Markdown viewers render raw HTML, scripts included, and titles and
/// segment values come from rule files and data).
pub(crate) fn cell(s: &str) -> String {
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

/// Inline code: its text as it is (a code span is literal: HTML in it is
/// shown, not run, and entities would show as written), on one line, in a
/// fence longer than any run of backticks it holds. For list items only:
/// in a table, a pipe would still end the cell.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let mut longest = 0;
    let mut run = 0;
    for ch in s.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// `--explain`: how each indicator of the objective was computed, as the
/// HTML page's details show it.
fn explained(out: &mut String, o: &ObjectiveReport, lang: Lang) {
    let l = lang.labels();
    let c = colon(lang);
    if o.indicators.iter().all(|i| i.explain.is_none()) {
        return;
    }
    let _ = writeln!(out, "\n### {}", l.explain);
    for i in &o.indicators {
        let Some(e) = &i.explain else {
            continue;
        };
        let _ = writeln!(out, "\n**{}**\n", cell(i.title.as_deref().unwrap_or(&i.id)));
        let _ = writeln!(out, "- {}{c}{}", l.formula, code(&e.formula));
        let _ = writeln!(out, "- {}{c}{}", l.with_values, code(&e.with_values));
        for a in &e.aggregates {
            let _ = writeln!(
                out,
                "- {}{c}{} {}, {} {} → {}",
                code(&a.expression),
                a.rows,
                l.rows,
                a.kept,
                l.kept,
                cell(&a.value.to_string())
            );
        }
        if let Some(t) = &e.target {
            let peers: String = t
                .peers
                .iter()
                .map(|p| format!(" ({}{c}{})", l.peers, p.n))
                .collect();
            let _ = writeln!(
                out,
                "- {}{c}{} → {}{peers}",
                l.target,
                code(&t.formula),
                code(&t.with_values)
            );
        }
        let _ = writeln!(out, "- {}{c}{}", l.scoring, code(e.scoring_in(lang)));
        if let Some(points) = e.contribution {
            let _ = writeln!(
                out,
                "- {}{c}{}",
                l.contribution,
                score(Some(points), lang, l)
            );
        }
    }
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
    let minus = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
    if let Some(prev) = super::previous_score(&report.trend) {
        facts.insert(
            1,
            format!(
                "{} {} ({} {})",
                l.change,
                score_change(minus(report.score, prev), lang),
                l.previous.to_lowercase(),
                score(prev, lang, l)
            ),
        );
    }
    facts.push(format!("{} `{}`", l.revision, report.revision));
    let _ = writeln!(out, "{}\n", facts.join(" · "));
    let trended = !report.trend.is_empty();

    let _ = writeln!(out, "## {}\n", l.objectives);
    let (head, rule) = if trended {
        (format!(" {} | {} |", l.previous, l.change), "---:|---:|")
    } else {
        (String::new(), "")
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |{head}",
        l.objective, l.weight, l.score, l.coverage
    );
    let _ = writeln!(out, "|---|---:|---:|---:|{rule}");
    for o in &report.objectives {
        let title = o.title.clone().unwrap_or_else(|| o.id.clone());
        let then = match super::previous_score(&o.trend) {
            Some(prev) => format!(
                " {} | {} |",
                score(prev, lang, l),
                score_change(minus(o.score, prev), lang)
            ),
            None if trended => " | |".to_string(),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |{then}",
            cell(&title),
            weight(o.weight, lang),
            score(o.score, lang, l),
            percent(o.coverage, lang)
        );
    }
    for o in &report.objectives {
        let title = o.title.clone().unwrap_or_else(|| o.id.clone());
        let _ = writeln!(out, "\n## {} — {}\n", cell(&title), score(o.score, lang, l));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |{head}",
            l.indicator, l.value, l.target, l.score, l.weight, l.peers
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---|{rule}");
        for i in &o.indicators {
            let unit = i.unit.as_deref();
            let peers = i.peers.as_ref().map_or(String::new(), |p| {
                let rank = p.rank.map_or(String::new(), |r| {
                    format!("{} {r} {} {}", l.rank, l.of, p.n + 1)
                });
                format!("{rank}, {} {}", l.median, value(p.median, unit, lang, l))
            });
            // The previous period's value (score, or why there is none),
            // and the changes of both.
            let then = match (i.previous, i.change) {
                (Some(p), Some(c)) => {
                    let status = super::previous_entry(&i.trend).map_or(Status::Ok, |t| t.status);
                    let why = |s: Option<f64>| match s {
                        None if status != Status::Ok => status.label(lang).to_string(),
                        s => score(s, lang, l),
                    };
                    let before = match p.value {
                        None => why(None),
                        v => format!("{} ({})", value(v, unit, lang, l), why(p.score)),
                    };
                    let moved = match (c.value, c.score) {
                        (None, None) => "—".to_string(),
                        (v, s) => format!(
                            "{} ({})",
                            value_change(v, unit, lang),
                            score_change(s, lang)
                        ),
                    };
                    format!(" {} | {} |", cell(&before), cell(&moved))
                }
                _ if trended => " | |".to_string(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |{then}",
                cell(i.title.as_deref().unwrap_or(&i.id)),
                status_or(i, value(i.value, unit, lang, l), lang),
                value(i.target, unit, lang, l),
                status_or(i, score(i.score, lang, l), lang),
                weight(i.weight, lang),
                cell(&peers)
            );
        }
        for line in reasons(o.indicators.iter(), lang) {
            let _ = writeln!(out, "\n- {}", cell(&line));
        }
        explained(&mut out, o, lang);
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
                        // The segment's value, and its score in brackets; a
                        // group of too few people is not shown.
                        per.get(*v).map_or(String::new(), |c| match c.score {
                            _ if c.n < report.min_group => {
                                format!("({} {})", l.masked, report.min_group)
                            }
                            None if c.status != Status::Ok => c.status.label(lang).to_string(),
                            s => format!(
                                "{} ({})",
                                value(c.value, i.unit.as_deref(), lang, l),
                                score(s, lang, l)
                            ),
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
        // Indicators without segment figures, grouped by why.
        for (why, titles) in unsegmented(o, lang) {
            let titles: Vec<String> = titles.iter().map(|t| cell(t)).collect();
            let _ = writeln!(out, "\n{} — {}", titles.join(", "), cell(&why));
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
                cell(d.message_in(lang))
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

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn code_spans_keep_their_text_as_written() {
        assert_eq!(
            code("share(alumni where n >= 2 and a < b)"),
            "`share(alumni where n >= 2 and a < b)`"
        );
        assert_eq!(code("kind == \"a`b\""), "`` kind == \"a`b\" ``");
        assert_eq!(code("x ``y``"), "``` x ``y`` ```");
        assert_eq!(code("a\nb"), "`a b`");
    }
}
