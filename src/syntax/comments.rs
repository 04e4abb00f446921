//! Comments of .kpi files, found by a small scan and attached to nodes.
//!
//! The grammar skips comments; this module finds them (outside strings and
//! rhai blocks) and hands them to the tree builder in source order:
//! comments before a node lead it, a comment on the same line after a node
//! trails it, comments before a `}` dangle in that block.

use super::ast::{Comment, Trivia};
use crate::source::{FileId, Span};

pub(crate) struct CommentCursor<'s> {
    src: &'s str,
    comments: Vec<Comment>,
    next: usize,
    /// End of the last thing placed (a node, a trailing comment, a `{`).
    last_end: usize,
}

impl<'s> CommentCursor<'s> {
    /// Scans `src` for comments, skipping strings and the `skip` ranges.
    pub fn new(file: FileId, src: &'s str, skip: &[(usize, usize)]) -> Self {
        CommentCursor {
            src,
            comments: scan(file, src, skip),
            next: 0,
            last_end: 0,
        }
    }

    fn take_before(&mut self, pos: usize) -> Vec<Comment> {
        let mut out = Vec::new();
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= pos {
                break;
            }
            out.push(c.clone());
            self.next += 1;
        }
        out
    }

    fn blank_between(&self, from: usize, to: usize) -> bool {
        self.src
            .get(from..to)
            .is_some_and(|gap| gap.matches('\n').count() >= 2)
    }

    /// Trivia of a block node that starts at `start`.
    pub fn before(&mut self, start: usize) -> Trivia {
        let first = self
            .comments
            .get(self.next)
            .map_or(start, |c| c.span.start.min(start));
        let blank_before = self.blank_between(self.last_end, first);
        let leading = self.take_before(start);
        Trivia {
            blank_before,
            leading,
            ..Trivia::default()
        }
    }

    /// Trivia of a one-piece node: comments inside it are hoisted before it.
    pub fn leaf(&mut self, span: Span) -> Trivia {
        let mut trivia = self.before(span.start);
        trivia.leading.extend(self.take_before(span.end));
        self.last_end = span.end;
        trivia.trailing = self.same_line_after(span.end);
        trivia
    }

    /// A comment right after `{` on its line.
    pub fn open_block(&mut self, lbrace: Span) -> Option<Comment> {
        // Comments between the header and `{` lead the first member.
        self.last_end = lbrace.end;
        self.same_line_after(lbrace.end)
    }

    /// Comments left before `}`.
    pub fn close_block(&mut self, rbrace: Span) -> Vec<Comment> {
        let dangling = self.take_before(rbrace.start);
        self.last_end = rbrace.end;
        dangling
    }

    /// Comments after the last item.
    pub fn rest(&mut self) -> Vec<Comment> {
        let rest = self.comments[self.next..].to_vec();
        self.next = self.comments.len();
        rest
    }

    fn same_line_after(&mut self, pos: usize) -> Option<Comment> {
        let c = self.comments.get(self.next)?;
        let gap = self.src.get(pos..c.span.start)?;
        if gap.contains('\n') || !gap.trim().is_empty() {
            return None;
        }
        self.next += 1;
        self.last_end = c.span.end;
        Some(c.clone())
    }
}

fn scan(file: FileId, src: &str, skip: &[(usize, usize)]) -> Vec<Comment> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut skip = skip.iter().peekable();
    while i < bytes.len() {
        if let Some(&&(s, e)) = skip.peek()
            && i >= s
        {
            i = i.max(e);
            skip.next();
            continue;
        }
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                let text = src[i + 2..end].trim_end().to_string();
                out.push(Comment {
                    text,
                    block: false,
                    span: Span::new(file, i, end),
                });
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").map_or(src.len(), |n| i + 2 + n + 2);
                // Trailing spaces inside a block comment are not kept.
                let raw = &src[i + 2..end.saturating_sub(2).max(i + 2)];
                let lines: Vec<&str> = raw.split('\n').collect();
                let last = lines.len() - 1;
                let text = lines
                    .iter()
                    .enumerate()
                    .map(|(n, l)| if n == last { *l } else { l.trim_end() })
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push(Comment {
                    text,
                    block: true,
                    span: Span::new(file, i, end),
                });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_in_strings_and_rhai_are_not_comments() {
        let src = "let a = \"// no\" // yes\nlet b = rhai { // no }\n/* block */";
        let rhai_start = src.find("rhai").unwrap_or(0);
        let rhai_end = src.find('}').map_or(0, |i| i + 1);
        let found = scan(FileId(0), src, &[(rhai_start, rhai_end)]);
        let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, [" yes", " block "]);
    }
}
