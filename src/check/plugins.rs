//! `use "plugins/x.rhai"`: the path stays in the rules directory, the
//! script compiles, and its functions (with their argument counts) become
//! callable. Running scripts is the evaluator's business.

use std::collections::HashMap;

use super::Decls;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::rules::{RuleSet, stays_inside};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::Text;

/// Plugin functions: name → the argument counts it is defined with.
pub(super) type PluginFns = HashMap<String, Vec<usize>>;

pub(super) fn check_path(rules: &RuleSet, path: &Text, diags: &mut Diagnostics) {
    let root = &rules.root;
    let unreadable = rules
        .unreadable_plugins
        .iter()
        .find(|(p, _)| *p == path.value)
        .map(|(_, e)| e);
    if !stays_inside(&path.value) {
        diags.push(
            Diagnostic::error(
                "check::use-path",
                format!("`{}` is outside the rules directory", path.value),
            )
            .at(path.span, "leaves the rules directory")
            .with_help(
                "plugins live inside the rules directory, e.g. `use \"plugins/sentiment.rhai\"`",
            ),
        );
    } else if !root.join(&path.value).exists() {
        diags.push(
            Diagnostic::error(
                "check::use-path",
                format!("plugin `{}` not found", path.value),
            )
            .at(path.span, format!("no such file in `{}`", root.display())),
        );
    } else if let Some(e) = unreadable {
        diags.push(
            Diagnostic::error(
                "check::use-path",
                format!("plugin `{}`: {}", path.value, e.message),
            )
            .at(path.span, "cannot be read")
            .with_help(e.help.clone().unwrap_or_else(|| {
                "a plugin is a rhai text file inside the rules directory".into()
            })),
        );
    }
}

/// Compiles each used plugin and lists its functions.
pub(super) fn load(rules: &RuleSet, decls: &Decls<'_>, diags: &mut Diagnostics) -> PluginFns {
    let engine = crate::eval::script::engine();
    let mut fns = PluginFns::new();
    for u in &decls.uses {
        let Some(file) = rules.plugin(&u.value) else {
            continue;
        };
        let Some(src) = rules.sources.get(file) else {
            continue;
        };
        match engine.compile(&src.text) {
            Ok(ast) => {
                for f in ast.iter_functions() {
                    fns.entry(f.name.to_string())
                        .or_default()
                        .push(f.params.len());
                }
            }
            Err(e) => diags.push(script_error(&rules.sources, file, 0, &e)),
        }
    }
    fns
}

/// A rhai parse error as a diagnostic at its line in `file`; `base` is the
/// byte offset where the script starts in that file (inline blocks).
pub(crate) fn script_error(
    sources: &SourceMap,
    file: FileId,
    base: usize,
    e: &rhai::ParseError,
) -> Diagnostic {
    let d = Diagnostic::error("check::rhai", format!("rhai: {}", e.err_type()));
    let at = match (sources.get(file), e.position().line()) {
        (Some(src), Some(line)) => {
            crate::eval::script::offset_in(&src.text, base, line, e.position().position())
        }
        _ => None,
    };
    match at {
        Some(offset) => d.at(Span::new(file, offset, offset + 1), "here"),
        None => d,
    }
}
