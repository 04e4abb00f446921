//! Figures out: every figure is right, or absent with a reason. Each test
//! is named after the finding of the "figures out" issue it pins
//! (`finding_N_…`), and drives the real binary on the shipped pack and
//! sample or on a small rule set written here.

mod common;

use std::path::Path;

use common::{Run, root, run};
use serde_json::Value;

fn score_sample(extra: &[&str]) -> Value {
    let mut args = vec!["score", "--format", "json"];
    args.extend(extra);
    let out = run(&args, "rules", &root().join("data/sample"));
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    out.json()
}

fn indicator<'r>(report: &'r Value, id: &str) -> &'r Value {
    common::json_indicator(report, id)
}

/// A rules directory holding one file, scored on a dataset directory.
fn rules_with(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("r.kpi"), text).expect("write");
    dir
}

fn run_rules(args: &[&str], rules: &Path, data: &Path) -> Run {
    run(args, rules.to_str().expect("utf-8 path"), data)
}

#[test]
fn finding_1_a_growth_target_without_a_previous_year_is_no_baseline_not_full_marks() {
    // The sample begins 2024-09-01: the first year has nothing before it.
    let report = score_sample(&["--period", "2024-09-01..2025-08-31"]);
    for id in ["media_mentions", "quantitative_awareness"] {
        let i = indicator(&report, id);
        assert_eq!(i["score"], Value::Null, "{id}: {i}");
        assert_eq!(i["status"], "no_baseline", "{id}");
        let reason = i["reason"].as_str().unwrap_or("");
        assert!(
            reason.contains("previous period (2023-09-01 to 2024-08-31)"),
            "{reason}"
        );
    }
    let trend = indicator(&report, "cost_trend");
    assert_eq!(
        (trend["value"].clone(), trend["status"].clone()),
        (Value::Null, "no_baseline".into())
    );

    // A period without any data has no headline.
    let report = score_sample(&["--period", "2030-01-01..2030-12-31"]);
    assert_eq!(report["score"], Value::Null);
    assert!(
        report["objectives"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|o| o["score"].is_null())
    );
    assert!(
        report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["code"] == "score::empty-period")
    );
}

#[test]
fn finding_2_alumni_of_record_are_a_stock_and_prior_needs_a_dated_table() {
    let report = score_sample(&[]);
    let identified = indicator(&report, "identified");
    let value = identified["value"].as_f64().expect("a value");
    let target = identified["target"].as_f64().expect("a target");
    // Not the same alumni a year earlier: fewer were on record then.
    assert!(target < value * 1.02 - 1.0, "{identified}");
    let recorded_before: f64 = {
        // Alumni recorded by 2025-08-31 and not deceased, read from the CSV.
        let text = std::fs::read_to_string(root().join("data/sample/alumni.csv")).expect("read");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).expect("a column");
        let (rec, dead) = (col("recorded"), col("deceased"));
        lines
            .filter(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                cells[rec] <= "2025-08-31" && cells[dead] == "false"
            })
            .count() as f64
    };
    assert!(
        (target - recorded_before * 1.02).abs() < 1e-9,
        "{target} vs {recorded_before}"
    );

    // prior() over a table with no date could only equal its expression.
    let rules = rules_with(
        "scorecard \"S\" { population = alumni period = 2025-09-01 .. 2026-08-31 }\n\
         objective o { indicator staffing { value = sum(peers.value) target = prior(value) } }\n",
    );
    let out = run_rules(&["check"], rules.path(), &root().join("data/sample"));
    let d = out.error("check::prior");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(70)),
        "{d}"
    );
}

