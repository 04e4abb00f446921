//! A web service's use of the engine, without the web: one `Engine`
//! (rules and data loaded, checked and compiled once) shared by worker
//! threads, each answering "what if" questions as they come.
//!
//! ```sh
//! cargo run --release --example whatif -- rules data/sample
//! ```

use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::diagnostic::{ErrorFormat, render};
use alumni_kpi::engine::{Engine, ScoreOptions, WhatIf};
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
        Ok(data) => data,
        Err(errors) => {
            eprint!(
                "{}",
                render(&errors.0, &Default::default(), ErrorFormat::Human, false)
            );
            return ExitCode::FAILURE;
        }
    };
    let engine = match Engine::new(rules, data, &ScoreOptions::default()) {
        Ok(engine) => engine,
        Err(e) => {
            eprint!("{}", e.render(ErrorFormat::Human));
            return ExitCode::FAILURE;
        }
    };
    let base = engine.report().score.unwrap_or_default();
    println!("as the rules stand: {base:.1}");

    // The questions a board might ask, as a service would receive them.
    let questions: Vec<(&str, WhatIf)> = vec![
        (
            "cost weighs double",
            WhatIf {
                weights: vec![("cost".into(), 30.0)],
                ..WhatIf::default()
            },
        ),
        (
            "an hour of staff time costs 60",
            WhatIf {
                set: vec![("staff_hour_cost".into(), "60".into())],
                ..WhatIf::default()
            },
        ),
        (
            "the year before",
            WhatIf {
                period: chrono::NaiveDate::from_ymd_opt(2024, 9, 1)
                    .zip(chrono::NaiveDate::from_ymd_opt(2025, 8, 31)),
                ..WhatIf::default()
            },
        ),
        (
            "a typo",
            WhatIf {
                weights: vec![("costs".into(), 1.0)],
                ..WhatIf::default()
            },
        ),
    ];
    let (ask, inbox) = mpsc::channel::<(usize, WhatIf)>();
    let inbox = std::sync::Mutex::new(inbox);
    let (answer, answers) = mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..2 {
            // A clone is one more handle on the same compiled engine.
            let engine = engine.clone();
            let (inbox, answer) = (&inbox, answer.clone());
            s.spawn(move || {
                while let Ok((n, what_if)) = inbox.lock().map_or(Err(mpsc::RecvError), |r| r.recv())
                {
                    let _ = answer.send((n, engine.score(&what_if)));
                }
            });
        }
        for (n, (_, what_if)) in questions.iter().enumerate() {
            let _ = ask.send((n, what_if.clone()));
        }
        drop(ask);
        drop(answer);
        let mut replies: Vec<_> = answers.iter().collect();
        replies.sort_by_key(|(n, _)| *n);
        for (n, reply) in replies {
            let question = questions[n].0;
            match reply {
                Ok(report) => println!("{question}: {:.1}", report.score.unwrap_or_default()),
                Err(errors) => {
                    let messages: Vec<String> = errors
                        .0
                        .iter()
                        .map(|d| format!("{} ({})", d.message, d.help.clone().unwrap_or_default()))
                        .collect();
                    println!("{question}: {}", messages.join("; "));
                }
            }
        }
    });
    ExitCode::SUCCESS
}
