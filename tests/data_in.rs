//! Data in: loading never silently changes a figure. Each test is named
//! after the finding of the "data in" issue that it pins (`finding_N_…`);
//! each drives the real binary over real files, most on a copy of the
//! shipped sample with one ordinary mistake in it.

mod common;

use std::path::Path;

use common::{Run, copy_dir, root, run};
use serde_json::Value;

/// A copy of the shipped sample to damage.
fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_dir(&root().join("data/sample"), dir.path());
    dir
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("readable");
    std::fs::write(&path, f(text)).expect("written");
}

/// Replaces one line (1-based) of a file.
fn set_line(dir: &Path, file: &str, line: usize, f: impl FnOnce(&str) -> String) {
    edit(dir, file, |text| {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[line - 1] = f(&lines[line - 1]);
        lines.join("\n") + "\n"
    });
}

fn score(data: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["score", "--format", "json"];
    args.extend(extra);
    run(&args, "rules", data)
}

/// What a board sees: the overall score and every objective's and
/// indicator's figures.
fn figures(report: &Value) -> Value {
    let mut f = serde_json::json!({"score": report["score"], "coverage": report["coverage"]});
    for o in report["objectives"].as_array().into_iter().flatten() {
        f[o["id"].as_str().unwrap_or("?")] = serde_json::json!({
            "score": o["score"],
            "indicators": o["indicators"].as_array().into_iter().flatten().map(|i| {
                serde_json::json!([i["id"], i["value"], i["target"], i["score"], i["segments"]])
            }).collect::<Vec<_>>(),
        });
    }
    f
}

