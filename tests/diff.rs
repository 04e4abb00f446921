//! `kpi diff`: two reports compared, or two rule sets on the same data.
//! The contributions add up to the overall change exactly, over generated
//! rule changes (weights, targets, indicators added, removed or moved,
//! indicators that lose their data).

mod common;

use std::path::Path;

use alumni_kpi::diff::Diff;
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::rules::RuleSet;
use common::{hand_data, kpi, root};
use proptest::prelude::*;
use serde_json::Value;

/// Indicators over the hand dataset: the last has no data (no gift in
/// kind), so that coverage changes too.
const VALUES: [&str; 6] = [
    "count(participations where responded) / count(participations where invited)",
    "avg(participations.satisfaction where attended)",
    "share(alumni where member)",
    "count(events)",
    "sum(contributions.hours)",
    "avg(contributions.amount where kind == \"gift\")",
];

/// One generated rule set: objective weights, and for each indicator
/// whether it is there, its objective, weight and target.
#[derive(Debug, Clone)]
struct Rules {
    objectives: [u8; 3],
    indicators: [(bool, usize, u8, u8); 6],
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        prop::array::uniform3(0u8..4),
        prop::array::uniform6((prop::bool::weighted(0.8), 0usize..3, 0u8..4, 1u8..8)),
    )
        .prop_map(|(objectives, indicators)| Rules {
            objectives,
            indicators,
        })
}

fn text(r: &Rules) -> String {
    let mut out = String::from(
        "scorecard \"P\" { population = alumni period = 2025-09-01 .. 2026-08-31 trend = 1 }\n",
    );
    for (o, w) in r.objectives.iter().enumerate() {
        out += &format!("objective o{o} {{\n  weight = {w}\n");
        for (i, (on, objective, weight, target)) in r.indicators.iter().enumerate() {
            if *on && *objective == o {
                out += &format!(
                    "  indicator i{i} {{ value = {} target = {} weight = {weight} }}\n",
                    VALUES[i],
                    *target as f64 / 4.0
                );
            }
        }
        out += "}\n";
    }
    out
}

fn report(r: &Rules) -> alumni_kpi::Report {
    let text = text(r);
    let (rules, diags) = RuleSet::from_texts(&root(), &[("p.kpi", text.as_str())]);
    assert!(!diags.has_errors(), "{diags:?}\n{text}");
    let data = hand_data();
    let scoring = Scoring::new(&rules, &data, &ScoreOptions::default())
        .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    scoring.report()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_contributions_add_up_to_the_overall_change(old in rules(), new in rules()) {
        let (a, b) = (report(&old), report(&new));
        let diff = Diff::new(&a, &b);
        let sum: f64 = diff.indicators.iter().map(|i| i.contribution).sum();
        // A side without an overall score weighs nothing.
        let change = b.score.unwrap_or(0.0) - a.score.unwrap_or(0.0);
        prop_assert!((sum - change).abs() < 1e-9, "{sum} vs {change}\n{}\n{}", text(&old), text(&new));
        // Each side's shares rebuild its overall score (to the rounding of
        // the report's figures, 9 decimals each).
        for (report, side) in [(&a, 0), (&b, 1)] {
            let rebuilt: f64 = diff
                .indicators
                .iter()
                .filter_map(|i| if side == 0 { i.old } else { i.new })
                .map(|s| s.share * s.score.unwrap_or(0.0))
                .sum();
            prop_assert!((rebuilt - report.score.unwrap_or(0.0)).abs() < 1e-8);
        }
        // Read back from JSON, the diff is the same.
        let json = diff.render(alumni_kpi::diff::DiffFormat::Json, alumni_kpi::Lang::En);
        let back: Diff = serde_json::from_str(&json).expect("a diff reads back");
        prop_assert_eq!(back.indicators.len(), diff.indicators.len());
    }
}

/// `kpi diff --format json ARGS`, which must succeed, read as JSON.
fn diff_json<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> Value {
    let out = common::succeeds(kpi().args(["diff", "--format", "json"]).args(args));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn rules_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("r.kpi"), text).expect("write");
    dir
}

fn write_report(rules: &Path, to: &Path, extra: &[&str]) {
    common::succeeds(
        kpi()
            .args(["score", "--data", "tests/eval/hand/data", "--rules"])
            .arg(rules)
            .arg("-o")
            .arg(to)
            .args(extra),
    );
}