#[test]
fn finding_3_explain_shows_the_previous_period_and_traces_targets() {
    let report = score_sample(&["--explain"]);
    let trend = &indicator(&report, "cost_trend")["explain"];
    let with = trend["with_values"].as_str().unwrap_or("");
    let (now, before) = with.split_once(" / ").expect("a ratio");
    assert_ne!(
        now, before,
        "{with}: the previous period's cost, not this one's"
    );
    let identified = &indicator(&report, "identified")["explain"]["target"];
    assert_eq!(identified["formula"], "prior(value) * 1.02");
    assert!(
        identified["with_values"]
            .as_str()
            .is_some_and(|w| w.ends_with(" * 1.02") && !w.contains("prior")),
        "{identified}"
    );
    let contactable = &indicator(&report, "contactable")["explain"]["target"];
    assert_eq!(contactable["peers"][0]["n"], 8);
    assert_eq!(contactable["peers"][0]["percentile"], 0.75);
    assert_eq!(
        contactable["peers"][0]["value"],
        indicator(&report, "contactable")["target"]
    );
}

#[test]
fn finding_4_direction_follows_the_score_function_for_ranks_and_peer_targets() {
    let report = score_sample(&[]);
    let cost = indicator(&report, "cost_per_engaged");
    let value = cost["value"].as_f64().expect("a value");
    let peers = std::fs::read_to_string(root().join("data/sample/peers.csv")).expect("read");
    let figures: Vec<f64> = peers
        .lines()
        .filter(|l| l.contains(",cost_per_engaged,"))
        .filter_map(|l| l.rsplit(',').next()?.parse().ok())
        .collect();
    assert_eq!(figures.len(), 8);
    let better = figures.iter().filter(|&&f| f < value).count();
    assert_eq!(cost["peers"]["rank"], 1 + better, "lower is better: {cost}");
    let worse = figures.iter().filter(|&&f| f > value).count();
    assert_ne!(
        better, worse,
        "the two directions give different ranks here"
    );

    // `better = lower` says it outright; `peers(75%)` is then the figure
    // that beats three quarters of the peers (their 25th percentile).
    let data = tempfile::tempdir().expect("temp dir");
    std::fs::write(data.path().join("a.csv"), "id,cost\n1,10\n2,30\n").expect("write");
    let mut peers = String::from("institution,indicator,value\n");
    for (i, v) in [10, 20, 30, 40, 50].iter().enumerate() {
        peers += &format!("P{i},cost,{v}\nP{i},implicit,{v}\n");
    }
    std::fs::write(data.path().join("peers.csv"), peers).expect("write");
    let rules = rules_with(
        "scorecard \"S\" { population = a benchmark = \"peers.csv\" }\n\
         objective o {\n\
           indicator cost { value = avg(a.cost) target = peers(75%) better = lower score = 100 }\n\
           indicator implicit { value = avg(a.cost) target = peers(75%) score = linear(target * 2, target) }\n\
         }\n",
    );
    let out = run_rules(&["score", "--format", "json"], rules.path(), data.path());
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let r = out.json();
    for id in ["cost", "implicit"] {
        let i = indicator(&r, id);
        // 25th percentile of 10..50: 20; value 20 ties with one: rank 2.
        assert_eq!(i["target"], 20, "{id}: {i}");
        assert_eq!(i["peers"]["rank"], 2, "{id}: {i}");
    }
}

#[test]
fn finding_5_a_peer_target_without_enough_peers_is_no_peers() {
    let data = tempfile::tempdir().expect("temp dir");
    std::fs::write(data.path().join("a.csv"), "id,x\n1,1\n2,3\n").expect("write");
    std::fs::write(
        data.path().join("peers.csv"),
        "institution,indicator,value\nP1,few,1\nP2,few,2\nP1,many,1\nP2,many,2\nP3,many,3\nP4,many,4\n",
    )
    .expect("write");
    let rules = rules_with(
        "scorecard \"S\" { population = a benchmark = \"peers.csv\" }\n\
         objective o {\n\
           indicator few { value = avg(a.x) target = peers(50%) }\n\
           indicator none { value = avg(a.x) target = peers(50%) }\n\
           indicator many { value = avg(a.x) target = peers(50%) }\n\
         }\n",
    );
    let out = run_rules(&["score", "--format", "json"], rules.path(), data.path());
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let r = out.json();
    for (id, n) in [("few", "only 2 peer figures"), ("none", "no peer figure")] {
        let i = indicator(&r, id);
        assert_eq!(
            (i["score"].clone(), i["status"].clone()),
            (Value::Null, "no_peers".into()),
            "{i}"
        );
        assert!(i["reason"].as_str().is_some_and(|t| t.contains(n)), "{i}");
    }
    assert_eq!(indicator(&r, "many")["status"], "ok");
    // Only `many` is scored: a third of the weight.
    assert_eq!(r["objectives"][0]["coverage"], 0.333333333);
    // With `benchmark_min_peers = 5`, four peers are too few as well.
    let strict = rules_with(
        "scorecard \"S\" { population = a benchmark = \"peers.csv\" benchmark_min_peers = 5 }\n\
         objective o { indicator many { value = avg(a.x) target = peers(50%) } }\n",
    );
    let out = run_rules(&["score", "--format", "json"], strict.path(), data.path());
    let r = out.json();
    let many = indicator(&r, "many");
    assert_eq!(many["status"], "no_peers", "{many}");
    assert_eq!(many["peers"]["rank"], Value::Null, "no rank among too few");
    assert_eq!(many["peers"]["n"], 4);
}

