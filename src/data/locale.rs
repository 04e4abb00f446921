//! How a table writes its values: the delimiter, the decimal mark, the
//! date format and the words for yes and no; declared in `dataset.yaml`
//! or inferred from the file where that is unambiguous.
//!
//! Inference never guesses: a day-first date is recognised because some
//! day exceeds 12, a decimal comma because some number has other than three
//! digits after its comma (`1,500` could be a thousands separator). When
//! the file cannot tell, loading stops and asks for the declaration.

use chrono::Datelike;

/// A decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    Point,
    Comma,
}

impl Decimal {
    pub fn mark(self) -> char {
        match self {
            Decimal::Point => '.',
            Decimal::Comma => ',',
        }
    }
}

/// How dates other than ISO `YYYY-MM-DD` are written. ISO dates are read
/// whatever the format: they cannot be mistaken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// Only ISO dates.
    Iso,
    /// `dd/mm/yyyy` (also with `.` or `-`), the separator seen first.
    DayFirst(char),
    /// `mm/dd/yyyy`.
    MonthFirst(char),
    /// A chrono / strftime format (`%d %B %Y`).
    Custom(String),
}

impl DateFormat {
    /// The format as a strftime string, for reports.
    pub fn describe(&self) -> String {
        match self {
            DateFormat::Iso => "%Y-%m-%d".into(),
            DateFormat::DayFirst(s) => format!("%d{s}%m{s}%Y"),
            DateFormat::MonthFirst(s) => format!("%m{s}%d{s}%Y"),
            DateFormat::Custom(f) => f.clone(),
        }
    }

    /// A declared format: the two usual orders are read by the fast
    /// parser, anything else by chrono. `Err` says what is wrong.
    pub fn declared(text: &str) -> Result<DateFormat, String> {
        for sep in ['/', '.', '-'] {
            if text == format!("%d{sep}%m{sep}%Y") {
                return Ok(DateFormat::DayFirst(sep));
            }
            if text == format!("%m{sep}%d{sep}%Y") {
                return Ok(DateFormat::MonthFirst(sep));
            }
        }
        if text == "%Y-%m-%d" {
            return Ok(DateFormat::Iso);
        }
        use chrono::format::{Item, StrftimeItems};
        let items: Vec<Item<'_>> = StrftimeItems::new(text).collect();
        if items.iter().any(|i| matches!(i, Item::Error)) {
            return Err(format!("`{text}` is not a date format"));
        }
        let has = |specs: &[&str]| specs.iter().any(|s| text.contains(s));
        if !has(&["%Y", "%y", "%C"]) || !has(&["%m", "%b", "%B", "%h"]) || !has(&["%d", "%e"]) {
            return Err(format!("`{text}` does not give a year, a month and a day"));
        }
        Ok(DateFormat::Custom(text.to_string()))
    }

    /// A date cell in this format (or ISO), as days from CE.
    pub fn parse(&self, t: &str) -> Option<i32> {
        if let Some(d) = parse_iso(t) {
            return Some(d);
        }
        match self {
            DateFormat::Iso => None,
            DateFormat::DayFirst(_) => {
                let (a, b, y) = slashed(t)?;
                ymd(y, b, a)
            }
            DateFormat::MonthFirst(_) => {
                let (a, b, y) = slashed(t)?;
                ymd(y, a, b)
            }
            DateFormat::Custom(f) => chrono::NaiveDate::parse_from_str(t, f)
                .ok()
                .map(|d| d.num_days_from_ce()),
        }
    }
}

/// The words read as yes and no.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoolWords {
    /// Declared in the manifest (`true_values`, `false_values`), in
    /// addition to the usual words.
    pub extra_true: Vec<String>,
    pub extra_false: Vec<String>,
}

/// Read as yes and no in every bool column, and recognised by inference.
const TRUE_WORDS: [&str; 4] = ["true", "yes", "oui", "vrai"];
const FALSE_WORDS: [&str; 4] = ["false", "no", "non", "faux"];
/// Also read in columns declared `bool` (too short or too numeric to
/// infer a column from).
const DECLARED_TRUE: [&str; 4] = ["y", "o", "1", "t"];
const DECLARED_FALSE: [&str; 3] = ["n", "0", "f"];

