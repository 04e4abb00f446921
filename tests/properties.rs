//! Property tests: random expressions print and parse back to themselves;
//! random and mutated inputs, deep nesting and very long inputs never
//! panic the parser or the checker.

mod common;

use std::path::Path;

use alumni_kpi::check;
use alumni_kpi::rules::RuleSet;
use alumni_kpi::source::{FileId, SourceFile, Span};
use alumni_kpi::syntax::ast::*;
use alumni_kpi::syntax::{self, Format};
use proptest::prelude::*;

fn sp() -> Span {
    Span::default()
}

fn ident(name: &str) -> Ident {
    Ident::new(name, sp())
}

fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, sp())
}

const NAMES: [&str; 6] = ["a", "total_cost", "value", "x1", "_tmp", "alumni"];
const FUNCTIONS: [&str; 5] = ["count", "sum", "round", "coalesce", "my_plugin"];
const OPS: [BinaryOp; 13] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Gt,
    BinaryOp::Ge,
    BinaryOp::And,
    BinaryOp::Or,
    BinaryOp::In,
];

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0.0..1e9f64).prop_map(|n| e(ExprKind::Number(n))),
        (0u32..1000).prop_map(|n| e(ExprKind::Number(f64::from(n)))),
        (0u32..200).prop_map(|n| e(ExprKind::Percent(f64::from(n) / 2.0))),
        "[a-zA-Zé \"\\\\\n\t%{}#:-]{0,8}".prop_map(|s| e(ExprKind::String(s))),
        any::<bool>().prop_map(|b| e(ExprKind::Bool(b))),
        (0i64..40000).prop_map(|d| e(ExprKind::Date(
            chrono::NaiveDate::from_ymd_opt(1990, 1, 1).expect("a date")
                + chrono::Duration::days(d)
        ))),
        Just(e(ExprKind::Null)),
        prop::sample::select(&NAMES[..]).prop_map(|n| e(ExprKind::Name(ident(n)))),
        (
            prop::sample::select(&NAMES[..]),
            prop::sample::select(&NAMES[..])
        )
            .prop_map(|(t, c)| e(ExprKind::Column {
                table: ident(t),
                column: ident(c)
            })),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (any::<bool>(), inner.clone()).prop_map(|(neg, x)| e(ExprKind::Unary {
                op: if neg { UnaryOp::Neg } else { UnaryOp::Not },
                operand: Box::new(x),
            })),
            (prop::sample::select(&OPS[..]), inner.clone(), inner.clone()).prop_map(
                |(op, l, r)| e(ExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r)
                })
            ),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, o)| e(ExprKind::If {
                cond: Box::new(c),
                then: Box::new(t),
                otherwise: Box::new(o),
            })),
            (
                prop::sample::select(&FUNCTIONS[..]),
                prop::collection::vec(inner.clone(), 0..3),
                prop::option::of(inner.clone())
            )
                .prop_map(|(f, args, filter)| {
                    let filter = if args.is_empty() {
                        None
                    } else {
                        filter.map(Box::new)
                    };
                    e(ExprKind::Call {
                        function: ident(f),
                        args,
                        filter,
                    })
                }),
            prop::collection::vec((inner.clone(), inner.clone()), 1..3).prop_map(|bands| e(
                ExprKind::Bands(
                    bands
                        .into_iter()
                        .map(|(threshold, score)| Band { threshold, score })
                        .collect()
                )
            )),
            prop::collection::vec(inner, 0..3).prop_map(|items| e(ExprKind::List(items))),
        ]
    })
}

fn let_file(value: Expr) -> RuleFile {
    RuleFile {
        items: vec![Item {
            kind: ItemKind::Let(Binding {
                name: ident("x"),
                value,
            }),
            span: sp(),
            trivia: Trivia::default(),
        }],
        trailing_comments: Vec::new(),
    }
}

fn parse(name: &str, text: &str) -> (Option<RuleFile>, Vec<alumni_kpi::Diagnostic>) {
    let format = Format::of_path(Path::new(name)).expect("rule file name");
    let source = SourceFile::new(name, name, text.to_string());
    syntax::parse(FileId(0), &source, format)
}

