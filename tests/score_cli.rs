//! `kpi score` on real files: the report, its options, and bad data.

mod common;

use std::path::Path;

use common::{kpi, root};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const HAND: [&str; 4] = [
    "--rules",
    "tests/eval/hand/rules",
    "--data",
    "tests/eval/hand/data",
];

/// `kpi score` on the hand-computed case, with more arguments.
fn score_hand(extra: &[&str]) -> std::process::Output {
    kpi()
        .arg("score")
        .args(HAND)
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn the_readme_main_command_scores_the_shipped_sample() {
    let out = kpi()
        .args(["score", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["format"], "alumni-kpi/report@2");
    assert!(
        report["objectives"]
            .as_array()
            .is_some_and(|o| !o.is_empty())
    );
    assert!(report["rows"]["alumni"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn the_report_follows_the_json_contract() {
    let out = score_hand(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(r["score"], 80.15625);
    assert_eq!(r["coverage"], 0.85);
    assert_eq!(r["period"]["from"], "2025-09-01");
    assert_eq!(r["rows"]["participations"], 10);
    let engagement = &r["objectives"][0];
    assert_eq!(engagement["id"], "engagement");
    assert_eq!(engagement["weight"], 3);
    let rate = &engagement["indicators"][0];
    assert_eq!(rate["id"], "response_rate");
    assert_eq!(rate["target"], 0.6);
    assert_eq!(rate["unit"], "%");
    assert_eq!(rate["segments"]["faculty"]["Law"]["value"], 1);
    assert_eq!(rate["peers"]["rank"], 2);
    assert_eq!(
        engagement["indicators"][3]["value"],
        serde_json::Value::Null
    );
    assert_eq!(r["diagnostics"][0]["code"], "score::no-data");
}

#[test]
fn output_file_set_period_explain_and_profiles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.json");
    let profiles = dir.path().join("profiles.csv");
    let out = kpi()
        .arg("score")
        .args(HAND)
        .args(["--set", "staff_hour_cost=60", "--explain", "-o"])
        .arg(&report)
        .arg("--profiles")
        .arg(&profiles)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "the report goes to the file");
    // Cost per engaged 690 scores (690 − 1200) / (400 − 1200) = 63.75; cost
    // (63.75 + 100) / 2 = 81.875; overall (3 × 78.125 + 81.875) / 4 = 79.0625.
    assert!(
        text(&out.stderr).contains("score 79.1, coverage 85%"),
        "{}",
        text(&out.stderr)
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("written")).expect("JSON");
    assert_eq!(r["score"], 79.0625);
    let cost = &r["objectives"][1]["indicators"][0];
    assert_eq!(cost["value"], 690, "2760 / 4 with staff hours at 60");
    assert_eq!(cost["explain"]["with_values"], "2760 / 4");
    let csv = std::fs::read_to_string(&profiles).expect("profiles written");
    assert!(
        csv.starts_with("id,events_attended,hours_given,engagement,tier\n1,2,8,8,goodwill\n"),
        "{csv}"
    );
    // Only the two files: the temporary ones were renamed into place.
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);

    let out = score_hand(&["--period", "2024-09-01..2025-08-31", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(r["period"]["to"], "2025-08-31");
    assert_eq!(r["objectives"][0]["indicators"][0]["value"], 1);
}

#[test]
fn bad_options_are_usage_or_rule_errors() {
    let out = score_hand(&["--period", "2026-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    let out = score_hand(&["--set", "nothing"]);
    assert_eq!(out.status.code(), Some(2));
    let out = score_hand(&["--set", "staff_hour_cots=3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("did you mean `staff_hour_cost`?"),
        "{}",
        text(&out.stderr)
    );
    let out = score_hand(&["--set", "staff_hour_cost=high"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`staff_hour_cost` is a number"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scoring_twice_writes_identical_bytes() {
    let a = score_hand(&["--format", "json"]);
    let b = score_hand(&["--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}

/// A copy of the hand dataset with one file replaced.
fn dataset_with(file: &str, contents: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(root().join("tests/eval/hand/data")).expect("hand data") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        std::fs::copy(&path, dir.path().join(name)).expect("copy");
    }
    std::fs::write(dir.path().join(file), contents).expect("write");
    dir
}

fn score_with(data: &Path, extra: &[&str]) -> std::process::Output {
    kpi()
        .args([
            "score",
            "--format",
            "json",
            "--rules",
            "tests/eval/hand/rules",
            "--error-format",
            "short",
            "--data",
        ])
        .arg(data)
        .args(extra)
        .output()
        .expect("runs")
}

const BAD_TYPE: &str = "tables:\n  participations:\n    columns: { satisfaction: number }\n";

#[test]
fn a_malformed_value_names_file_line_column_and_value() {
    let dir = dataset_with(
        "participations.csv",
        "id,alumni_id,event_id,date,invited,responded,attended,satisfaction\n\
         1,1,1,2025-10-01,true,true,true,5\n\
         2,2,1,2025-10-01,true,true,false,very good\n",
    );
    std::fs::write(dir.path().join("dataset.yaml"), BAD_TYPE).expect("manifest");
    let out = score_with(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("participations.csv:3:8: error[data::value]: `very good` is not a number (column `satisfaction`)"), "{err}");

    // Skipped on request, and counted in the report.
    let out = score_with(dir.path(), &["--skip-bad-rows"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(r["skipped_rows"]["participations"], 1);
    assert_eq!(r["rows"]["participations"], 1);
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_reported() {
    let dir = dataset_with(
        "events.csv",
        "id,date,kind,cost_university,cost_partners,staff_hours,volunteer_hours\n1,2025-10-01,conference,1000\n",
    );
    let out = score_with(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("events.csv:2:1: error[data::row]: this row has 4 field(s), the header 7"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn duplicate_keys_fail_and_dangling_references_are_counted() {
    let dir = dataset_with(
        "alumni.csv",
        "id,faculty,country,member,email_valid,graduation_year\n1,Law,FR,true,true,2010\n1,Arts,FR,true,true,2011\n",
    );
    let out = score_with(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("alumni.csv:3:1: error[data::duplicate-key]: 1 row(s) of `alumni` repeat a key; first: `id` = `1`"), "{err}");

    let out = score_with(dir.path(), &["--skip-bad-rows"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(r["skipped_rows"]["alumni"], 1);
    // Alumni 2..6 are gone: their participations refer to nothing.
    let dangling = r["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| {
            d["code"] == "data::dangling"
                && d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("`participations`"))
        })
        .expect("dangling references reported");
    // Participations 2, 3, 4, 6, 7, 8 and 10 refer to alumni 2..6.
    assert!(
        dangling["message"].as_str().is_some_and(|m| m
            .starts_with("7 row(s) of `participations` refer to `alumni` rows that do not exist")),
        "{dangling}"
    );
    assert_eq!(
        dangling["line"], 3,
        "the first one, participation 2, is on line 3"
    );
}

#[test]
fn a_missing_table_is_a_rule_error_against_the_data() {
    let dir = dataset_with("contributions.csv", "");
    std::fs::remove_file(dir.path().join("contributions.csv")).expect("remove");
    let out = score_with(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("error[check::unknown-table]: unknown table `contributions`"),
        "{err}"
    );
}

#[test]
fn a_missing_dataset_directory_is_an_error() {
    let out = score_with(Path::new("no/such/data"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot read the dataset directory `no/such/data`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn without_an_output_file_a_summary_is_printed_and_quiet_silences_it() {
    let out = score_hand(&[]);
    assert_eq!(out.status.code(), Some(0));
    let summary = text(&out.stdout);
    assert!(
        summary.starts_with(
            "Hand-computed\nOverall score: 80.2   Previous: 68 (+12.2)   Coverage: 85 %   Period: 2025-09-01 – 2026-08-31\n"
        ),
        "{summary}"
    );
    assert!(summary.contains("Response rate"), "{summary}");
    assert!(
        !summary.contains('\u{1b}'),
        "no colour when not on a terminal"
    );
    let out = score_hand(&["--lang", "fr"]);
    assert!(
        text(&out.stdout).contains("Score global : 80,2"),
        "{}",
        text(&out.stdout)
    );
    let out = score_hand(&["-q"]);
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn the_output_extension_chooses_the_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, starts) in [
        ("r.md", "# Hand-computed"),
        ("r.csv", "level,objective,objective_title"),
        ("r.yaml", "format: alumni-kpi/report@2"),
        ("r.html", "<!doctype html>"),
    ] {
        let path = dir.path().join(name);
        let out = kpi()
            .arg("score")
            .args(HAND)
            .arg("-o")
            .arg(&path)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let written = std::fs::read_to_string(&path).expect("written");
        assert!(
            written.starts_with(starts),
            "{name}: {}",
            &written[..written.len().min(80)]
        );
    }
    let out = kpi()
        .arg("score")
        .args(HAND)
        .arg("-o")
        .arg(dir.path().join("r.txt"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown extension is a usage error"
    );
}
