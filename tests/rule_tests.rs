//! `kpi test`: the rule tests of the shipped packs pass with full
//! coverage; a wrong expectation fails naming the figure, expected and got
//! at its line; bad test files get located diagnostics. Drives the binary.

mod common;

use std::path::Path;

use common::{kpi, root};

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn kpi_test(args: &[&str]) -> Out {
    let out = kpi()
        .arg("test")
        .args(args)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .expect("runs");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Four alumni, two of them members: `members` is 0.5 of target 0.8.
const RULES: &str = r#"scorecard "S" { population = alumni }
profile alumni { active = count(events) > 0 }
objective reach {
  indicator members { value = share(alumni where member) target = 80% }
  indicator attendance { value = count(events) target = 10 }
}
"#;

const TABLES: &str = r#"  tables:
    alumni:
      - {id: 1, member: true}
      - {id: 2, member: true}
      - {id: 3, member: false}
      - {id: 4, member: false}
    events:
      - {id: 1, alumni_id: 1, date: 2025-03-01}
      - {id: 2, alumni_id: 1, date: 2025-04-01}
"#;

fn rules_with_test(test: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("r.kpi"), RULES).expect("write");
    std::fs::write(dir.path().join("r.test.yaml"), test).expect("write");
    dir
}

#[test]
fn the_shipped_packs_pass_their_tests_with_full_coverage() {
    for rules in ["rules", "rules/case-aem"] {
        let out = kpi_test(&["--rules", rules, "--coverage", "--threshold", "90"]);
        assert_eq!(out.code, Some(0), "{rules}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("coverage: 100.0%"), "{}", out.stdout);
        assert!(
            out.stdout.ends_with("3 passed, 0 failed\n"),
            "{}",
            out.stdout
        );
    }
}

#[test]
fn a_wrong_expectation_fails_naming_the_figure_expected_and_got_at_its_line() {
    let dir = rules_with_test(&format!(
        "- name: members\n{TABLES}  expect:\n    members: {{value: 0.5, score: 60}}\n    reach: {{score: 51.25}}\n"
    ));
    let out = kpi_test(&["--rules", path(dir.path())]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    let file = dir.path().join("r.test.yaml");
    // 0.5 of a target of 0.8, scored linear(0, target): 62.5.
    let line = format!(
        "  {}:12:27: members.score: expected 60, got 62.5\n",
        file.display()
    );
    assert!(out.stdout.contains(&line), "{line} not in\n{}", out.stdout);
    assert!(out.stdout.contains("members ... FAILED"), "{}", out.stdout);
    // The trace shows how the figure came.
    assert!(
        out.stdout
            .contains("      | value = share(alumni where member)\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "      | score: linear(0, target) with value 0.5 and target 0.8 gives 62.5 → 62.5\n"
        ),
        "{}",
        out.stdout
    );
    // The objective: (62.5 + 20) / 2 = 41.25, not 51.25.
    assert!(
        out.stdout
            .contains("reach.score: expected 51.25, got 41.25"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.ends_with("0 passed, 1 failed\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_test_with_set_period_and_profiles_passes() {
    let dir = rules_with_test(&format!(
        "- name: members in 2025\n{TABLES}  period: 2025-03-15..2025-12-31\n  expect:\n    attendance: {{value: 1, score: 10, status: ok}}\n    members: {{value: 0.5, target: 0.8}}\n    score: 36.25\n    profiles:\n      alumni:\n        1: {{active: true}}\n        2: {{active: false}}\n"
    ));
    let out = kpi_test(&["--rules", path(dir.path()), "--coverage"]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("coverage: 100.0%"), "{}", out.stdout);
}

#[test]
fn bad_test_files_get_every_located_diagnostic_at_once() {
    let dir = rules_with_test(
        "- name: typos\n  tables:\n    alumni: [{id: 1, membr: true}]\n    evnts: [{id: 1}]\n  expect:\n    member: {value: 0.5}\n    reach: {value: 3}\n- name: no data\n  expect: {score: 1}\n",
    );
    let out = kpi_test(&["--rules", path(dir.path()), "--error-format", "short"]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    let file = dir.path().join("r.test.yaml").display().to_string();
    for want in [
        format!("{file}:6:5: error[test::expect]: there is no indicator or objective `member`"),
        format!(
            "{file}:7:13: error[test::expect]: objective `reach` has a score only, not a value"
        ),
        format!("{file}:8:3: error[test::file]: the test `no data` has no data"),
        format!(
            "{file}:3:22: warning[test::unused]: the rules never read a column `membr` (table `alumni`)"
        ),
        format!("{file}:4:5: warning[test::unused]: the rules never read a table `evnts`"),
    ] {
        assert!(out.stderr.contains(&want), "{want}\nnot in\n{}", out.stderr);
    }
    // Did you mean, in the human format.
    let out = kpi_test(&["--rules", path(dir.path())]);
    assert!(
        out.stderr.contains("did you mean `members`?"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_cell_of_an_inline_table_is_placed_in_the_test_file() {
    let dir = rules_with_test(
        "name: bad cell\ntables:\n  alumni: [{id: 1, member: true}]\n  events:\n    - {id: 1, alumni_id: 1, date: 2025-03-01}\n    - {id: 2, alumni_id: 1, date: 2025-02-30}\nexpect: {score: 50}\n",
    );
    let out = kpi_test(&["--rules", path(dir.path()), "--error-format", "short"]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    let file = dir.path().join("r.test.yaml").display().to_string();
    assert!(out.stdout.contains("bad cell ... ERROR"), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "{file}:6:35: error[data::value]: `2025-02-30` is not a date (column `date`)"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .ends_with("0 passed, 0 failed, 1 could not run\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn json_and_junit_carry_the_failures() {
    let dir = rules_with_test(&format!(
        "- name: members\n{TABLES}  expect:\n    members: {{value: 0.25}}\n- name: ok\n{TABLES}  expect:\n    attendance: {{value: 2}}\n"
    ));
    let out = kpi_test(&["--rules", path(dir.path()), "--format", "json"]);
    assert_eq!(out.code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(doc["format"], "alumni-kpi/test@1");
    assert_eq!(
        (doc["passed"].clone(), doc["failed"].clone()),
        (1.into(), 1.into())
    );
    let failure = &doc["tests"][0]["failures"][0];
    assert_eq!(failure["figure"], "members.value");
    assert_eq!(
        (failure["expected"].clone(), failure["got"].clone()),
        ("0.25".into(), "0.5".into())
    );
    assert_eq!(failure["line"], 12);
    assert_eq!(
        doc["coverage"]["missed"],
        serde_json::json!(["alumni.active"])
    );

    let out = kpi_test(&["--rules", path(dir.path()), "--format", "junit"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.starts_with("<?xml"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("<testsuites name=\"kpi test\" tests=\"2\" failures=\"1\" errors=\"0\">"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "<failure message=\"members.value: expected 0.25, got 0.5\" type=\"expectation\">"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn coverage_below_the_threshold_fails() {
    let dir = rules_with_test(&format!(
        "- name: one\n{TABLES}  expect:\n    members: {{value: 0.5}}\n"
    ));
    let out = kpi_test(&["--rules", path(dir.path()), "--threshold", "50"]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("coverage: 33.3%; asserted by no test: attendance, alumni.active"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("coverage 33.3% is below the threshold of 50%"),
        "{}",
        out.stderr
    );
    let out = kpi_test(&["--rules", path(dir.path()), "--threshold", "30"]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
}

#[test]
fn no_test_files_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("r.kpi"), RULES).expect("write");
    let out = kpi_test(&["--rules", path(dir.path())]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("no test files in"), "{}", out.stderr);
}

#[test]
fn fmt_names_a_test_file_for_what_it_is() {
    let out = kpi()
        .args(["fmt", "--check"])
        .arg(root().join("rules/tests/leru.test.yaml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is a rule test: `kpi test` runs it"),
        "{stderr}"
    );
}

/// The example of docs/testing.md: its rules and test file pass, and the
/// failure it shows is the one printed when the score expected is 60.
#[test]
fn the_testing_guide_example_runs_as_written() {
    let doc = std::fs::read_to_string(root().join("docs/testing.md")).expect("doc");
    let block = |info: &str, nth: usize| -> String {
        doc.split(&format!("```{info}\n"))
            .nth(nth)
            .and_then(|b| b.split("```").next())
            .unwrap_or_else(|| panic!("no {info} block {nth}"))
            .to_string()
    };
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("r.kpi"), block("kpi", 1)).expect("write");
    std::fs::write(dir.path().join("r.test.yaml"), block("yaml", 1)).expect("write");
    let out = kpi_test(&["--rules", path(dir.path()), "--coverage"]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("coverage: 100.0%"), "{}", out.stdout);

    let wrong = block("yaml", 1).replacen("score: 62.5", "score: 60", 1);
    std::fs::write(dir.path().join("r.test.yaml"), wrong).expect("write");
    let file = dir.path().join("r.test.yaml");
    let out = kpi_test(&["--rules", path(dir.path()), path(&file)]);
    assert_eq!(out.code, Some(1));
    let printed = out
        .stdout
        .replace(&dir.path().display().to_string(), "rules");
    assert_eq!(printed, block("text", 2));
}

#[test]
fn kpi_new_writes_rules_that_check_score_on_the_sample_and_pass_their_test() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let rules = tmp.path().join("rules");
    let out = kpi().arg("new").arg(&rules).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // kpi.toml names the sample, relative to the rules directory.
    let toml = std::fs::read_to_string(rules.join("kpi.toml")).expect("kpi.toml");
    let data = toml
        .lines()
        .find_map(|l| l.strip_prefix("data = "))
        .expect("a data line")
        .trim_matches('"');
    assert!(Path::new(data).is_relative(), "{data}");
    assert_eq!(
        std::fs::canonicalize(rules.join(data)).expect("the data exist"),
        std::fs::canonicalize(root().join("data/sample")).expect("sample")
    );

    let check = kpi()
        .args(["check", "--data", "data/sample", "--rules"])
        .arg(&rules)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("2 file(s) ok, 0 warning(s)"), "{stderr}");

    let tested = kpi_test(&["--rules", path(&rules), "--coverage"]);
    assert_eq!(tested.code, Some(0), "{}{}", tested.stdout, tested.stderr);
    assert!(
        tested.stdout.contains("coverage: 100.0%"),
        "{}",
        tested.stdout
    );
    assert!(tested.stderr.is_empty(), "no warning: {}", tested.stderr);

    let scored = common::run(
        &["score", "--format", "json"],
        path(&rules),
        &root().join("data/sample"),
    );
    assert_eq!(scored.code, Some(0), "{}", scored.stderr);
    let report = scored.json();
    let objectives: Vec<&str> = report["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(
        objectives,
        [
            "learning",
            "giving",
            "leadership",
            "networking",
            "promotion"
        ]
    );
    for o in report["objectives"].as_array().expect("objectives") {
        for i in o["indicators"].as_array().expect("indicators") {
            assert_eq!(i["status"], "ok", "{i}");
        }
    }

    // Never over an existing directory.
    let again = kpi().arg("new").arg(&rules).output().expect("runs");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists and is not empty"));
}

/// Found in review: a quoted `set` value was re-quoted as Rust writes
/// strings (`"Me\u{301}d"`), which the rules' parser does not read, and the
/// param silently took the text with its quotes and escapes: a figure of 0
/// passed where 1 was right.
#[test]
fn a_quoted_set_value_is_the_text_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("r.kpi"),
        "scorecard \"S\" { population = alumni }\nparam fac = \"Law\"\nobjective o { indicator n { value = count(alumni where faculty == fac) target = 1 } }\n",
    )
    .expect("write");
    // `é` written as `e` and a combining accent, as macOS often types it.
    std::fs::write(
        dir.path().join("r.test.yaml"),
        "name: set\ntables:\n  alumni: [{id: 1, faculty: \"Me\\u0301d\"}, {id: 2, faculty: Law}]\nset: {fac: \"Me\\u0301d\"}\nexpect:\n  n: {value: 1}\n",
    )
    .expect("write");
    let out = kpi_test(&["--rules", path(dir.path())]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
}

/// Found in review: an id that is both an objective and an indicator was
/// read as the indicator, and a wrong objective score passed.
#[test]
fn an_id_of_both_an_objective_and_an_indicator_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("r.kpi"),
        "scorecard \"S\" { population = alumni }\nobjective reach {\n  indicator reach { value = 1 target = 2 }\n  indicator other { value = 1 target = 4 }\n}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("r.test.yaml"),
        "name: ambiguous\ntables: {alumni: [{id: 1}]}\nexpect:\n  reach: {score: 50}\n",
    )
    .expect("write");
    let out = kpi_test(&["--rules", path(dir.path()), "--error-format", "short"]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("error[test::expect]: `reach` is both an objective and an indicator"),
        "{}",
        out.stderr
    );
}

/// Found in review: `expect: {}`, an indicator's `{}` and a file holding
/// no test all passed with exit 0: a test that cannot fail.
#[test]
fn a_test_that_expects_nothing_fails() {
    for (test, said) in [
        (
            format!("- name: empty\n{TABLES}  expect: {{}}\n"),
            "expects nothing",
        ),
        (
            format!("- name: empty\n{TABLES}  expect: {{members: {{}}}}\n"),
            "expects nothing",
        ),
        ("[]\n".to_string(), "no test ran"),
    ] {
        let dir = rules_with_test(&test);
        let out = kpi_test(&["--rules", path(dir.path())]);
        assert_eq!(out.code, Some(1), "{test}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(said), "{test}: {}", out.stderr);
    }
}

/// Found in review: a label written as a number failed against its text,
/// and a list item holding `;` (or a list inside a list) was taken apart
/// or dropped without a word.
#[test]
fn labels_and_list_cells_compare_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("r.kpi"),
        "scorecard \"S\" { population = alumni }\nprofile alumni { code = if member then \"12\" else \"0\"  tags = interests }\nobjective o { indicator n { value = count(alumni) target = 1 } }\n",
    )
    .expect("write");
    let test = |tags: &str| {
        format!(
            "name: labels\ntables:\n  alumni: [{{id: 1, member: true, interests: [a, b]}}]\nexpect:\n  n: {{value: 1}}\n  profiles: {{alumni: {{1: {{code: 12, tags: {tags}}}}}}}\n"
        )
    };
    std::fs::write(dir.path().join("r.test.yaml"), test("[a, b]")).expect("write");
    let out = kpi_test(&["--rules", path(dir.path())]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    for bad in ["[\"a;b\"]", "[a, [b]]"] {
        std::fs::write(dir.path().join("r.test.yaml"), test(bad)).expect("write");
        let out = kpi_test(&["--rules", path(dir.path())]);
        assert_eq!(out.code, Some(1), "{bad}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr
                .contains("an item of a list is a word without `;`"),
            "{}",
            out.stderr
        );
    }
}

/// Found by a new user: a test file named `x.yaml` or `x.tests.yaml` under
/// `tests/` never ran, and `kpi test` said all was well; the same file
/// beside the rules failed with a message about a `DocFile` struct.
#[test]
fn a_test_file_not_named_as_one_is_said() {
    let dir = rules_with_test(&format!(
        "- name: ok\n{TABLES}  expect:\n    members: {{value: 0.5}}\n"
    ));
    std::fs::create_dir_all(dir.path().join("tests")).expect("dir");
    let wrong = format!("- name: wrong\n{TABLES}  expect:\n    score: 1\n");
    std::fs::write(dir.path().join("tests/wrong.yaml"), &wrong).expect("write");
    std::fs::write(dir.path().join("tests/wrong.tests.yaml"), &wrong).expect("write");
    let out = kpi_test(&["--rules", path(dir.path()), "--error-format", "short"]);
    for name in ["wrong.yaml", "wrong.tests.yaml"] {
        assert!(
            out.stderr
                .contains(&format!("{name}` is not run: it is not named as a test")),
            "{name}: {}",
            out.stderr
        );
    }
    assert!(out.stderr.contains("`wrong.test.yaml`"), "{}", out.stderr);

    std::fs::write(dir.path().join("wrong.yaml"), &wrong).expect("write");
    let out = common::kpi()
        .args(["check", "--no-data", "--rules"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("this looks like a rule test"), "{stderr}");
    assert!(stderr.contains("name it `wrong.test.yaml`"), "{stderr}");
}

/// Found by a new user: one `media: {}` among real expectations asserted
/// nothing and passed.
#[test]
fn an_empty_figure_mapping_is_an_error() {
    let dir = rules_with_test(&format!(
        "- name: partly empty\n{TABLES}  expect:\n    members: {{value: 0.5}}\n    attendance: {{}}\n"
    ));
    let out = kpi_test(&["--rules", path(dir.path())]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("`attendance: {}` expects nothing"),
        "{}",
        out.stderr
    );
}

/// Found by a new user: with `--format junit --threshold`, a coverage
/// below the threshold exited 1 with an all-green XML; the totals left
/// out the errors' test case.
#[test]
fn junit_shows_a_coverage_below_the_threshold() {
    let dir = rules_with_test(&format!(
        "- name: one\n{TABLES}  expect:\n    members: {{value: 0.5}}\n"
    ));
    let out = kpi_test(&[
        "--rules",
        path(dir.path()),
        "--format",
        "junit",
        "--threshold",
        "50",
    ]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout
            .contains("<testsuites name=\"kpi test\" tests=\"2\" failures=\"1\" errors=\"0\">"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("<failure message=\"coverage 33.3% is below 50%\" type=\"coverage\">asserted by no test: attendance, alumni.active</failure>"),
        "{}",
        out.stdout
    );
}

/// Found by a new user: a table misspelt in a test (`evnts`) gave, at the
/// rule that reads `events`, the hint "did you mean `evnts`?" — to break
/// the rule rather than fix the test.
#[test]
fn a_table_missing_from_a_test_is_to_be_given_by_the_test() {
    let dir = rules_with_test(
        "name: typo\ntables:\n  alumni: [{id: 1, member: true}]\n  evnts: [{id: 1, alumni_id: 1, date: 2025-03-01}]\nexpect: {members: {value: 1}}\n",
    );
    let out = kpi_test(&["--rules", path(dir.path())]);
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        !out.stdout.contains("did you mean `evnts`"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("the test `typo` does not give it"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("did you mean `events`?"),
        "the test's own typo: {}",
        out.stderr
    );
}
