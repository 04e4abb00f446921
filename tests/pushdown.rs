//! Pushdown (`kpi score --engine postgres|duckdb`) against a real
//! PostgreSQL server and DuckDB files (DuckDB's shell: `KPI_DUCKDB`, as
//! for tests/sql.rs): the report made from the database's answers is the
//! local engine's report on the same database (every figure to 1e-9
//! relative, every status, reason, segment cell, trend point and note),
//! on the shipped packs over the sample and on the generated corpus of
//! the differential test; what has no SQL is computed locally from the
//! rows of the tables it reads, and only those are read.

mod common;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::rules::RuleSet;
use alumni_kpi::sql::Source as _;
use alumni_kpi::sql::duckdb::DuckDb;
use common::postgres::{Schema, sample_in_postgres};
use common::{kpi, root, succeeds};
use serde_json::Value;

/// Where two reports differ (numbers to 1e-9 relative), but for the
/// `dataset` section: how the tables were read, not what.
fn differences(a: &Value, b: &Value) -> Vec<String> {
    fn walk(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    if at.is_empty() && k == "dataset" {
                        continue;
                    }
                    match (x.get(k), y.get(k)) {
                        (Some(p), Some(q)) => walk(p, q, &format!("{at}/{k}"), out),
                        _ => out.push(format!("{at}/{k}: only in one")),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    walk(p, q, &format!("{at}[{i}]"), out);
                }
            }
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                if (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0) {
                    out.push(format!("{at}: {x} against {y}"));
                }
            }
            _ if a == b => {}
            _ => out.push(format!("{at}: {a} against {b}")),
        }
    }
    let mut out = Vec::new();
    walk(a, b, "", &mut out);
    out
}

