//! Change over time: `--periods N` / `trend = N` score this period and the
//! N−1 before it with the same rules. A three-year dataset scored by hand
//! (every trend figure written here with its arithmetic), the same figures
//! as scoring each year alone, and what an empty earlier year says.

mod common;

use std::path::Path;

use common::{root, run};
use serde_json::Value;

/// Four alumni and their gifts over 2023, 2024 and 2025. 2024 is a leap
/// year: a gift on 2024-01-01 and one on 2024-02-29 belong to it.
///
/// | year | gifts (alumnus: amount)        | count | sum | donors  |
/// |------|--------------------------------|-------|-----|---------|
/// | 2023 | 1: 100, 2: 50                  | 2     | 150 | 1, 2    |
/// | 2024 | 1: 200, 3: 100, 4: 60          | 3     | 360 | 1, 3, 4 |
/// | 2025 | 1: 300, 2: 100, 3: 100, 4: 40  | 4     | 540 | all 4   |
fn three_years() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("alumni.csv"),
        "id,faculty\n1,Law\n2,Law\n3,Science\n4,Science\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("gifts.csv"),
        "id,alumni_id,date,amount\n\
         1,1,2023-03-01,100\n\
         2,2,2023-12-31,50\n\
         3,1,2024-01-01,200\n\
         4,3,2024-02-29,100\n\
         5,4,2024-07-01,60\n\
         6,1,2025-05-01,300\n\
         7,2,2025-06-01,100\n\
         8,3,2025-06-01,100\n\
         9,4,2025-12-31,40\n",
    )
    .expect("write");
    dir
}

const RULES: &str = "scorecard \"Giving {period}\" {\n\
  population = alumni\n\
  period = 2025-01-01 .. 2025-12-31\n\
  trend = 3\n\
}\n\
profile alumni { gifts_made = count(gifts) }\n\
objective giving \"Giving\" {\n\
  weight = 2\n\
  indicator total_given { value = sum(gifts.amount) target = 500 }\n\
  indicator donor_rate { value = share(alumni where gifts_made > 0) target = 100% unit = \"%\" }\n\
}\n\
objective growth \"Growth\" {\n\
  indicator doubled { value = sum(gifts.amount) target = prior(value) * 2 }\n\
}\n";

fn rules_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("r.kpi"), text).expect("write");
    dir
}

fn score(rules: &Path, data: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["score", "--format", "json"];
    args.extend(extra);
    let out = run(&args, rules.to_str().expect("utf-8"), data);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    out.json()
}

fn indicator<'r>(report: &'r Value, id: &str) -> &'r Value {
    common::json_indicator(report, id)
}

fn objective<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["objectives"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no objective {id}"))
}

/// The `score` (or `value`) of each trend entry, oldest first.
fn series(entity: &Value, field: &str) -> Vec<Option<f64>> {
    entity["trend"]
        .as_array()
        .unwrap_or_else(|| panic!("no trend: {entity}"))
        .iter()
        .map(|t| t[field].as_f64())
        .collect()
}

fn close(got: &[Option<f64>], want: &[Option<f64>]) -> bool {
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| match (g, w) {
            (Some(g), Some(w)) => (g - w).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        })
}

