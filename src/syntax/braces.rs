//! Braces of a .kpi file, matched: when the parser stops on a syntax error
//! and the file's braces do not balance, the missing (or extra) brace is
//! the mistake to report, at the block it belongs to — "indicator
//! `satisfaction` opened on line 13 is not closed" — rather than where the
//! parser happened to stop.
//!
//! Strings and comments are skipped. A `}` that starts a line indented
//! less than the block on top of the stack closes an outer block: the one
//! on top lacks its `}`.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

struct Open {
    at: usize,
    indent: usize,
    line: usize,
    /// `indicator `satisfaction``, `objective `engagement``, `scorecard`.
    label: String,
}

/// The block a `{` opens, from the words before it on its line.
fn label(line: &str) -> String {
    // `objective o { weight = 1 indicator i {`: the words since the last
    // brace on the line, and of those the keyword nearest the `{`.
    let line = line.rsplit(['{', '}']).next().unwrap_or(line);
    let words: Vec<&str> = line.split_whitespace().collect();
    let kind_at = words.iter().rposition(|w| {
        matches!(
            *w,
            "indicator" | "objective" | "profile" | "scorecard" | "rhai"
        )
    });
    match kind_at.map(|k| &words[k..]).unwrap_or(&words) {
        [kind @ ("indicator" | "objective" | "profile"), name, ..] => {
            format!("{kind} `{name}`")
        }
        [kind @ ("scorecard" | "rhai"), ..] => (*kind).to_string(),
        [.., last] => format!("the block after `{}`", last.trim_end_matches('{')),
        [] => "a block".to_string(),
    }
}

/// Diagnostics for unbalanced braces, or none if they balance.
pub fn check(file: FileId, src: &str) -> Vec<Diagnostic> {
    let b = src.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut out = Vec::new();
    let mut line = 1;
    let mut line_start = 0;
    let mut i = 0;
    let not_closed = |o: &Open, out: &mut Vec<Diagnostic>| {
        out.push(
            Diagnostic::error(
                "parse::unclosed",
                format!("{} opened on line {} is not closed", o.label, o.line),
            )
            .at(Span::new(file, o.at, o.at + 1), "opened here, never closed")
            .with_help("add its `}` after its last field"),
        );
    };
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    if b[i] == b'\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'{' => {
                let text = &src[line_start..i];
                stack.push(Open {
                    at: i,
                    indent: text.len() - text.trim_start().len(),
                    line,
                    label: label(text),
                });
            }
            b'}' => {
                let before = &src[line_start..i];
                let first_on_line = before.trim().is_empty();
                loop {
                    let Some(top) = stack.pop() else {
                        out.push(
                            Diagnostic::error("parse::unclosed", "this `}` closes nothing")
                                .at(Span::new(file, i, i + 1), "no block is open here")
                                .with_help("remove it, or look for a `{` missing above"),
                        );
                        break;
                    };
                    // Indented less than its block: it closes an outer one.
                    if first_on_line && before.len() < top.indent && !stack.is_empty() {
                        not_closed(&top, &mut out);
                        continue;
                    }
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    for o in stack.iter().rev() {
        not_closed(o, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(src: &str) -> Vec<String> {
        check(FileId(0), src)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn the_block_that_lacks_its_brace_is_named() {
        let src = "objective engagement {\n  indicator members {\n    value = 1\n    target = 2\n\n  indicator satisfaction \"S\" {\n    value = 3\n  }\n}\n";
        assert_eq!(
            messages(src),
            ["indicator `members` opened on line 2 is not closed"]
        );
        let src = "scorecard \"S\" { population = alumni }\nobjective o {\n  indicator i { value = 1 target = 1 }\n";
        assert_eq!(
            messages(src),
            ["objective `o` opened on line 2 is not closed"]
        );
        assert_eq!(
            messages("objective o { }\n}\n"),
            ["this `}` closes nothing"]
        );
        assert!(messages("objective o { indicator i { value = \"}\" // }\n } }\n").is_empty());
        // Two blocks opened on one line are told apart.
        assert_eq!(
            messages("objective o { weight = 1 indicator i { value = 1\n"),
            [
                "indicator `i` opened on line 1 is not closed",
                "objective `o` opened on line 1 is not closed"
            ]
        );
    }
}
