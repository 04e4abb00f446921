//! rhai plugin calls over 1,000,000 rows, against the same filter written
//! in the rule language (which must pay nothing for rhai).
//!
//! `cargo bench --bench scripts`

use std::fmt::Write as _;
use std::path::Path;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::rules::RuleSet;
use criterion::{Criterion, criterion_group, criterion_main};

const ROWS: usize = 1_000_000;

fn dataset(dir: &Path) -> Dataset {
    let mut csv = String::with_capacity(ROWS * 24);
    csv.push_str("id,graduation_year,faculty\n");
    let faculties = ["Law", "Science", "Arts", "Medicine"];
    for i in 0..ROWS {
        let _ = writeln!(
            csv,
            "{},{},{}",
            i + 1,
            1970 + (i * 7919) % 55,
            faculties[i % 4]
        );
    }
    std::fs::write(dir.join("alumni.csv"), csv).expect("write");
    Dataset::load(dir, &LoadOptions::default()).expect("load")
}

fn rules(value: &str) -> RuleSet {
    let text = format!(
        "scorecard \"Bench\" {{ population = alumni }}\nuse \"plugins/helpers.rhai\"\n\
         objective o {{ indicator seniors {{ value = {value} target = 1 }} }}\n"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval/scripts/rules");
    let (rules, diags) = RuleSet::from_texts(&root, &[("bench.kpi", text.as_str())]);
    assert!(diags.is_empty(), "{diags:?}");
    rules
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dataset(dir.path());
    let mut group = c.benchmark_group("1M rows");
    group.sample_size(10);
    for (name, value) in [
        (
            "rhai plugin is_senior(year)",
            "count(alumni where is_senior(graduation_year))",
        ),
        (
            "same filter in the rule language",
            "count(alumni where graduation_year < 2015)",
        ),
    ] {
        let rules = rules(value);
        let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("checks");
        let expected = scoring.value("seniors").and_then(|v| v.as_f64());
        group.bench_function(name, |b| {
            b.iter(|| {
                // A fresh evaluation each time: nothing cached.
                let report = scoring.report();
                assert_eq!(report.objectives[0].indicators[0].value, expected);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
