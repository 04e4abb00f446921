//! A rule set scored by hand: every figure of tests/eval/hand is written
//! here with its arithmetic, and both evaluators must produce it.
//!
//! The period is 2025-09-01 .. 2026-08-31: participations 9 and 10, event 3
//! and contribution 6 fall in the year before (the `prior` period).

mod common;

use alumni_kpi::data::Dataset;
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::report::Report;
use alumni_kpi::rules::RuleSet;
use common::{hand_data, indicator, root};

fn score(options: &ScoreOptions) -> (RuleSet, Dataset, Report, Vec<String>, String) {
    let (rules, diags) = RuleSet::load_dir(&root().join("tests/eval/hand/rules"));
    assert!(diags.is_empty(), "{diags:?}");
    let data = hand_data();
    let (report, differences, profiles) = {
        let scoring = Scoring::new(&rules, &data, options).expect("the hand rules check");
        (
            scoring.report(),
            scoring.differences_from_reference(),
            scoring.profiles_csv(),
        )
    };
    (rules, data, report, differences, profiles)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn every_figure_matches_the_hand_computation() {
    let (_, _, report, differences, _) = score(&ScoreOptions::default());
    assert!(
        differences.is_empty(),
        "the evaluators disagree: {differences:#?}"
    );

    // Responded in the period: participations 1, 2, 4, 5, 6 = 5; invited:
    // 1..7 = 7 (8 was not invited). 5 / 7; linear(20%, 60%) is past 60%: 100.
    let r = indicator(&report, "response_rate");
    assert!(close(r.value, 5.0 / 7.0));
    assert_eq!((r.target, r.score, r.weight), (Some(0.6), Some(100.0), 2.0));

    // Attended in the period: 1 (5), 4 (4), 5 (3), 6 (4), 8 (2, no score
    // missing): 18 / 5 = 3.6; bands(3: 25, 3.5: 50, 4: 100): 3.5 reached, 50.
    let s = indicator(&report, "satisfaction");
    assert!(close(s.value, 3.6));
    assert_eq!(s.score, Some(50.0));

    // Members 1, 3, 5 of 6 alumni: 0.5; default linear(0, 80%): 62.5.
    let m = indicator(&report, "members");
    assert_eq!((m.value, m.score), (Some(0.5), Some(62.5)));

    // No contribution of kind "gift": avg over no rows is null, no data.
    let g = indicator(&report, "gifts");
    assert_eq!((g.value, g.score, g.status.code()), (None, None, "no_data"));

    // Engagement = (2 × 100 + 1 × 50 + 1 × 62.5) / 4 = 78.125; gifts left
    // out: coverage 4 / 5 = 0.8.
    let engagement = &report
        .objectives
        .iter()
        .find(|o| o.id == "engagement")
        .expect("engagement");
    assert_eq!((engagement.score, engagement.coverage), (Some(78.125), 0.8));

    // Profiles (period only): engagement = 3 × attended + hours / 4.
    //   alumnus 1: 2 attended, 8 h → 6 + 2 = 8 → goodwill
    //   alumnus 2: 0, 0 → 0 → dormant;  alumnus 3: 1, 4 h → 4 → goodwill
    //   alumnus 4: 0, 0 → 0 → dormant;  alumnus 5: 1, 12 h → 6 → goodwill
    //   alumnus 6: 1 (attended uninvited), 0 → 3 → goodwill
    // total_cost (events 1, 2) = 1500 + 200 + 14 h × 40 + 11 h × 20 = 2480;
    // 4 engaged: 620. linear(1200, 400): (620 − 1200) / (400 − 1200) = 72.5.
    let c = indicator(&report, "cost_per_engaged");
    assert_eq!((c.value, c.score), (Some(620.0), Some(72.5)));

    // Attended in the period: 5; the year before: 9, 10 = 2, target 2 × 2
    // = 4; 5 ≥ 4: 100.
    let growth = indicator(&report, "growth");
    assert_eq!(
        (growth.value, growth.target, growth.score),
        (Some(5.0), Some(4.0), Some(100.0))
    );

    // Cost = (72.5 + 100) / 2 = 86.25. Overall = (3 × 78.125 + 1 × 86.25) /
    // 4 = 80.15625; coverage (3 × 0.8 + 1 × 1) / 4 = 0.85.
    let cost = &report
        .objectives
        .iter()
        .find(|o| o.id == "cost")
        .expect("cost");
    assert_eq!(cost.score, Some(86.25));
    assert_eq!(report.score, Some(80.15625));
    assert!((report.coverage - 0.85).abs() < 1e-12);
}

#[test]
fn segments_follow_relations_to_the_population() {
    let (_, _, report, _, _) = score(&ScoreOptions::default());
    let r = indicator(&report, "response_rate");
    let faculty = &r.segments["faculty"];
    // Law (alumni 1, 2): participations 1, 2, 5 all responded and invited: 1.
    assert_eq!(faculty["Law"].value, Some(1.0));
    // Science (3, 4): 3 no, 6 yes, 7 no, all invited: 1 / 3;
    // (1/3 − 0.2) / 0.4 = 1/3 of the way: 33.3.
    assert!(close(faculty["Science"].value, 1.0 / 3.0));
    assert!(close(faculty["Science"].score, 100.0 / 3.0));
    // Segments by a profile column: dormant (2, 4): 2 yes, 7 no → 1 / 2.
    assert_eq!(r.segments["tier"]["dormant"].value, Some(0.5));
    assert_eq!(r.segments["tier"]["dormant"].score, Some(75.0));
    // No alumnus reaches 10 points: there is no "leader" segment.
    assert!(!r.segments["tier"].contains_key("leader"));

    // prior() keeps the segment's people: dormant alumni attended nothing
    // this year (0) and once the year before (participation 10): target 2,
    // score 0.
    let g = indicator(&report, "growth");
    assert_eq!(g.segments["tier"]["dormant"].value, Some(0.0));
    assert_eq!(g.segments["tier"]["dormant"].score, Some(0.0));
    // Arts (alumni 5, 6) and Science (3, 4) have no participation the year
    // before (9 and 10 are Law's): no baseline, not a target of 0 met.
    for faculty in ["Arts", "Science"] {
        let cell = &g.segments["faculty"][faculty];
        assert_eq!(
            (cell.score, cell.status.code()),
            (None, "no_baseline"),
            "{faculty}"
        );
    }
    // Law: 2 attended this year (1, 5), 2 the year before: target 4, 50.
    assert_eq!(g.segments["faculty"]["Law"].score, Some(50.0));

    // Events do not refer to alumni: cost per engaged cannot be segmented.
    let c = indicator(&report, "cost_per_engaged");
    assert!(c.segments.is_empty());
    assert!(
        c.segments_note
            .as_ref()
            .is_some_and(|n| n.tables == ["events"] && n.population == "alumni"),
        "{:?}",
        c.segments_note
    );
}

#[test]
fn peers_place_the_indicator() {
    let (_, _, report, _, _) = score(&ScoreOptions::default());
    let peers = indicator(&report, "response_rate")
        .peers
        .clone()
        .expect("peer figures");
    // Peers 0.5, 0.55, 0.65, 0.8: median (0.55 + 0.65) / 2; one peer (0.8)
    // above 5/7, so rank 2.
    assert_eq!(peers.n, 4);
    assert!(close(peers.median, 0.6));
    assert_eq!(peers.rank, Some(2));
}

#[test]
fn set_and_period_change_the_figures() {
    let options = ScoreOptions {
        set: vec![("staff_hour_cost".into(), "60".into())],
        ..ScoreOptions::default()
    };
    let (_, _, report, differences, _) = score(&options);
    assert!(differences.is_empty(), "{differences:#?}");
    // 2480 + 14 h × (60 − 40) = 2760; / 4 = 690.
    assert_eq!(indicator(&report, "cost_per_engaged").value, Some(690.0));
    assert_eq!(report.params["staff_hour_cost"], serde_json::json!(60));

    let options = ScoreOptions {
        period: Some((
            chrono::NaiveDate::from_ymd_opt(2024, 9, 1).expect("date"),
            chrono::NaiveDate::from_ymd_opt(2025, 8, 31).expect("date"),
        )),
        ..ScoreOptions::default()
    };
    let (_, _, report, differences, _) = score(&options);
    assert!(differences.is_empty(), "{differences:#?}");
    // The year before: participations 9, 10, both invited and responded.
    assert_eq!(indicator(&report, "response_rate").value, Some(1.0));
    assert_eq!(
        report.period.as_ref().map(|p| p.from.as_str()),
        Some("2024-09-01")
    );
}

#[test]
fn explain_traces_rows_formula_and_contribution() {
    let options = ScoreOptions {
        explain: true,
        ..ScoreOptions::default()
    };
    let (_, _, report, _, _) = score(&options);
    let e = indicator(&report, "response_rate")
        .explain
        .clone()
        .expect("a trace");
    assert_eq!(
        e.formula,
        "count(participations where responded) / count(participations where invited)"
    );
    assert_eq!(e.with_values, "5 / 7");
    // 8 participations in the period; 5 responded, 7 invited.
    assert_eq!((e.aggregates[0].rows, e.aggregates[0].kept), (8, 5));
    assert_eq!((e.aggregates[1].rows, e.aggregates[1].kept), (8, 7));
    // Weight 2 of the 4 covered: half of the objective, 50 points of 100.
    assert_eq!(e.share_of_objective, Some(0.5));
    assert_eq!(e.contribution, Some(50.0));
    let c = indicator(&report, "cost_per_engaged")
        .explain
        .clone()
        .expect("a trace");
    assert_eq!(c.with_values, "2480 / 4");
}

#[test]
fn profiles_export_one_row_per_alumnus() {
    let (_, _, _, _, profiles) = score(&ScoreOptions::default());
    assert_eq!(
        profiles,
        "id,events_attended,hours_given,engagement,tier\n\
         1,2,8,8,goodwill\n2,0,0,0,dormant\n3,1,4,4,goodwill\n\
         4,0,0,0,dormant\n5,1,12,6,goodwill\n6,1,0,3,goodwill\n"
    );
}

#[test]
fn scoring_twice_gives_byte_identical_json() {
    let (_, _, a, _, _) = score(&ScoreOptions::default());
    let (_, _, b, _, _) = score(&ScoreOptions::default());
    let format = alumni_kpi::report::ReportFormat::Json;
    assert_eq!(a.render(format), b.render(format));
    assert_eq!(a.revision.len(), 16);
    let (_, _, c, _, _) = score(&ScoreOptions {
        set: vec![("staff_hour_cost".into(), "41".into())],
        ..ScoreOptions::default()
    });
    assert_ne!(
        a.revision, c.revision,
        "another parameter, another revision"
    );
}
