//! The .kpi front end: pest grammar → syntax tree.
//!
//! pest types stay in this module: everything else sees [`RuleFile`] and
//! [`Expr`]. Syntax errors become [`Diagnostic`]s; after an error the parser
//! resumes at the next line that starts an item, so one run reports every
//! broken item of a file.

use std::cell::RefCell;

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, ConstPrattParser, Op, pratt_precedence};
use pest_derive::Parser;

use super::ast::*;
use super::comments::CommentCursor;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

#[derive(Parser)]
#[grammar = "../grammar/kpi.pest"]
struct KpiParser;

static PRATT: ConstPrattParser<Rule, 15> = ConstPrattParser::new_const(pratt_precedence![
    Op::infix(Rule::op_or, Assoc::Left),
    Op::infix(Rule::op_and, Assoc::Left),
    Op::prefix(Rule::op_not),
    Op::infix(Rule::op_eq, Assoc::Left)
        | Op::infix(Rule::op_ne, Assoc::Left)
        | Op::infix(Rule::op_lt, Assoc::Left)
        | Op::infix(Rule::op_le, Assoc::Left)
        | Op::infix(Rule::op_gt, Assoc::Left)
        | Op::infix(Rule::op_ge, Assoc::Left)
        | Op::infix(Rule::op_in, Assoc::Left),
    Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left),
    Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left),
    Op::prefix(Rule::op_neg),
]);

/// Bounds on one expression, so that the recursive passes stay well within
/// the stack: nesting (in grammar levels, about 3 per parenthesis) and the
/// number of operators.
const MAX_NESTING: usize = 240;
const MAX_OPERATORS: usize = 1000;

fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_neg
            | op_not
            | op_add
            | op_sub
            | op_mul
            | op_div
            | op_eq
            | op_ne
            | op_le
            | op_ge
            | op_lt
            | op_gt
            | op_and
            | op_or
            | op_in
            | if_expr
    )
}

/// At most this many syntax errors are reported per file.
const MAX_SYNTAX_ERRORS: usize = 30;

/// Parses a .kpi file. Returns the tree when there was no syntax error.
pub fn parse_file(file: FileId, src: &str) -> (Option<RuleFile>, Vec<Diagnostic>) {
    match KpiParser::parse(Rule::file, src) {
        Ok(mut pairs) => {
            // `file` always yields exactly one pair on success.
            let Some(root) = pairs.next() else {
                return (None, Vec::new());
            };
            let rhai_spans: Vec<(usize, usize)> = root
                .clone()
                .into_inner()
                .flatten()
                .filter(|p| p.as_rule() == Rule::rhai_block)
                .map(|p| (p.as_span().start(), p.as_span().end()))
                .collect();
            let mut b = Builder {
                exprs: ExprBuilder::new(file, &|o| o),
                comments: CommentCursor::new(file, src, &rhai_spans),
            };
            let tree = b.file(root);
            let errors = b.exprs.errors.into_inner();
            if errors.is_empty() {
                (Some(tree), errors)
            } else {
                (None, errors)
            }
        }
        Err(first) => (None, collect_syntax_errors(file, src, first)),
    }
}

/// Parses one expression written on its own (a YAML value, `--set`).
/// `map` turns byte offsets in `src` into offsets in the file `file`.
pub fn parse_expr(
    file: FileId,
    src: &str,
    map: &dyn Fn(usize) -> usize,
) -> Result<Expr, Vec<Diagnostic>> {
    parse_single(Rule::expr_only, file, src, map)
}

/// Parses `FROM .. TO` on its own (`--period`, the YAML `period`).
pub fn parse_period(
    file: FileId,
    src: &str,
    map: &dyn Fn(usize) -> usize,
) -> Result<Expr, Vec<Diagnostic>> {
    parse_single(Rule::period_only, file, src, map)
}

