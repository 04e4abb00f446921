//! Evaluation: the plan run over a loaded dataset.
//!
//! | module      | role                                                   |
//! |-------------|--------------------------------------------------------|
//! | `plan`      | the flat IR compiled from the checked rules            |
//! | `cache`     | caches the evaluating threads share, filled once      |
//! | `columnar`  | the fast evaluator: whole columns, selection vectors   |
//! | `groups`    | segment values numbered, to reduce all segments at once |
//! | `pushed`    | a database's aggregates in place of rows (pushdown)   |
//! | `reduce`    | aggregates reduced per group, and merged per segment  |
//! | `reference` | the simple row-at-a-time evaluator the fast one must match |
//! | `ops`       | operators and functions on single values (null rules)  |
//! | `script`    | rhai plugins and inline blocks, sandboxed             |
//! | `value`     | values, columns of values, strings                     |

mod cache;
pub mod columnar;
pub mod groups;
pub mod ops;
pub mod plan;
pub mod pushed;
mod reduce;
pub mod reference;
pub mod script;
pub mod value;

use std::collections::HashMap;
use std::path::Path;

use chrono::Datelike;

use crate::diagnostic::{Diagnostic, Diagnostics};
use value::Value;

/// The stack of an evaluation thread. Evaluation recurses through
/// declarations (a let that reads a let that reads a let…), and the checker
/// lets chains reach [`crate::check::MAX_CHAIN`]: this is room for them,
/// reserved, not used (the system commits only the pages touched).
pub const STACK: usize = 1 << 30;