impl BoolWords {
    /// A cell as yes/no: `declared` when the column is declared bool.
    pub fn parse(&self, t: &str, declared: bool) -> Option<bool> {
        // What exports write most, first.
        match t {
            "true" => return Some(true),
            "false" => return Some(false),
            _ => {}
        }
        // The usual words are at most 5 letters: longer cells are words
        // only if declared ones are that long.
        if t.len() > 5
            && !self
                .extra_true
                .iter()
                .chain(&self.extra_false)
                .any(|w| w.len() == t.len())
        {
            return None;
        }
        let is = |w: &&str| t.eq_ignore_ascii_case(w);
        let extra = |w: &String| t.eq_ignore_ascii_case(w);
        if TRUE_WORDS.iter().any(is) || self.extra_true.iter().any(extra) {
            return Some(true);
        }
        if FALSE_WORDS.iter().any(is) || self.extra_false.iter().any(extra) {
            return Some(false);
        }
        if declared {
            if DECLARED_TRUE.iter().any(is) {
                return Some(true);
            }
            if DECLARED_FALSE.iter().any(is) {
                return Some(false);
            }
        }
        None
    }

    /// The words, for messages.
    pub fn describe(&self) -> String {
        let mut yes: Vec<String> = TRUE_WORDS.iter().map(|s| s.to_string()).collect();
        yes.extend(self.extra_true.iter().cloned());
        let mut no: Vec<String> = FALSE_WORDS.iter().map(|s| s.to_string()).collect();
        no.extend(self.extra_false.iter().cloned());
        format!("{} for yes, {} for no", yes.join("/"), no.join("/"))
    }
}

/// A number under a decimal mark. Infinite and NaN never come out.
pub fn parse_number(t: &str, decimal: Decimal) -> Option<f64> {
    let parsed = match decimal {
        Decimal::Point => {
            if t.contains(',') {
                return None;
            }
            t.parse::<f64>()
        }
        Decimal::Comma => {
            if t.contains('.') {
                return None;
            }
            match t.find(',') {
                Some(i) => {
                    if t[i + 1..].contains(',') {
                        return None;
                    }
                    format!("{}.{}", &t[..i], &t[i + 1..]).parse::<f64>()
                }
                None => t.parse::<f64>(),
            }
        }
    };
    // `inf`, `NaN` and overflowing exponents are not numbers of a table.
    parsed.ok().filter(|n| n.is_finite())
}

fn ymd(y: u32, m: u32, d: u32) -> Option<i32> {
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d).map(|date| date.num_days_from_ce())
}

/// The number written by ASCII digits (`None` if empty or not digits).
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// A time of day after a date: `HH:MM`, `HH:MM:SS`, fractions of a
/// second, and a zone (`Z`, `+02`, `+0200`, `+02:00`).
fn is_time(b: &[u8]) -> bool {
    let num = |s: &[u8], max: u32| s.len() == 2 && digits(s).is_some_and(|n| n <= max);
    if b.len() < 5 || !num(&b[0..2], 23) || b[2] != b':' || !num(&b[3..5], 59) {
        return false;
    }
    let mut rest = &b[5..];
    if let [b':', s1, s2, tail @ ..] = rest {
        if !num(&[*s1, *s2], 60) {
            return false;
        }
        rest = tail;
        if let [b'.', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            rest = &tail[n..];
        }
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2] => num(&[*h1, *h2], 23),
        [b'+' | b'-', h1, h2, m1, m2] | [b'+' | b'-', h1, h2, b':', m1, m2] => {
            num(&[*h1, *h2], 23) && num(&[*m1, *m2], 59)
        }
        _ => false,
    }
}

/// `YYYY-M-D`, `YYYY-MM-DD`, optionally followed by `T` or a space and a
/// time of day. Anything else after the date is not a date.
pub fn parse_iso(t: &str) -> Option<i32> {
    let (y, m, d) = iso_parts(t)?;
    ymd(y, m, d)
}

/// The year, month and day of a text written like an ISO date (whether
/// or not that day exists).
fn iso_parts(t: &str) -> Option<(u32, u32, u32)> {
    let b = t.as_bytes();
    if b.len() < 8 || b[4] != b'-' {
        return None;
    }
    let y = digits(&b[..4])?;
    let m_len = b[5..].iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&m_len) || b.get(5 + m_len) != Some(&b'-') {
        return None;
    }
    let m = digits(&b[5..5 + m_len])?;
    let ds = 6 + m_len;
    let d_len = b[ds..].iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&d_len) {
        return None;
    }
    let d = digits(&b[ds..ds + d_len])?;
    let clean = match &b[ds + d_len..] {
        [] => true,
        [b'T' | b' ', time @ ..] => is_time(time),
        _ => false,
    };
    clean.then_some((y, m, d))
}

