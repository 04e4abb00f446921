//! The board summary, page 1 of the HTML report: what helped and what hurt
//! against the previous period (checked by hand), plain-language notes,
//! and the print to A4 in headless Chromium with the summary alone on
//! page 1 and nothing cut.

mod common;

use std::path::Path;
use std::process::Command;

use alumni_kpi::data::{Dataset, LoadOptions};
use alumni_kpi::engine::{ScoreOptions, Scoring};
use alumni_kpi::report::{Lang, RenderOptions, ReportFormat};
use alumni_kpi::rules::RuleSet;
use common::root;

fn html(rules: &str, data: &str, lang: Lang) -> String {
    let (rules, diags) = RuleSet::load_dir(Path::new(rules));
    assert!(!diags.has_errors(), "{diags:?}");
    let data = Dataset::load(&root().join(data), &LoadOptions::for_rules(&rules)).expect("data");
    let report = Scoring::new(&rules, &data, &ScoreOptions::default())
        .expect("checks")
        .report();
    report
        .render_with(
            ReportFormat::Html,
            &RenderOptions {
                lang,
                generated: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
                ..RenderOptions::default()
            },
        )
        .expect("renders")
}

/// The summary section of a page, tags stripped, spaces collapsed.
fn summary_text(page: &str) -> String {
    let start = page.find("<section class=\"summary\"").expect("a summary");
    let end = start + page[start..].find("</section>").expect("its end");
    let mut text = String::new();
    let mut in_tag = false;
    for c in page[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_summary_says_what_helped_and_hurt_as_computed_by_hand() {
    // The hand set, 2025/26 against 2024/25 (figures of tests/eval_hand.rs
    // and the trend). Shares W = objective share × indicator share over
    // what was scored:
    //   before: engagement 3/4 (gifts unscored: 4 of 5 weight), cost 1/4
    //     with attendance growth unscored (no baseline): cost per engaged
    //     1/4 × 1 = 0.25, score 0.
    //   now: cost per engaged and growth 1/4 × 1/2 = 0.125 each.
    //   attendance growth: 0.125 × 100 − 0 = +12.5
    //   cost per engaged: 0.125 × 72.5 − 0.25 × 0 = +9.0625
    //   satisfaction: 3/16 × 50 − 3/16 × 100 = −9.375
    //   response rate, members: same share, same score: 0.
    // They add up to 80.15625 − 67.96875 = 12.1875.
    let page = html("tests/eval/hand/rules", "tests/eval/hand/data", Lang::En);
    let s = summary_text(&page);
    assert!(
        s.contains("Overall score 80.2 +12.2 against the previous period (68)"),
        "{s}"
    );
    assert!(s.contains("Generated on 2026-12-01"), "{s}");
    assert!(
        s.contains("What helped most Attendance growth +12.5 (no baseline → 100) Cost per engaged alumnus +9.1 (0 → 72.5)"),
        "{s}"
    );
    assert!(
        s.contains("What held the score back most Satisfaction −9.4 (100 → 50)"),
        "{s}"
    );
    // Objectives: score, share of the weight (3 of 4, 1 of 4), change.
    assert!(s.contains("Engagement 78.1 75 % −12.5"), "{s}");
    assert!(s.contains("Cost 86.3 25 % +86.3"), "{s}");
    // Plain words: titles, no ids, codes or backticks.
    assert!(
        s.contains("1 indicator(s) have no data this period and count for nothing: Gifts in kind."),
        "{s}"
    );
    assert!(
        s.contains("The overall score rests on 85 % of the weight."),
        "{s}"
    );
    for technical in ["`", "score::", "gifts ", ".kpi"] {
        assert!(!s.contains(technical), "`{technical}` in the summary: {s}");
    }
    // The technical notes are the appendix.
    assert!(page.contains("Technical notes — Data and rule notes"));
}

#[test]
fn the_summary_is_french_in_french() {
    let s = summary_text(&html(
        "tests/eval/hand/rules",
        "tests/eval/hand/data",
        Lang::Fr,
    ));
    assert!(
        s.contains("Score global 80,2 +12,2 par rapport à la période précédente (68)"),
        "{s}"
    );
    assert!(
        s.contains("Ce qui a le plus aidé Attendance growth +12,5 (pas de référence → 100)"),
        "{s}"
    );
    assert!(
        s.contains("Le score global repose sur 85 % du poids."),
        "{s}"
    );
    for english in ["What helped", "Generated", "Share of the weight"] {
        assert!(!s.contains(english), "`{english}` in French: {s}");
    }
}

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
}

/// The text of pages `from..=to` of a PDF.
fn pdf_text(pdf: &Path, from: usize, to: usize) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-f", &from.to_string(), "-l", &to.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_sample_report_prints_to_a4_with_the_summary_alone_on_page_1() {
    if !(tool("chromium") && tool("pdfinfo")) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and poppler-utils (see .ci/run)"
        );
        eprintln!("skipped: no chromium or poppler-utils on this machine");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, html("rules", "data/sample", Lang::En)).expect("write");
    let pdf = dir.path().join("report.pdf");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(pdf.exists(), "{}", String::from_utf8_lossy(&out.stderr));
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo runs");
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count");
    assert!(info.contains("(A4)"), "{info}");
    assert!((4..=20).contains(&pages), "{pages} pages");

    let first = pdf_text(&pdf, 1, 1);
    for heading in [
        "Summary",
        "What helped most",
        "What held the score back most",
        "Overall score",
        "Generated on 2026-12-01",
    ] {
        assert!(
            first.contains(heading),
            "`{heading}` not on page 1:\n{first}"
        );
    }
    // Every objective's row is on page 1; the details start on page 2.
    let report = alumni_kpi::Report::from_json(&{
        let out = common::run(
            &["score", "--format", "json"],
            "rules",
            &root().join("data/sample"),
        );
        out.stdout
    })
    .expect("the report");
    for o in &report.objectives {
        let title = o.title.clone().unwrap_or_default();
        assert!(first.contains(&title), "`{title}` not on page 1:\n{first}");
    }
    assert!(!first.contains("Cost per"), "no indicator detail on page 1");
    let second = pdf_text(&pdf, 2, 2);
    assert!(second.trim_start().starts_with("Objectives"), "{second}");
    // Nothing lost: every indicator's title is printed, and the footer
    // ends the last page.
    let all = pdf_text(&pdf, 1, pages);
    for i in report.objectives.iter().flat_map(|o| &o.indicators) {
        let title = i.title.clone().unwrap_or_default();
        // Long titles may wrap in a table cell: their first words.
        let start: String = title
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(all.contains(&start), "`{title}` not printed");
    }
    assert!(pdf_text(&pdf, pages, pages).contains("Generated by alumni-kpi"));
    // Page 1 as an image, to look at (target/board-page-1.png).
    let png = root().join("target/board-page-1");
    let _ = Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .status();
}

