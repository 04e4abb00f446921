//! What the cells of a file say about its columns: each column's type, the
//! table's decimal mark and date order. Every non-empty cell of every row
//! is counted.
//!
//! A column takes the type of the majority of its non-empty cells (more
//! than half are numbers, dates or yes/no words), so that one bad cell is
//! an error in a number or date column, never a silent switch of the
//! column to text. A column with no such majority is text.

use super::locale::{BoolWords, DateFormat, Decimal, Shape, shape};
use super::schema::ColumnType;
use super::table::Cell;

/// A cell worth naming in a message: its line, column and text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sample {
    pub line: u32,
    pub column: usize,
    pub text: String,
}

/// What a column's cells are read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Learn {
    /// An undeclared column: its type, and the table's locale.
    All,
    /// A declared number column: only the decimal mark.
    Decimal,
    /// A declared date column: only the date order.
    DateOrder,
}

/// Counts of the shapes of one column's cells.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    /// At most this many cells will be counted (the file's lines): once a
    /// family holds more than half of them, the column's type is settled
    /// and later cells are read only for what they tell of the locale.
    most: u32,
    settled: Option<ColumnType>,
    non_empty: u32,
    bools: u32,
    numbers: u32,
    dates: u32,
    list: bool,
    /// Decimal-comma numbers (`12,5`) with other than three digits after
    /// the comma: a comma that cannot separate thousands.
    comma_decimals: u32,
    /// `1,500`: a decimal comma or a thousands separator.
    comma_thousands: Option<Sample>,
    /// Numbers with a point and other than three digits after it.
    point_decimals: u32,
    /// Slashed dates whose first part exceeds 12 (day first), whose
    /// second does (month first), and the first slashed date seen.
    day_first: u32,
    month_first: u32,
    slashed: Option<(Sample, char)>,
}

impl Tally {
    /// A tally for a column of at most `most` cells.
    pub fn new(most: usize) -> Tally {
        Tally {
            most: u32::try_from(most).unwrap_or(u32::MAX),
            ..Tally::default()
        }
    }

    /// Counts one cell; `at` gives its line and column (asked only for a
    /// cell kept as an example).
    pub fn add(
        &mut self,
        cell: &Cell<'_>,
        learn: Learn,
        at: &dyn Fn() -> (u32, usize),
        words: &BoolWords,
    ) {
        if matches!(cell, Cell::List(_)) {
            self.list = true;
            return;
        }
        let learn = match (learn, self.settled) {
            (Learn::All, Some(ColumnType::Number)) => Learn::Decimal,
            (Learn::All, Some(ColumnType::Date)) => Learn::DateOrder,
            (Learn::All, Some(_)) => return,
            (learn, _) => learn,
        };
        let text = match cell {
            Cell::Null | Cell::List(_) => return,
            Cell::Number(_) => {
                self.non_empty += 1;
                self.numbers += 1;
                return;
            }
            Cell::Bool(_) => {
                self.non_empty += 1;
                self.bools += 1;
                return;
            }
            Cell::Text(t) => t.trim(),
        };
        if text.is_empty() {
            return;
        }
        // Declared columns teach only what their cells can tell: most
        // cells tell nothing and are passed over quickly.
        let b = text.as_bytes();
        match learn {
            Learn::Decimal if memchr::memchr2(b'.', b',', b).is_none() => return,
            Learn::DateOrder if b.len() >= 5 && b[4] == b'-' => return,
            _ => {}
        }
        self.non_empty += 1;
        let sample = || {
            let (line, column) = at();
            Sample {
                line,
                column,
                text: text.to_string(),
            }
        };
        match shape(text, words) {
            Shape::Bool => self.bools += 1,
            Shape::Number { after_point } => {
                self.numbers += 1;
                if after_point.is_some_and(|n| n != 3) {
                    self.point_decimals += 1;
                }
            }
            Shape::CommaNumber { after_comma } => {
                self.numbers += 1;
                if after_comma == 3 {
                    if self.comma_thousands.is_none() {
                        self.comma_thousands = Some(sample());
                    }
                } else {
                    self.comma_decimals += 1;
                }
            }
            Shape::IsoDate | Shape::DateLike => self.dates += 1,
            Shape::Slashed { first, second, sep } => {
                self.dates += 1;
                if first > 12 {
                    self.day_first += 1;
                }
                if second > 12 {
                    self.month_first += 1;
                }
                if self.slashed.is_none() {
                    self.slashed = Some((sample(), sep));
                }
            }
            Shape::Text => {}
        }
        if learn == Learn::All {
            let text = self.non_empty - self.numbers - self.dates - self.bools;
            self.settled = [
                (self.numbers, ColumnType::Number),
                (self.dates, ColumnType::Date),
                (self.bools, ColumnType::Bool),
                (text, ColumnType::String),
            ]
            .into_iter()
            .find(|(count, _)| 2 * u64::from(*count) > u64::from(self.most))
            .map(|(_, t)| t);
        }
    }

