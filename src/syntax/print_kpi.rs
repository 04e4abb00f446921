//! The canonical .kpi layout (`kpi fmt`, `kpi convert --to kpi`).
//!
//! Two-space indentation, `name = value`, one blank line around blocks,
//! the author's blank lines kept (collapsed to one) elsewhere, comments
//! kept. A field longer than [`WIDTH`] breaks before its top-level `+ -` or
//! `and or` operators, or before each `else` of an `if` chain.

use super::ast::*;
use super::print_expr::{expr_to_string, quote, write_expr};

/// Lines longer than this are broken where the expression allows it.
pub const WIDTH: usize = 100;

pub fn print_kpi(file: &RuleFile) -> String {
    let mut p = Printer::default();
    for (i, item) in file.items.iter().enumerate() {
        if i > 0 {
            let prev_block = is_block(&file.items[i - 1].kind);
            if prev_block || is_block(&item.kind) || item.trivia.blank_before {
                p.out.push('\n');
            }
        }
        p.item(item);
    }
    if !file.trailing_comments.is_empty() {
        if !file.items.is_empty() {
            p.out.push('\n');
        }
        p.comments(&file.trailing_comments, 0);
    }
    p.out
}

fn is_block(kind: &ItemKind) -> bool {
    matches!(
        kind,
        ItemKind::Scorecard(_) | ItemKind::Profile(_) | ItemKind::Objective(_)
    )
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

    fn comment(&mut self, c: &Comment) {
        if c.block {
            self.out.push_str("/*");
            self.out.push_str(&c.text);
            self.out.push_str("*/");
        } else {
            self.out.push_str("//");
            self.out.push_str(&c.text);
        }
    }

    fn comments(&mut self, comments: &[Comment], level: usize) {
        for c in comments {
            self.indent(level);
            self.comment(c);
            self.out.push('\n');
        }
    }

    fn end_line(&mut self, trailing: &Option<Comment>) {
        if let Some(c) = trailing {
            self.out.push_str("  ");
            self.comment(c);
        }
        self.out.push('\n');
    }

    fn item(&mut self, item: &Item) {
        self.comments(&item.trivia.leading, 0);
        match &item.kind {
            ItemKind::Param(b) => self.binding("param", b, &item.trivia),
            ItemKind::Let(b) => self.binding("let", b, &item.trivia),
            ItemKind::Use(path) => {
                self.out.push_str("use ");
                self.out.push_str(&quote(&path.value));
                self.end_line(&item.trivia.trailing);
            }
            ItemKind::Scorecard(s) => {
                self.header("scorecard", None, s.title.as_ref(), &item.trivia);
                self.fields(&s.fields, 1);
                self.close(&item.trivia, 0);
            }
            ItemKind::Profile(pr) => {
                self.header("profile", Some(&pr.table), None, &item.trivia);
                self.fields(&pr.columns, 1);
                self.close(&item.trivia, 0);
            }
            ItemKind::Objective(o) => {
                self.header("objective", Some(&o.id), o.title.as_ref(), &item.trivia);
                for (i, m) in o.members.iter().enumerate() {
                    match m {
                        Member::Field(f) => {
                            if i > 0
                                && (f.trivia.blank_before
                                    || matches!(o.members[i - 1], Member::Indicator(_)))
                            {
                                self.out.push('\n');
                            }
                            self.field(f, 1);
                        }
                        Member::Indicator(ind) => {
                            if i > 0 {
                                self.out.push('\n');
                            }
                            self.comments(&ind.trivia.leading, 1);
                            self.indent(1);
                            self.header(
                                "indicator",
                                Some(&ind.id),
                                ind.title.as_ref(),
                                &ind.trivia,
                            );
                            self.fields(&ind.fields, 2);
                            self.close(&ind.trivia, 1);
                        }
                    }
                }
                self.close(&item.trivia, 0);
            }
        }
    }

    fn header(&mut self, keyword: &str, id: Option<&Ident>, title: Option<&Text>, trivia: &Trivia) {
        self.out.push_str(keyword);
        if let Some(id) = id {
            self.out.push(' ');
            self.out.push_str(&id.name);
        }
        if let Some(t) = title {
            self.out.push(' ');
            self.out.push_str(&quote(&t.value));
        }
        self.out.push_str(" {");
        self.end_line(&trivia.trailing);
    }

    fn close(&mut self, trivia: &Trivia, level: usize) {
        self.comments(&trivia.dangling, level + 1);
        self.indent(level);
        self.out.push_str("}\n");
    }

    fn binding(&mut self, keyword: &str, b: &Binding, trivia: &Trivia) {
        let lead = format!("{keyword} {} = ", b.name.name);
        self.out.push_str(&lead);
        self.value(&b.value, lead.len());
        self.end_line(&trivia.trailing);
    }

    fn fields(&mut self, fields: &[Field], level: usize) {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 && f.trivia.blank_before {
                self.out.push('\n');
            }
            self.field(f, level);
        }
    }

    fn field(&mut self, f: &Field, level: usize) {
        self.comments(&f.trivia.leading, level);
        self.indent(level);
        let lead = format!("{} = ", f.name.name);
        self.out.push_str(&lead);
        self.value(&f.value, level * 2 + lead.len());
        self.end_line(&f.trivia.trailing);
    }

    /// Writes an expression that starts at column `col`, breaking it over
    /// several lines, aligned on `col`, when it is too long.
    fn value(&mut self, e: &Expr, col: usize) {
        let flat = expr_to_string(e);
        if col + flat.len() <= WIDTH || flat.contains('\n') {
            self.out.push_str(&flat);
            return;
        }
        let pad = " ".repeat(col);
        match &e.kind {
            ExprKind::Binary { op, .. } if op.precedence() <= 5 && op.precedence() != 4 => {
                let mut terms = Vec::new();
                chain(e, op.precedence(), &mut terms);
                let fallback = ("", e);
                let (first, rest) = terms.split_first().unwrap_or((&fallback, &[]));
                let mut text = String::new();
                write_chain_term(&mut text, first.1, op.precedence(), true);
                self.out.push_str(&text);
                for (sym, term) in rest {
                    self.out.push('\n');
                    self.out.push_str(&pad);
                    self.out.push_str(sym);
                    self.out.push(' ');
                    let mut text = String::new();
                    write_chain_term(&mut text, term, op.precedence(), false);
                    self.out.push_str(&text);
                }
            }
            ExprKind::If { .. } => {
                let mut cur = e;
                let mut first = true;
                while let ExprKind::If {
                    cond,
                    then,
                    otherwise,
                } = &cur.kind
                {
                    if !first {
                        self.out.push('\n');
                        self.out.push_str(&pad);
                        self.out.push_str("else ");
                    }
                    first = false;
                    self.out.push_str("if ");
                    write_expr(&mut self.out, cond, None);
                    self.out.push_str(" then ");
                    write_expr(&mut self.out, then, None);
                    cur = otherwise;
                }
                self.out.push('\n');
                self.out.push_str(&pad);
                self.out.push_str("else ");
                write_expr(&mut self.out, cur, None);
            }
            _ => self.out.push_str(&flat),
        }
    }
}

/// Flattens a left-associative chain of operators of one precedence level:
/// `a + b - c` gives `[("", a), ("+", b), ("-", c)]`.
fn chain<'e>(e: &'e Expr, level: u8, out: &mut Vec<(&'static str, &'e Expr)>) {
    match &e.kind {
        ExprKind::Binary { op, lhs, rhs } if op.precedence() == level => {
            chain(lhs, level, out);
            out.push((op.symbol(), rhs));
        }
        _ => out.push(("", e)),
    }
}

/// One term of a broken chain, parenthesised as `write_binary` would.
fn write_chain_term(out: &mut String, term: &Expr, level: u8, first: bool) {
    let p = match &term.kind {
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => NOT_PRECEDENCE,
        ExprKind::If { .. } => 0,
        _ => u8::MAX,
    };
    let parens = if first { p < level } else { p <= level };
    if parens {
        out.push('(');
        write_expr(out, term, None);
        out.push(')');
    } else {
        write_expr(out, term, None);
    }
}
