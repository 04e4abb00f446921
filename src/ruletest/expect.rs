//! Reading a test's `expect`: indicators' value, target, score and
//! status, objectives' and the overall score, and profile columns of rows,
//! each located where it is written.

use super::spec::{Expect, Figure, Part, Reader, Want};
use crate::check::suggest::{backticked, did_you_mean};
use crate::report::Status;
use crate::yaml_tree::{Node, NodeKind};

impl Reader<'_> {
    pub(super) fn expect(&mut self, node: &Node) -> Vec<Expect> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error(
                node,
                format!("`expect` maps figures to values, not {}", node.what()),
                "expected a mapping",
                "write `expect: {response_rate: {value: 50%}, score: 62.5}`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let Some(name) = key.text() else {
                self.error(
                    key,
                    "a figure's name is a word".into(),
                    "not a name",
                    "write an indicator's or objective's id",
                );
                continue;
            };
            match name {
                "score" => {
                    if let Some(want) = self.number(value) {
                        out.push(Expect {
                            figure: Figure::Overall,
                            want,
                            at: self.span(value),
                            named_at: self.span(value),
                        });
                    }
                }
                "profiles" => self.profiles(value, &mut out),
                id => {
                    // An indicator or objective: which one is known once
                    // the rules are read ([`resolve`]).
                    let NodeKind::Map(parts) = &value.kind else {
                        let help = if ["score", "profiles"]
                            .iter()
                            .any(|k| id.eq_ignore_ascii_case(k))
                        {
                            format!("did you mean `{}`?", id.to_lowercase())
                        } else {
                            "write `{value: 0.5, target: 0.6, score: 75, status: ok}` (an objective: `{score: ..}`)".to_string()
                        };
                        self.error(
                            value,
                            format!(
                                "the figures of `{id}` are written as a mapping, not as {}",
                                value.what()
                            ),
                            "expected `{value: .., score: ..}`",
                            help,
                        );
                        continue;
                    };
                    // `{}` asserts nothing: a test that cannot fail.
                    if parts.is_empty() {
                        self.error(
                            value,
                            format!("`{id}: {{}}` expects nothing of `{id}`"),
                            "no figure",
                            "write the figures it must give: `{value: 0.5, score: 75}`",
                        );
                        continue;
                    }
                    for (part, want) in parts {
                        let Some(word) = part.text() else { continue };
                        let Some(&(_, p)) = Part::ALL.iter().find(|(w, _)| *w == word) else {
                            let words = Part::ALL.map(|(w, _)| w);
                            let help = if word.chars().all(|c| c.is_ascii_digit()) {
                                "a decimal comma? Inside `{ }` a comma separates the figures: write `0.5`".to_string()
                            } else {
                                did_you_mean(word, words).unwrap_or_else(|| {
                                    format!("a figure is one of {}", backticked(&words))
                                })
                            };
                            self.error(
                                part,
                                format!("`{word}` is not a figure of `{id}`"),
                                "unknown figure",
                                help,
                            );
                            continue;
                        };
                        let want = if p == Part::Status {
                            self.status(want)
                        } else {
                            self.number(want)
                        };
                        if let Some(want) = want {
                            out.push(Expect {
                                figure: Figure::Indicator(id.to_string(), p),
                                want,
                                at: self.span(part),
                                named_at: self.span(key),
                            });
                        }
                    }
                }
            }
        }
        out
    }

    fn profiles(&mut self, node: &Node, out: &mut Vec<Expect>) {
        let help = "write `profiles: {alumni: {1: {tier: leader}}}`: table, row key, column";
        let NodeKind::Map(tables) = &node.kind else {
            self.error(
                node,
                format!("`profiles` is written as a mapping, not as {}", node.what()),
                "expected a mapping",
                help,
            );
            return;
        };
        for (table, rows) in tables {
            let (Some(t), NodeKind::Map(rows)) = (table.text(), &rows.kind) else {
                self.error(
                    table,
                    "`profiles` maps a table to its rows by key".into(),
                    "expected `TABLE: {KEY: {..}}`",
                    help,
                );
                continue;
            };
            for (key, columns) in rows {
                let (Some(k), NodeKind::Map(columns)) = (key.text(), &columns.kind) else {
                    self.error(
                        key,
                        "a row maps profile columns to values".into(),
                        "expected `KEY: {COLUMN: VALUE}`",
                        help,
                    );
                    continue;
                };
                for (column, value) in columns {
                    let Some(c) = column.text() else { continue };
                    let want = match &value.kind {
                        _ if value.is_null() => Some(Want::Null),
                        NodeKind::Scalar { text, quoted: true } => Some(Want::Text(text.clone())),
                        NodeKind::Scalar {
                            text,
                            quoted: false,
                        } => Some(plain(text)),
                        NodeKind::Seq(items) => {
                            // A list cell is its items joined by `;`: an
                            // item that is no word, or holds a `;`, could
                            // not be told apart.
                            let words: Vec<Option<&str>> = items
                                .iter()
                                .map(|i| i.text().filter(|t| !t.contains(';')))
                                .collect();
                            match words.iter().position(Option::is_none) {
                                Some(bad) => {
                                    self.error(
                                        &items[bad],
                                        "an item of a list is a word without `;`".into(),
                                        "not an item",
                                        "write `interests: [sport, music]`",
                                    );
                                    None
                                }
                                None => Some(Want::List(
                                    words.into_iter().flatten().map(str::to_string).collect(),
                                )),
                            }
                        }
                        _ => {
                            self.error(
                                value,
                                format!("a cell's value, not {}", value.what()),
                                "not a value",
                                help,
                            );
                            None
                        }
                    };
                    if let Some(want) = want {
                        out.push(Expect {
                            figure: Figure::Profile {
                                table: t.to_string(),
                                key: k.to_string(),
                                column: c.to_string(),
                            },
                            want,
                            at: self.span(column),
                            named_at: self.span(column),
                        });
                    }
                }
            }
        }
    }

    /// A number, a percentage or `null`.
    fn number(&mut self, node: &Node) -> Option<Want> {
        if node.is_null() {
            return Some(Want::Null);
        }
        match node.text().and_then(number) {
            Some(x) => Some(Want::Number(x)),
            None => {
                self.error(
                    node,
                    format!(
                        "expected a number, `null` or a percentage, not {}",
                        shown(node)
                    ),
                    "not a number",
                    if node.text().is_some_and(|t| t.contains(',')) {
                        "decimals take a point: write `0.5`, `50%` or `null` (no data)"
                    } else {
                        "write `0.5`, `50%` or `null` (no data)"
                    },
                );
                None
            }
        }
    }

    fn status(&mut self, node: &Node) -> Option<Want> {
        const ALL: [Status; 5] = [
            Status::Ok,
            Status::NoData,
            Status::NoBaseline,
            Status::NoPeers,
            Status::Failed,
        ];
        let text = node.text().unwrap_or("");
        match ALL.iter().find(|s| s.code() == text) {
            Some(s) => Some(Want::Status(*s)),
            None => {
                let codes = ALL.map(Status::code);
                let help = did_you_mean(text, codes)
                    .unwrap_or_else(|| format!("a status is one of {}", backticked(&codes)));
                self.error(
                    node,
                    format!("`{text}` is not a status"),
                    "unknown status",
                    help,
                );
                None
            }
        }
    }
}

/// A node as a message shows it.
fn shown(node: &Node) -> String {
    match node.text() {
        Some(t) => format!("`{t}`"),
        None => node.what().to_string(),
    }
}

/// `0.5`, `-3`, `1e-9` or `50%`.
fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let x = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => t.parse::<f64>().ok()?,
    };
    x.is_finite().then_some(x)
}

/// A plain scalar of a profile expectation: a number, yes/no, or text.
fn plain(text: &str) -> Want {
    match text {
        "true" => Want::Bool(true),
        "false" => Want::Bool(false),
        t => number(t).map_or_else(|| Want::Text(t.to_string()), Want::Number),
    }
}