#[test]
fn finding_6_a_rate_compared_with_numbers_above_one_is_a_warning() {
    let rules = rules_with(
        "scorecard \"S\" { population = alumni }\n\
         objective o {\n\
           indicator members { value = share(alumni where member) target = 60% score = linear(25, target) }\n\
           indicator reach { value = count(alumni where member) / count(alumni) target = 20 unit = \"%\" }\n\
         }\n",
    );
    let out = run_rules(&["check"], rules.path(), &root().join("data/sample"));
    assert_eq!(out.code, Some(0), "warnings only: {}", out.stdout);
    let warnings: Vec<Value> = out
        .errors()
        .into_iter()
        .filter(|d| d["code"] == "check::percent")
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(
        (warnings[0]["line"].as_u64(), warnings[0]["column"].as_u64()),
        (Some(3), Some(84))
    );
    assert!(
        warnings[1]["help"]
            .as_str()
            .is_some_and(|h| h.contains("`20%`")),
        "{}",
        warnings[1]
    );
}

/// A rules directory with a scorecard over the sample's alumni, extra
/// items, and plugins.
fn sample_rules(items: &str, plugins: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = rules_with(&format!(
        "scorecard \"S\" {{ population = alumni }}\n{items}\n"
    ));
    for (name, text) in plugins {
        std::fs::create_dir_all(dir.path().join("plugins")).expect("mkdir");
        std::fs::write(dir.path().join("plugins").join(name), text).expect("write");
    }
    dir
}

fn score_rules(rules: &Path) -> Run {
    run_rules(
        &["score", "--format", "json"],
        rules,
        &root().join("data/sample"),
    )
}

#[test]
fn finding_7_a_failing_script_is_not_run_again_for_each_segment() {
    // An endless block stops at its time limit (500 ms): once, not once
    // per graduation year (50 of them).
    let rules = rules_with(
        "scorecard \"S\" { population = alumni segments = [graduation_year] }\n\
         objective o { indicator stuck { value = count(alumni) + rhai { loop { } } target = 1 } }\n",
    );
    let started = std::time::Instant::now();
    let out = score_rules(rules.path());
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    assert!(started.elapsed().as_secs() < 8, "{:?}", started.elapsed());
    let r = out.json();
    let stuck = indicator(&r, "stuck");
    assert_eq!(stuck["status"], "failed");
    assert!(
        stuck["segments"]["graduation_year"]
            .as_object()
            .is_some_and(|m| m.len() >= 40)
    );
}

#[test]
fn finding_8_script_limits_bound_the_whole_scoring() {
    // A megabyte of text per alumnus: 2 GB over the sample, unless the
    // total of one scoring is bounded.
    let rules = sample_rules(
        "use \"plugins/big.rhai\"\n\
         objective o { indicator big { value = count(alumni where len(big(id)) > 0) target = 1 } }",
        &[(
            "big.rhai",
            "fn big(id) { let s = \"x\"; while s.len() < 1000000 { s += s; } s }\n",
        )],
    );
    let started = std::time::Instant::now();
    let out = score_rules(rules.path());
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let r = out.json();
    assert_eq!(indicator(&r, "big")["status"], "failed");
    let d = r["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["code"] == "eval::script")
        .cloned()
        .unwrap_or_default();
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("MiB of text in all")),
        "{d}"
    );
}

