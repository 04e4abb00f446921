//! Where things stand in a YAML rule file.
//!
//! serde_yaml gives values but not their positions, so the file is also read
//! by yaml-rust2's event parser, which marks where each scalar, mapping and
//! sequence starts. Each node is filed under its path (`objectives/0/value`).
//! A scalar's decoded text is aligned with its raw source text, so that an
//! offset inside an expression string maps to the exact byte in the file
//! (quotes, escapes and block indentation skipped). Comments, which neither
//! parser reports, are read from the lines around those positions.

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::ast::Comment;
use crate::source::{FileId, SourceFile, Span};

/// The place of one node (a mapping value or sequence entry).
#[derive(Debug, Clone)]
pub(crate) struct NodePos {
    /// The key's span, for mapping values.
    pub key: Option<Span>,
    /// Where the value starts.
    pub start: usize,
    /// For scalars: byte offset in the file of each byte of the decoded
    /// value, plus one past the end.
    pub offsets: Option<Vec<usize>>,
    pub block_scalar: bool,
    /// A scalar written in quotes (`'Law'`, `"Law"`).
    pub quoted: bool,
}

impl NodePos {
    /// The span of the value: a scalar's text, or the first byte of a block.
    pub fn span(&self, file: FileId) -> Span {
        match &self.offsets {
            Some(map) => Span::new(file, self.start, map.last().copied().unwrap_or(self.start)),
            None => Span::new(file, self.start, self.start + 1),
        }
    }

    /// Where the node begins: its key if it has one.
    pub fn head(&self, file: FileId) -> Span {
        self.key.unwrap_or_else(|| self.span(file))
    }

    /// Maps an offset inside the decoded scalar to the file.
    pub fn map(&self, offset: usize) -> usize {
        match &self.offsets {
            Some(map) => map
                .get(offset)
                .or(map.last())
                .copied()
                .unwrap_or(self.start),
            None => self.start,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct YamlPositions {
    nodes: HashMap<String, NodePos>,
    block_lines: HashSet<usize>,
    used_comment_lines: std::cell::RefCell<HashSet<usize>>,
}

enum Frame {
    Map {
        path: String,
        key: Option<(String, Span)>,
    },
    Seq {
        path: String,
        index: usize,
    },
}

struct Collector<'a> {
    src: &'a str,
    /// Byte offset of each character (the parser counts characters).
    char_bytes: Vec<usize>,
    events: Vec<(Event, usize)>,
}

impl MarkedEventReceiver for Collector<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let byte = self
            .char_bytes
            .get(mark.index())
            .copied()
            .unwrap_or(self.src.len());
        self.events.push((ev, byte));
    }
}

fn join(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_string()
    } else {
        format!("{path}/{seg}")
    }
}

