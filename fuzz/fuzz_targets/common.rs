//! What the fuzz targets share: a small fixed dataset, and the checks of a
//! rule file's text.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use alumni_kpi::data::{Dataset, LoadOptions, Schema};
use alumni_kpi::rules::RuleSet;

/// A dataset of three related tables, written once to a temporary
/// directory (kept for the fuzzer's life).
pub fn dataset() -> &'static (PathBuf, Dataset) {
    static DATA: OnceLock<(PathBuf, Dataset)> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp dir").keep();
        let files = [
            (
                "alumni.csv",
                "id,faculty,member,score,tags,recorded\n1,Law,true,3,a;b,2024-01-01\n2,Arts,false,,,2025-10-01\n3,Law,,7,c,\n",
            ),
            (
                "participations.csv",
                "id,alumni_id,date,attended,satisfaction\n1,1,2025-10-01,true,4\n2,2,2026-01-10,false,\n3,1,2024-11-05,true,2\n4,9,2025-12-01,true,5\n",
            ),
            ("events.csv", "id,date,cost\n1,2025-10-01,100\n2,2024-11-05,50\n"),
            (
                "peers.csv",
                "institution,indicator,value\nA,i,0.5\nB,i,0.7\nC,i,0.2\nD,i,0.9\n",
            ),
            (
                "dataset.yaml",
                "tables:\n  alumni: {since: recorded, columns: {tags: list, member: bool}}\n",
            ),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write the dataset");
        }
        let data = Dataset::load(
            &dir,
            &LoadOptions {
                exclude: vec!["peers.csv".into()],
                ..LoadOptions::default()
            },
        )
        .expect("the fixed dataset loads");
        (dir, data)
    })
}

pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| dataset().1.schema())
}

/// Parses and checks one rule file; rules that check clean must print to
/// text that parses again, in both formats.
pub fn parse_and_check(name: &str, text: &str) -> Option<RuleSet> {
    let root = Path::new("fuzz-rules");
    let (rules, errors) = RuleSet::from_texts(root, &[(name, text)]);
    if errors.has_errors() {
        return None;
    }
    let checked = alumni_kpi::check::check(&rules, Some(schema()));
    if checked.diagnostics.has_errors() {
        return None;
    }
    for file in &rules.files {
        for format in [alumni_kpi::syntax::Format::Kpi, alumni_kpi::syntax::Format::Yaml] {
            let printed = alumni_kpi::syntax::print(&file.tree, format);
            let again = match format {
                alumni_kpi::syntax::Format::Kpi => "again.kpi",
                _ => "again.yaml",
            };
            let (_, errors) = RuleSet::from_texts(root, &[(again, printed.as_str())]);
            assert!(
                !errors.has_errors(),
                "printed as {format:?}, the rules do not parse:\n{printed}\n{errors:?}"
            );
        }
    }
    Some(rules)
}
