//! The report's title, with the period scored in it: `{period}` in the
//! scorecard's title stands for the period, and a title that names
//! another year than the one scored is said, since a board reads the
//! title first.

use chrono::{Datelike, NaiveDate};

use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// How a period reads in a title: `2025` for a calendar year, `2025/26`
/// for twelve months across two years (an academic or fiscal year),
/// `2025-09-01 – 2026-03-31` otherwise.
pub fn period_label(from: NaiveDate, to: NaiveDate) -> String {
    let next_day = to.succ_opt();
    let twelve_months = next_day.is_some_and(|n| {
        n.day() == from.day() && n.month() == from.month() && n.year() == from.year() + 1
    });
    if twelve_months && from.month() == 1 && from.day() == 1 {
        from.year().to_string()
    } else if twelve_months {
        format!("{}/{:02}", from.year(), to.year().rem_euclid(100))
    } else {
        format!("{from} – {to}")
    }
}

/// The title with `{period}` replaced; without a period, `{period}` is
/// left out with the space before it.
pub fn fill(title: &str, period: Option<(NaiveDate, NaiveDate)>) -> String {
    match period {
        Some((from, to)) => title.replace("{period}", &period_label(from, to)),
        None => title.replace(" {period}", "").replace("{period}", ""),
    }
}

/// A warning when the title, written without `{period}`, names years other
/// than the period's: "impact 2025/26" over a `--period` of 2024/25.
pub fn mismatch(title: &str, span: Span, from: NaiveDate, to: NaiveDate) -> Option<Diagnostic> {
    if title.contains("{period}") {
        return None;
    }
    let (a, b) = (from.year(), to.year());
    let wrong = years(title).into_iter().find(|&(y, pair)| match pair {
        // `2025/26`, `2025-2026`: the two years of the period.
        Some(z) => (y, z) != (a, b),
        None => y < a || y > b,
    })?;
    let written = match wrong.1 {
        Some(z) => format!("{}/{:02}", wrong.0, z.rem_euclid(100)),
        None => wrong.0.to_string(),
    };
    Some(
        Diagnostic::warning(
            "score::title-period",
            format!(
                "the title says {written} but the period scored is {from} .. {to}"
            ),
        )
        .fr(format!("le titre dit {written}, mais la période notée va du {from} au {to}"))
        .at(span, "the title")
        .with_help("write `{period}` in the title where the year goes: it is replaced by the period scored"),
    )
}

/// The years a title names: `2025` alone, or `2025/26`, `2025-26`,
/// `2025/2026` as a pair.
fn years(title: &str) -> Vec<(i32, Option<i32>)> {
    let chars: Vec<char> = title.chars().collect();
    let digits_at = |i: usize| {
        let n = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let starts = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        (starts, n)
    };
    let number = |i: usize, n: usize| {
        chars[i..i + n]
            .iter()
            .collect::<String>()
            .parse::<i32>()
            .ok()
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (starts, n) = digits_at(i);
        if n == 0 {
            i += 1;
            continue;
        }
        let year = number(i, n).filter(|y| starts && n == 4 && (1900..2200).contains(y));
        let mut end = i + n;
        if let Some(y) = year {
            let mut pair = None;
            if end + 1 < chars.len() && matches!(chars[end], '/' | '-' | '–') {
                let m = chars[end + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let z = number(end + 1, m);
                pair = match (m, z) {
                    (2, Some(z)) => Some(y - y % 100 + z + if z < y % 100 { 100 } else { 0 }),
                    (4, Some(z)) => Some(z),
                    _ => None,
                };
                if pair.is_some() {
                    end += 1 + m;
                }
            }
            if end >= chars.len() || !chars[end].is_ascii_alphanumeric() {
                out.push((y, pair));
            }
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_period_reads_as_its_year() {
        assert_eq!(
            period_label(day("2025-09-01"), day("2026-08-31")),
            "2025/26"
        );
        assert_eq!(period_label(day("2025-01-01"), day("2025-12-31")), "2025");
        assert_eq!(
            period_label(day("1999-09-01"), day("2000-08-31")),
            "1999/00"
        );
        assert_eq!(
            period_label(day("2025-09-01"), day("2026-03-31")),
            "2025-09-01 – 2026-03-31"
        );
        assert_eq!(fill("Impact {period}", None), "Impact");
    }

    #[test]
    fn a_title_naming_another_year_is_said() {
        let span = Span::new(crate::source::FileId(0), 0, 1);
        let (from, to) = (day("2024-09-01"), day("2025-08-31"));
        let said = |t: &str| mismatch(t, span, from, to).map(|d| d.message);
        assert_eq!(
            said("Alumni — impact 2025/26").as_deref(),
            Some("the title says 2025/26 but the period scored is 2024-09-01 .. 2025-08-31")
        );
        assert_eq!(said("Alumni — impact 2024/25"), None);
        assert_eq!(said("Alumni — impact 2024-2025"), None);
        assert_eq!(said("Alumni 2025"), None);
        assert!(said("Alumni 2023").is_some());
        assert_eq!(said("Alumni {period}"), None);
        // Not years: ids, amounts.
        assert_eq!(said("Plan A2030, 12000 alumni"), None);
    }
}
