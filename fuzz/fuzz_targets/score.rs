//! A fuzzed rule set scored on a small fixed dataset: no NaN or infinity,
//! every score within 0–100, and every indicator without a score says why
//! (a status other than `ok`).
#![no_main]

#[path = "common.rs"]
mod common;

use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::report::Status;

fn check_number(x: Option<f64>, what: &str) {
    if let Some(x) = x {
        assert!(x.is_finite(), "{what} is {x}");
    }
}

fn check_score(x: Option<f64>, what: &str) {
    check_number(x, what);
    if let Some(x) = x {
        assert!((0.0..=100.0).contains(&x), "{what} is {x}");
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(rules) = common::parse_and_check("fuzz.kpi", text) else { return };
    let (_, dataset) = common::dataset();
    let Ok(scoring) = Scoring::new(&rules, dataset, &ScoreOptions::default()) else {
        return;
    };
    let report = scoring.report();
    check_score(report.score, "the overall score");
    for o in &report.objectives {
        check_score(o.score, &o.id);
        for i in &o.indicators {
            check_number(i.value, &i.id);
            check_number(i.target, &i.id);
            check_score(i.score, &i.id);
            if i.score.is_none() {
                assert_ne!(i.status, Status::Ok, "{} has no score and no reason", i.id);
                assert!(i.reason.is_some(), "{}", i.id);
            }
            for cells in i.segments.values() {
                for c in cells.values() {
                    check_number(c.value, &i.id);
                    check_score(c.score, &i.id);
                }
            }
        }
    }
    let _ = serde_json::to_string(&report).expect("the report serialises");
});