fn parse_single(
    rule: Rule,
    file: FileId,
    src: &str,
    map: &dyn Fn(usize) -> usize,
) -> Result<Expr, Vec<Diagnostic>> {
    let pairs = KpiParser::parse(rule, src).map_err(|e| vec![syntax_error(file, src, e, map)])?;
    let b = ExprBuilder::new(file, map);
    let mut expr = None;
    for pair in pairs.flatten() {
        match pair.as_rule() {
            Rule::expr => {
                expr = Some(b.top_expr(pair));
                break;
            }
            Rule::period => {
                expr = Some(b.period(pair));
                break;
            }
            _ => {}
        }
    }
    let errors = b.errors.into_inner();
    match expr {
        Some(e) if errors.is_empty() => Ok(e),
        _ => Err(errors),
    }
}

/// After a syntax error, resumes at each following line that begins an item
/// or an indicator, so that independent mistakes are all reported.
fn collect_syntax_errors(
    file: FileId,
    src: &str,
    first: pest::error::Error<Rule>,
) -> Vec<Diagnostic> {
    let mut errors = vec![syntax_error(file, src, first.clone(), &|o| o)];
    let mut pos = error_offset(&first);
    let mut last_resume = 0;
    while errors.len() < MAX_SYNTAX_ERRORS {
        // An error found at the start of an item belongs to the item before
        // it (a missing operand, say): resume at that item itself.
        let here = item_starts_at(src, pos).filter(|&p| p > last_resume);
        let Some(resume) = here.or_else(|| next_item_line(src, pos)) else {
            break;
        };
        last_resume = resume;
        let rest = &src[resume..];
        match KpiParser::parse(Rule::recovery, rest) {
            Ok(_) => break,
            Err(e) => {
                let at = resume + error_offset(&e);
                errors.push(syntax_error(file, rest, e, &|o| o + resume));
                pos = at.max(resume + 1);
            }
        }
    }
    errors
}

fn error_offset(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
}

/// The words that begin items (and indicators), where parsing can resume.
const ITEM_STARTS: [&str; 7] = [
    "scorecard",
    "param",
    "use",
    "profile",
    "let",
    "objective",
    "indicator",
];

/// `pos` itself, if an item starts there as the first word of its line.
fn item_starts_at(src: &str, pos: usize) -> Option<usize> {
    let line_start = src[..pos.min(src.len())].rfind('\n').map_or(0, |i| i + 1);
    if !src[line_start..pos].trim().is_empty() {
        return None;
    }
    let word: String = src[pos..]
        .chars()
        .take_while(|c| super::is_name_char(*c))
        .collect();
    ITEM_STARTS.contains(&word.as_str()).then_some(pos)
}

/// Start of the first line after `pos` whose first word starts an item.
fn next_item_line(src: &str, pos: usize) -> Option<usize> {
    let mut line_start = src[pos.min(src.len())..].find('\n')? + pos + 1;
    while line_start < src.len() {
        let line = &src[line_start..];
        let trimmed = line.trim_start_matches([' ', '\t']);
        let word: String = trimmed
            .chars()
            .take_while(|c| super::is_name_char(*c))
            .collect();
        if ITEM_STARTS.contains(&word.as_str()) {
            return Some(line_start + (line.len() - trimmed.len()));
        }
        line_start += line.find('\n')? + 1;
    }
    None
}