#[test]
fn every_trend_figure_of_three_years_matches_the_hand_computation() {
    let data = three_years();
    let rules = rules_dir(RULES);
    let r = score(rules.path(), data.path(), &[]);

    // The periods: calendar years, oldest first, 2024 whole (29 February
    // and 1 January included).
    let periods: Vec<(String, String)> = r["trend"]
        .as_array()
        .expect("an overall trend")
        .iter()
        .map(|t| (t["from"].to_string(), t["to"].to_string()))
        .collect();
    let year = |y: u32| (format!("\"{y}-01-01\""), format!("\"{y}-12-31\""));
    assert_eq!(periods, vec![year(2023), year(2024), year(2025)]);

    // total_given: sum, linear(0, 500): 150 → 30, 360 → 72, 540 → 100
    // (past the target).
    let total = indicator(&r, "total_given");
    assert!(close(
        &series(total, "value"),
        &[Some(150.0), Some(360.0), Some(540.0)]
    ));
    assert!(close(
        &series(total, "score"),
        &[Some(30.0), Some(72.0), Some(100.0)]
    ));
    assert_eq!(
        total["previous"],
        serde_json::json!({"value": 360, "score": 72})
    );
    assert_eq!(
        total["change"],
        serde_json::json!({"value": 180, "score": 28})
    );

    // donor_rate: alumni who gave in the year (the profile per period):
    // 2 of 4 → 0.5 → 50; 3 of 4 → 75; 4 of 4 → 100.
    let donors = indicator(&r, "donor_rate");
    assert!(close(
        &series(donors, "value"),
        &[Some(0.5), Some(0.75), Some(1.0)]
    ));
    assert!(close(
        &series(donors, "score"),
        &[Some(50.0), Some(75.0), Some(100.0)]
    ));

    // doubled: target twice the year before. 2023 has no 2022 to compare
    // with: no baseline, null, and said so. 2024: 360 against 300 → 100;
    // 2025: 540 against 720 → 75.
    let doubled = indicator(&r, "doubled");
    assert!(close(
        &series(doubled, "value"),
        &[Some(150.0), Some(360.0), Some(540.0)]
    ));
    assert!(close(
        &series(doubled, "score"),
        &[None, Some(100.0), Some(75.0)]
    ));
    assert_eq!(doubled["trend"][0]["status"], "no_baseline");
    assert_eq!(doubled["trend"][1].get("status"), None, "ok is not said");
    assert_eq!(
        doubled["previous"],
        serde_json::json!({"value": 360, "score": 100})
    );
    assert_eq!(
        doubled["change"],
        serde_json::json!({"value": 180, "score": -25})
    );

    // Objectives: giving = mean of its two; growth = doubled's.
    //   2023: (30 + 50) / 2 = 40;   2024: (72 + 75) / 2 = 73.5;  2025: 100.
    assert!(close(
        &series(objective(&r, "giving"), "score"),
        &[Some(40.0), Some(73.5), Some(100.0)]
    ));
    assert!(close(
        &series(objective(&r, "growth"), "score"),
        &[None, Some(100.0), Some(75.0)]
    ));
    // Overall, giving weighing 2 and growth 1 (an objective without a
    // score is left out):
    //   2023: 40 (growth left out);  2024: (2 × 73.5 + 100) / 3 = 82.33…;
    //   2025: (2 × 100 + 75) / 3 = 91.66….
    assert!(close(
        &series(&r, "score"),
        &[Some(40.0), Some(247.0 / 3.0), Some(275.0 / 3.0)]
    ));
    assert!((r["score"].as_f64().expect("a score") - 275.0 / 3.0).abs() < 1e-9);
    assert_eq!(r["scorecard"], "Giving 2025", "{}", r["scorecard"]);
}

#[test]
fn the_trend_equals_scoring_each_year_alone() {
    let data = three_years();
    let rules = rules_dir(RULES);
    let trend = score(rules.path(), data.path(), &["--periods", "3"]);
    for (k, year) in ["2023", "2024", "2025"].iter().enumerate() {
        let period = format!("{year}-01-01..{year}-12-31");
        let alone = score(
            rules.path(),
            data.path(),
            &["--period", &period, "--periods", "1"],
        );
        assert_eq!(trend["trend"][k]["score"], alone["score"], "overall {year}");
        for o in alone["objectives"].as_array().expect("objectives") {
            let id = o["id"].as_str().expect("id");
            assert_eq!(
                objective(&trend, id)["trend"][k]["score"],
                o["score"],
                "{id} {year}"
            );
            for i in o["indicators"].as_array().expect("indicators") {
                let id = i["id"].as_str().expect("id");
                let entry = &indicator(&trend, id)["trend"][k];
                assert_eq!(
                    (&entry["value"], &entry["score"]),
                    (&i["value"], &i["score"]),
                    "{id} {year}"
                );
            }
        }
        assert_eq!(alone.get("trend"), None, "one period: no trend");
    }
}

#[test]
fn the_shipped_pack_trend_equals_scoring_the_year_before_alone() {
    let sample = root().join("data/sample");
    let rules = root().join("rules");
    // Two periods by default with a period: the sample's two years.
    let both = score(&rules, &sample, &[]);
    let before = score(
        &rules,
        &sample,
        &["--period", "2024-09-01..2025-08-31", "--periods", "1"],
    );
    assert_eq!(both["trend"].as_array().map(Vec::len), Some(2));
    assert_eq!(both["trend"][0]["from"], "2024-09-01");
    assert_eq!(both["trend"][0]["score"], before["score"]);
    for o in before["objectives"].as_array().expect("objectives") {
        for i in o["indicators"].as_array().expect("indicators") {
            let id = i["id"].as_str().expect("id");
            let now = indicator(&both, id);
            assert_eq!(
                (&now["previous"]["value"], &now["previous"]["score"]),
                (&i["value"], &i["score"]),
                "{id}"
            );
        }
    }
}

