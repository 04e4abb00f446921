//! The explain trace of an indicator (`--explain`): each aggregate of its
//! value with the rows it read and kept, the formula with its numbers, the
//! scoring with its inputs, and what the indicator adds to its objective.

use std::collections::HashMap;

use super::{Figures, Scoring};
use crate::check;
use crate::eval::columnar::Env;
use crate::report::{AggregateTrace, Explain};
use crate::syntax::ast::{Expr, ExprKind, field};
use crate::syntax::{self, expr_to_string, expr_to_string_with};

impl Scoring<'_> {
    pub(super) fn explain(
        &self,
        env: &Env<'_>,
        i: usize,
        figures: &Figures,
        share: Option<f64>,
    ) -> Explain {
        let syntax = self.decls.indicators[i].indicator;
        let value_expr = field(&syntax.fields, "value").map(|f| &f.value);
        let mut aggregates = Vec::new();
        let mut substitute: HashMap<crate::source::Span, String> = HashMap::new();
        if let Some(e) = value_expr {
            self.trace(env, e, &mut aggregates, &mut substitute);
        }
        let formula = value_expr.map(expr_to_string).unwrap_or_default();
        let with_values = value_expr
            .map(|e| expr_to_string_with(e, &|sub: &Expr| substitute.get(&sub.span).cloned()))
            .unwrap_or_default();
        let score_text = match field(&syntax.fields, "score") {
            Some(f) => expr_to_string(&f.value),
            None => "linear(0, target)".to_string(),
        };
        let scoring = format!(
            "{score_text} with value {} and target {} gives {}",
            self.label(&figures.value),
            self.label(&figures.target),
            figures.score.map_or("null".to_string(), syntax::number)
        );
        Explain {
            formula,
            with_values,
            aggregates,
            scoring,
            share_of_objective: share,
            contribution: share.zip(figures.score).map(|(w, s)| w * s),
        }
    }

    /// Records the value of each aggregate and name in a top-level
    /// expression (not inside aggregates).
    fn trace(
        &self,
        env: &Env<'_>,
        e: &Expr,
        aggregates: &mut Vec<AggregateTrace>,
        substitute: &mut HashMap<crate::source::Span, String>,
    ) {
        match &e.kind {
            ExprKind::Name(n) => {
                if let Some(&id) = self.decls.names.get(n.name.as_str()) {
                    substitute.insert(e.span, self.label(&env.decl(id)));
                }
            }
            ExprKind::Call { function, args, .. } => {
                let aggregate = check::functions::lookup(&function.name, args.len())
                    .is_some_and(|b| b.kind == check::functions::FnKind::Aggregate);
                if aggregate {
                    if let Some(&node) = self.plan.by_span.get(&e.span) {
                        let stats = env.aggregate_stats(node);
                        let value = env.scalar(node);
                        substitute.insert(e.span, self.label(&value));
                        aggregates.push(AggregateTrace {
                            expression: expr_to_string(e),
                            table: stats.0,
                            rows: stats.1,
                            kept: stats.2,
                            value: self.json_value(&value),
                        });
                    }
                } else {
                    for a in args {
                        self.trace(env, a, aggregates, substitute);
                    }
                }
            }
            ExprKind::Unary { operand, .. } => self.trace(env, operand, aggregates, substitute),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.trace(env, lhs, aggregates, substitute);
                self.trace(env, rhs, aggregates, substitute);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                for x in [cond, then, otherwise] {
                    self.trace(env, x, aggregates, substitute);
                }
            }
            _ => {}
        }
    }
}
