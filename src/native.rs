//! Functions embedders add to the rule language, written in Rust.
//!
//! A native function has a name, argument types and a return type; the
//! checker checks calls to it like calls to built-ins, and the evaluator
//! calls it once per row (or once, on scalars).
//!
//! ```
//! use alumni_kpi::native::{NativeFunction, Scalar};
//! use alumni_kpi::check::Ty;
//!
//! let fiscal_year = NativeFunction::new("fiscal_year", &[Ty::Date], Ty::Number, |args| {
//!     use chrono::Datelike;
//!     match &args[0] {
//!         // A fiscal year starting in July is named after the year it ends.
//!         Scalar::Date(d) => Scalar::Number(f64::from(d.year() + i32::from(d.month() >= 7))),
//!         _ => Scalar::Null,
//!     }
//! });
//! assert_eq!(fiscal_year.name, "fiscal_year");
//! ```

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::check::Ty;
use crate::data::column::date_of;
use crate::eval::value::{Strings, Value};

/// A value as native functions see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// No value (an empty cell, a failed lookup).
    Null,
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
    /// A yes/no value.
    Bool(bool),
    /// A day.
    Date(NaiveDate),
    /// A list of strings.
    List(Vec<String>),
}

type Call = dyn Fn(&[Scalar]) -> Scalar + Send + Sync;

/// A Rust function callable from the rules.
#[derive(Clone)]
pub struct NativeFunction {
    /// The name the rules call it by.
    pub name: String,
    /// The type of each argument.
    pub params: Vec<Ty>,
    /// The type it returns.
    pub returns: Ty,
    /// The function itself.
    pub call: Arc<Call>,
}

impl std::fmt::Debug for NativeFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeFunction")
            .field("name", &self.name)
            .field("params", &self.params)
            .field("returns", &self.returns)
            .finish()
    }
}

impl NativeFunction {
    /// A function named `name`, of these argument and return types.
    pub fn new(
        name: &str,
        params: &[Ty],
        returns: Ty,
        call: impl Fn(&[Scalar]) -> Scalar + Send + Sync + 'static,
    ) -> NativeFunction {
        NativeFunction {
            name: name.to_string(),
            params: params.to_vec(),
            returns,
            call: Arc::new(call),
        }
    }

    /// Calls the function on evaluator values. A result of another type
    /// than declared is null (never a wrong value).
    pub(crate) fn apply(&self, args: &[Value], strings: &Strings) -> Value {
        let scalars: Vec<Scalar> = args.iter().map(|v| to_scalar(v, strings)).collect();
        let result = from_scalar((self.call)(&scalars), strings);
        let fits = matches!(
            (&result, self.returns),
            (Value::Null, _)
                | (_, Ty::Any)
                | (Value::Num(_), Ty::Number)
                | (Value::Str(_), Ty::Text)
                | (Value::Bool(_), Ty::Bool)
                | (Value::Date(_), Ty::Date)
                | (Value::List(_), Ty::List)
        );
        if fits { result } else { Value::Null }
    }
}

fn to_scalar(v: &Value, strings: &Strings) -> Scalar {
    match v {
        Value::Null => Scalar::Null,
        Value::Num(n) => Scalar::Number(*n),
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Str(s) => Scalar::Text(strings.text(*s).to_string()),
        Value::Date(d) => date_of(*d).map_or(Scalar::Null, Scalar::Date),
        Value::List(items) => {
            Scalar::List(items.iter().map(|s| strings.text(*s).to_string()).collect())
        }
    }
}

fn from_scalar(s: Scalar, strings: &Strings) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Number(n) => Value::num(n),
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Text(t) => Value::Str(strings.intern(&t)),
        Scalar::Date(d) => Value::Date(d.num_days_from_ce()),
        Scalar::List(items) => Value::List(
            items
                .iter()
                .map(|s| strings.intern(s))
                .collect::<Vec<u32>>()
                .into(),
        ),
    }
}
