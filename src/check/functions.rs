//! The built-in functions: names, argument counts and where they may stand.

/// What kind of function a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    /// Reads the rows of one table (`count`, `sum`, ...); takes `where`.
    Aggregate,
    /// Works on values of one row or on scalars.
    Scalar,
    /// Turns an indicator's value into a 0–100 score (`linear`).
    Scoring,
    /// `peers(p)`: the peer institutions' p-th percentile for the indicator.
    Peers,
    /// `prior(e)`: `e` over the previous period of the same length.
    Prior,
}

#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub kind: FnKind,
    pub min_args: usize,
    /// `None`: any number from `min_args`.
    pub max_args: Option<usize>,
    /// How it is written, for messages.
    pub usage: &'static str,
}

const fn f(
    name: &'static str,
    kind: FnKind,
    min_args: usize,
    max_args: Option<usize>,
    usage: &'static str,
) -> Builtin {
    Builtin {
        name,
        kind,
        min_args,
        max_args,
        usage,
    }
}

use FnKind::*;

/// Aggregates. `min` and `max` with one argument are aggregates, with two or
/// more they are scalar (see [`lookup`]).
pub const AGGREGATES: &[Builtin] = &[
    f(
        "count",
        Aggregate,
        1,
        Some(1),
        "count(TABLE where CONDITION)",
    ),
    f(
        "sum",
        Aggregate,
        1,
        Some(1),
        "sum(table.column where CONDITION)",
    ),
    f("avg", Aggregate, 1, Some(1), "avg(table.column)"),
    f("min", Aggregate, 1, Some(1), "min(table.column)"),
    f("max", Aggregate, 1, Some(1), "max(table.column)"),
    f("median", Aggregate, 1, Some(1), "median(table.column)"),
    f(
        "percentile",
        Aggregate,
        2,
        Some(2),
        "percentile(table.column, 90%)",
    ),
    f("distinct", Aggregate, 1, Some(1), "distinct(table.column)"),
    f("any", Aggregate, 1, Some(1), "any(TABLE where CONDITION)"),
    f("all", Aggregate, 1, Some(1), "all(TABLE where CONDITION)"),
    f(
        "share",
        Aggregate,
        1,
        Some(1),
        "share(TABLE where CONDITION)",
    ),
];

pub const SCALARS: &[Builtin] = &[
    f("round", Scalar, 1, Some(2), "round(x) or round(x, digits)"),
    f("abs", Scalar, 1, Some(1), "abs(x)"),
    f("min", Scalar, 2, None, "min(a, b, ..)"),
    f("max", Scalar, 2, None, "max(a, b, ..)"),
    f("log", Scalar, 1, Some(2), "log(x) or log(x, base)"),
    f("sqrt", Scalar, 1, Some(1), "sqrt(x)"),
    f("coalesce", Scalar, 2, None, "coalesce(a, b, ..)"),
    f("year", Scalar, 1, Some(1), "year(date)"),
    f("month", Scalar, 1, Some(1), "month(date)"),
    f("days_between", Scalar, 2, Some(2), "days_between(from, to)"),
    f("lower", Scalar, 1, Some(1), "lower(text)"),
    f("upper", Scalar, 1, Some(1), "upper(text)"),
    f("len", Scalar, 1, Some(1), "len(text or list)"),
    f(
        "contains",
        Scalar,
        2,
        Some(2),
        "contains(text or list, text)",
    ),
    f("linear", Scoring, 2, Some(2), "linear(from, to)"),
    f("peers", Peers, 1, Some(1), "peers(75%)"),
    f("prior", Prior, 1, Some(1), "prior(expression)"),
];

/// The built-in a call refers to, choosing between the aggregate and scalar
/// `min`/`max` by the number of arguments.
pub fn lookup(name: &str, args: usize) -> Option<&'static Builtin> {
    let aggregate = AGGREGATES.iter().find(|b| b.name == name);
    let scalar = SCALARS.iter().find(|b| b.name == name);
    match (aggregate, scalar) {
        (Some(a), Some(s)) => Some(if args <= 1 { a } else { s }),
        (a, s) => a.or(s),
    }
}

/// Every built-in name, for did-you-mean.
pub fn names() -> impl Iterator<Item = &'static str> {
    AGGREGATES
        .iter()
        .chain(SCALARS)
        .map(|b| b.name)
        .chain(["bands"])
}

/// Aggregates whose first argument is a table (`count(T where c)`).
pub fn takes_table(name: &str) -> bool {
    matches!(name, "count" | "any" | "all" | "share")
}

/// What a built-in gives, in one sentence (for editors' hover and
/// completion; docs/language.md says the same at more length).
pub fn doc(name: &str) -> Option<&'static str> {
    Some(match name {
        "count" => {
            "The number of rows of a table, those where the condition holds with `where` (0 over no rows)."
        }
        "sum" => "The total of an expression over the rows of its table (0 over no rows).",
        "avg" => "The mean of an expression over the rows of its table (null over no rows).",
        "median" => "The median of an expression over the rows of its table (null over no rows).",
        "min" => {
            "With one argument, the smallest value over the rows of its table; with two or more, the smallest of them."
        }
        "max" => {
            "With one argument, the largest value over the rows of its table; with two or more, the largest of them."
        }
        "percentile" => {
            "The p-th percentile of an expression over the rows of its table (null over no rows)."
        }
        "distinct" => "The number of distinct non-null values of an expression over its table.",
        "any" => "Whether some row of the table holds the condition (false over no rows).",
        "all" => "Whether every row of the table holds the condition (true over no rows).",
        "share" => {
            "count(T where c) / count(T): the share of the rows where the condition holds (null over no rows)."
        }
        "round" => "The number rounded, to `digits` decimals if given.",
        "abs" => "The absolute value.",
        "log" => "The natural logarithm, or in the given base (null outside the domain).",
        "sqrt" => "The square root (null for a negative number).",
        "coalesce" => "The first argument that is not null.",
        "year" => "The year of a date, as a number.",
        "month" => "The month of a date, 1 to 12.",
        "days_between" => "The number of days from the first date to the second.",
        "lower" => "The text in lower case.",
        "upper" => "The text in upper case.",
        "len" => "The length of a text, or the number of items of a list.",
        "contains" => "Whether a text contains a text, or a list holds a string.",
        "linear" => {
            "A score: 0 at `from`, 100 at `to`, linear between, clamped; `from > to` means lower is better. Only in `score`."
        }
        "bands" => {
            "A score: that of the highest threshold reached, `bands(50%: 60, 70%: 100)`. Only in `score`."
        }
        "peers" => {
            "The p-th percentile of the peer institutions' figures for this indicator (the scorecard's `benchmark`); null with too few peers."
        }
        "prior" => "The expression over the period of the same length just before the one scored.",
        _ => return None,
    })
}

/// How a built-in is written (`bands` is a syntax of its own).
pub fn usage(name: &str) -> Option<&'static str> {
    if name == "bands" {
        return Some("bands(threshold: score, ..)");
    }
    AGGREGATES
        .iter()
        .chain(SCALARS)
        .find(|b| b.name == name)
        .map(|b| b.usage)
}

#[cfg(test)]
mod doc_tests {
    #[test]
    fn every_builtin_has_a_doc_and_a_usage() {
        for name in super::names() {
            assert!(super::doc(name).is_some(), "{name}");
            assert!(super::usage(name).is_some(), "{name}");
        }
    }
}
