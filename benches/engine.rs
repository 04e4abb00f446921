//! Where the time goes: parsing and checking, loading, profiles, segments
//! and whole reports on generated data.
//!
//! `cargo bench --bench engine` (the 1M re-score is in `--bench live`, the
//! rhai plugin call in `--bench scripts`, the DuckDB comparison in
//! `scripts/compare_duckdb.py`).

use std::path::Path;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::rules::RuleSet;
use criterion::{Criterion, criterion_group, criterion_main};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load(dir: &Path) -> Dataset {
    Dataset::load(
        dir,
        &LoadOptions {
            exclude: vec!["peers.csv".into()],
            ..LoadOptions::default()
        },
    )
    .expect("loads")
}

fn rules(text: &str) -> RuleSet {
    let (rules, diags) = RuleSet::from_texts(&root().join("rules"), &[("bench.kpi", text)]);
    assert!(diags.is_empty(), "{diags:?}");
    rules
}

const PROFILES_ONLY: &str = r#"scorecard "P" { population = alumni period = 2025-09-01 .. 2026-08-31 }
profile alumni {
  attended = count(participations where attended)
  hours = sum(contributions.hours where kind in ["time", "skills"])
  engagement = 3 * attended + hours / 4
}
objective o { indicator engaged { value = count(alumni where engagement >= 3) target = 1 } }
"#;

fn bench(c: &mut Criterion) {
    c.bench_function("parse + check the shipped pack", |b| {
        b.iter(|| {
            let (rules, diags) = RuleSet::load_dir(&root().join("rules"));
            assert!(diags.is_empty());
            alumni_kpi::check::check(&rules, None)
        })
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let options = alumni_kpi::generate::GenerateOptions::new(100_000, 1);
    alumni_kpi::generate::generate(dir.path(), &options).expect("generates");
    let mut group = c.benchmark_group("100k alumni");
    group.sample_size(10);
    group.bench_function("load the CSV tables", |b| b.iter(|| load(dir.path())));
    let data = load(dir.path());

    let (pack, diags) = RuleSet::load_dir(&root().join("rules"));
    assert!(diags.is_empty());
    group.bench_function("score the shipped pack (4 segment columns)", |b| {
        b.iter(|| {
            Scoring::new(&pack, &data, &ScoreOptions::default())
                .expect("checks")
                .report()
        })
    });
    let profiles = rules(PROFILES_ONLY);
    group.bench_function("profiles only (3 correlated columns)", |b| {
        b.iter(|| {
            Scoring::new(&profiles, &data, &ScoreOptions::default())
                .expect("checks")
                .report()
        })
    });
    let compare = std::fs::read_to_string(root().join("benches/compare/rules/compare.kpi"))
        .expect("compare pack");
    for (name, text) in [
        (
            "ten indicators, no segment",
            compare.replace("segments = [faculty]", ""),
        ),
        ("ten indicators by faculty (8 values)", compare.clone()),
    ] {
        let r = rules(&text);
        group.bench_function(name, |b| {
            b.iter(|| {
                Scoring::new(&r, &data, &ScoreOptions::default())
                    .expect("checks")
                    .report()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