#[test]
fn finding_9_a_plugin_returning_the_wrong_type_fails_with_a_diagnostic() {
    for (returned, word) in [("\"12\"", "text"), ("true", "yes/no"), ("[1, 2]", "list")] {
        let rules = sample_rules(
            "use \"plugins/f.rhai\"\nobjective o { indicator f { value = f(1) * 2 target = 1 } }",
            &[("f.rhai", &format!("fn f(x) {{ {returned} }}\n"))],
        );
        let out = score_rules(rules.path());
        assert_eq!(out.code, Some(0), "{}", out.stdout);
        let r = out.json();
        let f = indicator(&r, "f");
        assert_eq!(
            (f["value"].clone(), f["status"].clone()),
            (Value::Null, "failed".into()),
            "{f}"
        );
        let reason = f["reason"].as_str().unwrap_or("");
        assert!(
            reason.contains("returned") && reason.contains(word) && reason.contains("number"),
            "{reason}"
        );
        assert!(
            r["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|d| d["code"] == "eval::script" && d["line"] == 1),
            "{}",
            r["diagnostics"]
        );
    }
}

#[test]
fn finding_10_scripts_cannot_read_the_clock() {
    let rules = rules_with(
        "scorecard \"S\" { population = alumni }\n\
         objective o { indicator t { value = rhai { timestamp().elapsed } target = 1 } }\n",
    );
    let out = score_rules(rules.path());
    let r = out.json();
    let t = indicator(&r, "t");
    assert_eq!(t["status"], "failed", "{t}");
    assert_eq!(
        score_rules(rules.path()).stdout,
        out.stdout,
        "two runs, one report"
    );
}

#[test]
fn finding_11_a_loop_variable_named_like_an_indicator_is_not_a_cycle() {
    let rules = rules_with(
        "scorecard \"S\" { population = alumni }\n\
         objective o { indicator rate { value = rhai { let s = 0; for rate in [1, 2, 3] { s += rate; } s } target = 6 } }\n",
    );
    let out = run_rules(&["check"], rules.path(), &root().join("data/sample"));
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let r = score_rules(rules.path()).json();
    assert_eq!(indicator(&r, "rate")["value"], 6);
}

/// A rule set whose one indicator ends a chain of `n` lets, profile
/// columns or indicators.
fn chain(kind: &str, n: usize) -> tempfile::TempDir {
    let mut text = String::from("scorecard \"Deep\" { population = alumni }\n");
    match kind {
        "let" => {
            text += "let l0 = count(alumni)\n";
            for i in 1..n {
                text += &format!("let l{i} = l{} + 1\n", i - 1);
            }
            text += &format!(
                "objective o {{ indicator deep {{ value = l{} target = 1 }} }}\n",
                n - 1
            );
        }
        "profile" => {
            text += "profile alumni {\n  p0 = 1\n";
            for i in 1..n {
                text += &format!("  p{i} = p{} + 1\n", i - 1);
            }
            text += &format!(
                "}}\nobjective o {{ indicator deep {{ value = max(alumni.p{}) target = 1 }} }}\n",
                n - 1
            );
        }
        _ => {
            text += "objective o {\n  indicator i0 { value = 1 target = 1 }\n";
            for i in 1..n {
                text += &format!("  indicator i{i} {{ value = i{} + 1 target = 1 }}\n", i - 1);
            }
            text += "}\n";
        }
    }
    rules_with(&text)
}

fn assert_chain_evaluates(kind: &str, expected: u64) {
    let rules = chain(kind, 10_000);
    let out = score_rules(rules.path());
    assert_eq!(out.code, Some(0), "{kind}: {}{}", out.stdout, out.stderr);
    let r = out.json();
    let last = r["objectives"][0]["indicators"]
        .as_array()
        .and_then(|i| i.last().cloned())
        .unwrap_or_default();
    assert_eq!(last["value"], expected, "{kind}");
}

#[test]
fn finding_12_ten_thousand_chained_lets_evaluate() {
    // count(alumni) = 2000, then 9,999 more.
    assert_chain_evaluates("let", 2000 + 9_999);
}

#[test]
fn finding_12_ten_thousand_chained_profile_columns_evaluate() {
    assert_chain_evaluates("profile", 10_000);
}

#[test]
fn finding_12_ten_thousand_chained_indicators_evaluate() {
    assert_chain_evaluates("indicator", 10_000);
}

#[test]
fn finding_12_a_chain_past_the_limit_is_a_located_error() {
    let rules = chain("let", 20_001);
    let out = run_rules(&["check"], rules.path(), &root().join("data/sample"));
    let d = out.error("check::too-deep");
    assert_eq!(
        d["line"], 20_002,
        "the declaration that ends the chain: {d}"
    );
}

#[test]
fn finding_12_watch_survives_a_deep_chain() {
    let rules = chain("profile", 10_000);
    let out_dir = tempfile::tempdir().expect("temp dir");
    let report = out_dir.path().join("r.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .current_dir(root())
        .args(["watch", "--rules"])
        .arg(rules.path())
        .arg("-o")
        .arg(&report)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kpi watch starts");
    let started = std::time::Instant::now();
    while !report.exists() && started.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let alive = child.try_wait().expect("status").is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(report.exists(), "the first report is written");
    assert!(alive, "the watcher is still running");
}

fn revision(rules: &Path) -> String {
    let out = score_rules(rules);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    out.json()["revision"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn finding_13_the_same_rules_in_kpi_and_yaml_have_the_same_revision() {
    let shipped = root().join("rules");
    let yaml = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&shipped.join("plugins"), &yaml.path().join("plugins"));
    for entry in std::fs::read_dir(&shipped).expect("rules") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "kpi" || e == "yaml") {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
            common::succeeds(
                common::kpi()
                    .args(["convert"])
                    .arg(&path)
                    .args(["--to", "yaml", "-o"])
                    .arg(yaml.path().join(format!("{stem}.yaml"))),
            );
        }
    }
    let kpi = revision(&shipped);
    assert_eq!(revision(yaml.path()), kpi, "the YAML twin");

    // Comments and file layout do not change what is computed; a target
    // and a plugin do.
    let copy = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&shipped, copy.path());
    let engagement = copy.path().join("engagement.kpi");
    let text = std::fs::read_to_string(&engagement).expect("read");
    std::fs::write(&engagement, format!("// a note for the board\n{text}")).expect("write");
    assert_eq!(revision(copy.path()), kpi, "a comment");
    std::fs::write(&engagement, text.replace("target = 80%", "target = 85%")).expect("write");
    assert_ne!(revision(copy.path()), kpi, "a target");
    std::fs::write(&engagement, &text).expect("write");
    let plugin = copy.path().join("plugins/sentiment.rhai");
    let code = std::fs::read_to_string(&plugin).expect("read");
    std::fs::write(&plugin, format!("{code}\nfn unused() {{ 1 }}\n")).expect("write");
    assert_ne!(revision(copy.path()), kpi, "a plugin");
}

