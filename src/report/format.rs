//! Numbers and words as reports show them.

use super::labels::{Labels, Lang};
use super::{IndicatorReport, ObjectiveReport, Report, Status};

/// A value in its unit: `%` values as percentages, others with up to two
/// decimals; French uses a decimal comma.
pub fn value(v: Option<f64>, unit: Option<&str>, lang: Lang, labels: &Labels) -> String {
    let Some(v) = v else {
        return labels.no_data.to_string();
    };
    let text = match unit {
        Some("%") => format!("{} %", trim(v * 100.0, 1)),
        Some(u) => format!("{} {u}", trim(v, 2)),
        None => trim(v, 2),
    };
    localise(text, lang)
}

/// A weight, with up to two decimals, in the language's decimal mark.
pub fn weight(w: f64, lang: Lang) -> String {
    localise(trim(w, 2), lang)
}

/// A score (0–100) with one decimal.
pub fn score(s: Option<f64>, lang: Lang, labels: &Labels) -> String {
    match s {
        Some(s) => localise(trim(s, 1), lang),
        None => labels.no_data.to_string(),
    }
}

/// A change of score in points, signed (`+3.2`, `−1.5`, `0`), or a dash
/// when either side is unknown.
pub fn score_change(delta: Option<f64>, lang: Lang) -> String {
    signed(delta.map(|d| trim(d, 1)), lang)
}

/// A change of value in its unit: a `%` value's in percentage points
/// (`+2.5 pts`).
pub fn value_change(delta: Option<f64>, unit: Option<&str>, lang: Lang) -> String {
    signed(
        delta.map(|d| match unit {
            Some("%") => format!("{} pts", trim(d * 100.0, 1)),
            Some(u) => format!("{} {u}", trim(d, 2)),
            None => trim(d, 2),
        }),
        lang,
    )
}

fn signed(text: Option<String>, lang: Lang) -> String {
    let Some(t) = text else {
        return "—".to_string();
    };
    // A typographic minus; no change (after rounding) has no sign.
    let zero = t.split(' ').next().and_then(|n| n.parse::<f64>().ok()) == Some(0.0);
    let t = match t.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None if zero => t,
        None => format!("+{t}"),
    };
    localise(t, lang)
}

/// A share as a percentage.
pub fn percent(x: f64, lang: Lang) -> String {
    localise(format!("{} %", trim(x * 100.0, 0)), lang)
}

/// `decimals` at most, without trailing zeros.
fn trim(x: f64, decimals: usize) -> String {
    // Halves round up (86.25 → 86.3), as people round by hand.
    let factor = 10f64.powi(decimals as i32);
    // `+ 0.0` turns a negative zero (-0.0004 rounded) into 0: no "-0 %".
    let rounded = (x * factor).round() / factor + 0.0;
    let s = format!("{rounded:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn localise(text: String, lang: Lang) -> String {
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// `label: value`, with French typography's space before the colon.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Fr => " : ",
    }
}

/// The colour band of a score: `good` (≥ 75), `fair` (≥ 50), `poor`, or
/// `none`.
pub fn band(s: Option<f64>) -> &'static str {
    match s {
        Some(s) if s >= 75.0 => "good",
        Some(s) if s >= 50.0 => "fair",
        Some(_) => "poor",
        None => "none",
    }
}

/// `title — status: reason` for each indicator not `ok`.
pub fn reasons<'r>(
    indicators: impl Iterator<Item = &'r IndicatorReport>,
    lang: Lang,
) -> Vec<String> {
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

/// An objective's indicators without segment figures, grouped by why:
/// (the reason, the titles).
pub fn unsegmented(o: &ObjectiveReport, lang: Lang) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for i in &o.indicators {
        let Some(note) = &i.segments_note else {
            continue;
        };
        let why = note.text(lang);
        let title = i.title.clone().unwrap_or_else(|| i.id.clone());
        match groups.iter_mut().find(|(w, _)| *w == why) {
            Some((_, titles)) => titles.push(title),
            None => groups.push((why, vec![title])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::labels::EN;

    #[test]
    fn values_follow_their_unit_and_language() {
        assert_eq!(value(Some(0.7142857), Some("%"), Lang::En, &EN), "71.4 %");
        assert_eq!(value(Some(0.7142857), Some("%"), Lang::Fr, &EN), "71,4 %");
        assert_eq!(value(Some(620.0), Some("EUR"), Lang::En, &EN), "620 EUR");
        assert_eq!(value(Some(3.6), None, Lang::En, &EN), "3.6");
        assert_eq!(value(None, None, Lang::En, &EN), "no data");
        assert_eq!(score(Some(78.125), Lang::En, &EN), "78.1");
        assert_eq!(score(Some(86.25), Lang::En, &EN), "86.3");
        assert_eq!(band(Some(80.0)), "good");
        assert_eq!(percent(-0.000_04, Lang::Fr), "0 %");
        assert_eq!(value(Some(-0.0001), None, Lang::En, &EN), "0");
        assert_eq!(score_change(Some(3.25), Lang::En), "+3.3");
        assert_eq!(score_change(Some(-1.5), Lang::Fr), "−1,5");
        assert_eq!(score_change(Some(0.01), Lang::En), "0");
        assert_eq!(score_change(None, Lang::En), "—");
        assert_eq!(value_change(Some(0.025), Some("%"), Lang::En), "+2.5 pts");
        assert_eq!(
            value_change(Some(-120.0), Some("EUR"), Lang::En),
            "−120 EUR"
        );
    }
}
