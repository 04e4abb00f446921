//! Every format renders the same report; Markdown, CSV and YAML are
//! reviewed snapshots; the HTML page is self-contained and opens in a
//! headless browser without console errors.

mod common;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::report::{Lang, RenderOptions, Report, ReportFormat};
use alumni_kpi::rules::RuleSet;
use common::{kpi, root, run};

fn hand_report(explain: bool) -> Report {
    // A relative path: file names in the report are the same on every machine
    // (tests run from the package root).
    let (rules, diags) = RuleSet::load_dir(std::path::Path::new("tests/eval/hand/rules"));
    assert!(diags.is_empty());
    let data = Dataset::load(
        &root().join("tests/eval/hand/data"),
        &LoadOptions {
            exclude: vec!["peers.csv".into()],
            ..LoadOptions::default()
        },
    )
    .expect("hand data");
    let options = ScoreOptions {
        explain,
        ..ScoreOptions::default()
    };
    Scoring::new(&rules, &data, &options)
        .expect("checks")
        .report()
}

fn render(report: &Report, format: ReportFormat, lang: Lang) -> String {
    report
        .render_with(
            format,
            &RenderOptions {
                lang,
                template: None,
                ..RenderOptions::default()
            },
        )
        .expect("renders")
}

#[test]
fn markdown_csv_and_yaml_snapshots() {
    let report = hand_report(false);
    insta::assert_snapshot!("hand_md", render(&report, ReportFormat::Md, Lang::En));
    insta::assert_snapshot!("hand_md_fr", render(&report, ReportFormat::Md, Lang::Fr));
    insta::assert_snapshot!("hand_csv", render(&report, ReportFormat::Csv, Lang::En));
    insta::assert_snapshot!("hand_yaml", render(&report, ReportFormat::Yaml, Lang::En));
}

#[test]
fn yaml_carries_the_json_content() {
    let report = hand_report(true);
    let json: serde_json::Value =
        serde_json::from_str(&render(&report, ReportFormat::Json, Lang::En)).expect("json");
    let yaml: serde_json::Value =
        alumni_kpi::yaml_io::from_str(&render(&report, ReportFormat::Yaml, Lang::En))
            .expect("yaml");
    assert_eq!(json, yaml);
}

#[test]
fn the_html_page_is_self_contained_and_complete() {
    let report = hand_report(true);
    let page = render(&report, ReportFormat::Html, Lang::En);
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("<svg"), "the objectives chart");
    for external in [
        "src=\"http",
        "href=\"http",
        "<script src",
        "@import",
        "url(http",
        "<link ",
    ] {
        assert!(!page.contains(external), "external resource: {external}");
    }
    for content in [
        "Overall score",
        "80.2",
        "Response rate",
        "71.4 %",
        "rank 2 of 5",
        "By segment: faculty",
        "<details>",
        "no data",
    ] {
        assert!(page.contains(content), "missing {content}");
    }
    assert!(
        page.contains(&report.revision),
        "the revision in the footer"
    );
    assert!(page.contains("@media print"), "a print stylesheet");
    // Text from the rules is escaped, never markup.
    let fr = render(&report, ReportFormat::Html, Lang::Fr);
    assert!(fr.contains("Score global") && fr.contains("80,2"));
}

#[test]
fn an_institution_template_restyles_the_page() {
    let report = hand_report(false);
    let template = "<html><body><h1>{{ report.scorecard }}</h1><p>{{ score }}</p>{{ objectives_chart }}</body></html>";
    let page = report
        .render_with(
            ReportFormat::Html,
            &RenderOptions {
                lang: Lang::En,
                template: Some(template.into()),
                ..RenderOptions::default()
            },
        )
        .expect("renders");
    assert!(
        page.starts_with("<html><body><h1>Hand-computed</h1><p>80.2</p><svg"),
        "{page}"
    );
    let broken = report.render_with(
        ReportFormat::Html,
        &RenderOptions {
            lang: Lang::En,
            template: Some("{% for %}".into()),
            ..RenderOptions::default()
        },
    );
    assert!(
        broken.is_err(),
        "a broken template is an error, not a half page"
    );
}