#[test]
fn finding_14_a_list_segment_is_cut_by_element_and_huge_segments_are_refused() {
    let rules = rules_with(
        "scorecard \"S\" { population = alumni segments = [interests] }\n\
         objective o { indicator members { value = count(alumni where member) target = 1 } }\n",
    );
    let out = score_rules(rules.path());
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let r = out.json();
    let by = r["objectives"][0]["indicators"][0]["segments"]["interests"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // One segment per interest (the generator's vocabulary), not one per
    // combination of them.
    assert!(
        by.len() <= 20,
        "{} segments: {:?}",
        by.len(),
        by.keys().collect::<Vec<_>>()
    );
    assert!(by.keys().all(|k| !k.contains(';')), "{:?}", by.keys());
    // Each alumnus counts in every segment of its interests: the sport
    // segment counts the members with sport among theirs.
    let text = std::fs::read_to_string(root().join("data/sample/alumni.csv")).expect("read");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).expect("a column");
    let (interests, member) = (col("interests"), col("member"));
    let sport = lines
        .map(csv_like)
        .filter(|c| c[member] == "true" && c[interests].split(';').any(|i| i == "sport"))
        .count();
    assert_eq!(by["sport"]["value"], sport);

    // A column with thousands of values is refused, where it is named.
    let rules = rules_with(
        "scorecard \"S\" { population = alumni segments = [id] }\n\
         objective o { indicator members { value = count(alumni where member) target = 1 } }\n",
    );
    let d =
        run_rules(&["check"], rules.path(), &root().join("data/sample")).error("check::segments");
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("2000 distinct values")),
        "{d}"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(49)),
        "{d}"
    );
}

