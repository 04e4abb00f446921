//! schema/report.schema.json describes every report: the sample's, with
//! every option; the hand set's; a report with failures and notes. (Every
//! report a test reads through `common::Run::json` is checked too.)

mod common;

use common::{assert_valid_report, root, run};

fn report(args: &[&str], rules: &str, data: &str) -> serde_json::Value {
    let mut all = vec!["score", "--format", "json"];
    all.extend(args);
    let out = run(&all, rules, &root().join(data));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("json")
}

#[test]
fn every_kind_of_report_follows_the_published_schema() {
    for (args, rules, data) in [
        (vec![], "rules", "data/sample"),
        (vec!["--explain", "--periods", "2"], "rules", "data/sample"),
        (vec!["--explain"], "rules/case-aem", "data/sample"),
        (
            vec!["--explain", "--set", "staff_hour_cost=50"],
            "tests/eval/hand/rules",
            "tests/eval/hand/data",
        ),
        (
            vec!["--period", "2030-01-01..2030-12-31"],
            "rules",
            "data/sample",
        ),
        (
            vec!["--periods", "1"],
            "tests/eval/hand/rules",
            "tests/eval/hand/data",
        ),
    ] {
        assert_valid_report(&report(&args, rules, data));
    }
}

#[test]
fn the_schema_rejects_what_is_not_a_report() {
    let mut r = report(&[], "tests/eval/hand/rules", "tests/eval/hand/data");
    r["objectives"][0]["indicators"][0]["score"] = serde_json::json!(130);
    let caught = std::panic::catch_unwind(|| assert_valid_report(&r));
    assert!(caught.is_err(), "a score above 100 is caught");
    let mut r = report(&[], "tests/eval/hand/rules", "tests/eval/hand/data");
    r["objectives"][0]["surprise"] = serde_json::json!(1);
    assert!(
        std::panic::catch_unwind(|| assert_valid_report(&r)).is_err(),
        "unknown fields are caught"
    );
    // The schema is itself valid JSON Schema and names its layout.
    let text = std::fs::read_to_string(root().join("schema/report.schema.json")).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        schema["properties"]["format"]["const"],
        alumni_kpi::report::FORMAT
    );
}
