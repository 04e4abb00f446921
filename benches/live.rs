//! Hot reload figures:
//! - re-scoring with the data already loaded, on 1,000,000 generated
//!   alumni and the shipped pack;
//! - save-to-report latency of `Live` (a rule file saved → the new report
//!   published, debounce included) on those 1,000,000 alumni and on the
//!   shipped sample.
//!
//! `cargo bench --bench live`

use std::path::Path;
use std::time::{Duration, Instant};

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::live::{Event, Live, LiveOptions};
use alumni_kpi::rules::RuleSet;
use criterion::{Criterion, criterion_group, criterion_main};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Save → new report latency of `Live` (debounce included): `rules` and
/// `data` are copied to a temporary directory, then a rule file is saved
/// again and again with a changed target.
fn save_latency(c: &mut Criterion, group: &str, rules: &Path, data: &Path) {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(rules, &dir.path().join("rules"));
    copy_dir(data, &dir.path().join("data"));
    let live = Live::start(LiveOptions::new(
        dir.path().join("rules"),
        dir.path().join("data"),
    ))
    .expect("starts");
    let events = live.subscribe();
    let file = dir.path().join("rules/engagement.kpi");
    let original = std::fs::read_to_string(&file).expect("read");
    let mut target = 4.2;
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    group.bench_function("save to new report (debounce 50 ms included)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                target += 0.001;
                let text = original.replace("target = 4.2", &format!("target = {target:.3}"));
                let saved = Instant::now();
                std::fs::write(&file, text).expect("save");
                let event = events
                    .recv_timeout(Duration::from_secs(30))
                    .expect("a reload");
                if let Event::Failed { diagnostics, .. } = event {
                    panic!("{diagnostics:?}");
                }
                total += saved.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn save_to_report(c: &mut Criterion) {
    save_latency(
        c,
        "sample",
        &root().join("rules"),
        &root().join("data/sample"),
    );
}

/// The re-score alone (a fresh process: it runs first), with the default
/// trend (this period and the one before) and with one period, then the
/// same data under `Live`, as `kpi watch` runs it.
fn rescore_1m(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = alumni_kpi::generate::GenerateOptions::new(1_000_000, 1);
    alumni_kpi::generate::generate(dir.path(), &options).expect("generates");
    let (rules, diags) = RuleSet::load_dir(&root().join("rules"));
    assert!(diags.is_empty());
    let data = Dataset::load(
        dir.path(),
        &LoadOptions {
            exclude: vec!["peers.csv".into()],
            ..LoadOptions::default()
        },
    )
    .expect("loads");
    let mut group = c.benchmark_group("1M alumni");
    group.sample_size(10);
    group.bench_function("re-score the shipped pack, data loaded", |b| {
        b.iter(|| {
            let scoring = Scoring::new(&rules, &data, &ScoreOptions::default()).expect("checks");
            scoring.report()
        })
    });
    // The cost of the default trend: the same without the year before.
    let one = ScoreOptions {
        periods: Some(1),
        ..ScoreOptions::default()
    };
    group.bench_function("re-score the shipped pack, one period (no trend)", |b| {
        b.iter(|| {
            let scoring = Scoring::new(&rules, &data, &one).expect("checks");
            scoring.report()
        })
    });
    group.finish();
    drop(data);
    save_latency(c, "1M alumni, kpi watch", &root().join("rules"), dir.path());
}

criterion_group!(benches, rescore_1m, save_to_report);
criterion_main!(benches);
