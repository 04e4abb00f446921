//! What the tool says is true: every flag does what its help says, outputs
//! are safe to open, messages are for people. Each test is named after the
//! finding of the "what the tool says" issue it pins (`finding_N_…`).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{copy_dir, kpi, root};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The binary as a plain process (for pipes).
fn process() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kpi"));
    cmd.current_dir(root());
    cmd
}

#[test]
fn finding_1_output_into_a_closed_pipe_ends_quietly() {
    for format in ["md", "json", "csv"] {
        let mut child = process()
            .args(["score", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kpi runs");
        // Read one line, then close the pipe: `kpi score | head -1`.
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("a line");
        let out = child.wait_with_output().expect("kpi ends");
        assert!(!first.is_empty());
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{format}: {err}");
        assert!(out.status.code().is_some(), "{format}: ended by a signal");
    }
}

#[test]
fn finding_2_profiles_are_written_with_the_terminal_summary_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profiles = dir.path().join("p.csv");
    let out = kpi()
        .args(["score", "--profiles"])
        .arg(&profiles)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&profiles).expect("the profiles are written");
    assert!(csv.starts_with("id,"), "{csv}");
    assert_eq!(csv.lines().count(), 2001, "a row per alumnus");
}

/// Runs `kpi watch ARGS` until its report exists, then stops it; its stderr.
fn watch_once(args: &[&str], report: &Path) -> String {
    let mut child = process()
        .arg("watch")
        .args(args)
        .arg("-o")
        .arg(report)
        .stderr(Stdio::piped())
        .spawn()
        .expect("kpi watch starts");
    let started = std::time::Instant::now();
    while !report.exists() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let _ = child.kill();
    let out = child.wait_with_output().expect("ends");
    text(&out.stderr)
}

#[test]
fn finding_3_watch_reads_the_format_from_the_extension_and_takes_scores_options() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("report.html");
    let err = watch_once(
        &[
            "--period",
            "2024-09-01..2025-08-31",
            "--lang",
            "fr",
            "--explain",
            "--skip-bad-rows",
        ],
        &html,
    );
    let page = std::fs::read_to_string(&html).expect("written");
    assert!(
        page.starts_with("<!doctype html>"),
        "HTML, not JSON: {}",
        &page[..40]
    );
    assert!(page.contains("lang=\"fr\""));
    assert!(page.contains("2024-09-01"), "the period asked");
    assert!(err.contains("watching rules and data/sample"), "{err}");

    let json = dir.path().join("r.json");
    let err = watch_once(&["--no-data"], &json);
    assert!(err.contains("the dataset is not watched"), "{err}");
    assert!(!err.contains("and data/sample"), "{err}");
    let help = kpi().args(["watch", "--help"]).output().expect("runs");
    let help = text(&help.stdout);
    for flag in [
        "--format",
        "--skip-bad-rows",
        "--period",
        "--lang",
        "--explain",
    ] {
        assert!(help.contains(flag), "{flag} in watch --help");
    }
    assert!(help.contains("from the `-o` file's extension"), "{help}");
}

#[test]
fn finding_4_check_reads_the_default_dataset() {
    let rules = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        rules.path().join("r.kpi"),
        "scorecard \"S\" { population = alumni }\n\
         objective o { indicator i { value = count(alumni where membre) target = 1 } }\n",
    )
    .expect("write");
    let out = kpi()
        .arg("check")
        .arg("--rules")
        .arg(rules.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("did you mean `member`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn finding_5_the_readme_says_how_to_get_kpi() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    assert!(
        readme.contains("cargo install --path ."),
        "README: how to install kpi"
    );
    assert!(readme.contains("target/release/kpi"));
}