#[test]
fn an_earlier_period_without_rows_is_null_and_said() {
    let data = three_years();
    let rules = rules_dir(RULES);
    let r = score(rules.path(), data.path(), &["--periods", "4"]);
    // 2022 has no gift: no overall or objective score, and a note why.
    assert_eq!(r["trend"][0]["from"], "2022-01-01");
    assert_eq!(r["trend"][0]["score"], Value::Null);
    assert_eq!(objective(&r, "giving")["trend"][0]["score"], Value::Null);
    let note = r["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "score::empty-trend-period")
        .unwrap_or_else(|| panic!("no note: {}", r["diagnostics"]));
    assert!(
        note["message"]
            .as_str()
            .is_some_and(|m| m.contains("2022-01-01 .. 2022-12-31")),
        "{note}"
    );
}

#[test]
fn periods_without_a_period_or_out_of_range_are_usage_errors() {
    let data = three_years();
    let rules = rules_dir(
        "scorecard \"S\" { population = alumni }\n\
         objective o { indicator n { value = count(gifts) target = 5 } }\n",
    );
    let out = run(
        &["score", "--format", "json", "--periods", "3"],
        rules.path().to_str().expect("utf-8"),
        data.path(),
    );
    let e = out.error("set::periods");
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("needs a period")),
        "{e}"
    );
    let rules = rules_dir(RULES);
    let out = run(
        &["score", "--format", "json", "--periods", "0"],
        rules.path().to_str().expect("utf-8"),
        data.path(),
    );
    out.error("set::periods");
    let bad = rules_dir(&RULES.replace("trend = 3", "trend = 2.5"));
    let out = run(&["check"], bad.path().to_str().expect("utf-8"), data.path());
    let e = out.error("check::type");
    assert!(
        e["message"].as_str().is_some_and(|m| m.contains("`trend`")),
        "{e}"
    );
}

#[test]
fn finding_prior_of_a_year_after_a_leap_year_is_the_whole_year_before() {
    // 2025 has 365 days and 2024 has 366: stepping back 365 days made the
    // year before 2024-01-02 .. 2024-12-31, and the gift of 1 January 2024
    // counted in no year at all.
    let data = three_years();
    let rules = rules_dir(
        "scorecard \"S\" { population = alumni period = 2025-01-01 .. 2025-12-31 trend = 1 }\n\
         objective o { indicator last_year { value = prior(sum(gifts.amount)) target = 1000 } }\n",
    );
    let r = score(rules.path(), data.path(), &[]);
    assert_eq!(indicator(&r, "last_year")["value"], 360, "200 + 100 + 60");
}

