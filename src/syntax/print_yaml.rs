//! The tree as a YAML rule file (`kpi convert --to yaml`, `kpi fmt` on .yaml).
//!
//! Sections come in the order their first item stands in the tree; within a
//! section, items keep their order. Expression fields are expression strings
//! (numbers and booleans stay YAML numbers and booleans); text fields are
//! plain strings. Comments are kept as `#` lines before an entry and `#`
//! after a value on its line.

use super::ast::*;
use super::fields::{Block, FieldKind};
use super::print_expr::{expr_to_string, number};
use crate::yaml_io::scalar;

pub fn print_yaml(file: &RuleFile) -> String {
    let mut p = Printer::default();
    let mut sections: Vec<&'static str> = Vec::new();
    for item in &file.items {
        let s = section(&item.kind);
        if !sections.contains(&s) {
            sections.push(s);
        }
    }
    for (n, s) in sections.iter().enumerate() {
        if n > 0 {
            p.out.push('\n');
        }
        let items: Vec<&Item> = file
            .items
            .iter()
            .filter(|i| section(&i.kind) == *s)
            .collect();
        p.section(s, &items);
    }
    if !file.trailing_comments.is_empty() {
        if !file.items.is_empty() {
            p.out.push('\n');
        }
        p.comments(&file.trailing_comments, 0);
    }
    p.out
}

fn section(kind: &ItemKind) -> &'static str {
    match kind {
        ItemKind::Scorecard(_) => "scorecard",
        ItemKind::Param(_) => "params",
        ItemKind::Use(_) => "uses",
        ItemKind::Profile(_) => "profiles",
        ItemKind::Let(_) => "lets",
        ItemKind::Objective(_) => "objectives",
    }
}

#[derive(Default)]
struct Printer {
    out: String,
}

