//! The owned `Engine` an embedder shares between threads: what-ifs give
//! the figures a fresh scoring with the same options gives, without
//! loading or checking again.

use std::path::Path;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{Engine, ScoreOptions, Scoring, WhatIf};
use alumni_kpi::report::Report;
use alumni_kpi::rules::RuleSet;
use chrono::NaiveDate;

fn inputs(rules: &str, data: &str) -> (RuleSet, Dataset) {
    let (rules, errors) = RuleSet::load_dir(Path::new(rules));
    assert!(!errors.has_errors(), "{errors:?}");
    let data =
        Dataset::load(Path::new(data), &LoadOptions::for_rules(&rules)).expect("the dataset");
    (rules, data)
}

fn hand() -> Engine {
    let (rules, data) = inputs("tests/eval/hand/rules", "tests/eval/hand/data");
    Engine::new(rules, data, &ScoreOptions::default()).expect("checks")
}

/// What a fresh scoring with these options reports.
fn fresh(rules: &str, data: &str, options: &ScoreOptions) -> Report {
    let (rules, data) = inputs(rules, data);
    Scoring::new(&rules, &data, options)
        .expect("checks")
        .report()
}

fn json(report: &Report) -> String {
    serde_json::to_string(report).expect("serialises")
}

#[test]
fn weights_change_the_overall_score_as_computed_by_hand() {
    let engine = hand();
    let base = engine.report();
    // Engagement 78.125 weighs 3, cost 86.25 weighs 1.
    assert_eq!(base.score, Some((3.0 * 78.125 + 86.25) / 4.0));
    let even = engine
        .score(&WhatIf {
            weights: vec![("engagement".into(), 1.0)],
            ..WhatIf::default()
        })
        .expect("scores");
    assert_eq!(even.score, Some((78.125 + 86.25) / 2.0));
    assert_eq!(even.objectives[0].weight, 1.0);
    assert_ne!(
        even.revision, base.revision,
        "another weighting is another revision"
    );
    // An indicator weight: the response rate (100, weight 2) weighs 0, so
    // engagement is (50 + 62.5) / 2 over satisfaction and members (gifts
    // has no data).
    let no_rate = engine
        .score(&WhatIf {
            weights: vec![("response_rate".into(), 0.0)],
            ..WhatIf::default()
        })
        .expect("scores");
    assert_eq!(no_rate.objectives[0].score, Some((50.0 + 62.5) / 2.0));
    // The engine itself is unchanged.
    assert_eq!(json(&engine.report()), json(&base));
}

#[test]
fn a_what_if_equals_a_fresh_scoring_with_the_same_options() {
    let engine = hand();
    let period = (
        NaiveDate::from_ymd_opt(2024, 9, 1).expect("a day"),
        NaiveDate::from_ymd_opt(2025, 8, 31).expect("a day"),
    );
    let what_if = WhatIf {
        set: vec![("staff_hour_cost".into(), "55".into())],
        period: Some(period),
        explain: true,
        ..WhatIf::default()
    };
    let options = ScoreOptions {
        period: Some(period),
        set: what_if.set.clone(),
        explain: true,
        ..ScoreOptions::default()
    };
    let expected = fresh("tests/eval/hand/rules", "tests/eval/hand/data", &options);
    assert_eq!(
        json(&engine.score(&what_if).expect("scores")),
        json(&expected)
    );
    // The period alone reuses the plan and still agrees.
    let period_only = WhatIf {
        period: Some(period),
        ..WhatIf::default()
    };
    let expected = fresh(
        "tests/eval/hand/rules",
        "tests/eval/hand/data",
        &ScoreOptions {
            period: Some(period),
            ..ScoreOptions::default()
        },
    );
    assert_eq!(
        json(&engine.score(&period_only).expect("scores")),
        json(&expected)
    );
}