#[test]
fn every_format_carries_the_trend() {
    let data = three_years();
    let rules = rules_dir(RULES);
    let r = |format: &str| {
        let out = run(
            &["score", "--format", format],
            rules.path().to_str().expect("utf-8"),
            data.path(),
        );
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        out.stdout
    };
    // YAML: the same trend as JSON.
    let yaml: Value = serde_yaml::from_str(&r("yaml")).expect("yaml");
    assert_eq!(
        yaml["trend"],
        score(rules.path(), data.path(), &[])["trend"]
    );
    // Markdown: previous and change columns, total_given 360 (72) → +180 (+28).
    let md = r("md");
    assert!(md.contains("| Previous | Change |"), "{md}");
    assert!(md.contains("| 360 (72) | +180 (+28) |"), "{md}");
    assert!(md.contains("Change +9.3 (previous 82.3)"), "{md}");
    // CSV: previous and change on the current rows, one row per earlier period.
    let csv = r("csv");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().expect("header").clone();
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("row")).collect();
    let total = rows
        .iter()
        .find(|r| &r[at("level")] == "indicator" && &r[at("indicator")] == "total_given")
        .expect("total_given row");
    assert_eq!(
        (
            &total[at("previous_value")],
            &total[at("previous_score")],
            &total[at("value_change")],
            &total[at("score_change")]
        ),
        ("360", "72", "180", "28")
    );
    let earlier: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| &r[at("level")] == "trend" && &r[at("indicator")] == "total_given")
        .map(|r| {
            (
                r.get(at("period_from")).unwrap_or(""),
                r.get(at("value")).unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(earlier, vec![("2023-01-01", "150"), ("2024-01-01", "360")]);
    // The terminal summary: the overall change and each indicator's.
    let out = run(
        &["score"],
        rules.path().to_str().expect("utf-8"),
        data.path(),
    );
    assert!(
        out.stdout.contains("Previous: 82.3 (+9.3)"),
        "{}",
        out.stdout
    );
}

/// A benchmark with a `period` column: each period is compared with its
/// own year's peers. Before, the column was ignored and every year's peer
/// figures were pooled: with 2024's four figures (100, 200, 300, 400) and
/// 2025's four (500, 600, 700, 800), `peers(50%)` was 450 for both years.
#[test]
fn finding_a_benchmark_by_period_pooled_every_years_peers() {
    let data = three_years();
    std::fs::write(
        data.path().join("peers.csv"),
        "institution,indicator,value,period\n\
         A,total_given,100,2024-01-01..2024-12-31\n\
         B,total_given,200,2024-01-01..2024-12-31\n\
         C,total_given,300,2024-01-01..2024-12-31\n\
         D,total_given,400,2024-01-01..2024-12-31\n\
         A,total_given,500,2025-01-01..2025-12-31\n\
         B,total_given,600,2025-01-01..2025-12-31\n\
         C,total_given,700,2025-01-01..2025-12-31\n\
         D,total_given,800,2025-01-01..2025-12-31\n",
    )
    .expect("write");
    let rules = rules_dir(
        "scorecard \"S\" {\n\
           population = alumni\n\
           period = 2025-01-01 .. 2025-12-31\n\
           trend = 3\n\
           benchmark = \"peers.csv\"\n\
         }\n\
         objective giving {\n\
           indicator total_given { value = sum(gifts.amount) target = peers(50%) }\n\
         }\n",
    );
    let r = score(rules.path(), data.path(), &[]);
    let given = indicator(&r, "total_given");
    // 2025: the median of 500, 600, 700, 800 is 650; 540 / 650.
    assert_eq!(given["target"], 650.0, "{given}");
    assert!((given["score"].as_f64().unwrap() - 540.0 / 650.0 * 100.0).abs() < 1e-6);
    // Ranked among 2025's peers: three (600, 700, 800) gave more than 540.
    assert_eq!(given["peers"]["rank"], 4, "{given}");
    assert_eq!(given["peers"]["median"], 650.0, "{given}");
    // 2024: the median of 100, 200, 300, 400 is 250; 360 / 250 caps at 100.
    // 2023: the benchmark has no figure for it: no peers, with the reason.
    let trend = given["trend"].as_array().expect("trend");
    assert_eq!(trend[1]["target"], 250.0, "{given}");
    assert_eq!(trend[1]["score"], 100.0, "{given}");
    assert_eq!(trend[0]["target"], Value::Null, "{given}");
    assert_eq!(trend[0]["status"], "no_peers", "{given}");
    // The same as scoring 2024 alone.
    let alone = score(
        rules.path(),
        data.path(),
        &["--period", "2024-01-01..2024-12-31", "--periods", "1"],
    );
    assert_eq!(indicator(&alone, "total_given")["target"], 250.0);
    assert_eq!(indicator(&alone, "total_given")["peers"]["median"], 250.0);
}

#[test]
fn a_benchmark_period_that_is_not_one_is_located() {
    let data = three_years();
    std::fs::write(
        data.path().join("peers.csv"),
        "institution,indicator,value,period\n\
         A,total_given,100,2024\n\
         B,total_given,200,\n",
    )
    .expect("write");
    let rules = rules_dir(
        "scorecard \"S\" { population = alumni period = 2025-01-01 .. 2025-12-31 benchmark = \"peers.csv\" }\n\
         objective giving { indicator total_given { value = sum(gifts.amount) target = peers(50%) } }\n",
    );
    let out = run(
        &["score"],
        rules.path().to_str().expect("utf-8"),
        data.path(),
    );
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    // Every bad row at once, each located, and no report.
    let said: Value = serde_json::from_str(&out.stdout).expect("JSON diagnostics");
    let said: Vec<(u64, &str)> = said
        .as_array()
        .expect("a list")
        .iter()
        .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with("peers.csv")))
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            (2, "`2024` is not a period (column `period`)"),
            (3, "this figure has no period (column `period`)"),
        ],
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("FROM..TO"), "a hint: {}", out.stdout);
}
