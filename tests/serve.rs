//! `kpi serve` over HTTP, the real binary on a copy of the LERU pack and
//! the sample: the report is `kpi score`'s, a what-if is `--set`'s, a save
//! re-scores and says so, a broken save keeps the last good report and
//! says why, the token and address rules hold, bodies are capped, and
//! what-ifs during reloads all get whole answers.

mod common;

use std::time::Duration;

use common::serve::{Events, Server, request};
use serde_json::json;

fn score_json(server: &Server, extra: &[&str]) -> String {
    let out = common::kpi()
        .args(["score", "--format", "json", "--explain", "--rules"])
        .arg(server.rules())
        .arg("--data")
        .arg(server.dir.path().join("data"))
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn problem(r: &common::serve::Response, status: u16) -> serde_json::Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.body
    );
    let p = r.json();
    assert_eq!(p["status"], status);
    p
}

#[test]
fn the_report_is_kpi_scores_with_an_etag() {
    let server = Server::start("rules", "data/sample", &[]);
    let r = server.get("/api/report", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        score_json(&server, &[]),
        "the served report is `kpi score --explain`'s"
    );
    let etag = r.header("etag").expect("an ETag").to_string();
    let weak = format!("W/{etag}");
    assert_eq!(
        server
            .get("/api/report", &[("If-None-Match", &weak)])
            .status,
        304
    );
    let again = server.get("/api/report", &[("If-None-Match", &etag)]);
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    assert_eq!(
        server.get("/api/diagnostics", &[]).json(),
        json!({"ok": true, "diagnostics": []})
    );
}

