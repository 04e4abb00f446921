//! A dataset built in memory, as a CRM plug-in would hand over its records:
//! alumni as typed columns, event participations as rows of text. The
//! tables are checked as files are; the shipped rules need more tables, so
//! this scores a small rule set of its own.
//!
//! ```sh
//! cargo run --example memory
//! ```

use std::path::Path;
use std::process::ExitCode;

use alumni_kpi::data::Value;
use alumni_kpi::diagnostic::{ErrorFormat, render};
use alumni_kpi::source::SourceMap;
use alumni_kpi::{
    DatasetBuilder, Engine, ReportFormat, RuleSet, ScoreOptions, TableBuilder, WhatIf,
};

const RULES: &str = r#"
scorecard "CRM export" { population = alumni period = 2025-09-01..2026-08-31 }
objective engagement {
  indicator response_rate {
    value = count(participations where responded) / count(participations where invited)
    target = 60%
  }
  indicator members { value = share(alumni where member) target = 50% }
}
"#;

fn main() -> ExitCode {
    let (rules, errors) = RuleSet::from_texts(Path::new("crm"), &[("main.kpi", RULES)]);
    if errors.has_errors() {
        eprint!(
            "{}",
            render(&errors.0, &rules.sources, ErrorFormat::Short, false)
        );
        return ExitCode::FAILURE;
    }
    // Typed columns: numbers, yes/no values and text keep their type.
    let alumni = TableBuilder::new("alumni")
        .column("id", [101, 102, 103, 104])
        .column("member", [true, false, true, false])
        .column("faculty", ["Law", "Science", "Law", "Arts"]);
    // Rows of text, as an export gives them: types are inferred as for a
    // CSV file (`yes`/`no` are yes/no values, `2025-10-02` a date).
    let participations = TableBuilder::from_rows(
        "participations",
        &["id", "alumni_id", "date", "invited", "responded"],
        [
            ["1", "101", "2025-10-02", "yes", "yes"],
            ["2", "102", "2025-10-02", "yes", "no"],
            ["3", "103", "2026-03-15", "yes", "yes"],
            ["4", "104", "2026-03-15", "yes", ""],
        ]
        .map(|row| row.map(|cell| Value::Text(cell.to_string()))),
    );
    let data = match DatasetBuilder::new()
        .table(alumni)
        .table(participations)
        .build()
    {
        Ok(data) => data,
        Err(errors) => {
            eprint!(
                "{}",
                render(&errors.0, &SourceMap::default(), ErrorFormat::Short, false)
            );
            return ExitCode::FAILURE;
        }
    };
    let engine = match Engine::new(rules, data, &ScoreOptions::default()) {
        Ok(engine) => engine,
        Err(e) => {
            eprint!("{}", e.render(ErrorFormat::Short));
            return ExitCode::FAILURE;
        }
    };
    print!("{}", engine.report().render(ReportFormat::Md));
    // Responses weighed twice as much as membership:
    let what_if = WhatIf {
        weights: vec![("response_rate".into(), 2.0)],
        ..WhatIf::default()
    };
    match engine.score(&what_if) {
        Ok(report) => println!("\nWith responses weighing 2: {:?}", report.score),
        Err(e) => eprintln!("{e}"),
    }

    // A mistake is located at the table, row and column.
    let bad = DatasetBuilder::new()
        .table(TableBuilder::from_rows(
            "participations",
            &["id", "date"],
            [
                [Value::from(1), Value::from("2026-02-28")],
                [Value::from(2), Value::from("2026-02-30")],
            ],
        ))
        .build();
    if let Err(errors) = bad {
        println!("\nA bad cell:");
        print!(
            "{}",
            render(&errors.0, &SourceMap::default(), ErrorFormat::Short, false)
        );
    }
    ExitCode::SUCCESS
}
