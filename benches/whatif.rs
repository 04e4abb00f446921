//! What-ifs on a shared `Engine` against a fresh `kpi score` of the same,
//! on 1,000,000 generated alumni and the shipped pack: the figure an
//! embedder (a web service answering "what if cost weighed double?") gets
//! per question.
//!
//! `cargo bench --bench whatif` (prints medians of 5 runs; about a minute)

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{median, time};

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{Engine, ScoreOptions, WhatIf};
use alumni_kpi::rules::RuleSet;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("temp dir");
    let options = alumni_kpi::generate::GenerateOptions::new(1_000_000, 1);
    alumni_kpi::generate::generate(dir.path(), &options).expect("generates");
    let report = dir.path().join("report.json");

    let fresh = time(5, || {
        let status = Command::new(env!("CARGO_BIN_EXE_kpi"))
            .arg("score")
            .arg("--rules")
            .arg(root.join("rules"))
            .arg("--data")
            .arg(dir.path())
            .args(["--set", "staff_hour_cost=50", "-q", "-o"])
            .arg(&report)
            .status()
            .expect("runs");
        assert!(status.success());
    });
    println!("1M alumni, fresh `kpi score --set staff_hour_cost=50 -o report.json`: {fresh:.2?}");

    let start = Instant::now();
    let (rules, errors) = RuleSet::load_dir(&root.join("rules"));
    assert!(!errors.has_errors());
    let data = Dataset::load(dir.path(), &LoadOptions::default()).expect("loads");
    let engine = Engine::new(rules, data, &ScoreOptions::default()).expect("checks");
    println!(
        "1M alumni, Engine::new (load, check, compile; once): {:.2?}",
        start.elapsed()
    );

    // Warm: the first scorings take fresh pages from the system.
    for _ in 0..2 {
        engine.report();
    }
    let weights = WhatIf {
        weights: vec![("cost".into(), 30.0)],
        ..WhatIf::default()
    };
    let t = time(5, || engine.score(&weights).expect("scores"));
    println!("1M alumni, engine.score(weights: cost 30): {t:.2?}");
    let set = WhatIf {
        set: vec![("staff_hour_cost".into(), "50".into())],
        ..WhatIf::default()
    };
    let t = time(5, || engine.score(&set).expect("scores"));
    println!("1M alumni, engine.score(set: staff_hour_cost=50, compiled again): {t:.2?}");
    let t = time(5, || {
        serde_json::to_string(&engine.score(&set).expect("scores")).expect("json")
    });
    println!("1M alumni, the same with the report as JSON: {t:.2?}");
    let period = WhatIf {
        period: Some((
            chrono::NaiveDate::from_ymd_opt(2024, 9, 1).expect("day"),
            chrono::NaiveDate::from_ymd_opt(2025, 8, 31).expect("day"),
        )),
        ..WhatIf::default()
    };
    let t = time(5, || engine.score(&period).expect("scores"));
    println!("1M alumni, engine.score(period: the year before): {t:.2?}");

    // Cancelled from another thread 20 ms in: how long until the call
    // returns (the report is given up between indicators).
    // The median of the measured latencies (not of the whole run, which
    // holds the 20 ms wait).
    let t = median(
        (0..5)
            .map(|_| {
                let cancel = alumni_kpi::Cancel::new();
                let asked = WhatIf {
                    cancel: Some(cancel.clone()),
                    ..WhatIf::default()
                };
                std::thread::scope(|s| {
                    let run = s.spawn(|| {
                        let r = engine.score(&asked);
                        (r.is_err(), Instant::now())
                    });
                    std::thread::sleep(Duration::from_millis(20));
                    let at = Instant::now();
                    cancel.cancel();
                    let (given_up, returned) = run.join().expect("joins");
                    assert!(given_up, "cancelled 20 ms into a report");
                    returned.saturating_duration_since(at)
                })
            })
            .collect(),
    );
    println!(
        "1M alumni, cancel 20 ms into a report: returned {t:.2?} after the cancel (median run)"
    );
}
