//! CSV: flat, one row per indicator and segment value (the overall figure
//! has empty segment columns).

use super::Report;

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
            let _ = w.write_record(row("", "", i.value, i.score));
            for (column, values) in &i.segments {
                for (label, cell) in values {
                    let _ = w.write_record(row(column, label, cell.value, cell.score));
                }
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