fn sample_figures() -> Value {
    let run = score(&root().join("data/sample"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    figures(&run.json())
}

/// The error is where the mistake is, and quotes it.
fn assert_at(d: &Value, file: &str, line: u64, column: u64, quoted: &str) {
    assert!(
        d["file"].as_str().is_some_and(|f| f.ends_with(file)),
        "{file}: {d}"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(line), Some(column)),
        "{d}"
    );
    assert!(
        d["message"].as_str().is_some_and(|m| m.contains(quoted)),
        "`{quoted}` in {d}"
    );
}

#[test]
fn finding_1_a_bad_cell_in_an_undeclared_date_column_is_an_error() {
    // contributions.csv line 2 is `1,7,2025-10-29,money,245,`: its `date`
    // is undeclared.
    for bad in ["2026-02-30", "2026-13-01", "20260105", "2025-10-29 garbage"] {
        let dir = sample();
        set_line(dir.path(), "contributions.csv", 2, |l| {
            l.replace("2025-10-29", bad)
        });
        let run = score(dir.path(), &[]);
        let d = run.error("data::value");
        assert_at(&d, "contributions.csv", 2, 3, bad);
    }
    // A slashed date alone cannot tell its order: an error too.
    let dir = sample();
    set_line(dir.path(), "contributions.csv", 2, |l| {
        l.replace("2025-10-29", "05/01/2026")
    });
    assert_at(
        &score(dir.path(), &[]).error("data::ambiguous-date"),
        "contributions.csv",
        2,
        3,
        "05/01/2026",
    );
    // An unpadded ISO date is the same date.
    let dir = sample();
    set_line(dir.path(), "contributions.csv", 3, |l| {
        l.replace("2026-05-15", "2026-5-15")
    });
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(figures(&run.json()), sample_figures());
}

#[test]
fn finding_1_a_date_column_of_another_name_is_declared_and_checked() {
    let dir = sample();
    edit(dir.path(), "contributions.csv", |t| {
        t.replacen("date", "gift_date", 1)
    });
    edit(dir.path(), "dataset.yaml", |t| {
        t.replace(
            "  contributions:\n",
            "  contributions:\n    date: gift_date\n",
        )
    });
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(figures(&run.json()), sample_figures(), "the period applies");
    set_line(dir.path(), "contributions.csv", 2, |l| {
        l.replace("2025-10-29", "2025-02-30")
    });
    assert_at(
        &score(dir.path(), &[]).error("data::value"),
        "contributions.csv",
        2,
        3,
        "2025-02-30",
    );
}

/// Every ISO date of a file written day first, as French exports do.
fn day_first(text: String) -> String {
    let iso = |w: &str| {
        let b = w.as_bytes();
        w.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && w.bytes().filter(u8::is_ascii_digit).count() == 8
    };
    text.lines()
        .map(|l| {
            l.split(',')
                .map(|c| {
                    if iso(c) {
                        format!("{}/{}/{}", &c[8..10], &c[5..7], &c[..4])
                    } else {
                        c.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn finding_2_day_first_dates_give_the_same_figures() {
    let dir = sample();
    for file in ["participations.csv", "contributions.csv", "events.csv"] {
        edit(dir.path(), file, day_first);
    }
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let report = run.json();
    assert_eq!(figures(&report), sample_figures());
    assert_eq!(
        report["dataset"]["participations"]["date_format"],
        "%d/%m/%Y"
    );
    assert_eq!(
        report["dataset"]["participations"]["inferred"][1],
        "date_format"
    );
}

#[test]
fn finding_3_a_bad_cell_in_an_undeclared_number_column_is_located_and_skippable() {
    // events.csv line 2, `staff_hours` (column 9): undeclared.
    let staff_hours = |cell: String| {
        move |l: &str| {
            let mut fields: Vec<String> = l.split(',').map(str::to_string).collect();
            fields[8] = cell.clone();
            fields.join(",")
        }
    };
    for bad in ["NaN", "1e309", "huit"] {
        let dir = sample();
        set_line(dir.path(), "events.csv", 2, staff_hours(bad.to_string()));
        assert_at(
            &score(dir.path(), &[]).error("data::value"),
            "events.csv",
            2,
            9,
            bad,
        );
        let run = score(dir.path(), &["--skip-bad-rows"]);
        assert_eq!(run.code, Some(0), "{}", run.stdout);
        let report = run.json();
        assert_eq!(report["skipped_rows"]["events"], 1);
        assert_eq!(report["rows"]["events"], 23);
    }
    // A decimal comma is a number, not a reason to read the column as text.
    let dir = sample();
    let hours = std::fs::read_to_string(dir.path().join("events.csv")).expect("read");
    let hours = hours
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').nth(8))
        .expect("a cell")
        .to_string();
    set_line(
        dir.path(),
        "events.csv",
        2,
        staff_hours(format!("\"{hours},0\"")),
    );
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(figures(&run.json()), sample_figures());
}

/// A tiny dataset, with the given manifest, and a rule reading it.
fn tiny(manifest: Option<&str>) -> (tempfile::TempDir, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        data.path().join("t.csv"),
        "id,when,n\n1,2026-01-05,5\n2,2026-02-05,7\n",
    )
    .expect("write");
    if let Some(m) = manifest {
        std::fs::write(data.path().join("dataset.yaml"), m).expect("write");
    }
    let rules = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        rules.path().join("r.kpi"),
        "scorecard \"T\" { population = t }\nobjective o { indicator i { value = sum(t.n) target = 12 } }\n",
    )
    .expect("write");
    (data, rules)
}

fn run_tiny(data: &Path, rules: &Path) -> Run {
    run(
        &["score", "--format", "json"],
        rules.to_str().expect("utf-8 path"),
        data,
    )
}

#[test]
fn finding_4_manifest_mistakes_are_errors_at_their_line() {
    let cases: [(&[u8], &str, u64, &str); 7] = [
        (
            b"tables:\n  t:\n    date: whenn\n",
            "data::manifest",
            3,
            "whenn",
        ),
        (
            b"tables:\n  t:\n    date: n\n",
            "data::date-column",
            3,
            "`n`",
        ),
        (b"# caf\xe9\ntables: {}\n", "data::manifest", 1, "not UTF-8"),
        (
            b"tables:\n  t: {key: id}\n  t: {key: n}\n",
            "data::manifest",
            3,
            "twice",
        ),
        (b"tables:\n  t:\n    key: idd\n", "data::manifest", 3, "idd"),
        (
            b"tables:\n  t:\n    refs: {nope: t}\n",
            "data::manifest",
            3,
            "nope",
        ),
        (
            b"tables:\n  t:\n    file: /etc/passwd\n",
            "data::manifest",
            3,
            "outside",
        ),
    ];
    for (manifest, code, line, quoted) in cases {
        let (data, rules) = tiny(None);
        std::fs::write(data.path().join("dataset.yaml"), manifest).expect("write");
        let run = run_tiny(data.path(), rules.path());
        let d = run.error(code);
        assert!(
            d["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("dataset.yaml")),
            "{d}"
        );
        assert_eq!(d["line"].as_u64(), Some(line), "{d}");
        assert!(
            d["message"].as_str().is_some_and(|m| m.contains(quoted)),
            "{quoted}: {d}"
        );
        assert!(
            !run.stdout.contains("root:"),
            "nothing of /etc/passwd is shown"
        );
    }
    let (data, rules) = tiny(None);
    std::fs::create_dir(data.path().join("dataset.yaml")).expect("a directory");
    let d = run_tiny(data.path(), rules.path()).error("data::manifest");
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("directory")),
        "{d}"
    );
}

#[test]
fn finding_5_an_unterminated_quote_is_named_and_skipping_keeps_every_other_row() {
    let dir = sample();
    // alumni.csv line 10 gets a quote that never closes.
    set_line(dir.path(), "alumni.csv", 10, |l| {
        let mut cells: Vec<&str> = l.split(',').collect();
        let city = format!("\"{}", cells[5]);
        cells[5] = &city;
        cells.join(",")
    });
    let run = score(dir.path(), &[]);
    let d = run.error("data::quote");
    assert_at(&d, "alumni.csv", 10, 1, "quote opened at line 10");
    let run = score(dir.path(), &["--skip-bad-rows"]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let report = run.json();
    assert_eq!(
        report["rows"]["alumni"], 1999,
        "only the bad row is left out"
    );
    assert_eq!(report["skipped_rows"]["alumni"], 1);
    let skipped = report["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "data::skipped").cloned())
        .expect("the report says which rows were left out");
    assert!(
        skipped["message"]
            .as_str()
            .is_some_and(|m| m.contains("line(s) 10")),
        "{skipped}"
    );
}

#[test]
fn finding_6_duplicate_headers_two_files_trailing_text_and_blank_jsonl_lines() {
    let dir = sample();
    edit(dir.path(), "events.csv", |t| {
        t.replacen(",partners,", ",id,", 1)
    });
    assert_at(
        &score(dir.path(), &[]).error("data::header"),
        "events.csv",
        1,
        11,
        "`id` twice",
    );

    let dir = sample();
    std::fs::write(
        dir.path().join("staff.jsonl"),
        "{\"id\": 1, \"year\": 2025, \"fte\": 9}\n",
    )
    .expect("write");
    let d = score(dir.path(), &[]).error("data::table-files");
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("staff.csv")),
        "{d}"
    );

    let dir = sample();
    // alumni.csv line 3 has `join_date` 2022-07-24 (a declared date).
    set_line(dir.path(), "alumni.csv", 3, |l| {
        l.replace("2022-07-24", "2022-07-24 garbage")
    });
    assert_at(
        &score(dir.path(), &[]).error("data::value"),
        "alumni.csv",
        3,
        11,
        "2022-07-24 garbage",
    );

    // survey as JSONL, its first line blank: the same figures.
    let dir = sample();
    let csv = std::fs::read_to_string(dir.path().join("survey.csv")).expect("read");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let mut jsonl = String::from("\n");
    for line in lines {
        let mut object = serde_json::Map::new();
        let mut reader = csv_cells(line);
        for name in &header {
            let cell = reader.next().unwrap_or_default();
            if !cell.is_empty() {
                object.insert(name.to_string(), Value::String(cell));
            }
        }
        jsonl += &format!("{}\n", Value::Object(object));
    }
    std::fs::remove_file(dir.path().join("survey.csv")).expect("remove");
    std::fs::write(dir.path().join("survey.jsonl"), jsonl).expect("write");
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(figures(&run.json()), sample_figures());
}

/// The cells of one CSV line.
fn csv_cells(line: &str) -> impl Iterator<Item = String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let record = reader
        .records()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default();
    record
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
}

#[test]
fn finding_7_empty_list_cells_are_empty_lists_as_the_docs_say() {
    let data = tempfile::tempdir().expect("temp dir");
    std::fs::write(data.path().join("a.csv"), "id,tags\n1,x;y\n2,\n").expect("write");
    std::fs::write(
        data.path().join("dataset.yaml"),
        "tables:\n  a:\n    columns: {tags: list}\n",
    )
    .expect("write");
    let rules = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        rules.path().join("r.kpi"),
        "scorecard \"T\" { population = a }\n\
         objective o { indicator n { value = avg(len(a.tags)) target = 1 } }\n",
    )
    .expect("write");
    let run = run_tiny(data.path(), rules.path());
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(
        run.json()["objectives"][0]["indicators"][0]["value"],
        1,
        "(2 + 0) / 2: the empty cell is a list of none, not null"
    );
    let docs = std::fs::read_to_string(root().join("docs/scoring.md")).expect("docs");
    assert!(
        docs.contains("an empty cell of a list column is the empty list"),
        "docs/scoring.md says what the code does"
    );
}

#[test]
fn finding_9_errors_in_crlf_files_point_at_their_line() {
    let (data, rules) = tiny(Some("tables:\n  t:\n    columns: {n: number}\n"));
    std::fs::write(
        data.path().join("t.csv"),
        "id,when,n\r\n1,2026-01-05,5\r\n2,2026-02-05,x\r\n\"3\r\n\",2026-03-05,y\r\n",
    )
    .expect("write");
    let run = run_tiny(data.path(), rules.path());
    let errors = run.errors();
    assert_at(&errors[0], "t.csv", 3, 3, "`x`");
    // The second bad cell is on the second line of its row: the first
    // cell of the row holds a line break.
    assert_at(&errors[1], "t.csv", 5, 3, "`y`");
}

#[test]
fn finding_10_the_docs_way_to_do_without_a_table_works() {
    let docs = std::fs::read_to_string(root().join("docs/domain.md")).expect("docs");
    let headers: Vec<&str> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("printf '"))
        .collect();
    assert!(
        headers.len() >= 4,
        "docs/domain.md shows how to leave out learning, mentoring, connections and survey"
    );
    let dir = sample();
    for line in headers {
        // printf 'HEADER\n' > YOUR_DIR/TABLE.csv
        let (header, target) = line.split_once("\\n' > YOUR_DIR/").expect("the docs' form");
        std::fs::write(dir.path().join(target.trim()), format!("{header}\n")).expect("write");
    }
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let learning = report["objectives"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| o["indicators"].as_array().cloned().unwrap_or_default())
        .find(|i| i["id"] == "skills_progressed")
        .expect("a learning indicator");
    assert_eq!(learning["value"], Value::Null, "{learning}");
    assert_ne!(learning["status"], "ok");
}

#[test]
fn finding_11_the_benchmark_and_plugins_stay_inside_their_directories() {
    let sample_rules = root().join("rules");
    for benchmark in ["/etc/passwd", "../../x"] {
        let rules = tempfile::tempdir().expect("temp dir");
        copy_dir(&sample_rules, rules.path());
        edit(rules.path(), "scorecard.kpi", |t| {
            t.replace("\"peers.csv\"", &format!("\"{benchmark}\""))
        });
        let out = run(
            &["check"],
            rules.path().to_str().expect("utf-8"),
            &root().join("data/sample"),
        );
        out.error("check::benchmark-path");
        assert!(!out.stdout.contains("root:"), "{}", out.stdout);
    }
    #[cfg(unix)]
    {
        // A benchmark that is a link out of the dataset directory.
        let dir = sample();
        std::fs::remove_file(dir.path().join("peers.csv")).expect("remove");
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("peers.csv")).expect("link");
        let out = score(dir.path(), &[]);
        let d = out.error("data::benchmark");
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("leads outside")),
            "{d}"
        );
        assert!(!out.stdout.contains("root:"), "{}", out.stdout);

        // A plugins folder that is a link to /etc, and a plugin that is a
        // link to a device.
        let rules = tempfile::tempdir().expect("temp dir");
        copy_dir(&sample_rules, rules.path());
        std::fs::remove_dir_all(rules.path().join("plugins")).expect("remove");
        std::os::unix::fs::symlink("/etc", rules.path().join("plugins")).expect("link");
        edit(rules.path(), "scorecard.kpi", |t| {
            t.replace("use \"plugins/lists.rhai\"", "use \"plugins/passwd\"")
        });
        let out = run(
            &["check"],
            rules.path().to_str().expect("utf-8"),
            &root().join("data/sample"),
        );
        out.error("check::use-path");
        assert!(!out.stdout.contains("root:"), "{}", out.stdout);

        std::fs::remove_file(rules.path().join("plugins")).expect("remove");
        copy_dir(&sample_rules.join("plugins"), &rules.path().join("plugins"));
        std::os::unix::fs::symlink("/dev/zero", rules.path().join("plugins/passwd")).expect("link");
        let started = std::time::Instant::now();
        let check = || {
            run(
                &["check"],
                rules.path().to_str().expect("utf-8"),
                &root().join("data/sample"),
            )
        };
        let d = check().error("check::use-path");
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("leads outside")),
            "{d}"
        );
        // A pipe inside the rules directory is not a plugin either.
        std::fs::remove_file(rules.path().join("plugins/passwd")).expect("remove");
        let made = std::process::Command::new("mkfifo")
            .arg(rules.path().join("plugins/passwd"))
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let d = check().error("check::use-path");
        assert!(
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("not a regular file")),
            "{d}"
        );
        assert!(started.elapsed().as_secs() < 10, "nothing endless is read");
    }
}

