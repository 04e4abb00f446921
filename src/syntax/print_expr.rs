//! Expressions back to text: the same syntax in .kpi files and in YAML
//! expression strings. Parentheses are added only where precedence needs
//! them, so printing then parsing gives the same tree.

use super::ast::*;

/// Replaces a sub-expression's text (the explain trace shows values).
pub type Sub<'a> = Option<&'a dyn Fn(&Expr) -> Option<String>>;

/// Prints an expression on one line.
pub fn expr_to_string(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, None);
    out
}

/// Prints an expression with some sub-expressions replaced by `sub`'s text.
pub fn expr_to_string_with(e: &Expr, sub: &dyn Fn(&Expr) -> Option<String>) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, Some(sub));
    out
}

/// A string literal with its quotes and escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as the shortest text that reads back as the same number.
pub fn number(n: f64) -> String {
    format!("{n}")
}

/// Precedence of an expression's top operator (atoms bind tightest).
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => NOT_PRECEDENCE,
        ExprKind::Unary {
            op: UnaryOp::Neg, ..
        } => NEG_PRECEDENCE,
        // `if` swallows everything after `else`: always parenthesised as
        // an operand.
        ExprKind::If { .. } => 0,
        _ => u8::MAX,
    }
}

fn write_operand(out: &mut String, e: &Expr, parens: bool, sub: Sub<'_>) {
    if parens {
        out.push('(');
        write_expr(out, e, sub);
        out.push(')');
    } else {
        write_expr(out, e, sub);
    }
}

pub(crate) fn write_binary(out: &mut String, op: BinaryOp, lhs: &Expr, rhs: &Expr, sub: Sub<'_>) {
    let p = op.precedence();
    write_operand(out, lhs, precedence(lhs) < p, sub);
    out.push(' ');
    out.push_str(op.symbol());
    out.push(' ');
    // Left-associative: an equal-precedence right operand needs parentheses.
    write_operand(out, rhs, precedence(rhs) <= p, sub);
}

fn write_list(out: &mut String, items: &[Expr], sub: Sub<'_>) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(out, item, sub);
    }
}

pub(crate) fn write_expr(out: &mut String, e: &Expr, sub: Sub<'_>) {
    if let Some(text) = sub.and_then(|f| f(e)) {
        out.push_str(&text);
        return;
    }
    match &e.kind {
        ExprKind::Number(n) => out.push_str(&number(*n)),
        ExprKind::Percent(n) => {
            out.push_str(&number(*n));
            out.push('%');
        }
        ExprKind::String(s) => out.push_str(&quote(s)),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Date(d) => out.push_str(&d.to_string()),
        ExprKind::Null => out.push_str("null"),
        ExprKind::List(items) => {
            out.push('[');
            write_list(out, items, sub);
            out.push(']');
        }
        ExprKind::Period { from, to } => out.push_str(&format!("{from} .. {to}")),
        ExprKind::Name(n) => out.push_str(&n.name),
        ExprKind::Column { table, column } => {
            out.push_str(&table.name);
            out.push('.');
            out.push_str(&column.name);
        }
        ExprKind::Unary { op, operand } => {
            let (text, p) = match op {
                UnaryOp::Neg => ("-", NEG_PRECEDENCE),
                UnaryOp::Not => ("not ", NOT_PRECEDENCE),
            };
            out.push_str(text);
            // `not` takes comparisons unparenthesised; `-` only atoms.
            // `-` takes atoms; `- -x` is written `-(-x)`.
            let parens = match op {
                UnaryOp::Neg => precedence(operand) <= p,
                UnaryOp::Not => precedence(operand) < p,
            };
            write_operand(out, operand, parens, sub);
        }
        ExprKind::Binary { op, lhs, rhs } => write_binary(out, *op, lhs, rhs, sub),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            out.push_str("if ");
            write_expr(out, cond, sub);
            out.push_str(" then ");
            write_expr(out, then, sub);
            out.push_str(" else ");
            write_expr(out, otherwise, sub);
        }
        ExprKind::Call {
            function,
            args,
            filter,
        } => {
            out.push_str(&function.name);
            out.push('(');
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, arg, sub);
                if i == 0
                    && let Some(f) = filter
                {
                    out.push_str(" where ");
                    write_expr(out, f, sub);
                }
            }
            out.push(')');
        }
        ExprKind::Bands(bands) => {
            out.push_str("bands(");
            for (i, b) in bands.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, &b.threshold, sub);
                out.push_str(": ");
                write_expr(out, &b.score, sub);
            }
            out.push(')');
        }
        ExprKind::Rhai(body) => {
            out.push_str("rhai {");
            out.push_str(body);
            out.push('}');
        }
    }
}
