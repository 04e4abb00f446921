//! Registering a Rust function that the rules can call, checked like a
//! built-in.
//!
//! ```sh
//! cargo run --example native
//! ```

use std::path::Path;

use alumni_kpi::check::Ty;
use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::native::{NativeFunction, Scalar};
use alumni_kpi::rules::RuleSet;

fn main() {
    // Fiscal years that start on 1 July, named after the year they end.
    let fiscal_year = NativeFunction::new("fiscal_year", &[Ty::Date], Ty::Number, |args| {
        use chrono::Datelike;
        match &args[0] {
            Scalar::Date(d) => Scalar::Number(f64::from(d.year() + i32::from(d.month() >= 7))),
            _ => Scalar::Null,
        }
    });
    let rules_text = r#"
scorecard "Fiscal" { population = alumni }
objective giving {
  indicator fy26_gifts "Gifts in fiscal year 2026" {
    value = count(contributions where kind == "money" and fiscal_year(date) == 2026)
    target = 2
  }
}
"#;
    let (rules, errors) = RuleSet::from_texts(Path::new("."), &[("fiscal.kpi", rules_text)]);
    assert!(errors.is_empty(), "{errors:?}");
    let data = Dataset::load(
        Path::new("tests/eval/hand/data"),
        &LoadOptions {
            exclude: vec!["peers.csv".into()],
            ..LoadOptions::default()
        },
    )
    .expect("the hand dataset");
    let scoring = Scoring::with_functions(&rules, &data, &ScoreOptions::default(), &[fiscal_year])
        .expect("the rules check, fiscal_year included");
    let report = scoring.report();
    let indicator = &report.objectives[0].indicators[0];
    println!(
        "{}: {:?} (score {:?})",
        indicator.id, indicator.value, indicator.score
    );
}
