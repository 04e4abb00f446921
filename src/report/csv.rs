//! CSV: flat, one row per indicator and segment value (the overall figure
//! has empty segment columns).

use std::borrow::Cow;

use super::Report;

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

pub fn csv(report: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let num = |x: Option<f64>| x.map_or(String::new(), crate::syntax::number);
    let _ = w.write_record([
        "objective",
        "objective_title",
        "indicator",
        "indicator_title",
        "segment",
        "segment_value",
        "value",
        "target",
        "score",
        "weight",
        "unit",
        "status",
        "reason",
    ]);
    for o in &report.objectives {
        for i in &o.indicators {
            let row =
                |segment: &str, segment_value: &str, value: Option<f64>, score: Option<f64>| {
                    vec![
                        o.id.clone(),
                        o.title.clone().unwrap_or_default(),
                        i.id.clone(),
                        i.title.clone().unwrap_or_default(),
                        segment.to_string(),
                        segment_value.to_string(),
                        num(value),
                        num(i.target),
                        num(score),
                        crate::syntax::number(i.weight),
                        i.unit.clone().unwrap_or_default(),
                        i.status.code().to_string(),
                        i.reason
                            .as_ref()
                            .map(|r| r.text(super::Lang::En))
                            .unwrap_or_default(),
                    ]
                };
            let safe = |r: Vec<String>| -> Vec<String> {
                r.iter().map(|c| safe_cell(c).into_owned()).collect()
            };
            let _ = w.write_record(safe(row("", "", i.value, i.score)));
            for (column, values) in &i.segments {
                for (label, cell) in values {
                    let _ = w.write_record(safe(row(column, label, cell.value, cell.score)));
                }
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
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
