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
            "generate",
            [
                "--alumni",
                "40",
                "--seed",
                "3",
                "--out",
                &d("gen"),
                "--force",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ("fmt", vec![kpi_file.clone(), "--check".into()]),
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
            count("convert")
        ),
        (4, 12, 11, 4, 1, 2),
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
                || (command == "watch"); // run below, it does not end by itself
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