/// `A/B/YYYY` (or with `.` or `-`, the same both times), optionally
/// followed by a space and a time: the three numbers.
fn slashed(t: &str) -> Option<(u32, u32, u32)> {
    let b = t.as_bytes();
    let a_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&a_len) {
        return None;
    }
    let sep = *b.get(a_len)?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    let rest = &b[a_len + 1..];
    let b_len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=2).contains(&b_len) || rest.get(b_len) != Some(&sep) {
        return None;
    }
    let year = &rest[b_len + 1..];
    if year.len() < 4 || !year[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let tail = &year[4..];
    let clean = match tail {
        [] => true,
        [b' ' | b'T', time @ ..] => is_time(time),
        _ => false,
    };
    if !clean {
        return None;
    }
    Some((
        digits(&b[..a_len])?,
        digits(&rest[..b_len])?,
        digits(&year[..4])?,
    ))
}

/// What a cell looks like, for inference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Bool,
    /// A number with a decimal point (or none): the digits after the
    /// point, if any.
    Number {
        after_point: Option<usize>,
    },
    /// `12,5`: a number only under a decimal comma; the digits after it.
    CommaNumber {
        after_comma: usize,
    },
    /// `2026-01-05`.
    IsoDate,
    /// `05/01/2026`, a valid date in at least one order.
    Slashed {
        first: u32,
        second: u32,
        sep: char,
    },
    /// Written like a date but no date (`2026-02-30`, `2026-13-01`,
    /// `2026-01-05 garbage`, `32/01/2026`, `05/01/26`).
    DateLike,
    Text,
}

/// The shape of a trimmed, non-empty cell.
pub fn shape(t: &str, words: &BoolWords) -> Shape {
    let b = t.as_bytes();
    let first = b[0];
    // The usual words start with a letter; declared ones may not.
    let may_be_word =
        !first.is_ascii_digit() || !words.extra_true.is_empty() || !words.extra_false.is_empty();
    if may_be_word && words.parse(t, false).is_some() {
        return Shape::Bool;
    }
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Shape::Text;
    }
    if b.len() >= 8 && b[4] == b'-' && b[..4].iter().all(u8::is_ascii_digit) {
        return match parse_iso(t) {
            Some(_) => Shape::IsoDate,
            None => Shape::DateLike,
        };
    }
    if let Some((a, b2, y)) = slashed(t) {
        let sep = char::from(b[t.find(['/', '.', '-']).unwrap_or(0)]);
        return if ymd(y, b2, a).is_some() || ymd(y, a, b2).is_some() {
            Shape::Slashed {
                first: a,
                second: b2,
                sep,
            }
        } else {
            Shape::DateLike
        };
    }
    if looks_like_short_date(b) {
        return Shape::DateLike;
    }
    if let Some(i) = t.find(',') {
        let (int, frac) = (&t[..i], &t[i + 1..]);
        let int = int.strip_prefix(['-', '+']).unwrap_or(int);
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        return if all_digits(int) && all_digits(frac) {
            Shape::CommaNumber {
                after_comma: frac.len(),
            }
        } else {
            Shape::Text
        };
    }
    // No comma here: the number is read as with a decimal point.
    match t.parse::<f64>().ok().filter(|n| n.is_finite()) {
        Some(_) => Shape::Number {
            after_point: t
                .find('.')
                .map(|i| t[i + 1..].bytes().take_while(u8::is_ascii_digit).count()),
        },
        None => Shape::Text,
    }
}