impl Printer {
    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.out.push_str("  ");
        }
    }

    fn comments(&mut self, comments: &[Comment], level: usize) {
        for c in comments {
            // A block comment is kept as `#/*` .. `*/` lines.
            let text = if c.block {
                format!("/*{}*/", c.text)
            } else {
                c.text.clone()
            };
            for line in text.split('\n') {
                self.indent(level);
                self.out.push('#');
                self.out.push_str(line.trim_end());
                self.out.push('\n');
            }
        }
    }

    fn end_line(&mut self, trailing: &Option<Comment>) {
        if let Some(c) = trailing {
            self.out.push_str("  #");
            self.out.push_str(&c.text.replace('\n', " "));
        }
        self.out.push('\n');
    }

    fn section(&mut self, name: &str, items: &[&Item]) {
        if name == "scorecard" {
            // A rules directory has one scorecard; the checker reports a
            // second, which YAML cannot hold under one key.
            if let Some(item) = items.first() {
                self.scorecard(item);
            }
            return;
        }
        // Comments that stood above the section's key go back there.
        let above = items
            .first()
            .map_or(0, |i| i.trivia.above_section.min(i.trivia.leading.len()));
        if let Some(first) = items.first() {
            self.comments(&first.trivia.leading[..above], 0);
        }
        self.out.push_str(name);
        self.out.push_str(":\n");
        for (i, item) in items.iter().enumerate() {
            if i > 0 && (item.trivia.blank_before || name == "objectives" || name == "profiles") {
                self.out.push('\n');
            }
            let own = if i == 0 { above } else { 0 };
            self.comments(&item.trivia.leading[own..], 1);
            match &item.kind {
                ItemKind::Param(b) | ItemKind::Let(b) => {
                    let kind = if matches!(item.kind, ItemKind::Param(_)) {
                        FieldKind::Param
                    } else {
                        FieldKind::Expr
                    };
                    self.entry(1, &b.name.name, &b.value, kind, &item.trivia.trailing);
                }
                ItemKind::Use(path) => {
                    self.indent(1);
                    self.out.push_str("- ");
                    self.out.push_str(&scalar(&path.value));
                    self.end_line(&item.trivia.trailing);
                }
                ItemKind::Profile(pr) => {
                    self.indent(1);
                    self.out.push_str(&pr.table.name);
                    self.out.push(':');
                    self.end_line(&item.trivia.trailing);
                    for f in &pr.columns {
                        self.comments(&f.trivia.leading, 2);
                        self.entry(
                            2,
                            &f.name.name,
                            &f.value,
                            FieldKind::Expr,
                            &f.trivia.trailing,
                        );
                    }
                    self.comments(&item.trivia.dangling, 2);
                }
                ItemKind::Objective(o) => self.objective(o, &item.trivia),
                ItemKind::Scorecard(_) => {}
            }
        }
    }

    fn scorecard(&mut self, item: &Item) {
        let ItemKind::Scorecard(s) = &item.kind else {
            return;
        };
        self.comments(&item.trivia.leading, 0);
        self.out.push_str("scorecard:");
        self.end_line(&item.trivia.trailing);
        if let Some(t) = &s.title {
            self.text_entry(1, "title", &t.value);
        }
        self.fields(Block::Scorecard, &s.fields, 1);
        self.comments(&item.trivia.dangling, 1);
    }

    fn objective(&mut self, o: &Objective, trivia: &Trivia) {
        self.indent(1);
        self.out.push_str("- id: ");
        self.out.push_str(&scalar(&o.id.name));
        self.end_line(&trivia.trailing);
        if let Some(t) = &o.title {
            self.text_entry(2, "title", &t.value);
        }
        let mut in_indicators = false;
        for m in &o.members {
            match m {
                Member::Field(f) => {
                    in_indicators = false;
                    self.fields(Block::Objective, std::slice::from_ref(f), 2);
                }
                Member::Indicator(ind) => {
                    if !in_indicators {
                        self.indent(2);
                        self.out.push_str("indicators:\n");
                        in_indicators = true;
                    }
                    self.comments(&ind.trivia.leading, 3);
                    self.indent(3);
                    self.out.push_str("- id: ");
                    self.out.push_str(&scalar(&ind.id.name));
                    self.end_line(&ind.trivia.trailing);
                    if let Some(t) = &ind.title {
                        self.text_entry(4, "title", &t.value);
                    }
                    self.fields(Block::Indicator, &ind.fields, 4);
                    self.comments(&ind.trivia.dangling, 4);
                }
            }
        }
        self.comments(&trivia.dangling, 2);
    }

    fn fields(&mut self, block: Block, fields: &[Field], level: usize) {
        for f in fields {
            self.comments(&f.trivia.leading, level);
            let kind = block.kind_of(&f.name.name).unwrap_or(FieldKind::Expr);
            self.entry(level, &f.name.name, &f.value, kind, &f.trivia.trailing);
        }
    }

    fn text_entry(&mut self, level: usize, key: &str, text: &str) {
        self.indent(level);
        self.out.push_str(key);
        self.out.push_str(": ");
        self.out.push_str(&scalar(text));
        self.out.push('\n');
    }

    /// `key: value` for a field of the given kind.
    fn entry(
        &mut self,
        level: usize,
        key: &str,
        value: &Expr,
        kind: FieldKind,
        trailing: &Option<Comment>,
    ) {
        self.indent(level);
        self.out.push_str(key);
        self.out.push(':');
        let text_like = matches!(kind, FieldKind::Text | FieldKind::TextList);
        match &value.kind {
            ExprKind::List(items) if !items.is_empty() => {
                self.end_line(trailing);
                for item in items {
                    self.indent(level + 1);
                    self.out.push_str("- ");
                    let text = if kind == FieldKind::Param {
                        self.param_scalar(item)
                    } else {
                        self.scalar_of(item, text_like)
                    };
                    self.out.push_str(&text);
                    self.out.push('\n');
                }
            }
            _ => {
                let text = if kind == FieldKind::Param {
                    self.param_scalar(value)
                } else {
                    self.scalar_of(value, text_like)
                };
                if text.contains('\n') {
                    // A multi-line expression (a rhai block): a literal block.
                    self.out.push_str(" |-");
                    self.end_line(trailing);
                    for line in expr_to_string(value).split('\n') {
                        if !line.is_empty() {
                            self.indent(level + 1);
                            self.out.push_str(line);
                        }
                        self.out.push('\n');
                    }
                } else {
                    self.out.push(' ');
                    self.out.push_str(&text);
                    self.end_line(trailing);
                }
            }
        }
    }

    /// One value as a YAML scalar.
    /// A param's value: text as plain or quoted YAML, as the reader reads
    /// it back; anything else as an expression.
    fn param_scalar(&self, value: &Expr) -> String {
        match &value.kind {
            ExprKind::String(s) if super::yaml::is_word(s) => s.clone(),
            ExprKind::String(s) => format!("'{}'", s.replace('\'', "''")),
            _ => self.scalar_of(value, false),
        }
    }

    fn scalar_of(&self, value: &Expr, text_like: bool) -> String {
        match &value.kind {
            ExprKind::String(s) if text_like => scalar(s),
            ExprKind::Number(n) => number(*n),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Null => "null".to_string(),
            ExprKind::List(items) if items.is_empty() => "[]".to_string(),
            _ => {
                let text = expr_to_string(value);
                if text.contains('\n') {
                    text
                } else {
                    scalar(&text)
                }
            }
        }
    }
}
