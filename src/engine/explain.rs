//! The explain trace of an indicator (`--explain`): each aggregate of its
//! value with the rows it read and kept, the formula with its numbers, the
//! target with its numbers (a `prior(..)` shows the previous period's
//! value, `peers(..)` the peers' figure and how many peers gave it), the
//! scoring with its inputs, and what the indicator adds to its objective.

use std::collections::HashMap;

use super::Scoring;
use super::assemble::Figures;
use crate::check::{self, functions::FnKind};
use crate::eval::columnar::Env;
use crate::eval::plan::Node;
use crate::report::{AggregateTrace, Explain, PeersTrace, TargetTrace};
use crate::syntax::ast::{Expr, ExprKind, field};
use crate::syntax::{self, expr_to_string, expr_to_string_with};

/// What a trace collects.
struct Trace {
    aggregates: Vec<AggregateTrace>,
    substitute: HashMap<crate::source::Span, String>,
    peers: Vec<PeersTrace>,
    /// The indicator's value, for `value` in its target.
    value: Option<String>,
}

impl Scoring<'_> {
    pub(super) fn explain(
        &self,
        env: &Env<'_>,
        i: usize,
        figures: &Figures,
        share: Option<f64>,
    ) -> Explain {
        let syntax = self.c.decls.indicators[i].indicator;
        let value_expr = field(&syntax.fields, "value").map(|f| &f.value);
        let mut t = Trace {
            aggregates: Vec::new(),
            substitute: HashMap::new(),
            peers: Vec::new(),
            value: None,
        };
        if let Some(e) = value_expr {
            self.trace(env, e, &mut t);
        }
        let formula = value_expr.map(expr_to_string).unwrap_or_default();
        let with_values = value_expr
            .map(|e| expr_to_string_with(e, &|sub: &Expr| t.substitute.get(&sub.span).cloned()))
            .unwrap_or_default();
        let target = field(&syntax.fields, "target").map(|f| {
            let mut tt = Trace {
                aggregates: Vec::new(),
                substitute: HashMap::new(),
                peers: Vec::new(),
                value: Some(self.label(&figures.value)),
            };
            self.trace(env, &f.value, &mut tt);
            TargetTrace {
                formula: expr_to_string(&f.value),
                with_values: expr_to_string_with(&f.value, &|sub: &Expr| {
                    tt.substitute.get(&sub.span).cloned()
                }),
                peers: tt.peers,
            }
        });
        let score_text = match field(&syntax.fields, "score") {
            Some(f) => expr_to_string(&f.value),
            None => "linear(0, target)".to_string(),
        };
        let (shown_value, shown_target, shown_score) = (
            self.label(&figures.value),
            self.label(&figures.target),
            figures.score.map_or("null".to_string(), syntax::number),
        );
        let scoring = format!(
            "{score_text} with value {shown_value} and target {shown_target} gives {shown_score}"
        );
        let scoring_fr = format!(
            "{score_text} avec la valeur {shown_value} et la cible {shown_target} donne {shown_score}"
        );
        Explain {
            formula,
            with_values,
            aggregates: t.aggregates,
            target,
            scoring,
            scoring_fr,
            share_of_objective: share,
            contribution: share.zip(figures.score).map(|(w, s)| w * s),
        }
    }

    /// Records the value of each aggregate, `prior(..)`, `peers(..)` and
    /// name in a top-level expression (not inside aggregates).
    fn trace(&self, env: &Env<'_>, e: &Expr, t: &mut Trace) {
        match &e.kind {
            ExprKind::Name(n) => {
                if let Some(&id) = self.c.decls.names.get(n.name.as_str()) {
                    t.substitute.insert(e.span, self.label(&env.decl(id)));
                } else if n.name == "value"
                    && let Some(v) = &t.value
                {
                    t.substitute.insert(e.span, v.clone());
                }
            }
            ExprKind::Call { function, args, .. } => {
                let kind = check::functions::lookup(&function.name, args.len()).map(|b| b.kind);
                let node = self.c.plan.by_span.get(&e.span).copied();
                match (kind, node) {
                    (Some(FnKind::Aggregate), Some(node)) => {
                        let stats = env.aggregate_stats(node);
                        let value = env.scalar(node);
                        t.substitute.insert(e.span, self.label(&value));
                        t.aggregates.push(AggregateTrace {
                            expression: expr_to_string(e),
                            table: stats.0,
                            rows: stats.1,
                            kept: stats.2,
                            value: self.json_value(&value),
                        });
                    }
                    // The previous period's value, whole: its insides were
                    // computed a period earlier.
                    (Some(FnKind::Prior), Some(node)) => {
                        t.substitute.insert(e.span, self.label(&env.scalar(node)));
                    }
                    (Some(FnKind::Peers), Some(node)) => {
                        let value = env.scalar(node);
                        t.substitute.insert(e.span, self.label(&value));
                        if let Node::Peers(p, j) = self.c.plan.node(node)
                            && let Some(ind) = self.c.plan.indicators.get(*j)
                        {
                            t.peers.push(PeersTrace {
                                percentile: env.scalar(*p).as_num().unwrap_or(f64::NAN),
                                n: self.c.peers.count(&ind.id, env.period()),
                                lower_is_better: ind.lower_is_better,
                                value: value.as_num(),
                            });
                        }
                    }
                    _ => {
                        for a in args {
                            self.trace(env, a, t);
                        }
                    }
                }
            }
            ExprKind::Unary { operand, .. } => self.trace(env, operand, t),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.trace(env, lhs, t);
                self.trace(env, rhs, t);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                for x in [cond, then, otherwise] {
                    self.trace(env, x, t);
                }
            }
            _ => {}
        }
    }
}
