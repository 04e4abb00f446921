//! A live engine for an embedding application: read the current report at
//! any time (never blocking), and react to each reload.
//!
//! ```sh
//! cargo run --example live -- rules data/sample
//! ```
//! Then edit a file of `rules/` and save: a line per reload is printed.

use alumni_kpi::live::{Event, Live, LiveOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rules = args.get(1).map_or("rules", String::as_str);
    let data = args.get(2).map_or("data/sample", String::as_str);
    let live = match Live::start(LiveOptions::new(rules, data)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "{} error(s) in the rules or the data",
                e.diagnostics.error_count()
            );
            std::process::exit(1);
        }
    };
    println!(
        "score {:?}; edit a rule file and save (Ctrl-C to stop)",
        live.current().report.score
    );
    for event in live.subscribe() {
        match event {
            Event::Scored {
                report,
                latency,
                changed,
                ..
            } => {
                println!(
                    "{changed:?}: score {:?} in {} ms",
                    report.score,
                    latency.as_millis()
                );
            }
            Event::Failed { diagnostics, .. } => {
                println!(
                    "{} error(s); the last report stays: {:?}",
                    diagnostics.error_count(),
                    live.current().report.score
                );
            }
        }
    }
}
