//! `kpi lsp` driven over its real stdio by a small LSP client: diagnostics
//! for the whole rules directory as the user types, completion, hover with
//! the figures, definition, formatting, UTF-16 positions, and bad requests
//! answered without a crash. (tests/editor.rs drives it from Neovim.)

mod common;

use std::path::{Path, PathBuf};

use common::lsp::{Client, uri};
use common::root;
use serde_json::{Value, json};

/// A copy of the LERU pack (its plugins too), to edit freely.
fn pack() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    common::copy_dir(&root().join("rules"), &rules);
    (dir, rules)
}

fn sample() -> Value {
    json!({"data": root().join("data/sample"), "debounceMs": 20})
}

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .expect("a list")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn position(text: &str, needle: &str, after: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the text"))
        + after;
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": text[start..at].encode_utf16().count()})
}

fn at(path: &Path, text: &str, needle: &str, after: usize) -> Value {
    json!({"textDocument": {"uri": uri(path)}, "position": position(text, needle, after)})
}

#[test]
fn diagnostics_follow_typing_across_the_rules_directory() {
    let (_tmp, rules) = pack();
    let mut c = Client::start(&rules, sample());
    let file = rules.join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    c.open(&file, &text);
    assert_eq!(c.diagnostics_for(&uri(&file), |_| true), json!([]));
    // Every file of the directory is published (clean).
    assert_eq!(
        c.diagnostics_for(&uri(&rules.join("scorecard.kpi")), |_| true),
        json!([])
    );

    // A misspelt column, typed: an error at it, with did-you-mean.
    let typo = text.replacen(
        "participations where responded)",
        "participations where respnded)",
        1,
    );
    c.change(&file, 2, &typo);
    let diags = c.diagnostics_for(&uri(&file), |d| d.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(codes(&diags), ["check::unknown-column"], "{diags}");
    assert_eq!(diags[0]["range"]["start"], position(&typo, "respnded", 0));
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `responded`?"),
        "{diags}"
    );

    // Fixed: cleared.
    c.change(&file, 3, &text);
    assert_eq!(c.diagnostics_for(&uri(&file), |_| true), json!([]));

    // A let removed from scorecard.kpi breaks the files that read it.
    let scorecard = rules.join("scorecard.kpi");
    let sc = std::fs::read_to_string(&scorecard).expect("read");
    c.open(&scorecard, &sc);
    let broken = sc.replace("param staff_hour_cost = 45", "param staff_hour_costs = 45");
    c.change(&scorecard, 2, &broken);
    let cost = uri(&rules.join("cost.yaml"));
    let diags = c.diagnostics_for(&cost, |d| d.as_array().is_some_and(|a| !a.is_empty()));
    assert!(
        codes(&diags).contains(&"check::unknown-name".to_string()),
        "{diags}"
    );
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn completion_offers_a_tables_columns_after_the_dot_and_names_elsewhere() {
    let (_tmp, rules) = pack();
    let mut c = Client::start(&rules, sample());
    let file = rules.join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read").replace(
        "    value = count(alumni where not deceased)",
        "    value = count(alumni where alumni.",
    );
    c.open(&file, &text);
    let answer = c.request(
        "textDocument/completion",
        at(&file, &text, "where alumni.", 13),
    );
    let items = answer["result"].as_array().expect("items");
    let label = |l: &str| items.iter().find(|i| i["label"] == l).cloned();
    let faculty = label("faculty").expect("a column of the dataset");
    // Typed once the dataset is loaded in the background; named before.
    let detail = faculty["detail"].as_str().unwrap_or("");
    assert!(detail.ends_with("column of `alumni`"), "{faculty}");
    assert!(label("tier").is_some(), "a profile column of alumni");
    assert!(label("count").is_none(), "only columns after the dot");

    // Elsewhere: indicators, params, functions with their signature.
    let answer = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 1, "character": 2}}),
    );
    let items = answer["result"].as_array().expect("items");
    let label = |l: &str| items.iter().find(|i| i["label"] == l).cloned();
    assert_eq!(
        label("response_rate").expect("an indicator")["detail"],
        "indicator “Taux de réponse”"
    );
    assert!(
        label("staff_hour_cost").is_some(),
        "a param of another file"
    );
    assert_eq!(
        label("share").expect("a function")["detail"],
        "share(TABLE where CONDITION)"
    );
    assert!(label("weight").is_some() && label("objective").is_some());
}

