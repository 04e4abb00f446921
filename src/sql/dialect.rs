//! The SQL dialects: what differs between engines, one renderer each
//! behind [`Render`]. Everything else the compiler writes is the SQL all
//! five share (CASE, COALESCE, NULLIF, LEFT JOIN, GROUP BY ordinals, WITH).

use std::fmt;
use std::str::FromStr;

/// A database engine `kpi sql` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// DuckDB.
    DuckDb,
    /// PostgreSQL (12 and later).
    Postgres,
    /// Spark SQL (3 and later).
    Spark,
    /// Google BigQuery (GoogleSQL).
    BigQuery,
    /// Snowflake.
    Snowflake,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 5] = [
        Dialect::DuckDb,
        Dialect::Postgres,
        Dialect::Spark,
        Dialect::BigQuery,
        Dialect::Snowflake,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
            Dialect::BigQuery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    pub(crate) fn render(self) -> &'static dyn Render {
        match self {
            Dialect::DuckDb => &DuckDb,
            Dialect::Postgres => &Postgres,
            Dialect::Spark => &Spark,
            Dialect::BigQuery => &BigQuery,
            Dialect::Snowflake => &Snowflake,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Dialect, String> {
        match s.to_ascii_lowercase().as_str() {
            "duckdb" => Ok(Dialect::DuckDb),
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            "spark" | "sparksql" => Ok(Dialect::Spark),
            "bigquery" => Ok(Dialect::BigQuery),
            "snowflake" => Ok(Dialect::Snowflake),
            _ => Err(format!(
                "unknown dialect `{s}` (one of duckdb, postgres, spark, bigquery, snowflake)"
            )),
        }
    }
}

/// What one engine writes its own way. Arguments are SQL expressions.
pub(crate) trait Render: Sync {
    /// A table or column name, as the dataset spells it.
    fn ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
    fn double(&self) -> &'static str {
        "DOUBLE"
    }
    fn text(&self) -> &'static str {
        "VARCHAR"
    }
    /// A string literal.
    fn string(&self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }
    /// The exact percentile aggregate (linear interpolation between closest
    /// ranks), or why there is none. `p` is a literal in 0..=1.
    fn percentile(&self, arg: &str, p: &str) -> Result<String, String> {
        Ok(format!(
            "percentile_cont({p}) WITHIN GROUP (ORDER BY {arg})"
        ))
    }
    /// Days from `a` to `b`.
    fn days_between(&self, a: &str, b: &str) -> String;
    /// Length in characters.
    fn char_length(&self, s: &str) -> String {
        format!("char_length({s})")
    }
    /// Whether `needle` is in `haystack` (both text).
    fn contains(&self, haystack: &str, needle: &str) -> String;
    /// A list column's text as the rules read it: elements trimmed, empty
    /// ones dropped (`" a ; ;b;"` is `a;b`).
    fn list_text(&self, list: &str) -> String {
        format!("regexp_replace(trim({list}, ' ;'), '\\s*(;\\s*)+', ';', 'g')")
    }
    /// Whether `item` is an element of a list column (text, `;` between
    /// elements); null when the list is null.
    fn list_contains(&self, list: &str, item: &str) -> String;
    /// The number of elements of a non-empty list column.
    fn list_len(&self, list: &str) -> String;
    /// Text in code-point order (as the local engine orders it).
    fn ordered(&self, text: &str) -> String {
        text.to_string()
    }
    /// `a < b` on text, in code-point order.
    fn text_order(&self, a: &str, op: &str, b: &str) -> String {
        format!("({} {op} {})", self.ordered(a), self.ordered(b))
    }
}

struct DuckDb;
struct Postgres;
struct Spark;
struct BigQuery;
struct Snowflake;

impl Render for DuckDb {
    fn percentile(&self, arg: &str, p: &str) -> Result<String, String> {
        Ok(format!("quantile_cont({arg}, {p})"))
    }
    fn days_between(&self, a: &str, b: &str) -> String {
        format!("date_diff('day', {a}, {b})")
    }
    fn char_length(&self, s: &str) -> String {
        format!("length({s})")
    }
    fn contains(&self, h: &str, n: &str) -> String {
        format!("contains({h}, {n})")
    }
    fn list_contains(&self, list: &str, item: &str) -> String {
        format!("list_contains(string_split({list}, ';'), {item})")
    }
    fn list_len(&self, list: &str) -> String {
        format!("len(string_split({list}, ';'))")
    }
}

impl Render for Postgres {
    fn double(&self) -> &'static str {
        "DOUBLE PRECISION"
    }
    fn text(&self) -> &'static str {
        "TEXT"
    }
    fn days_between(&self, a: &str, b: &str) -> String {
        format!("({b} - {a})")
    }
    fn list_text(&self, list: &str) -> String {
        format!("regexp_replace(btrim({list}, ' ;'), '\\s*(;\\s*)+', ';', 'g')")
    }
    fn contains(&self, h: &str, n: &str) -> String {
        format!("(strpos({h}, {n}) > 0)")
    }
    fn list_contains(&self, list: &str, item: &str) -> String {
        format!("({item} = ANY(string_to_array({list}, ';')))")
    }
    fn list_len(&self, list: &str) -> String {
        format!("cardinality(string_to_array({list}, ';'))")
    }
    // The database's collation may order text by language; the rules
    // order by code point.
    fn ordered(&self, text: &str) -> String {
        format!("({text} COLLATE \"C\")")
    }
}

