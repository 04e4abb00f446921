//! Warehouse scale: the rules compiled to SQL (`kpi sql`) for the
//! database the data live in, and PostgreSQL as a data source.
//!
//! | module     | role                                                     |
//! |------------|----------------------------------------------------------|
//! | `dialect`  | what differs between engines, one renderer each          |
//! | `compile`  | the plan as one query of grouped subqueries              |
//! | `scan`     | the aggregates over a table read in one grouped subquery |
//! | `types`    | the types of plan nodes, as SQL needs them               |
//! | `export`   | a dataset as a database holds it: DDL and plain CSV      |
//! | `push`     | pushdown: the aggregates a report reads, as one query   |
//! | `figures`  | the query's rows read back as values per indicator       |
//! | `source`   | a database's tables as a dataset, pushdown run there     |
//! | `duckdb`   | DuckDB: a database file read and queried by its shell    |
//! | `postgres` | PostgreSQL: tables read as a dataset, queries run there  |
//!
//! The query returns one row per figure: `indicator`, `segment` (null for
//! the whole population), `segment_value` (text, null) and `value`
//! (double precision), on a database holding the dataset's tables under
//! the same names and columns (list columns as text, elements separated
//! by `;`).

mod columns;
mod compile;
mod dialect;
pub mod duckdb;
pub mod export;
#[doc(hidden)]
pub mod figures;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod push;
mod scan;
pub mod source;
mod types;

pub use columns::{columns_read, tables_read};
use compile::{Compiler, Ctx};
pub use dialect::Dialect;
pub use source::Source;

use crate::data::Dataset;
use crate::eval::Period;
use crate::eval::plan::Plan;
use crate::eval::value::Strings;

/// A rule set's query.
#[derive(Debug, Clone)]
pub struct Sql {
    /// The database it is written for.
    pub dialect: Dialect,
    /// The query, with a commented header.
    pub text: String,
    /// Its SELECTs: one per indicator, and one per indicator and segment
    /// (a row for each of the segment's values).
    pub selects: usize,
    /// Indicators left out (`--skip-unsupported`), and why.
    pub skipped: Vec<Unsupported>,
}

/// An indicator (or one segment of it) with no SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported {
    /// Its index in the plan.
    pub index: usize,
    /// Its id.
    pub indicator: String,
    /// The segment whose breakdown has no SQL (`None`: the figure itself).
    pub segment: Option<String>,
    /// Why (the construct with no SQL).
    pub reason: String,
}

/// Compiles every indicator value of a plan, whole and per segment (the
/// segments `broken_down(indicator, segment)` allows). Indicators with no
/// SQL are listed, not compiled.
pub(crate) fn compile(
    plan: &Plan,
    data: &Dataset,
    strings: &Strings,
    dialect: Dialect,
    period: Option<Period>,
    header: &str,
    broken_down: &dyn Fn(usize, &str) -> bool,
) -> Sql {
    let mut c = Compiler::new(plan, data, strings, dialect.render());
    let ctx = Ctx {
        period,
        members: period,
        segment: None,
    };
    let mut selects = Vec::new();
    let mut skipped = Vec::new();
    for i in 0..plan.indicators.len() {
        let id = plan.indicators[i].id.clone();
        match c.figure(i, ctx, None) {
            Ok(s) => selects.push(s),
            Err(reason) => {
                skipped.push(Unsupported {
                    index: i,
                    indicator: id,
                    segment: None,
                    reason,
                });
                continue;
            }
        }
        // The segments the report shows it by, no others: a figure per
        // segment of an indicator the report does not break down (it
        // reads a table with no path to the population) means nothing.
        for (name, source) in plan.segments.iter().filter(|(n, _)| broken_down(i, n)) {
            let seg = Ctx {
                segment: Some(*source),
                ..ctx
            };
            match c.figure(i, seg, Some((name, *source))) {
                Ok(s) => selects.push(s),
                Err(reason) => skipped.push(Unsupported {
                    index: i,
                    indicator: id.clone(),
                    segment: Some(name.clone()),
                    reason,
                }),
            }
        }
    }
    let r = dialect.render();
    let count = selects.len();
    if selects.is_empty() {
        let t = r.text();
        selects.push(format!(
            "SELECT CAST(NULL AS {t}) AS indicator, CAST(NULL AS {t}) AS segment, CAST(NULL AS {t}) AS segment_value, CAST(NULL AS {}) AS value FROM (SELECT 1 AS one) d WHERE 1 = 0",
            r.double()
        ));
    }
    let text = query_text(&c, header, &selects);
    Sql {
        dialect,
        text,
        selects: count,
        skipped,
    }
}

/// A query: the header as comments, the CTEs in order, the SELECTs.
fn query_text(c: &Compiler<'_>, header: &str, selects: &[String]) -> String {
    let mut text = String::new();
    for line in header.lines() {
        text.push_str(&format!("-- {line}\n"));
    }
    let ctes = in_order(c.ctes.iter().cloned().chain(c.scans.sql(c)).collect());
    if !ctes.is_empty() {
        text.push_str("WITH\n");
        let ctes: Vec<String> = ctes
            .iter()
            .map(|(name, sql)| format!("{name} AS ({sql})"))
            .collect();
        text.push_str(&ctes.join(",\n"));
        text.push('\n');
    }
    text.push_str(&selects.join("\nUNION ALL\n"));
    text.push('\n');
    text
}

/// CTEs in an order where each comes after those it joins (a scan gains
/// columns, and so joins, after it is first named).
fn in_order(ctes: Vec<(String, String)>) -> Vec<(String, String)> {
    let names: std::collections::HashSet<String> = ctes.iter().map(|(n, _)| n.clone()).collect();
    let joined = |sql: &str| -> Vec<String> {
        sql.split("LEFT JOIN ")
            .skip(1)
            .filter_map(|rest| rest.split(' ').next())
            .filter(|n| names.contains(*n))
            .map(str::to_string)
            .collect()
    };
    let mut done: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(ctes.len());
    let mut left = ctes;
    while !left.is_empty() {
        let before = left.len();
        let (ready, rest): (Vec<_>, Vec<_>) = left
            .into_iter()
            .partition(|(_, sql)| joined(sql).iter().all(|n| done.contains(n)));
        for (name, sql) in ready {
            done.insert(name.clone());
            out.push((name, sql));
        }
        left = rest;
        if left.len() == before {
            // The compiler makes a twin rather than close a cycle; were
            // one left, the database would refuse the query by name.
            out.extend(left);
            break;
        }
    }
    out
}