/// The sample as French Excel saves it: `;`, day-first dates, decimal
/// commas, Oui/Non, CRLF line ends and a byte-order mark.
fn french_excel(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut out = String::from("\u{feff}");
        for (i, record) in reader.records().enumerate() {
            let record = record.expect("a record");
            let cells: Vec<String> = record
                .iter()
                .map(|c| {
                    let c = match c {
                        _ if i == 0 => c.to_string(),
                        "true" => "Oui".into(),
                        "false" => "Non".into(),
                        _ if c.len() == 10
                            && c.as_bytes()[4] == b'-'
                            && c.as_bytes()[7] == b'-' =>
                        {
                            format!("{}/{}/{}", &c[8..10], &c[5..7], &c[..4])
                        }
                        _ if c.parse::<f64>().is_ok() && c.contains('.') => c.replace('.', ","),
                        _ => c.to_string(),
                    };
                    if c.contains([';', '"', '\n']) {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c
                    }
                })
                .collect();
            out += &cells.join(";");
            out += "\r\n";
        }
        std::fs::write(&path, out).expect("write");
    }
}

#[test]
fn a_french_excel_export_gives_the_same_figures_declared_or_not() {
    let expected = sample_figures();
    let dir = sample();
    french_excel(dir.path());
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(figures(&report), expected, "inferred");
    let staff = &report["dataset"]["staff"];
    assert_eq!(staff["delimiter"], ";");
    assert_eq!(staff["decimal"], ",", "fte 0,5");
    assert_eq!(report["dataset"]["events"]["date_format"], "%d/%m/%Y");
    // `01/07/2024`, `01/07/2025`: staff.csv alone cannot tell; it reads as
    // the other tables showed, and says so.
    assert_eq!(staff["date_format"], "%d/%m/%Y");
    assert_eq!(
        staff["from_other_tables"],
        serde_json::json!(["date_format"])
    );

    edit(dir.path(), "dataset.yaml", |t| {
        t.replace(
            "tables:\n",
            "locale:\n  delimiter: \";\"\n  decimal: \",\"\n  date_format: \"%d/%m/%Y\"\n  true_values: [Oui]\n  false_values: [Non]\ntables:\n",
        )
    });
    let run = score(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(figures(&report), expected, "declared");
    assert_eq!(
        report["dataset"]["staff"]["inferred"],
        serde_json::json!([])
    );
}

/// The diagnostics of a run, as compared between `check` and `score`.
fn diagnostics(run: &Run) -> Vec<Value> {
    run.errors()
        .into_iter()
        .map(|mut d| {
            d.as_object_mut().map(|o| o.remove("labels"));
            d
        })
        .collect()
}

#[test]
fn finding_8_check_data_reports_everything_score_reports() {
    let corpus = root().join("tests/corpus/bad_datasets");
    let rules = "tests/corpus/bad_datasets/rules";
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .expect("the corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expect.txt").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "{cases:?}");
    for case in cases {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let expect = std::fs::read_to_string(case.join("expect.txt")).expect("expect.txt");
        let check = run(&["check"], rules, &case);
        let score = run(&["score", "--format", "json"], rules, &case);
        assert_eq!(
            check.code,
            Some(1),
            "{name}: check must fail\n{}{}",
            check.stdout,
            check.stderr
        );
        assert_eq!(
            score.code,
            Some(1),
            "{name}: score must fail\n{}",
            score.stdout
        );
        assert_eq!(
            diagnostics(&check),
            diagnostics(&score),
            "{name}: check and score report the same"
        );
        let codes: Vec<String> = diagnostics(&score)
            .iter()
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect();
        for code in expect
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            assert!(
                codes.iter().any(|c| c == code),
                "{name}: {code} in {codes:?}"
            );
        }
        // Every error says where.
        for d in diagnostics(&score) {
            assert!(d["file"].is_string() && d["line"].is_u64(), "{name}: {d}");
        }
    }
}

