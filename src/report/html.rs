//! HTML: one self-contained page (no network, no external fonts or
//! scripts) rendered from a minijinja template, with SVG charts drawn by
//! plotters.

use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use plotters::prelude::*;

use super::format::{band, colon, percent, score, unsegmented, value};
use super::labels::Lang;
use super::{Report, Status};

/// The shipped template (`--template FILE` replaces it).
pub const TEMPLATE: &str = include_str!("templates/report.html");

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("the template does not render: {0}")]
    Template(#[from] minijinja::Error),
    #[error("a chart could not be drawn: {0}")]
    Chart(String),
}

/// The objectives as horizontal bars of their score, coloured by band.
fn objectives_chart(report: &Report, lang: Lang) -> Result<String, HtmlError> {
    let names: Vec<String> = report
        .objectives
        .iter()
        .map(|o| {
            let t = o.title.clone().unwrap_or_else(|| o.id.clone());
            if t.chars().count() > 34 {
                format!("{}…", t.chars().take(33).collect::<String>())
            } else {
                t
            }
        })
        .collect();
    let n = names.len().max(1);
    let height = 60 + 34 * n as u32;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        let chart_err = |e: &dyn std::fmt::Display| HtmlError::Chart(e.to_string());
        area.fill(&WHITE).map_err(|e| chart_err(&e))?;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(12)
            .build_cartesian_2d(0f64..100f64, 0f64..n as f64)
            .map_err(|e| chart_err(&e))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(lang.labels().score)
            .x_label_formatter(&|x| score(Some(*x), lang, lang.labels()))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(|e| chart_err(&e))?;
        for (i, o) in report.objectives.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            // Light shades: the label is written over the bar.
            let color = match band(o.score) {
                "good" => RGBColor(163, 214, 182),
                "fair" => RGBColor(246, 214, 153),
                "poor" => RGBColor(240, 170, 170),
                _ => RGBColor(220, 220, 220),
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.18), (o.score.unwrap_or(0.0), y + 0.82)],
                    color.filled(),
                )))
                .map_err(|e| chart_err(&e))?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{}  {}", names[i], score(o.score, lang, lang.labels())),
                    (1.0, y + 0.62),
                    ("sans-serif", 13).into_font().color(&BLACK),
                )))
                .map_err(|e| chart_err(&e))?;
        }
        area.present().map_err(|e| chart_err(&e))?;
    }
    Ok(svg)
}

