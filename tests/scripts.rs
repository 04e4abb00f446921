//! rhai plugins and inline blocks: results, sandbox, hostile scripts.

mod common;

use std::time::{Duration, Instant};

use alumni_kpi::check;
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::eval::script;
use alumni_kpi::rules::RuleSet;
use common::{hand_data, indicator, root};

fn load(dir: &str) -> RuleSet {
    let (rules, diags) = RuleSet::load_dir(&root().join(dir));
    assert!(diags.is_empty(), "{diags:?}");
    rules
}

#[test]
fn plugin_functions_run_per_row_and_as_scoring_curves() {
    let rules = load("tests/eval/scripts/rules");
    let data = hand_data();
    let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("checks");
    let report = scoring.report();
    // is_senior(year): graduated before 2015: alumni 1 (2010) and 5 (2012).
    let seniors = indicator(&report, "seniors");
    assert_eq!(seniors.value, Some(2.0));
    // soft(2, 4): 2 / 4 = 0.5 is below 60 % of the target: 0.
    assert_eq!(seniors.score, Some(0.0));
    // shout(faculty) == "LAW!": alumni 1 and 2.
    assert_eq!(indicator(&report, "law_labels").value, Some(2.0));
    // The inline block sees params, lets and indicators:
    // doubled (40 × 2 = 80) + members (3) + seniors (2) = 85.
    assert_eq!(indicator(&report, "inline").value, Some(85.0));
    assert_eq!(indicator(&report, "inline").status.code(), "ok");
}

#[test]
fn hostile_scripts_fail_alone_with_their_line_and_the_report_survives() {
    let rules = load("tests/eval/scripts/rules");
    let data = hand_data();
    let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("checks");
    let report = scoring.report();
    for id in [
        "loops",
        "recursion",
        "strings",
        "arrays",
        "maps",
        "inline_loop",
    ] {
        assert_eq!(indicator(&report, id).status.code(), "failed", "{id}");
    }
    // The well-behaved objective is still scored.
    assert!(report.objectives[0].score.is_some());
    let lines: Vec<(String, usize)> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "eval::script")
        .map(|d| (d.file.clone().unwrap_or_default(), d.line.unwrap_or(0)))
        .collect();
    let hostile = "tests/eval/scripts/rules/plugins/hostile.rhai";
    for line in [2, 6, 10, 15, 20] {
        assert!(
            lines
                .iter()
                .any(|(f, l)| f.ends_with(hostile) && *l == line),
            "{line}: {lines:?}"
        );
    }
    // The inline loop points into the rule file.
    assert!(
        lines
            .iter()
            .any(|(f, l)| f.ends_with("scripts.kpi") && *l == 46),
        "{lines:?}"
    );
}

/// Indicators are evaluated in parallel, so scripts fail in any order;
/// the report lists their diagnostics in source order all the same.
#[test]
fn failing_scripts_are_reported_in_the_same_order_every_run() {
    let mut text = String::from("scorecard \"Order\" { population = alumni }\nobjective o {\n");
    for i in 0..8 {
        text.push_str(&format!(
            "  indicator i{i} {{ value = rhai {{ throw \"failure {i}\" }} target = 1 }}\n"
        ));
    }
    text.push_str("}\n");
    let (rules, diags) = RuleSet::from_texts(&root(), &[("order.kpi", text.as_str())]);
    assert!(diags.is_empty(), "{diags:?}");
    let data = hand_data();
    let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("checks");
    let lines = |r: &alumni_kpi::report::Report| -> Vec<usize> {
        r.diagnostics.iter().filter_map(|d| d.line).collect()
    };
    let first = lines(&scoring.report());
    assert_eq!(first, (3..=10).collect::<Vec<_>>());
    for _ in 0..20 {
        assert_eq!(lines(&scoring.report()), first);
    }
}