/// Turns a pest error into a diagnostic in the user's words.
fn syntax_error(
    file: FileId,
    src: &str,
    e: pest::error::Error<Rule>,
    map: &dyn Fn(usize) -> usize,
) -> Diagnostic {
    let mut pos = error_offset(&e);
    // Stopped at the start of the next item: the item before is unfinished.
    // Point at where it ends instead.
    let at_next_item = pos > 0 && item_starts_at(src, pos).is_some();
    if at_next_item {
        pos = src[..pos].trim_end().len();
    }
    let found = describe_found(src, pos);
    let at_end = at_next_item || pos >= src.trim_end().len();
    if let Some(open) = unclosed_bracket(src, pos).filter(|_| at_end) {
        let c = &src[open..open + 1];
        let close = if c == "(" { ")" } else { "]" };
        return Diagnostic::error("parse::unclosed", format!("this `{c}` is never closed"))
            .at(Span::new(file, map(open), map(open + 1)), "opened here")
            .also(
                Span::new(file, map(pos), map(pos + found_len(src, pos))),
                format!("expected `{close}` by here"),
            )
            .with_help(format!("add the missing `{close}`"));
    }
    let (expected, help) = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&'static str> = Vec::new();
            for r in positives {
                let n = rule_name(*r);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            // Names, dates and strings all start expressions: say so once.
            if names.contains(&"an expression") {
                names.retain(|n| !matches!(*n, "a name" | "a date (`2026-08-31`)" | "a string"));
            }
            let help = if at_next_item {
                None
            } else {
                syntax_hint(src, pos, positives)
            };
            (names, help)
        }
        ErrorVariant::CustomError { .. } => (Vec::new(), None),
    };
    let message = match expected.len() {
        0 => format!("unexpected {found}"),
        1 => format!("expected {}, found {found}", expected[0]),
        _ => {
            let (last, rest) = expected.split_last().unwrap_or((&"", &[]));
            format!("expected {} or {last}, found {found}", rest.join(", "))
        }
    };
    let len = found_len(src, pos);
    let span = Span::new(file, map(pos), map(pos + len));
    Diagnostic::error("parse::syntax", message)
        .at(span, "here")
        .with_help_opt(help)
}

/// An opening `(` or `[` of the current item still open at `pos`.
fn unclosed_bracket(src: &str, pos: usize) -> Option<usize> {
    // The item starts at the last line before `pos` that begins an item.
    let mut start = 0;
    let mut line = 0;
    while line < pos {
        let next = src[line..].find('\n').map_or(src.len(), |n| line + n + 1);
        let trimmed = src[line..].trim_start_matches([' ', '\t']);
        if item_starts_at(src, line + (src.len() - line - trimmed.len())).is_some() {
            start = line;
        }
        line = next;
    }
    let bytes = src.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut i = start;
    while i < pos.min(bytes.len()) {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(src.len(), |n| i + n);
                continue;
            }
            b'(' | b'[' => open.push(i),
            b')' | b']' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.pop()
}

fn found_len(src: &str, pos: usize) -> usize {
    let rest = &src[pos.min(src.len())..];
    let word = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    if word > 0 {
        word
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    }
}

fn describe_found(src: &str, pos: usize) -> String {
    let rest = &src[pos.min(src.len())..];
    match rest.chars().next() {
        None => "end of file".to_string(),
        Some('\n') | Some('\r') => "end of line".to_string(),
        Some(_) => format!("`{}`", &rest[..found_len(src, pos)]),
    }
}

/// A user-facing name for what the grammar expected.
fn rule_name(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "end of file",
        ident => "a name",
        string | string_inner => "a string",
        lbrace => "`{`",
        rbrace => "`}`",
        field | scorecard_field => "a field (`name = value`)",
        scorecard | param | use_item | profile | let_item | objective | file | recovery => {
            "an item (`scorecard`, `param`, `use`, `profile`, `let`, `objective`)"
        }
        indicator | kw_indicator => "`indicator`",
        op_add | op_sub | op_mul | op_div | op_eq | op_ne | op_le | op_ge | op_lt | op_gt
        | op_and | op_or | op_in => "an operator",
        where_clause | kw_where => "`where`",
        period | period_only => "a period (`2025-09-01 .. 2026-08-31`)",
        date => "a date (`2026-08-31`)",
        kw_then => "`then`",
        kw_else => "`else`",
        band => "a band (`threshold: score`)",
        _ => "an expression",
    }
}