#[test]
fn finding_8_a_semicolon_export_with_decimal_commas_and_oui_non_passes_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("people.csv"),
        "id;name;member\r\n1;Ada;Oui\r\n2;Bruno;Non\r\n3;Chloé;Oui\r\n4;Driss;Non\r\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("gifts.csv"),
        "id;people_id;date;amount\r\n1;1;01/10/2025;120\r\n2;1;15/03/2026;80\r\n3;3;02/05/2026;45,5\r\n4;2;24/12/2024;300\r\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("peers.csv"),
        "institution;indicator;value\r\nA;givers;0,4\r\nB;givers;0,5\r\nC;givers;0,6\r\nD;givers;0,7\r\n",
    )
    .expect("write");
    let rules = "tests/corpus/bad_datasets/rules";
    let check = run(&["check"], rules, dir.path());
    assert_eq!(check.code, Some(0), "{}{}", check.stdout, check.stderr);
    let score = run(&["score", "--format", "json"], rules, dir.path());
    assert_eq!(score.code, Some(0), "{}", score.stdout);
    let r = score.json();
    let values: Vec<&Value> = r["objectives"][0]["indicators"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| &i["value"])
        .collect();
    // Gifts in the period: 120 (01/10/2025), 80, 45,5 — givers 1 and 3.
    assert_eq!(
        values,
        [
            &serde_json::json!(0.5),
            &serde_json::json!(245.5),
            &serde_json::json!(0.5)
        ]
    );
}