/// Each hostile script, called on its own, stops within a second.
#[test]
fn each_hostile_script_ends_within_a_second() {
    let mut scripts = script::Scripts::default();
    let text =
        std::fs::read_to_string(root().join("tests/eval/scripts/rules/plugins/hostile.rhai"))
            .expect("plugin");
    scripts
        .add_plugin(alumni_kpi::source::FileId(0), &text)
        .expect("compiles");
    // An endless loop meets the time limit or the operation limit first,
    // depending on the build's speed (debug or release).
    for (name, expected) in [
        ("forever", &["ran out of time", "operations"][..]),
        ("explode", &["nested calls deeper"]),
        ("grow", &["too large a string"]),
        ("huge", &[""]),
    ] {
        let started = Instant::now();
        let err = scripts
            .call(0, name, vec![rhai::Dynamic::from_int(1)])
            .expect_err(name);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(1), "{name} took {took:?}");
        assert!(
            expected.iter().any(|e| err.message.contains(e)),
            "{name}: {}",
            err.message
        );
    }
    // The engine still works afterwards.
    scripts
        .add_plugin(alumni_kpi::source::FileId(1), "fn ok(x) { x * 2 }")
        .expect("compiles");
    let v = scripts
        .call(1, "ok", vec![rhai::Dynamic::from_float(21.0)])
        .expect("runs");
    assert_eq!(v.as_float().ok(), Some(42.0));
}

#[test]
fn scripts_cannot_reach_out() {
    let engine = script::engine();
    for (code, why) in [
        ("import \"os\" as os; 1", "no modules"),
        ("eval(\"1 + 1\")", "no eval"),
        ("open_file(\"/etc/passwd\")", "no files"),
        ("system(\"ls\")", "no processes"),
        ("env(\"HOME\")", "no environment"),
    ] {
        assert!(
            engine.eval::<rhai::Dynamic>(code).is_err(),
            "{why}: `{code}` ran"
        );
    }
    // Printing is swallowed, not written to the terminal.
    assert_eq!(engine.eval::<i64>("print(\"hello\"); 3").ok(), Some(3));
}

#[test]
fn scripts_work_in_yaml_rule_files_with_errors_at_their_line() {
    let rules = load("tests/eval/scripts/yaml");
    let data = hand_data();
    let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("checks");
    let report = scoring.report();
    assert_eq!(indicator(&report, "seniors").value, Some(2.0));
    assert_eq!(indicator(&report, "inline").value, Some(120.0), "40 × 3");
    assert_eq!(indicator(&report, "broken").status.code(), "failed");
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "eval::script")
        .expect("a script diagnostic");
    assert!(d.message.contains("undefined_name"), "{}", d.message);
    // `y + undefined_name` is on line 26 of the YAML file.
    assert_eq!(d.line, Some(26));
}

#[test]
fn the_checker_checks_plugin_calls_and_inline_syntax() {
    let dir = root().join("tests/eval/scripts/rules");
    let text = r#"scorecard "S" { population = alumni }
use "plugins/helpers.rhai"
let a = soft(1)
let b = rhai {
  let x = ;
}
"#;
    let (rules, diags) = RuleSet::from_texts(&dir, &[("t.kpi", text)]);
    assert!(diags.is_empty());
    let out = check::check(&rules, None);
    let codes: Vec<(&str, usize)> = out
        .diagnostics
        .iter()
        .map(|d| (d.code, d.location(&rules.sources).map_or(0, |l| l.line)))
        .collect();
    assert!(codes.contains(&("check::arity", 3)), "{codes:?}");
    assert!(codes.contains(&("check::rhai", 5)), "{codes:?}");
}

#[test]
fn scripts_agree_between_evaluators() {
    let dir = root().join("tests/eval/scripts/rules");
    let text = r#"scorecard "S" { population = alumni  segments = [faculty] }
use "plugins/helpers.rhai"
param k = 2
profile alumni { label = shout(faculty)  senior = is_senior(graduation_year) }
let s = count(alumni where senior)
objective o {
  indicator i { value = rhai { s * k + 1 } target = 5 score = soft(value, target) }
  indicator j { value = count(participations where alumni.label == "ARTS!") target = 2 }
}
"#;
    let (rules, diags) = RuleSet::from_texts(&dir, &[("t.kpi", text)]);
    assert!(diags.is_empty());
    let data = hand_data();
    let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("checks");
    assert_eq!(scoring.differences_from_reference(), Vec::<String>::new());
    // s = 2 seniors: 2 × 2 + 1 = 5.
    assert_eq!(scoring.value("i"), Some(serde_json::json!(5)));
}
