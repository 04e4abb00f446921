//! Pushdown (`kpi score --engine postgres|duckdb`) against a real
//! PostgreSQL server and DuckDB files (DuckDB's shell: `KPI_DUCKDB`, as
//! for tests/sql.rs): the report made from the database's answers is the
//! local engine's report on the same database (every figure to 1e-9
//! relative, every status, reason, segment cell, trend point and note),
//! on the shipped packs over the sample and on the generated corpus of
//! the differential test; what has no SQL is computed locally from the
//! rows of the tables it reads, and only those are read.

mod common;

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
    use common::generated::{Case, case_period, cases, cases_to_run};
    let mut local_segments = 0;
    for (case, c) in cases(cases_to_run()).enumerate() {
        let Case {
            dir,
            text,
            rules,
            data: files,
            period,
        } = c;
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

/// Tables made by `sql` in a schema of their own (with `manifest`), and
/// rule `text` with a rhai plugin `plugins/t.rhai` (`plus_one(x)`): the
/// local engine's report on that database, and pushdown's (or the errors
/// of either).
fn local_and_pushed(
    sql: &str,
    manifest: &str,
    text: &str,
) -> (Result<Value, String>, Result<Value, String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("plugins")).expect("plugins");
    std::fs::write(
        dir.path().join("plugins/t.rhai"),
        "fn plus_one(x) { x + 1.0 }\n",
    )
    .expect("plugin");
    let manifest_path = dir.path().join("dataset.yaml");
    std::fs::write(&manifest_path, manifest).expect("manifest");
    let (rules, diags) = RuleSet::from_texts(dir.path(), &[("t.kpi", text)]);
    assert!(!diags.has_errors(), "{diags:?}");
    let mut schema = Schema::new();
    schema.db.execute(sql).expect("the tables");
    let options = ScoreOptions::default();
    let said = |d: alumni_kpi::Diagnostics| {
        d.0.iter()
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let json = |r: alumni_kpi::report::Report| serde_json::to_value(r).expect("JSON");
    let local = schema
        .db
        .dataset(&rules, Some(&manifest_path))
        .map_err(said)
        .and_then(|data| {
            Scoring::new(&rules, &data, &options)
                .map(|s| json(s.report()))
                .map_err(said)
        });
    let mut db = alumni_kpi::sql::postgres::Database::connect(&schema.url()).expect("connects");
    let pushed = db
        .shape(Some(&manifest_path))
        .and_then(|shape| db.pushdown_dataset(&rules, shape, Some(&manifest_path), &options))
        .map_err(said)
        .and_then(|data| {
            let scoring = Scoring::new(&rules, &data, &options).map_err(said)?;
            let (scoring, _) = db.push_down(scoring).map_err(said)?;
            Ok(json(scoring.report()))
        });
    (local, pushed)
}

/// Alumni with a yes/no `member`, events per alumnus with a number `n`.
const ALUMNI_EVENTS: &str = "
CREATE TABLE alumni (id double precision, member boolean, city text);
CREATE TABLE events (id double precision, alumni_id double precision, n double precision);
INSERT INTO alumni VALUES (1, true, 'Paris'), (2, false, 'Paris '), (3, true, ''), (4, NULL, 'Lyon');
INSERT INTO events VALUES (1, 1, 2), (2, 1, 3), (3, 2, 5), (4, 3, 7), (5, 4, 11);
";

/// Found in review: the values of a yes/no segment were read back as
/// text, and a figure computed here (a rhai function over rows) in that
/// segment counted no member: 0 where the local engine counts them.
#[test]
fn review_a_yes_no_segment_of_a_figure_computed_here_counts_its_members() {
    let rules = r#"
use "plugins/t.rhai"
scorecard "T" {
  population = alumni
  segments = [member]
}
objective o {
  weight = 1
  indicator here {
    value = sum(plus_one(events.n))
    target = 10
  }
  indicator there {
    value = sum(events.n)
    target = 10
  }
}
"#;
    let (local, pushed) = local_and_pushed(ALUMNI_EVENTS, "tables: {}\n", rules);
    let (local, pushed) = (local.expect("local"), pushed.expect("pushed"));
    assert_eq!(differences(&local, &pushed), Vec::<String>::new());
    let cell = &pushed["objectives"][0]["indicators"][0]["segments"]["member"]["true"];
    // Alumni 1 and 3: (2+1) + (3+1) + (7+1).
    assert_eq!(cell["value"], 15, "{cell}");
}

/// Found in review: the query compared text as stored, where loading
/// trims it and reads a blank cell as no value: `'Paris '` was not
/// Paris, and `''` was a segment of its own.
#[test]
fn review_blank_and_padded_text_count_as_loading_reads_them() {
    let rules = r#"
scorecard "T" {
  population = alumni
  segments = [city]
}
objective o {
  weight = 1
  indicator parisians {
    value = count(alumni where city == "Paris")
    target = 2
  }
  indicator all_events {
    value = count(events)
    target = 10
  }
}
"#;
    let (local, pushed) = local_and_pushed(ALUMNI_EVENTS, "tables: {}\n", rules);
    let (local, pushed) = (local.expect("local"), pushed.expect("pushed"));
    assert_eq!(differences(&local, &pushed), Vec::<String>::new());
    assert_eq!(pushed["objectives"][0]["indicators"][0]["value"], 2);
    let cities = pushed["objectives"][0]["indicators"][1]["segments"]["city"]
        .as_object()
        .expect("cities");
    assert_eq!(cities.keys().collect::<Vec<_>>(), ["Lyon", "Paris"]);
}

/// Found in review: a key repeated in the database, which loading
/// refuses, was joined twice by the query: its rows counted double.
#[test]
fn review_a_repeated_key_in_the_database_is_refused_as_loading_refuses_it() {
    let sql = format!("{ALUMNI_EVENTS}\nINSERT INTO alumni VALUES (1, true, 'Nice');");
    let rules = r#"
scorecard "T" { population = alumni }
objective o {
  weight = 1
  indicator n {
    value = sum(events.n where alumni.member)
    target = 10
  }
}
"#;
    let (local, pushed) = local_and_pushed(&sql, "tables: {}\n", rules);
    assert!(
        local
            .expect_err("local refuses")
            .contains("data::duplicate-key")
    );
    let err = pushed.expect_err("pushdown refuses");
    assert!(
        err.contains("data::duplicate-key: 1 key(s) of `alumni` are repeated"),
        "{err}"
    );
}

/// Found in review: `NaN` in a number column, which loading refuses,
/// was counted by the database (`NaN > 100` is true there).
#[test]
fn review_nan_in_a_number_column_is_refused_as_loading_refuses_it() {
    let sql = format!("{ALUMNI_EVENTS}\nINSERT INTO events VALUES (6, 4, 'NaN');");
    let rules = r#"
scorecard "T" { population = alumni }
objective o {
  weight = 1
  indicator big {
    value = count(events where n > 100)
    target = 1
  }
}
"#;
    let (local, pushed) = local_and_pushed(&sql, "tables: {}\n", rules);
    assert!(local.is_err(), "{local:?}");
    let err = pushed.expect_err("pushdown refuses");
    assert!(
        err.contains("`NaN` in `events.n` is not a value of a table"),
        "{err}"
    );
}

/// Found in review: a date stored as text was cast by the database's own
/// rules (`01/03/2024` is 3 January under its default date style, 1 March
/// to the manifest's `date_format`): refused under pushdown.
#[test]
fn review_a_text_column_holding_dates_is_refused_under_pushdown() {
    let sql = "
CREATE TABLE alumni (id double precision);
CREATE TABLE gifts (id double precision, alumni_id double precision, date text, amount double precision);
INSERT INTO alumni VALUES (1), (2);
INSERT INTO gifts VALUES (1, 1, '01/03/2024', 10), (2, 2, '15/03/2024', 20);
";
    let manifest = "locale: { date_format: \"%d/%m/%Y\" }\ntables:\n  gifts: { date: date }\n";
    let rules = r#"
scorecard "T" {
  population = alumni
  period = 2024-03-01 .. 2024-03-31
}
objective o {
  weight = 1
  indicator given {
    value = sum(gifts.amount)
    target = 10
  }
}
"#;
    let (local, pushed) = local_and_pushed(sql, manifest, rules);
    assert_eq!(
        local.expect("local")["objectives"][0]["indicators"][0]["value"],
        30
    );
    let err = pushed.expect_err("pushdown refuses");
    assert!(
        err.contains("`gifts.date` is text in the database and holds dates"),
        "{err}"
    );
}

/// Found in review: a count made here (in a list segment, which has no
/// SQL) through a table between its own and the population read that
/// table's shape only: every row related to nobody, the previous period
/// "no baseline".
#[test]
fn review_a_table_between_a_count_here_and_the_population_is_read() {
    let sql = "
CREATE TABLE alumni (id double precision, tags text);
CREATE TABLE accounts (id double precision, alumni_id double precision);
CREATE TABLE gifts (id double precision, account_id double precision, date date, amount double precision);
INSERT INTO alumni VALUES (1, 'a;b'), (2, 'b');
INSERT INTO accounts VALUES (10, 1), (20, 2);
INSERT INTO gifts VALUES (1, 10, '2023-05-01', 5), (2, 20, '2024-05-01', 7), (3, 10, '2024-06-01', 1);
";
    let manifest = "tables:\n  alumni: { columns: { tags: list } }\n";
    let rules = r#"
scorecard "T" {
  population = alumni
  period = 2024-01-01 .. 2024-12-31
  segments = [tags]
}
profile alumni {
  given = sum(gifts.amount)
}
objective o {
  weight = 1
  indicator growth {
    value = avg(alumni.given) - prior(avg(alumni.given))
    target = 1
  }
}
"#;
    let (local, pushed) = local_and_pushed(sql, manifest, rules);
    let (local, pushed) = (local.expect("local"), pushed.expect("pushed"));
    assert_eq!(differences(&local, &pushed), Vec::<String>::new());
    // Alumnus 1 (tag a): 1 given in 2024, 5 in 2023.
    let cell = &pushed["objectives"][0]["indicators"][0]["segments"]["tags"]["a"];
    assert_eq!(cell["value"], -4, "{cell}");
}