/// Opens the page in headless Chromium: a screenshot is taken and the page
/// must log no console error. Chromium comes from Debian's package (.ci/run
/// installs it); without it the test is skipped outside CI and fails in CI.
#[test]
fn the_html_page_opens_in_headless_chromium_without_console_errors() {
    let Some(browser) = ["chromium", "chromium-browser"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    std::fs::write(
        &page,
        render(&hand_report(true), ReportFormat::Html, Lang::En),
    )
    .expect("write");
    let shot = dir.path().join("report.png");
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1600",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&out.stderr);
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught")))
        .collect();
    assert!(console_errors.is_empty(), "{console_errors:#?}");
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot ({} bytes)",
        png.len()
    );
}

#[test]
fn every_format_renders_the_shipped_pack_on_the_sample() {
    let (rules, diags) = RuleSet::load_dir(&root().join("rules"));
    assert!(diags.is_empty());
    let data = Dataset::load(
        &root().join("data/sample"),
        &LoadOptions {
            exclude: vec!["peers.csv".into()],
            ..LoadOptions::default()
        },
    )
    .expect("sample");
    let report = Scoring::new(
        &rules,
        &data,
        &ScoreOptions {
            explain: true,
            ..ScoreOptions::default()
        },
    )
    .expect("checks")
    .report();
    let indicators = report
        .objectives
        .iter()
        .map(|o| o.indicators.len())
        .sum::<usize>();
    for format in [
        ReportFormat::Json,
        ReportFormat::Yaml,
        ReportFormat::Md,
        ReportFormat::Html,
        ReportFormat::Csv,
    ] {
        for lang in [Lang::En, Lang::Fr] {
            let text = render(&report, format, lang);
            assert!(text.len() > 1000, "{format:?} {lang:?}");
            for o in &report.objectives {
                for i in &o.indicators {
                    let name = match format {
                        ReportFormat::Md | ReportFormat::Html => {
                            i.title.clone().unwrap_or_default()
                        }
                        _ => i.id.clone(),
                    };
                    // Titles are HTML-escaped in the page.
                    let name = if format == ReportFormat::Html {
                        name.replace('&', "&amp;")
                            .replace('\'', "&#x27;")
                            .replace('/', "&#x2f;")
                            .replace('"', "&quot;")
                    } else {
                        name
                    };
                    assert!(text.contains(&name), "{format:?} lacks {name}");
                }
            }
        }
    }
    assert!(indicators > 40);
}

/// DESIGN §11: each indicator carries its definition in canonical form, so
/// that two reports compare without their rules; the same rules written in
/// YAML give the same formulas.
#[test]
fn each_indicator_carries_its_formula_in_canonical_form() {
    let kpi_report = run(
        &["score", "--format", "json"],
        "tests/eval/hand/rules",
        &root().join("tests/eval/hand/data"),
    );
    assert_eq!(kpi_report.code, Some(0), "{}", kpi_report.stderr);
    let report = kpi_report.json();
    let formulas = |r: &serde_json::Value| -> Vec<serde_json::Value> {
        r["objectives"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|o| o["indicators"].as_array().into_iter().flatten())
            .map(|i| serde_json::json!({"id": i["id"], "formula": i["formula"]}))
            .collect()
    };
    let written = formulas(&report);
    let members = written
        .iter()
        .find(|f| f["id"] == "members")
        .expect("members");
    assert_eq!(
        members["formula"],
        serde_json::json!({
            "value": "share(alumni where member)",
            "target": "80%",
            "score": "linear(0, target)"
        })
    );
    // The same rules as YAML.
    let dir = tempfile::tempdir().expect("temp dir");
    let yaml = kpi()
        .args(["convert", "--to", "yaml", "tests/eval/hand/rules/hand.kpi"])
        .current_dir(root())
        .output()
        .expect("runs");
    assert!(yaml.status.success());
    std::fs::write(dir.path().join("hand.yaml"), &yaml.stdout).expect("write");
    let from_yaml = run(
        &["score", "--format", "json"],
        dir.path().to_str().expect("a path"),
        &root().join("tests/eval/hand/data"),
    );
    assert_eq!(from_yaml.code, Some(0), "{}", from_yaml.stderr);
    assert_eq!(formulas(&from_yaml.json()), written);
}