/// Targeted advice for the mistakes people make most.
fn syntax_hint(src: &str, pos: usize, expected: &[Rule]) -> Option<String> {
    let rest = src.get(pos..).unwrap_or("");
    let wants_operator = expected
        .iter()
        .any(|r| matches!(r, Rule::op_add | Rule::op_eq));
    let wants_name = expected.contains(&Rule::ident);
    let word: String = rest
        .chars()
        .take_while(|c| super::is_name_char(*c))
        .collect();
    // Reserved: the item words, and these.
    const RESERVED: [&str; 12] = [
        "if", "then", "else", "and", "or", "not", "in", "where", "true", "false", "null", "rhai",
    ];
    let after_word = rest[word.len()..].trim_start_matches([' ', '\t']);
    if rest.starts_with(':') || !word.is_empty() && after_word.starts_with(':') {
        return Some("a field is written `name = value`, not `name: value`".into());
    }
    if rest.starts_with(';') || rest.starts_with(',') && !wants_operator {
        return Some("fields need no separator: put each on its own line".into());
    }
    if rest.starts_with('=') && !rest.starts_with("==") && wants_operator {
        return Some("to compare two values, write `==`".into());
    }
    if rest.starts_with('\'') {
        return Some("strings are written between double quotes: \"text\"".into());
    }
    if wants_name && (ITEM_STARTS.contains(&word.as_str()) || RESERVED.contains(&word.as_str())) {
        return Some(format!("`{word}` is a reserved word: choose another name"));
    }
    if rest.starts_with("&&") || rest.starts_with("||") {
        return Some("write `and` and `or`".into());
    }
    if rest.starts_with('!') && !rest.starts_with("!=") {
        return Some("write `not`".into());
    }
    None
}

/// Builds items, attaching comments as it goes.
struct Builder<'m, 's> {
    exprs: ExprBuilder<'m>,
    comments: CommentCursor<'s>,
}

impl Builder<'_, '_> {
    fn file(&mut self, root: Pair<'_, Rule>) -> RuleFile {
        let mut items = Vec::new();
        for pair in root.into_inner() {
            if pair.as_rule() == Rule::EOI {
                continue;
            }
            items.push(self.item(pair));
        }
        RuleFile {
            items,
            trailing_comments: self.comments.rest(),
        }
    }

    fn item(&mut self, pair: Pair<'_, Rule>) -> Item {
        // pest spans of rules that end in an optional part run over the
        // whitespace and comments after them: one-piece items end where
        // their value ends.
        let mut span = self.exprs.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        inner.next(); // the keyword
        let (kind, trivia) = match rule {
            Rule::param | Rule::let_item => {
                let name = self.exprs.ident(next(&mut inner));
                let value = self.exprs.top_expr(next(&mut inner));
                span.end = value.span.end;
                let trivia = self.comments.leaf(span);
                let binding = Binding { name, value };
                let kind = if rule == Rule::param {
                    ItemKind::Param(binding)
                } else {
                    ItemKind::Let(binding)
                };
                (kind, trivia)
            }
            Rule::use_item => {
                let text = self.exprs.text(next(&mut inner));
                span.end = text.span.end;
                let trivia = self.comments.leaf(span);
                (ItemKind::Use(text), trivia)
            }
            Rule::scorecard => {
                let mut trivia = self.comments.before(span.start);
                let mut title = None;
                let mut fields = Vec::new();
                for p in inner {
                    if self.brace(&p, &mut trivia) {
                        continue;
                    }
                    match p.as_rule() {
                        Rule::string => title = Some(self.exprs.text(p)),
                        Rule::scorecard_field => fields.push(self.field(p)),
                        _ => {}
                    }
                }
                (ItemKind::Scorecard(Scorecard { title, fields }), trivia)
            }
            Rule::profile => {
                let mut trivia = self.comments.before(span.start);
                let table = self.exprs.ident(next(&mut inner));
                let mut columns = Vec::new();
                for p in inner {
                    if self.brace(&p, &mut trivia) {
                        continue;
                    }
                    if p.as_rule() == Rule::field {
                        columns.push(self.field(p));
                    }
                }
                (ItemKind::Profile(Profile { table, columns }), trivia)
            }
            Rule::objective => {
                let mut trivia = self.comments.before(span.start);
                let id = self.exprs.ident(next(&mut inner));
                let mut title = None;
                let mut members = Vec::new();
                for p in inner {
                    if self.brace(&p, &mut trivia) {
                        continue;
                    }
                    match p.as_rule() {
                        Rule::string => title = Some(self.exprs.text(p)),
                        Rule::field => members.push(Member::Field(self.field(p))),
                        Rule::indicator => members.push(Member::Indicator(self.indicator(p))),
                        _ => {}
                    }
                }
                (
                    ItemKind::Objective(Objective { id, title, members }),
                    trivia,
                )
            }
            // The grammar's `item` has no other alternatives.
            _ => unreachable!("not an item: {rule:?}"),
        };
        Item { kind, span, trivia }
    }