/// The threads evaluations run on (each with a [`STACK`]-sized stack),
/// created once. `None` if the system refuses them; evaluation then runs
/// where it is called.
pub fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK)
            .thread_name(|i| format!("kpi-eval-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `f` on the evaluation threads.
pub fn on_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match pool() {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// A period as days from CE, both ends included.
pub type Period = (i32, i32);

/// The period of the same length just before `period`: `prior(..)`'s
/// baseline and a trend's previous entry. A period of whole months (a
/// calendar or academic year, a quarter) steps back by as many months, so
/// that the year before 2025 is all of 2024, its 29 February and 1 January
/// included; any other period steps back by its number of days.
pub fn previous_period((from, to): Period) -> Period {
    use chrono::{Months, NaiveDate};
    let by_days = (from - (to - from + 1), from - 1);
    let day = |d: i32| NaiveDate::from_num_days_from_ce_opt(d);
    let (Some(first), Some(last)) = (day(from), day(to)) else {
        return by_days;
    };
    let ends_a_month = last.succ_opt().is_some_and(|next| next.day() == 1);
    if first.day() != 1 || !ends_a_month {
        return by_days;
    }
    let months = (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32 + 1;
    match first.checked_sub_months(Months::new(months as u32)) {
        Some(start) => (start.num_days_from_ce(), from - 1),
        None => by_days,
    }
}

/// A benchmark file has no reason to be larger.
pub const BENCHMARK_CAP: u64 = 16 << 20;

/// Peer institutions' figures per indicator (the benchmark file).
#[derive(Debug, Clone, Default)]
pub struct Peers {
    /// The figures of each indicator, sorted, by period: one entry under
    /// `None` when the file has no `period` column (its figures serve
    /// every period).
    by_period: HashMap<Option<Period>, HashMap<String, Vec<f64>>>,
    /// The file has a `period` column: a period's figures are its own
    /// rows, and a period without rows has no peers.
    dated: bool,
    institutions: usize,
    /// Fewer figures than this for an indicator are no comparison:
    /// `peers(p)` is null and no rank is given (`benchmark_min_peers`).
    pub min: usize,
}

/// The usual `benchmark_min_peers`.
pub const MIN_PEERS: usize = 4;

/// Where an indicator stands among its peers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PeerPosition {
    /// Peers with a figure for the indicator.
    pub n: usize,
    pub median: Option<f64>,
    /// 1 + the number of peers with a better figure (higher, or lower
    /// when lower is better).
    pub rank: Option<usize>,
}

impl Peers {
    /// Reads `institution,indicator,value[,period]` rows of a regular file
    /// (the delimiter sniffed from the header; a value may use a decimal
    /// comma when the delimiter is not a comma).
    pub fn load(path: &Path) -> Result<Peers, Diagnostics> {
        let file = path.display().to_string();
        let fail = |line: usize, msg: String, help: Option<String>| {
            Diagnostics(vec![
                Diagnostic::error("data::benchmark", msg)
                    .in_file(&file, line, 1)
                    .with_help_opt(help),
            ])
        };
        let text = crate::files::read_text(path, crate::files::Encoding::Utf8, Some(BENCHMARK_CAP))
            .map_err(|e| fail(e.line.map_or(1, |l| l.0), e.message, e.help))?;
        use crate::data::locale::{Decimal, parse_number, sniff_delimiter};
        let delimiter = sniff_delimiter(&text).unwrap_or(b',');
        let headers = crate::data::delimited::header(&text, delimiter);
        let col = |name: &str| headers.iter().position(|h| h == name);
        let period_col = col("period");
        let (Some(inst), Some(ind), Some(val)) =
            (col("institution"), col("indicator"), col("value"))
        else {
            return Err(fail(
                1,
                "the benchmark needs the columns `institution`, `indicator` and `value`".into(),
                None,
            ));
        };
        // With `;` or tabs between cells, a comma is a decimal comma.
        let decimal = match delimiter {
            b',' => Decimal::Point,
            _ => Decimal::Comma,
        };
        let mut peers = Peers {
            dated: period_col.is_some(),
            ..Peers::default()
        };
        let mut names = std::collections::HashSet::new();
        let mut errors = Diagnostics::new();
        let mut bad_rows = Vec::new();
        crate::data::delimited::rows(
            &text,
            delimiter,
            headers.len(),
            &mut |r| {
                let value = r.cell(val).trim();
                if value.is_empty() {
                    return;
                }
                let Some(number) =
                    parse_number(value, Decimal::Point).or_else(|| parse_number(value, decimal))
                else {
                    errors.extend(fail(
                        r.line as usize,
                        format!("`{value}` is not a number (column `value`)"),
                        None,
                    ));
                    return;
                };
                let period = match period_col.map(|c| r.cell(c).trim()) {
                    None => None,
                    Some(written) => match crate::syntax::period_dates(written) {
                        Ok((from, to)) => Some((from.num_days_from_ce(), to.num_days_from_ce())),
                        Err(_) => {
                            errors.extend(fail(
                                r.line as usize,
                                if written.is_empty() {
                                    "this figure has no period (column `period`)".to_string()
                                } else {
                                    format!("`{written}` is not a period (column `period`)")
                                },
                                Some(
                                    "write the period a figure belongs to as FROM..TO, for example 2025-09-01..2026-08-31, as the scorecard's period is written".into(),
                                ),
                            ));
                            return;
                        }
                    },
                };
                names.insert(r.cell(inst).trim().to_string());
                peers
                    .by_period
                    .entry(period)
                    .or_default()
                    .entry(r.cell(ind).trim().to_string())
                    .or_default()
                    .push(number);
            },
            &mut |bad| bad_rows.push(bad.line()),
        );
        for line in bad_rows {
            errors.extend(fail(
                line as usize,
                format!(
                    "this row does not have the header's {} fields",
                    headers.len()
                ),
                None,
            ));
        }
        if errors.has_errors() {
            return Err(errors);
        }
        for values in peers.by_period.values_mut().flat_map(|m| m.values_mut()) {
            values.sort_by(f64::total_cmp);
        }
        peers.institutions = names.len();
        Ok(peers)
    }

    /// The figures of an indicator in a period: those of the period in a
    /// file with a `period` column, else the file's.
    fn figures(&self, indicator: &str, period: Option<Period>) -> Option<&Vec<f64>> {
        let key = if self.dated { period } else { None };
        self.by_period.get(&key)?.get(indicator)
    }

    /// How many peer figures an indicator has in a period.
    pub fn count(&self, indicator: &str, period: Option<Period>) -> usize {
        self.figures(indicator, period).map_or(0, Vec::len)
    }

    /// The figures of an indicator in a period, when there are enough.
    fn enough(&self, indicator: &str, period: Option<Period>) -> Option<&Vec<f64>> {
        self.figures(indicator, period)
            .filter(|v| v.len() >= self.min.max(1))
    }

    /// Whether an indicator has figures in some period (the file names
    /// it).
    fn names(&self, indicator: &str) -> bool {
        self.by_period.values().any(|m| m.contains_key(indicator))
    }

    /// The peers' p-th percentile for an indicator, oriented by its
    /// direction: for a lower-is-better indicator, `peers(75%)` is the
    /// figure that beats 75 % of the peers (their 25th percentile).
    pub fn percentile(
        &self,
        indicator: &str,
        p: Option<f64>,
        lower_is_better: bool,
        period: Option<Period>,
    ) -> Value {
        match (self.enough(indicator, period), p) {
            (Some(values), Some(p)) if lower_is_better => ops::percentile(values, 1.0 - p),
            (Some(values), Some(p)) => ops::percentile(values, p),
            _ => Value::Null,
        }
    }

    /// The p-th percentile of an indicator's figures of every period
    /// together (higher is better): a magnitude for learning which way
    /// its score function goes, not a figure of the report.
    pub fn pooled_percentile(&self, indicator: &str, p: Option<f64>) -> Value {
        let mut all: Vec<f64> = self
            .by_period
            .values()
            .filter_map(|m| m.get(indicator))
            .flatten()
            .copied()
            .collect();
        all.sort_by(f64::total_cmp);
        match p {
            Some(p) if !all.is_empty() && all.len() >= self.min.max(1) => ops::percentile(&all, p),
            _ => Value::Null,
        }
    }

    pub fn position(
        &self,
        indicator: &str,
        value: Option<f64>,
        lower_is_better: bool,
        period: Option<Period>,
    ) -> Option<PeerPosition> {
        let Some(all) = self.figures(indicator, period) else {
            // Named for other periods only: none to compare with in this one.
            return self.names(indicator).then_some(PeerPosition {
                n: 0,
                median: None,
                rank: None,
            });
        };
        let Some(values) = self.enough(indicator, period) else {
            // Too few to compare with: the count, and no rank or median.
            return Some(PeerPosition {
                n: all.len(),
                median: None,
                rank: None,
            });
        };
        let median = ops::percentile(values, 0.5).as_num();
        let rank = value.map(|v| {
            1 + values
                .iter()
                .filter(|&&x| if lower_is_better { x < v } else { x > v })
                .count()
        });
        Some(PeerPosition {
            n: values.len(),
            median,
            rank,
        })
    }
}
