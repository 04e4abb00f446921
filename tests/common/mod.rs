//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod generated;
pub mod lsp;
pub mod postgres;
pub mod serve;

use std::path::{Path, PathBuf};

use alumni_kpi::check;
use alumni_kpi::data::Schema;
use alumni_kpi::diagnostic::{Diagnostics, ErrorFormat, render};
use alumni_kpi::rules::RuleSet;

/// The `kpi` binary, run from the project's root.
pub fn kpi() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("kpi").expect("the kpi binary");
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd`, which must succeed (else its stderr is the failure).
pub fn succeeds(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/corpus").join(dir))
        .unwrap_or_else(|e| panic!("corpus {dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("kpi" | "yaml")))
        .collect();
    files.sort();
    files
}

pub fn corpus_schema() -> Schema {
    let (schema, diags) = Schema::read(&root().join("tests/corpus/data"), &["peers.csv"]);
    assert!(diags.is_empty(), "{diags:?}");
    schema
}

/// The file shown as `tests/corpus/DIR/NAME`, whatever the working directory.
pub fn display_name(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Parses and checks one file as a rules directory of its own.
pub fn check_file(path: &Path, schema: Option<&Schema>) -> (RuleSet, Diagnostics) {
    let text = std::fs::read_to_string(path).expect("readable corpus file");
    // Relative names keep absolute paths out of messages and snapshots
    // (tests run from the package root).
    let dir = path.parent().expect("a parent directory");
    let dir = PathBuf::from(display_name(dir));
    let name = display_name(path);
    let (rules, mut diags) = RuleSet::from_texts(&dir, &[(name.as_str(), text.as_str())]);
    if !diags.has_errors() {
        diags.extend(check::check(&rules, schema).diagnostics);
    }
    (rules, diags)
}

pub fn short(rules: &RuleSet, diags: &Diagnostics) -> String {
    render(&diags.0, &rules.sources, ErrorFormat::Short, false)
}

pub fn human(rules: &RuleSet, diags: &Diagnostics) -> String {
    render(&diags.0, &rules.sources, ErrorFormat::Human, false)
}

/// The hand-computed dataset (tests/eval/hand/data), its benchmark file
/// excluded.
pub fn hand_data() -> alumni_kpi::data::Dataset {
    alumni_kpi::data::Dataset::load(
        &root().join("tests/eval/hand/data"),
        &alumni_kpi::data::LoadOptions {
            exclude: vec!["peers.csv".into()],
            ..alumni_kpi::data::LoadOptions::default()
        },
    )
    .expect("the hand dataset loads")
}

/// An indicator of a report, by id.
pub fn indicator<'r>(
    report: &'r alumni_kpi::report::Report,
    id: &str,
) -> &'r alumni_kpi::report::IndicatorReport {
    report
        .objectives
        .iter()
        .flat_map(|o| &o.indicators)
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

/// An indicator of a report read as JSON, by id.
pub fn json_indicator<'r>(report: &'r serde_json::Value, id: &str) -> &'r serde_json::Value {
    report["objectives"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| o["indicators"].as_array().into_iter().flatten())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

/// Copies a directory tree (files and sub-directories).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("list the directory") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// What a run of the binary printed.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON; a report is checked against its published
    /// schema on the way.
    pub fn json(&self) -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr));
        if v["format"] == "alumni-kpi/report@2" {
            assert_valid_report(&v);
        }
        v
    }

    /// The diagnostics printed with `--error-format json`.
    pub fn errors(&self) -> Vec<serde_json::Value> {
        self.json().as_array().cloned().unwrap_or_default()
    }

    /// The first error with this code, or a panic showing all of them.
    pub fn error(&self, code: &str) -> serde_json::Value {
        assert_eq!(
            self.code,
            Some(1),
            "expected errors: {}{}",
            self.stdout,
            self.stderr
        );
        self.errors()
            .into_iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {}", self.stdout))
    }
}

/// `kpi ARGS --rules RULES --error-format json --data DATA`.
pub fn run(args: &[&str], rules: &str, data: &Path) -> Run {
    let out = kpi()
        .args(args)
        .args(["--rules", rules, "--error-format", "json", "--data"])
        .arg(data)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .expect("runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Panics with every violation when `report` does not follow
/// schema/report.schema.json (compiled once per test binary).
pub fn assert_valid_report(report: &serde_json::Value) {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = SCHEMA.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("schema/report.schema.json"))
            .expect("the published schema");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::validator_for(&schema).expect("the schema compiles")
    });
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the report does not follow schema/report.schema.json:\n{}",
        errors.join("\n")
    );
}
