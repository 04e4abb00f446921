//! Column types inferred from the cells of a file.

use super::column::parse_date;
use super::schema::ColumnType;
use super::table::Cell;

/// What a text looks like, for inference.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Bool,
    Number,
    Date,
    Text,
}

fn shape(s: &str) -> Shape {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        Shape::Bool
    } else if t.parse::<f64>().is_ok_and(f64::is_finite) {
        Shape::Number
    } else if parse_date(t).is_some() {
        Shape::Date
    } else {
        Shape::Text
    }
}

/// Infers a column's type from the shapes of its non-empty cells.
#[derive(Clone, Copy, Default)]
pub(super) struct Inference {
    seen: Option<Shape>,
    mixed: bool,
    list: bool,
}

impl Inference {
    /// The column is text whatever comes next (a list still may).
    fn settled_text(&self) -> bool {
        self.mixed || self.seen == Some(Shape::Text)
    }

    pub(super) fn add(&mut self, cell: &Cell<'_>) {
        if self.settled_text() && !matches!(cell, Cell::List(_)) {
            return;
        }
        match cell {
            Cell::Null => {}
            Cell::Text(s) if s.trim().is_empty() => {}
            Cell::List(_) => self.list = true,
            Cell::Text(s) => {
                let sh = shape(s);
                match self.seen {
                    None => self.seen = Some(sh),
                    Some(prev) if prev != sh => self.mixed = true,
                    _ => {}
                }
            }
        }
    }

    pub(super) fn result(self) -> ColumnType {
        if self.list {
            return ColumnType::List;
        }
        match (self.seen, self.mixed) {
            (Some(Shape::Bool), false) => ColumnType::Bool,
            (Some(Shape::Number), false) => ColumnType::Number,
            (Some(Shape::Date), false) => ColumnType::Date,
            _ => ColumnType::String,
        }
    }
}