#[test]
fn hover_shows_a_functions_doc_and_an_indicators_figures() {
    let (_tmp, rules) = pack();
    let mut c = Client::start(&rules, sample());
    let file = rules.join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    c.open(&file, &text);
    let answer = c.request("textDocument/hover", at(&file, &text, "share(alumni", 1));
    let shown = answer["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(shown.contains("share(TABLE where CONDITION)"), "{shown}");

    // The figures come from the background scoring.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let shown = loop {
        let answer = c.request("textDocument/hover", at(&file, &text, "response_rate", 2));
        let shown = answer["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if !shown.contains("being computed") || std::time::Instant::now() > deadline {
            break shown;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(
        shown.starts_with("**Taux de réponse** — indicator `response_rate` of `engagement`"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "value = count(participations where responded) / count(participations where invited)"
        ),
        "{shown}"
    );
    // The same figures as `kpi score` on the sample.
    let out = common::run(
        &["score", "--format", "json"],
        "rules",
        &root().join("data/sample"),
    );
    let i = common::json_indicator(&out.json(), "response_rate").clone();
    let percent = format!("{:.1} %", i["value"].as_f64().expect("a value") * 100.0);
    let score = format!("score **{:.1}**", i["score"].as_f64().expect("a score"));
    assert!(
        shown.contains(&format!("value **{}", percent.trim_end_matches(".0 %"))),
        "{shown}\n{percent}"
    );
    assert!(
        shown.contains(&score.replace(".0**", "**")),
        "{shown}\n{score}"
    );
}

#[test]
fn definition_and_formatting() {
    let (_tmp, rules) = pack();
    let mut c = Client::start(&rules, json!({}));
    let file = rules.join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    c.open(&file, &text);
    // `reachable` is a profile column of alumni in scorecard.kpi.
    let answer = c.request(
        "textDocument/definition",
        at(&file, &text, "where reachable", 7),
    );
    assert_eq!(
        answer["result"],
        Value::Null,
        "a bare name is no profile column: {answer}"
    );
    let sc = std::fs::read_to_string(rules.join("scorecard.kpi")).expect("read");
    let answer = c.request(
        "textDocument/definition",
        at(&file, &text, "target = peers(75%)\n    score", 9),
    );
    assert_eq!(
        answer["result"],
        Value::Null,
        "a function has no definition here"
    );
    // From a YAML file to the .kpi file that defines the param.
    let cost = rules.join("cost.yaml");
    let cost_text = std::fs::read_to_string(&cost).expect("read");
    c.open(&cost, &cost_text);
    let answer = c.request(
        "textDocument/definition",
        at(&cost, &cost_text, "* staff_hour_cost", 5),
    );
    assert_eq!(
        answer["result"]["uri"],
        uri(&rules.join("scorecard.kpi")),
        "{answer}"
    );
    assert_eq!(
        answer["result"]["range"]["start"],
        position(&sc, "param staff_hour_cost", 6)
    );

    // Formatting: the canonical layout, as `kpi fmt` writes it.
    let messy = "objective   reach{indicator n {value=count(alumni)  target=10}}\n";
    let path = rules.join("extra.kpi");
    c.open(&path, messy);
    let answer = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&path)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edit = &answer["result"][0];
    assert_eq!(edit["range"]["start"], json!({"line": 0, "character": 0}));
    std::fs::write(&path, messy).expect("write");
    common::succeeds(common::kpi().args(["fmt"]).arg(&path));
    assert_eq!(
        edit["newText"],
        std::fs::read_to_string(&path).expect("read")
    );
    // A file with errors is not formatted: an error answer, no crash.
    c.change(&path, 2, "objective reach {");
    let answer = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&path)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(answer["error"]["code"], -32803, "{answer}");
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn positions_are_utf16_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("r.kpi");
    // `𝔸` is two UTF-16 units and four bytes; `é` one unit and two bytes.
    let text = "scorecard \"S 𝔸é\" { population = alumni }\nobjective o { indicator i \"𝔸\" { value = 1 + nope target = 1 } }\n";
    let mut c = Client::start(dir.path(), json!({}));
    c.open(&file, text);
    let diags = c.diagnostics_for(&uri(&file), |d| d.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(codes(&diags), ["check::unknown-name"], "{diags}");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 1, "character": 45})
    );
    assert_eq!(diags[0]["range"]["start"], position(text, "nope", 0));
}

#[test]
fn bad_requests_are_answered_and_the_server_goes_on() {
    let (_tmp, rules) = pack();
    let mut c = Client::start(&rules, json!({"data": "/no/such/dir"}));
    let file = rules.join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    c.open(&file, &text);
    let answer = c.request("textDocument/frobnicate", json!({}));
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    let answer = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&file)}}),
    );
    assert_eq!(
        answer["error"]["code"], -32602,
        "missing position: {answer}"
    );
    // Out of range: clamped, an answer.
    let answer = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 100000, "character": 999}}),
    );
    assert!(answer.get("error").is_none(), "{answer}");
    // Not a rule file, or not a file at all: nothing, no error.
    for u in ["untitled:Untitled-1", "file:///tmp/notes.txt"] {
        let answer = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 0}}),
        );
        assert_eq!(answer["result"], Value::Null, "{answer}");
    }
    // A document larger than a rule file may be: said, not analysed.
    let huge = rules.join("huge.kpi");
    c.open(&huge, &"// x\n".repeat(4 << 20));
    let diags = c.diagnostics_for(&uri(&huge), |d| d.as_array().is_some_and(|a| !a.is_empty()));
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("larger than a rule file"),
        "{diags}"
    );
    // Garbage params of a notification are ignored.
    c.notify("textDocument/didChange", json!({"nonsense": true}));
    let answer = c.request("textDocument/hover", at(&file, &text, "response_rate", 2));
    assert!(answer.get("error").is_none(), "{answer}");
    assert_eq!(c.stop(), Some(0));
}

