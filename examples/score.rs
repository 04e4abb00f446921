//! Embedding the engine: load the rules and the dataset once, score, and
//! read the figures.
//!
//! ```sh
//! cargo run --example score -- rules data/sample
//! ```

use std::path::Path;
use std::process::ExitCode;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::diagnostic::{ErrorFormat, render};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::rules::RuleSet;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let rules_dir = args.get(1).map_or("rules", String::as_str);
    let data_dir = args.get(2).map_or("data/sample", String::as_str);

    let (rules, errors) = RuleSet::load_dir(Path::new(rules_dir));
    if errors.has_errors() {
        eprint!(
            "{}",
            render(&errors.0, &rules.sources, ErrorFormat::Human, false)
        );
        return ExitCode::FAILURE;
    }
    let options = LoadOptions::for_rules(&rules);
    let data = match Dataset::load(Path::new(data_dir), &options) {
        Ok(d) => d,
        Err(errors) => {
            eprint!(
                "{}",
                render(&errors.0, &rules.sources, ErrorFormat::Short, false)
            );
            return ExitCode::FAILURE;
        }
    };
    // What-if: the same rules with labour valued higher.
    for cost in ["45", "60"] {
        let options = ScoreOptions {
            set: vec![("staff_hour_cost".into(), cost.into())],
            ..ScoreOptions::default()
        };
        let scoring = match Scoring::new(&rules, &data, &options) {
            Ok(s) => s,
            Err(errors) => {
                eprint!(
                    "{}",
                    render(&errors.0, &rules.sources, ErrorFormat::Human, false)
                );
                return ExitCode::FAILURE;
            }
        };
        let report = scoring.report();
        println!("staff hour at {cost} EUR: overall {:?}", report.score);
        for o in &report.objectives {
            println!("  {:<12} {:?}", o.id, o.score);
        }
    }
    ExitCode::SUCCESS
}
