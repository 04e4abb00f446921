//! CSV text (any delimiter) → records, each with the exact line it
//! starts on (LF or CRLF files, quoted cells over several lines).
//!
//! The `csv` crate does the parsing. What it cannot say is checked here:
//! a record spanning lines is re-read strictly, so that a quote left open
//! (which would swallow every later row into one cell) is an error naming
//! the line where it opened, and reading can resume on the next line when
//! bad rows are skipped.

use csv::StringRecord;

/// One well-formed record.
pub(crate) struct Record<'r> {
    /// The line the record starts on.
    pub line: u32,
    rec: &'r StringRecord,
}

impl Record<'_> {
    /// The text of column `c` (as written, quotes removed).
    pub fn cell(&self, c: usize) -> &str {
        self.rec.get(c).unwrap_or("")
    }

    /// The line column `c` stands on: after the line breaks inside the
    /// cells before it.
    pub fn line_of(&self, c: usize) -> u32 {
        let breaks: usize = (0..c.min(self.rec.len()))
            .map(|i| memchr::memchr_iter(b'\n', self.rec[i].as_bytes()).count())
            .sum();
        self.line + breaks as u32
    }
}

/// A row that is not a record of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadRow {
    /// A row with another number of fields than the header.
    Fields { line: u32, found: usize },
    /// A quoted cell left open: where the quote opened (line, column in
    /// characters) and the line where a later quote closed it, if one did.
    Quote {
        line: u32,
        open: (u32, u32),
        closed: Option<u32>,
    },
}

impl BadRow {
    pub fn line(&self) -> u32 {
        match self {
            BadRow::Fields { line, .. } | BadRow::Quote { line, .. } => *line,
        }
    }
}

fn reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes)
}

/// The fields of the first record, trimmed.
pub(crate) fn header(text: &str, delimiter: u8) -> Vec<String> {
    let mut rec = StringRecord::new();
    match reader(text.as_bytes(), delimiter).read_record(&mut rec) {
        Ok(true) => rec.iter().map(|h| h.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Calls `row` for each record after the header that has `width` fields
/// and `bad` for each other row. A bad quote ends its row at the end of
/// the line where the quote opened; reading resumes on the next line.
pub(crate) fn rows(
    text: &str,
    delimiter: u8,
    width: usize,
    row: &mut dyn FnMut(&Record<'_>),
    bad: &mut dyn FnMut(BadRow),
) {
    let bytes = text.as_bytes();
    let mut rec = StringRecord::new();
    // Where the current reader starts, and the line there.
    let mut base = 0usize;
    let mut base_line = 1u32;
    let mut header_read = false;
    'restart: loop {
        let mut rdr = reader(&bytes[base..], delimiter);
        loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => return,
                Ok(true) => {
                    // The crate's position is where the previous record's
                    // reading stopped: before the `\n` of a CRLF and any
                    // blank lines. No record starts with a line break, so
                    // the record starts after them, on the line after each
                    // `\n` among them.
                    let (mut start, mut line) = rec
                        .position()
                        .map_or((0, 1), |p| (p.byte() as usize, p.line() as u32));
                    line += base_line - 1;
                    while let Some(&b) = bytes
                        .get(base + start)
                        .filter(|b| matches!(b, b'\r' | b'\n'))
                    {
                        line += u32::from(b == b'\n');
                        start += 1;
                    }
                    let spans_lines = memchr::memchr(b'\n', rec.as_slice().as_bytes()).is_some();
                    if (spans_lines || rec.len() != width)
                        && let Err(q) = one_record(bytes, base + start, delimiter)
                    {
                        let (open_line, open_col) = position(bytes, base + start, line, q.open);
                        let closed = q.close.map(|c| position(bytes, base + start, line, c).0);
                        bad(BadRow::Quote {
                            line,
                            open: (open_line, open_col),
                            closed,
                        });
                        if !header_read {
                            // A broken header: nothing after it can be read.
                            return;
                        }
                        // Resume on the line after the open quote.
                        match memchr::memchr(b'\n', &bytes[q.open..]) {
                            Some(nl) => {
                                base = q.open + nl + 1;
                                base_line = open_line + 1;
                                continue 'restart;
                            }
                            None => return,
                        }
                    }
                    if !header_read {
                        header_read = true;
                        continue;
                    }
                    if rec.len() != width {
                        bad(BadRow::Fields {
                            line,
                            found: rec.len(),
                        });
                        continue;
                    }
                    row(&Record { line, rec: &rec });
                }
                // Reading from memory and valid UTF-8: only a malformed
                // record can fail, which `one_record` describes.
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(base_line, |p| p.line() as u32 + base_line - 1);
                    bad(BadRow::Fields { line, found: 0 });
                    return;
                }
            }
        }
    }
}

/// A quote that does not close where a cell ends.
struct QuoteProblem {
    /// The byte of the opening quote.
    open: usize,
    /// The byte of the quote that closed it mid-cell, if any.
    close: Option<usize>,
}