    /// The type of a column no one declared.
    pub fn column_type(&self) -> ColumnType {
        if self.list {
            return ColumnType::List;
        }
        if let Some(t) = self.settled {
            return t;
        }
        let n = self.non_empty;
        [
            (self.numbers, ColumnType::Number),
            (self.dates, ColumnType::Date),
            (self.bools, ColumnType::Bool),
        ]
        .into_iter()
        .find(|(count, _)| 2 * count > n)
        .map_or(ColumnType::String, |(_, t)| t)
    }
}

/// What could not be told from the file, with the cell that shows it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ambiguous {
    /// `1,500`: one and a half, or fifteen hundred.
    Decimal(Sample),
    /// `05/01/2026`: the 5th of January or the 1st of May.
    DateOrder(Sample),
}

/// The decimal mark of a table, from its number columns' tallies:
/// `Ok((mark, inferred))`.
/// `others`: what the dataset's other tables showed, for a table that
/// cannot tell on its own.
pub(super) fn decimal<'a>(
    declared: Option<Decimal>,
    numbers: impl Iterator<Item = &'a Tally>,
    others: Option<Decimal>,
) -> Result<(Decimal, bool), Ambiguous> {
    if let Some(d) = declared {
        return Ok((d, false));
    }
    let (mut commas, mut points, mut thousands) = (0, 0, None);
    for t in numbers {
        commas += t.comma_decimals;
        points += t.point_decimals;
        if thousands.is_none() {
            thousands = t.comma_thousands.clone();
        }
    }
    if commas > points {
        return Ok((Decimal::Comma, true));
    }
    match thousands {
        // No decimal tells, and a comma before three digits: as the other
        // tables, or ask.
        Some(sample) if commas == 0 && points == 0 => {
            others.map(|d| (d, true)).ok_or(Ambiguous::Decimal(sample))
        }
        // Points seen: told by the file.
        _ => Ok((Decimal::Point, points > 0)),
    }
}