/// The cells of a line of the sample (quoted cells hold no comma there but
/// cities, which this test does not read).
fn csv_like(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn finding_15_deep_yaml_and_long_names_are_refused_quickly() {
    let rules = tempfile::tempdir().expect("temp dir");
    let n = 100_000;
    std::fs::write(
        rules.path().join("r.yaml"),
        format!(
            "scorecard:\n  population: alumni\nparams:\n  x: {}{}\n",
            "[".repeat(n),
            "]".repeat(n)
        ),
    )
    .expect("write");
    let started = std::time::Instant::now();
    let out = run_rules(&["check"], rules.path(), &root().join("data/sample"));
    let d = out.error("yaml::too-deep");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(70)),
        "{d}"
    );
    assert!(started.elapsed().as_secs() < 3, "{:?}", started.elapsed());

    // Two 60,000-character names that differ in one letter.
    let a = "a".repeat(60_000);
    let b = format!("{}b", "a".repeat(59_999));
    let rules = rules_with(&format!(
        "scorecard \"S\" {{ population = alumni }}\nlet {a} = 1\n\
         objective o {{ indicator i {{ value = {b} target = 1 }} }}\n"
    ));
    let started = std::time::Instant::now();
    run_rules(&["check"], rules.path(), &root().join("data/sample")).error("check::unknown-name");
    assert!(started.elapsed().as_secs() < 3, "{:?}", started.elapsed());
}

#[test]
fn every_null_figure_of_the_shipped_packs_says_why() {
    for rules in ["rules", "rules/case-aem"] {
        for period in [
            None,
            Some("2024-09-01..2025-08-31"),
            Some("2030-01-01..2030-12-31"),
        ] {
            let mut args = vec!["score", "--format", "json"];
            if let Some(p) = period {
                args.extend(["--period", p]);
            }
            let out = run(&args, rules, &root().join("data/sample"));
            assert_eq!(out.code, Some(0), "{}", out.stdout);
            let r = out.json();
            for o in r["objectives"].as_array().into_iter().flatten() {
                for i in o["indicators"].as_array().into_iter().flatten() {
                    let null =
                        i["value"].is_null() || i["target"].is_null() || i["score"].is_null();
                    let said =
                        i["status"] != "ok" && i["reason"].as_str().is_some_and(|t| !t.is_empty());
                    assert!(
                        !null || said,
                        "{rules} {period:?}: {} is null without a reason: {i}",
                        i["id"]
                    );
                    assert_eq!(i["status"] == "ok", i["reason"].is_null(), "{}", i["id"]);
                }
            }
        }
    }
}

#[test]
fn a_weight_that_reads_the_data_is_an_error_not_a_zero() {
    // `weight = total_cost` cannot be weighed before scoring; it once
    // weighed 0 and the overall score left the objective out, exit 0.
    let rules = rules_with(
        "scorecard \"S\" { population = alumni }\n\
         let total_cost = sum(events.cost_university)\n\
         objective a { weight = 1 indicator i { value = count(alumni) target = 10 } }\n\
         objective b { weight = total_cost indicator j { value = 1 target = 2 } }\n",
    );
    for command in ["score", "check"] {
        let out = run_rules(
            &[command],
            rules.path(),
            &root().join("tests/eval/hand/data"),
        );
        assert_eq!(out.code, Some(1), "{command}: {}", out.stdout);
        let d = out.error("eval::weight");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(4), Some(24)),
            "{d}"
        );
    }
}

