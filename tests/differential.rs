//! Differential test: on many generated datasets and rule sets, the columnar
//! evaluator and the row-at-a-time reference evaluator must agree on every
//! figure (declarations, targets, scores, profile columns; overall and per
//! segment), exactly.

mod common;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::rules::RuleSet;
use common::generated::{case_period, data, rules, write_dataset};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn columnar_and_reference_evaluators_agree(
        d in data(),
        choices in prop::collection::vec(0usize..1000, 25),
        period in 0usize..4,
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        write_dataset(dir.path(), &d);
        let text = rules(&choices);
        let (rules, diags) = RuleSet::from_texts(dir.path(), &[("diff.kpi", text.as_str())]);
        prop_assert!(diags.is_empty(), "{diags:?}\n{text}");
        let data = Dataset::load(dir.path(), &LoadOptions::default()).expect("generated data load");
        let options = ScoreOptions {
            period: case_period(period),
            // Three periods where there is one: the earlier two compared too.
            periods: (period == 1).then_some(3),
            ..ScoreOptions::default()
        };
        let scoring = Scoring::new(&rules, &data, &options)
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        let differences = scoring.differences_from_reference();
        prop_assert!(differences.is_empty(), "{differences:#?}\n{text}");
        // The report is built without panicking, and every score is null or
        // within 0–100.
        let json = scoring.report().render(alumni_kpi::report::ReportFormat::Json);
        let report: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let mut scores = Vec::new();
        collect_scores(&report, &mut scores);
        prop_assert!(scores.iter().all(|s| (0.0..=100.0).contains(s)), "{scores:?}");
    }
}

/// Every number under a `score` key (a `change` of score is in points,
/// and may be negative).
fn collect_scores(v: &serde_json::Value, out: &mut Vec<f64>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                if k == "score" {
                    out.extend(x.as_f64());
                }
                if k == "change" {
                    continue;
                }
                collect_scores(x, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| collect_scores(x, out)),
        _ => {}
    }
}