#[test]
fn two_reports_compared_by_hand() {
    // The hand rules, then: engagement weighs 1 instead of 3, the members
    // target is 50 % instead of 80 %, gifts removed, and a param set.
    let hand =
        std::fs::read_to_string(root().join("tests/eval/hand/rules/hand.kpi")).expect("read");
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    write_report(&root().join("tests/eval/hand/rules"), &old, &[]);
    let gifts = hand.find("  indicator gifts").expect("gifts");
    let end = gifts + hand[gifts..].find("  }\n").expect("its end") + 4;
    let changed = format!("{}{}", &hand[..gifts], &hand[end..])
        .replacen("  weight = 3\n", "  weight = 1\n", 1)
        .replace("target = 80%", "target = 50%");
    let rules = rules_dir(&changed);
    write_report(rules.path(), &new, &["--set", "staff_hour_cost=50"]);

    let d = diff_json([&old, &new]);
    assert_eq!(d["format"], "alumni-kpi/diff@1");
    // Old: engagement 78.125 (weight 3), cost 86.25 (weight 1): 80.15625.
    // New: members 0.5 against 50 % → 100; engagement (2 × 100 + 50 + 100)
    // / 4 = 87.5; cost with staff hours at 50: events 1, 2 cost 1500 + 200
    // + 14 h × 50 + 11 h × 20 = 2620, / 4 engaged = 655, linear(1200, 400):
    // 545 / 800 × 100 = 68.125; cost = (68.125 + 100) / 2 = 84.0625;
    // overall (87.5 + 84.0625) / 2 = 85.78125.
    assert_eq!(d["score"]["old"], 80.15625);
    assert_eq!(d["score"]["new"], 85.78125);
    let sum: f64 = d["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["contribution"].as_f64().expect("a contribution"))
        .sum();
    assert!((sum - (85.78125 - 80.15625)).abs() < 1e-9, "{sum}");
    // Members: W old = 3/4 × 1/4 (gifts had no score: 4 of 5 weight
    // scored) × 62.5 = 11.71875; W new = 1/2 × 1/4 × 100 = 12.5: +0.78125.
    let members = d["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["id"] == "members")
        .expect("members");
    assert!((members["contribution"].as_f64().expect("number") - 0.78125).abs() < 1e-9);
    assert_eq!(members["old"]["share"], 0.1875);
    assert_eq!(members["new"]["share"], 0.125);
    let changed: Vec<(String, String)> = d["rules"]["changed"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or("").into(),
                c["field"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        vec![
            ("engagement".to_string(), "weight".to_string()),
            ("members".into(), "target".into())
        ]
    );
    let target = &d["rules"]["changed"][1];
    assert_eq!(
        (&target["old"], &target["new"]),
        (&Value::from("80%"), &Value::from("50%"))
    );
    assert_eq!(d["rules"]["removed"], serde_json::json!(["gifts"]));
    assert_eq!(
        d["params"],
        serde_json::json!([{"name": "staff_hour_cost", "old": 40, "new": 50}])
    );

    // Text and Markdown say the same.
    let text = |format: &str| {
        let out = kpi()
            .args(["diff", "--format", format])
            .arg(&old)
            .arg(&new)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let t = text("text");
    assert!(t.contains("Overall score: 80.2 → 85.8 (+5.6)"), "{t}");
    assert!(t.contains("~ members.target: 80% → 50%"), "{t}");
    assert!(t.contains("− gifts (removed)"), "{t}");
    assert!(t.contains("staff_hour_cost: 40 → 50"), "{t}");
    let md = text("md");
    assert!(md.contains("**Overall score: 80.2 → 85.8 (+5.6)**"), "{md}");
    assert!(md.contains("| Members | +0.8 | 62.5 → 100 |"), "{md}");
}

#[test]
fn two_rule_sets_on_the_same_data_list_the_rows_that_change_tier() {
    // Hand profiles: engagement 8, 0, 4, 0, 6, 3 for alumni 1..6. A leader
    // from 6 points instead of 10: alumni 1 and 5 go from goodwill to leader.
    let hand =
        std::fs::read_to_string(root().join("tests/eval/hand/rules/hand.kpi")).expect("read");
    let new = rules_dir(&hand.replace("engagement >= 10", "engagement >= 6"));
    let dir = tempfile::tempdir().expect("temp dir");
    let export = dir.path().join("moved.csv");
    let d = diff_json([
        Path::new("--data"),
        Path::new("tests/eval/hand/data"),
        Path::new("--rules"),
        Path::new("tests/eval/hand/rules"),
        Path::new("--rules"),
        new.path(),
        Path::new("--export"),
        &export,
    ]);
    let tier = d["profiles"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .find(|c| c["name"] == "tier")
        .expect("tier");
    assert_eq!(tier["changed"], 2);
    assert_eq!(
        tier["transitions"],
        serde_json::json!([{"from": "goodwill", "to": "leader", "count": 2}])
    );
    assert_eq!(d["profiles"]["rows"], 6);
    assert_eq!(
        std::fs::read_to_string(&export).expect("export"),
        "id,column,old,new\n1,tier,goodwill,leader\n5,tier,goodwill,leader\n"
    );
    let text = kpi()
        .args([
            "diff",
            "--data",
            "tests/eval/hand/data",
            "--rules",
            "tests/eval/hand/rules",
            "--rules",
        ])
        .arg(new.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("tier: 2 row(s) changed\n    goodwill → leader: 2"),
        "{text}"
    );
}

#[test]
fn bad_input_to_diff_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": \"alumni-kpi/report@2\", \"score\": }").expect("write");
    let out = kpi()
        .args(["diff"])
        .arg(&bad)
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json: line 1, column"), "{err}");
    let out = kpi().args(["diff"]).arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "one report is a usage error");
    let out = kpi()
        .args(["diff", "--export", "x.csv"])
        .arg(&bad)
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "--export needs --rules");
}

#[test]
fn a_population_without_a_key_names_its_changed_rows_by_number() {
    // No key column: the first profile column is a profile, not a key, and
    // rows are named by their number (from 1).
    let data = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        data.path().join("people.csv"),
        "name,points\nAda,1\nBo,4\nCy,6\n",
    )
    .expect("write");
    let rules = |threshold: u32| {
        rules_dir(&format!(
            "scorecard \"S\" {{ population = people }}\n\
             profile people {{ level = if points >= {threshold} then \"high\" else \"low\" }}\n\
             objective o {{ indicator high {{ value = share(people where level == \"high\") target = 1 }} }}\n"
        ))
    };
    let (old, new) = (rules(5), rules(3));
    let export = data.path().join("moved.csv");
    let d = diff_json([
        Path::new("--data"),
        data.path(),
        Path::new("--rules"),
        old.path(),
        Path::new("--rules"),
        new.path(),
        Path::new("--export"),
        &export,
    ]);
    assert_eq!(d["profiles"]["columns"][0]["name"], "level");
    assert_eq!(d["profiles"]["columns"][0]["changed"], 1);
    assert_eq!(
        std::fs::read_to_string(&export).expect("export"),
        "row,column,old,new\n2,level,low,high\n"
    );
}