/// Parses and checks as a rules directory; only panics matter here.
fn parse_and_check(name: &str, text: &str) {
    let (rules, diags) = RuleSet::from_texts(Path::new("/nonexistent"), &[(name, text)]);
    if !diags.has_errors() {
        let _ = check::check(&rules, None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn printed_expressions_parse_back_to_the_same_tree(value in expr()) {
        let tree = let_file(value);
        for (format, name) in [(Format::Kpi, "p.kpi"), (Format::Yaml, "p.yaml")] {
            let text = syntax::print(&tree, format);
            let (parsed, errors) = parse(name, &text);
            prop_assert!(errors.is_empty(), "{name}:\n{text}\n{errors:#?}");
            let parsed = parsed.expect("no errors, so a tree");
            prop_assert!(same_tree(&tree, &parsed), "{name}: differs\n{text}");
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[ -~\n\té{}()\\[\\]\"':#/*%.-]{0,200}") {
        parse_and_check("r.kpi", &text);
        parse_and_check("r.yaml", &text);
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        file in 0usize..64,
        at in 0usize..10_000,
        len in 0usize..40,
        insert in prop::sample::select(&[
            "", "(", ")", "{", "}", "[", "\"", "where", "if", " = ", "\n", "//", "/*", "rhai {", ":", "- ", "'",
            "count(", "..", "%", "not", "and", "indicator x {", "objective", "#", "2026-02-30", "1e999",
        ][..]),
    ) {
        let mut files = common::corpus("good");
        files.extend(common::corpus("bad"));
        files.extend(common::corpus("bad_data"));
        let path = &files[file % files.len()];
        let text = std::fs::read_to_string(path).expect("readable");
        let mut cut = at % (text.len() + 1);
        while !text.is_char_boundary(cut) { cut -= 1; }
        let mut end = (cut + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let mutated = format!("{}{}{}", &text[..cut], insert, &text[end..]);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("m.kpi");
        parse_and_check(name, &mutated);
    }
}

fn assert_rejected_without_panic(name: &str, text: &str) {
    let (tree, errors) = parse(name, text);
    assert!(tree.is_none() && !errors.is_empty(), "{name} accepted");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 5_000;
    let parens = format!("let x = {}1{}", "(".repeat(depth), ")".repeat(depth));
    assert_rejected_without_panic("deep.kpi", &parens);
    let lists = format!("let x = {}{}", "[".repeat(depth), "]".repeat(depth));
    assert_rejected_without_panic("deep.kpi", &lists);
    let negations = format!("let x = {}1", "- ".repeat(depth));
    assert_rejected_without_panic("deep.kpi", &negations);
    let nots = format!("let x = {}true", "not ".repeat(depth));
    assert_rejected_without_panic("deep.kpi", &nots);
    let ifs = format!("let x = {}0", "if true then 1 else ".repeat(depth));
    assert_rejected_without_panic("deep.kpi", &ifs);
    let yaml = format!(
        "lets:\n  x: '{}1{}'\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    assert_rejected_without_panic("deep.yaml", &yaml);
}

#[test]
fn moderate_nesting_is_fine() {
    let depth = 40;
    let text = format!("let x = {}1{}", "(".repeat(depth), ")".repeat(depth));
    let (tree, errors) = parse("ok.kpi", &text);
    assert!(tree.is_some(), "{errors:#?}");
}

#[test]
fn very_long_inputs_are_handled() {
    // One expression with too many operators is refused...
    let sum = format!("let x = {}1", "1 + ".repeat(50_000));
    assert_rejected_without_panic("long.kpi", &sum);
    // ...while a long file of ordinary items is read and checked.
    let mut text = String::from("scorecard \"Long\" { population = alumni }\n");
    for i in 0..5_000 {
        text.push_str(&format!(
            "let v{i} = {}\n",
            if i == 0 {
                "1".to_string()
            } else {
                format!("v{} + 1", i - 1)
            }
        ));
    }
    let (rules, diags) = RuleSet::from_texts(Path::new("/nonexistent"), &[("long.kpi", &text)]);
    assert!(diags.is_empty());
    let out = check::check(&rules, None);
    assert!(
        !out.diagnostics.has_errors(),
        "{:?}",
        out.diagnostics.0.first()
    );
    assert_eq!(out.order.len(), 5_000);
}