#[test]
fn a_what_if_is_the_same_set_and_changes_nothing_served() {
    let server = Server::start("rules", "data/sample", &[]);
    let before = server.get("/api/report", &[]);
    let r = server.post("/api/score", r#"{"set": {"staff_hour_cost": 50}}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body,
        score_json(&server, &["--set", "staff_hour_cost=50"])
    );
    // Weights: the objective weighs what was asked, the overall follows.
    let r = server
        .post("/api/score", r#"{"weights": {"cost": 0}}"#)
        .json();
    let cost = r["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .find(|o| o["id"] == "cost")
        .expect("cost")
        .clone();
    assert_eq!(cost["weight"], 0.0);
    assert_ne!(r["score"], before.json()["score"]);
    let after = server.get("/api/report", &[]);
    assert_eq!(
        after.header("etag"),
        before.header("etag"),
        "the served report is unchanged"
    );

    // Mistakes: located problems, never a report.
    let p = problem(
        &server.post("/api/score", r#"{"set": {"staff_hour_costs": 50}}"#),
        422,
    );
    assert_eq!(p["diagnostics"][0]["code"], "set::unknown-param");
    assert!(
        p["diagnostics"][0]["help"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `staff_hour_cost`?"),
        "{p}"
    );
    problem(
        &server.post("/api/score", r#"{"weights": {"cost": -1}}"#),
        422,
    );
    // Found trying it: a huge weight overflowed into no overall score at
    // all (200, `score: null`); a number written as text was refused.
    let p = problem(
        &server.post("/api/score", r#"{"weights": {"cost": 1e308}}"#),
        422,
    );
    assert!(
        p["detail"].as_str().unwrap_or("").contains("from 0 to 1e9"),
        "{p}"
    );
    problem(
        &server.post("/api/score", r#"{"weights": {"cost": "abc"}}"#),
        422,
    );
    let as_text = server.post("/api/score", r#"{"weights": {"cost": "0"}}"#);
    assert_eq!(as_text.json()["score"], r["score"]);
    // A list param as the report writes it (`a;b`).
    let listed = server.post("/api/score", r#"{"set": {"strategy": "giving;promotion"}}"#);
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(
        listed.body,
        score_json(&server, &["--set", "strategy=giving;promotion"])
    );
    // A long unknown name is not echoed back in full.
    let long = format!(r#"{{"set": {{"{}": 1}}}}"#, "x".repeat(5000));
    let answer = server.post("/api/score", &long);
    problem(&answer, 422);
    assert!(answer.body.len() < 1000, "{}", answer.body.len());
    problem(
        &server.post("/api/score", r#"{"period": "2025-13-01..2026-01-01"}"#),
        422,
    );
    problem(&server.post("/api/score", r#"{"sett": {}}"#), 422);
    problem(&server.post("/api/score", "{"), 400);
    problem(
        &request(&server.addr, "POST", "/api/score", &[], Some(b"{}")),
        415,
    );
    problem(&server.get("/nothing", &[]), 404);
    problem(
        &request(&server.addr, "DELETE", "/api/report", &[], None),
        405,
    );
}

#[test]
fn a_save_rescores_and_a_broken_save_keeps_the_last_good_report() {
    let server = Server::start("rules", "data/sample", &[]);
    let mut events = Events::open(&server.addr);
    let first = server.get("/api/report", &[]).json();
    let file = server.rules().join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("weight = 25", "weight = 26", 1)).expect("write");
    let (event, data) = events.next();
    assert_eq!(event, "report", "{data}");
    let data: serde_json::Value = serde_json::from_str(&data).expect("JSON");
    assert_ne!(
        data["revision"], first["revision"],
        "a rule edit changes the revision"
    );
    let second = server.report_until(|r| r["revision"] == data["revision"]);
    let etag = server
        .get("/api/report", &[])
        .header("etag")
        .map(str::to_string);

    // Broken: the banner's diagnostics, and the last good report stays.
    std::fs::write(
        &file,
        text.replacen("where responded)", "where respnded)", 1),
    )
    .expect("write");
    let (event, data) = events.next();
    assert_eq!(event, "diagnostics", "{data}");
    let last = server.get("/api/diagnostics", &[]).json();
    assert_eq!(last["ok"], false);
    let d = &last["diagnostics"][0];
    assert_eq!(d["code"], "check::unknown-column", "{last}");
    assert!(
        d["file"].as_str().unwrap_or("").ends_with("engagement.kpi"),
        "{d}"
    );
    assert!(
        d["line"].as_u64().is_some() && d["help"].as_str().unwrap_or("").contains("responded"),
        "{d}"
    );
    let kept = server.get("/api/report", &[]);
    assert_eq!(kept.header("etag").map(str::to_string), etag);
    assert_eq!(kept.json()["score"], second["score"]);

    // Fixed: scored again, the diagnostics cleared.
    std::fs::write(&file, &text).expect("write");
    assert_eq!(events.next().0, "report");
    assert_eq!(server.get("/api/diagnostics", &[]).json()["ok"], true);
}

#[test]
fn a_token_guards_every_route_and_other_addresses_need_one() {
    let out = common::kpi()
        .args(["serve", "--addr", "0.0.0.0:0"])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --token"));
    for weak in ["short", "                ", "aaaaaaaaaaaaaaaaaaaa"] {
        let out = common::kpi()
            .args(["serve", "--token", weak])
            .timeout(Duration::from_secs(20))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{weak:?}");
    }

    let token = "s3cret-token-0123456789";
    let server = Server::start("rules", "data/sample", &["--token", token]);
    for path in [
        "/",
        "/api/report",
        "/api/openapi.json",
        "/api/events",
        "/report.html",
    ] {
        let r = server.get(path, &[]);
        problem(&r, 401);
        assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{path}");
        problem(
            &server.get(path, &[("Authorization", "Bearer wrong-token-0123456789")]),
            401,
        );
    }
    let bearer = format!("Bearer {token}");
    assert_eq!(
        server
            .get("/api/report", &[("Authorization", &bearer)])
            .status,
        200
    );
    problem(&server.post("/api/score", "{}"), 401);
    let lower = format!("bearer {token}");
    assert_eq!(
        server
            .get("/api/report", &[("Authorization", &lower)])
            .status,
        200
    );
    let wrong = server.get(
        "/api/report",
        &[("Authorization", "Bearer wrong-token-0123456789")],
    );
    assert!(
        problem(&wrong, 401)["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not this server's")
    );
    // A browser opens /?token=… once; the cookie does the rest.
    // It is sent back to the bare address: the token stays out of the
    // address bar and the history.
    let page = server.get(&format!("/?token={token}"), &[]);
    assert_eq!((page.status, page.header("location")), (303, Some("/")));
    let cookie = page.header("set-cookie").expect("a cookie").to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("name=value");
    assert_eq!(server.get("/api/report", &[("Cookie", pair)]).status, 200);
}

#[test]
fn request_bodies_are_capped() {
    let server = Server::start("rules", "data/sample", &["--body-limit", "1024"]);
    let big = format!(
        r#"{{"set": {{"staff_hour_cost": 50}}, "period": "{}"}}"#,
        "x".repeat(4096)
    );
    let p = problem(&server.post("/api/score", &big), 413);
    assert!(
        p["detail"].as_str().unwrap_or("").contains("1024 bytes"),
        "{p}"
    );
    assert_eq!(
        server
            .post("/api/score", r#"{"set": {"staff_hour_cost": 50}}"#)
            .status,
        200
    );
}

#[test]
fn a_what_if_over_its_budget_is_said() {
    let server = Server::start("rules", "data/sample", &["--budget-ms", "0"]);
    let p = problem(
        &server.post("/api/score", r#"{"set": {"staff_hour_cost": 50}}"#),
        503,
    );
    assert_eq!(p["diagnostics"][0]["code"], "score::budget", "{p}");
}

#[test]
fn what_ifs_during_reloads_get_whole_answers() {
    let server = Server::start("rules", "data/sample", &[]);
    let file = server.rules().join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    let revisions = std::sync::Mutex::new(vec![
        server.get("/api/report", &[]).json()["revision"].clone(),
    ]);
    let failures = std::sync::atomic::AtomicUsize::new(0);
    let answers = std::sync::atomic::AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = server.post("/api/score", r#"{"weights": {"cost": 1}}"#);
                    answers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if r.status != 200
                        || r.json()["objectives"]
                            .as_array()
                            .is_none_or(|o| o.len() != 11)
                    {
                        failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
        let mut events = Events::open(&server.addr);
        for k in 0..3 {
            std::fs::write(
                &file,
                text.replacen("weight = 25", &format!("weight = {}", 30 + k), 1),
            )
            .expect("write");
            let (event, data) = events.next();
            assert_eq!(event, "report", "{data}");
            let data: serde_json::Value = serde_json::from_str(&data).expect("JSON");
            revisions
                .lock()
                .expect("lock")
                .push(data["revision"].clone());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(failures.into_inner(), 0);
    assert!(answers.into_inner() >= 3);
    let revisions = revisions.into_inner().expect("lock");
    let mut distinct = revisions.clone();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        4,
        "each save a revision of its own: {revisions:?}"
    );
}

#[test]
fn the_openapi_description_names_every_route() {
    let server = Server::start("rules", "data/sample", &[]);
    let doc = server.get("/api/openapi.json", &[]).json();
    assert!(
        doc["openapi"].as_str().unwrap_or("").starts_with("3."),
        "{doc}"
    );
    for path in [
        "/api/report",
        "/api/score",
        "/api/diagnostics",
        "/api/events",
        "/api/openapi.json",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    // The report's schema, with its references pointing into the document.
    let text = doc.to_string();
    assert!(doc["components"]["schemas"]["Report"]["properties"]["objectives"].is_object());
    assert!(!text.contains("#/$defs/"), "every reference resolved");
    assert!(text.contains("#/components/schemas/report.indicator"));
}

#[test]
fn set_and_period_are_those_of_kpi_score() {
    let args = [
        "--set",
        "staff_hour_cost=50",
        "--period",
        "2024-09-01..2025-08-31",
    ];
    let server = Server::start("rules", "data/sample", &args);
    assert_eq!(
        server.get("/api/report", &[]).body,
        score_json(&server, &args)
    );
}

/// Found trying it: a refused data file was forgotten at the next good save
/// of a rule file (and the other way round): the banner went, the page said
/// all was well, and the figures were of the data as they were before.
#[test]
fn a_refusal_stands_until_its_own_side_is_fixed() {
    let server = Server::start("rules", "data/sample", &[]);
    let mut events = Events::open(&server.addr);
    let alumni = server.dir.path().join("data/alumni.csv");
    let good = std::fs::read_to_string(&alumni).expect("read");
    let header = good.lines().next().expect("a header").to_string();
    let columns = header.split(',').count();
    let recorded = header
        .split(',')
        .position(|c| c == "recorded")
        .expect("recorded");
    let mut row: Vec<String> = vec![String::new(); columns];
    row[0] = "999999".into();
    row[recorded] = "2025-13-45".into();
    std::fs::write(&alumni, format!("{good}{}\n", row.join(","))).expect("write");
    assert_eq!(events.next().0, "diagnostics");
    assert_eq!(server.get("/api/diagnostics", &[]).json()["ok"], false);

    // A good rule edit: scored (with the last good data), the data still refused.
    let file = server.rules().join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("weight = 25", "weight = 26", 1)).expect("write");
    assert_eq!(events.next().0, "report");
    let (event, data) = events.next();
    assert_eq!(event, "diagnostics", "the data refusal said again: {data}");
    let last = server.get("/api/diagnostics", &[]).json();
    assert_eq!(last["ok"], false, "{last}");
    assert!(last.to_string().contains("2025-13-45"), "{last}");

    // The data fixed: all is well.
    std::fs::write(&alumni, &good).expect("write");
    assert_eq!(events.next().0, "report");
    assert_eq!(server.get("/api/diagnostics", &[]).json()["ok"], true);
}

#[test]
fn an_address_may_be_a_host_name() {
    let server = Server::start("rules", "data/sample", &["--addr", "localhost:0"]);
    assert_eq!(server.get("/api/diagnostics", &[]).status, 200);
}
