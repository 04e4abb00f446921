//! The meaning of operators and functions on single values, null rules
//! included. The reference evaluator uses only these; the columnar one has
//! typed fast paths that must agree with them (the differential test checks).

use std::cmp::Ordering;

use super::plan::ScalarFn;
use super::value::{Strings, Value};
use crate::data::column::date_of;
use crate::syntax::ast::{BinaryOp, UnaryOp};

/// Kleene logic: `false and null` is false, `true or null` is true.
fn logic(op: BinaryOp, a: &Value, b: &Value) -> Value {
    let (x, y) = (as_bool(a), as_bool(b));
    match op {
        BinaryOp::And => match (x, y) {
            (Some(false), _) | (_, Some(false)) => Value::Bool(false),
            (Some(true), Some(true)) => Value::Bool(true),
            _ => Value::Null,
        },
        _ => match (x, y) {
            (Some(true), _) | (_, Some(true)) => Value::Bool(true),
            (Some(false), Some(false)) => Value::Bool(false),
            _ => Value::Null,
        },
    }
}

pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// Orders two non-null values of one type.
pub fn compare(a: &Value, b: &Value, strings: &Strings) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) if x == y => Some(Ordering::Equal),
        (Value::Str(x), Value::Str(y)) => Some(strings.text(*x).cmp(&strings.text(*y))),
        (Value::List(x), Value::List(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Membership: a string (or a number, by its text) in a list.
pub fn member(a: &Value, list: &Value, strings: &Strings) -> Value {
    let Value::List(items) = list else {
        return Value::Null;
    };
    let id = match a {
        Value::Str(s) => *s,
        Value::Num(n) => strings.intern(&format!("{n}")),
        _ => return Value::Null,
    };
    Value::Bool(items.contains(&id))
}

pub fn binary(op: BinaryOp, a: &Value, b: &Value, strings: &Strings) -> Value {
    use BinaryOp::*;
    match op {
        And | Or => logic(op, a, b),
        _ if a.is_null() || b.is_null() => Value::Null,
        Add | Sub | Mul | Div => match (a, b) {
            (Value::Num(x), Value::Num(y)) => Value::num(arith(op, *x, *y)),
            _ => Value::Null,
        },
        In => member(a, b, strings),
        Eq | Ne | Lt | Le | Gt | Ge => match compare(a, b, strings) {
            None => Value::Null,
            Some(ord) => Value::Bool(match op {
                Eq => ord == Ordering::Equal,
                Ne => ord != Ordering::Equal,
                Lt => ord == Ordering::Less,
                Le => ord != Ordering::Greater,
                Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }),
        },
    }
}

/// Arithmetic on real numbers; the caller turns non-finite results
/// (division by zero, overflow) into null.
pub fn arith(op: BinaryOp, x: f64, y: f64) -> f64 {
    match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        _ => {
            if y == 0.0 {
                f64::NAN
            } else {
                x / y
            }
        }
    }
}

pub fn unary(op: UnaryOp, a: &Value) -> Value {
    match (op, a) {
        (UnaryOp::Neg, Value::Num(n)) => Value::num(-n),
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        _ => Value::Null,
    }
}

pub fn scalar(f: ScalarFn, args: &[Value], strings: &Strings) -> Value {
    use ScalarFn::*;
    let num = |i: usize| args.get(i).and_then(Value::as_num);
    match f {
        Coalesce => args
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null),
        Min | Max => {
            if args.iter().any(Value::is_null) {
                return Value::Null;
            }
            let mut best: Option<&Value> = None;
            for v in args {
                best = match best {
                    None => Some(v),
                    Some(b) => match compare(v, b, strings) {
                        Some(Ordering::Less) if f == Min => Some(v),
                        Some(Ordering::Greater) if f == Max => Some(v),
                        None => return Value::Null,
                        _ => Some(b),
                    },
                };
            }
            best.cloned().unwrap_or(Value::Null)
        }
        Round => match (num(0), args.get(1)) {
            (Some(x), None) => Value::num(x.round()),
            (Some(x), Some(d)) => match d.as_num() {
                Some(d) => {
                    let factor = 10f64.powi(d.clamp(-15.0, 15.0) as i32);
                    Value::num((x * factor).round() / factor)
                }
                None => Value::Null,
            },
            _ => Value::Null,
        },
        Abs => num(0).map_or(Value::Null, |x| Value::num(x.abs())),
        Sqrt => match num(0) {
            Some(x) if x >= 0.0 => Value::num(x.sqrt()),
            _ => Value::Null,
        },
        Log => match (num(0), args.len()) {
            (Some(x), 1) if x > 0.0 => Value::num(x.ln()),
            (Some(x), _) => match num(1) {
                Some(b) if x > 0.0 && b > 0.0 && b != 1.0 => Value::num(x.ln() / b.ln()),
                _ => Value::Null,
            },
            _ => Value::Null,
        },
        Year | Month => match args.first() {
            Some(Value::Date(d)) => date_of(*d).map_or(Value::Null, |date| {
                use chrono::Datelike;
                Value::num(f64::from(if f == Year {
                    date.year()
                } else {
                    date.month() as i32
                }))
            }),
            _ => Value::Null,
        },
        DaysBetween => match (args.first(), args.get(1)) {
            (Some(Value::Date(a)), Some(Value::Date(b))) => Value::num(f64::from(b - a)),
            _ => Value::Null,
        },
        Lower | Upper => match args.first() {
            Some(Value::Str(s)) => {
                let text = strings.text(*s);
                let changed = if f == Lower {
                    text.to_lowercase()
                } else {
                    text.to_uppercase()
                };
                Value::Str(strings.intern(&changed))
            }
            _ => Value::Null,
        },
        Len => match args.first() {
            Some(Value::Str(s)) => Value::num(strings.text(*s).chars().count() as f64),
            Some(Value::List(l)) => Value::num(l.len() as f64),
            _ => Value::Null,
        },
        Contains => match (args.first(), args.get(1)) {
            (Some(Value::Str(h)), Some(Value::Str(n))) => {
                Value::Bool(strings.text(*h).contains(&*strings.text(*n)))
            }
            (Some(list @ Value::List(_)), Some(n @ Value::Str(_))) => member(n, list, strings),
            _ => Value::Null,
        },
    }
}