/// `05/01/26`, `5.1.26`: a date with a two-digit year, or another
/// three-part date that no order makes valid.
fn looks_like_short_date(b: &[u8]) -> bool {
    let mut parts = 0;
    for part in b.split(|c| matches!(c, b'/' | b'.')) {
        parts += 1;
        if parts > 3 || !(1..=4).contains(&part.len()) || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    parts == 3
}

/// The delimiter of a CSV file, from its header line: the most frequent of
/// `,` `;` tab `|` outside quotes (`,` when there is none). `Err` names a
/// tie.
pub fn sniff_delimiter(header: &str) -> Result<u8, (u8, u8)> {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                    c.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    match (counts[0], counts[1]) {
        ((_, 0), _) => Ok(b','),
        ((a, n), (b, m)) if n == m => Err((a, b)),
        ((a, _), _) => Ok(a),
    }
}

/// A delimiter as users write it (`;`, `tab`).
pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        _ => char::from(d).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> String {
        crate::data::column::date_of(parse_iso(s).expect("a date"))
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn iso_dates_are_strict_about_what_follows() {
        assert_eq!(day("2026-01-05"), "2026-01-05");
        assert_eq!(day("2026-1-5"), "2026-01-05");
        assert_eq!(day("2026-01-05T10:30:00"), "2026-01-05");
        assert_eq!(day("2026-01-05 10:30"), "2026-01-05");
        assert_eq!(day("2026-01-05T10:30:00.123+02:00"), "2026-01-05");
        assert_eq!(day("2026-01-05T10:30:00Z"), "2026-01-05");
        for bad in [
            "2026-01-05 garbage",
            "2026-01-05x",
            "2026-02-30",
            "2026-13-01",
            "2026-01-05T25:00",
            "2026-001-05",
        ] {
            assert!(parse_iso(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn shapes_tell_numbers_dates_and_words_apart() {
        let w = BoolWords::default();
        assert_eq!(shape("Oui", &w), Shape::Bool);
        assert_eq!(shape("FALSE", &w), Shape::Bool);
        assert_eq!(shape("1", &w), Shape::Number { after_point: None });
        assert_eq!(
            shape("1.25", &w),
            Shape::Number {
                after_point: Some(2)
            }
        );
        assert_eq!(shape("1,5", &w), Shape::CommaNumber { after_comma: 1 });
        assert_eq!(shape("1,500,000", &w), Shape::Text);
        assert_eq!(shape("NaN", &w), Shape::Text);
        assert_eq!(shape("1e309", &w), Shape::Text);
        assert_eq!(shape("2026-02-30", &w), Shape::DateLike);
        assert_eq!(shape("2026-01-05 garbage", &w), Shape::DateLike);
        assert_eq!(
            shape("25/12/2025", &w),
            Shape::Slashed {
                first: 25,
                second: 12,
                sep: '/'
            }
        );
        assert_eq!(shape("32/13/2025", &w), Shape::DateLike);
        assert_eq!(shape("05/01/26", &w), Shape::DateLike);
        assert_eq!(shape("20260105", &w), Shape::Number { after_point: None });
        assert_eq!(shape("Paris", &w), Shape::Text);
    }

    #[test]
    fn dates_in_each_order_and_declared_formats() {
        let dmy = DateFormat::DayFirst('/');
        let mdy = DateFormat::MonthFirst('/');
        assert_eq!(dmy.parse("05/01/2026"), parse_iso("2026-01-05"));
        assert_eq!(mdy.parse("05/01/2026"), parse_iso("2026-05-01"));
        assert_eq!(dmy.parse("5.1.2026"), parse_iso("2026-01-05"));
        assert_eq!(dmy.parse("05/01/2026 00:00"), parse_iso("2026-01-05"));
        assert_eq!(dmy.parse("2026-01-05"), parse_iso("2026-01-05"), "ISO too");
        assert_eq!(dmy.parse("31/02/2026"), None);
        assert_eq!(
            DateFormat::declared("%d/%m/%Y"),
            Ok(DateFormat::DayFirst('/'))
        );
        let custom = DateFormat::declared("%d %B %Y").expect("a format");
        assert_eq!(custom.parse("5 January 2026"), parse_iso("2026-01-05"));
        assert!(DateFormat::declared("%Q").is_err());
        assert!(DateFormat::declared("%Y").is_err(), "no month or day");
    }

    #[test]
    fn numbers_follow_the_decimal_mark() {
        assert_eq!(parse_number("1.5", Decimal::Point), Some(1.5));
        assert_eq!(parse_number("1,5", Decimal::Point), None);
        assert_eq!(parse_number("1,5", Decimal::Comma), Some(1.5));
        assert_eq!(parse_number("-12", Decimal::Comma), Some(-12.0));
        assert_eq!(parse_number("1.5", Decimal::Comma), None);
        assert_eq!(parse_number("1,5,3", Decimal::Comma), None);
        assert_eq!(parse_number("1e3", Decimal::Point), Some(1000.0));
        for bad in ["NaN", "inf", "1e309", "infinity", "-inf"] {
            assert_eq!(parse_number(bad, Decimal::Point), None, "{bad}");
        }
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("id;name;\"a,b\"\n1,2"), Ok(b';'));
        assert_eq!(sniff_delimiter("id,name"), Ok(b','));
        assert_eq!(sniff_delimiter("id\tname\tx"), Ok(b'\t'));
        assert_eq!(sniff_delimiter("id"), Ok(b','));
        assert!(sniff_delimiter("a,b;c").is_err());
    }
}
