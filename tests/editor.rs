//! A real editor as the client: Neovim, headless, with its built-in LSP
//! client (tests/editor/neovim.lua) opens a rule file of the LERU pack
//! with a misspelt column and records what the user would see: the
//! diagnostic, the completion of `alumni.` and the hover of an indicator
//! with its figures on the sample. Needs `nvim` (Debian's `neovim`; .ci/run
//! installs it).

mod common;

use common::root;

#[test]
fn neovim_shows_diagnostics_column_completion_and_an_indicators_figures() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let rules = tmp.path().join("rules");
    common::copy_dir(&root().join("rules"), &rules);
    let file = rules.join("engagement.kpi");
    let text = std::fs::read_to_string(&file).expect("read");
    let typo = text.replacen(
        "participations where responded)",
        "participations where respnded)",
        1,
    );
    std::fs::write(&file, &typo).expect("write");
    let out = tmp.path().join("seen.json");
    let run = std::process::Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!(
            "luafile {}",
            root().join("tests/editor/neovim.lua").display()
        ))
        .env("KPI_BIN", env!("CARGO_BIN_EXE_kpi"))
        .env("KPI_RULES", &rules)
        .env("KPI_DATA", root().join("data/sample"))
        .env("KPI_OUT", &out)
        .output()
        .unwrap_or_else(|e| panic!("nvim does not run ({e}): install Debian's `neovim`"));
    let seen = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "nvim wrote nothing ({e}): {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    let seen: serde_json::Value = serde_json::from_str(&seen).expect("JSON");
    assert_eq!(seen["errors"], serde_json::json!([]), "{seen}");

    let diags = seen["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 1, "{seen}");
    let line = typo[..typo.find("respnded").expect("typo")]
        .matches('\n')
        .count();
    assert_eq!(
        (diags[0]["line"].as_u64(), diags[0]["col"].as_u64()),
        (Some(line as u64), Some(39))
    );
    assert_eq!(diags[0]["code"], "check::unknown-column");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `responded`?"),
        "{seen}"
    );

    let labels: Vec<&str> = seen["completion"]
        .as_array()
        .expect("completion")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    for column in ["faculty", "email_valid", "deceased", "tier"] {
        assert!(labels.contains(&column), "{column} not in {labels:?}");
    }
    assert!(
        !labels.contains(&"count"),
        "only columns after the dot: {labels:?}"
    );

    assert_eq!(seen["cleared"], true, "the typo fixed, the diagnostic goes");
    let hover = seen["hover"].as_str().expect("a hover");
    assert!(
        hover.starts_with("**Taux de réponse** — indicator `response_rate`"),
        "{hover}"
    );
    assert!(
        hover.contains("On the dataset (2025-09-01 – 2026-08-31): value **"),
        "{hover}"
    );
    assert!(hover.contains("score **"), "{hover}");
}