/// `linear(from, to)`: 0 at `from`, 100 at `to`, linear between, clamped;
/// `from > to` means lower is better. With `from == to`, 100 once reached.
pub fn linear(value: &Value, from: &Value, to: &Value) -> Value {
    let (Some(v), Some(a), Some(b)) = (value.as_num(), from.as_num(), to.as_num()) else {
        return Value::Null;
    };
    if a == b {
        return Value::num(if v >= b { 100.0 } else { 0.0 });
    }
    Value::num(((v - a) / (b - a)).clamp(0.0, 1.0) * 100.0)
}

/// `bands(t1: s1, ..)`: the score of the furthest band reached, in written
/// order. Thresholds written ascending are reached from below (value ≥ t);
/// written descending (lower is better), from above (value ≤ t). None
/// reached: 0.
pub fn bands(value: &Value, bands: &[(Value, Value)]) -> Value {
    let Some(v) = value.as_num() else {
        return Value::Null;
    };
    let thresholds: Vec<Option<f64>> = bands.iter().map(|(t, _)| t.as_num()).collect();
    if thresholds.iter().any(Option::is_none) {
        return Value::Null;
    }
    let descending = thresholds.len() > 1
        && thresholds.windows(2).all(|w| w[0] >= w[1])
        && thresholds[0] > thresholds[thresholds.len() - 1];
    let mut score = Value::num(0.0);
    for ((_, s), th) in bands.iter().zip(&thresholds) {
        let th = th.unwrap_or(0.0);
        let reached = if descending { v <= th } else { v >= th };
        if reached {
            score = s.clone();
        }
    }
    score
}

/// Percentile with linear interpolation between closest ranks (as
/// spreadsheets' PERCENTILE.INC); `sorted` ascending, `p` in 0..=1.
pub fn percentile(sorted: &[f64], p: f64) -> Value {
    if sorted.is_empty() || !p.is_finite() {
        return Value::Null;
    }
    let p = p.clamp(0.0, 1.0);
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Value::num(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// A hashable key for `distinct`.
pub fn distinct_key(v: &Value) -> Option<(u8, u64)> {
    match v {
        Value::Null => None,
        Value::Num(n) => Some((0, if *n == 0.0 { 0 } else { n.to_bits() })),
        Value::Bool(b) => Some((1, u64::from(*b))),
        Value::Str(s) => Some((2, u64::from(*s))),
        Value::Date(d) => Some((3, *d as u64)),
        Value::List(l) => Some((
            4,
            l.iter()
                .fold(17u64, |h, x| h.wrapping_mul(31).wrapping_add(u64::from(*x))),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_both_ways_and_clamped() {
        let n = Value::Num;
        let near = |v: Value, want: f64| v.as_num().is_some_and(|x| (x - want).abs() < 1e-9);
        assert!(near(linear(&n(0.4), &n(0.2), &n(0.6)), 50.0));
        assert_eq!(linear(&n(0.9), &n(0.2), &n(0.6)), n(100.0));
        // lower is better: 0 at 120, 100 at 40; 80 is half way
        assert_eq!(linear(&n(80.0), &n(120.0), &n(40.0)), n(50.0));
        assert_eq!(linear(&Value::Null, &n(0.0), &n(1.0)), Value::Null);
    }

    #[test]
    fn bands_pick_the_furthest_band_reached() {
        let n = Value::Num;
        let asc = [(n(3.0), n(25.0)), (n(3.5), n(50.0)), (n(4.0), n(80.0))];
        assert_eq!(bands(&n(3.7), &asc), n(50.0));
        assert_eq!(bands(&n(2.0), &asc), n(0.0));
        let desc = [(n(80.0), n(25.0)), (n(60.0), n(50.0)), (n(40.0), n(100.0))];
        assert_eq!(bands(&n(55.0), &desc), n(50.0));
    }

    #[test]
    fn percentile_interpolates() {
        // h = (5 - 1) * 0.9 = 3.6: 4 + 0.6 * (10 - 4) = 7.6
        assert_eq!(
            percentile(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.9),
            Value::Num(7.6000000000000005)
        );
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Value::Num(2.5));
        assert_eq!(percentile(&[], 0.5), Value::Null);
    }
}