/// The overall score over the periods of the trend, each point labelled;
/// a null breaks the line (each objective's trend is the sparkline of its
/// row in the summary).
fn trend_chart(report: &Report, lang: Lang) -> Result<String, HtmlError> {
    let l = lang.labels();
    let labels: Vec<String> = report
        .trend
        .iter()
        .map(|t| super::board::period_label(&t.from, &t.to))
        .collect();
    let n = labels.len();
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (720, 220)).into_drawing_area();
        let chart_err = |e: &dyn std::fmt::Display| HtmlError::Chart(e.to_string());
        area.fill(&WHITE).map_err(|e| chart_err(&e))?;
        let last = (n.max(2) - 1) as f64;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_left(16)
            .margin_right(40)
            .caption(l.overall, ("sans-serif", 14))
            .x_label_area_size(26)
            .y_label_area_size(40)
            .build_cartesian_2d(-0.2f64..last + 0.2, 0f64..105f64)
            .map_err(|e| chart_err(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 {
                    labels.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_labels(6)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc(l.score)
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| chart_err(&e))?;
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (k, t) in report.trend.iter().enumerate() {
            match t.score {
                Some(s) => run.push((k as f64, s)),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        let ink = RGBColor(43, 108, 176);
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            chart
                .draw_series(LineSeries::new(run.clone(), ink.stroke_width(3)).point_size(4))
                .map_err(|e| chart_err(&e))?;
            chart
                .draw_series(run.into_iter().map(|(x, y)| {
                    Text::new(
                        score(Some(y), lang, l),
                        (x, (y - 9.0).max(2.0)),
                        ("sans-serif", 13).into_font().color(&BLACK),
                    )
                }))
                .map_err(|e| chart_err(&e))?;
        }
        area.present().map_err(|e| chart_err(&e))?;
    }
    Ok(svg)
}

/// A message as HTML: escaped, with its `names` in backticks set as code
/// (the template filter `code`).
fn code(text: &str) -> Value {
    // Escaped as the template escapes everything else; French typography:
    // the space before a colon does not break.
    let escaped = minijinja::HtmlEscape(text)
        .to_string()
        .replace(" :", "\u{a0}:");
    let mut out = String::with_capacity(escaped.len());
    let mut pieces = escaped.split('`').peekable();
    let mut inside = false;
    while let Some(piece) = pieces.next() {
        // An odd backtick out (no closing one) is kept as it is.
        if inside && pieces.peek().is_none() {
            out.push('`');
            out.push_str(piece);
            break;
        }
        if inside {
            out.push_str("<code>");
            out.push_str(piece);
            out.push_str("</code>");
        } else {
            out.push_str(piece);
        }
        inside = !inside;
    }
    Value::from_safe_string(out)
}

/// Renders the page; `template` replaces the shipped one.
pub fn html(
    report: &Report,
    lang: Lang,
    template: Option<&str>,
    generated: chrono::NaiveDate,
) -> Result<String, HtmlError> {
    let mut env = Environment::new();
    env.add_filter("code", code);
    env.add_template("report.html", template.unwrap_or(TEMPLATE))?;
    let l = lang.labels();
    // One segment's cells of an indicator, as the heat map shows them.
    let cells = |i: &super::IndicatorReport, column: &str| -> Vec<Value> {
        let unit = i.unit.as_deref();
        i.segments
            .get(column)
            .into_iter()
            .flatten()
            .map(|(label, c)| {
                // Too few people: no figure to show.
                if c.n < report.min_group {
                    return context! {
                        label => label,
                        masked => format!("{} {}", l.masked, report.min_group),
                        band => "none",
                    };
                }
                context! {
                    label => label,
                    n => c.n,
                    value => value(c.value, unit, lang, l),
                    // Without a score, why: no data, no baseline, failed.
                    score => match (c.score, c.status) {
                        (None, status) if status != Status::Ok => status.label(lang).to_string(),
                        (s, _) => score(s, lang, l),
                    },
                    band => band(c.score),
                }
            })
            .collect()
    };
    // Figures formatted for the page, beside the raw report.
    let objectives: Vec<Value> = report
        .objectives
        .iter()
        .map(|o| {
            let indicators: Vec<Value> = o
                .indicators
                .iter()
                .map(|i| {
                    let unit = i.unit.as_deref();
                    let peers = i.peers.as_ref().map(|p| {
                        context! {
                            n => p.n,
                            rank => p.rank,
                            median => value(p.median, unit, lang, l),
                        }
                    });
                    context! {
                        id => i.id.clone(),
                        title => i.title.clone().unwrap_or_else(|| i.id.clone()),
                        description => i.description.clone(),
                        value => value(i.value, unit, lang, l),
                        target => value(i.target, unit, lang, l),
                        score => score(i.score, lang, l),
                        score_width => i.score.unwrap_or(0.0),
                        band => band(i.score),
                        status => i.status.code(),
                        status_label => i.status.label(lang),
                        reason => i.reason.as_ref().map(|r| r.text(lang)),
                        weight => crate::syntax::number(i.weight),
                        segments_note => i.segments_note.as_ref().map(|n| n.text(lang)),
                        scoring => i.explain.as_ref().map(|e| e.scoring_in(lang).to_string()),
                        contribution => i
                            .explain
                            .as_ref()
                            .and_then(|e| e.contribution)
                            .map(|p| score(Some(p), lang, l)),
                        peers => peers,
                        explain => Serde(&i.explain),
                        trend => (i.trend.len() >= 2).then(|| context! {
                            spark => Value::from_safe_string(super::board::sparkline(
                                &i.trend.iter().map(|t| t.score).collect::<Vec<_>>(),
                            )),
                            periods => i.trend.iter().map(|t| context! {
                                period => super::board::period_label(&t.from, &t.to),
                                value => match (t.value, t.status) {
                                    (None, s) if s != Status::Ok => s.label(lang).to_string(),
                                    (v, _) => value(v, unit, lang, l),
                                },
                                score => match (t.score, t.status) {
                                    (None, s) if s != Status::Ok => s.label(lang).to_string(),
                                    (s, _) => score(s, lang, l),
                                },
                            }).collect::<Vec<_>>(),
                        }),
                    }
                })
                .collect();
            // One heat map per segment column any indicator is cut by.
            let mut columns: Vec<&String> = Vec::new();
            for i in &o.indicators {
                for c in i.segments.keys() {
                    if !columns.contains(&c) {
                        columns.push(c);
                    }
                }
            }
            let heatmaps: Vec<Value> = columns
                .iter()
                .map(|column| {
                    let rows: Vec<&super::IndicatorReport> = o
                        .indicators
                        .iter()
                        .filter(|i| i.segments.contains_key(*column))
                        .collect();
                    let labels: Vec<String> = rows
                        .first()
                        .and_then(|i| i.segments.get(*column))
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                    context! {
                        column => column.as_str(),
                        labels => labels,
                        rows => rows.iter().map(|i| context! {
                            title => i.title.clone().unwrap_or_else(|| i.id.clone()),
                            cells => cells(i, column),
                        }).collect::<Vec<_>>(),
                    }
                })
                .collect();
            context! {
                id => o.id.clone(),
                title => o.title.clone().unwrap_or_else(|| o.id.clone()),
                heatmaps => heatmaps,
                weight => crate::syntax::number(o.weight),
                score => score(o.score, lang, l),
                band => band(o.score),
                coverage => percent(o.coverage, lang),
                indicators => indicators,
                unsegmented => unsegmented(o, lang)
                    .into_iter()
                    .map(|(reason, titles)| context! { titles => titles.join(", "), reason => reason })
                    .collect::<Vec<_>>(),
            }
        })
        .collect();
    let chart = objectives_chart(report, lang)?;
    let trend = if report.trend.len() >= 2 {
        Some(Value::from_safe_string(trend_chart(report, lang)?))
    } else {
        None
    };
    let page = env.get_template("report.html")?.render(context! {
        lang => match lang { Lang::En => "en", Lang::Fr => "fr" },
        labels => Serde(l),
        // French sets a space before the colon; in HTML one that does not
        // break the line.
        colon => colon(lang).replace(" :", "\u{a0}:"),
        report => Serde(report),
        // The notes' messages in the report's language.
        notes => report.diagnostics.iter().map(|d| d.message_in(lang).to_string()).collect::<Vec<_>>(),
        score => score(report.score, lang, l),
        band => band(report.score),
        coverage => percent(report.coverage, lang),
        objectives => objectives,
        objectives_chart => Value::from_safe_string(chart),
        trend_chart => trend,
        summary => super::board::summary(report, lang, generated),
    })?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn names_in_backticks_are_code_and_the_rest_is_escaped() {
        assert_eq!(
            code("`gifts` has <no> data").to_string(),
            "<code>gifts</code> has &lt;no&gt; data"
        );
        assert_eq!(code("a ` b").to_string(), "a ` b");
        assert_eq!(code("`a` and `b").to_string(), "<code>a</code> and `b");
    }
}