#[test]
fn the_dataset_comes_from_kpi_toml_and_a_bad_one_is_said() {
    let (_tmp, rules) = pack();
    let data = root().join("data/sample");
    std::fs::write(
        rules.join("kpi.toml"),
        format!("data = {:?}\n", data.display().to_string()),
    )
    .expect("write");
    let mut c = Client::start(&rules, json!({"debounceMs": 20}));
    let file = rules.join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    let typo = text.replacen(
        "participations where responded)",
        "participations where respnded)",
        1,
    );
    c.open(&file, &typo);
    let diags = c.diagnostics_for(&uri(&file), |d| d.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(
        codes(&diags),
        ["check::unknown-column"],
        "the schema from kpi.toml: {diags}"
    );

    std::fs::write(rules.join("kpi.toml"), "dat = 'x'\n").expect("write");
    c.change(&file, 2, &text);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let message = loop {
        if let Some(m) = c
            .notifications
            .iter()
            .find(|n| n["method"] == "window/showMessage")
        {
            break m["params"]["message"].as_str().unwrap_or("").to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no message about kpi.toml"
        );
        c.request("textDocument/hover", at(&file, &text, "response_rate", 2));
    };
    assert!(
        message.contains("kpi.toml") && message.contains("dat"),
        "{message}"
    );
}

/// Found in review: the figures on hover were those of the dataset as
/// first loaded (a changed table kept its old figures, shown as current),
/// and a column added to a table stayed unknown for ever.
#[test]
fn hover_and_diagnostics_follow_a_changed_dataset() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (rules, data) = (tmp.path().join("rules"), tmp.path().join("data"));
    std::fs::create_dir_all(&rules).expect("dir");
    std::fs::create_dir_all(&data).expect("dir");
    let file = rules.join("r.kpi");
    let text = "scorecard \"S\" { population = alumni }\nobjective o {\n  indicator members { value = share(alumni where member) target = 1 }\n}\n";
    std::fs::write(&file, text).expect("write");
    std::fs::write(
        data.join("alumni.csv"),
        "id,member\n1,true\n2,true\n3,true\n4,false\n",
    )
    .expect("write");
    let mut c = Client::start(&rules, json!({"data": data, "debounceMs": 20}));
    c.open(&file, text);
    let hover_until = |c: &mut Client, want: &str| -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let answer = c.request("textDocument/hover", at(&file, text, "members", 2));
            let shown = answer["result"]["contents"]["value"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if shown.contains(want) || std::time::Instant::now() > deadline {
                return shown;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    let shown = hover_until(&mut c, "value **0.75**");
    assert!(
        shown.contains("value **0.75** · target 1 · score **75** · ok"),
        "{shown}"
    );
    assert!(!shown.contains("_("), "current figures: {shown}");

    // The table changes on disk; no editor event says so.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        data.join("alumni.csv"),
        "id,member,vip\n1,true,true\n2,false,false\n3,false,false\n4,false,false\n",
    )
    .expect("write");
    let shown = hover_until(&mut c, "value **0.25**");
    assert!(
        shown.contains("value **0.25**") && !shown.contains("_("),
        "{shown}"
    );

    // The new column is known.
    let with_vip = text.replace("where member", "where vip");
    c.change(&file, 2, &with_vip);
    assert_eq!(c.diagnostics_for(&uri(&file), |_| true), json!([]));
}

#[test]
fn a_test_file_gets_its_diagnostics_as_it_is_typed() {
    let (_tmp, rules) = pack();
    let mut c = Client::start(&rules, json!({"debounceMs": 20}));
    let file = rules.join("tests/leru.test.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    c.open(&file, &text);
    assert_eq!(
        c.diagnostics_for(&uri(&file), |_| true),
        json!([]),
        "the shipped test is clean"
    );
    let typo = text.replacen("    response_rate:\n", "    respons_rate:\n", 1);
    assert_ne!(typo, text);
    c.change(&file, 2, &typo);
    let diags = c.diagnostics_for(&uri(&file), |d| d.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(codes(&diags), ["test::expect"], "{diags}");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `response_rate`?"),
        "{diags}"
    );
    assert_eq!(
        diags[0]["range"]["start"]["line"],
        position(&typo, "respons_rate:", 0)["line"]
    );
    assert_eq!(c.stop(), Some(0));
}
