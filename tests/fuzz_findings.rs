//! What the fuzzers found (`scripts/fuzz.sh`), each kept as a test named
//! after its target and what it found.

mod common;

use alumni_kpi::rules::RuleSet;
use alumni_kpi::syntax::{self, Format};

/// Rules that parse print, in both formats, to text that parses again.
fn prints_back(rules: &RuleSet) {
    for file in &rules.files {
        for (format, name) in [(Format::Kpi, "again.kpi"), (Format::Yaml, "again.yaml")] {
            let printed = syntax::print(&file.tree, format);
            let (_, errors) = RuleSet::from_texts(std::path::Path::new("x"), &[(name, &printed)]);
            assert!(!errors.has_errors(), "{format:?}:\n{printed}\n{errors:?}");
        }
    }
}

#[test]
fn kpi_rules_control_characters_in_a_comment() {
    // A comment holding NUL bytes parsed, and printed as YAML the text did
    // not parse ("control characters are not allowed").
    let text = "scorecard \"Cycles\" {\n  population = alumni\n}\n\n// the fift`\u{0}\u{0}\u{0}een reasons\n";
    for name in ["f.kpi", "f.yaml"] {
        let (rules, errors) = RuleSet::from_texts(std::path::Path::new("x"), &[(name, text)]);
        let d = errors
            .iter()
            .find(|d| d.code == "parse::control")
            .expect("an error");
        assert!(d.message.contains("U+0000"), "{}", d.message);
        prints_back(&rules);
    }
    let clean = text.replace('\u{0}', "");
    let (rules, errors) = RuleSet::from_texts(std::path::Path::new("x"), &[("f.kpi", &clean)]);
    assert!(!errors.has_errors());
    prints_back(&rules);
}

#[test]
fn yaml_rules_a_param_name_that_is_no_name() {
    // `tit#le:` read as a param name and printed as `param tit#le = ..`,
    // which the .kpi grammar rejects.
    let text = "scorecard:\n  title: YAML names\n  population: alumni\nparams:\n  ecard:\n  tit#le: YAML names T\n";
    let (rules, errors) = RuleSet::from_texts(std::path::Path::new("x"), &[("f.yaml", text)]);
    let d = errors
        .iter()
        .find(|d| d.code == "yaml::name")
        .expect("an error");
    assert_eq!(d.message, "`tit#le` cannot be a param's name");
    assert_eq!(
        d.help.as_deref().map(|h| h.ends_with("write `tit_le`")),
        Some(true)
    );
    let fixed = text.replace("tit#le", "tit_le");
    let (rules_fixed, errors) =
        RuleSet::from_texts(std::path::Path::new("x"), &[("f.yaml", &fixed)]);
    assert!(!errors.has_errors(), "{errors:?}");
    prints_back(&rules_fixed);
    drop(rules);
}
