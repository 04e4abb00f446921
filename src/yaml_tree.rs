//! A YAML document as a tree of nodes that know their line and column,
//! for files whose every mistake must be reported where it is (the
//! dataset manifest): duplicate keys are kept (serde would keep the last
//! one silently), scalars keep their style (quoted or plain).

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar's text; `quoted` when written in quotes (then never null).
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Entries in written order, duplicates included.
    Map(Vec<(Node, Node)>),
    /// An alias (`*name`): not supported by the files read this way.
    Alias,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub pos: Pos,
}

impl Node {
    /// The text of a scalar (plain or quoted).
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, quoted: false }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// What the node is, for messages (`a list`, `a mapping`, `text`).
    pub fn what(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => "nothing",
            NodeKind::Scalar { .. } => "a single value",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
            NodeKind::Alias => "an alias",
        }
    }
}

/// A syntax error: the parser's words and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
}

struct Builder {
    /// Open collections: the node being built and, for maps, a pending key.
    stack: Vec<(Node, Option<Node>)>,
    root: Option<Node>,
    documents: usize,
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some((parent, pending)) => match &mut parent.kind {
                NodeKind::Seq(items) => items.push(node),
                NodeKind::Map(entries) => match pending.take() {
                    None => *pending = Some(node),
                    Some(key) => entries.push((key, node)),
                },
                _ => {}
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        // yaml-rust2 counts lines from 1 and columns from 0.
        let pos = Pos {
            line: mark.line(),
            column: mark.col() + 1,
        };
        match ev {
            Event::DocumentStart => self.documents += 1,
            Event::Scalar(text, style, ..) => self.push_value(Node {
                kind: NodeKind::Scalar {
                    text,
                    quoted: !matches!(style, TScalarStyle::Plain),
                },
                pos,
            }),
            Event::Alias(_) => self.push_value(Node {
                kind: NodeKind::Alias,
                pos,
            }),
            Event::SequenceStart(..) => self.stack.push((
                Node {
                    kind: NodeKind::Seq(Vec::new()),
                    pos,
                },
                None,
            )),
            Event::MappingStart(..) => self.stack.push((
                Node {
                    kind: NodeKind::Map(Vec::new()),
                    pos,
                },
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, _)) = self.stack.pop() {
                    self.push_value(node);
                }
            }
            _ => {}
        }
    }
}

/// Parses one YAML document (an empty file is `None`).
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    if let Some(at) = crate::yaml_io::too_deep(text) {
        let line = text[..at].matches('\n').count() + 1;
        let column = text[..at]
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count())
            + 1;
        return Err(SyntaxError {
            message: format!(
                "the file nests lists and mappings more than {} levels deep",
                crate::yaml_io::MAX_NESTING
            ),
            pos: Pos { line, column },
        });
    }
    let mut builder = Builder {
        stack: Vec::new(),
        root: None,
        documents: 0,
    };
    Parser::new_from_str(text)
        .load(&mut builder, true)
        .map_err(|e| SyntaxError {
            message: e.info().to_string(),
            pos: Pos {
                line: e.marker().line(),
                column: e.marker().col() + 1,
            },
        })?;
    if builder.documents > 1 {
        return Err(SyntaxError {
            message: "the file holds more than one YAML document (a line `---`)".into(),
            pos: Pos { line: 1, column: 1 },
        });
    }
    Ok(builder.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_duplicate_keys_are_kept() {
        let root = parse("tables:\n  a: {key: id}\n  a:\n    date: \"d\"\n")
            .expect("parses")
            .expect("a document");
        let NodeKind::Map(top) = &root.kind else {
            panic!("a mapping")
        };
        let NodeKind::Map(tables) = &top[0].1.kind else {
            panic!("tables")
        };
        assert_eq!(tables.len(), 2, "both `a` entries");
        assert_eq!(tables[1].0.pos, Pos { line: 3, column: 3 });
        let NodeKind::Map(second) = &tables[1].1.kind else {
            panic!("a mapping")
        };
        assert_eq!(second[0].1.text(), Some("d"));
        assert_eq!(
            second[0].1.pos,
            Pos {
                line: 4,
                column: 11
            }
        );
        assert!(!second[0].1.is_null(), "quoted");
    }

    #[test]
    fn syntax_errors_and_empty_files() {
        assert_eq!(parse("").expect("empty is fine"), None);
        assert_eq!(parse("# only a comment\n").expect("fine"), None);
        let err = parse("a: [1, 2\n").expect_err("unclosed");
        assert!(err.pos.line >= 1);
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }
}