#[test]
fn finding_10_generate_refuses_a_directory_that_holds_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("alumni.csv"), "id\n1\n").expect("write");
    let out = kpi()
        .args(["generate", "--alumni", "50", "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("alumni.csv")).expect("kept"),
        "id\n1\n"
    );
    let out = kpi()
        .args(["generate", "--alumni", "50", "--force", "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn finding_12_the_smaller_slips() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A template with a JSON report is a usage error, not ignored.
    let template = dir.path().join("t.html");
    std::fs::write(&template, "{{ report.nope.deeper }}").expect("write");
    let out = kpi()
        .args(["score", "--template"])
        .arg(&template)
        .arg("-o")
        .arg(dir.path().join("r.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // A broken template is named as the user's file.
    let out = kpi()
        .args(["score", "--template"])
        .arg(&template)
        .arg("-o")
        .arg(dir.path().join("r.html"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("t.html"),
        "{}",
        text(&out.stderr)
    );
    // A missing output directory is said plainly.
    let out = kpi()
        .args(["score", "-o", "/nonexistent/dir/r.json"])
        .output()
        .expect("runs");
    let err = text(&out.stderr);
    assert!(
        err.contains("the directory `/nonexistent/dir` does not exist"),
        "{err}"
    );
    assert!(
        !err.contains(".tmp") && !err.contains(".kpi-write"),
        "{err}"
    );
    // A weight written as a percentage is an error.
    let rules = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        rules.path().join("r.kpi"),
        "scorecard \"S\" { population = alumni }\n\
         objective o { weight = 35% indicator i { value = 1 target = 1 } }\n",
    )
    .expect("write");
    let out = kpi()
        .arg("check")
        .arg("--rules")
        .arg(rules.path())
        .args(["--error-format", "short"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("check::weight"),
        "{}",
        text(&out.stderr)
    );
    // `kpi fmt` says what it did.
    let file = dir.path().join("f.kpi");
    std::fs::write(&file, "scorecard \"S\" {population=alumni}\n").expect("write");
    let out = kpi().arg("fmt").arg(&file).output().expect("runs");
    assert!(
        text(&out.stderr).contains("1 file(s) formatted, 0 already formatted"),
        "{}",
        text(&out.stderr)
    );
    // `kpi fmt` on YAML keeps a comment above a section's key above it,
    // not inside the section.
    let file = dir.path().join("f.yaml");
    std::fs::write(
        &file,
        "scorecard:\n  title: S\n  population: alumni\n# Set by the board each year\nparams:\n  # the number of events\n  goal: 5\n",
    )
    .expect("write");
    let out = kpi().arg("fmt").arg(&file).output().expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(&file).expect("read");
    assert!(
        formatted.contains(
            "\n# Set by the board each year\nparams:\n  # the number of events\n  goal: 5\n"
        ),
        "{formatted}"
    );
}

#[test]
fn finding_15_temporary_files_are_named_and_a_killed_run_leaves_none_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    // What `kill -9` during a write leaves: a temporary of a process gone.
    let stale = dir.path().join(".kpi-write-4194999-x7Yz");
    std::fs::write(&stale, "half a report").expect("write");
    let out = kpi()
        .args(["score", "-o"])
        .arg(dir.path().join("r.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(!stale.exists(), "the next run removes it");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .collect();
    assert_eq!(names, vec!["r.json".to_string()]);
}

#[test]
fn finding_16_csv_cells_a_spreadsheet_would_run_are_neutralised() {
    let data = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("tests/eval/hand/data"), data.path());
    let alumni = data.path().join("alumni.csv");
    let text_in = std::fs::read_to_string(&alumni).expect("read");
    std::fs::write(
        &alumni,
        text_in.replacen("Law", "=HYPERLINK(\"http://x\")", 1),
    )
    .expect("write");
    let rules = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("tests/eval/hand/rules"), rules.path());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let (report, profiles) = (out_dir.path().join("r.csv"), out_dir.path().join("p.csv"));
    let out = kpi()
        .arg("score")
        .arg("--rules")
        .arg(rules.path())
        .arg("--data")
        .arg(data.path())
        .arg("-o")
        .arg(&report)
        .arg("--profiles")
        .arg(&profiles)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&report).expect("written");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
    let any_raw = |t: &str| {
        t.lines()
            .any(|l| l.split(',').any(|c| c.trim_matches('"').starts_with('=')))
    };
    assert!(!any_raw(&csv));
    assert!(!any_raw(
        &std::fs::read_to_string(&profiles).expect("written")
    ));
}

#[test]
fn finding_17_markdown_shows_html_as_text() {
    let data = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("tests/eval/hand/data"), data.path());
    let alumni = data.path().join("alumni.csv");
    let text_in = std::fs::read_to_string(&alumni).expect("read");
    std::fs::write(
        &alumni,
        text_in.replace("Arts", "<script>alert(1)</script>"),
    )
    .expect("write");
    let rules = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("tests/eval/hand/rules"), rules.path());
    let main = rules.path().join("hand.kpi");
    let r = std::fs::read_to_string(&main).expect("read");
    std::fs::write(
        &main,
        r.replacen(
            "\"Hand-computed\"",
            "\"Hand <img src=x onerror=alert(2)>\"",
            1,
        ),
    )
    .expect("write");
    let out = kpi()
        .arg("score")
        .arg("--rules")
        .arg(rules.path())
        .arg("--data")
        .arg(data.path())
        .args(["--format", "md"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(!md.contains("<script>") && !md.contains("<img"), "{md}");
    assert!(
        md.contains("&lt;script&gt;") && md.contains("&lt;img"),
        "{md}"
    );
}

/// The README's synopsis: per command, the flags it shows.
fn synopsis() -> Vec<(String, Vec<String>)> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let block = readme
        .split("## Commands\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a synopsis block");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        if let Some(rest) = line.strip_prefix("kpi ") {
            let name = rest.split_whitespace().next().unwrap_or("").to_string();
            out.push((name, Vec::new()));
        }
        let Some((_, flags)) = out.last_mut() else {
            continue;
        };
        for word in line.split(|c: char| c.is_whitespace() || "[]|.".contains(c)) {
            let flag = word.split('=').next().unwrap_or("");
            if (flag.starts_with("--") || (flag.starts_with('-') && flag.len() == 2))
                && flag
                    .chars()
                    .skip(1)
                    .all(|c| c.is_ascii_lowercase() || c == '-')
                && !flags.iter().any(|f| f == flag)
            {
                flags.push(flag.to_string());
            }
        }
    }
    out
}

#[test]
fn every_command_of_the_readme_runs_with_the_flags_it_shows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = |name: &str| dir.path().join(name).display().to_string();
    let kpi_file = d("f.kpi");
    std::fs::copy(root().join("rules/engagement.kpi"), &kpi_file).expect("copy");
    let template = d("t.html");
    std::fs::write(
        &template,
        "<!doctype html><title>{{ report.scorecard }}</title>",
    )
    .expect("write");
    // The invocation of each command, with every flag its synopsis shows.
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "check",
            vec![
                "--rules".into(),
                "rules".into(),
                "--data".into(),
                "data/sample".into(),
                "--skip-bad-rows".into(),
            ],
        ),
        ("check", vec!["--no-data".into()]),
        (
            "score",
            [
                "--rules",
                "rules",
                "--data",
                "data/sample",
                "-o",
                &d("r.html"),
                "--format",
                "html",
                "--lang",
                "fr",
                "--set",
                "staff_hour_cost=50",
                "--period",
                "2024-09-01..2025-08-31",
                "--periods",
                "2",
                "--explain",
                "--profiles",
                &d("p.csv"),
                "--template",
                &template,
                "--skip-bad-rows",
                "-q",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "score",
            ["--period", "2024-09-01..2025-08-31", "-o", &d("old.json")]
                .map(String::from)
                .to_vec(),
        ),
        ("score", vec!["-o".into(), d("new.json")]),
        // `--engine postgres` needs a database: tests/pushdown.rs runs it.
        (
            "score",
            ["--engine", "local", "-o", &d("local.json")]
                .map(String::from)
                .to_vec(),
        ),
        (
            "diff",
            [
                &d("old.json"),
                &d("new.json"),
                "--format",
                "md",
                "-o",
                &d("d.md"),
                "--lang",
                "fr",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "diff",
            [
                "--rules",
                "rules",
                "--rules",
                "rules",
                "--data",
                "data/sample",
                "--set",
                "staff_hour_cost=50",
                "--period",
                "2024-09-01..2025-08-31",
                "--export",
                &d("moved.csv"),
                "--format",
                "json",
                "-o",
                &d("d.json"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "generate",
            [
                "--alumni",
                "40",
                "--seed",
                "3",
                "--invitations",
                "2",
                "--out",
                &d("gen"),
                "--force",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ("fmt", vec![kpi_file.clone(), "--check".into()]),
        (
            "new",
            vec![d("starter"), "--data".into(), "data/sample".into()],
        ),
        (
            "test",
            [
                "--rules",
                "rules",
                "--format",
                "junit",
                "--coverage",
                "--threshold",
                "90",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "sql",
            [
                "--rules",
                "rules",
                "--data",
                "data/sample",
                "--dialect",
                "postgres",
                "--set",
                "staff_hour_cost=50",
                "--period",
                "2024-09-01..2025-08-31",
                "--skip-unsupported",
                "-o",
                &d("q.sql"),
                "--export",
                &d("tables"),
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "convert",
            ["rules/engagement.kpi", "--to", "yaml", "-o", &d("e.yaml")]
                .map(String::from)
                .to_vec(),
        ),
    ];
    let all = synopsis();
    let count = |c: &str| all.iter().find(|(n, _)| n == c).map_or(0, |(_, f)| f.len());
    assert_eq!(
        (
            count("check"),
            count("score"),
            count("watch"),
            count("generate"),
            count("fmt"),
            count("convert"),
            count("test"),
            count("new")
        ),
        (4, 14, 12, 5, 1, 2, 4, 1),
        "{all:?}"
    );
    for (command, flags) in synopsis() {
        let help = text(
            &kpi()
                .args([command.as_str(), "--help"])
                .output()
                .expect("help")
                .stdout,
        );
        for flag in &flags {
            assert!(
                help.contains(flag.as_str()),
                "`kpi {command} --help` has no {flag}"
            );
            let used = runs
                .iter()
                .filter(|(c, _)| *c == command)
                .any(|(_, args)| args.iter().any(|a| a == flag))
                || (command == "watch") // run below, it does not end by itself
                || (command == "serve"); // tests/serve.rs runs it with each flag
            assert!(
                used,
                "`kpi {command}` {flag} is in the README but run by no test here"
            );
        }
    }
    for (command, args) in &runs {
        let out = kpi().arg(command).args(args).output().expect("runs");
        // `fmt --check` on a file that is not in canonical form exits 1.
        let want = if *command == "fmt" { [0, 1] } else { [0, 0] };
        assert!(
            out.status.code().is_some_and(|c| want.contains(&c)),
            "kpi {command} {args:?}: {}",
            text(&out.stderr)
        );
    }
    // watch, with every flag of its synopsis.
    let report = dir.path().join("w.md");
    let err = watch_once(
        &[
            "--rules",
            "rules",
            "--data",
            "data/sample",
            "--format",
            "md",
            "--lang",
            "fr",
            "--set",
            "staff_hour_cost=50",
            "--period",
            "2024-09-01..2025-08-31",
            "--periods",
            "2",
            "--explain",
            "--skip-bad-rows",
            "--no-data",
            "--debounce",
            "80",
        ],
        &report,
    );
    let md = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(md.starts_with("# "), "{err}");
    let watch_flags = synopsis()
        .into_iter()
        .find(|(c, _)| c == "watch")
        .map(|(_, f)| f)
        .unwrap_or_default();
    for flag in [
        "--format",
        "--set",
        "--no-data",
        "--debounce",
        "--period",
        "--lang",
        "--explain",
        "--skip-bad-rows",
    ] {
        assert!(
            watch_flags.iter().any(|f| f == flag),
            "the README shows watch's {flag}"
        );
    }
}

/// `kpi check --no-data` on one rule file written as `name`; the JSON
/// diagnostics and the exit code.
fn check_one(name: &str, bytes: &[u8]) -> common::Run {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(name), bytes).expect("write");
    let out = kpi()
        .arg("check")
        .arg("--rules")
        .arg(dir.path())
        .args(["--no-data", "--error-format", "json"])
        .output()
        .expect("runs");
    common::Run {
        code: out.status.code(),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

const MINIMAL_YAML: &str = "scorecard:\n  title: S\n  population: alumni\nobjectives:\n  - id: o\n    weight: 1\n    indicators:\n      - id: i\n        value: 1\n        target: 1\n";

#[test]
fn finding_18_a_bom_is_read_and_another_encoding_is_named_at_its_line() {
    let kpi_rules = "scorecard \"S\" { population = alumni }\nobjective o { weight = 1 indicator i { value = 1 target = 1 } }\n";
    for (name, body) in [("r.kpi", kpi_rules), ("r.yaml", MINIMAL_YAML)] {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend_from_slice(body.as_bytes());
        let run = check_one(name, &bytes);
        assert_eq!(run.code, Some(0), "{name}: {}{}", run.stdout, run.stderr);
    }
    // `bénévolat` saved as Latin-1, on line 2.
    let latin1 = b"scorecard \"S\" { population = alumni }\n// b\xe9n\xe9volat\nobjective o { weight = 1 indicator i { value = 1 target = 1 } }\n";
    let run = check_one("r.kpi", latin1);
    let e = run.error("rules::io");
    let message = e["message"].as_str().unwrap_or_default();
    assert!(message.contains("line 2, column 5"), "{e}");
    assert!(
        e["help"]
            .as_str()
            .unwrap_or_default()
            .contains("save the file as UTF-8"),
        "{e}"
    );
}

#[test]
fn finding_19_a_missing_brace_is_named_at_the_block_that_lacks_it() {
    let src = "scorecard \"S\" { population = alumni }\nobjective o {\n  weight = 1\n  indicator satisfaction {\n    value = 1\n    target = 1\n\n  indicator j { value = 1 target = 1 }\n}\n";
    let run = check_one("r.kpi", src.as_bytes());
    let e = run.error("parse::unclosed");
    assert_eq!(
        e["message"], "indicator `satisfaction` opened on line 4 is not closed",
        "{e}"
    );
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(4), Some(26))
    );
    // The last `}` of the file missing: the objective is named.
    let src = "scorecard \"S\" { population = alumni }\nobjective o {\n  weight = 1\n  indicator i { value = 1 target = 1 }\n";
    let e = check_one("r.kpi", src.as_bytes()).error("parse::unclosed");
    assert_eq!(
        e["message"], "objective `o` opened on line 2 is not closed",
        "{e}"
    );
    assert_eq!(e["line"], 2);
}

#[test]
fn finding_20_yaml_slips_are_said_plainly_with_a_hint() {
    let cases = [
        (
            MINIMAL_YAML.replace("title: S", "title: Donateurs: taux"),
            "a `:` inside a value",
            2,
            "title: \"Donateurs: taux\"",
        ),
        (
            MINIMAL_YAML.replace("target: 1\n", "target: 1\n        unit: %\n"),
            "cannot start with `%`",
            11,
            "unit: \"%\"",
        ),
        (
            MINIMAL_YAML.replace("        value: 1", "\tvalue: 1"),
            "a tab in the indentation",
            9,
            "spaces",
        ),
        (
            MINIMAL_YAML.replace("weight: 1\n", "weight: 1\n    weight: 2\n"),
            "`weight` is set twice",
            7,
            "keep one",
        ),
    ];
    for (src, message, line, help) in cases {
        let e = check_one("r.yaml", src.as_bytes()).error("yaml::syntax");
        assert!(
            e["message"].as_str().unwrap_or_default().contains(message),
            "{e}"
        );
        assert_eq!(e["line"], line, "{e}");
        assert!(e["help"].as_str().unwrap_or_default().contains(help), "{e}");
    }
    // A colon inside a call's arguments.
    let src = MINIMAL_YAML.replace("target: 1\n", "target: 1\n        score: bands(3: 20)\n");
    let e = check_one("r.yaml", src.as_bytes()).error("yaml::syntax");
    assert!(
        e["help"].as_str().unwrap_or_default().contains("quotes"),
        "{e}"
    );
}

#[test]
fn finding_21_a_yaml_text_param_is_text_and_fmt_keeps_it_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::create_dir_all(&data).expect("mkdir");
    let yaml = "params:\n  flagship_faculty: Law\n  faculties: [Business, Law]\n\nscorecard:\n  title: S\n  population: alumni\n\nobjectives:\n  - id: o\n    weight: 1\n    indicators:\n      - id: flagship\n        value: count(alumni where faculty == flagship_faculty)\n        target: 10\n      - id: listed\n        value: count(alumni where faculty in faculties)\n        target: 10\n";
    std::fs::write(rules.join("r.yaml"), yaml).expect("write");
    std::fs::write(
        data.join("alumni.csv"),
        "id,faculty\n1,Law\n2,Law\n3,Business\n4,Medicine\n",
    )
    .expect("write");
    let run = common::run(
        &["score", "--format", "json"],
        rules.to_str().expect("utf-8"),
        &data,
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let values: Vec<_> = report["objectives"][0]["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["value"].as_f64())
        .collect();
    assert_eq!(values, [Some(2.0), Some(3.0)]);
    // Formatting keeps the words as words.
    let out = kpi()
        .arg("fmt")
        .arg(rules.join("r.yaml"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(rules.join("r.yaml")).expect("read");
    assert!(formatted.contains("flagship_faculty: Law\n"), "{formatted}");
    assert!(formatted.contains("    - Business\n"), "{formatted}");
    assert!(!formatted.contains("'\""), "{formatted}");
}

#[test]
fn finding_22_messages_say_everything_once() {
    // A syntax error in one file does not hide another file's mistakes,
    // and type errors say what to write instead.
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(
        rules.join("a.kpi"),
        "scorecard \"S\" { population = alumni }\nobjective o { weight = 1 indicator i { value = 1 target = 1\n",
    )
    .expect("write");
    std::fs::write(
        rules.join("b.kpi"),
        "objective p {\n  weight = 1\n  indicator j { value = avg(participations.attended) target = 1 }\n  indicator k { value = count(alumni where graduation_year == \"2010\") target = 1 }\n}\n",
    )
    .expect("write");
    let data = root().join("data/sample");
    let run = common::run(&["check"], rules.to_str().expect("utf-8"), &data);
    let errors = run.errors();
    let codes: Vec<_> = errors
        .iter()
        .map(|e| e["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        codes,
        [
            "parse::unclosed",
            "parse::unclosed",
            "check::type",
            "check::type"
        ],
        "{errors:#?}"
    );
    assert_eq!(
        errors[0]["message"],
        "indicator `i` opened on line 2 is not closed"
    );
    assert_eq!(
        errors[2]["help"],
        "for the rows where it is true, write `share(participations where attended)`"
    );
    assert_eq!(errors[3]["help"], "remove the quotes: `2010`");

    // The summary: the period, a weightless objective, a failed script,
    // skipped rows and the notes themselves; the error count of a failure.
    let rules = dir.path().join("summary");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(
        rules.join("main.kpi"),
        "scorecard \"S\" {\n  population = people\n  period = 2025-09-01 .. 2026-08-31\n}\n\
         objective giving {\n  weight = 1\n  indicator amount { value = sum(gifts.amount) target = 1000 }\n  \
         indicator scripted { value = rhai { throw \"nope\" } target = 1 }\n}\n\
         objective later {\n  weight = 0\n  indicator members { value = share(people where member) target = 50% }\n}\n",
    )
    .expect("write");
    std::fs::write(data.join("people.csv"), "id,member\n1,yes\n2,no\n3,yes\n").expect("write");
    std::fs::write(
        data.join("gifts.csv"),
        "id,people_id,date,amount\n1,1,2025-10-01,300\n2,2,2025-11-01,abc\n3,3,2026-01-01,500\n",
    )
    .expect("write");
    let scored = |extra: &[&str]| {
        let out = kpi()
            .arg("score")
            .args(extra)
            .arg("--rules")
            .arg(&rules)
            .arg("--data")
            .arg(&data)
            .output()
            .expect("runs");
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, _, err) = scored(&[]);
    assert_eq!(code, Some(1));
    assert!(err.trim_end().ends_with("1 error(s)"), "{err}");
    let (code, summary, err) = scored(&["--skip-bad-rows"]);
    assert_eq!(code, Some(0), "{err}");
    let line = |start: &str| {
        summary
            .lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no `{start}` line in\n{summary}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        summary.contains("Period: 2025-09-01 – 2026-08-31"),
        "{summary}"
    );
    assert_eq!(line("later"), "later weight 0");
    assert_eq!(line("scripted "), "scripted — / 1 failed");
    assert_eq!(line("gifts:"), "gifts: 1 row(s) left out (--skip-bad-rows)");
    assert!(
        summary.contains("  - the script failed: Runtime error: nope"),
        "{summary}"
    );
    assert!(!summary.contains("notes: 1"), "{summary}");
}

#[test]
fn finding_8_one_rule_for_names_in_both_formats_and_convert_writes_what_parses() {
    // YAML ids a .kpi file cannot hold are errors, with a name that would do.
    let yaml = "scorecard:\n  title: S\n  population: alumni\nobjectives:\n  - id: engagement\n    weight: 1\n    indicators:\n      - id: donor rate\n        value: 1\n        target: 1\n      - id: serve-2026\n        value: 1\n        target: 1\n";
    let run = check_one("r.yaml", yaml.as_bytes());
    let names: Vec<_> = run
        .errors()
        .iter()
        .filter(|e| e["code"] == "yaml::name")
        .map(|e| {
            (
                e["line"].as_u64(),
                e["help"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit(' ')
                    .next()
                    .map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (Some(8), Some("`donor_rate`".to_string())),
            (Some(11), Some("`serve_2026`".to_string()))
        ],
        "{}",
        run.stdout
    );
    // Accented names are names, in both formats, and convert's output
    // parses and scores the same.
    let dir = tempfile::tempdir().expect("temp dir");
    let (yaml_dir, kpi_dir, data) = (
        dir.path().join("y"),
        dir.path().join("k"),
        dir.path().join("d"),
    );
    for d in [&yaml_dir, &kpi_dir, &data] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    std::fs::write(
        yaml_dir.join("r.yaml"),
        "params:\n  durée_cible: 10\nscorecard:\n  title: S\n  population: diplômés\nobjectives:\n  - id: bénévolat\n    weight: 1\n    indicators:\n      - id: heures_données\n        value: sum(diplômés.heures_bénévoles)\n        target: durée_cible\n",
    )
    .expect("write");
    std::fs::write(data.join("diplômés.csv"), "id,heures_bénévoles\n1,4\n2,3\n").expect("write");
    let converted = kpi()
        .args(["convert", "--to", "kpi"])
        .arg(yaml_dir.join("r.yaml"))
        .arg("-o")
        .arg(kpi_dir.join("r.kpi"))
        .output()
        .expect("runs");
    assert!(converted.status.success(), "{}", text(&converted.stderr));
    let kpi_text = std::fs::read_to_string(kpi_dir.join("r.kpi")).expect("read");
    assert!(kpi_text.contains("objective bénévolat {"), "{kpi_text}");
    let scores: Vec<_> = [&yaml_dir, &kpi_dir]
        .into_iter()
        .map(|rules| {
            let run = common::run(
                &["score", "--format", "json"],
                rules.to_str().expect("utf-8"),
                &data,
            );
            assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
            let report = run.json();
            let i = &report["objectives"][0]["indicators"][0];
            (
                i["id"].as_str().map(str::to_string),
                i["value"].as_f64(),
                i["score"].as_f64(),
            )
        })
        .collect();
    assert_eq!(
        scores[0],
        (Some("heures_données".to_string()), Some(7.0), Some(70.0))
    );
    assert_eq!(scores[0], scores[1]);
}

#[test]
fn finding_7_the_title_and_the_footer_follow_the_period_scored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("r.html");
    let out = kpi()
        .args(["score", "--period", "2024-09-01..2025-08-31", "-o"])
        .arg(&html)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).expect("read");
    assert!(
        page.contains(
            "<h1 id=\"summary-title\">Relations avec les diplômés — impact 2024&#x2f;25</h1>"
        ),
        "the title"
    );
    // The footer counts the rows of the period: events of 2024/25 only.
    let events = std::fs::read_to_string(root().join("data/sample/events.csv")).expect("read");
    let in_year = events
        .lines()
        .skip(1)
        .filter(|l| {
            l.split(',')
                .nth(1)
                .is_some_and(|d| ("2024-09-01"..="2025-08-31").contains(&d))
        })
        .count();
    let all = events.lines().count() - 1;
    assert!(
        page.contains(&format!("events {in_year} of {all}")),
        "the footer"
    );
    // A title that names another year than the one scored is said.
    let rules = dir.path().join("rules");
    copy_dir(&root().join("rules"), &rules);
    let scorecard = rules.join("scorecard.kpi");
    let src = std::fs::read_to_string(&scorecard).expect("read");
    std::fs::write(&scorecard, src.replace("impact {period}", "impact 2025/26")).expect("write");
    let run = common::run(
        &[
            "score",
            "--format",
            "json",
            "--period",
            "2024-09-01..2025-08-31",
        ],
        rules.to_str().expect("utf-8"),
        &root().join("data/sample"),
    );
    let report = run.json();
    let note = report["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "score::title-period"))
        .unwrap_or_else(|| panic!("no title note in {}", report["diagnostics"]));
    assert_eq!(
        note["message"],
        "the title says 2025/26 but the period scored is 2024-09-01 .. 2025-08-31"
    );
    // The terminal summary prints the period.
    let out = kpi()
        .args(["score", "--period", "2024-09-01..2025-08-31"])
        .output()
        .expect("runs");
    let summary = text(&out.stdout);
    assert!(
        summary.starts_with("Relations avec les diplômés — impact 2024/25\n")
            && summary
                .lines()
                .nth(1)
                .is_some_and(|l| l.ends_with("Period: 2024-09-01 – 2025-08-31")),
        "{summary}"
    );
}

#[test]
fn finding_11_the_generated_years_are_comparable_and_documented_truthfully() {
    for (alumni, per_year) in [(2000, 12), (9000, 30)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = kpi()
            .args([
                "generate",
                "--alumni",
                &alumni.to_string(),
                "--seed",
                "7",
                "--out",
            ])
            .arg(dir.path())
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let events = std::fs::read_to_string(dir.path().join("events.csv")).expect("read");
        let mut years: [Vec<(String, String)>; 2] = [Vec::new(), Vec::new()];
        for line in events.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            let year = usize::from(cells[1] >= "2025-09-01");
            assert!(("2024-09-01"..="2026-08-31").contains(&cells[1]), "{line}");
            years[year].push((cells[2].to_string(), cells[4].to_string()));
        }
        // The same programme each year: as many events, of the same kinds
        // and scopes.
        assert_eq!(years[0].len(), per_year, "{alumni} alumni");
        assert_eq!(years[0], years[1], "{alumni} alumni");
        // Staff are dated on the first day of their fiscal year.
        let staff = std::fs::read_to_string(dir.path().join("staff.csv")).expect("read");
        assert_eq!(staff.lines().next(), Some("id,year,date,fte"));
        assert!(staff.contains(",2026,2025-07-01,"), "{staff}");
        // No alumnus is linked with themself.
        let links = std::fs::read_to_string(dir.path().join("connections.csv")).expect("read");
        assert!(links.lines().skip(1).all(|l| {
            let c: Vec<&str> = l.split(',').collect();
            c[1] != c[2]
        }));
    }
    // What the docs say of it.
    let domain = std::fs::read_to_string(root().join("docs/domain.md")).expect("read");
    assert!(
        domain.contains("2,000 alumni give 12\n  events a year"),
        "the docs' events a year"
    );
    assert!(domain.contains("Graduation years 1976–2025"));
    let alumni = std::fs::read_to_string(root().join("data/sample/alumni.csv")).expect("read");
    let years: Vec<i32> = alumni
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1)?.parse().ok())
        .collect();
    assert_eq!(years.iter().min(), Some(&1976));
    assert_eq!(years.iter().max(), Some(&2025));
    // The demo's cost trend is the programme's noise, not a split artefact.
    let report = common::run(
        &["score", "--format", "json"],
        "rules",
        &root().join("data/sample"),
    )
    .json();
    let trend = report["objectives"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| o["indicators"].as_array().into_iter().flatten())
        .find(|i| i["id"] == "cost_trend")
        .and_then(|i| i["value"].as_f64())
        .expect("a cost trend");
    assert!((0.8..1.25).contains(&trend), "{trend}");
}

/// `kpi score ARGS -o NAME` for each name (the format from its
/// extension): what was written.
fn score_into<const N: usize>(args: &[&str], names: [&str; N]) -> [String; N] {
    let dir = tempfile::tempdir().expect("temp dir");
    names.map(|name| {
        let file = dir.path().join(name);
        let out = kpi()
            .arg("score")
            .args(args)
            .arg("-o")
            .arg(&file)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", text(&out.stderr));
        std::fs::read_to_string(&file).expect("read")
    })
}

#[test]
fn finding_9_a_french_report_is_french_throughout() {
    let [md, html] = score_into(
        &[
            "--lang",
            "fr",
            "--explain",
            "--period",
            "2024-09-01..2025-08-31",
        ],
        ["r.md", "r.html"],
    );

    for page in [&md, &html] {
        // Segment notes, data and rule notes, the explain sentence (in
        // HTML with names as code and a space before `:` that does not
        // break).
        let page = page
            .replace("<code>", "`")
            .replace("</code>", "`")
            .replace("&#x27;", "'")
            .replace('\u{a0}', " ");
        assert!(
            page.contains("pas de détail par segment : il lit `events`, sans lien avec `alumni`")
        );
        assert!(page.contains("n'a pas de données : il ne compte pas"));
        assert!(page.contains(" avec la valeur "));
        for english in ["not segmented", "has no data", " with value ", "warning"] {
            assert!(!page.contains(english), "`{english}` in a French report");
        }
        assert!(!page.contains("-0 %"));
    }
    // French typography: a space before the colon (one that does not
    // break in HTML).
    assert!(md.contains("**Score global : "), "{md}");
    assert!(html.contains("Période\u{a0}: 2024-09-01"));
    assert!(html.contains("pas de détail par segment\u{a0}: il lit <code>events</code>"));
    // Chart ticks written as French numbers are (0, 10, …), not `10.0`:
    // the objectives' chart, after the summary's trend.
    let objectives_chart = html
        .split("aria-label=\"Objectifs\"")
        .nth(1)
        .expect("the objectives chart");
    let ticks: Vec<&str> = objectives_chart
        .split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>')
                .map(|(_, rest)| rest.split('<').next().unwrap_or("").trim())
        })
        .take(12)
        .collect();
    assert_eq!(
        ticks,
        [
            "Score", "0", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100"
        ]
    );
}

#[test]
fn finding_6_every_format_carries_the_same_figures() {
    let [md, csv, html] = score_into(
        &[
            "--explain",
            "--rules",
            "tests/eval/hand/rules",
            "--data",
            "tests/eval/hand/data",
        ],
        ["r.md", "r.csv", "r.html"],
    );
    // The explain trace, in Markdown too; segment tables give the values,
    // not only the scores (Science answered 1 of 3 invitations).
    assert!(md.contains("### How it was computed"), "{md}");
    assert!(md.contains("- With the figures: `5 / 7`"), "{md}");
    assert!(
        md.contains("`count(participations where invited)`: 8 rows, 7 kept → 7"),
        "{md}"
    );
    assert!(
        md.contains("| Response rate | 100 % (100) | 100 % (100) | 33.3 % (33.3) |"),
        "{md}"
    );

    // The HTML heat map says why a segment has no score: Arts and Science
    // had no attendance a year earlier.
    assert_eq!(html.matches(">no baseline<").count(), 2, "{html}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<std::collections::HashMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.expect("row").iter().map(String::from))
                .collect()
        })
        .collect();
    let find = |level: &str, key: &str, value: &str| {
        rows.iter()
            .find(|r| r["level"] == level && r[key] == value)
            .unwrap_or_else(|| panic!("no {level} row with {key} = {value}:\n{csv}"))
    };
    // The overall figure and coverage, the objectives, peers, notes.
    let overall = find("overall", "objective", "");
    assert_eq!(
        (overall["score"].as_str(), overall["coverage"].as_str()),
        ("80.15625", "0.85")
    );
    let cost = find("objective", "objective", "cost");
    assert_eq!(
        (cost["score"].as_str(), cost["weight"].as_str()),
        ("86.25", "1")
    );
    let rate = find("indicator", "indicator", "response_rate");
    assert_eq!(
        (rate["peers_n"].as_str(), rate["peers_rank"].as_str()),
        ("4", "2")
    );
    assert_eq!(rate["with_values"], "5 / 7");
    assert_eq!(rate["contribution"], "50");
    let note = find("note", "status", "warning");
    assert!(note["reason"].contains("`gifts` has no data"), "{csv}");
    assert!(note["source"].ends_with("hand.kpi:49:13"), "{csv}");
    // A segment is scored against its own target: Arts had no
    // participation the year before, so no baseline (not the whole's 4).
    let arts = rows
        .iter()
        .find(|r| r["indicator"] == "growth" && r["segment_value"] == "Arts")
        .expect("growth for Arts");
    assert_eq!(
        (arts["target"].as_str(), arts["status"].as_str()),
        ("", "no_baseline")
    );
    let law = rows
        .iter()
        .find(|r| r["indicator"] == "growth" && r["segment_value"] == "Law")
        .expect("growth for Law");
    // Law: 2 attended, 2 the year before, so a target of 2 × 2 = 4.
    assert_eq!((law["target"].as_str(), law["score"].as_str()), ("4", "50"));
    // What cannot be segmented says why.
    let unsegmented = find("segment", "status", "not_segmented");
    assert_eq!(unsegmented["indicator"], "cost_per_engaged");
}

/// Every `"area::name"` code written in the sources.
fn codes_in(dir: &Path, codes: &mut std::collections::BTreeSet<String>) {
    const AREAS: [&str; 13] = [
        "parse", "yaml", "rules", "fmt", "check", "set", "data", "score", "eval", "io", "live",
        "test", "sql",
    ];
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            codes_in(&path, codes);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).expect("read");
            for area in AREAS {
                let open = format!("\"{area}::");
                for (at, _) in source.match_indices(&open) {
                    let rest = &source[at + open.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                        .collect();
                    if !name.is_empty() && rest[name.len()..].starts_with('"') {
                        codes.insert(format!("{area}::{name}"));
                    }
                }
            }
        }
    }
}

#[test]
fn every_diagnostic_code_is_in_the_reference() {
    let mut codes = std::collections::BTreeSet::new();
    codes_in(Path::new("src"), &mut codes);
    assert!(codes.len() > 60, "{codes:?}");
    let reference = std::fs::read_to_string("docs/diagnostics.md").expect("docs/diagnostics.md");
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !reference.contains(&format!("| `{c}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/diagnostics.md: {missing:?}"
    );
    // And the reference lists no code that does not exist.
    let stale: Vec<&str> = reference
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .filter(|c| !codes.contains(*c))
        .collect();
    assert!(
        stale.is_empty(),
        "codes in docs/diagnostics.md that the sources do not use: {stale:?}"
    );
}

/// The commands written in backticks in the README and the docs
/// (`kpi convert rules/engagement.kpi --to yaml`), except mentions of a
/// command or a flag alone, placeholders (`FILE`, `DIR`, `N`) and `watch`
/// (which runs until stopped; tests/watch.rs drives it).
fn written_commands() -> Vec<String> {
    const TAKES_A_VALUE: [&str; 15] = [
        "--periods",
        "--export",
        "--data",
        "--rules",
        "-o",
        "--format",
        "--set",
        "--lang",
        "--period",
        "--profiles",
        "--template",
        "--to",
        "--alumni",
        "--seed",
        "--out",
    ];
    let mut docs = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).expect("docs") {
        docs.push(entry.expect("entry").path());
    }
    let mut commands = Vec::new();
    for doc in docs {
        let text = std::fs::read_to_string(&doc).expect("read");
        for span in text.split('`').skip(1).step_by(2) {
            let Some(command) = span.strip_prefix("kpi ") else {
                continue;
            };
            let words: Vec<&str> = command.split_whitespace().collect();
            let placeholder = words.iter().any(|w| {
                w.chars().any(|c| c.is_ascii_uppercase()) && !w.starts_with('-') || w.contains('[')
            });
            let mention =
                words.len() < 2 || words.last().is_some_and(|w| TAKES_A_VALUE.contains(w));
            if !placeholder
                && !mention
                && words[0] != "watch"
                // Runs until stopped: tests/serve.rs runs it.
                && words[0] != "serve"
                && !commands.contains(&command.to_string())
            {
                commands.push(command.to_string());
            }
        }
    }
    commands
}

#[test]
fn every_command_written_in_the_docs_runs_as_written() {
    let commands = written_commands();
    for expected in [
        "convert rules/engagement.kpi --to yaml",
        "generate --alumni 2000 --seed 2026 --out data/sample --force",
        "score --rules rules/case-aem",
        "check --no-data",
    ] {
        assert!(
            commands.iter().any(|c| c == expected),
            "{expected} not found in {commands:?}"
        );
    }
    // In a copy of the shipped rules and sample, as a reader would type it
    // in a checkout.
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("rules"), &dir.path().join("rules"));
    copy_dir(&root().join("data"), &dir.path().join("data"));
    for command in &commands {
        let out = kpi()
            .current_dir(dir.path())
            .args(command.split_whitespace())
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "`kpi {command}` as the docs write it: {}",
            text(&out.stderr)
        );
    }
}