/// The hand rules without their `min_group = 1`, with `extra` indicators.
fn hand_variant(extra: &str) -> tempfile::TempDir {
    let hand =
        std::fs::read_to_string(root().join("tests/eval/hand/rules/hand.kpi")).expect("read");
    let text = hand.replace("  min_group = 1\n", "") + extra;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("hand.kpi"), text).expect("write");
    dir
}

#[test]
fn small_groups_are_masked_and_an_indicator_chooses_its_segments() {
    let rules = hand_variant(
        "objective cuts {\n\
           indicator leaders { value = share(alumni where tier == \"leader\") target = 50% }\n\
           indicator uncut { value = share(alumni where member) target = 80% segments = false }\n\
           indicator by_faculty { value = share(alumni where member) target = 80% segments = [faculty] }\n\
         }\n",
    );
    let out = common::run(
        &["score", "--format", "json"],
        rules.path().to_str().expect("utf-8"),
        &root().join("tests/eval/hand/data"),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let r = out.json();
    assert_eq!(r["min_group"], 10);
    let find = |id: &str| common::json_indicator(&r, id);
    // JSON keeps every figure with its group size (Law: alumni 1, 2).
    assert_eq!(find("members")["segments"]["faculty"]["Law"]["n"], 2);
    // The column it reads itself is not a cut of `leaders`; the others choose.
    let keys = |id: &str| -> Vec<String> {
        find(id)["segments"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(keys("leaders"), vec!["faculty"]);
    assert_eq!(keys("uncut"), Vec::<String>::new());
    assert_eq!(keys("by_faculty"), vec!["faculty"]);
    // The people-facing formats mask groups under 10: here, all of them.
    let md = common::run(
        &["score", "--format", "md"],
        rules.path().to_str().expect("utf-8"),
        &root().join("tests/eval/hand/data"),
    )
    .stdout;
    assert!(
        md.contains("| Members | (fewer than 10) | (fewer than 10) |"),
        "{md}"
    );
    let rules_dir = rules.path().to_str().expect("utf-8").to_string();
    let page = html(&rules_dir, "tests/eval/hand/data", Lang::En);
    assert!(page.contains("title=\"fewer than 10 people\">—</td>"));
    assert!(
        !page.contains("<span class=\"cell\">"),
        "no small group shown"
    );
}

#[test]
fn an_unknown_segment_of_an_indicator_is_located_with_a_suggestion() {
    let rules = hand_variant(
        "objective cuts { indicator x { value = share(alumni where member) target = 1 segments = [facutly] } }\n",
    );
    let out = common::run(
        &["check"],
        rules.path().to_str().expect("utf-8"),
        &root().join("tests/eval/hand/data"),
    );
    let e = out.error("check::unknown-segment");
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("`facutly`")),
        "{e}"
    );
    assert!(
        e["help"].as_str().is_some_and(|h| h.contains("faculty")),
        "{e}"
    );
}

#[test]
fn objectives_appear_in_their_order_else_as_written() {
    let base = hand_variant("");
    let text = std::fs::read_to_string(base.path().join("hand.kpi")).expect("read");
    let dir = tempfile::tempdir().expect("temp dir");
    let ordered = text.replacen(
        "objective cost \"Cost\" {\n",
        "objective cost \"Cost\" {\n  order = 1\n",
        1,
    );
    std::fs::write(dir.path().join("hand.kpi"), &ordered).expect("write");
    let out = common::run(
        &["score", "--format", "json"],
        dir.path().to_str().expect("utf-8"),
        &root().join("tests/eval/hand/data"),
    );
    let r = out.json();
    let ids: Vec<&str> = r["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["cost", "engagement"],
        "cost has an order, engagement none"
    );
    // The figures do not move with the order.
    assert_eq!(r["score"], 80.15625);
    std::fs::write(
        dir.path().join("hand.kpi"),
        ordered.replace("order = 1", "order = 1.5"),
    )
    .expect("write");
    let out = common::run(
        &["check"],
        dir.path().to_str().expect("utf-8"),
        &root().join("tests/eval/hand/data"),
    );
    let e = out.error("check::type");
    assert!(
        e["message"].as_str().is_some_and(|m| m.contains("`order`")),
        "{e}"
    );
}