impl YamlPositions {
    /// Reads the positions of every node; `None` if the event parser rejects
    /// the file (serde_yaml has then already reported the syntax error).
    pub fn read(file: FileId, source: &SourceFile) -> Option<YamlPositions> {
        let src = source.text.as_str();
        let mut char_bytes: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
        char_bytes.push(src.len());
        let mut c = Collector {
            src,
            char_bytes,
            events: Vec::new(),
        };
        Parser::new_from_str(src).load(&mut c, false).ok()?;
        let mut pos = YamlPositions::default();
        let mut stack: Vec<Frame> = Vec::new();
        for i in 0..c.events.len() {
            let (ev, start) = &c.events[i];
            let start = *start;
            let region_end = c.events.get(i + 1).map_or(src.len(), |e| e.1).max(start);
            match ev {
                Event::Scalar(value, style, ..) => {
                    let offsets = align(src, start, region_end, value, *style);
                    let end = offsets.last().copied().unwrap_or(start);
                    match stack.last_mut() {
                        Some(Frame::Map {
                            key: key @ None, ..
                        }) => {
                            *key = Some((value.clone(), Span::new(file, start, end)));
                        }
                        _ => {
                            let block =
                                matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                            if block {
                                let first = source.line_col(start).0;
                                let last = source.line_col(region_end).0;
                                pos.block_lines.extend(first..last);
                            }
                            let quoted = matches!(
                                style,
                                TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                            );
                            pos.add_value(&mut stack, start, Some(offsets), block, quoted);
                        }
                    }
                }
                Event::MappingStart(..) => {
                    let path = pos.add_value(&mut stack, start, None, false, false);
                    stack.push(Frame::Map { path, key: None });
                }
                Event::SequenceStart(..) => {
                    let path = pos.add_value(&mut stack, start, None, false, false);
                    stack.push(Frame::Seq { path, index: 0 });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::Alias(_) => {
                    pos.add_value(&mut stack, start, None, false, false);
                }
                _ => {}
            }
        }
        Some(pos)
    }

    /// Files a value under the path given by the enclosing frame; returns it.
    fn add_value(
        &mut self,
        stack: &mut [Frame],
        start: usize,
        offsets: Option<Vec<usize>>,
        block_scalar: bool,
        quoted: bool,
    ) -> String {
        let (path, key) = match stack.last_mut() {
            None => (String::new(), None),
            Some(Frame::Map { path, key }) => match key.take() {
                Some((k, span)) => (join(path, &k), Some(span)),
                None => (join(path, "?"), None),
            },
            Some(Frame::Seq { path, index }) => {
                *index += 1;
                (join(path, &(*index - 1).to_string()), None)
            }
        };
        self.nodes.insert(
            path.clone(),
            NodePos {
                key,
                start,
                offsets,
                block_scalar,
                quoted,
            },
        );
        path
    }

    pub fn get(&self, path: &str) -> Option<&NodePos> {
        self.nodes.get(path)
    }

    /// Whole-line `#` comments just above 1-based `line`, and whether a blank
    /// line stood among or before them. Each comment line is handed out once.
    pub fn leading(&self, source: &SourceFile, file: FileId, line: usize) -> (Vec<Comment>, bool) {
        let mut comments = Vec::new();
        let mut blank = false;
        let mut used = self.used_comment_lines.borrow_mut();
        let mut l = line;
        while l > 1 {
            l -= 1;
            if self.block_lines.contains(&l) || used.contains(&l) {
                break;
            }
            let text = source.line_text(l);
            let trimmed = text.trim_start();
            if trimmed.is_empty() {
                blank = true;
                continue;
            }
            let Some(body) = trimmed.strip_prefix('#') else {
                break;
            };
            if trimmed.starts_with("#!") || l == 1 && trimmed.starts_with("---") {
                break;
            }
            used.insert(l);
            let start = source.line_start(l).unwrap_or(0) + (text.len() - trimmed.len());
            comments.push(Comment {
                text: body.trim_end().to_string(),
                block: false,
                span: Span::new(file, start, start + trimmed.len()),
            });
        }
        comments.reverse();
        (merge_blocks(comments), blank)
    }

    /// A `# comment` at the end of the line, after byte `end` (a scalar's end).
    pub fn trailing(&self, source: &SourceFile, file: FileId, end: usize) -> Option<Comment> {
        let (line, _) = source.line_col(end);
        let line_end = source.line_start(line + 1).unwrap_or(source.text.len());
        let rest = source.text.get(end..line_end)?;
        // After the scalar: its closing quote, a key's `:`, then at least
        // one blank (YAML needs it before `#`), then the comment.
        let after_quote = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
        let after_colon = after_quote.strip_prefix(':').unwrap_or(after_quote);
        let skipped = after_colon.trim_start_matches([' ', '\t']);
        if skipped.len() == after_colon.len() {
            return None;
        }
        let body = skipped.strip_prefix('#')?;
        let start = end + (rest.len() - skipped.len());
        self.used_comment_lines.borrow_mut().insert(line);
        Some(Comment {
            text: body.trim_end().to_string(),
            block: false,
            span: Span::new(file, start, line_end),
        })
    }

    /// Whole-line comments not handed out (after the last entry, say).
    pub fn leftover(&self, source: &SourceFile, file: FileId) -> Vec<Comment> {
        let used = self.used_comment_lines.borrow();
        let comments = (1..=source.line_count())
            .filter(|l| !used.contains(l) && !self.block_lines.contains(l))
            .filter_map(|l| {
                let text = source.line_text(l);
                let trimmed = text.trim_start();
                let body = trimmed.strip_prefix('#')?;
                let start = source.line_start(l)? + (text.len() - trimmed.len());
                Some(Comment {
                    text: body.trim_end().to_string(),
                    block: false,
                    span: Span::new(file, start, start + trimmed.len()),
                })
            })
            .collect();
        merge_blocks(comments)
    }
}

/// `#/* ...` up to a line ending in `*/` is a block comment written as YAML
/// comment lines (how the YAML printer keeps .kpi block comments).
fn merge_blocks(comments: Vec<Comment>) -> Vec<Comment> {
    let mut out: Vec<Comment> = Vec::new();
    let mut open: Option<Comment> = None;
    for c in comments {
        match open.as_mut() {
            Some(block) => {
                block.text.push('\n');
                block.span.end = c.span.end;
                match c.text.strip_suffix("*/") {
                    Some(last) => {
                        block.text.push_str(last);
                        out.extend(open.take());
                    }
                    None => block.text.push_str(&c.text),
                }
            }
            None => match c.text.strip_prefix("/*") {
                Some(body) => match body.strip_suffix("*/") {
                    Some(whole) => out.push(Comment {
                        text: whole.to_string(),
                        block: true,
                        ..c
                    }),
                    None => {
                        open = Some(Comment {
                            text: body.to_string(),
                            block: true,
                            ..c
                        })
                    }
                },
                None => out.push(c),
            },
        }
    }
    // An unterminated `#/*` run stays as the line comments it was.
    if let Some(block) = open {
        out.extend(block.text.split('\n').enumerate().map(|(i, l)| Comment {
            text: if i == 0 {
                format!("/*{l}")
            } else {
                l.to_string()
            },
            block: false,
            span: block.span,
        }));
    }
    out
}

/// yaml-rust2 marks a block scalar at its first content character and a
/// quoted one at its opening quote.
///
/// Aligns the decoded `value` with the raw text from `start` to `end`:
/// each character of the value is matched with its next occurrence in the
/// raw text (which skips quotes, escape backslashes and indentation). A
/// character that does not occur (an escape such as `\u00e9`) keeps the
/// previous position.
fn align(src: &str, start: usize, end: usize, value: &str, style: TScalarStyle) -> Vec<usize> {
    let raw = src.get(start..end).unwrap_or("");
    let mut cursor = match style {
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => 1,
        _ => 0,
    }
    .min(raw.len());
    let mut offsets = Vec::with_capacity(value.len() + 1);
    for c in value.chars() {
        let found = raw
            .get(cursor..)
            .and_then(|r| r.find(c))
            .map(|n| cursor + n);
        let at = found.unwrap_or(cursor);
        for _ in 0..c.len_utf8() {
            offsets.push(start + at);
        }
        if let Some(f) = found {
            cursor = f + c.len_utf8();
        }
    }
    offsets.push(start + cursor);
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(text: &str) -> (SourceFile, YamlPositions) {
        let f = SourceFile::new("t.yaml", "t.yaml", text.to_string());
        let p = YamlPositions::read(FileId(0), &f).expect("valid yaml");
        (f, p)
    }

    #[test]
    fn offsets_inside_quoted_and_plain_strings_hit_the_file() {
        let text = "é: 1\nlets:\n  a: \"x + \\\"y\\\" + zz\"\n  b: count(t where k)  # note\n";
        let (f, p) = positions(text);
        let a = p.get("lets/a").expect("lets/a");
        // `zz` starts at offset 10 of the decoded `x + "y" + zz`
        let at = a.map(10);
        assert_eq!(&f.text[at..at + 2], "zz");
        let b = p.get("lets/b").expect("lets/b");
        assert_eq!(&f.text[b.map(6)..b.map(7)], "t");
        let c = p
            .trailing(&f, FileId(0), b.map(16))
            .expect("trailing comment");
        assert_eq!(c.text, " note");
    }

    #[test]
    fn a_hash_inside_a_quoted_value_is_not_a_comment() {
        let text = "lets:\n  x:\n    - '\"#\"'\n  y: \"a # b\"  # real\n";
        let (f, p) = positions(text);
        let item = p.get("lets/x/0").expect("lets/x/0");
        assert!(
            p.trailing(&f, FileId(0), item.span(FileId(0)).end)
                .is_none()
        );
        let list = p.get("lets/x").expect("lets/x");
        assert!(
            p.trailing(&f, FileId(0), list.span(FileId(0)).end)
                .is_none()
        );
        let y = p.get("lets/y").expect("lets/y");
        let c = p
            .trailing(&f, FileId(0), y.span(FileId(0)).end)
            .expect("a comment");
        assert_eq!(c.text, " real");
    }

    #[test]
    fn block_scalars_map_past_their_indentation() {
        let text = "lets:\n  a: |\n    1 +\n    bad\n";
        let (f, p) = positions(text);
        let a = p.get("lets/a").expect("lets/a");
        let at = a.map("1 +\n".len());
        assert_eq!(&f.text[at..at + 3], "bad");
    }
}
