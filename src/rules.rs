//! Loading a rules directory: every `.kpi` and `.yaml` file in it (not in
//! sub-directories) forms one rule set.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax::{self, Format, ast::RuleFile};

/// One parsed rule file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// Its id in the source map.
    pub id: FileId,
    /// .kpi or YAML.
    pub format: Format,
    /// Its syntax tree.
    pub tree: RuleFile,
}

/// The files of a rules directory, parsed.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// The rules directory.
    pub root: PathBuf,
    /// The text of every rule file and plugin, for messages.
    pub sources: SourceMap,
    /// Every rule file, parsed.
    pub files: Vec<ParsedFile>,
    /// rhai plugins named by `use`, read from inside the rules directory:
    /// the path as written → its source file.
    pub plugins: Vec<(String, FileId)>,
    /// Plugins that could not be read: the path as written → why.
    pub unreadable_plugins: Vec<(String, crate::files::ReadError)>,
}

/// A rule file has no reason to be larger.
pub const RULE_FILE_CAP: u64 = 16 << 20;

/// A plugin has no reason to be larger.
pub const PLUGIN_CAP: u64 = 1 << 20;

impl RuleSet {
    /// A rule set from in-memory texts (tests, embedders); names decide the
    /// format by extension.
    pub fn from_texts(root: &Path, texts: &[(&str, &str)]) -> (RuleSet, Diagnostics) {
        let mut set = RuleSet {
            root: root.to_path_buf(),
            ..RuleSet::default()
        };
        let mut diags = Diagnostics::new();
        for (name, text) in texts {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            set.add_file(
                SourceFile::new(*name, root.join(name), text.to_string()),
                &mut diags,
            );
        }
        set.read_plugins();
        (set, diags)
    }

    /// Reads and parses every rule file of `dir`, in name order.
    pub fn load_dir(dir: &Path) -> (RuleSet, Diagnostics) {
        RuleSet::load_dir_except(dir, &[])
    }

    /// The same, leaving out the files `except` names (a report written
    /// into the rules directory is not a rule file).
    pub fn load_dir_except(dir: &Path, except: &[PathBuf]) -> (RuleSet, Diagnostics) {
        RuleSet::load(dir, except, &[])
    }

    /// Reads the rule files of `dir` as an editor shows them: the text of
    /// an open file (`open`: its path and text) in place of what is saved,
    /// and an open file of `dir` that was never saved among them.
    pub fn load_dir_with(dir: &Path, open: &[(PathBuf, String)]) -> (RuleSet, Diagnostics) {
        RuleSet::load(dir, &[], open)
    }

    fn load(dir: &Path, except: &[PathBuf], open: &[(PathBuf, String)]) -> (RuleSet, Diagnostics) {
        let mut set = RuleSet {
            root: dir.to_path_buf(),
            ..RuleSet::default()
        };
        let mut diags = Diagnostics::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "rules::io",
                        format!("cannot read the rules directory `{}`: {e}", dir.display()),
                    )
                    .with_help(
                        "point `--rules` at the directory that holds your .kpi and .yaml files",
                    ),
                );
                return (set, diags);
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && Format::of_path(p).is_some())
            .filter(|p| {
                !except.iter().any(|e| {
                    e.file_name() == p.file_name()
                        && std::fs::canonicalize(
                            e.parent()
                                .filter(|p| !p.as_os_str().is_empty())
                                .unwrap_or(Path::new(".")),
                        )
                        .ok()
                        .zip(std::fs::canonicalize(dir).ok())
                        .is_some_and(|(a, b)| a == b)
                })
            })
            .collect();
        for (path, _) in open {
            if path.parent() == Some(dir)
                && Format::of_path(path).is_some()
                && !paths.contains(path)
            {
                paths.push(path.clone());
            }
        }
        paths.sort();
        if paths.is_empty() {
            diags.push(
                Diagnostic::error(
                    "rules::empty",
                    format!("no .kpi or .yaml rule file in `{}`", dir.display()),
                )
                .with_help("rule files end in .kpi or .yaml"),
            );
        }
        for path in paths {
            if let Some((_, text)) = open.iter().find(|(p, _)| *p == path) {
                let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
                let name = path.display().to_string();
                set.add_file(SourceFile::new(name, path.clone(), text), &mut diags);
                continue;
            }
            match read_rule_file(&path) {
                Ok(text) => {
                    let name = path.display().to_string();
                    set.add_file(SourceFile::new(name, path.clone(), text), &mut diags);
                }
                Err(d) => diags.push(*d),
            }
        }
        set.read_plugins();
        (set, diags)
    }

    /// Reads the plugin files that `use` items name: regular files inside
    /// the rules directory once symlinks are followed, up to a size cap.
    /// What cannot be read is kept for the checker to report at the `use`.
    fn read_plugins(&mut self) {
        let mut wanted: Vec<String> = Vec::new();
        for f in &self.files {
            for item in &f.tree.items {
                if let crate::syntax::ast::ItemKind::Use(t) = &item.kind
                    && !wanted.contains(&t.value)
                {
                    wanted.push(t.value.clone());
                }
            }
        }
        for rel in wanted {
            if !stays_inside(&rel) {
                continue;
            }
            let read = crate::files::confined(&self.root, &rel).and_then(|path| {
                crate::files::read_text(&path, crate::files::Encoding::Utf8, Some(PLUGIN_CAP))
                    .map(|text| (path, text))
            });
            match read {
                Ok((path, text)) => {
                    let id =
                        self.sources
                            .add(SourceFile::new(path.display().to_string(), path, text));
                    self.plugins.push((rel, id));
                }
                Err(e) => self.unreadable_plugins.push((rel, e)),
            }
        }
    }

    /// The plugin script a rule file names (`use "x.rhai"`), if loaded.
    pub fn plugin(&self, written: &str) -> Option<FileId> {
        self.plugins
            .iter()
            .find(|(p, _)| p == written)
            .map(|(_, id)| *id)
    }

    fn add_file(&mut self, source: SourceFile, diags: &mut Diagnostics) {
        let Some(format) = Format::of_path(&source.path) else {
            return;
        };
        let id = self.sources.add(source);
        // `add` just stored the file under `id`.
        let Some(src) = self.sources.get(id) else {
            return;
        };
        let (tree, errors) = syntax::parse(id, src, format);
        diags.extend(errors);
        if let Some(tree) = tree {
            self.files.push(ParsedFile { id, format, tree });
        }
    }
}

/// A relative path that never climbs above where it starts.
/// One rule file's text: UTF-8, with or without a byte-order mark (Windows
/// editors write one), up to a size cap; another encoding is named at the
/// first byte that is not UTF-8.
pub fn read_rule_file(path: &Path) -> Result<String, Box<Diagnostic>> {
    let read = crate::files::read_bytes(path, Some(RULE_FILE_CAP)).and_then(|bytes| {
        crate::files::decode(bytes, crate::files::Encoding::Utf8).map_err(|e| {
            crate::files::ReadError {
                message: format!("the file {}", e.message),
                ..e
            }
        })
    });
    read.map_err(|e| {
        let d = Diagnostic::error("rules::io", e.message);
        Box::new(match e.line {
            Some((line, column)) => d
                .in_file(path.display().to_string(), line, column)
                .with_help(
                    "save the file as UTF-8 (your editor's \"Save with encoding\" or \"Encoding\" menu): rule files are UTF-8",
                ),
            None => d.with_help_opt(e.help),
        })
    })
}

/// Whether a relative path stays inside its directory (no `..` out, not absolute).
pub fn stays_inside(rel: &str) -> bool {
    use std::path::Component;
    let mut depth: i32 = 0;
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}
