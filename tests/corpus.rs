//! The corpus of rule files: good ones check clean; each bad one states the
//! diagnostics it must produce (`// expect: LINE:COL code` at its end), and
//! its full rendering is a reviewed snapshot.

mod common;

use alumni_kpi::check;
use common::*;

/// `(LINE:COL or -, code)` pairs written in the file.
fn expectations(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let rest = l
                .trim_start()
                .trim_start_matches("//")
                .trim_start_matches('#')
                .trim_start();
            let rest = rest.strip_prefix("expect:")?;
            let mut parts = rest.split_whitespace();
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .collect()
}

fn found(
    rules: &alumni_kpi::rules::RuleSet,
    diags: &alumni_kpi::Diagnostics,
) -> Vec<(String, String)> {
    diags
        .iter()
        .map(|d| {
            let at = d
                .location(&rules.sources)
                .map_or("-".to_string(), |l| format!("{}:{}", l.line, l.column));
            (at, d.code.to_string())
        })
        .collect()
}

fn run_bad(dir: &str, with_data: bool) {
    let schema = with_data.then(corpus_schema);
    let files = corpus(dir);
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut want = expectations(&text);
        assert!(!want.is_empty(), "{} states no expectation", path.display());
        let (rules, diags) = check_file(&path, schema.as_ref());
        let mut got = found(&rules, &diags);
        want.sort();
        got.sort();
        assert_eq!(got, want, "{}:\n{}", path.display(), short(&rules, &diags));
        let name = format!(
            "{dir}__{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("")
        );
        insta::assert_snapshot!(name, human(&rules, &diags));
    }
}

#[test]
fn bad_rule_files_get_their_diagnostics() {
    run_bad("bad", false);
}

#[test]
fn bad_names_against_a_dataset_get_their_diagnostics() {
    run_bad("bad_data", true);
}

#[test]
fn good_rule_files_check_clean_against_the_corpus_dataset() {
    let schema = corpus_schema();
    for path in corpus("good") {
        let (rules, diags) = check_file(&path, Some(&schema));
        assert!(
            diags.is_empty(),
            "{}:\n{}",
            path.display(),
            short(&rules, &diags)
        );
    }
}

#[test]
fn the_shipped_rules_check_clean_with_and_without_data() {
    let (rules, diags) = alumni_kpi::rules::RuleSet::load_dir(&root().join("rules"));
    assert!(diags.is_empty(), "{}", short(&rules, &diags));
    let (sample, diags) =
        alumni_kpi::data::Schema::read(&root().join("data/sample"), &["peers.csv"]);
    assert!(diags.is_empty(), "{diags:?}");
    for schema in [None, Some(sample)] {
        let out = check::check(&rules, schema.as_ref());
        assert!(
            out.diagnostics.is_empty(),
            "{}",
            short(&rules, &out.diagnostics)
        );
    }
}

#[test]
fn the_evaluation_order_puts_every_name_after_what_it_uses() {
    let path = root().join("tests/corpus/good/language_tour.kpi");
    let (_, diags) = check_file(&path, None);
    assert!(diags.is_empty());
    let text = std::fs::read_to_string(&path).expect("readable");
    let dir = path.parent().expect("dir");
    let (rules, _) = alumni_kpi::rules::RuleSet::from_texts(dir, &[("tour.kpi", text.as_str())]);
    let out = check::check(&rules, None);
    let order: Vec<&str> = out.order.iter().map(|id| out.names[id].as_str()).collect();
    let at = |name: &str| {
        order
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{name} not in {order:?}"))
    };
    for (before, after) in [
        ("alumni.events_attended", "alumni.engagement"),
        ("alumni.hours_given", "alumni.engagement"),
        ("alumni.engagement", "alumni.tier"),
        ("alumni.tier", "events.leaders_present"),
        ("alumni.tier", "engaged"),
        ("total_cost", "cost_per_engaged"),
        ("engaged", "cost_per_engaged"),
        ("staff_hour_cost", "total_cost"),
    ] {
        assert!(
            at(before) < at(after),
            "{before} should come before {after}: {order:?}"
        );
    }
    let mut unique = order.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), order.len(), "each declaration once");
}
