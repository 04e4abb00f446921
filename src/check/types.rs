//! The types of the rule language, named in the user's words.

use std::fmt;

/// A value's type. Every value may also be null ("no data"), which is never
/// an error, so nullability is not tracked here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    Number,
    Text,
    Bool,
    Date,
    /// A list of strings (list literals, list columns).
    List,
    /// Not known before the data are read (a column without a declared
    /// type), or `null`: compatible with everything.
    Any,
}

impl Ty {
    /// Both may stand where the other is expected.
    pub fn fits(self, other: Ty) -> bool {
        self == other || self == Ty::Any || other == Ty::Any
    }

    /// The more precise of two compatible types.
    pub fn join(self, other: Ty) -> Ty {
        if self == Ty::Any { other } else { self }
    }

    pub fn from_column(ty: Option<crate::data::ColumnType>) -> Ty {
        use crate::data::ColumnType::*;
        match ty {
            Some(Number) => Ty::Number,
            Some(Bool) => Ty::Bool,
            Some(Date) => Ty::Date,
            Some(String) => Ty::Text,
            Some(List) => Ty::List,
            None => Ty::Any,
        }
    }
}

impl fmt::Display for Ty {
    /// "a number", "text", ... as in "expected a number, found text".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::Number => "a number",
            Ty::Text => "text",
            Ty::Bool => "a yes/no value",
            Ty::Date => "a date",
            Ty::List => "a list",
            Ty::Any => "a value",
        })
    }
}