/// Spark and BigQuery read backslashes in string literals as escapes.
fn escaped_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn backticked(name: &str) -> String {
    format!("`{}`", name.replace('`', "\\`"))
}

impl Render for Spark {
    fn ident(&self, name: &str) -> String {
        backticked(name)
    }
    fn list_text(&self, list: &str) -> String {
        format!("regexp_replace(trim(BOTH ' ;' FROM {list}), '\\\\s*(;\\\\s*)+', ';')")
    }
    fn text(&self) -> &'static str {
        "STRING"
    }
    fn string(&self, s: &str) -> String {
        escaped_string(s)
    }
    // `percentile` is exact, with linear interpolation.
    fn percentile(&self, arg: &str, p: &str) -> Result<String, String> {
        Ok(format!("percentile({arg}, {p})"))
    }
    fn days_between(&self, a: &str, b: &str) -> String {
        format!("datediff({b}, {a})")
    }
    fn contains(&self, h: &str, n: &str) -> String {
        format!("(instr({h}, {n}) > 0)")
    }
    fn list_contains(&self, list: &str, item: &str) -> String {
        format!("array_contains(split({list}, ';'), {item})")
    }
    fn list_len(&self, list: &str) -> String {
        format!("size(split({list}, ';'))")
    }
}

impl Render for BigQuery {
    fn ident(&self, name: &str) -> String {
        backticked(name)
    }
    fn list_text(&self, list: &str) -> String {
        format!("REGEXP_REPLACE(TRIM({list}, ' ;'), r'\\s*(;\\s*)+', ';')")
    }
    fn double(&self) -> &'static str {
        "FLOAT64"
    }
    fn text(&self) -> &'static str {
        "STRING"
    }
    fn string(&self, s: &str) -> String {
        escaped_string(s)
    }
    fn percentile(&self, _: &str, _: &str) -> Result<String, String> {
        Err(
            "BigQuery has no exact percentile aggregate (PERCENTILE_CONT is a window \
             function there; APPROX_QUANTILES is approximate)"
                .into(),
        )
    }
    fn days_between(&self, a: &str, b: &str) -> String {
        format!("DATE_DIFF({b}, {a}, DAY)")
    }
    fn contains(&self, h: &str, n: &str) -> String {
        format!("(STRPOS({h}, {n}) > 0)")
    }
    fn list_contains(&self, list: &str, item: &str) -> String {
        format!("({item} IN UNNEST(SPLIT({list}, ';')))")
    }
    fn list_len(&self, list: &str) -> String {
        format!("ARRAY_LENGTH(SPLIT({list}, ';'))")
    }
}

impl Render for Snowflake {
    // Unquoted names are matched without regard to case (tables loaded
    // the usual way are stored in upper case); others are quoted.
    fn ident(&self, name: &str) -> String {
        let plain = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !SNOWFLAKE_RESERVED.contains(&name);
        if plain {
            name.to_string()
        } else {
            format!("\"{}\"", name.replace('"', "\"\""))
        }
    }
    fn string(&self, s: &str) -> String {
        escaped_string(s)
    }
    fn list_text(&self, list: &str) -> String {
        format!("REGEXP_REPLACE(TRIM({list}, ' ;'), '\\\\s*(;\\\\s*)+', ';')")
    }
    fn days_between(&self, a: &str, b: &str) -> String {
        format!("DATEDIFF(day, {a}, {b})")
    }
    fn char_length(&self, s: &str) -> String {
        format!("LENGTH({s})")
    }
    fn contains(&self, h: &str, n: &str) -> String {
        format!("CONTAINS({h}, {n})")
    }
    fn list_contains(&self, list: &str, item: &str) -> String {
        format!("ARRAY_CONTAINS({item}::VARIANT, SPLIT({list}, ';'))")
    }
    fn list_len(&self, list: &str) -> String {
        format!("ARRAY_SIZE(SPLIT({list}, ';'))")
    }
}

/// Snowflake's reserved words a dataset may use as a name.
const SNOWFLAKE_RESERVED: &[&str] = &[
    "all",
    "and",
    "any",
    "as",
    "between",
    "by",
    "case",
    "check",
    "column",
    "connect",
    "create",
    "current",
    "current_date",
    "delete",
    "distinct",
    "drop",
    "else",
    "exists",
    "false",
    "for",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "increment",
    "insert",
    "intersect",
    "into",
    "is",
    "like",
    "minus",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "qualify",
    "revoke",
    "row",
    "rows",
    "select",
    "set",
    "start",
    "table",
    "then",
    "to",
    "trigger",
    "true",
    "union",
    "unique",
    "update",
    "values",
    "when",
    "where",
    "with",
];
