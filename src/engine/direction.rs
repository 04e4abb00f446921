//! Which way is better for each indicator: `better = higher|lower` when the
//! rules say so, else found by evaluating the indicator's score function
//! at values below and above its target. So `linear(120, target)` and
//! `linear(target * 2, target)` are lower-is-better without anyone having
//! to say it. The direction orients `peers(p)` and peer ranks.
//!
//! The score function is evaluated here, before any data: on its literals,
//! params, `value` and `target`. The target used is the indicator's own
//! when it is constant, the peers' median when it is `peers(..)`, and
//! otherwise each of several magnitudes (the majority decides). A score
//! that reads anything else, or does not depend on the value, leaves the
//! default: higher is better.

use crate::check::DeclId;
use crate::eval::Peers;
use crate::eval::ops;
use crate::eval::plan::{Node, NodeId, Plan};
use crate::eval::value::{Strings, Value};
use crate::syntax::ast::{ExprKind, Indicator, field};

/// `value` and `target` for one evaluation of a score function.
struct Probe<'p> {
    plan: &'p Plan,
    strings: &'p Strings,
    peers: &'p Peers,
    indicator: usize,
    value: f64,
    target: Option<f64>,
}

impl Probe<'_> {
    /// A node's value, or `None` when it depends on data.
    fn eval(&self, node: NodeId, depth: usize) -> Option<Value> {
        // Scores are small expressions; a chain of params deeper than this
        // is not one.
        if depth > 64 {
            return None;
        }
        let num = |x: f64| Some(Value::num(x));
        let sub = |n: NodeId| self.eval(n, depth + 1);
        Some(match self.plan.node(node) {
            Node::Lit(v) => v.clone(),
            Node::Decl(DeclId::Param(_) | DeclId::Let(_)) => {
                let Node::Decl(d) = self.plan.node(node) else {
                    return None;
                };
                return sub(*self.plan.decls.get(d)?);
            }
            Node::Decl(DeclId::Indicator(j)) | Node::IndicatorValue(j) if *j == self.indicator => {
                return num(self.value);
            }
            Node::IndicatorTarget(j) if *j == self.indicator => return self.target.and_then(num),
            Node::Unary(op, a) => ops::unary(*op, &sub(*a)?),
            Node::Binary(op, a, b) => ops::binary(*op, &sub(*a)?, &sub(*b)?, self.strings),
            Node::If(c, t, e) => {
                if sub(*c)? == Value::Bool(true) {
                    sub(*t)?
                } else {
                    sub(*e)?
                }
            }
            Node::Scalar(f, args) => {
                let args: Option<Vec<Value>> = args.iter().map(|a| sub(*a)).collect();
                ops::scalar(*f, &args?, self.strings)
            }
            Node::Linear(a, b, j) if *j == self.indicator => {
                ops::linear(&Value::num(self.value), &sub(*a)?, &sub(*b)?)
            }
            Node::Bands(bands, j) if *j == self.indicator => {
                let pairs: Option<Vec<(Value, Value)>> = bands
                    .iter()
                    .map(|(t, s)| Some((sub(*t)?, sub(*s)?)))
                    .collect();
                ops::bands(&Value::num(self.value), &pairs?)
            }
            Node::Peers(p, j) => {
                let id = &self.plan.indicators.get(*j)?.id;
                self.peers.pooled_percentile(id, sub(*p)?.as_num())
            }
            _ => return None,
        })
    }
}

/// Whether lower is better for each indicator of the plan.
pub(super) fn lower_is_better(
    plan: &Plan,
    indicators: &[&Indicator],
    strings: &Strings,
    peers: &Peers,
) -> Vec<bool> {
    (0..plan.indicators.len())
        .map(
            |i| match field(&indicators[i].fields, "better").map(|f| &f.value.kind) {
                Some(ExprKind::String(w)) => w == "lower",
                _ => found(plan, i, strings, peers) == Some(true),
            },
        )
        .collect()
}

/// Lower is better (`Some(true)`), higher (`Some(false)`), or the score
/// function does not tell.
fn found(plan: &Plan, i: usize, strings: &Strings, peers: &Peers) -> Option<bool> {
    let ind = &plan.indicators[i];
    let probe = |value: f64, target: Option<f64>| Probe {
        plan,
        strings,
        peers,
        indicator: i,
        value,
        target,
    };
    let known_target = ind
        .target
        .and_then(|t| probe(f64::NAN, None).eval(t, 0))
        .and_then(|v| v.as_num());
    let targets: Vec<f64> = match known_target {
        Some(t) => vec![t],
        None => vec![0.5, 1.0, 10.0, 100.0, 1000.0],
    };
    let mut votes = 0i32;
    for t in targets {
        let base = if t == 0.0 { 1.0 } else { t.abs() };
        let points = [-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0].map(|d| t + d * base);
        let scores: Vec<Option<f64>> = points
            .iter()
            .map(|&v| {
                let p = probe(v, Some(t));
                match ind.score {
                    Some(s) => p.eval(s, 0).and_then(|x| x.as_num()),
                    // The default score, `linear(0, target)`.
                    None => ops::linear(&Value::num(v), &Value::num(0.0), &Value::num(t)).as_num(),
                }
            })
            .collect();
        let (mut up, mut down) = (0, 0);
        for w in scores.windows(2) {
            if let [Some(a), Some(b)] = w {
                if b > a {
                    up += 1;
                } else if b < a {
                    down += 1;
                }
            }
        }
        votes += (down > up) as i32 - (up > down) as i32;
    }
    match votes {
        0 => None,
        v => Some(v > 0),
    }
}