#[test]
fn what_if_mistakes_are_errors_that_say_what_to_write() {
    let engine = hand();
    let error = |what_if: WhatIf| {
        let errors = engine.score(&what_if).expect_err("an error");
        errors
            .0
            .iter()
            .map(|d| format!("{}: {} {:?}", d.code, d.message, d.help))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let e = error(WhatIf {
        weights: vec![("engagment".into(), 2.0)],
        ..WhatIf::default()
    });
    assert!(
        e.contains("set::weight: there is no objective or indicator `engagment`"),
        "{e}"
    );
    assert!(e.contains("did you mean `engagement`?"), "{e}");
    let e = error(WhatIf {
        weights: vec![("cost".into(), -1.0), ("members".into(), f64::NAN)],
        ..WhatIf::default()
    });
    assert_eq!(e.matches("set::weight").count(), 2, "{e}");
    let e = error(WhatIf {
        set: vec![("staff_hour_cots".into(), "1".into())],
        ..WhatIf::default()
    });
    assert!(e.contains("set::unknown-param"), "{e}");
}

#[test]
fn threads_share_one_engine_and_get_what_each_asked() {
    let engine = hand();
    let asks: Vec<f64> = (0..8).map(|n| n as f64).collect();
    // The overall score when cost weighs `w`.
    let ask = |engine: &Engine, w: f64| {
        engine
            .score(&WhatIf {
                weights: vec![("cost".into(), w)],
                ..WhatIf::default()
            })
            .expect("scores")
            .score
    };
    let alone: Vec<Option<f64>> = asks.iter().map(|&w| ask(&engine, w)).collect();
    let together: Vec<Option<f64>> = std::thread::scope(|s| {
        let handles: Vec<_> = asks
            .iter()
            .map(|&w| {
                let engine = engine.clone();
                s.spawn(move || ask(&engine, w))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a thread"))
            .collect()
    });
    assert_eq!(together, alone);
    // Cost weighing 0 leaves engagement alone.
    assert_eq!(alone[0], Some(78.125));
}

#[test]
fn the_shipped_pack_what_if_equals_kpi_score_set() {
    let (rules, data) = inputs("rules", "data/sample");
    let engine = Engine::new(rules, data, &ScoreOptions::default()).expect("checks");
    let set = vec![("staff_hour_cost".to_string(), "50".to_string())];
    let what_if = engine
        .score(&WhatIf {
            set: set.clone(),
            ..WhatIf::default()
        })
        .expect("scores");
    let expected = fresh(
        "rules",
        "data/sample",
        &ScoreOptions {
            set,
            ..ScoreOptions::default()
        },
    );
    assert_eq!(json(&what_if), json(&expected));
    assert_ne!(
        what_if.score,
        engine.report().score,
        "a dearer hour changes the cost figures"
    );
}

#[test]
fn a_param_set_again_takes_its_new_value_and_revision() {
    let (rules, data) = inputs("tests/eval/hand/rules", "tests/eval/hand/data");
    let first = ScoreOptions {
        set: vec![("staff_hour_cost".into(), "45".into())],
        ..ScoreOptions::default()
    };
    let engine = Engine::new(rules, data, &first).expect("checks");
    let again = engine
        .score(&WhatIf {
            set: vec![("staff_hour_cost".into(), "55".into())],
            ..WhatIf::default()
        })
        .expect("scores");
    let expected = fresh(
        "tests/eval/hand/rules",
        "tests/eval/hand/data",
        &ScoreOptions {
            set: vec![("staff_hour_cost".into(), "55".into())],
            ..ScoreOptions::default()
        },
    );
    assert_eq!(again.params["staff_hour_cost"], 55);
    assert_eq!(json(&again), json(&expected));
}

#[test]
fn a_weight_read_from_a_param_follows_the_param_a_what_if_sets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string("tests/eval/hand/rules/hand.kpi").expect("read");
    let text = text.replace(
        "param staff_hour_cost = 40",
        "param staff_hour_cost = 40\nparam cost_weight = 1",
    );
    let text = text.replacen(
        "objective cost \"Cost\" {\n  weight = 1",
        "objective cost \"Cost\" {\n  weight = cost_weight",
        1,
    );
    assert!(
        text.contains("weight = cost_weight"),
        "the hand rules changed"
    );
    std::fs::write(dir.path().join("hand.kpi"), text).expect("write");
    let rules = dir.path().to_str().expect("a UTF-8 path").to_string();
    let (r, d) = inputs(&rules, "tests/eval/hand/data");
    let engine = Engine::new(r, d, &ScoreOptions::default()).expect("checks");
    assert_eq!(engine.report().score, Some((3.0 * 78.125 + 86.25) / 4.0));
    let set = WhatIf {
        set: vec![("cost_weight".into(), "3".into())],
        ..WhatIf::default()
    };
    let report = engine.score(&set).expect("scores");
    assert_eq!(report.objectives[1].weight, 3.0);
    assert_eq!(report.score, Some((3.0 * 78.125 + 3.0 * 86.25) / 6.0));
    let expected = fresh(
        &rules,
        "tests/eval/hand/data",
        &ScoreOptions {
            set: set.set.clone(),
            ..ScoreOptions::default()
        },
    );
    assert_eq!(json(&report), json(&expected));
    // A what-if weight wins over the param, whichever came first.
    let both = engine
        .score(&WhatIf {
            weights: vec![("cost".into(), 0.0)],
            ..set
        })
        .expect("scores");
    assert_eq!(both.score, Some(78.125));
}

#[test]
fn notes_follow_the_weights_of_a_what_if() {
    let engine = hand();
    let none = engine
        .score(&WhatIf {
            weights: vec![("engagement".into(), 0.0), ("cost".into(), 0.0)],
            ..WhatIf::default()
        })
        .expect("scores");
    assert_eq!(none.score, None);
    assert!(
        none.diagnostics
            .iter()
            .any(|d| d.code == "check::zero-weights" && d.message == "every objective weighs 0"),
        "{:?}",
        none.diagnostics
    );
    // A period that ends before it starts is refused, not scored empty.
    let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).expect("a day");
    let errors = engine
        .score(&WhatIf {
            period: Some((day(8, 31), day(1, 1))),
            ..WhatIf::default()
        })
        .expect_err("an error");
    assert_eq!(errors.0[0].code, "set::period");
}

#[test]
fn rules_that_do_not_check_give_an_error_that_renders_with_its_place() {
    let (rules, errors) = RuleSet::from_texts(
        Path::new("rules"),
        &[(
            "main.kpi",
            "scorecard \"S\" { population = alumni }\nobjective o { indicator i { value = count(alumni where membr) target = 1 } }\n",
        )],
    );
    assert!(errors.is_empty());
    let data = Dataset::load(
        Path::new("tests/eval/hand/data"),
        &LoadOptions::for_rules(&rules),
    )
    .expect("loads");
    let e = Engine::new(rules, data, &ScoreOptions::default())
        .err()
        .expect("an error");
    let short = e.to_string();
    assert!(short.contains("main.kpi:2:"), "{short}");
    assert!(short.contains("check::unknown-column"), "{short}");
    assert!(short.contains("did you mean `member`?"), "{short}");
}

/// The shipped pack on the sample, explained, in its own period and in a
/// period with no data (every reason), each as a report read back.
#[test]
fn a_report_reads_back_as_it_was_written() {
    use alumni_kpi::{ReportFormat, report::Status};
    let (rules, data) = inputs("rules", "data/sample");
    let engine = Engine::new(rules, data, &ScoreOptions::default()).expect("checks");
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date");
    let reports = [
        engine
            .score(&WhatIf {
                explain: true,
                ..WhatIf::default()
            })
            .expect("scores"),
        engine
            .score(&WhatIf {
                period: Some((day("1990-01-01"), day("1990-12-31"))),
                ..WhatIf::default()
            })
            .expect("scores"),
    ];
    assert!(
        reports[1].objectives[0]
            .indicators
            .iter()
            .any(|i| i.status == Status::NoData && i.reason.is_some()),
        "the empty period has reasons to read back"
    );
    // The first line where two renderings differ.
    let same = |got: &str, want: &str, what: &str| {
        if let Some((n, (g, w))) = got
            .lines()
            .zip(want.lines())
            .enumerate()
            .find(|(_, (g, w))| g != w)
        {
            panic!("{what}, line {}: {g:?} read back, {w:?} written", n + 1);
        }
        assert_eq!(
            got.lines().count(),
            want.lines().count(),
            "{what}: line count"
        );
    };
    for report in &reports {
        let written = report.render(ReportFormat::Json);
        let back = Report::from_json(&written).expect("reads back");
        same(&back.render(ReportFormat::Json), &written, "JSON");
        let yaml = report.render(ReportFormat::Yaml);
        let from_yaml = Report::from_yaml(&yaml).expect("reads back");
        same(&from_yaml.render(ReportFormat::Json), &written, "YAML");
        // Rendered again, a report read back says what the original says.
        for format in [ReportFormat::Md, ReportFormat::Csv, ReportFormat::Html] {
            same(
                &back.render(format),
                &report.render(format),
                &format!("{format:?}"),
            );
        }
    }
}

#[test]
fn a_report_of_another_layout_or_no_report_is_refused_with_where() {
    use alumni_kpi::report::ReadError;
    let old = r#"{"format": "alumni-kpi/report@1", "score": 80}"#;
    assert_eq!(
        Report::from_json(old)
            .expect_err("an old layout")
            .to_string(),
        "this is not an `alumni-kpi/report@2` report (its format is `alumni-kpi/report@1`)"
    );
    let written = hand().report().render(alumni_kpi::ReportFormat::Json);
    let broken = written.replacen("\"score\": ", "\"score\": \"high\", \"x\": ", 1);
    match Report::from_json(&broken) {
        Err(ReadError::Syntax { line, message, .. }) => {
            assert!(line > 1, "{line}");
            assert!(message.contains("invalid type"), "{message}");
        }
        other => panic!("a located syntax error, not {other:?}"),
    }
    // Found in review: a misspelt or missing field read back as null.
    let misspelt = written.replacen("\"score\": ", "\"scroe\": ", 1);
    match Report::from_json(&misspelt) {
        Err(ReadError::Syntax { message, .. }) => {
            assert!(message.contains("unknown field `scroe`"), "{message}")
        }
        other => panic!("an unknown field, not {other:?}"),
    }
    let value_at = written.find("\"value\": ").expect("a value");
    let end = value_at + written[value_at..].find(',').expect("a comma");
    let no_value = format!("{}\"value\": null{}", &written[..value_at], &written[end..]);
    assert!(matches!(
        Report::from_json(&no_value),
        Err(ReadError::Missing(m)) if m.ends_with("is `ok` but has no value")
    ));
}

#[test]
fn a_report_out_of_time_or_cancelled_is_an_error_and_nothing_else() {
    use alumni_kpi::Cancel;
    use std::time::Duration;
    let engine = hand();
    let given_up = engine
        .score(&WhatIf {
            budget: Some(Duration::ZERO),
            ..WhatIf::default()
        })
        .expect_err("no time at all");
    assert_eq!(given_up.0.len(), 1);
    assert_eq!(given_up.0[0].code, "score::budget");
    assert!(
        given_up.0[0].message.ends_with("its budget is 0 ms"),
        "{}",
        given_up.0[0].message
    );
    // A token cancelled stops the reports holding it, not the others.
    let cancel = Cancel::new();
    cancel.cancel();
    let cancelled = engine
        .score(&WhatIf {
            cancel: Some(cancel.clone()),
            ..WhatIf::default()
        })
        .expect_err("cancelled");
    assert_eq!(cancelled.0[0].code, "score::cancelled");
    let other = engine
        .score(&WhatIf {
            cancel: Some(Cancel::new()),
            budget: Some(Duration::from_secs(60)),
            ..WhatIf::default()
        })
        .expect("its own token, time enough");
    assert_eq!(json(&other), json(&engine.report()));
}