/// Reads one record from `start` strictly: a quoted cell must close
/// before a delimiter, a line break or the end. `Ok` with the byte after
/// the record.
fn one_record(b: &[u8], start: usize, delimiter: u8) -> Result<usize, QuoteProblem> {
    let mut i = start;
    loop {
        if i >= b.len() {
            return Ok(b.len());
        }
        if b[i] == b'"' {
            let open = i;
            i += 1;
            let close = loop {
                match memchr::memchr(b'"', &b[i..]) {
                    None => return Err(QuoteProblem { open, close: None }),
                    Some(j) if b.get(i + j + 1) == Some(&b'"') => i += j + 2,
                    Some(j) => break i + j,
                }
            };
            i = close + 1;
            match b.get(i) {
                None => return Ok(b.len()),
                Some(&d) if d == delimiter => i += 1,
                Some(b'\n') => return Ok(i + 1),
                Some(b'\r') => {
                    return Ok(if b.get(i + 1) == Some(&b'\n') {
                        i + 2
                    } else {
                        i + 1
                    });
                }
                Some(_) => {
                    return Err(QuoteProblem {
                        open,
                        close: Some(close),
                    });
                }
            }
        } else {
            match memchr::memchr2(delimiter, b'\n', &b[i..]) {
                None => return Ok(b.len()),
                Some(j) if b[i + j] == delimiter => i += j + 1,
                Some(j) => return Ok(i + j + 1),
            }
        }
    }
}

/// Line and character column of byte `at`, from a known line start.
fn position(b: &[u8], from: usize, from_line: u32, at: usize) -> (u32, u32) {
    let at = at.min(b.len());
    let line = from_line + memchr::memchr_iter(b'\n', &b[from..at]).count() as u32;
    let line_start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&b[line_start..at]).chars().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, width: usize) -> (Vec<(u32, Vec<String>)>, Vec<BadRow>) {
        let mut good = Vec::new();
        let mut bad_rows = Vec::new();
        rows(
            text,
            b',',
            width,
            &mut |r| good.push((r.line, (0..width).map(|c| r.cell(c).to_string()).collect())),
            &mut |b| bad_rows.push(b),
        );
        (good, bad_rows)
    }

    #[test]
    fn lines_are_exact_with_crlf_and_multi_line_cells() {
        let (good, bad) = read("id,n\r\n1,a\r\n2,\"x\r\ny\"\r\n3,c\r\n", 2);
        assert!(bad.is_empty(), "{bad:?}");
        let lines: Vec<u32> = good.iter().map(|g| g.0).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert_eq!(good[1].1[1], "x\r\ny");
    }

    #[test]
    fn an_unterminated_quote_is_named_and_only_its_line_is_lost() {
        let (good, bad) = read("id,n\n1,\"abc\n2,x\n3,y\n", 2);
        assert_eq!(
            bad,
            vec![BadRow::Quote {
                line: 2,
                open: (2, 3),
                closed: None
            }]
        );
        let ids: Vec<&str> = good.iter().map(|g| g.1[0].as_str()).collect();
        assert_eq!(ids, vec!["2", "3"]);
        assert_eq!(good[0].0, 3);
    }

    #[test]
    fn a_quote_closed_on_a_later_line_mid_cell_is_caught() {
        let (good, bad) = read("id,n,m\n1,\"abc,3\n2,x,y\n3,\"def\",z\n", 3);
        assert_eq!(
            bad,
            vec![BadRow::Quote {
                line: 2,
                open: (2, 3),
                closed: Some(4)
            }]
        );
        let ids: Vec<&str> = good.iter().map(|g| g.1[0].as_str()).collect();
        assert_eq!(ids, vec!["2", "3"]);
    }

    #[test]
    fn rows_of_the_wrong_width_are_reported_in_place() {
        let (good, bad) = read("a,b\n1,2\n3\n4,5,6\n7,8\n", 2);
        assert_eq!(good.len(), 2);
        assert_eq!(
            bad,
            vec![
                BadRow::Fields { line: 3, found: 1 },
                BadRow::Fields { line: 4, found: 3 }
            ]
        );
    }

    #[test]
    fn blank_lines_are_skipped_and_counted() {
        let (good, bad) = read("a,b\n1,2\n\n\r\n3,4\n", 2);
        assert!(bad.is_empty(), "{bad:?}");
        let lines: Vec<u32> = good.iter().map(|g| g.0).collect();
        assert_eq!(lines, vec![2, 5]);
    }

    #[test]
    fn cells_know_their_line() {
        let mut lines = Vec::new();
        rows(
            "a,b,c\n1,\"two\nlines\",3\n",
            b',',
            3,
            &mut |r| lines = (0..3).map(|c| r.line_of(c)).collect(),
            &mut |_| {},
        );
        assert_eq!(lines, vec![2, 2, 3]);
    }
}
