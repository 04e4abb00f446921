//! The examples in the docs are real: every `kpi` and `yaml` block of the
//! language reference and the README parses, and the complete ones (with a
//! scorecard) check clean against the corpus dataset.

mod common;

use alumni_kpi::check;
use alumni_kpi::data::manifest::Manifest;
use alumni_kpi::rules::RuleSet;
use common::*;

/// `(info string, code, line)` of each fenced block.
fn blocks(markdown: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String, usize)> = None;
    for (n, line) in markdown.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_string(), String::new(), n + 1)),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some((_, code, _)), None) => {
                code.push_str(line);
                code.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn check_examples(doc: &str) -> usize {
    let text = std::fs::read_to_string(root().join(doc)).expect("readable doc");
    let schema = corpus_schema();
    let mut checked = 0;
    for (info, code, line) in blocks(&text) {
        let name = match info.as_str() {
            "kpi" => "example.kpi",
            "yaml" if code.starts_with("tables:") || code.starts_with("locale:") => {
                let (_, errors) = Manifest::parse(&code, "dataset.yaml");
                assert!(
                    errors.is_empty(),
                    "{doc}:{line}: manifest example: {errors:?}"
                );
                checked += 1;
                continue;
            }
            "yaml" => "example.yaml",
            _ => continue,
        };
        let (rules, diags) =
            RuleSet::from_texts(&root().join("tests/corpus/data"), &[(name, code.as_str())]);
        assert!(
            !diags.has_errors(),
            "{doc}:{line}: example does not parse:\n{}",
            short(&rules, &diags)
        );
        if code.contains("scorecard") {
            let out = check::check(&rules, Some(&schema));
            // Plugins named in examples are not shipped with the corpus.
            let errors: Vec<_> = out
                .diagnostics
                .iter()
                .filter(|d| d.code != "check::use-path")
                .cloned()
                .collect();
            let errors = alumni_kpi::Diagnostics(errors);
            assert!(
                errors.is_empty(),
                "{doc}:{line}: example does not check:\n{}",
                short(&rules, &errors)
            );
        }
        checked += 1;
    }
    checked
}

#[test]
fn the_language_reference_examples_parse_and_check() {
    assert!(check_examples("docs/language.md") >= 8);
}

#[test]
fn the_readme_examples_parse_and_check() {
    assert!(check_examples("README.md") >= 1);
}

#[test]
fn the_scoring_guide_examples_parse() {
    assert!(check_examples("docs/scoring.md") >= 1);
}