#[test]
fn finding_8_a_declared_delimiter_that_is_wrong_is_named() {
    let (data, rules) = tiny(Some(
        "tables:\n  t:\n    delimiter: \",\"\n    columns: {n: number}\n",
    ));
    std::fs::write(data.path().join("t.csv"), "id;when;n\n1;2026-01-05;5\n").expect("write");
    let d = run_tiny(data.path(), rules.path()).error("data::manifest");
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("separated by `;`")),
        "{d}"
    );
}

#[test]
fn errors_past_twenty_in_a_file_are_counted() {
    let (data, rules) = tiny(Some("tables:\n  t:\n    columns: {n: number}\n"));
    let mut text = String::from("id,when,n\n");
    for i in 1..=25 {
        text += &format!("{i},2026-01-05,bad{i}\n");
    }
    std::fs::write(data.path().join("t.csv"), text).expect("write");
    let run = run_tiny(data.path(), rules.path());
    let errors = run.errors();
    assert_eq!(errors.len(), 21, "20 shown and a count");
    assert_eq!(errors[20]["code"], "data::more");
    assert!(
        errors[20]["message"]
            .as_str()
            .is_some_and(|m| m.contains("5 more")),
        "{}",
        errors[20]
    );
}

#[test]
fn a_table_that_cannot_tell_its_date_order_reads_as_the_others_only_when_they_agree() {
    let data = tempfile::tempdir().expect("temp dir");
    let rules = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        rules.path().join("r.kpi"),
        "scorecard \"T\" { population = people period = 2025-01-01 .. 2025-12-31 }\n\
         objective o { indicator i { value = count(gifts) + count(visits) target = 3 } }\n",
    )
    .expect("write");
    std::fs::write(data.path().join("people.csv"), "id\n1\n").expect("write");
    // Day first: the 25th cannot be a month.
    std::fs::write(
        data.path().join("gifts.csv"),
        "id,people_id,date\n1,1,25/12/2025\n",
    )
    .expect("write");
    // The 5th of February or the 2nd of May: not known from this file.
    std::fs::write(
        data.path().join("visits.csv"),
        "id,people_id,date\n1,1,05/02/2025\n2,1,06/03/2025\n",
    )
    .expect("write");
    let run = run(
        &["score", "--format", "json"],
        rules.path().to_str().expect("utf-8"),
        data.path(),
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let visits = &run.json()["dataset"]["visits"];
    assert_eq!(visits["date_format"], "%d/%m/%Y");
    assert_eq!(
        visits["from_other_tables"],
        serde_json::json!(["date_format"])
    );
    // Another table month first: the tables disagree, the question stays.
    std::fs::write(
        data.path().join("calls.csv"),
        "id,people_id,date\n1,1,12/25/2025\n",
    )
    .expect("write");
    let run = run_tiny(data.path(), rules.path());
    let e = run.error("data::ambiguous-date");
    assert!(
        e["file"]
            .as_str()
            .unwrap_or_default()
            .ends_with("visits.csv"),
        "{e}"
    );
}
