//! Hot reload in temporary directories: edits, broken edits, renames,
//! bursts, and data files replaced.

mod common;

use std::path::Path;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use alumni_kpi::live::{Event, Live, LiveOptions};
use common::{indicator, root};

const RULES: &str = r#"scorecard "Live" { population = alumni }
objective o {
  indicator members { value = share(alumni where member) target = 80% }
  indicator gifts { value = count(contributions where kind == "money") target = 4 }
}
"#;

/// A rules directory and a copy of the hand dataset.
fn setup() -> (tempfile::TempDir, Live, Receiver<Event>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&rules).expect("rules dir");
    std::fs::create_dir_all(&data).expect("data dir");
    std::fs::write(rules.join("main.kpi"), RULES).expect("rules");
    for entry in std::fs::read_dir(root().join("tests/eval/hand/data")).expect("hand data") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, data.join(path.file_name().expect("name"))).expect("copy");
    }
    let mut options = LiveOptions::new(&rules, &data);
    options.debounce = Duration::from_millis(60);
    let live = Live::start(options).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let events = live.subscribe();
    (dir, live, events)
}

fn next(events: &Receiver<Event>) -> Event {
    events
        .recv_timeout(Duration::from_secs(10))
        .expect("a reload within 10 s")
}

fn value(live: &Live, id: &str) -> Option<f64> {
    indicator(&live.current().report, id).value
}

fn target(live: &Live, id: &str) -> Option<f64> {
    indicator(&live.current().report, id).target
}

#[test]
fn an_edit_rescores_a_broken_edit_keeps_the_last_report_and_a_fix_recovers() {
    let (dir, live, events) = setup();
    let file = dir.path().join("rules/main.kpi");
    assert_eq!(target(&live, "gifts"), Some(4.0));

    std::fs::write(&file, RULES.replace("target = 4 }", "target = 5 }")).expect("edit");
    let Event::Scored {
        changed,
        reloaded_tables,
        ..
    } = next(&events)
    else {
        panic!("expected a report")
    };
    assert!(changed.iter().any(|p| p.ends_with("main.kpi")));
    assert!(
        reloaded_tables.is_empty(),
        "rules only: no table read again"
    );
    assert_eq!(target(&live, "gifts"), Some(5.0));
    let generation = live.current().generation;

    std::fs::write(&file, RULES.replace("target = 4 }", "target = fiv }")).expect("broken edit");
    let Event::Failed { diagnostics, .. } = next(&events) else {
        panic!("expected diagnostics")
    };
    assert_eq!(diagnostics.0[0].code, "check::unknown-name");
    assert_eq!(
        live.current().generation,
        generation,
        "the last good snapshot stays"
    );
    assert_eq!(target(&live, "gifts"), Some(5.0));

    std::fs::write(&file, RULES.replace("target = 4 }", "target = 6 }")).expect("fix");
    assert!(matches!(next(&events), Event::Scored { .. }));
    assert_eq!(target(&live, "gifts"), Some(6.0));
}

#[test]
fn a_save_by_rename_is_seen() {
    let (dir, live, events) = setup();
    let tmp = dir.path().join("rules/.main.kpi.tmp");
    std::fs::write(&tmp, RULES.replace("target = 80%", "target = 90%")).expect("write");
    std::fs::rename(&tmp, dir.path().join("rules/main.kpi")).expect("rename");
    assert!(matches!(next(&events), Event::Scored { .. }));
    assert_eq!(target(&live, "members"), Some(0.9));
}

#[test]
fn a_burst_of_saves_gives_few_rescores_and_the_final_state() {
    let (dir, live, events) = setup();
    let file = dir.path().join("rules/main.kpi");
    for i in 1..=50 {
        std::fs::write(
            &file,
            RULES.replace("target = 4 }", &format!("target = {i} }}")),
        )
        .expect("save");
    }
    let mut rescored = 0;
    while let Ok(event) = events.recv_timeout(Duration::from_millis(1500)) {
        if matches!(event, Event::Scored { .. }) {
            rescored += 1;
        }
    }
    assert!(
        (1..=5).contains(&rescored),
        "{rescored} re-scores for 50 saves"
    );
    assert_eq!(target(&live, "gifts"), Some(50.0));
}

