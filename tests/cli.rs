//! The `kpi` binary on real files: exit codes, diagnostics, fmt, convert.

mod common;

use std::path::Path;

use common::{kpi, root};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temporary rules directory holding copies of the given files.
fn rules_dir(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for f in files {
        let src = root().join(f);
        let name = Path::new(f).file_name().expect("a file name");
        std::fs::copy(&src, dir.path().join(name)).expect("copy");
    }
    dir
}

#[test]
fn check_passes_on_the_shipped_rules() {
    let out = kpi().arg("check").output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("8 file(s) ok"), "{}", stderr(&out));
}

#[test]
fn check_passes_on_the_shipped_rules_against_a_dataset() {
    let out = kpi()
        .args(["check", "--data", "data/sample"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn check_reports_every_error_with_file_line_column_and_exits_1() {
    let dir = rules_dir(&["tests/corpus/bad/names.kpi"]);
    let out = kpi()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("names.kpi:6:74]"), "{err}");
    assert!(err.contains("did you mean `staff_hour_cost`?"), "{err}");
    assert!(err.contains("5 error(s)"), "{err}");
}

#[test]
fn check_against_data_suggests_the_column_meant() {
    let dir = rules_dir(&["tests/corpus/bad_data/columns.kpi"]);
    let out = kpi()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .args(["--data", "tests/corpus/data", "--error-format", "short"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("columns.kpi:12:39: error[check::unknown-column]"),
        "{err}"
    );
    assert!(err.contains("did you mean `responded`?"), "{err}");
}

#[test]
fn json_diagnostics_are_machine_readable() {
    let dir = rules_dir(&["tests/corpus/bad/fields.kpi"]);
    let out = kpi()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .args(["--error-format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON on stdout");
    let items = items.as_array().expect("an array");
    assert_eq!(items.len(), 10);
    let first = &items[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "check::missing-field");
    assert_eq!(first["line"], 1);
    assert_eq!(first["column"], 1);
    let warning = items
        .iter()
        .find(|d| d["severity"] == "warning")
        .expect("a warning");
    assert_eq!(warning["code"], "check::zero-weights");
    assert_eq!(warning["line"], 23);
}

#[test]
fn usage_errors_exit_2() {
    let out = kpi()
        .args(["check", "--no-such-flag"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = kpi().arg("fmt").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = kpi()
        .args(["convert", "README.md", "--to", "yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_rules_directory_is_an_error() {
    let out = kpi()
        .args(["check", "--rules", "no/such/dir"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot read the rules directory `no/such/dir`"),
        "{}",
        stderr(&out)
    );
}

const MESSY: &str = "// kept\nlet   total=1+2*3   // trailing\nparam  rate =  60%\n\n\n\nobjective o{indicator i{value=total target=rate}}\n";
const CANONICAL: &str = "// kept\nlet total = 1 + 2 * 3  // trailing\n";

#[test]
fn fmt_rewrites_in_place_and_check_reports_unformatted_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("messy.kpi");
    let messy = MESSY;
    std::fs::write(&file, messy).expect("write");

    let out = kpi()
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("messy.kpi"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        messy,
        "--check changes nothing"
    );

    let out = kpi().arg("fmt").arg(&file).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let formatted = std::fs::read_to_string(&file).expect("read");
    let expected = format!(
        "{CANONICAL}param rate = 60%\n\nobjective o {{\n  indicator i {{\n    value = total\n    target = rate\n  }}\n}}\n"
    );
    assert_eq!(formatted, expected);

    let out = kpi()
        .args(["fmt", "--check"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "formatting is idempotent");
}

#[test]
fn fmt_leaves_a_broken_file_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.kpi");
    std::fs::write(&file, "let x = (1 +\n").expect("write");
    let out = kpi().arg("fmt").arg(&file).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.kpi:1:9]"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "let x = (1 +\n"
    );
}

#[test]
fn convert_to_yaml_and_back_gives_the_formatted_original() {
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = dir.path().join("engagement.yaml");
    let out = kpi()
        .args(["convert", "rules/engagement.kpi", "--to", "yaml", "-o"])
        .arg(&yaml)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&yaml).expect("written");
    assert!(text.contains("      - id: response_rate\n"), "{text}");
    assert!(
        text.contains("score: 'bands(3: 25, 3.5: 50, 4: 80, 4.2: 100)'"),
        "{text}"
    );

    let back = kpi()
        .arg("convert")
        .arg(&yaml)
        .args(["--to", "kpi"])
        .output()
        .expect("runs");
    assert_eq!(back.status.code(), Some(0), "{}", stderr(&back));
    let original = std::fs::read_to_string(root().join("rules/engagement.kpi")).expect("read");
    assert_eq!(
        stdout(&back),
        original,
        "the shipped rules are kept in canonical layout"
    );
}

#[test]
fn errors_in_yaml_expressions_point_inside_the_string() {
    let dir = rules_dir(&["tests/corpus/bad/yaml_expression.yaml"]);
    let out = kpi()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .args(["--error-format", "short"])
        .output()
        .expect("runs");
    let err = stderr(&out);
    assert!(
        err.contains("yaml_expression.yaml:6:30: error[parse::syntax]"),
        "{err}"
    );
    assert!(
        err.contains("yaml_expression.yaml:10:7: error[parse::syntax]"),
        "{err}"
    );
}