    /// Handles a block's `{` and `}` (the comments after the one, before
    /// the other); false for anything else.
    fn brace(&mut self, p: &Pair<'_, Rule>, trivia: &mut Trivia) -> bool {
        match p.as_rule() {
            Rule::lbrace => trivia.trailing = self.comments.open_block(self.exprs.span(p)),
            Rule::rbrace => trivia.dangling = self.comments.close_block(self.exprs.span(p)),
            _ => return false,
        }
        true
    }

    fn indicator(&mut self, pair: Pair<'_, Rule>) -> Indicator {
        let span = self.exprs.span(&pair);
        let mut trivia = self.comments.before(span.start);
        let mut inner = pair.into_inner();
        inner.next(); // `indicator`
        let id = self.exprs.ident(next(&mut inner));
        let mut title = None;
        let mut fields = Vec::new();
        for p in inner {
            if self.brace(&p, &mut trivia) {
                continue;
            }
            match p.as_rule() {
                Rule::string => title = Some(self.exprs.text(p)),
                Rule::field => fields.push(self.field(p)),
                _ => {}
            }
        }
        Indicator {
            id,
            title,
            fields,
            span,
            trivia,
        }
    }

    fn field(&mut self, pair: Pair<'_, Rule>) -> Field {
        let mut inner = pair.into_inner();
        let name = self.exprs.ident(next(&mut inner));
        let value_pair = next(&mut inner);
        let mut value = if value_pair.as_rule() == Rule::period {
            self.exprs.period(value_pair)
        } else {
            self.exprs.top_expr(value_pair)
        };
        // `better = lower` names a direction, as `better: lower` does in
        // YAML: the word is text, as written either way.
        if name.name == "better"
            && let ExprKind::Name(word) = &value.kind
        {
            value.kind = ExprKind::String(word.name.clone());
        }
        // Ends where the value ends (see `item`).
        let span = name.span.to(value.span);
        let trivia = self.comments.leaf(span);
        Field {
            name,
            value,
            span,
            trivia,
        }
    }
}

/// The next child of a pair whose shape the grammar guarantees.
fn next<'i>(pairs: &mut Pairs<'i, Rule>) -> Pair<'i, Rule> {
    // Only called where the grammar requires the child, so a successful
    // parse always has it.
    pairs.next().expect("grammar guarantees this child")
}

/// Builds expressions; shared by the .kpi and YAML front ends.
struct ExprBuilder<'m> {
    file: FileId,
    map: &'m dyn Fn(usize) -> usize,
    errors: RefCell<Vec<Diagnostic>>,
}