#[test]
fn the_revision_does_not_depend_on_the_order_of_set() {
    let revision = |args: &[&str]| {
        let mut all = vec!["score", "--format", "json"];
        all.extend(args);
        let out = run(
            &all,
            "tests/eval/hand/rules",
            &root().join("tests/eval/hand/data"),
        );
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        out.json()["revision"].clone()
    };
    let (a, b) = ("staff_hour_cost=1", "volunteer_hour_value=2");
    let once = revision(&["--set", a, "--set", b]);
    assert_eq!(once, revision(&["--set", b, "--set", a]));
    // Set twice, the last value counts, and only it.
    assert_eq!(
        once,
        revision(&["--set", "staff_hour_cost=9", "--set", b, "--set", a])
    );
    assert_ne!(once, revision(&["--set", a]));
}

/// Found reading reports back: a sum over nothing is -0.0 in Rust, and an
/// empty period's objective coverage was written `-0` in the CSV report
/// (JSON wrote 0).
#[test]
fn an_empty_period_writes_no_negative_zero() {
    let out = run(
        &[
            "score",
            "--format",
            "csv",
            "--period",
            "2030-01-01..2030-12-31",
        ],
        "rules",
        &root().join("data/sample"),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let negative_zero: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.split(',').any(|cell| cell == "-0"))
        .collect();
    assert!(negative_zero.is_empty(), "{negative_zero:?}");
    assert!(out.stdout.lines().count() > 10, "a whole report");
}

/// Found writing the CASE pack's tests: the profile export listed every
/// row of the population, so an alumnus recorded the day after the period
/// came out with `of_record` true and engaged — figures of a person no
/// indicator of that period counted.
#[test]
fn profiles_export_only_the_alumni_on_record_in_the_period() {
    let rules = rules_with(
        r#"scorecard "S" { population = alumni }
           profile alumni { of_record = true  engaged = count(events) > 0 }
           objective o { indicator n { value = count(alumni) target = 1 } }"#,
    );
    let data = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        data.path().join("alumni.csv"),
        "id,recorded\n1,2024-01-01\n2,2025-12-31\n3,2026-01-01\n",
    )
    .expect("write");
    std::fs::write(
        data.path().join("events.csv"),
        "id,alumni_id,date\n1,3,2026-01-02\n2,1,2025-06-01\n",
    )
    .expect("write");
    std::fs::write(
        data.path().join("dataset.yaml"),
        "tables:\n  alumni:\n    since: recorded\n",
    )
    .expect("write");
    let csv = data.path().join("profiles.csv");
    let out = run_rules(
        &[
            "score",
            "--format",
            "json",
            "--period",
            "2025-01-01..2025-12-31",
            "--profiles",
            csv.to_str().expect("utf-8"),
        ],
        rules.path(),
        data.path(),
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(indicator(&out.json(), "n")["value"], 2.0);
    let written = std::fs::read_to_string(&csv).expect("profiles written");
    assert_eq!(
        written, "id,of_record,engaged\n1,true,true\n2,true,false\n",
        "alumnus 3 (recorded 2026-01-01) is not of 2025"
    );
}

/// Found trying `kpi serve`: a weight of 1e308 made the sum of weighted
/// scores overflow, and the overall score came out null with no word.
#[test]
fn a_weight_too_large_to_sum_is_an_error() {
    let rules = rules_with(
        r#"scorecard "S" { population = alumni }
           objective a { weight = 1e308 indicator n { value = count(alumni) target = 1 } }"#,
    );
    let out = run_rules(&["check"], rules.path(), &root().join("data/sample"));
    let e = out.error("check::weight");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("at most 1000000000"),
        "{e}"
    );
}

/// Found trying `kpi serve`: a list param shows in the report as
/// `a;b`, and setting it back so was refused (only `["a","b"]` was read).
#[test]
fn a_list_param_is_set_as_the_report_writes_it() {
    let report = score_sample(&["--set", "strategy=giving;promotion"]);
    assert_eq!(report["params"]["strategy"], "giving;promotion");
}
