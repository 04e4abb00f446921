//! Functions embedders register: checked like built-ins, run by both
//! evaluators.

mod common;

use std::path::Path;

use alumni_kpi::check::{self, Ty};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::native::{NativeFunction, Scalar};
use alumni_kpi::rules::RuleSet;
use common::hand_data;

fn fiscal_year() -> NativeFunction {
    NativeFunction::new("fiscal_year", &[Ty::Date], Ty::Number, |args| {
        use chrono::Datelike;
        match &args[0] {
            Scalar::Date(d) => Scalar::Number(f64::from(d.year() + i32::from(d.month() >= 7))),
            _ => Scalar::Null,
        }
    })
}

fn initials() -> NativeFunction {
    NativeFunction::new("initial", &[Ty::Text], Ty::Text, |args| match &args[0] {
        Scalar::Text(t) => Scalar::Text(t.chars().take(1).collect()),
        _ => Scalar::Null,
    })
}

#[test]
fn native_functions_are_checked_like_builtins() {
    let text = r#"scorecard "N" { population = alumni }
let a = fiscal_year(1, 2)
let b = fiscal_year("2026-01-01")
let c = fiscl_year(2026-01-01)
"#;
    let (rules, _) = RuleSet::from_texts(Path::new("."), &[("n.kpi", text)]);
    let out = check::check_with(&rules, None, &[fiscal_year()]);
    let found: Vec<(&str, usize)> = out
        .diagnostics
        .iter()
        .map(|d| (d.code, d.location(&rules.sources).map_or(0, |l| l.line)))
        .collect();
    assert!(found.contains(&("check::arity", 2)), "{found:?}");
    assert!(found.contains(&("check::type", 3)), "{found:?}");
    assert!(found.contains(&("check::unknown-function", 4)), "{found:?}");
    let hint = out
        .diagnostics
        .iter()
        .find(|d| d.code == "check::unknown-function")
        .and_then(|d| d.help.clone());
    assert_eq!(hint.as_deref(), Some("did you mean `fiscal_year`?"));
}

#[test]
fn native_functions_run_per_row_in_both_evaluators() {
    let text = r#"scorecard "N" { population = alumni  segments = [letter] }
profile alumni { letter = initial(faculty) }
objective o {
  indicator fy26 { value = count(contributions where kind == "money" and fiscal_year(date) == 2026) target = 2 }
  indicator s_faculties { value = count(alumni where letter == "S") target = 2 }
}
"#;
    let (rules, _) = RuleSet::from_texts(Path::new("."), &[("n.kpi", text)]);
    let data = hand_data();
    let natives = [fiscal_year(), initials()];
    let scoring =
        Scoring::with_functions(&rules, &data, &ScoreOptions::default(), &natives).expect("checks");
    assert_eq!(scoring.differences_from_reference(), Vec::<String>::new());
    // Money gifts 2026-01-10 and 2026-02-01 fall in fiscal 2026 (July 2025 –
    // June 2026); the 2025-05-01 one in fiscal 2025.
    assert_eq!(scoring.value("fy26"), Some(serde_json::json!(2)));
    // Science: alumni 3 and 4.
    assert_eq!(scoring.value("s_faculties"), Some(serde_json::json!(2)));
}
