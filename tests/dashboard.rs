//! The dashboard of `kpi serve` in a real browser: headless Chromium
//! (Debian's `chromium`) driven by playwright-core (tests/browser,
//! `npm ci` there first; .ci/run does it). It loads the page, changes a
//! weight and sees the what-if, opens an indicator, saves a rule file and
//! sees the page update (the what-if scored again), breaks it and sees the
//! banner while the figures stay, fixes it — with no console error.
//! Screenshots are kept in target/dashboard-shots for people to look at.

mod common;

use common::serve::Server;

#[test]
fn the_dashboard_follows_what_ifs_and_saves_in_a_browser() {
    let browser = common::root().join("tests/browser");
    assert!(
        browser.join("node_modules/playwright-core").is_dir(),
        "run `npm ci` in tests/browser first (playwright-core)"
    );
    let server = Server::start("rules", "data/sample", &[]);
    let shots = common::root().join("target/dashboard-shots");
    std::fs::create_dir_all(&shots).expect("shots dir");
    let run = std::process::Command::new("node")
        .arg(browser.join("dashboard.mjs"))
        .env("KPI_URL", server.url("/"))
        .env("KPI_RULES", server.rules())
        .env("KPI_SHOTS", &shots)
        .output()
        .expect("node runs");
    let seen = std::fs::read_to_string(shots.join("seen.json")).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let seen: serde_json::Value = serde_json::from_str(&seen).expect("JSON");
    assert_eq!(seen["failure"], serde_json::Value::Null, "{seen:#}");
    assert_eq!(
        seen["errors"],
        serde_json::json!([]),
        "no console error: {seen:#}"
    );
    assert_eq!(
        seen["steps"],
        serde_json::json!([
            "loaded",
            "what-if",
            "drill-down",
            "saved",
            "broken",
            "fixed"
        ])
    );

    // The page shows the figures of the API.
    let report = server.get("/api/report", &[]).json();
    assert_eq!(seen["title"], report["scorecard"]);
    // The what-if table: Overall, saved, what-if (cost weighing nothing).
    let whatif = seen["whatif"].as_str().unwrap_or("");
    let saved = format!("Overall{:.1}", report["score"].as_f64().expect("a score"));
    assert!(whatif.starts_with(&saved), "{whatif} against {saved}");
    assert!(
        !whatif.starts_with(&format!("{saved}{}", &saved[7..])),
        "the weight moved the overall: {whatif}"
    );
    let drill = seen["drill"].as_str().unwrap_or("");
    assert!(
        drill.contains("value = count(participations where responded)")
            && drill.contains("By faculty"),
        "{drill}"
    );
    // Saved with engagement weighing 40: the score moved, the typed weight stayed.
    assert_ne!(seen["updatedScore"], seen["score"]);
    assert_eq!(seen["keptInput"], "0");
    let banner = seen["banner"].as_str().unwrap_or("");
    assert!(
        banner.contains("engagement.kpi:19:40") && banner.contains("did you mean `responded`?"),
        "{banner}"
    );
    assert_eq!(
        seen["scoreDuringBanner"], seen["updatedScore"],
        "the last good figures stay"
    );
}
