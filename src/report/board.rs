//! The board summary: page 1 of the HTML report (DESIGN §12). What a board
//! reads in one page: the overall score and its change, the objectives
//! with their share of the weight and trend, the three indicators that
//! helped and the three that hurt most against the previous period, and
//! notes in plain words (ids, codes and paths stay in the appendix).

use minijinja::{Value, context};

use super::format::{band, percent, score, score_change};
use super::labels::Lang;
use super::{Report, Status, previous_entry, previous_score};

/// The summary's words.
struct Words {
    summary: &'static str,
    generated: &'static str,
    helped: &'static str,
    hurt: &'static str,
    share: &'static str,
    points: &'static str,
    notes: &'static str,
    appendix: &'static str,
    previous_period: &'static str,
}

const EN: Words = Words {
    summary: "Summary",
    generated: "Generated on",
    helped: "What helped most",
    hurt: "What held the score back most",
    share: "Share of the weight",
    points: "points",
    notes: "Notes",
    appendix: "Technical notes",
    previous_period: "against the previous period",
};

const FR: Words = Words {
    summary: "Synthèse",
    generated: "Produit le",
    helped: "Ce qui a le plus aidé",
    hurt: "Ce qui a le plus pesé",
    share: "Part du poids",
    points: "points",
    notes: "Remarques",
    appendix: "Notes techniques",
    previous_period: "par rapport à la période précédente",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// The summary's figures and words, for the template.
pub fn summary(report: &Report, lang: Lang, generated: chrono::NaiveDate) -> Value {
    let l = lang.labels();
    let w = words(lang);
    let change = |now: Option<f64>, trend: &[super::TrendScore]| {
        previous_score(trend).map(|p| score_change(now.zip(p).map(|(a, b)| a - b), lang))
    };
    let total: f64 = report.objectives.iter().map(|o| o.weight).sum();
    let objectives: Vec<Value> = report
        .objectives
        .iter()
        .map(|o| {
            let points: Vec<Option<f64>> = o.trend.iter().map(|t| t.score).collect();
            context! {
                id => o.id.clone(),
                title => o.title.clone().unwrap_or_else(|| o.id.clone()),
                score => score(o.score, lang, l),
                band => band(o.score),
                share => if total > 0.0 { percent(o.weight / total, lang) } else { percent(0.0, lang) },
                change => change(o.score, &o.trend),
                spark => (points.len() >= 2).then(|| Value::from_safe_string(sparkline(&points))),
            }
        })
        .collect();
    let (mut helped, mut hurt) = (Vec::new(), Vec::new());
    if let Some(diff) = crate::diff::against_previous(report) {
        let moves = diff.movers();
        let entry = |i: &crate::diff::IndicatorMove| {
            let now = report
                .objectives
                .iter()
                .flat_map(|o| &o.indicators)
                .find(|x| x.id == i.id);
            let title = now
                .and_then(|x| x.title.clone())
                .unwrap_or_else(|| i.id.clone());
            // Without a score, why: no data, no baseline.
            let status_then = now
                .and_then(|x| previous_entry(&x.trend))
                .map_or(Status::Ok, |t| t.status);
            let shown = |s: Option<f64>, status: Status| match s {
                None if status != Status::Ok => status.label(lang).to_string(),
                s => score(s, lang, l),
            };
            context! {
                title => title,
                points => score_change(Some(i.contribution), lang),
                from => shown(i.old.and_then(|s| s.score), status_then),
                to => shown(i.new.and_then(|s| s.score), now.map_or(Status::Ok, |x| x.status)),
            }
        };
        helped = moves
            .iter()
            .filter(|i| i.contribution > 0.0)
            .take(3)
            .map(|i| entry(i))
            .collect();
        hurt = moves
            .iter()
            .filter(|i| i.contribution < 0.0)
            .take(3)
            .map(|i| entry(i))
            .collect();
    }
    context! {
        words => context! {
            summary => w.summary, generated => w.generated, helped => w.helped, hurt => w.hurt,
            share => w.share, points => w.points, notes => w.notes, appendix => w.appendix,
            previous_period => w.previous_period,
        },
        generated => generated.to_string(),
        score => score(report.score, lang, l),
        band => band(report.score),
        previous => previous_score(&report.trend).map(|p| score(p, lang, l)),
        change => change(report.score, &report.trend),
        objectives => objectives,
        helped => helped,
        hurt => hurt,
        has_trend => previous_score(&report.trend).is_some(),
        notes => plain_notes(report, lang),
    }
}

/// What a board should know of the figures, in plain words: no code, id
/// or path (the appendix lists the technical notes).
fn plain_notes(report: &Report, lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    let title = |i: &super::IndicatorReport| i.title.clone().unwrap_or_else(|| i.id.clone());
    for status in [
        Status::NoData,
        Status::NoBaseline,
        Status::NoPeers,
        Status::Failed,
    ] {
        let titles: Vec<String> = report
            .objectives
            .iter()
            .flat_map(|o| &o.indicators)
            .filter(|i| i.status == status)
            .map(title)
            .collect();
        if titles.is_empty() {
            continue;
        }
        let n = titles.len();
        notes.push(match (lang, status) {
            (Lang::En, Status::NoData) => format!(
                "{n} indicator(s) have no data this period and count for nothing: {}.",
                titles.join(", ")
            ),
            (Lang::Fr, Status::NoData) => format!(
                "{n} indicateur(s) sans données sur la période, qui ne comptent pas : {}.",
                titles.join(", ")
            ),
            (Lang::En, Status::NoBaseline) => format!(
                "{n} indicator(s) compare with the previous period, which has no data: {}.",
                titles.join(", ")
            ),
            (Lang::Fr, Status::NoBaseline) => format!(
                "{n} indicateur(s) se comparent à la période précédente, sans données : {}.",
                titles.join(", ")
            ),
            (Lang::En, Status::NoPeers) => format!(
                "{n} indicator(s) have too few peer figures to compare with: {}.",
                titles.join(", ")
            ),
            (Lang::Fr, Status::NoPeers) => format!(
                "{n} indicateur(s) ont trop peu de chiffres de pairs pour se comparer : {}.",
                titles.join(", ")
            ),
            (Lang::En, _) => format!(
                "{n} indicator(s) could not be computed: {}.",
                titles.join(", ")
            ),
            (Lang::Fr, _) => format!(
                "{n} indicateur(s) n'ont pas pu être calculés : {}.",
                titles.join(", ")
            ),
        });
    }
    if report.coverage < 1.0 && report.score.is_some() {
        notes.push(match lang {
            Lang::En => format!(
                "The overall score rests on {} of the weight.",
                percent(report.coverage, lang)
            ),
            Lang::Fr => format!(
                "Le score global repose sur {} du poids.",
                percent(report.coverage, lang)
            ),
        });
    }
    let skipped: usize = report.skipped_rows.values().sum();
    if skipped > 0 {
        notes.push(match lang {
            Lang::En => {
                format!("{skipped} row(s) with malformed values were left out of the data.")
            }
            Lang::Fr => {
                format!("{skipped} ligne(s) aux valeurs mal formées ont été écartées des données.")
            }
        });
    }
    if previous_score(&report.trend) == Some(None) {
        notes.push(match lang {
            Lang::En => "The previous period has no data to compare with.".to_string(),
            Lang::Fr => "La période précédente n'a pas de données pour comparer.".to_string(),
        });
    }
    let technical = report
        .diagnostics
        .iter()
        .filter(|d| d.code != "score::no-data")
        .count();
    if technical > 0 {
        notes.push(match lang {
            Lang::En => format!(
                "{technical} technical note(s) on the data and rules are listed at the end."
            ),
            Lang::Fr => format!(
                "{technical} note(s) technique(s) sur les données et les règles figurent à la fin."
            ),
        });
    }
    notes
}

/// A score line (0–100) in a small SVG, for a table cell; a null breaks the
/// line.
pub fn sparkline(points: &[Option<f64>]) -> String {
    let (w, h) = (96.0, 24.0);
    let step = if points.len() > 1 {
        w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let at = |k: usize, s: f64| {
        (
            2.0 + k as f64 * step * (w - 4.0) / w,
            h - 2.0 - s / 100.0 * (h - 4.0),
        )
    };
    let mut path = String::new();
    let mut dots = String::new();
    let mut pen_down = false;
    for (k, p) in points.iter().enumerate() {
        match p {
            Some(s) => {
                let (x, y) = at(k, *s);
                path += &format!("{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
                dots += &format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2\"/>");
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    format!(
        "<svg class=\"spark\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" aria-hidden=\"true\">\
         <line x1=\"0\" y1=\"{:.1}\" x2=\"{w}\" y2=\"{:.1}\" stroke=\"#cbd5e0\" stroke-dasharray=\"2 2\"/>\
         <path d=\"{path}\" fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"1.5\"/><g fill=\"#2b6cb0\">{dots}</g></svg>",
        at(0, 100.0).1,
        at(0, 100.0).1
    )
}

/// A period's short name for a chart axis: `2025` for a calendar year,
/// `2024/25` for a year across two, else its first day.
pub fn period_label(from: &str, to: &str) -> String {
    match (from.get(0..4), to.get(0..4), from.get(4..), to.get(4..)) {
        (Some(a), Some(b), Some("-01-01"), Some("-12-31")) if a == b => a.to_string(),
        (Some(a), Some(b), _, _) if a != b && b.len() == 4 => format!("{a}/{}", &b[2..]),
        _ => from.to_string(),
    }
}