#[test]
fn a_replaced_data_file_reloads_that_table_only() {
    let (dir, live, events) = setup();
    assert_eq!(
        value(&live, "gifts"),
        Some(3.0),
        "money gifts 2, 4 and 6 (no period)"
    );
    let data = dir.path().join("data");
    let before = live.current().data.clone();
    let mut text = std::fs::read_to_string(data.join("contributions.csv")).expect("read");
    text.push_str("7,4,2026-03-01,money,80,\n");
    let tmp = data.join("contributions.csv.new");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, data.join("contributions.csv")).expect("replace");
    let Event::Scored {
        reloaded_tables, ..
    } = next(&events)
    else {
        panic!("expected a report")
    };
    assert_eq!(reloaded_tables, ["contributions"]);
    assert_eq!(value(&live, "gifts"), Some(4.0));
    // The other tables are the same columns, not copies.
    let after = live.current().data.clone();
    let same =
        |t: &str| std::sync::Arc::ptr_eq(&before.tables[t].columns, &after.tables[t].columns);
    assert!(same("alumni") && same("participations") && !same("contributions"));
}

#[test]
fn the_watch_command_writes_the_report_and_rewrites_it_on_save() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    std::fs::write(rules.join("main.kpi"), RULES).expect("rules");
    let report = dir.path().join("report.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kpi"))
        .arg("watch")
        .arg("--rules")
        .arg(&rules)
        .arg("--data")
        .arg(root().join("tests/eval/hand/data"))
        .arg("--no-data")
        .arg("-o")
        .arg(&report)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kpi watch starts");
    let read_target = |path: &Path| -> Option<f64> {
        let text = std::fs::read_to_string(path).ok()?;
        let r: serde_json::Value = serde_json::from_str(&text).ok()?;
        r["objectives"][0]["indicators"][1]["target"].as_f64()
    };
    let wait_for = |want: f64| {
        for _ in 0..100 {
            if read_target(&report) == Some(want) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    let first = wait_for(4.0);
    if first {
        std::fs::write(
            rules.join("main.kpi"),
            RULES.replace("target = 4 }", "target = 7 }"),
        )
        .expect("edit");
    }
    let second = first && wait_for(7.0);
    let _ = child.kill();
    let _ = child.wait();
    assert!(first, "the first report was written");
    assert!(second, "the report was rewritten after the save");
}

#[test]
fn finding_13_a_rules_directory_removed_and_made_again_is_still_watched() {
    let (dir, live, events) = setup();
    let rules = dir.path().join("rules");
    let moved = dir.path().join("rules.old");
    std::fs::rename(&rules, &moved).expect("move away");
    std::fs::create_dir(&rules).expect("recreate");
    std::fs::write(
        rules.join("main.kpi"),
        RULES.replace("target = 4 }", "target = 6 }"),
    )
    .expect("write");
    // Events until the new file is scored (the directory's own events may
    // come first).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while target(&live, "gifts") != Some(6.0) && std::time::Instant::now() < deadline {
        let _ = events.recv_timeout(Duration::from_millis(200));
    }
    assert_eq!(
        target(&live, "gifts"),
        Some(6.0),
        "the new directory is read"
    );
    // And its files keep being watched.
    std::fs::write(
        rules.join("main.kpi"),
        RULES.replace("target = 4 }", "target = 7 }"),
    )
    .expect("edit");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while target(&live, "gifts") != Some(7.0) && std::time::Instant::now() < deadline {
        let _ = events.recv_timeout(Duration::from_millis(200));
    }
    assert_eq!(target(&live, "gifts"), Some(7.0), "later saves reload too");
}

#[test]
fn finding_14_the_report_file_is_never_read_or_watched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&rules).expect("rules dir");
    common::copy_dir(&root().join("tests/eval/hand/data"), &data);
    std::fs::write(rules.join("main.kpi"), RULES).expect("rules");
    for output in [data.join("report.csv"), rules.join("report.yaml")] {
        let mut options = LiveOptions::new(&rules, &data);
        options.debounce = Duration::from_millis(60);
        options.ignore = vec![output.clone()];
        let live = Live::start(options).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let events = live.subscribe();
        // Writing the report, as `kpi watch` does, triggers nothing.
        for _ in 0..3 {
            std::fs::write(&output, "objective,indicator\n1,2\n").expect("write the report");
            std::thread::sleep(Duration::from_millis(150));
        }
        assert!(
            events.recv_timeout(Duration::from_millis(500)).is_err(),
            "{}: the report is not a change",
            output.display()
        );
        assert!(!live.current().data.tables.contains_key("report"));
        std::fs::remove_file(&output).expect("remove");
    }
}
