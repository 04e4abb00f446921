//! CSV: flat, one row per figure (overall, objective, indicator, segment
//! value) and per note, for spreadsheets and other tools.

use std::borrow::Cow;

use super::{Lang, Report, Status};
use crate::syntax::number;

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab
/// or a carriage return first, OWASP's list) gets a `'` before it; a
/// number (`-3`) is left as it is.
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && s.trim().parse::<f64>().is_err() {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The columns, in order; the explain columns only with `--explain`.
const COLUMNS: [&str; 24] = [
    "level",
    "objective",
    "objective_title",
    "indicator",
    "indicator_title",
    "segment",
    "segment_value",
    "period_from",
    "period_to",
    "value",
    "target",
    "score",
    "weight",
    "coverage",
    "unit",
    "status",
    "reason",
    "peers_n",
    "peers_median",
    "peers_rank",
    "previous_value",
    "previous_score",
    "value_change",
    "score_change",
];
const EXPLAIN_COLUMNS: [&str; 6] = [
    "formula",
    "with_values",
    "target_formula",
    "target_with_values",
    "scoring",
    "contribution",
];

/// One row per figure of the report, its `level` first: the `overall`
/// score, each `objective`, each `indicator`, each `segment` value of an
/// indicator, each earlier period of a `trend` (overall, objective,
/// indicator: its period in `period_from`/`period_to`; the current
/// period's rows carry `previous_*` and `*_change`), and each `note` on data and rules (its severity as status,
/// its message as reason, its place in `source`). Codes (`level`,
/// `status`) stay English; reasons and notes follow `--lang`.
pub fn csv(report: &Report, lang: Lang) -> String {
    let explain = report
        .objectives
        .iter()
        .flat_map(|o| &o.indicators)
        .any(|i| i.explain.is_some());
    let width = COLUMNS.len() + 1 + if explain { EXPLAIN_COLUMNS.len() } else { 0 };
    let mut header: Vec<&str> = COLUMNS.to_vec();
    header.push("source");
    if explain {
        header.extend(EXPLAIN_COLUMNS);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut put = |r: Row| {
        let mut cells = r.0;
        cells.resize(width, String::new());
        let _ = w.write_record(cells.iter().map(|c| safe_cell(c).into_owned()));
    };
    put(Row(header.iter().map(|h| h.to_string()).collect()));

    let (from, to) = report
        .period
        .as_ref()
        .map_or((String::new(), String::new()), |p| {
            (p.from.clone(), p.to.clone())
        });
    let base = |level: &str| {
        let mut r = Row(vec![String::new(); width]);
        r.set("level", level);
        r.set("period_from", &from);
        r.set("period_to", &to);
        r
    };

    // The earlier periods of a trend (the last entry is this period's row).
    let earlier = |trend_len: usize| trend_len.saturating_sub(1);
    let scores_then =
        |row: &dyn Fn() -> Row, trend: &[super::TrendScore], put: &mut dyn FnMut(Row)| {
            for t in &trend[..earlier(trend.len())] {
                let mut r = row();
                r.set("level", "trend");
                r.set("period_from", &t.from);
                r.set("period_to", &t.to);
                r.set("score", &num(t.score));
                if t.score.is_none() {
                    r.set("status", Status::NoData.code());
                }
                put(r);
            }
        };
    let previous = |row: &mut Row, now: Option<f64>, trend: &[super::TrendScore]| {
        if let Some(prev) = super::previous_score(trend) {
            row.set("previous_score", &num(prev));
            row.set("score_change", &num(now.zip(prev).map(|(a, b)| a - b)));
        }
    };

    let mut overall = base("overall");
    overall.set("score", &num(report.score));
    overall.set("coverage", &number(report.coverage));
    if report.score.is_none() {
        overall.set("status", Status::NoData.code());
    }
    previous(&mut overall, report.score, &report.trend);
    put(overall);
    scores_then(&|| base(""), &report.trend, &mut put);

    for o in &report.objectives {
        let objective = || {
            let mut r = base("");
            r.set("objective", &o.id);
            r.set("objective_title", o.title.as_deref().unwrap_or_default());
            r
        };
        let mut row = objective();
        row.set("level", "objective");
        row.set("score", &num(o.score));
        row.set("weight", &number(o.weight));
        row.set("coverage", &number(o.coverage));
        if o.score.is_none() {
            row.set("status", Status::NoData.code());
        }
        previous(&mut row, o.score, &o.trend);
        put(row);
        scores_then(&objective, &o.trend, &mut put);
        for i in &o.indicators {
            let indicator = || {
                let mut r = objective();
                r.set("indicator", &i.id);
                r.set("indicator_title", i.title.as_deref().unwrap_or_default());
                r.set("weight", &number(i.weight));
                r.set("unit", i.unit.as_deref().unwrap_or_default());
                r
            };
            let mut row = indicator();
            row.set("level", "indicator");
            row.set("value", &num(i.value));
            row.set("target", &num(i.target));
            row.set("score", &num(i.score));
            row.set("status", i.status.code());
            if let Some(reason) = &i.reason {
                row.set("reason", &reason.text(lang));
            }
            if let Some(p) = &i.peers {
                row.set("peers_n", &p.n.to_string());
                row.set("peers_median", &num(p.median));
                row.set(
                    "peers_rank",
                    &p.rank.map(|r| r.to_string()).unwrap_or_default(),
                );
            }
            if let Some(e) = &i.explain {
                row.set("formula", &e.formula);
                row.set("with_values", &e.with_values);
                if let Some(t) = &e.target {
                    row.set("target_formula", &t.formula);
                    row.set("target_with_values", &t.with_values);
                }
                row.set("scoring", e.scoring_in(lang));
                row.set("contribution", &num(e.contribution));
            }
            if let (Some(p), Some(c)) = (i.previous, i.change) {
                row.set("previous_value", &num(p.value));
                row.set("previous_score", &num(p.score));
                row.set("value_change", &num(c.value));
                row.set("score_change", &num(c.score));
            }
            put(row);
            for t in &i.trend[..earlier(i.trend.len())] {
                let mut r = indicator();
                r.set("level", "trend");
                r.set("period_from", &t.from);
                r.set("period_to", &t.to);
                r.set("value", &num(t.value));
                r.set("target", &num(t.target));
                r.set("score", &num(t.score));
                r.set("status", t.status.code());
                put(r);
            }
            for (column, values) in &i.segments {
                for (label, cell) in values {
                    let mut row = indicator();
                    row.set("level", "segment");
                    row.set("segment", column);
                    row.set("segment_value", label);
                    row.set("value", &num(cell.value));
                    row.set("target", &num(cell.target));
                    row.set("score", &num(cell.score));
                    row.set("status", cell.status.code());
                    put(row);
                }
            }
            if let Some(note) = &i.segments_note {
                let mut row = indicator();
                row.set("level", "segment");
                row.set("status", "not_segmented");
                row.set("reason", &note.text(lang));
                put(row);
            }
        }
    }

    for d in &report.diagnostics {
        let mut row = base("note");
        row.set("status", &d.severity.to_string());
        row.set("reason", d.message_in(lang));
        let source = match (&d.file, d.line, d.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(f), Some(l), None) => format!("{f}:{l}"),
            (Some(f), None, _) => f.clone(),
            _ => String::new(),
        };
        row.set("source", &source);
        put(row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn num(x: Option<f64>) -> String {
    x.map_or(String::new(), number)
}

/// A row being filled, by column name.
struct Row(Vec<String>);

impl Row {
    fn set(&mut self, column: &str, value: &str) {
        let at = COLUMNS
            .iter()
            .chain(&["source"])
            .chain(&EXPLAIN_COLUMNS)
            .position(|c| *c == column);
        // Every name passed is one of the columns above (the tests run
        // with debug assertions: a misspelt one fails them).
        debug_assert!(at.is_some(), "no CSV column `{column}`");
        if let Some(at) = at
            && at < self.0.len()
        {
            self.0[at] = value.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+33 6 12"), "'+33 6 12");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("-5"), "-5");
        assert_eq!(safe_cell("-0.25"), "-0.25");
        assert_eq!(safe_cell("Law"), "Law");
    }
}