/// The JSON report of `kpi score` over the sample in the database
/// `data` names, with or without pushdown, and what it said on stderr.
fn scored(data: &str, rules: &str, engine: Option<&str>, extra: &[&str]) -> (Value, String) {
    let mut cmd = kpi();
    cmd.args(["score", "--rules", rules, "--data", data])
        .args(["--manifest", "data/sample/dataset.yaml", "--format", "json"])
        .args(extra);
    if let Some(e) = engine {
        cmd.args(["--engine", e]);
    }
    let out = succeeds(&mut cmd);
    let report = serde_json::from_slice(&out.stdout).expect("a JSON report");
    (report, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The sample in a DuckDB file of its own.
fn sample_in_duckdb(rules_dir: &str) -> (tempfile::TempDir, String) {
    let (_, data) = common::postgres::sample(rules_dir);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("sample.duckdb");
    DuckDb::create(&file, &data).expect("the sample in DuckDB");
    (dir, file.display().to_string())
}

#[test]
fn kpi_score_pushed_down_gives_the_local_engines_report() {
    for (dir, local_ones) in [("rules", 3), ("rules/case-aem", 0)] {
        let (schema, ..) = sample_in_postgres(dir);
        let (_keep, file) = sample_in_duckdb(dir);
        // A trend of three periods: `prior(..)` and the earlier periods
        // are asked of the database too.
        let extra = ["--periods", "3"];
        for (data, engine) in [(schema.url(), "postgres"), (file.clone(), "duckdb")] {
            let (local, _) = scored(&data, dir, None, &extra);
            let (pushed, said) = scored(&data, dir, Some(engine), &extra);
            let diffs = differences(&local, &pushed);
            assert!(diffs.is_empty(), "{dir} on {engine}: {diffs:#?}");
            // What has no SQL (a rhai function over survey answers) is
            // computed here, and said to be, once per indicator.
            assert_eq!(
                said.matches("is computed here").count(),
                local_ones,
                "{dir}: {said}"
            );
        }
        // Not a comparison of two empty reports.
        let (local, _) = scored(&schema.url(), dir, None, &[]);
        let cells: usize = local["objectives"]
            .as_array()
            .expect("objectives")
            .iter()
            .flat_map(|o| o["indicators"].as_array().expect("indicators"))
            .map(|i| {
                i["segments"].as_object().map_or(0, |s| {
                    s.values()
                        .map(|v| v.as_object().map_or(0, |v| v.len()))
                        .sum()
                })
            })
            .sum();
        assert!(cells >= 50, "{dir}: only {cells} segment cells");
    }
}

#[test]
fn pushdown_reads_the_rows_only_of_what_it_computes_locally() {
    let (mut schema, rules, _) = sample_in_postgres("rules");
    let manifest = root().join("data/sample/dataset.yaml");
    let options = ScoreOptions::default();
    let shape = schema.db.shape(Some(&manifest)).expect("the shape");
    assert!(shape.tables.values().all(|t| t.len == 0));
    let data = schema
        .db
        .pushdown_dataset(&rules, shape, Some(&manifest), &options)
        .expect("the dataset");
    let rows = |t: &str| data.tables[t].len;
    // The rhai functions read survey answers and events, and the survey
    // answers are broken down by the alumni's tier: those rows are here.
    // The tier itself (a profile counting participations, gifts,
    // mentoring, connections) is computed in the database: the
    // communication log and the rest stay there.
    assert_eq!(
        (rows("survey"), rows("events"), rows("alumni")),
        (880, 24, 2000)
    );
    for t in [
        "participations",
        "contributions",
        "mentoring",
        "connections",
    ] {
        assert_eq!(rows(t), 0, "{t} was read");
    }
    let scoring = Scoring::new(&rules, &data, &options).expect("scores");
    let (scoring, notes) = schema.db.push_down(scoring).expect("pushed down");
    assert_eq!(notes.len(), 3, "{notes:#?}");
    let report = scoring.report();
    // The report counts the rows the database holds.
    assert_eq!(report.rows["participations"], 4_556, "{:?}", report.rows);
}

#[test]
fn the_generated_corpus_reports_agree_pushed_down() {
    use common::generated::{case_period, data, rules, write_dataset};
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let cases = (
        data(),
        proptest::collection::vec(0usize..1000, 25),
        0usize..3,
    );
    let count = std::env::var("KPI_SQL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let mut local_segments = 0;
    for case in 0..count {
        let (d, choices, period) = cases.new_tree(&mut runner).expect("a case").current();
        let dir = tempfile::tempdir().expect("temp dir");
        write_dataset(dir.path(), &d);
        let text = rules(&choices);
        let (rules, diags) = RuleSet::from_texts(dir.path(), &[("diff.kpi", text.as_str())]);
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        let files = Dataset::load(dir.path(), &LoadOptions::default()).expect("loads");
        let options = ScoreOptions {
            period: case_period(period),
            periods: Some(2),
            ..ScoreOptions::default()
        };
        let mut schema = Schema::new();
        schema.db.copy_in(&files).expect("copied in");
        let manifest = dir.path().join("dataset.yaml");
        // The local engine's report on the same database.
        let whole = schema.db.dataset(&rules, Some(&manifest)).expect("read");
        let local = Scoring::new(&rules, &whole, &options)
            .expect("scores")
            .report();
        let shape = schema.db.shape(Some(&manifest)).expect("the shape");
        let data = schema
            .db
            .pushdown_dataset(&rules, shape, Some(&manifest), &options)
            .expect("the dataset");
        let scoring = Scoring::new(&rules, &data, &options).expect("scores");
        let (scoring, notes) = schema.db.push_down(scoring).expect("pushed down");
        // `tags` is a list column: no SQL breaks it down, so it is broken
        // down here, from the rows.
        local_segments += notes
            .iter()
            .filter(|d| d.message.contains("segment `tags`"))
            .count();
        let pushed = scoring.report();
        let diffs = differences(
            &serde_json::to_value(&local).expect("JSON"),
            &serde_json::to_value(&pushed).expect("JSON"),
        );
        assert!(
            diffs.is_empty(),
            "case {case} on PostgreSQL: {diffs:#?}\n{text}"
        );
        // DuckDB, one case in five (its shell starts for each query).
        if case % 5 == 0 {
            let file = dir.path().join("case.duckdb");
            let mut duck = DuckDb::create(&file, &files).expect("in DuckDB");
            let whole = duck.dataset(&rules, Some(&manifest)).expect("read");
            let local = Scoring::new(&rules, &whole, &options)
                .expect("scores")
                .report();
            let shape = duck.shape(Some(&manifest)).expect("the shape");
            let data = duck
                .pushdown_dataset(&rules, shape, Some(&manifest), &options)
                .expect("the dataset");
            let scoring = Scoring::new(&rules, &data, &options).expect("scores");
            let (scoring, _) = duck.push_down(scoring).expect("pushed down");
            let diffs = differences(
                &serde_json::to_value(&local).expect("JSON"),
                &serde_json::to_value(scoring.report()).expect("JSON"),
            );
            assert!(
                diffs.is_empty(),
                "case {case} on DuckDB: {diffs:#?}\n{text}"
            );
        }
    }
    assert!(
        local_segments > 0,
        "the list segment was never computed here"
    );
}

#[test]
fn engine_postgres_needs_a_database_and_refuses_what_lists_rows() {
    let usage = |args: &[&str], says: &str| {
        let out = kpi()
            .args(["score", "--engine", "postgres"])
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    };
    usage(&[], "give --data postgresql://");
    let out = kpi()
        .args(["score", "--engine", "duckdb"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --data FILE.duckdb"));
    let url = "postgresql:///postgres?host=/var/run/postgresql";
    usage(&["--data", url, "--explain"], "--explain lists rows");
    usage(
        &["--data", url, "--profiles", "p.csv"],
        "--profiles writes a row per person",
    );
}

#[test]
fn a_duckdb_file_that_is_not_there_is_said_to_be_missing() {
    // Opening a misspelt name would make a new, empty database: refused.
    let out = kpi()
        .args([
            "score",
            "--engine",
            "duckdb",
            "--data",
            "no/such/alumni.duckdb",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("there is no DuckDB database at `no/such/alumni.duckdb`"),
        "{err}"
    );
    assert!(!std::path::Path::new("no/such/alumni.duckdb").exists());
}
