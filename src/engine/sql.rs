//! A scoring's rules as SQL (`kpi sql`): the plan it scores with, compiled
//! for a database; an indicator with no SQL is an error at its id, or a
//! warning with `skip_unsupported`.

use super::Scoring;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::sql::{Dialect, Sql, Unsupported};

impl Scoring<'_> {
    /// The query of every indicator's value, whole and per segment, over
    /// this scoring's period and params.
    pub fn sql(&self, dialect: Dialect, skip_unsupported: bool) -> Result<Sql, Diagnostics> {
        let period = self
            .period
            .and_then(super::assemble::iso_period)
            .map_or("none".to_string(), |(from, to)| format!("{from} .. {to}"));
        let header = format!(
            "alumni-kpi {}: {}\nperiod {period}; revision {}; dialect {dialect}\ncolumns: indicator, segment, segment_value, value",
            env!("CARGO_PKG_VERSION"),
            self.scorecard_title(),
            self.revision(),
        );
        let sql = crate::sql::compile(
            &self.c.plan,
            self.data,
            &self.c.strings,
            dialect,
            self.period,
            &header,
            &|i, segment| self.broken_down(i, segment),
        );
        let mut sql = sql;
        if !sql.skipped.is_empty() {
            // Said in the query too: a reader of the file sees what it lacks.
            let names: Vec<String> = sql
                .skipped
                .iter()
                .map(|u| match &u.segment {
                    None => u.indicator.clone(),
                    Some(s) => format!("{} by {s}", u.indicator),
                })
                .collect();
            let at = sql
                .text
                .lines()
                .take_while(|l| l.starts_with("--"))
                .map(|l| l.len() + 1)
                .sum::<usize>();
            sql.text
                .insert_str(at, &format!("-- left out (no SQL): {}\n", names.join(", ")));
        }
        if !skip_unsupported && !sql.skipped.is_empty() {
            let said = sql.skipped.iter().map(|u| self.unsupported(u, false));
            return Err(Diagnostics::from(said.collect::<Vec<_>>()));
        }
        Ok(sql)
    }

    /// The columns the rules read, as `(table, column)`: what a database
    /// source fetches.
    pub fn columns_read(&self) -> Vec<(String, String)> {
        crate::sql::columns_read(&self.c.plan, self.data)
            .into_iter()
            .flat_map(|(t, cols)| {
                let table = &self.data.tables[t];
                cols.into_iter()
                    .map(|c| (table.name.clone(), table.columns[c].name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The warning that an indicator was left out of a query.
    pub fn unsupported_note(&self, u: &Unsupported) -> Diagnostic {
        self.unsupported(u, true)
    }

    fn unsupported(&self, u: &Unsupported, skipped: bool) -> Diagnostic {
        let what = match &u.segment {
            None => format!("indicator `{}`", u.indicator),
            Some(s) => format!("indicator `{}` by segment `{s}`", u.indicator),
        };
        let quoi = match &u.segment {
            None => format!("l'indicateur `{}`", u.indicator),
            Some(s) => format!("l'indicateur `{}` par segment `{s}`", u.indicator),
        };
        let span = self.c.decls.indicators[u.index].indicator.id.span;
        let d = if skipped {
            Diagnostic::warning(
                "sql::unsupported",
                format!("{what} has no SQL and is left out: {}", u.reason),
            )
            .fr(format!("{quoi} n'a pas de SQL et est omis : {}", u.reason))
        } else {
            Diagnostic::error(
                "sql::unsupported",
                format!("{what} cannot be compiled to SQL: {}", u.reason),
            )
            .fr(format!("{quoi} ne se traduit pas en SQL : {}", u.reason))
            .with_help("`--skip-unsupported` leaves it out of the query (and says so)")
        };
        d.at(span, "no SQL for this indicator")
    }
}