impl<'m> ExprBuilder<'m> {
    fn new(file: FileId, map: &'m dyn Fn(usize) -> usize) -> Self {
        ExprBuilder {
            file,
            map,
            errors: RefCell::new(Vec::new()),
        }
    }

    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, (self.map)(s.start()), (self.map)(s.end()))
    }

    fn error(&self, d: Diagnostic) {
        self.errors.borrow_mut().push(d);
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident::new(pair.as_str(), self.span(&pair))
    }

    fn text(&self, pair: Pair<'_, Rule>) -> Text {
        let span = self.span(&pair);
        Text {
            value: self.unescape(pair.as_str(), span),
            span,
        }
    }

    /// The value of a string literal (quotes included in `raw`).
    fn unescape(&self, raw: &str, span: Span) -> String {
        let inner = raw
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(raw);
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                other => {
                    let shown = other.map(String::from).unwrap_or_default();
                    self.error(
                        Diagnostic::error(
                            "parse::escape",
                            format!("unknown escape `\\{shown}` in a string"),
                        )
                        .at(span, "in this string")
                        .with_help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`"),
                    );
                }
            }
        }
        out
    }

    fn date(&self, pair: &Pair<'_, Rule>) -> Date {
        let s = pair.as_str();
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| {
            self.error(
                Diagnostic::error("parse::date", format!("`{s}` is not a calendar date"))
                    .at(self.span(pair), "no such day")
                    .with_help("dates are written YYYY-MM-DD, for instance 2026-08-31"),
            );
            Date::default()
        })
    }

    fn number(&self, pair: &Pair<'_, Rule>) -> f64 {
        let s = pair.as_str();
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                self.error(
                    Diagnostic::error("parse::number", format!("`{s}` is too large a number"))
                        .at(self.span(pair), "here"),
                );
                0.0
            }
        }
    }

    fn period(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let from = self.date(&next(&mut inner));
        let to_pair = next(&mut inner);
        let to = self.date(&to_pair);
        if to < from {
            self.error(
                Diagnostic::error(
                    "parse::period",
                    format!("the period ends ({to}) before it starts ({from})"),
                )
                .at(span, "empty period"),
            );
        }
        Expr::new(ExprKind::Period { from, to }, span)
    }

    /// An expression that is a whole field value: first bounded in size so
    /// that no later pass (all recursive) can run out of stack.
    fn top_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        if let Some(d) = self.too_big(&pair) {
            self.error(d);
            return Expr::new(ExprKind::Null, self.span(&pair));
        }
        self.expr(pair)
    }

    fn too_big(&self, pair: &Pair<'_, Rule>) -> Option<Diagnostic> {
        let mut operators = 0;
        let mut stack = vec![(pair.clone(), 0usize)];
        while let Some((p, depth)) = stack.pop() {
            if depth > MAX_NESTING {
                return Some(
                    Diagnostic::error("parse::too-deep", "this expression is nested too deeply")
                        .at(self.span(&p), format!("more than {MAX_NESTING} levels"))
                        .with_help("name parts of it with `let`"),
                );
            }
            if is_operator(p.as_rule()) {
                operators += 1;
            }
            stack.extend(p.into_inner().map(|c| (c, depth + 1)));
        }
        (operators > MAX_OPERATORS).then(|| {
            Diagnostic::error(
                "parse::too-long",
                format!("this expression has more than {MAX_OPERATORS} operators"),
            )
            .at(self.span(pair), "too long")
            .with_help("name parts of it with `let`")
        })
    }

    fn expr(&self, pair: Pair<'_, Rule>) -> Expr {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, operand| {
                let span = self.span(&op).to(operand.span);
                let op = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Expr::new(
                    ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                    span,
                )
            })
            .map_infix(|lhs, op, rhs| {
                let op = match op.as_rule() {
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    Rule::op_div => BinaryOp::Div,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_or => BinaryOp::Or,
                    _ => BinaryOp::In,
                };
                let span = lhs.span.to(rhs.span);
                Expr::new(
                    ExprKind::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                )
            })
            .parse(pair.into_inner())
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::number => ExprKind::Number(self.number(&pair)),
            Rule::percent => {
                let inner = next(&mut pair.into_inner());
                ExprKind::Percent(self.number(&inner))
            }
            Rule::date => ExprKind::Date(self.date(&pair)),
            Rule::string => ExprKind::String(self.unescape(pair.as_str(), span)),
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_null => ExprKind::Null,
            Rule::list => ExprKind::List(pair.into_inner().map(|p| self.expr(p)).collect()),
            Rule::path => {
                let parts: Vec<Ident> = pair.into_inner().map(|p| self.ident(p)).collect();
                match <[Ident; 2]>::try_from(parts) {
                    Ok([table, column]) => ExprKind::Column { table, column },
                    Err(mut parts) if parts.len() == 1 => ExprKind::Name(parts.remove(0)),
                    Err(parts) => {
                        let written: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
                        self.error(
                            Diagnostic::error(
                                "parse::path",
                                format!("`{}` has too many dots", written.join(".")),
                            )
                            .at(span, "a name is `name` or `table.column`")
                            .with_help("a parent table's column is written `parent.column` from inside the child table"),
                        );
                        ExprKind::Null
                    }
                }
            }
            Rule::if_expr => {
                let mut exprs = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(|p| self.expr(p));
                let (Some(cond), Some(then), Some(otherwise)) =
                    (exprs.next(), exprs.next(), exprs.next())
                else {
                    unreachable!("if_expr has three expressions")
                };
                // The span ends with the `else` branch (see `item`).
                let span = Span::new(span.file, span.start, otherwise.span.end);
                return Expr::new(
                    ExprKind::If {
                        cond: Box::new(cond),
                        then: Box::new(then),
                        otherwise: Box::new(otherwise),
                    },
                    span,
                );
            }
            Rule::call => {
                let mut inner = pair.into_inner();
                let function = self.ident(next(&mut inner));
                let mut args = Vec::new();
                let mut filter = None;
                for p in inner {
                    if p.as_rule() == Rule::where_clause {
                        let cond = p.into_inner().find(|c| c.as_rule() == Rule::expr);
                        filter = cond.map(|c| Box::new(self.expr(c)));
                    } else {
                        args.push(self.expr(p));
                    }
                }
                ExprKind::Call {
                    function,
                    args,
                    filter,
                }
            }
            Rule::bands => ExprKind::Bands(
                pair.into_inner()
                    .map(|band| {
                        let mut parts = band.into_inner();
                        Band {
                            threshold: self.expr(next(&mut parts)),
                            score: self.expr(next(&mut parts)),
                        }
                    })
                    .collect(),
            ),
            Rule::rhai_block => {
                let body = next(&mut pair.into_inner());
                ExprKind::Rhai(body.as_str().to_string())
            }
            other => unreachable!("not a primary: {other:?}"),
        };
        Expr::new(kind, span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(src: &str) -> Expr {
        parse_expr(FileId(0), src, &|o| o).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    fn shape(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Binary { op, lhs, rhs } => {
                format!("({} {} {})", shape(lhs), op.symbol(), shape(rhs))
            }
            ExprKind::Unary { op, operand } => format!("({op:?} {})", shape(operand)),
            ExprKind::Number(n) => n.to_string(),
            ExprKind::Percent(n) => format!("{n}%"),
            ExprKind::Name(i) => i.name.clone(),
            ExprKind::Column { table, column } => format!("{table}.{column}"),
            ExprKind::Date(d) => d.to_string(),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                format!("(if {} {} {})", shape(cond), shape(then), shape(otherwise))
            }
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn precedence_follows_the_reference() {
        let cases = [
            ("1 + 2 * 3", "(1 + (2 * 3))"),
            ("a or b and c", "(a or (b and c))"),
            ("not a == b", "(Not (a == b))"),
            ("not a and b", "((Not a) and b)"),
            ("-a * b", "((Neg a) * b)"),
            ("a - b - c", "((a - b) - c)"),
            ("x in l and y", "((x in l) and y)"),
            ("60% * t.c", "(60% * t.c)"),
            ("2025-09-01", "2025-09-01"),
            ("2025 - 09 - 01", "((2025 - 9) - 1)"),
            ("if a then 1 else 2 + 3", "(if a 1 (2 + 3))"),
            ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ];
        for (src, want) in cases {
            assert_eq!(shape(&expr(src)), want, "{src}");
        }
    }

    #[test]
    fn where_and_bands_parse() {
        let e = expr("count(participations where responded)");
        let ExprKind::Call { args, filter, .. } = e.kind else {
            panic!()
        };
        assert_eq!(args.len(), 1);
        assert!(filter.is_some());
        let e = expr("bands(20%: 25, 40%: 60)");
        assert!(matches!(e.kind, ExprKind::Bands(ref b) if b.len() == 2));
    }

    #[test]
    fn syntax_errors_name_what_was_expected() {
        let (_, errs) = parse_file(FileId(0), "let x = \nlet y = 2");
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].message.starts_with("expected an expression"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn every_broken_item_is_reported() {
        let src = "let a = (1\nlet b = 2\nlet c = * 3\nparam d = 4 +\n";
        let (tree, errs) = parse_file(FileId(0), src);
        assert!(tree.is_none());
        assert_eq!(errs.len(), 3, "{errs:#?}");
    }
}
