//! The shipped packs on the shipped sample: every indicator has a value,
//! every concept of docs/domain.md is computed, a few figures are
//! recomputed here by independent code, and the sample is what the
//! generator writes.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::report::Report;
use alumni_kpi::rules::RuleSet;
use common::root;

fn score(rules_dir: &str) -> Report {
    let (rules, diags) = RuleSet::load_dir(&root().join(rules_dir));
    assert!(diags.is_empty(), "{diags:?}");
    let data = Dataset::load(&root().join("data/sample"), &LoadOptions::for_rules(&rules))
        .expect("the sample loads");
    let scoring = Scoring::new(&rules, &data, &ScoreOptions::default())
        .expect("the pack checks against the sample");
    scoring.report()
}

fn values(report: &Report) -> HashMap<String, Option<f64>> {
    report
        .objectives
        .iter()
        .flat_map(|o| &o.indicators)
        .map(|i| (i.id.clone(), i.value))
        .collect()
}

/// Rows of a sample table as maps from column to text.
fn table(name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(root().join("data/sample").join(format!("{name}.csv")))
        .expect("table");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn every_indicator_of_both_packs_has_a_value_on_the_sample() {
    for pack in ["rules", "rules/case-aem"] {
        let report = score(pack);
        for o in &report.objectives {
            for i in &o.indicators {
                assert_eq!(i.status.code(), "ok", "{pack}: {} has no value", i.id);
                assert!(i.score.is_some(), "{pack}: {} has no score", i.id);
            }
        }
        assert_eq!(report.coverage, 1.0, "{pack}");
        assert!(
            report.diagnostics.is_empty(),
            "{pack}: {:?}",
            report.diagnostics
        );
    }
}

#[test]
fn every_concept_of_the_domain_table_is_computed() {
    let doc = std::fs::read_to_string(root().join("docs/domain.md")).expect("docs/domain.md");
    let mut computed = values(&score("rules"));
    computed.extend(values(&score("rules/case-aem")));
    let mut rows = 0;
    for line in doc
        .lines()
        .filter(|l| l.starts_with("| ") && l.ends_with(" |"))
    {
        let cells: Vec<&str> = line.split(" | ").collect();
        if cells.len() < 3
            || !line.contains(".kpi") && !line.contains(".yaml") && !line.contains("several")
        {
            continue;
        }
        rows += 1;
        let ids: Vec<&str> = cells[1]
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|s| !s.contains('('))
            .collect();
        assert!(!ids.is_empty(), "no rule id in: {line}");
        for id in ids {
            let value = computed
                .get(id)
                .unwrap_or_else(|| panic!("`{id}` (docs/domain.md) is not an indicator"));
            assert!(value.is_some(), "`{id}` has no value");
        }
    }
    assert!(rows >= 30, "only {rows} rows read");
}

#[test]
fn figures_recomputed_from_the_csv_files_agree() {
    let report = values(&score("rules"));
    let in_period = |d: &str| ("2025-09-01"..="2026-08-31").contains(&d);

    // contactable: living alumni with a valid e-mail, phone or address,
    // over all alumni.
    let alumni = table("alumni");
    let reachable = alumni
        .iter()
        .filter(|a| a["deceased"] == "false")
        .filter(|a| {
            a["email_valid"] == "true" || a["phone_valid"] == "true" || a["address_valid"] == "true"
        })
        .count();
    let want = reachable as f64 / alumni.len() as f64;
    assert!((report["contactable"].expect("value") - want).abs() < 1e-12);

    // response rate: responded / invited, participations of the period.
    let parts: Vec<_> = table("participations")
        .into_iter()
        .filter(|p| in_period(&p["date"]))
        .collect();
    let responded = parts.iter().filter(|p| p["responded"] == "true").count();
    let invited = parts.iter().filter(|p| p["invited"] == "true").count();
    let want = responded as f64 / invited as f64;
    assert!((report["response_rate"].expect("value") - want).abs() < 1e-12);

    // CASE philanthropic rate: living alumni of record at the end of the
    // fiscal year (recorded by then: the alumni table is a stock) with a
    // money gift in it, each counted once, over living alumni of record.
    let case = values(&score("rules/case-aem"));
    let living: HashSet<&str> = alumni
        .iter()
        .filter(|a| a["deceased"] == "false" && a["recorded"].as_str() <= "2026-06-30")
        .map(|a| a["id"].as_str())
        .collect();
    let contributions = table("contributions");
    let donors: HashSet<&str> = contributions
        .iter()
        .filter(|c| {
            c["kind"] == "money" && ("2025-07-01"..="2026-06-30").contains(&c["date"].as_str())
        })
        .map(|c| c["alumni_id"].as_str())
        .filter(|id| living.contains(id))
        .collect();
    let want = donors.len() as f64 / living.len() as f64;
    assert!((case["philanthropic_rate"].expect("value") - want).abs() < 1e-12);
}

#[test]
fn the_sample_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    alumni_kpi::generate::generate(
        dir.path(),
        &alumni_kpi::generate::GenerateOptions::new(2000, 2026),
    )
    .expect("generates");
    for entry in std::fs::read_dir(root().join("data/sample")).expect("sample") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let fresh =
            std::fs::read(dir.path().join(name)).unwrap_or_else(|_| panic!("{name} not generated"));
        assert!(
            std::fs::read(&path).expect("read") == fresh,
            "data/sample/{name} differs from the generator's"
        );
    }
    assert!(Path::new(&root().join("data/sample/dataset.yaml")).is_file());
}