/// The date format of a table, from its date columns' tallies:
/// `Ok((format, inferred))`. ISO dates need no format.
/// `day_first_elsewhere`: the order the dataset's other tables showed.
pub(super) fn date_format<'a>(
    declared: Option<&DateFormat>,
    dates: impl Iterator<Item = &'a Tally>,
    day_first_elsewhere: Option<bool>,
) -> Result<(DateFormat, bool), Ambiguous> {
    if let Some(f) = declared {
        return Ok((f.clone(), false));
    }
    let (mut day, mut month, mut first) = (0, 0, None);
    for t in dates {
        day += t.day_first;
        month += t.month_first;
        if first.is_none() {
            first = t.slashed.clone();
        }
    }
    let Some((sample, sep)) = first else {
        return Ok((DateFormat::Iso, false));
    };
    match (day, month) {
        (0, 0) => match day_first_elsewhere {
            Some(true) => Ok((DateFormat::DayFirst(sep), true)),
            Some(false) => Ok((DateFormat::MonthFirst(sep), true)),
            None => Err(Ambiguous::DateOrder(sample)),
        },
        // Both orders appear: the commoner wins, the others are bad cells.
        (d, m) if d >= m => Ok((DateFormat::DayFirst(sep), true)),
        _ => Ok((DateFormat::MonthFirst(sep), true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn tally(cells: &[&str]) -> Tally {
        let mut t = Tally::new(cells.len());
        for (i, c) in cells.iter().enumerate() {
            t.add(
                &Cell::Text(Cow::Borrowed(c)),
                Learn::All,
                &|| (i as u32 + 2, 1),
                &BoolWords::default(),
            );
        }
        t
    }

    #[test]
    fn one_bad_cell_does_not_make_a_column_text() {
        assert_eq!(
            tally(&["2026-01-05", "2026-02-30", "2026-03-01"]).column_type(),
            ColumnType::Date
        );
        assert_eq!(
            tally(&["1", "1,5,3", "NaN", "4", "5"]).column_type(),
            ColumnType::Number
        );
        assert_eq!(
            tally(&["2026-01-05", "20260105", "2026-03-01"]).column_type(),
            ColumnType::Date
        );
        assert_eq!(tally(&["Oui", "Non", ""]).column_type(), ColumnType::Bool);
        assert_eq!(
            tally(&["1", "x"]).column_type(),
            ColumnType::String,
            "no majority"
        );
        assert_eq!(
            tally(&["Paris", "75001", "Lyon"]).column_type(),
            ColumnType::String
        );
    }

    #[test]
    fn the_decimal_mark_is_inferred_only_when_the_file_tells() {
        let comma = tally(&["1,5", "2", "3,25"]);
        assert_eq!(
            decimal(None, [&comma].into_iter(), None),
            Ok((Decimal::Comma, true))
        );
        let thousands = tally(&["1,500", "2"]);
        assert!(matches!(
            decimal(None, [&thousands].into_iter(), None),
            Err(Ambiguous::Decimal(_))
        ));
        assert_eq!(
            decimal(Some(Decimal::Comma), [&thousands].into_iter(), None),
            Ok((Decimal::Comma, false))
        );
        let both = tally(&["1,500", "2,5"]);
        assert_eq!(
            decimal(None, [&both].into_iter(), None),
            Ok((Decimal::Comma, true))
        );
        let points = tally(&["1.5", "1,500"]);
        assert_eq!(
            decimal(None, [&points].into_iter(), None),
            Ok((Decimal::Point, true))
        );
        // A table that cannot tell reads as the others showed.
        assert_eq!(
            decimal(None, [&thousands].into_iter(), Some(Decimal::Comma)),
            Ok((Decimal::Comma, true))
        );
    }

    #[test]
    fn day_first_dates_need_a_day_above_twelve() {
        let fr = tally(&["05/01/2026", "25/12/2025"]);
        assert_eq!(
            date_format(None, [&fr].into_iter(), None),
            Ok((DateFormat::DayFirst('/'), true))
        );
        let us = tally(&["12/25/2025", "01/05/2026"]);
        assert_eq!(
            date_format(None, [&us].into_iter(), None),
            Ok((DateFormat::MonthFirst('/'), true))
        );
        let unsure = tally(&["05/01/2026", "06/02/2026"]);
        let Err(Ambiguous::DateOrder(sample)) = date_format(None, [&unsure].into_iter(), None)
        else {
            panic!("ambiguous")
        };
        assert_eq!((sample.line, sample.text.as_str()), (2, "05/01/2026"));
        assert_eq!(
            date_format(None, [&unsure].into_iter(), Some(true)),
            Ok((DateFormat::DayFirst('/'), true))
        );
        let iso = tally(&["2026-01-05"]);
        assert_eq!(
            date_format(None, [&iso].into_iter(), None),
            Ok((DateFormat::Iso, false))
        );
    }
}
