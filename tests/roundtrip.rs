//! Printing and parsing agree: the canonical printers are idempotent, and
//! .kpi ⇄ YAML conversion keeps the tree (sections grouped, as YAML holds
//! items by kind).

mod common;

use std::path::PathBuf;

use alumni_kpi::rules::RuleSet;
use alumni_kpi::source::{FileId, SourceFile};
use alumni_kpi::syntax::ast::{Item, ItemKind, RuleFile, same_tree};
use alumni_kpi::syntax::{self, Format};
use common::*;

fn parse_text(name: &str, text: &str) -> RuleFile {
    let format = Format::of_path(std::path::Path::new(name)).expect("a rule file name");
    let source = SourceFile::new(name, name, text.to_string());
    let (tree, errors) = syntax::parse(FileId(0), &source, format);
    match tree {
        Some(t) if errors.is_empty() => t,
        _ => panic!("{name} does not parse:\n{errors:#?}\n---\n{text}"),
    }
}

/// Every corpus and shipped file that parses. With `convertible`, only
/// those YAML can hold too (YAML rejects unknown fields when reading).
fn parsable_files(convertible: bool) -> Vec<PathBuf> {
    let mut files = corpus("good");
    for dir in ["bad", "bad_data"] {
        for f in corpus(dir) {
            let text = std::fs::read_to_string(&f).expect("readable");
            let (set, diags) =
                RuleSet::from_texts(f.parent().expect("dir"), &[(&display_name(&f), &text)]);
            let unknown_field = text.contains("check::unknown-field");
            let usable = !diags.has_errors() && !set.files.is_empty();
            if usable && !(convertible && unknown_field) {
                files.push(f);
            }
        }
    }
    let mut shipped: Vec<PathBuf> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| Format::of_path(p).is_some())
        .collect();
    shipped.sort();
    files.extend(shipped);
    assert!(files.len() >= 10, "corpus too small: {files:?}");
    files
}

fn section(item: &Item) -> u8 {
    match item.kind {
        ItemKind::Scorecard(_) => 0,
        ItemKind::Param(_) => 1,
        ItemKind::Use(_) => 2,
        ItemKind::Profile(_) => 3,
        ItemKind::Let(_) => 4,
        ItemKind::Objective(_) => 5,
    }
}

/// Items grouped by kind, each kind where it first appears (as in YAML).
fn grouped(mut tree: RuleFile) -> RuleFile {
    let mut first_seen: Vec<u8> = Vec::new();
    for item in &tree.items {
        if !first_seen.contains(&section(item)) {
            first_seen.push(section(item));
        }
    }
    tree.items
        .sort_by_key(|i| first_seen.iter().position(|s| *s == section(i)));
    tree
}

#[test]
fn printing_then_parsing_gives_the_same_tree_and_printing_is_idempotent() {
    for path in parsable_files(false) {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let format = Format::of_path(&path).expect("rule file");
        let tree = parse_text(&name, &text);
        let printed = syntax::print(&tree, format);
        let again = parse_text(&name, &printed);
        assert!(
            same_tree(&tree, &again),
            "{name}: the printed tree differs\n{printed}"
        );
        assert_eq!(
            syntax::print(&again, format),
            printed,
            "{name}: printing is not idempotent"
        );
    }
}

#[test]
fn kpi_to_yaml_to_kpi_keeps_the_tree() {
    for path in parsable_files(true) {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let tree = grouped(parse_text(&name, &text));
        let (other, other_name) = match Format::of_path(&path) {
            Some(Format::Kpi) => (Format::Yaml, "converted.yaml"),
            _ => (Format::Kpi, "converted.kpi"),
        };
        let converted = syntax::print(&tree, other);
        let middle = parse_text(other_name, &converted);
        assert!(
            same_tree(&tree, &grouped(middle.clone())),
            "{name} → {other_name}:\n{converted}"
        );
        let back = parse_text(
            &name,
            &syntax::print(&middle, Format::of_path(&path).expect("format")),
        );
        assert!(same_tree(&tree, &back), "{name} → {other_name} → back");
    }
}
