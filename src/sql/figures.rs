//! The rows a query returns, as figures: per indicator, the value of the
//! whole population and of each segment value.

use std::collections::HashMap;

/// One row of the query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub indicator: String,
    pub segment: Option<String>,
    pub segment_value: Option<String>,
    pub value: Option<f64>,
}

/// The figures of one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// indicator → value.
    pub whole: HashMap<String, Option<f64>>,
    /// (indicator, segment) → segment value as text → value.
    pub segments: HashMap<(String, String), HashMap<String, Option<f64>>>,
}

impl Figures {
    pub fn from_rows(rows: impl IntoIterator<Item = FigureRow>) -> Figures {
        let mut f = Figures::default();
        for row in rows {
            // A database may give a non-finite double where the rules say
            // "no data".
            let value = row.value.filter(|v| v.is_finite());
            match (row.segment, row.segment_value) {
                (Some(s), Some(v)) => {
                    f.segments
                        .entry((row.indicator, s))
                        .or_default()
                        .insert(v, value);
                }
                _ => {
                    f.whole.insert(row.indicator, value);
                }
            }
        }
        f
    }

    /// Reads the query's result as CSV with a header (what the DuckDB and
    /// PostgreSQL shells print): empty cells are nulls.
    pub fn from_csv(text: &str) -> Result<Figures, String> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| e.to_string())?.clone();
        let want = ["indicator", "segment", "segment_value", "value"];
        let at: Vec<usize> = want
            .iter()
            .map(|w| {
                headers
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(w))
                    .ok_or(format!("the result has no column `{w}`"))
            })
            .collect::<Result<_, _>>()?;
        let mut rows = Vec::new();
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|e| e.to_string())?;
            let cell = |i: usize| {
                record
                    .get(at[i])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let value = match cell(3) {
                None => None,
                Some(v) => Some(
                    v.parse::<f64>()
                        .map_err(|_| format!("line {}: value `{v}` is not a number", line + 2))?,
                ),
            };
            rows.push(FigureRow {
                indicator: cell(0).ok_or(format!("line {}: no indicator", line + 2))?,
                segment: cell(1),
                segment_value: cell(2),
                value,
            });
        }
        Ok(Figures::from_rows(rows))
    }
}
